"""The report archive (档案资料组): every generated report, as filed.

A row says which report it was (kind, period, scope), who made it and when, the SHA-256 of the
.docx and .xlsx as written (the files live content-addressed under the data dir), the version
of the data it was made from and the figures it printed, so a later question "what did the
15 June pack say, and from which data?" is answered from the archive, not from memory.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from field.data.models import Base, utcnow


class ReportArchive(Base):
    __tablename__ = "report_archive"
    __table_args__ = (Index("ix_report_archive_kind_period", "kind", "period_end"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))  # weekly / dispatch / monthly
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    county_adcode: Mapped[str | None] = mapped_column(String(12), default=None)  # None: the user's whole scope
    scope: Mapped[list[str]] = mapped_column(JSON, default=list)  # ["*"] or the counties covered
    lang: Mapped[str] = mapped_column(String(5), default="zh")
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64), index=True)  # of the .docx
    xlsx_sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer, default=0)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    author_name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    data_version: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class DispatchDecision(Base):
    """议定事项: one thing a 半月一调度 meeting decided — what, which unit, who, by when — recorded
    against the dispatch pack it was decided on, so the next pack opens with how it went.

    `status` is what the unit last reported (vocab.DECISION_STATUS: open / in_progress / done)
    with its words in `progress_text`; "overdue" is never stored, it is computed from the
    deadline on the day a pack is made. A decision may concern one case, measure or site.
    """

    __tablename__ = "dispatch_decisions"
    __table_args__ = (Index("ix_dispatch_decisions_meeting", "meeting_on"),
                      Index("ix_dispatch_decisions_report", "report_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report_archive.id"))  # the pack it was decided on
    meeting_on: Mapped[dt.date] = mapped_column(Date)  # the pack's period end (the meeting's half-month)
    county_adcode: Mapped[str | None] = mapped_column(String(12), default=None)  # None: city-wide
    content: Mapped[str] = mapped_column(Text)  # 议定事项
    unit: Mapped[str] = mapped_column(String(200))  # 责任单位
    person: Mapped[str] = mapped_column(String(100), default="")  # 责任人
    deadline: Mapped[dt.date] = mapped_column(Date)  # 完成时限
    status: Mapped[str] = mapped_column(String(20), default="open")
    progress_text: Mapped[str] = mapped_column(Text, default="")  # the unit's latest report on it
    done_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), default=None)
    measure_id: Mapped[int | None] = mapped_column(ForeignKey("measures.id"), default=None)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"), default=None)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
