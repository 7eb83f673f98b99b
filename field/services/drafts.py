"""Server-side drafts of the capture form: nothing a field worker types or photographs is lost.

Tablets on a poor connection reload, crash, run out of battery or get handed to a colleague who
logs in again. The form is therefore saved on the server, one draft per (user, form), as it
changes; photos are stored the moment they arrive and only their ids live in the draft. A draft
becomes a finding only through `submit_draft`, in the same transaction that deletes the draft,
and the draft carries the idempotency token so a double tap or a retry after a dropped link
makes exactly one finding.

Draft `data` is a plain JSON dict written by the page; the keys this module understands are:
site_name, address, description, types, subtype, severity, location ({lon, lat, source,
accuracy_m} or None), site_id, case_id, repeat_of_id, photo_kinds ({photo id: before|after}) and
client_token. Other keys (raw typed coordinates, the chosen method …) are kept verbatim.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from field.data.models import Draft, Finding, Photo, User
from field.domain import clock
from field.domain.errors import ValidationError
from field.domain.permissions import require
from field.domain.vocab import PHOTO_KINDS
from field.services import audit
from field.services.findings import (
    MAX_PHOTOS_PER_FINDING,
    FindingInput,
    Location,
    attach_photo,
    create_finding,
)

CAPTURE_FORM = "capture"
MAX_DRAFT_BYTES = 200_000  # a form of text: far above any honest draft, far below a pasted file


@dataclass
class DraftState:
    """A detached copy of a stored draft (safe to keep after the session closes)."""

    data: dict[str, Any]
    photo_ids: list[int] = field(default_factory=list)
    updated_at: dt.datetime | None = None

    @property
    def client_token(self) -> str | None:
        token = self.data.get("client_token")
        return str(token) if token else None


def new_token() -> str:
    """An idempotency key for one finding-to-be; kept in the draft until it is submitted."""
    return uuid.uuid4().hex


def _clean_photo_ids(photo_ids: list[Any]) -> list[int]:
    seen: dict[int, None] = {}
    for pid in photo_ids or []:
        try:
            seen[int(pid)] = None
        except (TypeError, ValueError) as exc:
            raise ValidationError("draft.bad_photo", field="photos", value=str(pid)[:40]) from exc
    ids = list(seen)
    if len(ids) > MAX_PHOTOS_PER_FINDING:
        raise ValidationError("photo.too_many", field="photos", max=MAX_PHOTOS_PER_FINDING)
    return ids


def _row(session: Session, user: User, form: str) -> Draft | None:
    return session.scalar(select(Draft).where(Draft.user_id == user.id, Draft.form == form))


def save_draft(session: Session, user: User, data: dict[str, Any], photo_ids: list[Any], *,
               form: str = CAPTURE_FORM) -> bool:
    """Upsert the user's draft; returns False (and writes nothing) when the content is unchanged.

    Only the field roles may keep capture drafts (they are the only ones who can submit them).
    The data must be JSON (it is stored as such) and reasonably small.
    """
    require(user, "finding.create", check_county=False)
    ids = _clean_photo_ids(photo_ids)
    try:
        encoded = json.dumps(data, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise ValidationError("draft.not_json", field="_form") from exc
    if len(encoded.encode("utf-8")) > MAX_DRAFT_BYTES:
        raise ValidationError("draft.too_large", field="_form", max_kb=MAX_DRAFT_BYTES // 1000)
    clean = json.loads(encoded)  # a private copy: later edits of `data` by the caller cannot leak in
    row = _row(session, user, form)
    if row is not None and row.data == clean and list(row.photo_ids or []) == ids:
        return False
    now = clock.now()
    if row is None:
        session.add(Draft(user_id=user.id, form=form, data=clean, photo_ids=ids, updated_at=now))
    else:
        row.data, row.photo_ids, row.updated_at = clean, ids, now
    session.flush()
    return True


def load_draft(session: Session, user: User, *, form: str = CAPTURE_FORM) -> DraftState | None:
    row = _row(session, user, form)
    if row is None:
        return None
    return DraftState(data=dict(row.data or {}), photo_ids=[int(p) for p in row.photo_ids or []],
                      updated_at=row.updated_at)


def draft_photos(session: Session, user: User, state: DraftState) -> list[Photo]:
    """The stored photos of the user's draft, in the draft's order (ids that no longer resolve
    are dropped). Only the draft's owner asks: `state` comes from their `load_draft`."""
    require(user, "finding.create", check_county=False)
    if not state.photo_ids:
        return []
    rows = {p.id: p for p in session.scalars(select(Photo).where(Photo.id.in_(state.photo_ids)))}
    return [rows[i] for i in state.photo_ids if i in rows]


def discard_draft(session: Session, user: User, *, form: str = CAPTURE_FORM) -> bool:
    """Delete the draft (the user chose 清空 or it was submitted). Stored photos stay: they are
    content-addressed and may already be evidence elsewhere."""
    row = _row(session, user, form)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def _int_or_none(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def to_finding_input(state: DraftState) -> FindingInput:
    """The finding a draft describes. Validation proper happens in `create_finding`."""
    d = state.data
    loc = d.get("location")
    location = None
    if isinstance(loc, dict) and loc.get("lon") is not None and loc.get("lat") is not None:
        acc = loc.get("accuracy_m")
        location = Location(float(loc["lon"]), float(loc["lat"]), str(loc.get("source") or "typed"),
                            float(acc) if acc is not None else None)
    return FindingInput(
        description=str(d.get("description") or ""),
        pollution_types=[str(t) for t in d.get("types") or []],
        location=location,
        site_id=_int_or_none(d.get("site_id")),
        site_name=str(d.get("site_name") or ""),
        address=str(d.get("address") or ""),
        subtype=str(d.get("subtype") or ""),
        severity=str(d.get("severity") or "minor"),
        case_id=_int_or_none(d.get("case_id")),
        repeat_of_id=_int_or_none(d.get("repeat_of_id")),
        client_token=state.client_token,
        photo_ids=[],  # attached below with their kinds
    )


def submit_draft(session: Session, user: User, *, form: str = CAPTURE_FORM,
                 now: dt.datetime | None = None) -> Finding:
    """Turn the stored draft into a finding, attach its photos with their kinds, delete the draft.

    All in the caller's transaction: if anything is refused (a ValidationError naming the form
    field), the caller rolls back and the draft is still there, untouched. A draft whose token
    already made a finding returns that finding (and is cleared) instead of making a second one.
    """
    state = load_draft(session, user, form=form)
    if state is None:
        raise ValidationError("draft.none", field="_form")
    if not state.client_token:
        raise ValidationError("draft.no_token", field="_form")
    existing = session.scalar(select(Finding).where(Finding.client_token == state.client_token))
    data = to_finding_input(state)
    finding = existing or create_finding(session, user, data, now=now)
    if existing is None:
        kinds = state.data.get("photo_kinds") or {}
        for pid in state.photo_ids:
            photo = session.get(Photo, pid)
            if photo is None:
                continue  # a photo row cannot vanish in practice; a stale id must not block the finding
            kind = str(kinds.get(str(pid)) or "before")
            if kind not in PHOTO_KINDS:
                kind = "before"
            attach_photo(session, user, finding, photo, kind, now=now)
        audit.record(session, user, "finding", finding.id, "from_draft", at=now,
                     after={"photos": len(state.photo_ids), "token": state.client_token})
    discard_draft(session, user, form=form)
    return finding
