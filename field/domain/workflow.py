"""The state machine of a finding: the only place where a status move is decided.

It is pure (no database), so every legal and illegal move can be tested in isolation; the
services in `field.services.signoff` and `field.services.findings` ask it before they write anything.

    pending ──verify(不属实)──────────────► awaiting_signoff ──sign──► unfounded
    pending ──verify(属实…)──► rectifying ──submit──► awaiting_signoff ──sign──► public_notice ──► closed
                                  ▲                         │ return (reason)        │ objection (reason)
                                  └─────────────────────────┴────────────────────────┘
    closed / unfounded ──recheck(反弹)──► reopened ──verify…  (closure history is kept)
"""

from __future__ import annotations

from dataclasses import dataclass

from field.domain.errors import ConflictError

EVENTS = ("verify", "start_rectification", "submit", "sign", "return", "end_notice", "object", "recheck")

# The statuses each event may start from: the one table behind every "is this move legal?" and
# every "may the UI offer this action?" question (guards below may still refuse for a reason).
FROM: dict[str, frozenset[str]] = {
    "verify": frozenset({"pending", "reopened"}),
    "start_rectification": frozenset({"pending", "reopened"}),
    "submit": frozenset({"rectifying"}),
    "sign": frozenset({"awaiting_signoff"}),
    "return": frozenset({"awaiting_signoff"}),
    "end_notice": frozenset({"public_notice"}),
    "object": frozenset({"public_notice"}),
    "recheck": frozenset({"closed", "unfounded"}),
}

# A verification record (核查记录) is written when a finding is first checked (verify) or when its
# rectification is reported done (submit): these statuses accept one.
VERIFIABLE: frozenset[str] = FROM["verify"] | FROM["submit"]


def can_verify(status: str) -> bool:
    return status in VERIFIABLE


@dataclass(frozen=True)
class Context:
    """Facts the guards need; the services fill it from the database."""

    truthfulness: str | None = None  # of the verification record concerned
    has_after_photos: bool = False
    reason: str = ""
    rebound: bool = False  # re-inspection result
    notice_over: bool = False  # the 公示 period has ended
    notice_days: int = 10


class IllegalTransition(ConflictError):
    pass


def _unfounded(ctx: Context) -> bool:
    return ctx.truthfulness == "false"


def next_status(status: str, event: str, ctx: Context | None = None) -> str:
    """Return the new status, or raise IllegalTransition / ConflictError with a message key."""
    ctx = ctx or Context()
    if event not in EVENTS:
        raise IllegalTransition("workflow.unknown_event", event=event)

    if status not in FROM[event]:
        raise IllegalTransition("workflow.illegal", status=status, event=event)

    if event == "verify":
        if ctx.truthfulness is None:
            raise ConflictError("workflow.need_truthfulness", field="truthfulness")
        return "awaiting_signoff" if _unfounded(ctx) else "rectifying"
    if event == "start_rectification":
        return "rectifying"
    if event == "submit":
        if not _unfounded(ctx) and not ctx.has_after_photos:
            raise ConflictError("workflow.need_after_photos", field="photos")
        return "awaiting_signoff"
    if event == "sign":
        if _unfounded(ctx):
            return "unfounded"
        if not ctx.has_after_photos:
            raise ConflictError("workflow.need_after_photos", field="photos")
        return "public_notice" if ctx.notice_days > 0 else "closed"
    if event == "return":
        if not ctx.reason.strip():
            raise ConflictError("workflow.need_reason", field="reason")
        return "pending" if _unfounded(ctx) else "rectifying"
    if event == "end_notice":
        if not ctx.notice_over:
            raise ConflictError("workflow.notice_running")
        return "closed"
    if event == "object":
        if not ctx.reason.strip():
            raise ConflictError("workflow.need_reason", field="reason")
        return "rectifying"
    # recheck
    if ctx.rebound and not ctx.reason.strip():
        raise ConflictError("workflow.need_reason", field="reason")
    return "reopened" if ctx.rebound else status


def allowed_events(status: str) -> list[str]:
    """Events that are legal from a status in principle (guards may still refuse)."""
    return [event for event in EVENTS if status in FROM[event]]
