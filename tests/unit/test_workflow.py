"""The state machine alone: every status × event, legal and illegal."""

from __future__ import annotations

import pytest

from field.domain import workflow
from field.domain.errors import ConflictError
from field.domain.vocab import STATUS
from field.domain.workflow import Context, IllegalTransition, next_status

OK = Context(truthfulness="true", has_after_photos=True, reason="why", notice_over=True, rebound=False)

LEGAL = {
    ("pending", "verify"): "rectifying",
    ("reopened", "verify"): "rectifying",
    ("pending", "start_rectification"): "rectifying",
    ("reopened", "start_rectification"): "rectifying",
    ("rectifying", "submit"): "awaiting_signoff",
    ("awaiting_signoff", "sign"): "public_notice",
    ("awaiting_signoff", "return"): "rectifying",
    ("public_notice", "end_notice"): "closed",
    ("public_notice", "object"): "rectifying",
    ("closed", "recheck"): "closed",
    ("unfounded", "recheck"): "unfounded",
}


@pytest.mark.parametrize("status", STATUS.codes)
@pytest.mark.parametrize("event", workflow.EVENTS)
def test_every_status_event_pair(status: str, event: str) -> None:
    expected = LEGAL.get((status, event))
    if expected is None:
        with pytest.raises(IllegalTransition) as info:
            next_status(status, event, OK)
        assert info.value.key == "workflow.illegal"
    else:
        assert next_status(status, event, OK) == expected


def test_unfounded_path() -> None:
    ctx = Context(truthfulness="false")
    assert next_status("pending", "verify", ctx) == "awaiting_signoff"
    assert next_status("awaiting_signoff", "sign", ctx) == "unfounded"
    assert next_status("awaiting_signoff", "return", Context(truthfulness="false", reason="recheck")) == "pending"


def test_guards() -> None:
    with pytest.raises(ConflictError) as e:
        next_status("rectifying", "submit", Context(truthfulness="true", has_after_photos=False))
    assert e.value.key == "workflow.need_after_photos"
    with pytest.raises(ConflictError) as e:
        next_status("awaiting_signoff", "return", Context(truthfulness="true", reason="   "))
    assert e.value.key == "workflow.need_reason"
    with pytest.raises(ConflictError) as e:
        next_status("public_notice", "end_notice", Context(notice_over=False))
    assert e.value.key == "workflow.notice_running"
    with pytest.raises(ConflictError) as e:
        next_status("pending", "verify", Context())
    assert e.value.key == "workflow.need_truthfulness"
    with pytest.raises(ConflictError):
        next_status("closed", "recheck", Context(rebound=True, reason=""))


def test_rebound_reopens_and_no_notice_closes_at_once() -> None:
    assert next_status("closed", "recheck", Context(rebound=True, reason="堆场又露天")) == "reopened"
    assert next_status("awaiting_signoff", "sign", Context(truthfulness="true", has_after_photos=True,
                                                           notice_days=0)) == "closed"


def test_unknown_event() -> None:
    with pytest.raises(IllegalTransition) as e:
        next_status("pending", "teleport")
    assert e.value.key == "workflow.unknown_event"


def test_allowed_events_match_the_table() -> None:
    for status in STATUS.codes:
        assert set(workflow.allowed_events(status)) == {e for (s, e) in LEGAL if s == status}
