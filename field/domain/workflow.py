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

    def illegal() -> IllegalTransition:
        return IllegalTransition("workflow.illegal", status=status, event=event)

    if event == "verify":
        if status not in ("pending", "reopened"):
            raise illegal()
        if ctx.truthfulness is None:
            raise ConflictError("workflow.need_truthfulness", field="truthfulness")
        return "awaiting_signoff" if _unfounded(ctx) else "rectifying"
    if event == "start_rectification":
        if status not in ("pending", "reopened"):
            raise illegal()
        return "rectifying"
    if event == "submit":
        if status != "rectifying":
            raise illegal()
        if not _unfounded(ctx) and not ctx.has_after_photos:
            raise ConflictError("workflow.need_after_photos", field="photos")
        return "awaiting_signoff"
    if event == "sign":
        if status != "awaiting_signoff":
            raise illegal()
        if _unfounded(ctx):
            return "unfounded"
        if not ctx.has_after_photos:
            raise ConflictError("workflow.need_after_photos", field="photos")
        return "public_notice" if ctx.notice_days > 0 else "closed"
    if event == "return":
        if status != "awaiting_signoff":
            raise illegal()
        if not ctx.reason.strip():
            raise ConflictError("workflow.need_reason", field="reason")
        return "pending" if _unfounded(ctx) else "rectifying"
    if event == "end_notice":
        if status != "public_notice":
            raise illegal()
        if not ctx.notice_over:
            raise ConflictError("workflow.notice_running")
        return "closed"
    if event == "object":
        if status != "public_notice":
            raise illegal()
        if not ctx.reason.strip():
            raise ConflictError("workflow.need_reason", field="reason")
        return "rectifying"
    # recheck
    if status not in ("closed", "unfounded"):
        raise illegal()
    if ctx.rebound and not ctx.reason.strip():
        raise ConflictError("workflow.need_reason", field="reason")
    return "reopened" if ctx.rebound else status


def allowed_events(status: str) -> list[str]:
    """Events that are legal from a status in principle (guards may still refuse)."""
    out = []
    probe = Context(truthfulness="true", has_after_photos=True, reason="x", notice_over=True, rebound=True)
    for event in EVENTS:
        try:
            next_status(status, event, probe)
        except IllegalTransition:
            continue
        out.append(event)
    return out
