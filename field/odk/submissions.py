"""From a received OpenRosa submission to a finding, through the web form's own services.

ODK Collect may split one submission over several POSTs when its photos exceed what the server
accepts per request (`X-OpenRosa-Accept-Content-Length`): every part carries the whole instance
XML and some of the attachments, and every part but the last says `*isIncomplete*=yes`. So the
first part creates an `OdkSubmission` row, the attachments of each part are kept (by hash) as
they arrive, and the final part turns the whole into a finding. A device that never heard our
answer sends again; the instanceID is the key, so a resend makes no second finding, and photos
a later POST brings are added to the finding already made.

Making the finding goes through `findings.create_finding` / `store_photo` / `attach_photo`
with the device's user as the actor — the same validation, county scope, photo pipeline,
evidence flags and audit as the capture page — inside a SAVEPOINT: if anything refuses, none of
it stays (no half-created finding), the submission goes to review with the refusal's key and
parameters, and the device is told it was received (it must not resend forever what a person
has to fix). A case officer then fixes the answers and accepts it, or rejects it; both leave
the submission and its files in place.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from field.data.models import Case, Finding, User
from field.data.odk_models import OdkDevice, OdkSubmission
from field.domain import clock
from field.domain.errors import FieldError, ValidationError
from field.domain.permissions import in_scope, require
from field.odk import instance as inst_mod
from field.odk.blobs import BlobStore
from field.odk.instance import Instance
from field.photos import PhotoStore
from field.services import audit, duplicates, findings

MAX_ATTACHMENTS = 40
FIXABLE = ("site_name", "address", "description", "pollution_types", "severity", "case_no", "location")


@dataclass(frozen=True)
class Received:
    """What the route answers: 201 when stored (as a finding, or a part of one), 202 when kept
    for review (`reason` says why)."""

    submission: OdkSubmission
    finding: Finding | None
    reason: FieldError | None = None
    duplicate: bool = False

    @property
    def status(self) -> int:
        return 202 if self.submission.state in ("review", "rejected") else 201


@dataclass(frozen=True)
class Stores:
    photos: PhotoStore
    blobs: BlobStore

    @classmethod
    def under(cls, photos: PhotoStore) -> Stores:
        return cls(photos=photos, blobs=BlobStore(photos))


def _case_id(session: Session, case_no: str) -> int | None:
    if not case_no.strip():
        return None
    ids = list(session.scalars(select(Case.id).where(Case.case_no == case_no.strip())
                               .order_by(Case.batch.desc().nulls_last(), Case.id.desc())))
    if not ids:
        raise ValidationError("odk.no_case", field="case_no", case_no=case_no.strip()[:64])
    return ids[0]


def _to_input(session: Session, inst: Instance) -> findings.FindingInput:
    point = inst.geopoint()
    return findings.FindingInput(
        description=inst.description, pollution_types=inst.pollution_types,
        location=findings.Location(lon=point.lon, lat=point.lat, source="odk", accuracy_m=point.accuracy_m),
        site_name=inst.site_name, address=inst.address, severity=inst.severity or "minor",
        case_id=_case_id(session, inst.case_no), observed_at=inst.observed_at(),
        client_token="odk:" + inst.instance_id,
    )


def _suggestions(session: Session, user: User, data: findings.FindingInput, case_no: str) -> dict[str, Any]:
    """The duplicate check the capture page shows, kept for whoever reviews the new finding."""
    assert data.location is not None
    near = duplicates.nearby_open_findings(session, user, data.location.lon, data.location.lat, limit=5)
    similar = duplicates.similar_cases(session, user, case_no=case_no, text=data.description, limit=5)
    return {"nearby": [{"finding": n.finding_id, "site": n.site_id, "distance_m": n.distance_m} for n in near],
            "cases": [{"case": c.case_id, "case_no": c.case_no, "score": c.score, "reason": c.reason}
                      for c in similar]}


def _attach(session: Session, user: User, finding: Finding, row: OdkSubmission, names: list[str],
            stores: Stores, now: dt.datetime) -> None:
    for name in names:
        sha = row.files.get(name)
        if sha is None:
            raise ValidationError("odk.missing_photo", field="photos", name=name[:120])
        photo = findings.store_photo(session, user, stores.blobs.get(sha), name, stores.photos)
        findings.attach_photo(session, user, finding, photo, "before", now=now)


def _make_finding(session: Session, row: OdkSubmission, inst: Instance, stores: Stores, *,
                  now: dt.datetime, accepted_by: User | None = None) -> Finding:
    """Inside a savepoint: all of it, or (on any refusal) none of it."""
    user = row.user
    device = row.device
    with session.begin_nested():
        data = _to_input(session, inst)
        if accepted_by is not None:
            adcode, _outside = findings.locate(data.location.lon, data.location.lat)  # type: ignore[union-attr]
            require(accepted_by, "odk.review", adcode)
        row.suggestions = _suggestions(session, user, data, inst.case_no)
        finding = findings.create_finding(session, user, data, now=now)
        _attach(session, user, finding, row, inst.images, stores, now)
        audit.record(session, user, "finding", finding.id, "odk_received", at=now,
                     after={"device": device.id if device else None, "device_label": device.label if device else "",
                            "source": row.source, "file": row.source_file or None, "instance": inst.instance_id,
                            "deviceid": inst.deviceid, "photos": len(inst.images),
                            "accepted_by": accepted_by.username if accepted_by else None})
    return finding


def _keep_files(row: OdkSubmission, files: dict[str, bytes], stores: Stores) -> None:
    kept = dict(row.files or {})
    for name, data in files.items():
        kept[name[:200]] = stores.blobs.put(data)
    if len(kept) > MAX_ATTACHMENTS:
        raise ValidationError("odk.too_many_files", field="photos", max=MAX_ATTACHMENTS)
    row.files = kept


def receive(session: Session, device: OdkDevice, xml: bytes, files: dict[str, bytes], *, complete: bool,
            stores: Stores, now: dt.datetime | None = None) -> Received:
    """One POST of a submission. Raises `FieldError` (nothing stored) for what the device should
    resend or cannot send at all: not XML, another form, no instanceID, another user's instance."""
    return ingest(session, device.user, xml, files, complete=complete, stores=stores, device=device, now=now)


