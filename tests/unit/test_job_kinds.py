"""Job kinds: each has a spec whose payload names it, and failures back off exponentially up to the kind's
attempts, except those another attempt would only repeat."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from procrastinate.jobs import Job
from pydantic import ValidationError

from jobs.kinds import QUEUES, SPECS, JobKind, ProposalNotification, StockAgentRun
from jobs.models import PermanentJobError
from jobs.queue import retry_strategy


def test_every_kind_has_a_spec_whose_payload_is_that_kind() -> None:
    assert set(SPECS) == set(JobKind)
    for kind, spec in SPECS.items():
        assert spec.payload.kind is kind
        assert spec.max_attempts >= 2 and spec.backoff_s >= 1
    assert QUEUES == ["agent", "events", "maintenance", "notify"]


def test_payloads_round_trip_through_the_jobs_json_arguments_and_refuse_strangers() -> None:
    note = ProposalNotification(decision_id=uuid.uuid4())
    assert ProposalNotification.model_validate(note.model_dump(mode="json")) == note
    run = StockAgentRun(trigger="alert:fp", alert={"fingerprint": "fp", "labels": {"a": "b"}})
    assert StockAgentRun.model_validate(run.model_dump(mode="json")) == run
    with pytest.raises(ValidationError):
        StockAgentRun.model_validate({"trigger": "x", "unexpected": 1})


def job(attempts: int) -> Job:
    return Job(queue="agent", lock=None, queueing_lock=None, task_name="stock_agent", attempts=attempts)


@pytest.mark.parametrize("kind", list(JobKind))
def test_failures_back_off_exponentially_until_the_last_attempt(kind: JobKind) -> None:
    spec = SPECS[kind]
    strategy = retry_strategy(spec)
    for attempts in range(spec.max_attempts - 1):  # attempts already made before this failure
        before = datetime.now(UTC)
        decision = strategy.get_retry_decision(exception=RuntimeError("down"), job=job(attempts))
        after = datetime.now(UTC)
        assert decision is not None and decision.retry_at is not None
        wait = timedelta(seconds=spec.backoff_s ** (attempts + 1))
        assert before + wait <= decision.retry_at <= after + wait
    assert strategy.get_retry_decision(exception=RuntimeError("down"), job=job(spec.max_attempts - 1)) is None


def test_a_permanent_failure_is_never_retried() -> None:
    strategy = retry_strategy(SPECS[JobKind.stock_agent])
    assert strategy.get_retry_decision(exception=PermanentJobError("deadline"), job=job(0)) is None
