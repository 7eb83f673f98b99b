"""Tables for case supervision and the rectification ledgers (3 本台账, 4 个清单).

`Case` (field.data.models) holds a 交办件 as handed over; what the city writes back about it
(调查核实情况, 是否属实, 处理和整改情况, 问责, 办结) lives in a 1:1 `CaseResult`, so the import of a
new batch never has to touch the answer being drafted, and vice versa.

Problems (整改问题) and their measures (整改措施) come from the inspection's feedback report, not
from complaints; cases and findings are linked to problems many-to-many because one problem
(e.g. 散乱污 enterprises) gathers many complaints and one complaint can touch two problems.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from field.data.models import Base, Case, User, utcnow


class CaseResult(Base):
    """The city's answer on one case, plus the published columns that are not on `Case`."""

    __tablename__ = "case_results"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    facts: Mapped[str] = mapped_column(Text, default="")  # 调查核实情况
    truthfulness: Mapped[str | None] = mapped_column(String(10), default=None)  # vocab.TRUTHFULNESS
    truthfulness_text: Mapped[str] = mapped_column(String(50), default="")  # as published (是/否 …)
    handling: Mapped[str] = mapped_column(Text, default="")  # 处理和整改情况
    accountability: Mapped[str] = mapped_column(Text, default="")  # 责任人被处理情况 / 问责情况
    closure_state: Mapped[str | None] = mapped_column(String(10), default=None)  # vocab.CLOSURE_STATES
    closure_text: Mapped[str] = mapped_column(String(50), default="")  # 是否办结 as published
    closure_target: Mapped[str] = mapped_column(String(200), default="")  # 办结目标
    category: Mapped[str] = mapped_column(String(100), default="")  # 处理类别
    handler: Mapped[str] = mapped_column(String(100), default="")  # 办案人
    remarks: Mapped[str] = mapped_column(Text, default="")  # 备注
    coop_unit: Mapped[str] = mapped_column(String(200), default="")  # 配合单位
    feedback_due: Mapped[dt.date | None] = mapped_column(Date, default=None)  # hand-over + 10 days
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    case: Mapped[Case] = relationship()


class Problem(Base):
    """整改问题: one problem named in the inspection feedback, with whom it belongs to."""

    __tablename__ = "problems"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), default="")  # 问题编号 as in the plan
    aspect: Mapped[str] = mapped_column(String(200), default="")  # 方面 (the plan's 5 aspects)
    title: Mapped[str] = mapped_column(Text)  # 整改问题
    target: Mapped[str] = mapped_column(Text, default="")  # 整改目标
    round: Mapped[str] = mapped_column(String(50), default="")  # 所属轮次
    county_adcode: Mapped[str | None] = mapped_column(ForeignKey("counties.adcode"), default=None)  # None: city-wide
    lead_unit: Mapped[str] = mapped_column(String(200), default="")
    responsible_unit: Mapped[str] = mapped_column(String(200), default="")
    coop_unit: Mapped[str] = mapped_column(String(200), default="")
    responsible_person: Mapped[str] = mapped_column(String(100), default="")
    responsible_phone: Mapped[str] = mapped_column(String(50), default="")
    deadline: Mapped[dt.date | None] = mapped_column(Date, default=None)  # 整改时限 as a date
    deadline_text: Mapped[str] = mapped_column(String(200), default="")  # 整改时限 verbatim
    standing: Mapped[bool] = mapped_column(Boolean, default=False)  # 长期坚持 / 持续推进
    progress_text: Mapped[str] = mapped_column(Text, default="")  # 目前进展情况及存在问题
    effect: Mapped[str] = mapped_column(Text, default="")  # 整改成效 (效果清单)
    leader: Mapped[str] = mapped_column(String(100), default="")  # 责任领导
    supervising_unit: Mapped[str] = mapped_column(String(200), default="")  # 督导单位
    plan_key: Mapped[str] = mapped_column(String(80), default="", index=True)  # identity for re-import
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # unknown plan columns, kept
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    measures: Mapped[list[Measure]] = relationship(back_populates="problem", order_by="Measure.seq")