SOURCES = ("collect", "central", "kobo", "qfield")


def ingest(session: Session, user: User, xml: bytes, files: dict[str, bytes], *, complete: bool, stores: Stores,
           device: OdkDevice | None = None, source: str = "collect", source_file: str = "",
           now: dt.datetime | None = None) -> Received:
    """A submission from a device (`receive`) or from an export file (`field.odk.offline`): the
    author is `user`, the instanceID the key, so the same instance twice is one finding."""
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}")
    inst = inst_mod.parse(xml)
    now = now or clock.now()
    require(user, "finding.create", check_county=False)
    row = session.scalar(select(OdkSubmission).where(OdkSubmission.instance_id == inst.instance_id))
    if row is not None and row.user_id != user.id:
        raise FieldError("odk.instance_taken", instance=inst.instance_id)
    text = xml.decode("utf-8", errors="replace")
    if row is None:
        row = OdkSubmission(instance_id=inst.instance_id, device_id=device.id if device else None, user_id=user.id,
                            source=source, source_file=source_file[:200],
                            form_id=inst.form_id, form_version=inst.version, xml=text,
                            xml_sha256=hashlib.sha256(xml).hexdigest(), files={}, state="partial",
                            complete=False, reason_key="", reason_params={}, suggestions={}, parts=0,
                            received_at=now, updated_at=now)
        session.add(row)
    elif row.state in ("partial", "review") and row.xml != text:
        row.xml, row.xml_sha256, row.form_version = text, hashlib.sha256(xml).hexdigest(), inst.version
    _keep_files(row, files, stores)
    row.parts += 1
    row.updated_at = now
    row.complete = row.complete or complete
    session.flush()
    if row.state == "accepted":
        return _late_photos(session, row, stores, now)
    if row.state == "rejected" or not complete:
        return Received(row, None, duplicate=row.state == "rejected")
    return _try(session, row, stores, now)


