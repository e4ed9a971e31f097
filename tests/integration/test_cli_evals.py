"""`seiko prompts add`, `seiko evals run|rescore` and `seiko prompts promote` as an engineer types
them: one `error:` line and exit status 1 for every mistake, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
_DROPPED_ENV = ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "OLLAMA_HOST", "LANGFUSE_PUBLIC_KEY",
                "LANGFUSE_SECRET_KEY", "LANGFUSE_HOST", "SEIKO_PRICING_FILE")


def seiko(db_url: str, tmp_path: Path, *args: str) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED_ENV}
    env.update(DATABASE_URL=db_url, SEIKO_DATA_DIR=str(tmp_path / "data"), SEIKO_INDEX_ON_START="false",
               PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p))
    done = subprocess.run([sys.executable, "-m", "app", *args], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    return done.returncode, done.stdout + done.stderr


def error_line(output: str) -> str:
    assert "Traceback" not in output, output
    lines = [line for line in output.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, output
    return lines[0]


def test_evals_run_without_a_candidate_says_how_to_make_one(db_url: str, tmp_path: Path) -> None:
    """The README's command crashed here with `PromptNotFound: no label 'candidate'`."""
    code, output = seiko(db_url, tmp_path, "evals", "run", "--suite", "stock")
    assert code == 1
    assert error_line(output) == ("error: Prompt 'stock_agent_system' has no label 'candidate'. Create one with: "
                                  "seiko prompts add stock_agent_system FILE --label candidate")


def test_prompts_add_stores_a_version_and_labels_it(db_url: str, tmp_path: Path) -> None:
    source = (ROOT / "prompts/templates/stock_agent_system.jinja2").read_text() + "\nBe brief.\n"
    (tmp_path / "cand.jinja2").write_text(source)
    code, output = seiko(db_url, tmp_path, "prompts", "add", "stock_agent_system", "cand.jinja2", "--label",
                         "candidate")
    assert code == 0, output
    assert "stock_agent_system: candidate -> version 2" in output
    code, output = seiko(db_url, tmp_path, "prompts", "list")
    assert code == 0 and "candidate=2" in output and "production=1" in output


@pytest.mark.parametrize(("args", "expected"), [
    (["prompts", "add", "stock_agent_system", "missing.jinja2"], "error: no such file: missing.jinja2"),
    (["prompts", "add", "stock_agent_sytem", "bad.jinja2"],
     "error: no prompt named 'stock_agent_sytem'; known prompts: shopper_assistant_system, stock_agent_system"),
    (["prompts", "add", "stock_agent_system", "bad.jinja2"], "error: Prompt stock_agent_system: Template syntax"),
    (["prompts", "add", "stock_agent_system", "good.jinja2", "--label", "Bad Label"],
     "error: Label 'Bad Label' must match"),
    (["evals", "run", "--suite", "stok"], "error: no suite 'stok': use --suite stock or --suite shopper"),
    (["evals", "rescore", "00000000-0000-0000-0000-000000000000"],
     "error: No eval run 00000000-0000-0000-0000-000000000000"),
    (["evals", "rescore", "yesterday"], "error: not a run id: 'yesterday'"),
    (["prompts", "promote", "--run", "nope"], "error: not a run id: 'nope'"),
    (["prompts", "promote", "--run", "latest"], "error: no eval run yet"),
])
def test_mistakes_get_one_clear_line(db_url: str, tmp_path: Path, args: list[str], expected: str) -> None:
    (tmp_path / "bad.jinja2").write_text("{% if x %}never closed")
    (tmp_path / "good.jinja2").write_text("A fine prompt.\n")
    code, output = seiko(db_url, tmp_path, *args)
    assert code == 1
    assert error_line(output).startswith(expected)


def test_rescore_and_promote_from_the_command_line(db_url: str, tmp_path: Path) -> None:
    (tmp_path / "cand.jinja2").write_text("Check the low-stock list, then order what is needed.\n")
    assert seiko(db_url, tmp_path, "prompts", "add", "stock_agent_system", "cand.jinja2", "--label",
                 "candidate")[0] == 0
    code, output = seiko(db_url, tmp_path, "evals", "run", "--suite", "stock", "--repetitions", "1")
    assert code == 0, output
    run_id = output.split("run ", 1)[1].split(":", 1)[0]
    code, output = seiko(db_url, tmp_path, "evals", "rescore", run_id)
    assert code == 0, output
    assert "rescored" in output and "inconclusive: no case read the prompt" in output
    code, output = seiko(db_url, tmp_path, "prompts", "promote", "--run", run_id)
    assert code == 1
    assert error_line(output).startswith(f"error: refused to promote run {run_id} (inconclusive): no case read")
