"""The scheduler runs its work once: two schedulers started at the same moment on their own
database connections (an advisory lock on PostgreSQL, a file lock on SQLite) — one runs, the
other says it is already running; a later run finds nothing left to do."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from field.cli import main
from field.data import locks
from field.data.models import AuditEvent, Finding
from field.data.report_models import ReportArchive
from field.runtime import open_runtime
from field.services import findings, jobs
from field.services.findings import FindingInput, Location

YUNHE = (116.84, 38.29)
MONDAY = dt.datetime(2026, 6, 8, 2, 0, tzinfo=dt.UTC)  # Monday 10:00 in China
TODAY = dt.date(2026, 6, 8)


def _finding(session, user, status: str, **dates) -> int:  # type: ignore[no-untyped-def]
    f = findings.create_finding(session, user, FindingInput(
        description=f"定时任务测试 {status}", pollution_types=["air"], location=Location(*YUNHE, "typed"),
        site_name="宏达建材厂"), now=MONDAY - dt.timedelta(days=30))
    f.status = status  # test set-up: the states the scheduler acts on
    for name, value in dates.items():
        setattr(f, name, value)
    session.commit()
    return f.id


@pytest.fixture
def due_work(session, users) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {
        "notice_over": _finding(session, users["field"], "public_notice", notice_ends_on=TODAY - dt.timedelta(days=1)),
        "notice_on": _finding(session, users["field"], "public_notice", notice_ends_on=TODAY),
        "recheck_due": _finding(session, users["field"], "closed", recheck_due_on=TODAY - dt.timedelta(days=2)),
        "recheck_later": _finding(session, users["field"], "closed", recheck_due_on=TODAY + dt.timedelta(days=5)),
    }


def _counts(rt) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with rt.read() as s:
        def events(action: str) -> int:
            return s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)) or 0
        return {"runs": events("run"), "closed": events("status:end_notice"), "reminders": events("recheck_due"),
                "reports": s.scalar(select(func.count()).select_from(ReportArchive)) or 0}


def test_two_schedulers_at_the_same_moment_run_the_work_once(rt, settings, due_work) -> None:  # type: ignore[no-untyped-def]
    second_rt = open_runtime(settings, migrate=False)  # another process's engine: its own connections
    start = threading.Barrier(2, timeout=60)
    tried = threading.Barrier(2, timeout=60)  # both have tried the lock; the winner still holds it
    results: dict[str, jobs.RunResult] = {}
    failures: list[BaseException] = []

    def scheduler(name: str, runtime) -> None:  # type: ignore[no-untyped-def]
        try:
            start.wait()
            results[name] = jobs.run(runtime, now=MONDAY, after_lock_attempt=lambda held: tried.wait())
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test thread
            failures.append(exc)
            start.abort()
            tried.abort()

    threads = [threading.Thread(target=scheduler, args=(n, r)) for n, r in (("a", rt), ("b", second_rt))]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    finally:
        second_rt.engine.dispose()
    assert not failures, failures
    assert sorted(r.ran for r in results.values()) == [False, True]
    winner = next(r for r in results.values() if r.ran)
    assert winner.errors == {}
    assert winner.results["advance"] == 1 and winner.results["recheck_reminders"] == 1
    assert isinstance(winner.results["weekly_report"], int)
    assert _counts(rt) == {"runs": 1, "closed": 1, "reminders": 1, "reports": 1}
    with rt.read() as s:
        assert s.get(Finding, due_work["notice_over"]).status == "closed"
        assert s.get(Finding, due_work["notice_on"]).status == "public_notice"  # its last day: objections still open
        report = s.get(ReportArchive, winner.results["weekly_report"])
        assert (report.kind, report.period_start, report.period_end) == ("weekly", dt.date(2026, 6, 1), dt.date(2026, 6, 7))
        run_event = s.get(AuditEvent, winner.audit_id)
        assert run_event.entity == "scheduler" and run_event.actor_name == "system"
        assert run_event.after["results"]["advance"] == 1

    # The lock was released; a later run (the next timer tick) finds nothing left to do.
    again = jobs.run(rt, now=MONDAY + dt.timedelta(hours=1))
    assert again.ran and again.results == {"advance": 0, "recheck_reminders": 0, "weekly_report": None}
    assert _counts(rt) == {"runs": 2, "closed": 1, "reminders": 1, "reports": 1}


def test_cli_says_already_running_while_the_lock_is_held(rt, settings, users, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("FIELD_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("FIELD_DATA_DIR", str(settings.data_dir))
    with locks.try_hold(rt.engine, jobs.LOCK_NAME, fallback_dir=settings.data_dir) as held:
        assert held
        assert main(["--lang", "en", "schedule", "run"]) == 0
    assert "already running" in capsys.readouterr().out
    assert _counts(rt)["runs"] == 0
    assert main(["--lang", "en", "schedule", "run", "--json"]) == 0
    assert '"ran": true' in capsys.readouterr().out
    assert _counts(rt)["runs"] == 1


def test_a_failing_job_does_not_undo_the_others(rt, settings, due_work) -> None:  # type: ignore[no-untyped-def]
    result = jobs.run(rt, now=MONDAY, report_user="nobody")
    assert result.ran and result.results["advance"] == 1 and "weekly_report" in result.errors
    assert _counts(rt) == {"runs": 1, "closed": 1, "reminders": 1, "reports": 0}
    with rt.read() as s:
        assert s.get(AuditEvent, result.audit_id).after["errors"].keys() == {"weekly_report"}


def test_the_lock_is_per_schema_and_name(rt, settings) -> None:  # type: ignore[no-untyped-def]
    other = dataclasses.replace(settings)
    with locks.try_hold(rt.engine, "a", fallback_dir=other.data_dir) as a, \
            locks.try_hold(rt.engine, "b", fallback_dir=other.data_dir) as b, \
            locks.try_hold(rt.engine, "a", fallback_dir=other.data_dir) as a2:
        assert (a, b, a2) == (True, True, False)
