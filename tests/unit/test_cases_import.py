"""Importing 交办件 batches as really published: parsing variants (no database), then preview,
apply, idempotency, updates, scope and atomicity on SQLite and PostgreSQL, and the CLI."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from field import caseimport
from field.data.ledger_models import CaseResult
from field.data.models import AuditEvent, Case, CaseBatch
from field.domain.errors import PermissionDenied, ValidationError
from field.services import audit, auth
from field.services import cases as case_service
from tests.fixtures_cases import CITY, CORE, csv_bytes, import_batch, make_rows, published_batch, xlsx_bytes

TODAY = dt.date(2024, 5, 30)


def _parse(data: bytes, name: str = "batch.xlsx", **kw) -> caseimport.ParsedFile:
    kw.setdefault("feedback_days", 10)
    kw.setdefault("city_adcode", CITY)
    return caseimport.parse_file(data, name, **kw)


def _keys(row: caseimport.ParsedRow) -> list[str]:
    return [i.key for i in row.warnings]


# --------------------------------------------------------------------------- parsing, no database


def test_title_rows_give_batch_and_a_suggested_date_and_header_is_found_below() -> None:
    data = published_batch(5, batch_title="第十三批", date_title="2024年5月24日")
    pf = _parse(data)
    assert pf.header_row == 3 and pf.batch == 13 and pf.handed_over is None  # a title date is never guessed
    assert pf.suggested_date == dt.date(2024, 5, 24) and pf.inspection == "中央第三生态环境保护督察组"
    assert {r.values["feedback_due"] for r in pf.rows} == {None}
    assert [w.key for w in pf.warnings] == ["cases.no_handed_over", "cases.date_suggested"]
    pf = _parse(data, accept_suggested_date=True)  # the user confirms the suggestion
    assert pf.handed_over == dt.date(2024, 5, 24)
    assert len(pf.rows) == 5 and all(r.status == "ok" for r in pf.rows)
    assert [r.row_no for r in pf.rows] == [4, 5, 6, 7, 8]
    assert {r.values["feedback_due"] for r in pf.rows} == {dt.date(2024, 6, 3)}
    assert pf.warnings == []


def test_merged_two_level_header_split_region_and_unknown_columns_kept() -> None:
    headers = ["序号", "受理编号", "交办问题基本情况", "举报地市", "举报区县", "问题类型", "举报人", "是否属实"]
    rows = [["1", "X370000201811280030", "某村砖厂夜间冒黑烟", "沧州市", "沧县", "大气", "王某", "属实"],
            ["2", "X370000201811280031", "某小区旁烧烤油烟", "沧州市", "运河区", "油烟", "", "不属实"]]
    pf = _parse(xlsx_bytes(headers, rows, title_rows=["第2批"], group_header={"举报信息": ["举报地市", "举报区县"]}))
    assert pf.header_row == 2
    assert pf.columns["举报区县"] == "report_county" and pf.columns["举报人"] == "extra"
    assert [w.key for w in pf.warnings] == ["cases.unknown_columns", "cases.no_handed_over", "cases.no_inspection"]
    assert "举报人" in pf.warnings[0].params["cols"]
    first, second = pf.rows
    assert first.values["county_adcode"] == "130921" and first.values["region_text"] == "沧州市沧县"
    assert first.values["extra"] == {"举报人": "王某"} and second.values["extra"] == {}
    assert second.values["county_adcode"] == "130903"
    assert second.values["pollution_types"] == ["air"] and second.values["pollution_text"] == "油烟"
    assert first.values["truthfulness"] == "true" and second.values["truthfulness"] == "false"
    assert first.status == second.status == "ok"


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8"])
def test_csv_in_each_encoding_reads_like_the_xlsx(encoding: str) -> None:
    rows = make_rows(4, seed=9)
    from_csv = _parse(csv_bytes(CORE, rows, encoding=encoding, title_rows=["第五批交办件"]), "b.csv")
    from_xlsx = _parse(xlsx_bytes(CORE, rows, title_rows=["第五批交办件"]))
    assert from_csv.batch == 5
    assert [r.values for r in from_csv.rows] == [r.values for r in from_xlsx.rows]
    assert "（第1件）" in from_csv.rows[0].values["content"]


@pytest.mark.parametrize(("text", "codes", "unknown"), [
    ("大气、噪声", ["air", "noise"], []),
    ("生态破坏、土壤污染", ["soil", "ecology"], []),
    ("扬尘", ["air"], []),
    ("油烟,异味", ["air"], []),
    ("畜禽养殖", ["water", "soil"], []),
    ("水污染；固体废物", ["water", "solid_waste"], []),
    ("光污染", ["other"], ["光污染"]),
    ("", [], []),
])
def test_pollution_types_split_into_the_fixed_set(text: str, codes: list[str], unknown: list[str]) -> None:
    assert caseimport.split_pollution_types(text) == (codes, unknown)


def test_multi_types_keep_original_text_and_unknown_type_warns() -> None:
    rows = [{"受理编号": "D3JX202405240001", "交办问题基本情况": "a", "行政区域": "青县", "污染类型": "大气、噪声"},
            {"受理编号": "D3JX202405240002", "交办问题基本情况": "b", "行政区域": "青县", "污染类型": "光污染"}]
    pf = _parse(xlsx_bytes(CORE, rows), batch=1)
    assert pf.rows[0].values["pollution_text"] == "大气、噪声"
    assert pf.rows[0].values["pollution_types"] == ["air", "noise"]
    assert _keys(pf.rows[1]) == ["cases.w_type_other"] and pf.rows[1].values["pollution_types"] == ["other"]


def test_case_numbers_of_every_era_are_kept_verbatim_and_star_marks_key_attention() -> None:
    rows = [[1, "D3JX202405240023", "a", "献县", "水"], [2, "X370000201811280030*", "b", "献县", "水"],
            [3, 1057, "c", "献县", "水"], [4, " D3JX202405240024＊ ", "d", "献县", "水"]]
    pf = _parse(xlsx_bytes(CORE[:5], rows), batch=2)
    got = [(r.values["case_no"], r.key, r.values["key_attention"], r.values["receive_method"]) for r in pf.rows]
    assert got == [("D3JX202405240023", "D3JX202405240023", False, "D"),
                   ("X370000201811280030*", "X370000201811280030", True, "X"),
                   ("1057", "1057", False, None),
                   ("D3JX202405240024＊", "D3JX202405240024", True, "D")]


def test_key_attention_and_receive_method_columns() -> None:
    headers = CORE[:5] + ["受理方式", "重点关注"]
    rows = [[1, "1001", "a", "吴桥县", "水", "来信", "是"], [2, "1002", "b", "吴桥县", "水", "来电", ""]]
    pf = _parse(xlsx_bytes(headers, rows), batch=1)
    assert [(r.values["receive_method"], r.values["key_attention"]) for r in pf.rows] == [("X", True), ("D", False)]


@pytest.mark.parametrize(("text", "adcode"), [
    ("沧州市运河区", "130903"), ("运河区", "130903"), ("运河", "130903"), ("河北省沧州市运河区", "130903"),
    ("沧县", "130921"), ("沧州市沧县", "130921"), ("沧州市", None), ("沧州", None), ("渤海新区", None),
    ("泊头市", "130981"), ("泊头", "130981"), ("孟村回族自治县", "130930"), ("孟村", "130930"),
    ("新华区西环中街", "130902"), ("", None),
])
def test_region_text_matches_a_county(text: str, adcode: str | None) -> None:
    assert caseimport.match_county(text, CITY) == adcode


def test_unmatched_region_and_gaps_are_warnings_not_rejections() -> None:
    rows = [{"受理编号": "1", "交办问题基本情况": "a", "行政区域": "沧州市", "污染类型": "水"},
            {"受理编号": "2", "交办问题基本情况": "b", "污染类型": ""},
            {"受理编号": "3", "交办问题基本情况": "c", "行政区域": "黄骅", "污染类型": "水", "是否属实": "是"}]
    pf = _parse(xlsx_bytes(CORE, rows))
    assert [r.status for r in pf.rows] == ["warning", "warning", "warning"]
    assert _keys(pf.rows[0]) == ["cases.w_region_unmatched", "cases.w_no_batch"]
    assert pf.rows[0].values["region_text"] == "沧州市" and pf.rows[0].values["county_adcode"] is None
    assert _keys(pf.rows[1]) == ["cases.w_no_region", "cases.w_no_type", "cases.w_no_batch"]
    assert "cases.w_old_truth" in _keys(pf.rows[2]) and pf.rows[2].values["truthfulness"] == "true"
    assert pf.rows[2].values["truthfulness_text"] == "是" and pf.rows[2].values["county_adcode"] == "130983"
    assert {w.key for w in pf.warnings} == {"cases.no_batch", "cases.no_handed_over", "cases.no_inspection"}


def test_row_kept_with_only_number_or_only_content_rejected_with_neither() -> None:
    rows = [{"受理编号": "", "交办问题基本情况": "某厂废气扰民", "行政区域": "任丘"},
            {"受理编号": "D3JX202405240009", "交办问题基本情况": ""},
            {"受理编号": "", "交办问题基本情况": "", "行政区域": "任丘", "污染类型": "水"},
            {}]
    pf = _parse(xlsx_bytes(CORE, rows), batch=1)
    assert len(pf.rows) == 3  # the fully empty row is not a row
    assert pf.rows[0].status == "warning" and pf.rows[0].values["case_no"].startswith("无编号-")
    assert "cases.w_no_case_no" in _keys(pf.rows[0])
    assert pf.rows[1].status == "warning" and "cases.w_no_content" in _keys(pf.rows[1])
    assert [i.key for i in pf.rows[2].rejected] == ["cases.row_no_key"]
    again = _parse(xlsx_bytes(CORE, rows), batch=1)
    assert again.rows[0].values["case_no"] == pf.rows[0].values["case_no"]  # placeholder is stable


def test_same_case_number_twice_in_a_file_rejects_the_later_row() -> None:
    rows = make_rows(3)
    rows[2]["受理编号"] = rows[0]["受理编号"]
    pf = _parse(xlsx_bytes(CORE, rows), batch=1)
    assert pf.rows[0].status == "warning" and pf.rows[0].warnings[0].params == {"row": 4}
    assert [(i.key, i.params["first"]) for i in pf.rows[2].rejected] == [("cases.row_duplicate", 2)]


def test_formula_cells_are_reported_and_not_taken() -> None:
    rows = [[1, "D3JX202405240001", "=CONCATENATE(\"a\",\"b\")", "运河区", "水"],
            [2, "=A1", "", "运河区", "水"]]
    pf = _parse(xlsx_bytes(CORE[:5], rows), batch=1)
    assert "cases.w_formula" in _keys(pf.rows[0]) and pf.rows[0].values["content"] == ""
    assert pf.rows[0].warnings[0].params["column"] == "交办问题基本情况"
    assert pf.rows[1].status == "rejected"


def test_form_batch_wins_over_the_title_and_the_conflict_is_reported() -> None:
    pf = _parse(published_batch(2, batch_title="第三批"), batch=4, accept_suggested_date=True)
    assert pf.batch == 4 and {r.values["batch"] for r in pf.rows} == {4}
    assert [(w.key, w.params) for w in pf.warnings] == [("cases.batch_conflict", {"file": 3, "given": 4})]


def test_batch_and_date_columns_per_row_when_no_title() -> None:
    headers = ["批次", "受理编号", "举报内容", "行政区域", "问题类型", "交办时间", "整改时限"]
    rows = [["第7批", "1", "a", "肃宁县", "水", dt.datetime(2024, 5, 20), "2024年6月30日"],
            ["8", "2", "b", "肃宁县", "水", "2024-05-21", "尽快"]]
    pf = _parse(xlsx_bytes(headers, rows))
    v = [r.values for r in pf.rows]
    assert [x["batch"] for x in v] == [7, 8]
    assert [x["handed_over_on"] for x in v] == [dt.date(2024, 5, 20), dt.date(2024, 5, 21)]
    assert [x["feedback_due"] for x in v] == [dt.date(2024, 5, 30), dt.date(2024, 5, 31)]
    assert v[0]["deadline"] == dt.date(2024, 6, 30) and v[1]["deadline"] is None
    assert "cases.w_bad_date" in _keys(pf.rows[1]) and v[0]["content"] == "a"


def _zip_not_xlsx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "hi")
    return buf.getvalue()


@pytest.mark.parametrize(("data", "key"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "cases.not_spreadsheet"),
    (b"%PDF-1.4 whatever", "cases.not_spreadsheet"),
    (b"", "cases.not_spreadsheet"),
    (_zip_not_xlsx(), "cases.not_spreadsheet"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "cases.old_xls"),
    (b"\x81\x20\xff\xfe\x80,\xff\n", "cases.bad_encoding"),
    ("名称,地址\n某厂,某路\n".encode("gbk"), "cases.no_header"),
    ("第一批\n受理编号,交办问题基本情况\n".encode(), "cases.empty"),
])
def test_bad_files_get_a_file_level_reason(data: bytes, key: str) -> None:
    with pytest.raises(ValidationError) as exc:
        _parse(data, "upload.csv" if key != "cases.not_spreadsheet" else "upload.xlsx")
    assert exc.value.key == key
    from field import i18n
    assert i18n.t(key, "zh") != key and i18n.t(key, "en") != key


def test_too_many_rows_is_refused_per_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(caseimport.grid, "MAX_ROWS", 20)
    data = csv_bytes(CORE, make_rows(21), encoding="utf-8")
    with pytest.raises(ValidationError) as exc:
        _parse(data, "big.csv")
    assert exc.value.key == "cases.too_many_rows" and exc.value.params["n"] == 21
    assert len(_parse(csv_bytes(CORE, make_rows(20), encoding="utf-8"), "ok.csv").rows) == 20


def test_header_found_on_a_later_sheet() -> None:
    wb = Workbook()
    wb.active.title = "说明"
    wb.active["A1"] = "本表为示例说明"
    ws = wb.create_sheet("交办件")
    ws.append(CORE)
    ws.append([1, "1001", "某厂噪声", "献县", "噪声"])
    buf = io.BytesIO()
    wb.save(buf)
    pf = _parse(buf.getvalue(), batch=1)
    assert pf.sheet == "交办件" and pf.rows[0].values["pollution_types"] == ["noise"]


# --------------------------------------------------------------------------- database


def _count(session, model=Case) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_preview_writes_nothing_then_apply_imports_in_one_go(session, users) -> None:
    pf = _parse(published_batch(6), accept_suggested_date=True)
    caseimport.preview_import(session, users["officer"], pf)
    assert [r.action for r in pf.rows] == ["new"] * 6 and _count(session) == 0
    summary = caseimport.apply_import(session, users["officer"], pf)
    session.commit()
    assert summary.as_dict() == {"imported": 6, "updated": 0, "unchanged": 0, "rejected": 0, "warnings": 0,
                                 "republished": 0}
    stored = session.scalars(select(Case).order_by(Case.id)).all()
    assert [c.case_no for c in stored] == [r.values["case_no"] for r in pf.rows]
    assert stored[0].batch == 3 and stored[0].handed_over_on == dt.date(2024, 5, 24)
    res = session.get(CaseResult, stored[0].id)
    assert res is not None and res.feedback_due == dt.date(2024, 6, 3)
    assert [e.action for e in audit.history(session, "case", stored[0].id)] == ["import"]


def test_reimporting_the_same_file_changes_nothing(session, users) -> None:
    data = published_batch(5)
    import_batch(session, users["officer"], data, "b.xlsx")
    session.commit()
    events = _count(session, AuditEvent)
    updated_at = [c.updated_at for c in session.scalars(select(Case).order_by(Case.id))]
    _, summary = import_batch(session, users["officer"], data, "b.xlsx")
    session.commit()
    assert summary.as_dict() == {"imported": 0, "updated": 0, "unchanged": 5, "rejected": 0, "warnings": 0,
                                 "republished": 0}
    assert _count(session) == 5 and _count(session, AuditEvent) == events
    assert [c.updated_at for c in session.scalars(select(Case).order_by(Case.id))] == updated_at


def test_changed_row_is_an_update_naming_the_changed_fields(session, users) -> None:
    rows = make_rows(3)
    import_batch(session, users["officer"], xlsx_bytes(CORE, rows), "b.xlsx", batch=1)
    session.commit()
    old_region = rows[1]["行政区域"]
    rows[1]["行政区域"] = "黄骅市"
    rows[1]["是否属实"] = "部分属实"
    rows[2]["受理编号"] += "*"  # re-published with the 重点关注 star: the same case
    pf, summary = import_batch(session, users["officer"], xlsx_bytes(CORE, rows), "b.xlsx", batch=1)
    session.commit()
    assert (summary.imported, summary.updated, summary.unchanged) == (0, 2, 1)
    assert set(pf.rows[1].changed) == {"region_text", "county_adcode", "counties", "truthfulness",
                                       "truthfulness_text"}
    assert set(pf.rows[2].changed) == {"case_no", "key_attention"}
    case = session.get(Case, pf.rows[1].case_id)
    assert case.county_adcode == "130983" and session.get(CaseResult, case.id).truthfulness == "partly"
    assert _count(session) == 3
    ev = audit.history(session, "case", case.id)[-1]
    assert ev.action == "import_update" and ev.after["county_adcode"] == "130983"
    assert ev.before["region_text"] == old_region


def test_same_number_in_another_batch_is_the_same_case_republished(session, users) -> None:
    """Issue #10: matching on (受理编号, batch) made a second copy; the identity is the number
    within the inspection, and the case keeps every batch it was published in."""
    data = xlsx_bytes(CORE, make_rows(2))
    import_batch(session, users["officer"], data, "b.xlsx", batch=1)
    pf, summary = import_batch(session, users["officer"], data, "b.xlsx", batch=2)
    session.commit()
    assert (summary.imported, summary.updated, summary.republished) == (0, 2, 2) and _count(session) == 2
    assert all(r.republished and r.changed == ["batches"] for r in pf.rows)
    assert sorted(session.scalars(select(CaseBatch.batch).distinct())) == [1, 2]
    assert {c.batch for c in session.scalars(select(Case))} == {1}  # first published in batch 1
    _, summary = import_batch(session, users["officer"], data, "b.xlsx", batch=1, inspection="另一督察组")
    session.commit()
    assert summary.imported == 2 and _count(session) == 4  # another inspection: other cases


def test_rejected_rows_are_not_written_the_others_are(session, users) -> None:
    rows = make_rows(4)
    rows[3]["受理编号"] = rows[0]["受理编号"]
    _, summary = import_batch(session, users["officer"], xlsx_bytes(CORE, rows), "b.xlsx", batch=1)
    session.commit()
    assert (summary.imported, summary.rejected, summary.warnings) == (3, 1, 1) and _count(session) == 3


def test_bad_file_writes_nothing(session, users) -> None:
    with pytest.raises(ValidationError):
        import_batch(session, users["officer"], b"\x89PNG\r\n\x1a\n\x00", "x.png")
    session.rollback()
    assert _count(session) == 0


def test_failure_during_apply_leaves_nothing_partly_written(session, users, monkeypatch) -> None:
    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(caseimport.apply, "_event", boom)
    with pytest.raises(RuntimeError):
        import_batch(session, users["officer"], published_batch(4), "b.xlsx")
    session.rollback()
    assert _count(session) == 0 and _count(session, CaseResult) == 0


def test_only_case_officers_and_admins_import(session, users) -> None:
    for name in ("field", "viewer", "super"):
        with pytest.raises(PermissionDenied):
            import_batch(session, users[name], published_batch(1), "b.xlsx")
    assert _count(session) == 0


def test_county_limited_officer_imports_only_their_county(session, users) -> None:
    officer = auth.create_user(session, None, username="off_yh", password="correct horse battery",
                               role="case_officer", counties=["130903"])
    rows = [{"受理编号": "1", "交办问题基本情况": "a", "行政区域": "运河区"},
            {"受理编号": "2", "交办问题基本情况": "b", "行政区域": "青县"},
            {"受理编号": "3", "交办问题基本情况": "c", "行政区域": "不明"}]
    pf, summary = import_batch(session, officer, xlsx_bytes(CORE, rows), "b.xlsx", batch=1)
    session.commit()
    assert [r.action for r in pf.rows] == ["new", "skip", "skip"]
    assert pf.rows[1].rejected[0].key == "cases.row_out_of_scope"
    assert summary.imported == 1 and session.scalars(select(Case.case_no)).all() == ["1"]


def test_deadline_flags() -> None:
    assert case_service.deadline_flag(TODAY - dt.timedelta(days=1), TODAY) == "overdue"
    assert case_service.deadline_flag(TODAY, TODAY) == "due_soon"
    assert case_service.deadline_flag(TODAY + dt.timedelta(days=3), TODAY) == "due_soon"
    assert case_service.deadline_flag(TODAY + dt.timedelta(days=4), TODAY) is None
    assert case_service.deadline_flag(TODAY - dt.timedelta(days=5), TODAY, done=True) is None
    assert case_service.deadline_flag(None, TODAY) is None


def test_feedback_overdue_until_truthfulness_is_recorded(session, users) -> None:
    import_batch(session, users["officer"], published_batch(2, date_title="2024年5月18日"), "a.xlsx",
                 accept_suggested_date=True)
    import_batch(session, users["officer"], published_batch(2, batch_title="第四批", date_title="2024年5月22日",
                                                            seed=5, start=3), "b.xlsx", accept_suggested_date=True)
    session.commit()
    rows = case_service.list_cases(session, users["officer"], today=TODAY)
    flags = {(r.case.batch, r.feedback_flag) for r in rows}
    assert flags == {(3, "overdue"), (4, "due_soon")}  # due 5-28 and 6-1, seen on 5-30
    overdue = case_service.list_cases(session, users["officer"], today=TODAY, flag="overdue")
    assert {r.case.batch for r in overdue} == {3} and len(overdue) == 2
    case_service.set_result(session, users["officer"], overdue[0].case.id, truthfulness="true", facts="经查属实",
                            feedback_days=10)
    session.commit()
    assert len(case_service.list_cases(session, users["officer"], today=TODAY, flag="overdue")) == 1


def test_case_list_respects_county_scope(session, users) -> None:
    rows = [{"受理编号": "1", "交办问题基本情况": "a", "行政区域": "运河区"},
            {"受理编号": "2", "交办问题基本情况": "b", "行政区域": "青县"}]
    import_batch(session, users["officer"], xlsx_bytes(CORE, rows), "b.xlsx", batch=1)
    session.commit()
    assert [r.case.case_no for r in case_service.list_cases(session, users["super_yunhe"])] == ["1"]
    assert len(case_service.list_cases(session, users["viewer"])) == 2


def test_bulk_responsibility_assignment(session, users) -> None:
    import_batch(session, users["officer"], published_batch(4), "b.xlsx")
    session.commit()
    ids = list(session.scalars(select(Case.id).order_by(Case.id)))
    n = case_service.assign_responsibility(session, users["officer"], ids[:3], lead_unit="市生态环境局",
                                           responsible_unit="运河区人民政府", coop_unit="市城管局", person="李某",
                                           phone="0317-1234567", deadline=dt.date(2024, 6, 30))
    session.commit()
    assert n == 3
    got = session.scalars(select(Case).where(Case.id.in_(ids[:3]))).all()
    assert {(c.responsible_unit, c.responsible_person, c.deadline) for c in got} == {
        ("运河区人民政府", "李某", dt.date(2024, 6, 30))}
    assert session.get(CaseResult, ids[0]).coop_unit == "市城管局"
    assert session.get(Case, ids[3]).responsible_unit == ""
    assert audit.history(session, "case", ids[0])[-1].action == "assign"
    # same assignment again: nothing changes, no new events
    events = _count(session, AuditEvent)
    assert case_service.assign_responsibility(session, users["officer"], ids[:3], responsible_unit="运河区人民政府") == 0
    assert _count(session, AuditEvent) == events


def test_bulk_assignment_refusals_change_nothing(session, users) -> None:
    import_batch(session, users["officer"], published_batch(2), "b.xlsx")
    session.commit()
    ids = list(session.scalars(select(Case.id)))
    with pytest.raises(ValidationError) as exc:
        case_service.assign_responsibility(session, users["officer"], ids, person="李某", phone="call me")
    assert exc.value.key == "cases.bad_phone"
    with pytest.raises(ValidationError):
        case_service.assign_responsibility(session, users["officer"], [])
    with pytest.raises(PermissionDenied):
        case_service.assign_responsibility(session, users["field"], ids, person="李某")
    limited = auth.create_user(session, None, username="off_yh2", password="correct horse battery",
                               role="case_officer", counties=["130903"])
    if any(c.county_adcode != "130903" for c in session.scalars(select(Case))):
        with pytest.raises(PermissionDenied):
            case_service.assign_responsibility(session, limited, ids, person="李某")
    session.rollback()
    assert {c.responsible_person for c in session.scalars(select(Case))} == {""}


# --------------------------------------------------------------------------- CLI


def test_cli_import_json_dry_run_and_idempotency(settings, users, tmp_path, monkeypatch, capsys) -> None:
    from field import cli

    monkeypatch.setenv("FIELD_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("FIELD_DATA_DIR", str(settings.data_dir))
    rows = make_rows(5)
    rows[4]["受理编号"] = ""
    rows[4]["交办问题基本情况"] = ""
    rows[4]["行政区域"] = "青县"
    path = tmp_path / "第三批.csv"
    path.write_bytes(csv_bytes(CORE, rows, encoding="gbk", title_rows=["第三批交办件（2024年5月24日）"]))

    def run(*extra: str) -> dict:
        assert cli.main(["import-cases", str(path), "--json", "--user", "officer", *extra]) == 0
        out = capsys.readouterr().out.strip().splitlines()
        assert len(out) == 1
        return json.loads(out[0])

    zero = {"republished": 0}
    assert run("--dry-run") == {"imported": 4, "updated": 0, "unchanged": 0, "rejected": 1, "warnings": 0, **zero}
    assert run() == {"imported": 4, "updated": 0, "unchanged": 0, "rejected": 1, "warnings": 0, **zero}
    assert run() == {"imported": 0, "updated": 0, "unchanged": 4, "rejected": 1, "warnings": 0, **zero}
    assert cli.main(["import-cases", str(path), "--user", "field"]) == 1
    assert "角色" in capsys.readouterr().err
    bad = tmp_path / "x.csv"
    bad.write_bytes(b"\x81\x20\xff\xfe\x80")
    assert cli.main(["--lang", "en", "import-cases", str(bad), "--user", "officer"]) == 1
    assert "encoding" in capsys.readouterr().err

