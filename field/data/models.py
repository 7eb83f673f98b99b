"""SQLAlchemy 2 typed models: the data spine shared by SQLite and PostgreSQL.

Conventions: every timestamp is stored in UTC and comes back timezone-aware (SQLite drops the
zone, so `UTCDateTime` puts it back); coordinates are WGS-84 decimal degrees with the accuracy
in metres and where they came from; codes come from `field.domain.vocab`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from field.domain.caseid import normalise_case_no


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes on every backend; naive input is refused rather than guessed."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dt.datetime: UTCDateTime, dict[str, Any]: JSON, list[str]: JSON}


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[str] = mapped_column(String(20))
    # "*" means every county; otherwise a list of adcodes.
    county_scope: Mapped[list[str]] = mapped_column(JSON, default=lambda: ["*"])
    password_hash: Mapped[str] = mapped_column(String(200))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(default=None)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    lang: Mapped[str] = mapped_column(String(5), default="zh")
    # The responsible unit (责任单位) a `unit` user reports for; see field.services.progress.
    unit: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    @property
    def all_counties(self) -> bool:
        return "*" in (self.county_scope or [])

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class County(Base):
    __tablename__ = "counties"

    adcode: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    name_en: Mapped[str] = mapped_column(String(80), default="")
    city_adcode: Mapped[str] = mapped_column(String(12))


def _case_key_default(context: Any) -> str:
    """A case inserted without an explicit key (demo data, old scripts) is known by its 受理编号."""
    return normalise_case_no(context.get_current_parameters().get("case_no") or "")


class Case(Base):
    """A 交办件 as handed over by the inspection team; 受理编号 is kept verbatim.

    Identity is `case_key` within `inspection` (round/team/province), never the batch: later
    tables republish earlier cases, and each publication is a `CaseBatch` row. `batch` is the
    first batch it was published in (what lists sort and filter by first); `county_adcode` the
    first county named, every county named being a `CaseCounty` row.
    """

    __tablename__ = "cases"
    __table_args__ = (UniqueConstraint("inspection", "case_key", name="uq_case_identity"),
                      Index("ix_cases_batch", "batch"))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_no: Mapped[str] = mapped_column(String(64))
    inspection: Mapped[str] = mapped_column(String(100), default="")  # 督察组 / 轮次 / 省 as named
    case_key: Mapped[str] = mapped_column(String(80), default=_case_key_default)
    identity: Mapped[str] = mapped_column(String(8), default="case_no")  # case_no / seq / hash
    batch: Mapped[int | None] = mapped_column(Integer, default=None)
    handed_over_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    handed_over_source: Mapped[str] = mapped_column(String(10), default="")  # column / confirmed
    receive_method: Mapped[str | None] = mapped_column(String(10), default=None)  # D / X / other
    receive_text: Mapped[str] = mapped_column(String(50), default="")  # 受理方式 as published
    content: Mapped[str] = mapped_column(Text, default="")
    region_text: Mapped[str] = mapped_column(String(200), default="")
    county_adcode: Mapped[str | None] = mapped_column(ForeignKey("counties.adcode"), default=None)
    pollution_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    pollution_text: Mapped[str] = mapped_column(String(200), default="")  # original wording, sub-types
    key_attention: Mapped[bool] = mapped_column(Boolean, default=False)  # 重点关注
    deadline: Mapped[dt.date | None] = mapped_column(Date, default=None)
    lead_unit: Mapped[str] = mapped_column(String(200), default="")
    responsible_unit: Mapped[str] = mapped_column(String(200), default="")
    responsible_person: Mapped[str] = mapped_column(String(100), default="")
    responsible_phone: Mapped[str] = mapped_column(String(50), default="")
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # unknown columns kept
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    findings: Mapped[list[Finding]] = relationship(back_populates="case")
    batch_links: Mapped[list[CaseBatch]] = relationship(order_by="CaseBatch.batch", viewonly=True)
    county_links: Mapped[list[CaseCounty]] = relationship(viewonly=True)


class CaseBatch(Base):
    """One publication of a case: the batch (第X批) it appeared in, as published there.

    The 序号 and the 来电/来信 section are per publication (a republishing table numbers its rows
    anew); the title's publication date and reception window are what they are, never the
    hand-over date.
    """

    __tablename__ = "case_batches"
    __table_args__ = (UniqueConstraint("case_id", "batch", name="uq_case_batch"),
                      Index("ix_case_batches_batch", "batch"))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    batch: Mapped[int] = mapped_column(Integer)
    batch_text: Mapped[str] = mapped_column(String(50), default="")  # "第29、30批" as published
    seq: Mapped[str] = mapped_column(String(20), default="")  # 序号 as published
    section: Mapped[str] = mapped_column(String(20), default="")  # the 来电/来信 section row above it
    published_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    reception_window: Mapped[str] = mapped_column(String(100), default="")  # "5月25日12时-5月26日12时"
    filename: Mapped[str] = mapped_column(String(255), default="")
    row_no: Mapped[int | None] = mapped_column(Integer, default=None)
    imported_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class CaseCounty(Base):
    """A county a case was handed to; a 合办件 names several and each of them sees the case."""

    __tablename__ = "case_counties"
    __table_args__ = (Index("ix_case_counties_county", "county_adcode"),)

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    county_adcode: Mapped[str] = mapped_column(ForeignKey("counties.adcode"), primary_key=True)


class Site(Base):
    __tablename__ = "sites"
    __table_args__ = (Index("ix_sites_lon_lat", "lon", "lat"), Index("ix_sites_county_adcode", "county_adcode"))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300), default="")
    lon: Mapped[float] = mapped_column(Float)  # WGS-84
    lat: Mapped[float] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float, default=None)
    location_source: Mapped[str] = mapped_column(String(10))
    county_adcode: Mapped[str | None] = mapped_column(ForeignKey("counties.adcode"), default=None)
    outside_city: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    findings: Mapped[list[Finding]] = relationship(back_populates="site")
    county: Mapped[County | None] = relationship()


class Finding(Base):
    """A problem seen at a site. Its status moves only through field.domain.workflow."""

    __tablename__ = "findings"
    # site_id: the map's join; updated_at: the data version; (author_id, created_at): my_findings;
    # created_at: reports and My work across authors (0011)
    __table_args__ = (Index("ix_findings_status", "status"), Index("ix_findings_site_id", "site_id"),
                      Index("ix_findings_updated_at", "updated_at"),
                      Index("ix_findings_author_created", "author_id", "created_at"),
                      Index("ix_findings_created_at", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), default=None)
    repeat_of_id: Mapped[int | None] = mapped_column(ForeignKey("findings.id"), default=None)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    observed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    description: Mapped[str] = mapped_column(Text)
    pollution_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    subtype: Mapped[str] = mapped_column(String(100), default="")
    severity: Mapped[str] = mapped_column(String(10), default="minor")
    status: Mapped[str] = mapped_column(String(20), default="pending")
    deadline: Mapped[dt.date | None] = mapped_column(Date, default=None)
    responsible_unit: Mapped[str] = mapped_column(String(200), default="")
    notice_ends_on: Mapped[dt.date | None] = mapped_column(Date, default=None)  # 公示 end
    recheck_due_on: Mapped[dt.date | None] = mapped_column(Date, default=None)  # 复查
    # Idempotency key sent by the client form: a double tap or a retry makes one finding.
    client_token: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    site: Mapped[Site] = relationship(back_populates="findings")
    case: Mapped[Case | None] = relationship(back_populates="findings")
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    photos: Mapped[list[FindingPhoto]] = relationship(back_populates="finding", order_by="FindingPhoto.id")
    verifications: Mapped[list[Verification]] = relationship(
        back_populates="finding", order_by="Verification.id"
    )


class Photo(Base):
    """One stored image, addressed by the SHA-256 of its original bytes (stored once)."""

    __tablename__ = "photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    original_path: Mapped[str] = mapped_column(String(300))
    display_path: Mapped[str] = mapped_column(String(300))
    thumb_path: Mapped[str] = mapped_column(String(300))
    mime: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    taken_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    taken_at_local: Mapped[str] = mapped_column(String(40), default="")  # EXIF text, as the camera wrote it
    exif_lon: Mapped[float | None] = mapped_column(Float, default=None)
    exif_lat: Mapped[float | None] = mapped_column(Float, default=None)
    device: Mapped[str] = mapped_column(String(120), default="")
    original_name: Mapped[str] = mapped_column(String(255), default="")
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class FindingPhoto(Base):
    """A photo used as evidence on a finding (or on one of its verification records)."""

    __tablename__ = "finding_photos"
    __table_args__ = (UniqueConstraint("finding_id", "photo_id", "kind", name="uq_finding_photo_kind"),
                      Index("ix_finding_photos_verification", "verification_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"))
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id"))
    verification_id: Mapped[int | None] = mapped_column(ForeignKey("verifications.id"), default=None)
    kind: Mapped[str] = mapped_column(String(10))  # before / after
    flags: Mapped[list[Any]] = mapped_column(JSON, default=list)  # evidence flags, never rejections
    added_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    finding: Mapped[Finding] = relationship(back_populates="photos")
    photo: Mapped[Photo] = relationship()


class Verification(Base):
    """核查记录 written on site. Once signed it is frozen: a correction is a new record."""

    __tablename__ = "verifications"
    # the sign-off queue: each finding's newest record, and submitted records (0018)
    __table_args__ = (Index("ix_verifications_finding_kind", "finding_id", "kind"),
                      Index("ix_verifications_state_kind", "state", "kind"))

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(12), default="verification")  # verification / recheck
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    truthfulness: Mapped[str] = mapped_column(String(10))  # vocab.TRUTHFULNESS
    facts: Mapped[str] = mapped_column(Text, default="")  # 调查核实情况
    measures: Mapped[str] = mapped_column(Text, default="")  # 处理和整改情况
    accountability: Mapped[str] = mapped_column(Text, default="")  # 责任人被处理情况
    conclusion: Mapped[str] = mapped_column(Text, default="")  # 现场结论
    inspectors: Mapped[list[str]] = mapped_column(JSON, default=list)
    lon: Mapped[float | None] = mapped_column(Float, default=None)
    lat: Mapped[float | None] = mapped_column(Float, default=None)
    accuracy_m: Mapped[float | None] = mapped_column(Float, default=None)
    distance_m: Mapped[float | None] = mapped_column(Float, default=None)  # from the site, flagged if far
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("verifications.id"), default=None)
    recheck_result: Mapped[str | None] = mapped_column(String(12), default=None)  # no_rebound / rebound
    state: Mapped[str] = mapped_column(String(12), default="submitted")  # submitted/returned/signed
    # Ed25519 over `field.trust.statements.verification_statement`; NULL only on rows from before 0006.
    key_id: Mapped[str | None] = mapped_column(String(16), default=None)
    signature: Mapped[str | None] = mapped_column(String(100), default=None)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    finding: Mapped[Finding] = relationship(back_populates="verifications")
    author: Mapped[User] = relationship(foreign_keys=[author_id])


class SignOff(Base):
    """A supervisor's decision on a verification record, chained by hash to the previous one."""

    __tablename__ = "signoffs"

    id: Mapped[int] = mapped_column(primary_key=True)
    verification_id: Mapped[int] = mapped_column(ForeignKey("verifications.id"))
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"))
    signer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decision: Mapped[str] = mapped_column(String(12))  # approve / return
    opinion: Mapped[str] = mapped_column(Text, default="")  # 验收意见 / reason for rework
    content_hash: Mapped[str] = mapped_column(String(64))
    # unique: two sign-offs can never hang off the same predecessor, so the chain cannot fork.
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    chain_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # What the signature also vouches for: the finding's status right after the decision and the
    # site's county; then the key id and the Ed25519 signature (`field.trust.statements`).
    # NULL only on rows from before migration 0006.
    signed_status: Mapped[str | None] = mapped_column(String(20), default=None)
    signed_county: Mapped[str | None] = mapped_column(String(12), default=None)
    key_id: Mapped[str | None] = mapped_column(String(16), default=None)
    signature: Mapped[str | None] = mapped_column(String(100), default=None)

    signer: Mapped[User] = relationship()
    verification: Mapped[Verification] = relationship()


