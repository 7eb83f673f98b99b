"""每周一汇总、半月一调度、每月一报告: the three reports, one code path, and their archive.

`generate` computes the figures (`figures.compute`, the one query module), renders the .docx
(`word.render`) and the .xlsx annex (`annex.write`), and files both in the archive: the bytes
go to a content-addressed folder (reports/ab/cd/<sha256>.docx under the data dir), the row
(`ReportArchive`) keeps the SHA-256s, period, scope, author, time, data version and figures.
Services only flush; the entry point (CLI, page) owns the transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from field.data.models import User
from field.data.report_models import ReportArchive
from field.data.scoping import scope_clause
from field.domain import clock
from field.domain.errors import ValidationError
from field.domain.permissions import require
from field.domain.scope import Scope
from field.reports import annex, figures, word
from field.services import audit, ledgers


@dataclass
class Generated:
    docx: bytes
    xlsx: bytes
    figures: figures.Figures
    archive: ReportArchive


class ReportStore:
    """reports/ab/cd/<sha256>.<ext>: each file written once, atomically."""

    def __init__(self, data_dir: Path | str):
        self.root = Path(data_dir) / "reports"

    def path(self, sha256: str, ext: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / f"{sha256}.{ext}"

    def put(self, data: bytes, ext: str) -> str:
        sha = hashlib.sha256(data).hexdigest()
        target = self.path(sha, ext)
        if not target.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, target)
        return sha

    def read(self, sha256: str, ext: str) -> bytes:
        return self.path(sha256, ext).read_bytes()


def file_name(kind: str, fig: figures.Figures, county: str | None) -> str:
    return f"{kind}_{fig.period_start:%Y%m%d}-{fig.period_end:%Y%m%d}{'_' + county if county else ''}.docx"


def _measures_annex(session: Session, user: User, lang: str, county: str | None,
                    county_names: dict[str, str], today: dt.date) -> tuple[list[str], list[list[Any]]]:
    """整改措施台账 as the ledger export builds it, narrowed to one county (or city) when asked."""
    ledger = ledgers.build_ledger(session, user, "measures", lang=lang, today=today, area=county)
    return ledger.headers(lang), ledger.rows


def generate(session: Session, user: User, kind: str, day: dt.date, *, settings: Any, county: str | None = None,
             lang: str = "zh", now: dt.datetime | None = None, wait_days: int = figures.WAIT_DAYS,
             level: str = "county") -> Generated:
    """Make one report and file it; refusals (kind, scope, font) come before any work."""
    if kind not in figures.KINDS:
        raise ValidationError("report.bad_kind", field="kind", kind=kind, kinds=", ".join(figures.KINDS))
    scope = figures.report_scope(user, county)
    font = word.chart_font(settings.pdf_font)
    now = now or clock.now()
    fig = figures.compute(session, user, kind, day, county=county, feedback_days=settings.feedback_days,
                          wait_days=wait_days, level=level)
    names = ledgers.unit_names(session, lang)
    map_png = None
    if kind == "dispatch":
        map_png = _site_map(session, scope, fig.period_end, lang, font, level)
    annex_table = _measures_annex(session, user, lang, county, names, fig.period_end) if kind == "monthly" else None
    docx = word.render(fig, lang=lang, county_names=names, generated_at=clock.local(now), font_path=font,
                       map_png=map_png, annex=annex_table)
    xlsx = annex.write(fig, lang=lang, county_names=names, measures=annex_table)
    store = ReportStore(settings.data_dir)
    sha, xsha = store.put(docx, "docx"), store.put(xlsx, "xlsx")
    row = ReportArchive(kind=kind, period_start=fig.period_start, period_end=fig.period_end, county_adcode=county,
                        scope=["*"] if fig.counties is None else fig.counties, lang=lang,
                        filename=file_name(kind, fig, county), sha256=sha, xlsx_sha256=xsha, size=len(docx),
                        author_id=user.id, author_name=user.display_name or user.username, created_at=now,
                        data_version=fig.data_version, figures=fig.as_dict())
    session.add(row)
    session.flush()
    audit.record(session, user, "report", row.id, "generate",
                 after={"kind": kind, "period": [fig.period_start, fig.period_end], "county": county, "sha256": sha})
    session.flush()
    return Generated(docx, xlsx, fig, row)


def _site_map(session: Session, scope: Scope, end: dt.date, lang: str, font: str, level: str = "county") -> bytes:
    """The static map of open sites by status (the map page's PNG export, no tiles)."""
    from field import geo
    from field.exports import mapexport

    rows = figures.open_sites(session, scope, end)
    try:
        boundaries: dict[str, Any] | None = geo.units_geojson(level)
    except Exception:  # no boundary file for this city: points only, still a usable map
        boundaries = None
    png, _ = mapexport.png_map(rows, boundaries, lang=lang, font_path=font, size_px=(1400, 1000))
    return png


def list_archive(session: Session, user: User, *, limit: int = 200) -> list[ReportArchive]:
    """Filed reports the user's scope covers: city-wide ones for city-wide users only."""
    require(user, "report.generate", check_county=False)
    scope = Scope.of(user)
    stmt = select(ReportArchive).order_by(ReportArchive.created_at.desc(), ReportArchive.id.desc())
    if scope.is_all:
        return list(session.scalars(stmt.limit(limit)))
    # a county user's report covers its counties (scope list), with or without --county
    rows = session.scalars(stmt.where(scope_clause(scope, ReportArchive.county_adcode)
                                      | ReportArchive.county_adcode.is_(None)))
    return [r for r in rows if r.scope != ["*"] and all(scope.contains(c) for c in r.scope)][:limit]


def archived_file(session: Session, user: User, report_id: int, data_dir: Path | str, ext: str = "docx") -> bytes:
    row = next((r for r in list_archive(session, user, limit=100000) if r.id == report_id), None)
    if row is None:
        raise ValidationError("report.not_found", id=report_id)
    return ReportStore(data_dir).read(row.sha256 if ext == "docx" else row.xlsx_sha256, ext)
