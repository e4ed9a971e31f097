"""A few seconds of the load test, end to end: load/run.py starts a fresh `seiko serve` (embedded database),
runs locust's smoke profile against it and reports. Every request must succeed; timings are printed by
`make load`, never asserted."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.deploy.stack_tools import ROOT, run

pytestmark = pytest.mark.integration


def test_a_short_smoke_run_has_no_failures(tmp_path: Path) -> None:
    out = tmp_path / "load.json"
    done = run(sys.executable, str(ROOT / "load" / "run.py"), "--profile", "smoke", "--run-time", "6s",
               "--users", "6", "--spawn-rate", "6", "--json", str(out), timeout=420, ok=False)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-6000:]
    (result,) = json.loads(out.read_text())
    assert result["profile"] == "smoke" and result["ok"]
    total = result["total"]
    assert total["requests"] > 10 and total["failures"] == 0, result
    # Every shopper starts on the catalog; which tasks follow in six seconds is up to chance.
    names = {row["name"] for row in result["endpoints"]}
    assert "GET /api/v1/watches" in names, names
    assert all(name.split()[1].startswith("/api/v1/") for name in names), "requests are named by route template"
    assert "PASS" in done.stdout and "p95" in done.stdout
