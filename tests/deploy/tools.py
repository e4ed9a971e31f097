"""Where the deploy checkers are: the tools venv that `make tools` builds (`.venv-tools`, or
$SEIKO_TOOLS_VENV), and the system binaries (kubectl, terraform). Missing tools fail the test with
the command that installs them; they are never skipped silently."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
TOOLS_VENV = Path(os.environ.get("SEIKO_TOOLS_VENV", ROOT / ".venv-tools"))
HERE = Path(__file__).resolve().parent


def tool(name: str) -> str:
    """A command from the tools venv (checkov, kubernetes-validate, check-jsonschema, python)."""
    path = TOOLS_VENV / "bin" / name
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make tools` (pip install -r tests/deploy/tools-requirements.txt)")
    return str(path)


def system_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"`{name}` is not on PATH; the deploy tests need it")
    return found


def run(args: list[str], *, cwd: Path = ROOT, check: bool = True,
        timeout: float = 300) -> subprocess.CompletedProcess[str]:
    # No downloads: checkov would otherwise try to reach its platform for guidelines and mappings.
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "LOG_LEVEL": "WARNING"}
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env, check=False)
    if check and result.returncode != 0:
        pytest.fail(f"{' '.join(args)} exited {result.returncode}\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}")
    return result


def helm_template(chart: Path, values_file: Path | None, *, release: str, namespace: str) -> list[dict[str, Any]]:
    """`helm template` through Helm's own SDK (helm-python-sdk in the tools venv): the documents, in order."""
    args = [tool("python"), str(HERE / "helm_render.py"), "template", str(chart), "--release", release,
            "--namespace", namespace]
    if values_file is not None:
        args += ["--values", str(values_file)]
    return [doc for doc in yaml.safe_load_all(run(args).stdout) if doc]


def helm_lint(chart: Path, values_file: Path, *, namespace: str, kube_version: str) -> dict[str, Any]:
    args = [tool("python"), str(HERE / "helm_render.py"), "lint", str(chart), "--values", str(values_file),
            "--namespace", namespace, "--kube-version", kube_version]
    report: dict[str, Any] = json.loads(run(args).stdout)
    return report


def checkov(target: Path, *, framework: str, config: Path, cwd: Path = ROOT) -> dict[str, Any]:
    """checkov on a folder with a config file (its skip list); the parsed JSON report of that framework."""
    result = run([tool("checkov"), "-d", str(target), "--framework", framework, "--config-file", str(config),
                  "--output", "json", "--skip-download", "--quiet"], cwd=cwd, check=False)
    if result.returncode not in (0, 1) or not result.stdout.strip().startswith(("{", "[")):
        pytest.fail(f"checkov did not run: rc={result.returncode}\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    reports = json.loads(result.stdout)
    for report in reports if isinstance(reports, list) else [reports]:
        if report.get("check_type") == framework:
            return dict(report)
    # checkov prints a bare summary when the framework found nothing to scan
    pytest.fail(f"checkov found nothing to scan for {framework} in {target}: {result.stdout[:2000]}")


def assert_checkov_clean(report: dict[str, Any], *, min_passed: int) -> None:
    """No failed check, no parsing error, and enough checks passed to show checkov really scanned."""
    summary = report["summary"]
    failed = [f"{c['check_id']} {c['resource']} ({c['file_path']})" for c in report["results"]["failed_checks"]]
    assert summary["failed"] == 0, "\n".join(failed)
    assert summary["passed"] > min_passed and summary["parsing_errors"] == 0, summary


def skip_list(config: Path) -> dict[str, str]:
    """The checkov skip list of a config file, each check id with the comment that gives its reason."""
    reasons: dict[str, str] = {}
    comment: list[str] = []
    in_list = False
    for line in config.read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("skip-check:"):
            in_list = True
            continue
        if in_list and stripped.startswith("#"):
            comment.append(stripped.lstrip("# "))
        elif in_list and stripped.startswith("- "):
            reasons[stripped[2:].split("#")[0].strip()] = " ".join(comment)
            comment = []
        elif in_list and stripped and not line.startswith((" ", "\t")):
            in_list = False
    return reasons
