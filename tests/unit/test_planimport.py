"""整改方案 import: published annex shapes, idempotent re-import, bad input, deadlines, CLI."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from field import planimport
from field.data.ledger_models import Measure, Problem
from field.domain.errors import PermissionDenied, ValidationError
from field.planimport.deadlines import read_deadline
from tests.plan_factory import plan_spec, plan_xlsx


@pytest.mark.parametrize(("text", "date", "standing", "rule", "warning"), [
    ("2022年底前", dt.date(2022, 12, 31), False, "year_end", None),
    ("2023年6月底前", dt.date(2023, 6, 30), False, "month_end", None),
    ("2024年2月底前", dt.date(2024, 2, 29), False, "month_end", None),
    ("2025年", dt.date(2025, 12, 31), False, "year", None),
    ("立即整改、长期坚持", None, True, "standing", None),
    ("持续推进", None, True, "standing", None),
    ("2023年6月15日前", dt.date(2023, 6, 15), False, "day", None),
    ("2023年上半年", dt.date(2023, 6, 30), False, "half", None),
    ("2023年第三季度", dt.date(2023, 9, 30), False, "quarter", None),
    ("2022年底前完成，长期坚持", dt.date(2022, 12, 31), True, "year_end", None),
    ("立即整改", None, False, "none", "plan.w_deadline_unreadable"),
    ("2022年底前完成清理，2025年底前全部完成", None, False, "none", "plan.w_deadline_several"),
    ("2023年13月底前", None, False, "none", "plan.w_deadline_unreadable"),
    (dt.datetime(2024, 3, 1), dt.date(2024, 3, 1), False, "date_cell", None),
])
def test_deadline_reading_table(text, date, standing, rule, warning) -> None:
    d = read_deadline(text)
    assert (d.date, d.standing, d.rule, d.warning) == (date, standing, "plan.rule." + rule, warning)
    if isinstance(text, str):
        assert d.text == text  # verbatim


def test_parse_published_annex_shape() -> None:
    plan = planimport.parse_plan(plan_xlsx(plan_spec(2, 2, 3)), "annex.xlsx")
    assert plan.header_row == 2
    assert len(plan.rows) == 12 and not any(r.rejected for r in plan.rows)
    first = plan.rows[0]
    assert first.problem["aspect"] == "方面1：某某领域整改"
    assert first.problem["code"] == "1"  # 序号 merged over the problem's rows numbers problems
    assert first.problem["title"] == "问题1：某区域某类问题整改不到位\n表现为多处反弹"  # multi-line kept
    assert [r.measure_code for r in plan.rows[:3]] == ["1", "2", "3"]
    assert first.measure["lead_unit"] == "市局2" and first.measure["coop_unit"] == "各县（市、区）政府"
    assert first.measure["leader"] == "某副市长" and first.measure["supervising_unit"] == "市督导组"
    assert first.measure["extra"] == {"备注说明": "备注1-0"}  # unknown column kept
    assert {r.problem["aspect"] for r in plan.rows[6:]} == {"方面2：某某领域整改"}
    assert any(w.key == "cases.unknown_columns" for w in plan.warnings)


def test_import_is_idempotent_and_a_blank_never_overwrites(session, users) -> None:
    officer = users["officer"]
    data = plan_xlsx(plan_spec(2, 2, 3))
    _plan, s1 = planimport.import_plan(session, officer, data, "annex.xlsx")
    session.commit()
    assert (s1.problems_new, s1.measures_new, s1.rejected) == (4, 12, 0)
    assert session.scalar(select(func.count()).select_from(Measure)) == 12
    m = session.scalars(select(Measure).order_by(Measure.id)).first()
    assert (m.deadline_text, m.deadline, m.standing) == ("2023年6月底前", dt.date(2023, 6, 30), False)
    _plan, s2 = planimport.import_plan(session, officer, data, "annex.xlsx")
    session.commit()
    assert (s2.problems_new, s2.measures_new, s2.measures_updated, s2.unchanged) == (0, 0, 0, 12)
    # a re-published annex with a progress text and a blank unit: progress added, unit kept
    spec = plan_spec(2, 2, 3)
    spec[0]["measures"][0]["progress"] = "已完成排查"
    spec[0]["measures"][1]["lead"] = ""
    _plan, s3 = planimport.import_plan(session, officer, plan_xlsx(spec), "annex2.xlsx")
    session.commit()
    assert (s3.measures_new, s3.measures_updated) == (0, 1)
    rows = session.scalars(select(Measure).order_by(Measure.id)).all()
    assert rows[0].progress_text == "已完成排查" and rows[1].lead_unit == "市局3"
    assert session.scalar(select(func.count()).select_from(Problem)) == 4


def test_deadlines_stored_verbatim_and_as_dates(session, users) -> None:
    planimport.import_plan(session, users["officer"], plan_xlsx(plan_spec(1, 2, 3)), "a.xlsx")
    session.commit()
    by_text = {m.deadline_text: (m.deadline, m.standing) for m in session.scalars(select(Measure))}
    assert by_text["2023年6月底前"] == (dt.date(2023, 6, 30), False)
    assert by_text["立即整改、长期坚持"] == (None, True)
    assert by_text["2025年"] == (dt.date(2025, 12, 31), False)


def _grid_xlsx(rows: list[list]) -> bytes:
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_bad_input_gets_a_message_per_row_and_nothing_is_written(session, users) -> None:
    officer = users["officer"]
    with pytest.raises(ValidationError) as exc:
        planimport.import_plan(session, officer, _grid_xlsx([["甲", "乙"], ["1", "2"]]), "x.xlsx")
    assert exc.value.key == "plan.no_header"
    data = _grid_xlsx([
        ["问题", "措施编号", "整改措施", "牵头单位", "整改时限"],
        ["问题甲", "1", "措施一", "市局", "2023年底前"],
        ["问题甲", "1", "措施一重复编号", "市局", "2023年底前"],
        ["", "2", "没有问题的措施", "市局", "2023年底前"],
        ["问题乙", "1", "时限读不出", "市局", "尽快"],
    ])
    plan, summary = planimport.import_plan(session, officer, data, "bad.csv.xlsx", dry_run=True)
    keys = {r.row_no: [i.key for i in r.rejected + r.warnings] for r in plan.rows}
    assert keys[3] == ["plan.row_duplicate"] and keys[4] == ["plan.row_no_problem"]
    assert keys[5] == ["plan.w_deadline_unreadable"]
    assert summary.rejected == 2
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Measure)) == 0
    with pytest.raises(PermissionDenied):
        planimport.import_plan(session, users["field"], data, "bad.xlsx")


def test_csv_with_problem_column_variant(session, users) -> None:
    csv = "存在问题,整改措施,责任单位,完成时限\n问题甲,措施一,市局,2023年底前\n问题甲,措施二,市局,持续推进\n"
    plan, summary = planimport.import_plan(session, users["officer"], csv.encode("gb18030"), "p.csv")
    session.commit()
    assert summary.measures_new == 2 and summary.problems_new == 1
    assert [r.measure_code for r in plan.rows] == ["1", "2"]


def test_cli_import_plan(settings, users, session, tmp_path, monkeypatch, capsys) -> None:
    from field import cli

    monkeypatch.setenv("FIELD_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("FIELD_DATA_DIR", str(settings.data_dir))
    path = tmp_path / "annex.xlsx"
    path.write_bytes(plan_xlsx(plan_spec(1, 1, 2)))
    assert cli.main(["import-plan", str(path), "--dry-run", "--json", "--user", "officer"]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["dry_run"] and out["measures_new"] == 2
    assert out["rows"][0]["deadline"] == "2023-06-30" and out["rows"][0]["rule"] == "“X年X月底前”→ 当月最后一天"
    assert session.scalar(select(func.count()).select_from(Measure)) == 0
    assert cli.main(["import-plan", str(path), "--user", "officer"]) == 0
    assert "整改时限" in capsys.readouterr().out
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Measure)) == 2
