"""Problems, measures and the 3 ledgers / 4 lists / 公开情况一览表: content, order, scope, export."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from field.data.models import Case
from field.domain.errors import PermissionDenied, ValidationError
from field.services import audit, findings, ledgers
from field.services.findings import FindingInput, Location
from field.services.ledgers import MeasureInput, ProblemInput
from tests.fixtures_cases import CORE, import_batch, xlsx_bytes

TODAY = dt.date(2024, 6, 10)
PUBLISHED = ["序号", "受理编号", "交办问题基本情况", "行政区域", "污染类型", "调查核实情况", "是否属实", "处理和整改情况",
             "责任人被处理情况"]


def _cases(session, user) -> list[Case]:
    rows = [{"受理编号": "D3JX202405240001*", "交办问题基本情况": "运河区某餐馆油烟扰民", "行政区域": "运河区",
             "污染类型": "大气、噪声"},
            {"受理编号": "X3JX202405240002", "交办问题基本情况": "=HYPERLINK(\"http://x\")", "行政区域": "青县",
             "污染类型": "水"},
            {"受理编号": "D3JX202405240003", "交办问题基本情况": "黄骅某厂固废堆放", "行政区域": "黄骅市",
             "污染类型": "固废", "是否属实": "属实", "调查核实情况": "经查属实", "处理和整改情况": "已清运",
             "责任人被处理情况": "约谈1人"}]
    import_batch(session, user, xlsx_bytes(CORE, rows, title_rows=["第一批（2024年5月24日）"]), "b.xlsx",
                 accept_suggested_date=True)
    import_batch(session, user, xlsx_bytes(CORE, [{"受理编号": "9", "交办问题基本情况": "第二批的件",
                                                   "行政区域": "运河区"}]), "c.xlsx", batch=2)
    session.commit()
    return list(session.scalars(select(Case).order_by(Case.id)))


def _problem(session, user, county=None, **kw) -> ledgers.Problem:
    p = ledgers.create_problem(session, user, ProblemInput(
        title=kw.pop("title", "部分区域散乱污企业整治不彻底"), code=kw.pop("code", "1"), aspect="大气污染防治",
        target="年底前全部整治到位", county_adcode=county, lead_unit="市生态环境局", responsible_unit="各县（市、区）政府",
        responsible_person="张某", responsible_phone="0317-2000000", deadline=kw.pop("deadline", dt.date(2024, 12, 31)),
        **kw))
    session.commit()
    return p


def _read(data: bytes) -> list[list]:
    ws = load_workbook(io.BytesIO(data)).active
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_problem_with_measures_progress_and_links(session, users, rt) -> None:
    officer = users["officer"]
    p = _problem(session, officer, county="130903")
    m1 = ledgers.add_measure(session, officer, p.id, MeasureInput(content="开展拉网式排查", deadline=dt.date(2024, 6, 1)))
    m2 = ledgers.add_measure(session, officer, p.id, MeasureInput(content="建立长效监管机制", progress="standing"))
    session.commit()
    assert (m1.seq, m2.seq, m1.progress) == (1, 2, "not_started")
    ledgers.update_measure(session, officer, m1.id, progress="rectified", progress_text="已排查120家")
    with pytest.raises(ValidationError) as exc:
        ledgers.update_measure(session, officer, m1.id, progress="done-ish")
    assert exc.value.key == "ledger.bad_progress"
    with pytest.raises(ValidationError):
        ledgers.add_measure(session, officer, p.id, MeasureInput(content="  "))
    all_cases = _cases(session, officer)
    assert ledgers.link_case(session, officer, p.id, all_cases[0].id) is True
    assert ledgers.link_case(session, officer, p.id, all_cases[0].id) is False
    f = findings.create_finding(session, users["field"], FindingInput(
        description="露天堆放", pollution_types=["air"], location=Location(116.84, 38.29, "typed"), site_name="某厂"))
    assert ledgers.link_finding(session, officer, p.id, f.id) is True
    session.commit()
    assert [e.action for e in audit.history(session, "measure", m1.id)] == ["create", "update"]
    led = ledgers.build_ledger(session, officer, "list_problems", today=TODAY)
    assert led.rows[0][led.columns.index("cases_linked")] == 1
    assert led.rows[0][led.columns.index("findings_linked")] == 1
    eff = ledgers.build_ledger(session, officer, "list_effect", today=TODAY)
    assert eff.rows[0][eff.columns.index("completed")] == "是"  # rectified + standing
    meas = ledgers.build_ledger(session, officer, "measures", today=TODAY)
    assert [r[meas.columns.index("progress")] for r in meas.rows] == ["完成整改", "长期坚持"]


def test_problem_refusals(session, users) -> None:
    with pytest.raises(ValidationError):
        ledgers.create_problem(session, users["officer"], ProblemInput(title=" "))
    with pytest.raises(ValidationError):
        ledgers.create_problem(session, users["officer"], ProblemInput(title="x", county_adcode="999999"))
    with pytest.raises(ValidationError) as exc:
        ledgers.create_problem(session, users["officer"], ProblemInput(title="x", responsible_phone="abc"))
    assert exc.value.key == "cases.bad_phone"
    with pytest.raises(PermissionDenied):
        ledgers.create_problem(session, users["field"], ProblemInput(title="x"))


def test_public_table_has_the_published_columns_in_order_for_one_batch(session, users) -> None:
    _cases(session, users["officer"])
    data = ledgers.export_xlsx(session, users["officer"], "public", batch=1, today=TODAY)
    rows = _read(data)
    assert rows[0][0] == "第一批交办件公开情况一览表（2024年5月24日）"  # the batch as published
    assert rows[1] == PUBLISHED
    body = rows[2:]
    assert [r[0] for r in body] == [1, 2, 3]
    assert [r[1] for r in body] == ["D3JX202405240001*", "X3JX202405240002", "D3JX202405240003"]
    assert body[0][4] == "大气、噪声" and body[0][3] == "运河区"
    assert body[2][5:] == ["经查属实", "属实", "已清运", "约谈1人"]


def test_text_starting_with_equals_is_exported_as_text(session, users) -> None:
    case = _cases(session, users["officer"])[1]
    assert case.content == ""  # the importer does not take formulas...
    case.content = "=HYPERLINK(\"http://x\")"  # ...but typed text may still start with "="
    session.commit()
    data = ledgers.export_xlsx(session, users["officer"], "public", batch=1)
    ws = load_workbook(io.BytesIO(data)).active
    cell = ws.cell(row=4, column=3)
    assert cell.value == "=HYPERLINK(\"http://x\")" and cell.data_type == "s"


def test_exports_hold_only_the_users_counties(session, users) -> None:
    officer = users["officer"]
    _cases(session, officer)
    _problem(session, officer, county="130903", code="1")
    _problem(session, officer, county="130922", code="2", title="青县某问题")
    _problem(session, officer, county=None, code="3", title="全市性问题")
    for kind in ("petitions", "public", "problems", "list_problems"):
        everything = _read(ledgers.export_xlsx(session, users["viewer"], kind))[2:]
        mine = _read(ledgers.export_xlsx(session, users["super_yunhe"], kind))[2:]
        assert 0 < len(mine) < len(everything), kind
        text = " ".join(str(v) for r in mine for v in r if v is not None)
        assert "青县" not in text and "黄骅" not in text, kind
    petitions = ledgers.build_ledger(session, users["super_yunhe"], "petitions")
    assert {r[petitions.columns.index("case_no")] for r in petitions.rows} == {"D3JX202405240001*", "9"}
    with pytest.raises(PermissionDenied):
        ledgers.export_xlsx(session, users["field"], "petitions")


def test_every_kind_builds_and_exports_with_its_headers(session, users) -> None:
    officer = users["officer"]
    _cases(session, officer)
    p = _problem(session, officer, county="130903", deadline=dt.date(2024, 6, 12))
    ledgers.add_measure(session, officer, p.id, MeasureInput(content="整治", deadline=dt.date(2024, 6, 1),
                                                             responsible_unit="运河区政府"))
    session.commit()
    for kind in ledgers.KINDS:
        for lang in ("zh", "en"):
            led = ledgers.build_ledger(session, officer, kind, lang=lang, today=TODAY)
            rows = _read(ledgers.export_xlsx(session, officer, kind, lang=lang, today=TODAY))
            assert rows[1] == led.headers(lang) and len(rows) - 2 == len(led.rows) > 0, (kind, lang)
    meas = ledgers.build_ledger(session, officer, "measures", today=TODAY)
    row = meas.rows[0]
    assert row[meas.columns.index("flag")] == "超期"
    assert row[meas.columns.index("responsible_unit")] == "运河区政府"
    assert row[meas.columns.index("person")] == "张某"  # inherited from the problem
    probs = ledgers.build_ledger(session, officer, "problems", today=TODAY)
    assert probs.rows[0][probs.columns.index("flag")] == "3日内到期"
    with pytest.raises(ValidationError):
        ledgers.build_ledger(session, officer, "nonsense")


def test_petition_ledger_flags_and_labels(session, users) -> None:
    _cases(session, users["officer"])
    led = ledgers.build_ledger(session, users["officer"], "petitions", lang="en", today=dt.date(2024, 6, 5))
    col = {c: i for i, c in enumerate(led.columns)}
    by_no = {r[col["case_no"]]: r for r in led.rows}
    first = by_no["D3JX202405240001*"]
    assert first[col["feedback_due"]] == dt.date(2024, 6, 3) and first[col["flag"]] == "Overdue"
    assert first[col["key"]] == "Yes" and first[col["receive"]] == "Phone"
    answered = by_no["D3JX202405240003"]
    assert answered[col["flag"]] == "" and answered[col["truthfulness"]] == "True"


def test_cli_export_ledger(settings, users, session, tmp_path, monkeypatch, capsys) -> None:
    from field import cli

    _cases(session, users["officer"])
    monkeypatch.setenv("FIELD_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("FIELD_DATA_DIR", str(settings.data_dir))
    out = tmp_path / "out.xlsx"
    assert cli.main(["export-ledger", "petitions", str(out), "--user", "super_yunhe"]) == 0
    rows = _read(out.read_bytes())
    assert rows[0][0] == "信访问题台账" and len(rows) == 4
    assert cli.main(["export-ledger", "petitions", str(out), "--user", "field"]) == 1