class Draft(Base):
    """The capture form as it was last typed, saved server-side so nothing typed is lost."""

    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("user_id", "form", name="uq_draft_user_form"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    form: Mapped[str] = mapped_column(String(40), default="capture")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    photo_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class LoginSession(Base):
    """A browser's login, remembered by a cookie so a reload or a dropped tablet connection
    does not mean typing the password again. Only the token's SHA-256 is stored."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)  # end_all, active_counts
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column()
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class LoginFailure(Base):
    """Failed logins counted per (typed username, client address), not per account: a stranger's
    wrong passwords slow down the stranger's address, never the real user at their own. Kept
    for names that match no account too, so the answer is the same whether the user exists."""

    __tablename__ = "login_failures"
    __table_args__ = (UniqueConstraint("username_key", "client", name="uq_login_failure"),
                      Index("ix_login_failures_last", "last_failure_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    username_key: Mapped[str] = mapped_column(String(64))  # lower-cased, as typed
    client: Mapped[str] = mapped_column(String(64), default="")  # "" when the address is unknown
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[dt.datetime] = mapped_column()
    locked_until: Mapped[dt.datetime | None] = mapped_column(default=None)


class AuditEvent(Base):
    """Append-only: who did what to which record, when, and why. Never updated or deleted."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    actor_name: Mapped[str] = mapped_column(String(64), default="")
    entity: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    reason: Mapped[str] = mapped_column(Text, default="")
