"""The API's SLO rules (alerts/slo_rules.yml): valid for promtool, unit-tested with promtool (each burn-rate
alert firing and not firing), built the multi-window multi-burn-rate way, and loaded by the stack."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from tests.deploy.stack_tools import COMPOSE_DIR, ROOT, binary, run

ALERTS = ROOT / "alerts"
SLO_RULES = ALERTS / "slo_rules.yml"
SLO_TESTS = ALERTS / "slo_rules_test.yml"
# objective -> (budget, the recorded error ratio's name without its window)
OBJECTIVES = {"availability": (0.005, "slo:api_availability_errors:ratio_rate"),
              "latency": (0.05, "slo:api_latency_slow:ratio_rate")}
# alert speed -> (burn rate, long window, short window) pairs, as in the SRE workbook for 30 days
PAIRS = {"Fast": [(14.4, "1h", "5m"), (6, "6h", "30m")], "Slow": [(3, "1d", "2h"), (1, "3d", "6h")]}


def rules() -> list[dict[str, Any]]:
    return [r for g in yaml.safe_load(SLO_RULES.read_text())["groups"] for r in g["rules"]]


def test_promtool_accepts_the_slo_rules() -> None:
    assert "SUCCESS" in run(binary("promtool"), "check", "rules", str(SLO_RULES)).stdout


def test_promtool_unit_tests_of_the_slo_rules_pass() -> None:
    assert "SUCCESS" in run(binary("promtool"), "test", "rules", str(SLO_TESTS), timeout=300).stdout


def test_each_alert_is_tested_firing_and_not_firing() -> None:
    alerts = {r["alert"] for r in rules() if "alert" in r}
    assert alerts == {f"Api{slo.capitalize()}{speed}Burn" for slo in OBJECTIVES for speed in PAIRS}
    tests = yaml.safe_load(SLO_TESTS.read_text())["tests"]
    cases = [case for test in tests for case in test.get("alert_rule_test", [])]
    for alert in alerts:
        assert any(c["alertname"] == alert and c["exp_alerts"] for c in cases), f"{alert} is never shown firing"
        assert any(c["alertname"] == alert and not c["exp_alerts"] for c in cases), f"{alert} is never shown quiet"


def test_burn_rate_alerts_pair_a_long_and_a_short_window_at_the_workbook_rates() -> None:
    for rule in (r for r in rules() if "alert" in r):
        slo = rule["labels"]["slo"]
        budget, ratio = OBJECTIVES[slo]
        speed = "Fast" if rule["alert"].endswith("FastBurn") else "Slow"
        expr = " ".join(rule["expr"].split())
        for rate, long, short in PAIRS[speed]:
            pair = (f"({ratio}{long} > ({rate:g} * {budget:g}) and {ratio}{short} > ({rate:g} * {budget:g}))")
            assert pair in expr, f"{rule['alert']}: expected {pair} in {expr}"
        assert rule["labels"]["severity"] == ("critical" if speed == "Fast" else "warning")
        assert rule["labels"]["alert_type"] == "slo", "SLO alerts must not reach the stock agent's webhook"


def test_each_recorded_ratio_uses_the_window_its_name_says() -> None:
    recorded = {r["record"]: r["expr"] for r in rules() if "record" in r}
    used = {name for r in rules() if "alert" in r for name in re.findall(r"slo:[a-z_:]+rate\w+", r["expr"])}
    assert used <= set(recorded), used - set(recorded)
    for name, expr in recorded.items():
        window = re.search(r"rate(\d+[mhd])$", name)
        if window:
            ranges = set(re.findall(r"\[(\w+)\]", expr))
            assert ranges == {window.group(1)}, f"{name} computes over {ranges}"
    # The objectives' scope: probes and unmatched paths never count; latency also leaves out chat.
    for name, expr in recorded.items():
        assert 'handler!~"/health|/ready|unmatched' in expr, name
        assert ("/api/v1/chat" in expr) == ("latency" in name), name


def test_the_stack_prometheus_loads_both_rule_files() -> None:
    config = yaml.safe_load((COMPOSE_DIR / "prometheus" / "prometheus.yml").read_text())
    assert {Path(p).name for p in config["rule_files"]} == {"rules.yml", "slo_rules.yml"}
