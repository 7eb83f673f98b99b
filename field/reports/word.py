"""The .docx of a report: what the offices edit, file and send upward.

Built with python-docx from `Figures` only (no query here), so every number printed is one the
figures test checks. Choices an office would otherwise fix by hand:
- Chinese text: each run's East Asian font is set on `w:rFonts/@w:eastAsia` (python-docx's
  `font.name` only sets the Latin slots, so Word would fall back to a Western font for 汉字).
  宋体 for the body and 黑体 for headings, the usual 公文 faces, with Times New Roman for Latin.
- Headings are numbered in the text the way Chinese official documents are (一、二、…) and use
  Word's Heading styles, so the navigation pane and a table of contents still work.
- Table header rows carry `w:tblHeader`, so Word repeats them on every page a table spans.
- The footer holds a PAGE field; the first lines give the period, the scope and the generation
  time; 下一步工作 is a highlighted placeholder for a person's words, never invented text.
- Charts are drawn with matplotlib using the CJK font the PDF sheets use
  (`field.exports.sheets.fonts`), so a missing font is the same clear error naming FIELD_PDF_FONT.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.run import Run

from field import geo
from field.domain.errors import FieldError
from field.domain.vocab import (
    ACCOUNTABILITY_MEASURES,
    DECISION_STATUS,
    MEASURE_PROGRESS,
    POLLUTION_TYPES,
    STATUS,
)
from field.exports.sheets import fonts
from field.i18n import t
from field.reports.figures import Figures

BODY_FONT, HEADING_FONT, LATIN_FONT = "宋体", "黑体", "Times New Roman"
_ZH_NUM = "〇一二三四五六七八九十"


def _fmt_rate(v: float | None) -> str:
    return "—" if v is None else f"{v:.1f}%"


def set_run_font(run: Run, east_asia: str = BODY_FONT, latin: str = LATIN_FONT, size: float | None = None,
                 bold: bool | None = None) -> None:
    run.font.name = latin
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        rfonts.set(qn(attr), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)
    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold


def _style_fonts(doc: Any) -> None:
    for name, east in (("Normal", BODY_FONT), ("Title", HEADING_FONT), ("Heading 1", HEADING_FONT),
                       ("Heading 2", HEADING_FONT)):
        style = doc.styles[name]
        style.font.name = LATIN_FONT
        rpr = style.element.get_or_add_rPr()
        rfonts = rpr.find(qn("w:rFonts"))
        if rfonts is None:
            rfonts = OxmlElement("w:rFonts")
            rpr.insert(0, rfonts)
        rfonts.set(qn("w:eastAsia"), east)
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            rfonts.attrib.pop(qn(attr), None)
    doc.styles["Normal"].font.size = Pt(12)


def _page_number_footer(doc: Any, lang: str) -> None:
    """'第 N 页' with N a PAGE field Word fills in on every page."""
    para = doc.sections[0].footer.paragraphs[0]
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    before, _, after = t("report.page", lang, page="\x00").partition("\x00")
    set_run_font(para.add_run(before), size=10.5)
    run = para.add_run()
    set_run_font(run, size=10.5)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind is not None:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            run._element.append(el)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._element.append(instr)
        else:
            txt = OxmlElement("w:t")
            txt.text = text
            run._element.append(txt)
    set_run_font(para.add_run(after), size=10.5)


class Writer:
    def __init__(self, lang: str):
        self.lang = lang
        self.sections = 0
        self.doc = Document()
        sec = self.doc.sections[0]
        sec.page_width, sec.page_height = Cm(21), Cm(29.7)  # A4
        sec.left_margin = sec.right_margin = Cm(2.6)
        _style_fonts(self.doc)
        _page_number_footer(self.doc, lang)

    def title(self, text: str) -> None:
        p = self.doc.add_paragraph(style="Title")
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        set_run_font(p.add_run(text), HEADING_FONT, size=20, bold=True)

    def heading(self, text: str, level: int = 1, *, numbered: bool = True) -> None:
        """Level-1 headings numbered 一、二、… (zh) or 1. 2. … (en), counted as they are written,
        so a section a kind leaves out leaves no gap."""
        if level == 1 and numbered:
            self.sections += 1
            n = self.sections
            text = f"{_ZH_NUM[n] if n < len(_ZH_NUM) else n}、{text}" if self.lang == "zh" else f"{n}. {text}"
        h = self.doc.add_heading(level=level)
        set_run_font(h.add_run(text), HEADING_FONT, size=16 if level == 1 else 14)

    def para(self, text: str, *, placeholder: bool = False, size: float | None = None) -> None:
        p = self.doc.add_paragraph()
        run = p.add_run(text)
        set_run_font(run, size=size)
        if placeholder:
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
            run.font.bold = True

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        table = self.doc.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        hdr = table.rows[0]
        trpr = hdr._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        trpr.append(repeat)
        for cell, text in zip(hdr.cells, headers, strict=True):
            cell.paragraphs[0].text = ""
            set_run_font(cell.paragraphs[0].add_run(str(text)), HEADING_FONT, size=10.5, bold=True)
        for row in rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                set_run_font(cell.paragraphs[0].add_run("" if value is None else str(value)), size=10.5)
        self.doc.add_paragraph()

    def image(self, png: bytes, width_cm: float = 15.5) -> None:
        self.doc.add_picture(io.BytesIO(png), width=Cm(width_cm))

    def bytes(self) -> bytes:
        buf = io.BytesIO()
        self.doc.save(buf)
        return buf.getvalue()


def chart_font(configured: str) -> str:
    """Path of the CJK font for charts, or the FIELD_PDF_FONT error."""
    try:
        return str(fonts.require_cjk_font(configured).path)
    except FieldError as exc:
        raise FieldError("report.no_font", env=fonts.FONT_ENV) from exc


def bar_chart(title: str, labels: list[str], series: dict[str, list[int]], font_path: str) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    fp = FontProperties(fname=font_path)
    fig = Figure(figsize=(8, 3.6), dpi=120)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    n = max(len(series), 1)
    width = 0.8 / n
    for i, (name, values) in enumerate(series.items()):
        ax.bar([x + i * width for x in range(len(labels))], values, width=width, label=name)
    ax.set_xticks([x + width * (n - 1) / 2 for x in range(len(labels))])
    ax.set_xticklabels(labels, fontproperties=fp, fontsize=8)
    ax.set_title(title, fontproperties=fp)
    if series:
        ax.legend(prop=fp)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def render(fig: Figures, *, lang: str, county_names: dict[str, str], generated_at: dt.datetime,
           font_path: str, map_png: bytes | None = None,
           annex: tuple[list[str], list[list[Any]]] | None = None) -> bytes:
    """The report as .docx bytes; `kind` decides which sections are in it (one code path)."""
    w = Writer(lang)
    kind = t(f"report.kind.{fig.kind}", lang)
    whole = geo.region_key("report.scope_city")  # 全市, or 全省 in a province deployment
    unit_col = t("report.c.city" if fig.level == "city" else "report.c.county", lang)
    scope = t(whole, lang) if fig.counties is None else \
        "、".join(county_names.get(c, c) for c in fig.counties)
    w.title(t("report.title", lang, kind=kind))
    w.para(t("report.period", lang, start=fig.period_start, end=fig.period_end, scope=scope))
    w.para(t("report.generated", lang, at=f"{generated_at:%Y-%m-%d %H:%M}", version=fig.data_version.get("digest", "")))
    county: Callable[[str], str] = lambda c: county_names.get(c, c) if c else t(whole, lang)  # noqa: E731
    rate = _fmt_rate

    if fig.kind == "dispatch":  # 每次例会听取上次会议落实情况: the pack opens with it
        _decisions(w, fig, lang)

    w.heading(t("report.h.overview", lang))
    if fig.empty:
        w.para(t("report.no_data", lang))
    w.para(t("report.s.cases", lang, end=fig.period_end, total=fig.cases_total, new=fig.cases_new,
             closed=fig.cases_closed, closed_here=fig.cases_closed_in_period, closed_rate=rate(fig.closed_rate),
             on_time_rate=rate(fig.on_time_rate),
             unfounded=fig.cases_unfounded, unfounded_rate=rate(fig.unfounded_rate), overdue=fig.cases_overdue,
             late=fig.cases_feedback_late))
    g = fig.measures_groups
    w.para(t("report.s.measures", lang, total=fig.measures_total, completed=g.get("completed", 0),
             on_schedule=g.get("on_schedule", 0), behind=g.get("behind", 0), not_started=g.get("not_started", 0),
             standing=g.get("standing", 0)))
    w.para(t("report.s.findings", lang, total=fig.findings_total, new=fig.findings_new,
             closed_here=fig.findings_closed_in_period, rebound=fig.rebound,
             days=fig.wait_days, waiting=fig.waiting_signoff))

    w.heading(t("report.h.cases", lang))
    w.table([unit_col, t("report.c.cases", lang), t("report.c.findings", lang)],
            [[county(c), fig.cases_by_county.get(c, 0), fig.findings_by_county.get(c, 0)]
             for c in sorted(set(fig.cases_by_county) | set(fig.findings_by_county))])
    w.table([t("report.c.type", lang), t("report.c.cases", lang), t("report.c.findings", lang)],
            [[POLLUTION_TYPES.label(c, lang), fig.cases_by_type.get(c, 0), fig.findings_by_type.get(c, 0)]
             for c in POLLUTION_TYPES.codes if fig.cases_by_type.get(c) or fig.findings_by_type.get(c)])
    w.table([t("report.c.status", lang), t("report.c.count", lang)],
            [[STATUS.label(c, lang), fig.findings_by_status.get(c, 0)] for c in STATUS.codes])

    w.heading(t("report.h.measures", lang))
    w.table([t("report.c.status", lang), t("report.c.count", lang)],
            [[MEASURE_PROGRESS.label(c, lang), n] for c, n in fig.measures_by_status.items()])
    if fig.kind == "weekly":
        w.heading(t("report.t.schedule_change", lang), 2)
        w.para(t("report.s.schedule_change", lang, since=fig.schedule_since, worse=fig.schedule_worse,
                 better=fig.schedule_better))
        if fig.schedule_changes:
            w.table([t("report.c.unit", lang), t("report.c.measure", lang), t("report.c.before", lang),
                     t("report.c.after", lang), t("report.c.change", lang)],
                    [[c.unit, c.content, MEASURE_PROGRESS.label(c.before, lang), MEASURE_PROGRESS.label(c.after, lang),
                      t("report.change.worse" if c.worse else "report.change.better", lang)]
                     for c in sorted(fig.schedule_changes, key=lambda c: (not c.worse, c.unit, c.id))])
    if fig.kind == "monthly":
        groups = ("completed", "on_schedule", "behind", "not_started", "standing")
        w.table([unit_col] + [t(f"report.c.{x}", lang) for x in groups],
                [[county(c)] + [v.get(x, 0) for x in groups] for c, v in fig.measures_by_county.items()])
        w.image(bar_chart(t("report.chart.measures", lang),
                          [MEASURE_PROGRESS.label(c, lang) for c in fig.measures_by_status],
                          {t("report.c.count", lang): list(fig.measures_by_status.values())}, font_path))

    w.heading(t("report.h.units", lang))
    w.para(t("report.s.units", lang, week=fig.report_week, n=len(fig.units_missing), reports=fig.reports_in_period,
             late=fig.reports_late_in_period))
    if fig.units_missing:
        w.table([t("report.c.unit", lang), t("report.c.missing", lang)], sorted(fig.units_missing.items()))

    if fig.kind in ("dispatch", "weekly"):
        w.heading(t("report.h.dispatch", lang))
        _case_table(w, t("report.t.overdue", lang), sorted(fig.overdue_cases, key=lambda c: (c.unit, c.case_no)),
                    county, lang)
        if fig.kind == "dispatch":
            w.heading(t("report.t.behind", lang), 2)
            if fig.behind_measures:
                w.table([t("report.c.unit", lang), t("report.c.person", lang), t("report.c.deadline", lang),
                         t("report.c.measure", lang), t("report.c.percent", lang)],
                        [[m.unit, m.person, m.deadline or "", m.content, "" if m.percent is None else m.percent]
                         for m in sorted(fig.behind_measures, key=lambda m: (m.unit, m.id))])
            else:
                w.para(t("report.none", lang))
            _case_table(w, t("report.t.key", lang), fig.key_cases, county, lang)
            w.heading(t("report.t.rebound", lang), 2)
            w.para(", ".join(f"#{i}" for i in fig.rebound_ids) or t("report.none", lang))
            w.heading(t("report.t.waiting", lang, days=fig.wait_days), 2)
            w.para(", ".join(f"#{i}" for i in fig.waiting_ids) or t("report.none", lang))
            if map_png is not None:
                w.heading(t("report.h.map", lang), 2)
                w.image(map_png)

    w.heading(t("report.h.accountability", lang))
    w.para(t("report.s.acc", lang, people=fig.acc_people, talks=fig.acc_talks, fines=fig.acc_fines_wan,
             period=fig.acc_period_people))
    w.table([t("report.c.acc_measure", lang), t("report.c.count", lang)],
            [[ACCOUNTABILITY_MEASURES.label(c, lang), fig.acc_by_measure.get(c, 0)]
             for c in ACCOUNTABILITY_MEASURES.codes])

    w.heading(t("report.h.trend", lang))
    w.table([t("report.c.week", lang), t("report.c.new_cases", lang), t("report.c.new_findings", lang)],
            [[x["week"], x["cases_new"], x["findings_new"]] for x in fig.trend])
    w.image(bar_chart(t("report.chart.trend", lang), [x["week"][5:] for x in fig.trend],
                      {t("report.c.new_cases", lang): [x["cases_new"] for x in fig.trend],
                       t("report.c.new_findings", lang): [x["findings_new"] for x in fig.trend]}, font_path))

    w.heading(t("report.h.next", lang))
    w.para(t("report.placeholder", lang, what=t("report.next_what", lang)), placeholder=True)

    if annex is not None:
        w.heading(t("report.h.annex", lang), numbered=False)
        headers, rows = annex
        w.table(headers, rows)
    return w.bytes()


def _decisions(w: Writer, fig: Figures, lang: str) -> None:
    w.heading(t("report.h.decisions", lang))
    if fig.decisions_meeting is None:
        w.para(t("report.s.no_decisions", lang))
        return
    n = fig.decisions_by_state
    w.para(t("report.s.decisions", lang, meeting=fig.decisions_meeting, total=len(fig.decisions),
             done=n.get("done", 0), in_progress=n.get("in_progress", 0), open=n.get("open", 0),
             overdue=n.get("overdue", 0)))
    w.table([t("report.c.meeting", lang), t("report.c.decision", lang), t("report.c.unit", lang),
             t("report.c.person", lang), t("report.c.deadline", lang), t("report.c.state", lang),
             t("report.c.unit_report", lang)],
            [[d.meeting_on, d.content, d.unit, d.person, d.deadline, DECISION_STATUS.label(d.state, lang),
              d.progress_text] for d in fig.decisions])


def _case_table(w: Writer, title: str, cases: Sequence[Any], county: Callable[[str], str], lang: str) -> None:
    w.heading(title, 2)
    if not cases:
        w.para(t("report.none", lang))
        return
    w.table([t("report.c.unit", lang), t("report.c.person", lang), t("report.c.deadline", lang),
             t("report.c.case_no", lang), t("report.c.county", lang), t("report.c.content", lang)],
            [[c.unit, c.person, c.deadline or "", c.case_no, county(c.county or ""), c.content] for c in cases])
