"""The Grafana dashboards: well-formed, valid PromQL (promtool), and every metric they (and the rule files)
query is really exported by the store: the real app is driven through orders, payments, chat (with a
fake Claude that also fails once, forcing a fallback) and a stock-agent run with ops decisions, then its
GET /metrics is parsed and every selector is checked against it, labels included."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import promql_parser
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from app.gauges import refresh_business_gauges
from tests.deploy.stack_tools import COMPOSE_DIR, ROOT, binary, run
from tests.fakes import anthropic_server as claude_fake
from tests.fix_app import ALERT_TOKEN, Users, build_test_app, make_settings, scrape, started

DASHBOARDS = sorted((COMPOSE_DIR / "grafana" / "dashboards").glob("*.json"))
DATASOURCES = COMPOSE_DIR / "grafana" / "provisioning" / "datasources" / "datasources.yml"
RULE_FILES = (ROOT / "alerts" / "rules.yml", ROOT / "alerts" / "slo_rules.yml")
# Series Prometheus makes itself, not the store: scrape health and the alerts it evaluates.
SYNTHETIC = {"up": {"job", "instance"}, "ALERTS": None}
# Labels Prometheus adds to every scraped series.
TARGET_LABELS = {"job", "instance"}
# Grafana's variables, as promtool cannot read them.
GRAFANA_VARIABLES = {"$__rate_interval": "1m", "$__interval": "1m", "$__range": "1d"}
# Promtail's labels for log lines (deploy/compose/promtail/promtail.yml).
LOG_LABELS = {"service", "container", "stream", "level"}


def load_dashboards() -> list[tuple[Path, dict[str, Any]]]:
    return [(path, json.loads(path.read_text())) for path in DASHBOARDS]


def panels(board: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for panel in board["panels"]:
        yield panel
        yield from panel.get("panels", [])


def prometheus_exprs() -> list[tuple[str, str]]:
    """(where, expr) for every Prometheus query of every dashboard, Grafana variables filled in."""
    found = []
    for path, board in load_dashboards():
        for panel in panels(board):
            for target in panel.get("targets", []):
                if target.get("datasource", panel.get("datasource", {})).get("type") == "prometheus":
                    expr = target["expr"]
                    for variable, value in GRAFANA_VARIABLES.items():
                        expr = expr.replace(variable, value)
                    found.append((f"{path.name}: {panel['title']}", expr))
    return found


def rule_exprs() -> list[tuple[str, str]]:
    return [(f"{path.name}: {rule.get('record') or rule.get('alert')}", rule["expr"])
            for path in RULE_FILES for group in yaml.safe_load(path.read_text())["groups"] for rule in group["rules"]]


def recorded() -> dict[str, set[str]]:
    """Recording rules' names with the labels they keep (their `by` clause)."""
    names: dict[str, set[str]] = {}
    for path in RULE_FILES:
        for group in yaml.safe_load(path.read_text())["groups"]:
            for rule in group["rules"]:
                if "record" in rule:
                    kept = re.findall(r"by \(([^)]*)\)", rule["expr"])
                    names[rule["record"]] = {label.strip() for k in kept for label in k.split(",")} - {"le"}
    return names


def selectors(expr: str) -> Iterator[tuple[str, list[tuple[str, str, str]]]]:
    """Every vector selector of a PromQL expression: (metric name, [(label, op, value)])."""
    stack: list[Any] = [promql_parser.parse(expr)]
    while stack:
        node = stack.pop()
        if isinstance(node, promql_parser.VectorSelector):
            matchers = [(m.name, str(m.op), m.value) for m in node.matchers.matchers]
            yield node.name or "", matchers
            continue
        for attr in ("lhs", "rhs", "expr", "param", "vector_selector"):
            child = getattr(node, attr, None)
            if child is not None and not isinstance(child, str | int | float):
                stack.append(child)
        stack.extend(getattr(node, "args", None) or [])


def groupings(expr: str) -> Iterator[tuple[list[str], list[str]]]:
    """Every `by (...)` aggregation: (its labels, the metric names it aggregates)."""
    stack: list[Any] = [promql_parser.parse(expr)]
    while stack:
        node = stack.pop()
        modifier = getattr(node, "modifier", None)
        if isinstance(node, promql_parser.AggregateExpr) and modifier is not None and "By" in str(modifier.type):
            yield list(modifier.labels), [name for name, _ in selectors(node.expr.prettify())]
        for attr in ("lhs", "rhs", "expr", "param", "vector_selector"):
            child = getattr(node, attr, None)
            if child is not None and not isinstance(child, str | int | float):
                stack.append(child)
        stack.extend(getattr(node, "args", None) or [])


