"""The reports: figures recomputed independently, the three .docx kinds read back, the archive,
scope refusal, an empty period, a missing font, and the CLI."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from field import reports
from field.domain.errors import FieldError, PermissionDenied
from field.reports import figures
from tests.report_factory import figures_subset, reference, seed

DAY = dt.date(2024, 5, 20)


@pytest.fixture
def seeded(session, users):
    seed(session, users["admin"].id)
    session.commit()
    return users


def test_periods() -> None:
    assert figures.period_for("weekly", DAY) == figures.Period("weekly", dt.date(2024, 5, 14), DAY)
    assert figures.period_for("dispatch", dt.date(2024, 5, 15)).start == dt.date(2024, 5, 1)
    p = figures.period_for("dispatch", dt.date(2024, 2, 16))
    assert (p.start, p.end) == (dt.date(2024, 2, 16), dt.date(2024, 2, 29))
    m = figures.period_for("monthly", DAY)
    assert (m.start, m.end) == (dt.date(2024, 5, 1), dt.date(2024, 5, 31))


@pytest.mark.parametrize("kind", figures.KINDS)
@pytest.mark.parametrize("county", [None, "130903"])
def test_figures_equal_an_independent_count(session, seeded, kind, county) -> None:
    fig = figures.compute(session, seeded["admin"], kind, DAY, county=county)
    ref = reference(session, kind, DAY, None if county is None else [county])
    got = figures_subset(fig)
    got["findings_by_status"] = {k: v for k, v in got["findings_by_status"].items() if v}
    assert got == ref
    assert fig.cases_total > 0 and fig.measures_total > 0
    again = figures.compute(session, seeded["admin"], kind, DAY, county=county)
    assert again.as_dict() == fig.as_dict()  # same data, same period: same numbers and data version


def test_data_version_moves_with_the_data(session, seeded) -> None:
    v1 = figures.data_version(session)
    from field.data.ledger_models import Measure

    m = session.get(Measure, 1)
    m.percent = 77
    session.commit()
    v2 = figures.data_version(session)
    assert v1["digest"] != v2["digest"] and v1["measures"]["count"] == v2["measures"]["count"]


def test_county_outside_scope_is_refused(session, seeded) -> None:
    with pytest.raises(PermissionDenied) as exc:
        figures.compute(session, seeded["super_yunhe"], "weekly", DAY, county="130902")
    assert exc.value.key == "report.county_out_of_scope"
    fig = figures.compute(session, seeded["super_yunhe"], "weekly", DAY)  # own scope: fine
    assert fig.counties == ["130903"]
    assert figures_subset(fig) == figures_subset(figures.compute(session, seeded["admin"], "weekly", DAY,
                                                                 county="130903"))
    with pytest.raises(PermissionDenied):
        figures.compute(session, seeded["field"], "weekly", DAY)


def _text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


@pytest.mark.parametrize("kind", figures.KINDS)
def test_docx_of_each_kind(session, seeded, settings, kind) -> None:
    made = reports.generate(session, seeded["admin"], kind, DAY, settings=settings)
    session.commit()
    doc = Document(io.BytesIO(made.docx))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading 1")]
    assert headings[0] == "一、总体情况" and headings[1] == "二、交办件办理情况"
    assert ("五、调度事项" in headings) == (kind != "monthly")
    assert any(h.endswith("下一步工作") for h in headings)
    text = _text(doc)
    fig = made.figures
    ref = reference(session, kind, DAY, None)
    assert f"累计受理交办件 {ref['cases_total']} 件" in text
    assert f"已办结 {ref['cases_closed']} 件" in text
    assert f"超期未办结 {ref['cases_overdue']} 件" in text
    assert f"整改措施共 {ref['measures_total']} 项" in text
    assert f"累计问责 {ref['acc_people']} 人，约谈 {ref['acc_talks']} 人，罚款 {ref['acc_fines_wan']} 万元" in text
    assert "【待填写：" in text  # 下一步工作 is a placeholder, never invented
    assert f"{fig.period_start} 至 {fig.period_end}" in text
    images = [r for r in doc.part.rels.values() if "image" in r.reltype]
    assert len(images) >= (2 if kind != "weekly" else 1)
    assert len(doc.tables) >= 4
    hdr = doc.tables[0].rows[0]._tr
    assert hdr.trPr.find(qn("w:tblHeader")) is not None  # header repeated across pages
    rfonts = doc.paragraphs[0].runs[0]._element.rPr.find(qn("w:rFonts"))
    assert rfonts.get(qn("w:eastAsia")) == "黑体"
    footer_xml = doc.sections[0].footer._element.xml
    assert "PAGE" in footer_xml
    if kind == "monthly":
        assert "附件：整改措施台账" in text and "措施1-1" in text
    wb = load_workbook(io.BytesIO(made.xlsx))
    assert len(wb.sheetnames) >= 10
    first = wb[wb.sheetnames[0]]
    values = {r[0]: r[1] for r in first.iter_rows(min_row=2, values_only=True)}
    assert values["cases_total"] == ref["cases_total"]
    # archived, content-addressed
    rows = reports.list_archive(session, seeded["admin"])
    assert rows[0].sha256 == made.archive.sha256 and rows[0].data_version == fig.data_version
    assert reports.archived_file(session, seeded["admin"], rows[0].id, settings.data_dir) == made.docx


def test_archive_is_scoped(session, seeded, settings) -> None:
    reports.generate(session, seeded["admin"], "weekly", DAY, settings=settings)
    reports.generate(session, seeded["super_yunhe"], "weekly", DAY, settings=settings)
    session.commit()
    assert len(reports.list_archive(session, seeded["admin"])) == 2
    mine = reports.list_archive(session, seeded["super_yunhe"])
    assert [r.scope for r in mine] == [["130903"]]


def test_empty_period_says_so(session, users, settings) -> None:
    made = reports.generate(session, users["admin"], "weekly", DAY, settings=settings)
    text = _text(Document(io.BytesIO(made.docx)))
    assert "本报告无统计数据" in text and made.figures.empty


def test_missing_font_names_the_setting(session, users, settings, monkeypatch) -> None:
    from field.exports.sheets import fonts

    monkeypatch.setattr(fonts, "find_cjk_font", lambda configured="": None)
    with pytest.raises(FieldError) as exc:
        reports.generate(session, users["admin"], "weekly", DAY, settings=settings)
    assert exc.value.key == "report.no_font" and exc.value.params["env"] == "FIELD_PDF_FONT"


def test_english_report(session, seeded, settings) -> None:
    made = reports.generate(session, seeded["admin"], "monthly", DAY, settings=settings, lang="en")
    headings = [p.text for p in Document(io.BytesIO(made.docx)).paragraphs if p.style.name == "Heading 1"]
    assert headings[0] == "1. Overview" and any(h.endswith(". Next steps") for h in headings)


def test_cli_report(rt, seeded, tmp_path, monkeypatch, settings) -> None:
    from field import cli

    monkeypatch.setattr("field.cli.reports._runtime", lambda: rt)
    out = tmp_path / "w.docx"
    assert cli.main(["report", "dispatch", "--date", "2024-05-20", "--out", str(out)]) == 0
    assert out.is_file() and out.with_suffix(".xlsx").is_file()
    doc = Document(str(out))
    assert "半月一调度" in doc.paragraphs[0].text
    assert cli.main(["report", "weekly", "--date", "2024-05-20", "--county", "130902", "--user", "super_yunhe",
                     "--out", str(tmp_path / "x.docx")]) == 1
    assert cli.main(["report", "weekly", "--date", "20-05-2024", "--out", str(out)]) == 2
