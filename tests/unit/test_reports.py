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
from field.services.findings import MapFilter
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


FILTERS = {
    "status": MapFilter(statuses=("pending", "rectifying", "reopened")),
    "type": MapFilter(types=("water", "noise")),
    "county": MapFilter(counties=("130903", "130921")),
    "batch": MapFilter(batches=(2, 4)),
    "overdue": MapFilter(overdue=True),
    "key": MapFilter(key_attention=True),
    "all": MapFilter(statuses=("pending", "rectifying", "awaiting_signoff"), types=("air", "water", "noise"),
                     counties=("130903",), batches=(1, 2, 3), overdue=True),
}


@pytest.mark.parametrize("kind", ["weekly", "monthly"])
@pytest.mark.parametrize("name", list(FILTERS))
def test_filtered_figures_equal_an_independent_count(session, seeded, kind, name) -> None:
    """The dashboard's filter (the map's) narrows every figure in SQL: each is recounted from the
    rows with the same filter, and the filter really removes something."""
    flt = FILTERS[name]
    fig = figures.compute(session, seeded["admin"], kind, DAY, flt=flt)
    ref = reference(session, kind, DAY, list(flt.counties) or None, flt=flt)
    got = figures_subset(fig)
    got["findings_by_status"] = {k: v for k, v in got["findings_by_status"].items() if v}
    assert got == ref
    whole = figures.compute(session, seeded["admin"], kind, DAY)
    assert 0 < fig.findings_total < whole.findings_total
    assert fig.cases_total < whole.cases_total or name == "status" and fig.cases_total > 0
    assert sum(fig.findings_by_batch.values()) == fig.findings_total == sum(fig.findings_by_county.values())
    assert sum(fig.cases_by_batch.values()) == fig.cases_total
    if flt.statuses:
        assert set(fig.findings_by_status) <= set(flt.statuses)
    if flt.batches:
        assert set(fig.cases_by_batch) <= {str(b) for b in flt.batches}


def test_no_filter_is_the_report(session, seeded) -> None:
    """The default filter changes nothing: a printed report's figures stay as they were."""
    plain = figures.compute(session, seeded["admin"], "dispatch", DAY)
    empty = figures.compute(session, seeded["admin"], "dispatch", DAY, flt=MapFilter())
    assert plain.as_dict() == empty.as_dict()
    assert plain.cases_by_batch == reference(session, "dispatch", DAY, None)["cases_by_batch"]


def test_filter_county_outside_scope_is_refused(session, seeded) -> None:
    with pytest.raises(PermissionDenied) as exc:
        figures.compute(session, seeded["super_yunhe"], "weekly", DAY, flt=MapFilter(counties=("130902",)))
    assert exc.value.key == "report.county_out_of_scope"


def test_schedule_change_since_last_week(session, users, settings) -> None:
    """One measure behind last week and ahead now, one on schedule last week and behind now (its
    deadline passed), one first reported this week: the weekly report lists each with its move."""
    from field.data.ledger_models import Measure, MeasureReport, Problem
    from field.domain import clock

    p = Problem(title="整改问题A", deadline=dt.date(2024, 12, 31))
    session.add(p)
    session.flush()
    start = dt.date(2024, 1, 1)
    ups = Measure(problem_id=p.id, seq=1, content="措施-提升", responsible_unit="市水务局", start_date=start,
                  deadline=dt.date(2024, 12, 31), progress="in_progress", percent=90)
    downs = Measure(problem_id=p.id, seq=2, content="措施-转差", responsible_unit="市住建局", start_date=start,
                    deadline=dt.date(2024, 5, 16), progress="in_progress", percent=99)
    fresh = Measure(problem_id=p.id, seq=3, content="措施-首报", responsible_unit="市城管局", start_date=start,
                    deadline=dt.date(2024, 12, 31), progress="in_progress", percent=40)
    same = Measure(problem_id=p.id, seq=4, content="措施-不变", responsible_unit="市城管局", start_date=start,
                   deadline=dt.date(2024, 12, 31), progress="in_progress", percent=40)
    session.add_all([ups, downs, fresh, same])
    session.flush()
    at = lambda d: dt.datetime.combine(d, dt.time(10), tzinfo=clock.CHINA_TZ)  # noqa: E731
    for m, day, pct in [(ups, dt.date(2024, 5, 10), 10), (ups, dt.date(2024, 5, 17), 90),
                        (downs, dt.date(2024, 5, 6), 99), (fresh, dt.date(2024, 5, 17), 40),
                        (same, dt.date(2024, 5, 6), 40)]:
        session.add(MeasureReport(measure_id=m.id, unit=m.responsible_unit, week=day - dt.timedelta(days=day.weekday()),
                                  stage="in_progress", percent=pct, reported_at=at(day)))
    session.commit()
    fig = figures.compute(session, users["admin"], "weekly", DAY)
    moves = {c.content: (c.before, c.after, c.worse) for c in fig.schedule_changes}
    assert moves == {"措施-提升": ("behind", "ahead", False), "措施-转差": ("on_schedule", "behind", True),
                     "措施-首报": ("not_started", "on_schedule", False)}
    assert (fig.schedule_since, fig.schedule_worse, fig.schedule_better) == (dt.date(2024, 5, 13), 1, 2)
    assert sorted((c.id, c.before, c.after) for c in fig.schedule_changes) == \
        reference(session, "weekly", DAY, None)["schedule_changes"]
    made = reports.generate(session, users["admin"], "weekly", DAY, settings=settings)
    text = _text(Document(io.BytesIO(made.docx)))
    assert "与上周（2024-05-13）相比，转差（如转为未达到序时进度）的措施 1 项，进度提升的措施 2 项。" in text
    assert "措施-转差" in text and "转差" in text and "措施-不变" not in text
    wb = load_workbook(io.BytesIO(made.xlsx))
    assert "序时进度较上周变化" in wb.sheetnames


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
    if kind == "dispatch":  # opens with the previous meeting's decisions (none recorded here)
        assert headings.pop(0) == "一、上次调度会议定事项落实情况" and "此前调度会未记录议定事项。" in _text(doc)
        assert headings[0] == "二、总体情况" and "六、调度事项" in headings
    else:
        assert headings[0] == "一、总体情况" and headings[1] == "二、交办件办理情况"
        assert ("五、调度事项" in headings) == (kind == "weekly")
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
