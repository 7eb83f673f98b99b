"""Issue #10: case import fidelity on realistic sequences of published tables (files built with
openpyxl): republished cases update, blanks never erase, nothing published is lost, dates are
never guessed, several counties per case, safe streaming parse, exports as published."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from field import caseimport
from field.caseimport import grid
from field.data.ledger_models import CaseResult
from field.data.models import Case, CaseBatch, CaseCounty
from field.domain.errors import ValidationError
from field.services import audit, auth, ledgers
from field.services import cases as case_service
from tests.fixtures_cases import CITY, CORE, import_batch, make_rows, xlsx_bytes

TEAM = "中央第三生态环境保护督察组"


def _parse(data: bytes, name: str = "t.xlsx", **kw) -> caseimport.ParsedFile:
    kw.setdefault("feedback_days", 10)
    kw.setdefault("city_adcode", CITY)
    return caseimport.parse_file(data, name, **kw)


def _table(rows, *, title: str, headers=CORE) -> bytes:
    return xlsx_bytes(headers, rows, title_rows=[f"{TEAM}交办信访件办理情况（{title}）"])


def _count(session, model=Case) -> int:
    return session.scalar(select(func.count()).select_from(model))


# ------------------------------------------------------------------ 1. identity, republication


def test_batch_a_then_a_republishing_table_with_results_then_a_again(session, users) -> None:
    officer = users["officer"]
    a = make_rows(4)
    import_batch(session, officer, _table(a, title="第一批"), "a.xlsx", handed_over=dt.date(2024, 5, 20))
    session.commit()
    later = [dict(r) for r in a[:2]]
    later[0].update({"序号": 7, "调查核实情况": "经查属实", "是否属实": "属实", "处理和整改情况": "已整改"})
    later[1].update({"序号": 8, "是否属实": "正在核实"})
    pf, summary = import_batch(session, officer, _table(later, title="第二十六批"), "z.xlsx",
                               handed_over=dt.date(2024, 6, 20))
    session.commit()
    assert (summary.imported, summary.updated, summary.republished) == (0, 2, 2) and _count(session) == 4
    first = session.scalars(select(Case).where(Case.case_no == a[0]["受理编号"])).one()
    assert first.batch == 1 and first.handed_over_on == dt.date(2024, 5, 20)  # not the batch-26 date
    assert pf.rows[0].changes["truthfulness"] == (None, "true")
    res = session.get(CaseResult, first.id)
    assert (res.facts, res.truthfulness, res.handling) == ("经查属实", "true", "已整改")
    assert res.feedback_due == dt.date(2024, 5, 30)
    links = {b.batch: b for b in session.scalars(select(CaseBatch).where(CaseBatch.case_id == first.id))}
    assert sorted(links) == [1, 26] and links[26].seq == "7" and links[26].filename == "z.xlsx"
    assert session.get(CaseResult, pf.rows[1].case_id).truthfulness == "checking"
    ev = audit.history(session, "case", first.id)[-1]
    assert ev.action == "import_republished" and ev.after["file"] == "z.xlsx" and ev.after["row"] == 3
    assert ev.before["truthfulness"] is None and ev.after["batches"] == [26]
    # batch A again (published before the results): nothing is blanked, nothing changes
    pf, summary = import_batch(session, officer, _table(a, title="第一批"), "a.xlsx", handed_over=dt.date(2024, 5, 20))
    session.commit()
    assert (summary.updated, summary.unchanged, summary.imported) == (0, 4, 0)
    assert session.get(CaseResult, first.id).handling == "已整改"
    assert {r.case.case_no for r in case_service.list_cases(session, officer, batch=26)} == {
        a[0]["受理编号"], a[1]["受理编号"]}
    assert case_service.batches(session) == [1, 26]


def test_a_table_covering_two_batches(session, users) -> None:
    pf = _parse(_table(make_rows(2), title="第29、30批"))
    assert pf.batches == [29, 30] and pf.batch_text == "第29、30批"
    pf = _parse(xlsx_bytes(CORE, make_rows(2)), batch="第29、30批")
    assert pf.batches == [29, 30] and pf.rows[0].values["batches"] == [29, 30]
    with pytest.raises(ValidationError) as exc:
        _parse(xlsx_bytes(CORE, make_rows(2)), batch="下一批")
    assert exc.value.key == "cases.bad_batch"
    import_batch(session, users["officer"], _table(make_rows(2), title="第29、30批"), "t.xlsx")
    session.commit()
    assert sorted(session.scalars(select(CaseBatch.batch))) == [29, 29, 30, 30]
    title = ledgers.build_ledger(session, users["officer"], "public", batch=30).title
    assert title == f"{TEAM}第29、30批交办件公开情况一览表"


def test_inspection_comes_from_the_user_the_setting_or_the_title() -> None:
    data = _table(make_rows(1), title="第一批")
    assert (_parse(data).inspection, _parse(data).inspection_source) == (TEAM, "title")
    pf = _parse(data, default_inspection="中央第三轮督察河北")
    assert pf.inspection_source == "setting" and "cases.inspection_differs" in [w.key for w in pf.warnings]
    assert _parse(data, inspection="X组", default_inspection="Y").inspection == "X组"


def test_rows_without_case_no_use_batch_and_published_seq(session, users) -> None:
    rows = [{"序号": 1, "交办问题基本情况": "某厂噪声", "行政区域": "献县"},
            {"序号": 2, "交办问题基本情况": "某厂废水", "行政区域": "献县"}]
    pf = _parse(xlsx_bytes(CORE, rows), batch=5)
    assert [(r.identity, r.key) for r in pf.rows] == [("seq", "第5批#1"), ("seq", "第5批#2")]
    assert "cases.w_identity_seq" in [w.key for w in pf.rows[0].warnings] and pf.rows[0].values["case_no"] == ""
    import_batch(session, users["officer"], xlsx_bytes(CORE, rows), "s.xlsx", batch=5)
    rows[0]["是否属实"] = "属实"
    _, summary = import_batch(session, users["officer"], xlsx_bytes(CORE, rows), "s.xlsx", batch=5)
    session.commit()
    assert (summary.imported, summary.updated, summary.unchanged) == (0, 1, 1) and _count(session) == 2
    nothing = _parse(xlsx_bytes(CORE, [{"交办问题基本情况": "只有内容"}]), batch=5)
    assert nothing.rows[0].identity == "hash"


# ------------------------------------------------------------------ 2. merge rules


def test_a_file_without_date_column_after_one_with_dates_keeps_them(session, users) -> None:
    headers = [*CORE, "交办日期", "整改时限"]
    rows = make_rows(2)
    for r in rows:
        r.update({"交办日期": dt.datetime(2024, 5, 20), "整改时限": "2024年6月30日"})
    import_batch(session, users["officer"], xlsx_bytes(headers, rows), "d.xlsx", batch=1)
    session.commit()
    rows[0]["处理和整改情况"] = "已整改"
    pf, summary = import_batch(session, users["officer"], xlsx_bytes(CORE, rows), "n.xlsx", batch=1)
    session.commit()
    assert summary.updated == 1 and pf.rows[0].changed == ["handling"]
    case = session.get(Case, pf.rows[0].case_id)
    assert case.handed_over_on == dt.date(2024, 5, 20) and case.deadline == dt.date(2024, 6, 30)
    assert case.handed_over_source == "column"
    assert session.get(CaseResult, case.id).feedback_due == dt.date(2024, 5, 30)


def test_blank_cells_never_erase_unless_clear_blanks(session, users) -> None:
    rows = make_rows(1)
    rows[0].update({"是否属实": "属实", "处理和整改情况": "已清运"})
    import_batch(session, users["officer"], xlsx_bytes(CORE, rows), "r.xlsx", batch=1)
    session.commit()
    rows[0].update({"是否属实": "", "处理和整改情况": ""})
    _, summary = import_batch(session, users["officer"], xlsx_bytes(CORE, rows), "old.xlsx", batch=1)
    assert summary.unchanged == 1
    pf, summary = import_batch(session, users["officer"], xlsx_bytes(CORE, rows), "old.xlsx", batch=1,
                               dry_run=True, clear_blanks=True)
    assert pf.rows[0].changes["handling"] == ("已清运", "") and pf.rows[0].changes["truthfulness"] == ("true", None)
    import_batch(session, users["officer"], xlsx_bytes(CORE, rows), "old.xlsx", batch=1, clear_blanks=True)
    session.commit()
    assert session.get(CaseResult, pf.rows[0].case_id).handling == ""


# ------------------------------------------------------------------ 3. everything published kept


def test_section_rows_give_receive_method_and_variants_are_kept_verbatim(session, users) -> None:
    headers = ["序号", "交办问题基本情况", "行政区域", "污染类型", "是否办结", "受理方式"]
    rows = [["来电", "来电", "来电", "来电", "来电", "来电"],
            [1, "某厂夜间噪声", "献县", "噪声", "正在办理", ""],
            [2, "某村焚烧秸秆", "献县", "大气", "阶段性办结", "微信举报"],
            ["来信", "来信", "来信", "来信", "来信", "来信"],
            [1, "某河道排污", "青县", "水", "办结", ""],
            [2, "某厂排污", "青县", "水", "没办", "小道消息"]]
    pf = _parse(xlsx_bytes(headers, rows), batch=3)
    got = [(r.values["seq"], r.values["section"], r.values["receive_method"], r.values["receive_text"],
            r.values["closure_state"], r.values["closure_text"]) for r in pf.rows]
    assert got == [("1", "来电", "D", "来电", "ongoing", "正在办理"),
                   ("2", "来电", "other", "微信举报", "staged", "阶段性办结"),
                   ("1", "来信", "X", "来信", "done", "办结"),
                   ("2", "来信", "other", "小道消息", None, "没办")]
    assert [r.key for r in pf.rows] == ["第3批#来电1", "第3批#来电2", "第3批#来信1", "第3批#来信2"]
    assert "cases.w_receive_other" in [w.key for w in pf.rows[3].warnings]
    assert "cases.w_bad_closure" in [w.key for w in pf.rows[3].warnings]
    assert not any(r.rejected for r in pf.rows)  # each section numbers from 1: the section is in the key
    import_batch(session, users["officer"], xlsx_bytes(headers, rows), "s.xlsx", batch=3)
    session.commit()
    _, summary = import_batch(session, users["officer"], xlsx_bytes(headers, rows), "s.xlsx", batch=3)
    assert summary.unchanged == 4


# ------------------------------------------------------------------ 4. dates


def test_reception_window_and_title_dates_are_not_the_hand_over_date() -> None:
    title = "中央第一环境保护督察组第一批（受理时间：2017年5月25日12时-5月26日12时）"
    pf = _parse(xlsx_bytes(CORE, make_rows(1), title_rows=[title]))
    assert pf.reception_window == "2017年5月25日12时-5月26日12时" and pf.handed_over is None
    assert pf.suggested_date is None and pf.rows[0].values["handed_over_on"] is None
    pf = _parse(xlsx_bytes(CORE, make_rows(1), title_rows=["第二批 公开日期：2017年5月28日"]))
    assert pf.published_on == dt.date(2017, 5, 28) and pf.handed_over is None
    assert pf.suggested_date == dt.date(2017, 5, 28)


# ------------------------------------------------------------------ 5. several counties


def test_joint_cases_link_every_county_and_each_county_sees_them(session, users) -> None:
    rows = [{"受理编号": "1", "交办问题基本情况": "a", "行政区域": "河间市、肃宁县"},
            {"受理编号": "2", "交办问题基本情况": "b", "行政区域": "渤海新区黄骅市"},
            {"受理编号": "3", "交办问题基本情况": "c", "行政区域": "运河区、某开发区"}]
    pf = _parse(xlsx_bytes(CORE, rows), batch=1)
    assert [r.values["counties"] for r in pf.rows] == [["130984", "130926"], ["130983"], ["130903"]]
    assert "cases.w_several_counties" in [w.key for w in pf.rows[0].warnings]
    assert "cases.w_region_part_unmatched" in [w.key for w in pf.rows[2].warnings]
    import_batch(session, users["officer"], xlsx_bytes(CORE, rows), "j.xlsx", batch=1)
    suning = auth.create_user(session, None, username="off_sn", password="correct horse battery",
                              role="case_officer", counties=["130926"])
    session.commit()
    assert _count(session, CaseCounty) == 4
    seen = case_service.list_cases(session, suning)
    assert [r.case.case_no for r in seen] == ["1"]
    assert [r.case.case_no for r in case_service.list_cases(session, users["officer"], county="130926")] == ["1"]
    case_service.set_result(session, suning, seen[0].case.id, truthfulness="true", feedback_days=10)
    assert len(ledgers.build_ledger(session, suning, "petitions").rows) == 1


# ------------------------------------------------------------------ 6. safe parsing


def test_unpacked_size_is_checked_before_any_parse(monkeypatch) -> None:
    monkeypatch.setattr(grid, "MAX_UNPACKED_BYTES", 2000)
    with pytest.raises(ValidationError) as exc:
        _parse(xlsx_bytes(CORE, make_rows(30)))
    assert exc.value.key == "cases.too_big_unpacked"


def test_zip_that_lies_about_its_sizes_is_still_bounded(monkeypatch) -> None:
    monkeypatch.setattr(grid, "MAX_UNPACKED_BYTES", 100_000)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"<a>" + b" " * 500_000 + b"</a>")
    with pytest.raises(ValidationError) as exc:
        grid.check_unpacked(buf.getvalue(), "bomb.xlsx")
    assert exc.value.key == "cases.too_big_unpacked"


def test_too_many_rows_refused_while_streaming_without_full_load(monkeypatch) -> None:
    import openpyxl

    real = openpyxl.load_workbook

    def only_streaming(*a, **k):
        assert k.get("read_only") is True, "a full (non-streaming) load was attempted"
        return real(*a, **k)

    monkeypatch.setattr(openpyxl, "load_workbook", only_streaming)
    monkeypatch.setattr(grid, "MAX_ROWS", 20)
    with pytest.raises(ValidationError) as exc:
        _parse(xlsx_bytes(CORE, make_rows(200)))
    assert exc.value.key == "cases.too_many_rows" and exc.value.params["n"] == grid.row_limit() + 1


@pytest.mark.parametrize(("text", "key", "line"), [
    ("受理编号,交办问题基本情况,行政区域\n1,\"某厂,夜间\n2,b,青县\n", "cases.csv_malformed", 2),
    ("受理编号,交办问题基本情况,行政区域\n1,a,青县\n2,b,青县,多出来的\n", "cases.csv_ragged", 3),
    ("第一批\n受理编号,交办问题基本情况,行政区域\n1,a,青县\n2,b\n", "cases.csv_ragged", 4),
])
def test_malformed_csv_is_refused_with_the_line(text: str, key: str, line: int) -> None:
    with pytest.raises(ValidationError) as exc:
        _parse(text.encode(), "bad.csv")
    assert exc.value.key == key and exc.value.params["line"] == line


def test_merged_cells_are_still_filled_in_streaming_mode() -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(CORE[:5])
    ws.append([1, "1001", "a", "献县", "水"])
    ws.append([2, "1002", "b", None, "水"])
    ws.merge_cells("D2:D3")
    buf = io.BytesIO()
    wb.save(buf)
    pf = _parse(buf.getvalue(), batch=1)
    assert [r.values["region_text"] for r in pf.rows] == ["献县", "献县"]


# ------------------------------------------------------------------ 7. exports as published; round trip


def test_public_export_round_trip_changes_nothing(session, users) -> None:
    rows = [["来电"] * 9,
            [1, "D3JX202405240001*", "某厂噪声", "河间市、肃宁县", "噪声", "经查", "是", "已整改", "约谈1人"],
            [2, "D3JX202405240002", "某厂油烟", "运河区", "油烟", "", "正在核实", "", ""],
            ["来信"] * 9,
            [3, "X3JX202405240003", "某河排污", "青县", "水", "", "", "", ""]]
    import_batch(session, users["officer"], _table(rows, title="第三批"), "p.xlsx", handed_over=dt.date(2024, 5, 24))
    session.commit()
    data = ledgers.export_xlsx(session, users["officer"], "public", batch=3)
    ws = load_workbook(io.BytesIO(data)).active
    assert ws.freeze_panes == "A3" and ws.auto_filter.ref
    cells = [[c for c in r] for r in ws.iter_rows(values_only=True)]
    assert cells[0][0] == f"{TEAM}第三批交办件公开情况一览表（2024年5月24日）"
    assert [r[0] for r in cells[2:]] == ["来电", 1, 2, "来信", 3] and cells[3][6] == "是"
    _, summary = import_batch(session, users["officer"], data, "export.xlsx")
    assert (summary.imported, summary.updated, summary.unchanged) == (0, 0, 3)


def test_petition_ledger_has_results_real_dates_and_typed_columns(session, users) -> None:
    rows = make_rows(2)
    rows[0].update({"调查核实情况": "经查属实", "处理和整改情况": "已整改", "责任人被处理情况": "约谈1人"})
    import_batch(session, users["officer"], xlsx_bytes(CORE, rows), "a.xlsx", batch=1, handed_over=dt.date(2024, 5, 1))
    import_batch(session, users["officer"], xlsx_bytes(CORE, make_rows(1, start=9)), "b.xlsx", batch=2)
    session.commit()
    led = ledgers.build_ledger(session, users["officer"], "petitions")
    assert {"facts", "handling", "accountability"} <= set(led.columns)
    table = led.table()
    assert set(table["反馈时限"]) == {dt.date(2024, 5, 11), None}  # one type per column: no ArrowTypeError
    import pyarrow as pa

    pa.table(table)  # raised ArrowTypeError on 反馈时限 when "" sat next to dates
    ws = load_workbook(io.BytesIO(ledgers.export_xlsx(session, users["officer"], "petitions"))).active
    col = [c.value for c in ws[2]].index("反馈时限") + 1
    assert isinstance(ws.cell(row=3, column=col).value, dt.datetime)
    headers = [c.value for c in ws[2]]
    assert {"调查核实情况", "处理和整改情况", "责任人被处理情况"} <= set(headers)


# ------------------------------------------------------------------ migration 0004 keeps old data


def test_migration_keeps_cases_stored_under_the_old_identity(rt) -> None:
    """Cases stored as (受理编号, batch) — the same number twice under two batches included —
    survive the upgrade with their batch and county links; nothing is merged unseen."""
    from alembic import command
    from sqlalchemy import text

    from field.data.db import alembic_config

    cfg = alembic_config(rt.engine)
    command.downgrade(cfg, "0005")
    now = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    with rt.engine.begin() as conn:
        for i, (no, batch) in enumerate([("D1*", 1), ("D1", 2), ("X2", 1)], 1):
            conn.execute(text(
                "INSERT INTO cases (id, case_no, batch, content, region_text, county_adcode, pollution_types, "
                "pollution_text, key_attention, lead_unit, responsible_unit, responsible_person, responsible_phone, "
                "extra, created_at, updated_at) VALUES (:id, :no, :b, 'c', '运河区', '130903', '[]', '', false, "
                "'', '', '', '', '{}', :now, :now)"), {"id": i, "no": no, "b": batch, "now": now})
            conn.execute(text(
                "INSERT INTO case_results (case_id, facts, truthfulness_text, handling, accountability, "
                "closure_target, category, handler, remarks, coop_unit, updated_at) VALUES "
                "(:id, '经查属实', '', '', '', '', '', '', '', '', :now)"), {"id": i, "now": now})
    command.upgrade(cfg, "head")
    with rt.engine.connect() as conn:
        keys = conn.execute(text("SELECT case_key FROM cases ORDER BY id")).scalars().all()
        links = conn.execute(text("SELECT case_id, batch FROM case_batches ORDER BY case_id")).all()
        counties = conn.execute(text("SELECT count(*) FROM case_counties")).scalar()
    assert keys == ["D1", "D1@2", "X2"] and [tuple(r) for r in links] == [(1, 1), (2, 2), (3, 1)]
    assert counties == 3
    with rt.engine.connect() as conn:  # SQLite recreated `cases`: its results were not cascaded away
        assert conn.execute(text("SELECT count(*) FROM case_results WHERE facts = '经查属实'")).scalar() == 3