def _try(session: Session, row: OdkSubmission, stores: Stores, now: dt.datetime,
         accepted_by: User | None = None, inst: Instance | None = None) -> Received:
    inst = inst or inst_mod.parse(row.xml.encode("utf-8"))
    try:
        finding = _make_finding(session, row, inst, stores, now=now, accepted_by=accepted_by)
    except FieldError as exc:
        if accepted_by is not None:
            raise  # the reviewer sees the refusal on the page and fixes again
        row.state, row.reason_key = "review", exc.key
        row.reason_params = {k: v for k, v in exc.params.items() if isinstance(v, str | int | float)}
        session.flush()
        audit.record(session, row.user, "odk_submission", row.id, "to_review", at=now,
                     after={"device": row.device_id, "source": row.source, "instance": row.instance_id,
                            "reason": exc.key})
        return Received(row, None, reason=exc)
    row.state, row.finding_id, row.reason_key, row.reason_params = "accepted", finding.id, "", {}
    row.decided_by = accepted_by.id if accepted_by else None
    session.flush()
    return Received(row, finding)


def _late_photos(session: Session, row: OdkSubmission, stores: Stores, now: dt.datetime) -> Received:
    """A resend (or a late part) of an accepted submission: add photos the finding lacks."""
    inst = inst_mod.parse(row.xml.encode("utf-8"))
    finding = session.get(Finding, row.finding_id)
    assert finding is not None
    have = {fp.photo.sha256 for fp in finding.photos}
    missing = [n for n in inst.images if n in row.files and row.files[n] not in have]
    try:
        with session.begin_nested():
            _attach(session, row.user, finding, row, missing, stores, now)
    except FieldError as exc:
        row.reason_key, row.reason_params = exc.key, {k: v for k, v in exc.params.items()
                                                      if isinstance(v, str | int | float)}
        session.flush()
    return Received(row, finding, duplicate=True)


# -- review queue ----------------------------------------------------------------------------

def review_queue(session: Session, actor: User) -> list[OdkSubmission]:
    """Submissions waiting for a person (in review, or parts never completed), oldest first,
    within the actor's counties (a point that cannot be placed is shown to every reviewer)."""
    require(actor, "odk.review", check_county=False)
    rows = session.scalars(select(OdkSubmission).where(OdkSubmission.state.in_(("review", "partial")))
                           .order_by(OdkSubmission.received_at, OdkSubmission.id))
    out = []
    for row in rows:
        county = _county_of(row)
        if county is None or in_scope(actor, county):
            out.append(row)
    return out


def _county_of(row: OdkSubmission) -> str | None:
    try:
        point = inst_mod.parse(row.xml.encode("utf-8")).geopoint()
        return findings.locate(point.lon, point.lat)[0]
    except FieldError:
        return None


def answers(row: OdkSubmission) -> Instance:
    return inst_mod.parse(row.xml.encode("utf-8"))


@dataclass(frozen=True)
class Attachment:
    name: str
    data: bytes | None  # None: named by the instance but never received
    viewable: bool  # an image a browser can be shown (a refused or damaged file is listed, not shown)


def attachments(row: OdkSubmission, stores: Stores) -> list[Attachment]:
    """The photos the instance names, as kept, for the reviewer to look at."""
    from PIL import Image

    out = []
    for name in answers(row).images:
        sha = (row.files or {}).get(name)
        if sha is None or not stores.blobs.has(sha):
            out.append(Attachment(name, None, False))
            continue
        data = stores.blobs.get(sha)
        try:
            with Image.open(io.BytesIO(data)) as img:
                img.load()
            ok = True
        except Exception:  # noqa: BLE001 - whatever Pillow refuses is not shown
            ok = False
        out.append(Attachment(name, data, ok))
    return out