# --- structure -----------------------------------------------------------------------------------------

def test_dashboards_are_well_formed_grafana_json() -> None:
    sources = {d["uid"]: d["type"] for d in yaml.safe_load(DATASOURCES.read_text())["datasources"]}
    uids = [board["uid"] for _, board in load_dashboards()]
    assert len(uids) == len(set(uids)) == len(DASHBOARDS) >= 4, uids
    for path, board in load_dashboards():
        assert board["title"] and board["schemaVersion"] >= 36 and board["panels"], path.name
        ids = [p["id"] for p in panels(board)]
        assert len(ids) == len(set(ids)), f"{path.name}: panel ids repeat"
        cells: set[tuple[int, int]] = set()
        for panel in panels(board):
            where = f"{path.name}: {panel.get('title')}"
            grid = panel["gridPos"]
            assert all(isinstance(grid[k], int) for k in ("x", "y", "w", "h")), where
            assert grid["x"] >= 0 and grid["x"] + grid["w"] <= 24 and grid["w"] > 0 and grid["h"] > 0, where
            covered = {(x, y) for x in range(grid["x"], grid["x"] + grid["w"])
                       for y in range(grid["y"], grid["y"] + grid["h"])}
            assert not covered & cells, f"{where} overlaps another panel"
            cells |= covered
            if panel["type"] == "row":
                continue
            assert panel["title"] and panel.get("description"), where
            source = panel["datasource"]
            assert sources.get(source["uid"]) == source["type"], f"{where}: unknown data source {source}"
            assert panel["targets"], f"{where} has no query"
            refs = [t["refId"] for t in panel["targets"]]
            assert len(refs) == len(set(refs)), where
            for target in panel["targets"]:
                assert target["datasource"] == source and target["expr"].strip(), where


def test_dashboards_cover_what_ops_and_engineering_watch() -> None:
    used = {path.name: {name for _, expr in prometheus_exprs() if expr and _.startswith(path.name)
                        for name, _m in selectors(expr)} for path in DASHBOARDS}
    assert {"http_requests_total", "http_request_duration_seconds_bucket", "up"} <= used["http-red.json"]
    assert {"orders_created_total", "orders_revenue_dollars_total", "watches_low_stock_total",
            "payment_failures_total"} <= used["business.json"]
    assert {"agent_decisions_total", "llm_fallbacks_total", "llm_tokens_total", "llm_cost_usd_total",
            "reorder_proposals"} <= used["ai-decisions.json"]
    assert {"slo:api_availability_errors:ratio_rate1h", "slo:api_latency_slow:ratio_rate1h",
            "slo:api_latency:p95_rate5m"} <= used["slo.json"]


def test_every_query_is_valid_promql_for_promtool(tmp_path: Path) -> None:
    """promtool checks the queries as recording rules (its PromQL parser is Prometheus's own)."""
    queries = prometheus_exprs()
    rules = {"groups": [{"name": "dashboards", "rules": [
        {"record": f"dashboard:query_{i}:check", "expr": expr} for i, (_, expr) in enumerate(queries)]}]}
    path = tmp_path / "dashboard_queries.yml"
    path.write_text(yaml.safe_dump(rules))
    assert f"SUCCESS: {len(queries)} rules found" in run(binary("promtool"), "check", "rules", str(path)).stdout


def test_log_panels_select_labels_promtail_sets() -> None:
    for path, board in load_dashboards():
        for panel in panels(board):
            for target in panel.get("targets", []):
                if target.get("datasource", {}).get("type") == "loki":
                    stream = re.match(r"\{([^}]*)\}", target["expr"])
                    assert stream, target["expr"]
                    labels = {m.split("=")[0].rstrip("!~").strip() for m in stream.group(1).split(",")}
                    assert labels <= LOG_LABELS, f"{path.name}: {panel['title']} selects {labels - LOG_LABELS}"


def test_queries_select_only_jobs_prometheus_scrapes() -> None:
    jobs = {j["job_name"] for j in yaml.safe_load((COMPOSE_DIR / "prometheus" / "prometheus.yml").read_text())[
        "scrape_configs"]}
    for where, expr in prometheus_exprs() + rule_exprs():
        for _, matchers in selectors(expr):
            for label, op, value in matchers:
                if label == "job":
                    named = value.split("|") if "Re" in op else [value]
                    assert set(named) <= jobs, f"{where}: job {value} is not scraped"


# --- every metric really exported ------------------------------------------------------------------------

