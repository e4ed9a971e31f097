"""The README's A/B eval walk-through runs as written on a fresh store.

The commands between the `walkthrough` markers of README.md run one by one in bash, `seiko` being
`.venv/bin/python -m app`, with SEIKO_DATA_DIR in a temporary folder (a fresh embedded store) and no
provider keys: the offline policy answers, so every step succeeds and the gate then refuses to
promote, saying that no case read the prompt."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
_DROPPED_ENV = ("DATABASE_URL", "TEST_DATABASE_URL", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "OLLAMA_HOST",
                "LANGFUSE_PUBLIC_KEY", "LANGFUSE_SECRET_KEY", "LANGFUSE_HOST", "SEIKO_PRICING_FILE")


def walkthrough_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- walkthrough:start -->\s*```sh\n(.*?)```\s*<!-- walkthrough:end -->", readme, re.S)
    assert found, "README.md has no walkthrough block"
    return [line for line in found.group(1).splitlines() if line.strip() and not line.startswith("#")]


def test_the_readme_walkthrough_runs_and_the_gate_refuses_offline_evidence(tmp_path: Path) -> None:
    commands = walkthrough_commands()
    assert [c.split()[:3] for c in commands if c.startswith("seiko")] == [
        ["seiko", "prompts", "add"], ["seiko", "evals", "run"], ["seiko", "prompts", "promote"]]
    python = ROOT / ".venv" / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED_ENV}
    env.update(SEIKO_DATA_DIR=str(tmp_path / "data"), SEIKO_INDEX_ON_START="false",
               PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p))
    # Run outside the checkout (a developer's .env cannot switch a provider on) with its prompts beside.
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "prompts").symlink_to(ROOT / "prompts")
    seiko = f'seiko() {{ "{python if python.exists() else sys.executable}" -m app "$@"; }}\n'
    outcomes = []
    for command in commands:
        done = subprocess.run(["bash", "-c", seiko + command], cwd=run_dir, env=env, capture_output=True,
                              text=True, timeout=600, check=False)
        outcomes.append((command, done.returncode, done.stdout + done.stderr))
    *steps, (last, status, said) = outcomes
    for command, code, output in steps:
        assert code == 0, f"{command!r} failed ({code}):\n{output}"
    added, ran = steps[-2][2], steps[-1][2]
    assert "stock_agent_system: candidate -> version 2" in added
    assert "inconclusive: no case read the prompt" in ran and "Traceback" not in ran
    report = re.search(r"report: (\S+\.html)", ran)
    assert report and Path(report.group(1)).is_file()
    assert status == 1, f"{last!r} should refuse:\n{said}"
    assert "error: refused to promote run" in said and "no case read the prompt" in said
    assert "Traceback" not in said
