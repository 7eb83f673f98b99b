"""Device tokens: how ODK Collect on one tablet acts as one user, without a login screen.

ODK Collect configured by a QR code talks to a server URL; like ODK Central's app users, the
credential is a path segment of that URL (`<base>/odk/<token>/formList`). That keeps the
tablet's setup to one scan and works through any proxy that passes paths. The token is shown
once (URL, QR) and only its SHA-256 is stored; a lost tablet is revoked by its owner or an
admin, which stops it at once, while its past submissions keep naming it in the audit trail.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import secrets
import zlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from field.data.models import User
from field.data.odk_models import OdkDevice
from field.domain import clock
from field.domain.clean import text as clean
from field.domain.errors import FieldError, PermissionDenied, ValidationError
from field.domain.permissions import require
from field.services import audit

MAX_LABEL = 100
PATH_PREFIX = "/odk"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Issued:
    """A new device: the token exists only here, to be shown once."""

    device: OdkDevice
    token: str

    def server_url(self, base_url: str) -> str:
        return server_url(base_url, self.token)


def server_url(base_url: str, token: str) -> str:
    """The URL typed (or scanned) into ODK Collect; `/formList` and `/submission` hang off it."""
    return f"{base_url.rstrip('/')}{PATH_PREFIX}/{token}"


def _may_manage(actor: User, owner: User) -> None:
    if actor.id == owner.id:
        require(actor, "odk.device", check_county=False)
    else:
        require(actor, "user.manage", check_county=False)


def issue(session: Session, actor: User, owner: User, label: str = "", *, now: dt.datetime | None = None) -> Issued:
    """A token for `owner`'s tablet: by the owner (a capturing role) or by an admin."""
    _may_manage(actor, owner)
    if not owner.is_active:
        raise ValidationError("odk.user_inactive", field="user", user=owner.username)
    require(owner, "finding.create", check_county=False)  # a token is only worth having to capture
    label = clean(label or "").strip()
    if len(label) > MAX_LABEL:
        raise ValidationError("odk.label_long", field="label", max=MAX_LABEL)
    now = now or clock.now()
    token = secrets.token_urlsafe(24)
    device = OdkDevice(user_id=owner.id, label=label, token_sha256=digest(token), created_at=now,
                       created_by=actor.id)
    session.add(device)
    session.flush()
    audit.record(session, actor, "odk_device", device.id, "issue", at=now,
                 after={"user": owner.username, "label": label})
    return Issued(device=device, token=token)


def resolve(session: Session, token: str | None, *, now: dt.datetime | None = None) -> OdkDevice | None:
    """The active device behind a token whose user may still capture, else None (-> 401)."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    device = session.scalar(select(OdkDevice).where(OdkDevice.token_sha256 == digest(token)))
    if device is None or not device.active:
        return None
    user = device.user
    now = now or clock.now()
    if not user.is_active or (user.locked_until and user.locked_until > now):
        return None
    return device


def touch(session: Session, device: OdkDevice, *, now: dt.datetime | None = None) -> None:
    device.last_seen_at = now or clock.now()
    session.flush()


def list_devices(session: Session, actor: User, owner: User | None = None) -> list[OdkDevice]:
    """The actor's own devices, or (for an admin) one user's or everybody's."""
    if owner is None or owner.id != actor.id:
        require(actor, "user.manage", check_county=False)
    else:
        require(actor, "odk.device", check_county=False)
    stmt = select(OdkDevice).order_by(OdkDevice.id)
    if owner is not None:
        stmt = stmt.where(OdkDevice.user_id == owner.id)
    return list(session.scalars(stmt))


def revoke(session: Session, actor: User, device_id: int, *, now: dt.datetime | None = None) -> OdkDevice:
    device = session.get(OdkDevice, device_id)
    if device is None:
        raise FieldError("odk.no_device", id=device_id)
    try:
        _may_manage(actor, device.user)
    except PermissionDenied:
        raise FieldError("odk.no_device", id=device_id) from None  # do not reveal others' devices
    if device.revoked_at is None:
        now = now or clock.now()
        device.revoked_at, device.revoked_by = now, actor.id
        session.flush()
        audit.record(session, actor, "odk_device", device.id, "revoke", at=now,
                     after={"user": device.user.username, "label": device.label})
    return device


def settings_payload(url: str, *, project: str = "督察整改", lang: str = "zh") -> str:
    """ODK Collect's settings QR content: zlib-compressed, base64 JSON of general/admin/project.

    Any setting left out is reset to Collect's default when scanned; we set the server, make
    the tablet mirror the server's forms, and send finalized forms whenever a network appears.
    """
    settings: dict[str, Any] = {
        "general": {"server_url": url, "form_update_mode": "match_exactly", "autosend": "wifi_and_cellular",
                    "app_language": lang},
        "admin": {},
        "project": {"name": project, "icon": "督", "color": "#0072B2"},
    }
    raw = json.dumps(settings, ensure_ascii=False).encode("utf-8")
    return base64.b64encode(zlib.compress(raw)).decode("ascii")


def decode_payload(payload: str) -> dict[str, Any]:
    """The inverse of `settings_payload` (what ODK Collect does when it scans the code)."""
    data: dict[str, Any] = json.loads(zlib.decompress(base64.b64decode(payload)).decode("utf-8"))
    return data


def qr_png(payload: str) -> bytes:
    import io

    import qrcode

    img = qrcode.make(payload, error_correction=qrcode.constants.ERROR_CORRECT_M)
    buf = io.BytesIO()
    img.save(buf)
    return buf.getvalue()