def _require_visible(actor: User, row: OdkSubmission) -> None:
    """A reviewer decides only what their counties' queue shows (the same rule as `review_queue`)."""
    county = _county_of(row)
    if county is not None and not in_scope(actor, county):
        raise FieldError("odk.not_in_review", id=row.id)  # as for a row that does not exist


def check(session: Session, user: User, inst: Instance) -> FieldError | None:
    """What would send this instance to review, without storing anything (an import's preview):
    the answers as the web form checks them, the case number, and the author's county scope.
    Photos are checked by the importer, which has their bytes."""
    try:
        data = _to_input(session, inst)
        findings.validate(data)
        assert data.location is not None
        adcode, _outside = findings.locate(data.location.lon, data.location.lat)
        require(user, "finding.create", adcode)
    except FieldError as exc:
        return exc
    return None


def accept(session: Session, actor: User, submission_id: int, fixes: dict[str, Any] | None = None, *,
           drop_photos: tuple[str, ...] = (), stores: Stores, now: dt.datetime | None = None) -> Finding:
    """A case officer corrects what was refused and makes the finding (author: the device's user).

    `fixes` replaces answers by form field name (FIXABLE; `location` as "lat lon [alt acc]");
    `drop_photos` leaves out attachments the pipeline refused. The XML as received is kept, the
    fixes are recorded in the audit event."""
    require(actor, "odk.review", check_county=False)
    row = session.get(OdkSubmission, submission_id)
    if row is None or row.state not in ("review", "partial"):
        raise FieldError("odk.not_in_review", id=submission_id)
    _require_visible(actor, row)
    fixes = dict(fixes or {})
    unknown = set(fixes) - set(FIXABLE)
    if unknown:
        raise ValidationError("odk.bad_fix", field=sorted(unknown)[0])
    if isinstance(fixes.get("pollution_types"), str):
        fixes["pollution_types"] = fixes["pollution_types"].split()
    inst = dataclasses.replace(answers(row), **fixes)
    inst = dataclasses.replace(inst, images=[n for n in inst.images if n not in drop_photos])
    now = now or clock.now()
    result = _try(session, row, stores, now, accepted_by=actor, inst=inst)
    assert result.finding is not None
    audit.record(session, actor, "odk_submission", row.id, "accept", at=now,
                 after={"finding": result.finding.id, "fixes": {k: str(v) for k, v in fixes.items()},
                        "dropped": list(drop_photos)})
    return result.finding


def reject(session: Session, actor: User, submission_id: int, reason: str, *,
           now: dt.datetime | None = None) -> OdkSubmission:
    """Decide that a submission makes no finding; it stays, with who decided and why."""
    require(actor, "odk.review", check_county=False)
    row = session.get(OdkSubmission, submission_id)
    if row is None or row.state not in ("review", "partial"):
        raise FieldError("odk.not_in_review", id=submission_id)
    _require_visible(actor, row)
    if not reason.strip():
        raise ValidationError("odk.need_reason", field="reason")
    row.state, row.decided_by = "rejected", actor.id
    session.flush()
    audit.record(session, actor, "odk_submission", row.id, "reject", at=now or clock.now(), reason=reason.strip())
    return row


def reason_text(row: OdkSubmission, lang: str = "zh") -> str:
    """Why a submission waits for review, in `lang` (parameters that are catalog keys, such as
    a coordinate's axis, are put in that language too)."""
    from field import i18n

    if not row.reason_key:
        return ""
    known = i18n.catalog()
    params = {k: i18n.CatalogKey(v) if isinstance(v, str) and v in known else v
              for k, v in (row.reason_params or {}).items()}
    return i18n.t(row.reason_key, lang, **params)
