"""The GitHub workflows and Dependabot configuration in .github: valid against GitHub's schemas
(check-jsonschema's vendored copies), free of zizmor's and checkov's security findings, and doing
what they promise (lint, tests with coverage through .ci/run, an image from the Containerfile pushed
to GHCR by SHA and scanned by Trivy, checkov on the IaC)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.tools import ROOT, run, tool

GITHUB = ROOT / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def load(path: Path) -> dict[str, Any]:
    doc: dict[Any, Any] = yaml.safe_load(path.read_text())
    # YAML 1.1 reads the key `on` as True.
    return {("on" if key is True else key): value for key, value in doc.items()}


@pytest.fixture(scope="module")
def workflows() -> dict[str, dict[str, Any]]:
    found = {path.stem: load(path) for path in WORKFLOWS}
    assert set(found) == {"ci", "image", "iac"}
    return found


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def step_using(workflow: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [s for s in steps(workflow) if s.get("uses", "").startswith(action + "@")]


# --- real tools --------------------------------------------------------------------------------

def test_workflows_match_githubs_schema() -> None:
    run([tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS)])


def test_dependabot_matches_githubs_schema() -> None:
    run([tool("check-jsonschema"), "--builtin-schema", "vendor.dependabot", str(GITHUB / "dependabot.yml")])


def test_the_schema_check_catches_mistakes(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("name: x\non: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    stepz: []\n")
    result = run([tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(broken)], check=False)
    assert result.returncode == 1


def test_zizmor_finds_nothing() -> None:
    """Template injection, excessive permissions, unpinned actions, credential persistence, cooldowns."""
    result = run([tool("zizmor"), "--offline", "--persona", "auditor", str(GITHUB)], check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_checkov_finds_nothing_in_the_workflows() -> None:
    result = run([tool("checkov"), "-d", str(GITHUB), "--framework", "github_actions", "--skip-download",
                  "--compact", "--quiet"], check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"Passed checks: [1-9]\d*, Failed checks: 0", result.stdout), result.stdout


# --- hygiene -----------------------------------------------------------------------------------

def test_every_action_is_pinned_by_commit(workflows: dict[str, dict[str, Any]]) -> None:
    for name, path in zip(workflows, WORKFLOWS, strict=True):
        text = path.read_text()
        for step in steps(workflows[name]):
            if "uses" in step:
                assert PINNED.match(step["uses"]), f"{name}: {step['uses']} is not pinned to a commit"
                assert re.search(re.escape(step["uses"]) + r" # v\d", text), f"{name}: say which version"


def test_permissions_are_least(workflows: dict[str, dict[str, Any]]) -> None:
    for name, workflow in workflows.items():
        assert workflow["permissions"] in ({}, {"contents": "read"}), name
        for job_name, job in workflow["jobs"].items():
            assert 0 < job["timeout-minutes"] <= 90, f"{name}.{job_name}"
            granted = {k for k, v in job.get("permissions", {}).items() if v == "write"}
            allowed = {"image": {"packages", "security-events"}, "iac": {"security-events"}}.get(name, set())
            assert granted <= allowed, f"{name}.{job_name}: {granted}"
        for step in steps(workflow):
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False


def test_no_expression_is_pasted_into_a_script(workflows: dict[str, dict[str, Any]]) -> None:
    """Values reach scripts through env, never as text spliced into the shell (template injection)."""
    for name, workflow in workflows.items():
        for step in steps(workflow):
            assert "${{" not in step.get("run", ""), f"{name}: {step.get('name')}"


# --- what each workflow does ---------------------------------------------------------------------

def test_ci_lints_types_and_tests_with_coverage(workflows: dict[str, dict[str, Any]]) -> None:
    ci = workflows["ci"]
    assert {"push", "pull_request"} <= set(ci["on"])
    makefile = (ROOT / "Makefile").read_text()
    torch = re.search(r"^TORCH \?= (\S+)$", makefile, re.MULTILINE)
    assert torch and ci["env"]["TORCH"] == torch.group(1), "the same torch as the Makefile"
    assert ci["env"]["TORCH_INDEX"] == "https://download.pytorch.org/whl/cpu"
    for job in ci["jobs"].values():
        scripts = [s.get("run", "") for s in job["steps"]]
        first_install = next(i for i, s in enumerate(scripts) if "pip install" in s or "make " in s or ".ci/run" in s)
        assert '"$TORCH" --index-url "$TORCH_INDEX"' in scripts[first_install], "torch (CPU) goes in first"
    lint = "\n".join(s.get("run", "") for s in ci["jobs"]["lint"]["steps"])
    assert "make lint typecheck" in lint and re.search(r"^lint:", makefile, re.MULTILINE)
    test = ci["jobs"]["test"]
    assert any(s.get("run") == "bash .ci/run" for s in test["steps"]), "the project's own CI script"
    addopts = next(s["env"]["PYTEST_ADDOPTS"] for s in test["steps"] if s.get("run") == "bash .ci/run")
    assert "--cov=app" in addopts and "--cov-report=xml:coverage.xml" in addopts
    assert "pytest-cov" in "\n".join(s.get("run", "") for s in test["steps"])
    assert test["container"].startswith("python:3.11-"), "Debian with Python 3.11, as root, like .ci/run expects"


def test_image_is_built_from_the_containerfile_pushed_by_sha_and_scanned(
        workflows: dict[str, dict[str, Any]]) -> None:
    image = workflows["image"]
    build = step_using(image, "docker/build-push-action")[0]["with"]
    assert build["file"] == "Containerfile" and (ROOT / "Containerfile").is_file()
    assert build["push"] == "${{ github.event_name != 'pull_request' }}"
    meta = step_using(image, "docker/metadata-action")[0]["with"]
    assert meta["images"] == "${{ steps.name.outputs.image }}"
    assert "type=sha,prefix=sha-,format=short" in meta["tags"]
    name_step = next(s for s in steps(image) if s.get("id") == "name")
    assert "ghcr.io/${GITHUB_REPOSITORY,,}" in name_step["run"]
    login = step_using(image, "docker/login-action")[0]["with"]
    assert login["registry"] == "ghcr.io"
    scans = step_using(image, "aquasecurity/trivy-action")
    assert {s["with"]["image-ref"] for s in scans} == {"${{ steps.ref.outputs.ref }}"}
    ref = next(s for s in steps(image) if s.get("id") == "ref")
    assert ref["env"]["DIGEST"] == "${{ steps.build.outputs.digest }}", "scan the digest that was pushed"
    assert {s["with"]["exit-code"] for s in scans} == {"0", "1"}, "report everything, fail on fixable CRITICAL"
    assert step_using(image, "github/codeql-action/upload-sarif")[0]["with"]["sarif_file"] == "trivy.sarif"


def test_iac_runs_checkov_with_the_reviewed_skip_lists(workflows: dict[str, dict[str, Any]]) -> None:
    scripts = "\n".join(s.get("run", "") for s in steps(workflows["iac"]))
    for config in re.findall(r"--config-file (\S+)", scripts):
        assert (ROOT / config).is_file(), config
    assert "--config-file deploy/k8s/.checkov.yaml" in scripts
    assert "--config-file deploy/terraform/.checkov.yaml" in scripts
    assert "--framework github_actions" in scripts
    assert "terraform fmt -check -recursive -diff deploy/terraform" in scripts
    envs = {p.stem.removeprefix("values-") for p in (ROOT / "deploy/k8s/seiko-store").glob("values-*.yaml")}
    loop = re.search(r"for env in ([\w ]+); do", scripts)
    assert loop and set(loop.group(1).split()) == envs, "lint and render every environment"
    assert "make tools" in scripts, "the same pinned checkers as the tests"
    # checkov writes each SARIF report to the file named after "console,"; each is uploaded.
    reports = set(re.findall(r"--output-file-path console,(\S+)", scripts))
    uploaded = {s["with"]["sarif_file"] for s in step_using(workflows["iac"], "github/codeql-action/upload-sarif")}
    assert reports == uploaded and len(reports) == 3


def test_dependabot_watches_every_ecosystem() -> None:
    config = yaml.safe_load((GITHUB / "dependabot.yml").read_text())
    by_ecosystem: dict[str, list[str]] = {}
    for update in config["updates"]:
        by_ecosystem.setdefault(update["package-ecosystem"], []).append(update["directory"])
        assert (ROOT / update["directory"].lstrip("/")).is_dir(), update["directory"]
        assert update["cooldown"]["default-days"] >= 7
    assert {"pip", "github-actions", "docker"} <= set(by_ecosystem)
    assert "/" in by_ecosystem["pip"] and "/tests/deploy" in by_ecosystem["pip"]
    assert (ROOT / "Containerfile").is_file() and "/" in by_ecosystem["docker"]
