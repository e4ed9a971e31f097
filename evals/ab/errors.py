"""Typed errors of the A/B evals, in the project's one error tree (stable `code`s)."""

from __future__ import annotations

from common.errors import NotFound


class EvalRunNotFound(NotFound):
    code = "eval_run_not_found"
    title = "Eval run not found"
