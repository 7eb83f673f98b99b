"""序时进度 rule, weekly reports with a late unit, accountability counts, ledger export types."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from field import planimport
from field.domain import schedule
from field.domain.errors import PermissionDenied, ValidationError
from field.services import accountability, auth, ledgers, progress
from field.services.accountability import RecordInput
from tests.plan_factory import plan_spec, plan_xlsx

S, D = dt.date(2024, 1, 1), dt.date(2024, 12, 31)  # 366 days


@pytest.mark.parametrize(("today", "start", "deadline", "standing", "stage", "percent", "expected"), [
    (dt.date(2024, 7, 1), S, D, False, None, None, "not_started"),
    (dt.date(2024, 7, 1), S, D, False, "not_started", 0, "not_started"),
    (dt.date(2024, 7, 1), S, D, False, "in_progress", 30, "behind"),  # ~49 % of the time gone
    (dt.date(2024, 7, 1), S, D, False, "in_progress", 49, "on_schedule"),
    (dt.date(2024, 7, 1), S, D, False, "in_progress", 58, "on_schedule"),
    (dt.date(2024, 7, 1), S, D, False, "in_progress", 59, "ahead"),
    (dt.date(2024, 3, 1), S, D, False, "rectified", 100, "rectified"),  # done early
    (dt.date(2024, 3, 1), S, D, False, "in_progress", 100, "rectified"),
    (dt.date(2024, 3, 1), S, D, False, "closed", 100, "closed"),
    (dt.date(2025, 1, 2), S, D, False, "in_progress", 95, "behind"),  # overdue
    (dt.date(2025, 1, 2), S, D, False, None, None, "behind"),  # overdue and never started
    (dt.date(2024, 7, 1), None, D, False, "in_progress", 10, "on_schedule"),  # no start date
    (dt.date(2024, 7, 1), S, None, True, "in_progress", 10, "standing"),
    (dt.date(2024, 7, 1), S, None, True, None, None, "standing"),
    (dt.date(2024, 7, 1), S, D, True, "rectified", 100, "rectified"),
    (dt.date(2023, 12, 1), S, D, False, "in_progress", 5, "ahead"),  # before the start
    (dt.date(2024, 7, 1), S, D, False, "on_schedule", None, "behind"),  # legacy typed word: in progress
])
def test_schedule_rule_table(today, start, deadline, standing, stage, percent, expected) -> None:
    assert schedule.status(today=today, start=start, deadline=deadline, standing=standing, stage=stage,
                           percent=percent) == expected


def _plan(session, officer):
    spec = plan_spec(1, 2, 2)
    for p in spec:
        for m in p["measures"]:
            m["lead"], m["deadline"] = "市生态环境局", "2024年12月底前"
    spec[1]["measures"][0]["lead"] = "市住建局"
    planimport.import_plan(session, officer, plan_xlsx(spec), "a.xlsx")
    session.commit()
    return ledgers.list_problems(session, officer)


def test_weekly_reports_history_and_a_late_unit(session, users, rt) -> None:
    officer = users["officer"]
    problems = _plan(session, officer)
    env = auth.create_user(session, None, username="env", password="correct horse battery", role="unit",
                           display_name="ENV")
    env.unit = "市生态环境局"
    session.commit()
    store = progress.EvidenceStore(rt.settings.data_dir)
    week = dt.date(2024, 6, 3)  # a Monday
    on_time = dt.datetime(2024, 6, 6, 2, tzinfo=dt.UTC)  # Thursday
    late = dt.datetime(2024, 6, 8, 2, tzinfo=dt.UTC)  # Saturday, after Friday 18:00
    mine = progress.measures_for(session, env)
    assert len(mine) == 3
    other = next(m for p in problems for m in p.measures if m.lead_unit == "市住建局")
    with pytest.raises(PermissionDenied) as exc:
        progress.submit_report(session, env, other.id, progress.ReportInput("in_progress", 10, "x"), store, now=on_time)
    assert exc.value.key == "progress.not_your_unit"
    r1 = progress.submit_report(session, env, mine[0].id, progress.ReportInput(
        "in_progress", 40, "完成排查", files=[("现场.jpg", b"\xff\xd8photo")]), store, now=on_time)
    progress.submit_report(session, env, mine[1].id, progress.ReportInput("in_progress", 20, "推进中"), store, now=late)
    r3 = progress.submit_report(session, env, mine[0].id, progress.ReportInput("in_progress", 45, "更正"), store,
                                now=late)
    with pytest.raises(ValidationError) as exc2:
        progress.submit_report(session, env, mine[0].id, progress.ReportInput("in_progress", 30, "倒退"), store,
                               now=late)
    assert exc2.value.key == "progress.percent_down"
    session.commit()
    assert not r1.late and r3.late and store.verify(r1.files[0].sha256)
    assert [(h.percent, h.done_text) for h in progress.history(session, env, mine[0].id)] == [(40, "完成排查"),
                                                                                              (45, "更正")]
    status = {s.unit: s for s in progress.missing_reports(session, officer, week, now=late)}
    assert status["市生态环境局"].missing == [mine[2].id] and status["市生态环境局"].late == [mine[1].id]
    assert status["市住建局"].missing == [other.id]
    assert all(not s.missing for s in progress.missing_reports(session, officer, week, now=on_time))  # not due yet
    meas = ledgers.build_ledger(session, officer, "measures", today=dt.date(2024, 6, 8))
    col = meas.columns.index("percent")
    assert sorted(r[col] for r in meas.rows if r[col] != "") == [20, 45]


def test_accountability_counts(session, users) -> None:
    officer = users["officer"]
    problems = _plan(session, officer)
    pid = problems[0].id
    for person, unit, measure, fine in [("甲", "某局", "talk", None), ("甲", "某局", "warning_talk", None),
                                        ("乙", "某镇", "talk", None), ("丙", "某局", "discipline", None),
                                        ("某公司", "", "case_penalty", "125000"), ("某厂", "", "case_penalty", 50000)]:
        accountability.add_record(session, officer, RecordInput(measure=measure, person=person, unit=unit,
                                                                problem_id=pid, fine_yuan=fine,
                                                                document_no="沧环罚〔2024〕1号"))
    session.commit()
    c = accountability.summary(session, users["viewer"])
    assert (c.people, c.talks, c.fines_wan) == (3, 2, Decimal("17.50"))
    assert c.by_measure["talk"] == 2 and c.by_measure["case_penalty"] == 2
    assert c.sentence() == "问责 3 人、约谈 2 人、罚款 17.5 万元"
    for bad, key in [(RecordInput(measure="nope", person="x", problem_id=pid), "acc.bad_measure"),
                     (RecordInput(measure="talk", person="x"), "acc.need_target"),
                     (RecordInput(measure="talk", person="x", problem_id=pid, fine_yuan=5), "acc.fine_only_penalty"),
                     (RecordInput(measure="case_penalty", person="x", problem_id=pid, fine_yuan=-1), "acc.bad_fine")]:
        with pytest.raises(ValidationError) as exc:
            accountability.add_record(session, officer, bad)
        assert exc.value.key == key
    # a county-limited reader does not see city-wide records
    assert accountability.summary(session, users["super_yunhe"]).people == 0


def test_measures_ledger_column_order_and_excel_types(session, users) -> None:
    officer = users["officer"]
    _plan(session, officer)
    data = ledgers.export_xlsx(session, officer, "measures", today=dt.date(2024, 6, 1))
    ws = load_workbook(io.BytesIO(data)).active
    headers = [c.value for c in ws[2]]
    assert headers[:7] == ["序号", "方面", "问题编号", "整改问题", "措施序号", "整改措施", "整改目标"]
    assert headers.index("整改时限") < headers.index("完成日期") < headers.index("整改进展")
    assert ws.freeze_panes == "A3" and ws.auto_filter.ref.startswith("A2:")
    due = ws.cell(row=3, column=headers.index("完成日期") + 1)
    assert due.is_date and due.value.date() == dt.date(2024, 12, 31)
    assert ws.cell(row=3, column=headers.index("整改时限") + 1).value == "2024年12月底前"
    assert ws.cell(row=3, column=headers.index("整改进展") + 1).value == "尚未启动"
    assert ws.column_dimensions["F"].width >= 20  # Chinese measure text gets a wide column
