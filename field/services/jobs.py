"""Scheduled work, run once by whichever scheduler gets the lock: `python -m field schedule run`.

With several app replicas, work that writes on a timetable — closing findings whose 公示 is over,
marking 复查 due, filing the weekly summary — must neither run inside page renders (every
replica, every click) nor from one timer per replica (twice). So one command does all of it,
any replica's timer (or cron) may call it, and `field.data.locks` lets exactly one run at a time:
a second scheduler started meanwhile finds the lock taken and exits saying so. Every job is
idempotent on its own as well (a finding closes once, a reminder is written once per due date,
a week's report is filed once), so a run that follows a finished one changes nothing: the lock
prevents the *concurrent* double run that idempotence alone cannot (two reports filed for the
same week by two processes that both saw none).

Each job gets its own unit of work, so a failing weekly report (no CJK font, say) does not undo
the closures before it; the run's outcome, job by job, is one audit event (`scheduler` / `run`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from field.data import locks
from field.data.models import AuditEvent, Finding, User
from field.data.report_models import ReportArchive
from field.domain import clock, workflow
from field.domain.errors import FieldError
from field.services import audit, signoff

if TYPE_CHECKING:
    from field.runtime import Runtime

log = logging.getLogger(__name__)

LOCK_NAME = "field-scheduler"
JOBS = ("advance", "recheck_reminders", "weekly_report")


@dataclass
class RunResult:
    """What one run did: per job a count (or the archive id of the report filed, or None when
    nothing was due), and the jobs that failed with their error text."""

    ran: bool
    results: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    audit_id: int | None = None


def remind_rechecks(session: Session, *, now: dt.datetime | None = None) -> int:
    """Write one `recheck_due` audit event per closed finding whose 复查 date has come, once per
    due date (the verify page lists them from `recheck_due_on`; the event makes the reminder part
    of the finding's record). Returns how many were written."""
    now = now or clock.now()
    today = clock.today_local(now)
    due = session.scalars(select(Finding).where(Finding.status.in_(workflow.FROM["recheck"]),
                                                Finding.recheck_due_on <= today)).all()
    if not due:
        return 0
    done = {(e.entity_id, (e.after or {}).get("due")) for e in session.scalars(
        select(AuditEvent).where(AuditEvent.entity == "finding", AuditEvent.action == "recheck_due",
                                 AuditEvent.entity_id.in_([str(f.id) for f in due])))}
    written = 0
    for f in due:
        assert f.recheck_due_on is not None
        if (str(f.id), f.recheck_due_on.isoformat()) in done:
            continue
        audit.record(session, None, "finding", f.id, "recheck_due", at=now,
                     after={"due": f.recheck_due_on.isoformat()}, reason="复查到期 / re-check due")
        written += 1
    session.flush()
    return written


def last_week_end(now: dt.datetime) -> dt.date:
    """The Sunday that ended the last complete week (China time): 每周一汇总 covers Monday–Sunday
    and is due from the Monday after."""
    today = clock.today_local(now)
    return today - dt.timedelta(days=today.weekday() + 1)


def weekly_report_if_due(session: Session, *, settings: Any, username: str | None = None,
                         now: dt.datetime | None = None) -> int | None:
    """File last week's weekly summary (whole scope) unless the archive has it; returns the
    archive id, or None when it was there already. Made as `username` (default: the first
    active admin), whose scope it covers."""
    from field import reports

    now = now or clock.now()
    end = last_week_end(now)
    filed = session.scalar(select(ReportArchive.id).where(
        ReportArchive.kind == "weekly", ReportArchive.period_end == end, ReportArchive.county_adcode.is_(None)))
    if filed is not None:
        return None
    stmt = select(User).where(User.is_active.is_(True))
    stmt = stmt.where(User.username == username) if username else stmt.where(User.role == "admin")
    user = session.scalars(stmt.order_by(User.id)).first()
    if user is None:
        raise FieldError("jobs.no_report_user", username=username or "admin")
    made = reports.generate(session, user, "weekly", end, settings=settings, lang=settings.default_lang, now=now)
    return made.archive.id


def run(rt: Runtime, *, now: dt.datetime | None = None, report_user: str | None = None,
        after_lock_attempt: Callable[[bool], None] | None = None) -> RunResult:
    """Run every job once if this process gets the lock; `RunResult(ran=False)` at once if another
    scheduler holds it. `after_lock_attempt(held)` is called right after trying the lock, while
    holding it if it was got (tests use it to meet a second scheduler at exactly that moment)."""
    now = now or clock.now()
    with locks.try_hold(rt.engine, LOCK_NAME, fallback_dir=rt.settings.data_dir) as held:
        if after_lock_attempt is not None:
            after_lock_attempt(held)
        if not held:
            return RunResult(ran=False)
        result = RunResult(ran=True)
        steps: dict[str, Callable[[Session], Any]] = {
            "advance": lambda s: signoff.advance_notices(s, settings=rt.settings, now=now),
            "recheck_reminders": lambda s: remind_rechecks(s, now=now),
            "weekly_report": lambda s: weekly_report_if_due(s, settings=rt.settings, username=report_user, now=now),
        }
        for name in JOBS:
            try:
                with rt.uow() as s:
                    result.results[name] = steps[name](s)
            except Exception as exc:  # noqa: BLE001 - one failing job must not stop the others
                log.exception("scheduled job %s failed", name)
                result.errors[name] = _describe(exc, rt.settings.default_lang)
        with rt.uow() as s:
            event = audit.record(s, None, "scheduler", LOCK_NAME, "run", at=now,
                                 after={"results": result.results, "errors": result.errors})
            s.flush()
            result.audit_id = event.id
        return result


def _describe(exc: Exception, lang: str) -> str:
    if isinstance(exc, FieldError):
        from field import i18n

        return i18n.error_text(exc, lang)
    return f"{type(exc).__name__}: {exc}"
