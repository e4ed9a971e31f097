"""The alerting files are valid for the real tools: promtool checks and unit-tests the rules, amtool
checks the routing and that stock alerts reach the store's webhook.

Nothing here is skipped: `make test` installs the Debian packages `prometheus` and `prometheus-alertmanager`
(the `system` step), so a missing binary is a failure that says what to install."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
ALERTS = ROOT / "alerts"
WEBHOOK_PATH = "/api/v1/alerts/alertmanager"


def tool(name: str) -> str:
    path = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None)
    if path is None:
        pytest.fail(f"`{name}` not found: install the Debian packages with "
                    "`apt-get install -y prometheus prometheus-alertmanager` (`make test` does this as root)")
    return path


def run(*args: str) -> str:
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=60)
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"{' '.join(args)} exited {done.returncode}:\n{output}"
    return output


def test_promtool_accepts_the_rules() -> None:
    output = run(tool("promtool"), "check", "rules", "alerts/rules.yml")
    assert "SUCCESS" in output


def test_promtool_rule_unit_tests_pass() -> None:
    output = run(tool("promtool"), "test", "rules", "alerts/rules_test.yml")
    assert "SUCCESS" in output


def test_rules_define_the_documented_alerts() -> None:
    groups = yaml.safe_load((ALERTS / "rules.yml").read_text())["groups"]
    rules = {r["alert"]: r for g in groups for r in g["rules"] if "alert" in r}
    assert {"WatchesLowStock", "HighErrorRate", "BackendDown", "PaymentFailureSpike"} <= set(rules)
    low = rules["WatchesLowStock"]
    assert low["expr"].strip().startswith("watches_low_stock_total >")
    assert low["labels"] == {"severity": "warning", "team": "ops", "alert_type": "stock"}
    assert rules["HighErrorRate"]["labels"]["severity"] == "critical"
    assert 'up{job="seiko-api"} == 0' in rules["BackendDown"]["expr"]


def test_amtool_accepts_the_routing(tmp_path: Path) -> None:
    # The shipped file as it is...
    run(tool("amtool"), "check-config", "alerts/alertmanager.yml")
    # ...and as a deployment runs it, with the token in an existing credentials file.
    config = yaml.safe_load((ALERTS / "alertmanager.yml").read_text())
    token = tmp_path / "token"
    token.write_text("not-a-real-token")
    for receiver in config["receivers"]:
        for hook in receiver.get("webhook_configs", []):
            hook["http_config"]["authorization"]["credentials_file"] = str(token)
    copy = tmp_path / "alertmanager.yml"
    copy.write_text(yaml.safe_dump(config, sort_keys=False))
    output = run(tool("amtool"), "check-config", str(copy))
    assert "SUCCESS" in output


def test_stock_alerts_route_to_the_store_webhook_with_a_bearer_token_from_a_file() -> None:
    amtool = tool("amtool")
    config_flag = "--config.file=alerts/alertmanager.yml"
    stock = run(amtool, "config", "routes", "test", config_flag, "alertname=WatchesLowStock", "alert_type=stock")
    assert stock.splitlines()[0].strip() == "seiko-stock-agent", stock
    other = run(amtool, "config", "routes", "test", config_flag, "alertname=HighErrorRate",
                "alert_type=availability", "severity=critical")
    assert other.splitlines()[0].strip() == "default", other

    config = yaml.safe_load((ALERTS / "alertmanager.yml").read_text())
    receiver = next(r for r in config["receivers"] if r["name"] == "seiko-stock-agent")
    (hook,) = receiver["webhook_configs"]
    assert hook["url"].endswith(WEBHOOK_PATH)
    assert hook["send_resolved"] is True
    auth = hook["http_config"]["authorization"]
    assert auth["type"] == "Bearer"
    assert auth.get("credentials_file") and "credentials" not in auth, "the token must not be inline"
