"""Business metrics, incremented by the services after their transaction commits."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

ORDERS_CREATED = Counter("orders_created_total", "Orders placed (each counted once, retries excluded)")
ORDERS_REVENUE = Counter("orders_revenue_dollars_total", "Revenue of orders that became paid, in USD")
WATCHES_LOW_STOCK = Gauge(
    "watches_low_stock_total", "Active watches whose available stock is at or below their reorder point"
)
# Read from the database at scrape time, like the low-stock gauge: the truth whichever process (API,
# worker, scheduler) created or decided a proposal, and never counting an eval's rolled-back runs.
# approved + received are the approvals; with rejected and expired they are every decision made.
REORDER_PROPOSALS = Gauge("reorder_proposals", "Reorder proposals in the database by status", ["status"])
PAYMENT_FAILURES = Counter("payment_failures_total", "Payment attempts the provider reported as failed")
REFUNDS = Counter("refunds_total", "Refund answers applied, by outcome (refunded, refund_failed, refund_pending, "
                  "already_settled, duplicate, unknown_refund)", ["outcome"])
RESERVED_UNPAID_UNITS = Gauge("orders_reserved_unpaid_units",
                              "Units held by orders waiting for payment (released when paid, cancelled or expired)")
