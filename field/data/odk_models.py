"""Tables for offline capture over OpenRosa (ODK Collect): device tokens and received submissions.

A device token is a per-user credential put in the server URL (as ODK Central's app users do),
because ODK Collect configured by a QR code has no login screen we control. Only its SHA-256 is
stored; a lost tablet is revoked, not deleted, so the audit trail keeps naming it.

Every submission that reaches us is kept as received (instance XML as text, attachments by
SHA-256 in the photo root's `submissions/` folder) with its state: `partial` while ODK Collect
is still sending the parts of a split upload, `accepted` once it became a finding, `review` when
it could not (the reason is kept with it) until a case officer fixes and accepts it, or
`rejected` by that officer. Nothing a device sent is ever dropped.

A submission imported from an export file (ODK Central's CSV zip, KoboToolbox, QField's
GeoPackage: `field.odk.offline`) is the same row with no device: `source` names the tool and
`source_file` the file it came in, and its instanceID is the same key, so a re-import is a resend.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from field.data.models import Base, Finding, User, utcnow


class OdkDevice(Base):
    __tablename__ = "odk_devices"
    __table_args__ = (Index("ix_odk_devices_user", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    label: Mapped[str] = mapped_column(String(100), default="")
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    revoked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class OdkSubmission(Base):
    __tablename__ = "odk_submissions"
    __table_args__ = (Index("ix_odk_submissions_state", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[str] = mapped_column(String(100), unique=True)  # meta/instanceID (uuid:…)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("odk_devices.id"), default=None)  # None: imported
    # collect (over OpenRosa) / central / kobo / qfield (imported from an export file)
    source: Mapped[str] = mapped_column(String(10), default="collect", server_default="collect")
    source_file: Mapped[str] = mapped_column(String(200), default="", server_default="")
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    form_id: Mapped[str] = mapped_column(String(64))
    form_version: Mapped[str] = mapped_column(String(40), default="")
    xml: Mapped[str] = mapped_column(Text)
    xml_sha256: Mapped[str] = mapped_column(String(64))
    # attachment file name (as the instance names it) -> sha256 of the bytes kept
    files: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(10), default="partial")  # partial/accepted/review/rejected
    complete: Mapped[bool] = mapped_column(Boolean, default=False)  # the final part has arrived
    reason_key: Mapped[str] = mapped_column(String(60), default="")
    reason_params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # nearby open findings and similar cases found when it was accepted (for the reviewer)
    suggestions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("findings.id"), default=None)
    parts: Mapped[int] = mapped_column(Integer, default=0)
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)

    device: Mapped[OdkDevice | None] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    finding: Mapped[Finding | None] = relationship()
