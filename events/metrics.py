"""Prometheus series of the relay and the consumers."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

RELAYED = Counter("events_relayed_total", "Events the relay delivered, by destination", ["destination"])
RELAY_FAILURES = Counter("events_relay_failures_total", "Relay passes that failed, by reason", ["reason"])
RELAY_LAG_EVENTS = Gauge("events_relay_lag_events", "Events committed to the log and not yet relayed")
RELAY_LAG_SECONDS = Gauge("events_relay_lag_seconds", "Age of the oldest event not yet relayed")
CONSUMED = Counter("events_consumed_total", "Events a consumer applied, by consumer", ["consumer"])
DUPLICATES = Counter("events_consumer_duplicates_total", "Redelivered events a consumer skipped, by consumer",
                     ["consumer"])