@pytest.fixture
async def exported(db_url: str) -> dict[str, set[str]]:
    """Drive the real app through the paths that move every metric, then read its /metrics:
    {sample name: label names}."""
    with claude_fake.running_anthropic_fake() as claude:
        claude.script(claude_fake.Reply.text_reply("The SRPD55K1 is a fine automatic diver."),
                      claude_fake.Reply.text_reply("Try the SRPD55K1."),
                      claude_fake.Reply.fault("500"))  # the stock agent's call fails: fallback to offline
        settings = make_settings(db_url, ANTHROPIC_API_KEY="test-key", ANTHROPIC_BASE_URL=claude.url,
                                 SEIKO_LLM_MAX_ATTEMPTS=1)
        async for app in started(build_test_app(settings)):
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://store.test") as c:
                await drive(app, c, Users(c))
                async with app.state.pool.connection() as conn:  # what the scheduled refresh does
                    await refresh_business_gauges(conn)
                text = scrape()
    samples: dict[str, set[str]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples.setdefault(sample.name, set()).update(sample.labels)
    return samples


async def drive(app: Any, client: httpx.AsyncClient, users: Users) -> None:
    page = (await client.get("/api/v1/watches", params={"limit": 100, "in_stock": "true"})).json()
    reference = page["items"][0]["reference"]
    assert (await client.get(f"/api/v1/watches/{reference}")).status_code == 200
    assert (await client.get("/api/v1/search", params={"q": "automatic diver"})).status_code == 200
    customer = await users.customer()
    for outcome in ("succeeded", "failed"):
        order = await client.post("/api/v1/orders", json={"items": [{"reference": reference, "quantity": 1}]},
                                  headers=customer)
        assert order.status_code == 201, order.text
        paid = await client.post(f"/api/v1/orders/{order.json()['id']}/payment/simulate", json={"outcome": outcome},
                                 headers=customer)
        assert paid.status_code == 200, paid.text
    chat = await client.post("/api/v1/chat", json={"message": "an automatic diver?"})
    assert chat.status_code == 200 and chat.json()["provider"] == "claude", chat.text
    streamed = await client.post("/api/v1/chat", json={"message": "and a cheaper one?"},
                                 headers={"Accept": "text/event-stream"})
    assert streamed.status_code == 200 and "event: done" in streamed.text, streamed.text
    alert = {"version": "4", "status": "firing", "receiver": "seiko-stock-agent", "groupKey": "k",
             "truncatedAlerts": 0, "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {}, "externalURL": "",
             "alerts": [{"status": "firing", "fingerprint": "dashfp01", "startsAt": "2026-11-25T09:00:00Z",
                         "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "", "annotations": {},
                         "labels": {"alertname": "WatchesLowStock", "alert_type": "stock"}}]}
    hook = await client.post("/api/v1/alerts/alertmanager", json=alert,
                             headers={"Authorization": f"Bearer {ALERT_TOKEN}"})
    assert hook.status_code == 202, hook.text
    assert await app.state.worker.run_once()
    ops = await users.ops()
    pending = (await client.get("/api/v1/ops/reorders", params={"status": "pending"}, headers=ops)).json()["items"]
    assert len(pending) >= 2, "the seeded catalog has several watches below their reorder point"
    assert (await client.post(f"/api/v1/ops/reorders/{pending[0]['id']}/approve", headers=ops)).status_code == 200
    assert (await client.post(f"/api/v1/ops/reorders/{pending[1]['id']}/reject", json={"reason": "discontinued"},
                              headers=ops)).status_code == 200


@pytest.mark.integration
async def test_every_metric_queried_is_exported_with_its_labels(exported: dict[str, set[str]]) -> None:
    rules = recorded()
    problems = []
    for where, expr in prometheus_exprs() + rule_exprs():
        for name, matchers in selectors(expr):
            labels = {label for label, _, _ in matchers} - {"__name__"}
            if name in SYNTHETIC:
                known = SYNTHETIC[name]
            elif name in rules:
                known = rules[name] | TARGET_LABELS
            elif name in exported:
                known = exported[name] | TARGET_LABELS
            else:
                problems.append(f"{where}: {name} is not exported by the store (nor recorded by a rule)")
                continue
            if known is not None and not labels <= known:
                problems.append(f"{where}: {name} has no label(s) {sorted(labels - known)}")
        for by, names in groupings(expr):
            known = set().union(*(rules.get(n) or exported.get(n) or set() for n in names)) | TARGET_LABELS
            if not set(by) <= known:
                problems.append(f"{where}: grouped by {sorted(set(by) - known)}, which {names} do not carry")
    assert not problems, "\n".join(problems)
    # The new gauge carries every status, so the approval-rate panels never divide by a missing series.
    assert "reorder_proposals" in exported and exported["reorder_proposals"] == {"status"}