class Measure(Base):
    """整改措施 of one problem.

    `progress` is the stage last reported or set (vocab.REPORT_STAGES; older rows may hold a
    typed MEASURE_PROGRESS word). The 序时进度 people read is never stored: it is computed by
    `field.domain.schedule.status` from `start_date`, `deadline`/`standing` and the latest
    `percent`, so it moves with the calendar instead of going stale.
    """

    __tablename__ = "measures"

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problems.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer, default=1)
    content: Mapped[str] = mapped_column(Text)
    lead_unit: Mapped[str] = mapped_column(String(200), default="")
    responsible_unit: Mapped[str] = mapped_column(String(200), default="")
    coop_unit: Mapped[str] = mapped_column(String(200), default="")
    responsible_person: Mapped[str] = mapped_column(String(100), default="")
    responsible_phone: Mapped[str] = mapped_column(String(50), default="")
    deadline: Mapped[dt.date | None] = mapped_column(Date, default=None)
    deadline_text: Mapped[str] = mapped_column(String(200), default="")  # 整改时限 verbatim
    standing: Mapped[bool] = mapped_column(Boolean, default=False)  # 长期坚持
    start_date: Mapped[dt.date | None] = mapped_column(Date, default=None)  # for 序时进度
    percent: Mapped[int | None] = mapped_column(Integer, default=None)  # latest reported, 0..100
    progress: Mapped[str] = mapped_column(String(20), default="not_started")
    progress_text: Mapped[str] = mapped_column(Text, default="")
    code: Mapped[str] = mapped_column(String(40), default="")  # 措施编号 as in the plan
    target: Mapped[str] = mapped_column(Text, default="")  # 整改目标 when given per measure
    leader: Mapped[str] = mapped_column(String(100), default="")  # 责任领导
    supervising_unit: Mapped[str] = mapped_column(String(200), default="")  # 督导单位
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # unknown plan columns, kept
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    problem: Mapped[Problem] = relationship(back_populates="measures")


class CaseProblem(Base):
    __tablename__ = "case_problems"
    __table_args__ = (UniqueConstraint("case_id", "problem_id", name="uq_case_problem"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problems.id", ondelete="CASCADE"), index=True)


class FindingProblem(Base):
    __tablename__ = "finding_problems"
    __table_args__ = (UniqueConstraint("finding_id", "problem_id", name="uq_finding_problem"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"), index=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problems.id", ondelete="CASCADE"), index=True)


class MeasureReport(Base):
    """One weekly report (每周填报) by a responsible unit on one measure. Reports are only ever
    added: a correction is a new report, so the history of what a unit said, and when, stays."""

    __tablename__ = "measure_reports"
    __table_args__ = (Index("ix_measure_reports_measure_week", "measure_id", "week"),
                      Index("ix_measure_reports_unit_week", "unit", "week"),
                      Index("ix_measure_reports_week", "week"))

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id", ondelete="CASCADE"))
    unit: Mapped[str] = mapped_column(String(200))  # the reporting unit
    week: Mapped[dt.date] = mapped_column(Date)  # Monday of the week reported on
    stage: Mapped[str] = mapped_column(String(20))  # vocab.REPORT_STAGES
    percent: Mapped[int] = mapped_column(Integer, default=0)
    done_text: Mapped[str] = mapped_column(Text, default="")  # 本周完成情况
    problems_text: Mapped[str] = mapped_column(Text, default="")  # 存在问题
    reported_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    reported_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    late: Mapped[bool] = mapped_column(Boolean, default=False)  # after the week's reporting deadline

    files: Mapped[list[ReportFile]] = relationship(back_populates="report", order_by="ReportFile.id")
    reporter: Mapped[User | None] = relationship()


class ReportFile(Base):
    """Evidence attached to a report, stored content-addressed by SHA-256 (like photos)."""

    __tablename__ = "report_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("measure_reports.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(200), default="")
    size: Mapped[int] = mapped_column(Integer, default=0)

    report: Mapped[MeasureReport] = relationship(back_populates="files")


class AccountabilityRecord(Base):
    """追责问责: who was held accountable, how, by which decision; for a case or a problem."""

    __tablename__ = "accountability_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), default=None,
                                                index=True)
    problem_id: Mapped[int | None] = mapped_column(ForeignKey("problems.id", ondelete="CASCADE"), default=None,
                                                   index=True)
    person: Mapped[str] = mapped_column(String(100), default="")  # or the enterprise for 立案处罚
    post: Mapped[str] = mapped_column(String(200), default="")
    unit: Mapped[str] = mapped_column(String(200), default="")
    measure: Mapped[str] = mapped_column(String(20))  # vocab.ACCOUNTABILITY_MEASURES
    fine_yuan: Mapped[Decimal | None] = mapped_column(Numeric(14, 2), default=None)  # 立案处罚 only
    decided_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    document_no: Mapped[str] = mapped_column(String(100), default="")  # 决定文书号
    source_text: Mapped[str] = mapped_column(Text, default="")  # 责任人被处理情况 it came from
    county_adcode: Mapped[str | None] = mapped_column(ForeignKey("counties.adcode"), default=None)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    case: Mapped[Case | None] = relationship()


def as_dict(obj: Any, fields: list[str]) -> dict[str, Any]:
    return {f: getattr(obj, f) for f in fields}
