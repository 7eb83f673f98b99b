"""The .xlsx annex beside the .docx: the report's tables as data, one sheet each.

Same figures as the Word file (nothing is counted here), written with XlsxWriter like the
ledgers: header frozen, dates as dates, text never turned into a formula.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from field import geo
from field.domain.vocab import (
    ACCOUNTABILITY_MEASURES,
    DECISION_STATUS,
    MEASURE_PROGRESS,
    POLLUTION_TYPES,
    STATUS,
)
from field.i18n import t
from field.reports.figures import Figures


def sheets(fig: Figures, lang: str, county_names: dict[str, str]) -> list[tuple[str, list[str], list[list[Any]]]]:
    """(sheet name, headers, rows) of every table the report prints."""
    county = lambda c: county_names.get(c, c) if c else t(geo.region_key("report.scope_city"), lang)  # noqa: E731
    unit_col = t("report.c.city" if fig.level == "city" else "report.c.county", lang)
    rate = lambda v: "" if v is None else v  # noqa: E731
    summary = [
        ["cases_total", fig.cases_total], ["cases_new", fig.cases_new], ["cases_closed", fig.cases_closed],
        ["cases_closed_on_time", fig.cases_closed_on_time],
        ["cases_closed_in_period", fig.cases_closed_in_period], ["cases_unfounded", fig.cases_unfounded],
        ["cases_overdue", fig.cases_overdue], ["cases_feedback_late", fig.cases_feedback_late],
        ["closed_rate_%", rate(fig.closed_rate)], ["on_time_rate_%", rate(fig.on_time_rate)],
        ["unfounded_rate_%", rate(fig.unfounded_rate)], ["findings_total", fig.findings_total],
        ["findings_new", fig.findings_new], ["findings_closed_in_period", fig.findings_closed_in_period], ["rebound", fig.rebound], ["waiting_signoff", fig.waiting_signoff],
        ["measures_total", fig.measures_total], *[[f"measures_{k}", v] for k, v in fig.measures_groups.items()],
        ["reports_in_period", fig.reports_in_period], ["units_missing", len(fig.units_missing)],
        ["acc_people", fig.acc_people], ["acc_talks", fig.acc_talks], ["acc_fines_wan", float(fig.acc_fines_wan)],
    ]
    groups = ("completed", "on_schedule", "behind", "not_started", "standing")
    extra: list[tuple[str, list[str], list[list[Any]]]] = []
    if fig.kind == "weekly":
        extra.append((t("report.t.schedule_change", lang),
                      [t("report.c.unit", lang), t("report.c.problem", lang), t("report.c.measure", lang),
                       t("report.c.before", lang), t("report.c.after", lang), t("report.c.change", lang)],
                      [[c.unit, c.problem, c.content, MEASURE_PROGRESS.label(c.before, lang),
                        MEASURE_PROGRESS.label(c.after, lang),
                        t("report.change.worse" if c.worse else "report.change.better", lang)]
                       for c in fig.schedule_changes]))
    if fig.kind == "dispatch":
        extra.append((t("report.c.decision", lang),
                      [t("report.c.meeting", lang), t("report.c.decision", lang), t("report.c.unit", lang),
                       t("report.c.person", lang), t("report.c.deadline", lang), t("report.c.state", lang),
                       t("report.c.unit_report", lang)],
                      [[d.meeting_on, d.content, d.unit, d.person, d.deadline, DECISION_STATUS.label(d.state, lang),
                        d.progress_text] for d in fig.decisions]))
    tables: list[tuple[str, list[str], list[list[Any]]]] = [
        (t("report.h.overview", lang), [t("report.c.item", lang), t("report.c.value", lang)], summary),
        (unit_col, [unit_col, t("report.c.cases", lang), t("report.c.findings", lang)],
         [[county(c), fig.cases_by_county.get(c, 0), fig.findings_by_county.get(c, 0)]
          for c in sorted(set(fig.cases_by_county) | set(fig.findings_by_county))]),
        (t("report.c.type", lang), [t("report.c.type", lang), t("report.c.cases", lang), t("report.c.findings", lang)],
         [[POLLUTION_TYPES.label(c, lang), fig.cases_by_type.get(c, 0), fig.findings_by_type.get(c, 0)]
          for c in POLLUTION_TYPES.codes]),
        (t("report.c.status", lang), [t("report.c.status", lang), t("report.c.count", lang)],
         [[STATUS.label(c, lang), fig.findings_by_status.get(c, 0)] for c in STATUS.codes]),
        (t("report.h.measures", lang), [t("report.c.status", lang), t("report.c.count", lang)],
         [[MEASURE_PROGRESS.label(c, lang), n] for c, n in fig.measures_by_status.items()]),
        (unit_col + "-" + t("report.c.measure", lang),
         [unit_col] + [t(f"report.c.{x}", lang) for x in groups],
         [[county(c)] + [v.get(x, 0) for x in groups] for c, v in fig.measures_by_county.items()]),
        (t("report.t.behind", lang), [t("report.c.unit", lang), t("report.c.person", lang), t("report.c.deadline", lang),
                                      t("report.c.problem", lang), t("report.c.measure", lang), t("report.c.percent", lang)],
         [[m.unit, m.person, m.deadline, m.problem, m.content, m.percent] for m in fig.behind_measures]),
        (t("report.t.overdue", lang), [t("report.c.unit", lang), t("report.c.person", lang), t("report.c.deadline", lang),
                                       t("report.c.case_no", lang), t("report.c.county", lang), t("report.c.content", lang)],
         [[c.unit, c.person, c.deadline, c.case_no, county(c.county or ""), c.content] for c in fig.overdue_cases]),
        (t("report.h.units", lang), [t("report.c.unit", lang), t("report.c.missing", lang)],
         [[u, n] for u, n in sorted(fig.units_missing.items())]),
        (t("report.h.accountability", lang), [t("report.c.acc_measure", lang), t("report.c.count", lang)],
         [[ACCOUNTABILITY_MEASURES.label(c, lang), fig.acc_by_measure.get(c, 0)] for c in ACCOUNTABILITY_MEASURES.codes]),
        (t("report.h.trend", lang), [t("report.c.week", lang), t("report.c.new_cases", lang), t("report.c.new_findings", lang)],
         [[dt.date.fromisoformat(x["week"]), x["cases_new"], x["findings_new"]] for x in fig.trend]),
    ]
    return tables + extra


def write(fig: Figures, *, lang: str, county_names: dict[str, str],
          measures: tuple[list[str], list[list[Any]]] | None = None) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                   "strings_to_numbers": False})
    bold = wb.add_format({"bold": True})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    tables = sheets(fig, lang, county_names)
    if measures is not None:
        tables.append((t("report.h.annex", lang), *measures))
    used: set[str] = set()
    for name, headers, rows in tables:
        title = "".join(ch for ch in name if ch not in "[]:*?/\\")[:28] or "sheet"
        while title in used:
            title += "_"
        used.add(title)
        ws = wb.add_worksheet(title)
        for j, h in enumerate(headers):
            ws.write_string(0, j, str(h), bold)
            ws.set_column(j, j, 16)
        ws.freeze_panes(1, 0)
        for i, row in enumerate(rows, 1):
            for j, v in enumerate(row):
                if v is None or v == "":
                    continue
                if isinstance(v, dt.date):
                    ws.write_datetime(i, j, dt.datetime.combine(v, dt.time()), date_fmt)
                elif isinstance(v, bool):
                    ws.write_boolean(i, j, v)
                elif isinstance(v, int | float):
                    ws.write_number(i, j, v)
                else:
                    ws.write_string(i, j, str(v).lstrip("=") if str(v).startswith("=") else str(v))
    wb.close()
    return buf.getvalue()
