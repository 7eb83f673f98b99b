"""Findings, sites and their photos: the service layer the capture and map pages call.

Every write checks permission and county scope here (not in the page), validates input into
`ValidationError`s that name the form field, and leaves an audit event.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import String, cast, func, or_, select, type_coerce
from sqlalchemy.orm import Session, selectinload

from field import geo, photos
from field.data.models import Case, County, Finding, FindingPhoto, Photo, Site, User
from field.data.scoping import scope_clause
from field.domain import clock
from field.domain.clean import text as clean
from field.domain.errors import FieldError, ValidationError
from field.domain.permissions import require
from field.domain.scope import Scope
from field.domain.vocab import LOCATION_SOURCES, OPEN_STATUSES, PHOTO_KINDS, POLLUTION_TYPES, SEVERITY, STATUS
from field.photos import MAX_PHOTOS_PER_FINDING
from field.services import audit, photofiles

MAX_DESCRIPTION = 5000


@dataclass
class Location:
    lon: float
    lat: float
    source: str = "typed"
    accuracy_m: float | None = None


@dataclass
class FindingInput:
    description: str
    pollution_types: list[str]
    location: Location | None = None
    site_id: int | None = None  # an existing site (a repeat at the same place)
    site_name: str = ""
    address: str = ""
    subtype: str = ""
    severity: str = "minor"
    case_id: int | None = None
    repeat_of_id: int | None = None
    observed_at: dt.datetime | None = None
    client_token: str | None = None
    photo_ids: list[int] = field(default_factory=list)  # photos already stored (drafts)


def locate(lon: float, lat: float) -> tuple[str | None, bool]:
    """County adcode for a WGS-84 point and whether it lies outside the configured city."""
    county = geo.county_of(lon, lat)
    return (county.adcode, False) if county else (None, True)


def sync_counties(session: Session, adcode: str | None = None) -> int:
    """Load the county table from geodata/ (idempotent): counties are reference data."""
    boundaries = geo.load_counties(adcode)
    existing = {c.adcode: c for c in session.scalars(select(County))}
    for c in boundaries.counties:
        row = existing.get(c.adcode)
        if row is None:
            session.add(County(adcode=c.adcode, name=c.name, name_en=c.name_en, city_adcode=boundaries.adcode))
        else:
            row.name, row.name_en, row.city_adcode = c.name, c.name_en, boundaries.adcode
    session.flush()
    return len(boundaries.counties)


def _validate(data: FindingInput) -> None:
    if not data.description or not data.description.strip():
        raise ValidationError("finding.need_description", field="description")
    if len(data.description) > MAX_DESCRIPTION:
        raise ValidationError("finding.description_long", field="description", max=MAX_DESCRIPTION)
    if not data.pollution_types:
        raise ValidationError("finding.need_type", field="pollution_types")
    bad = [t for t in data.pollution_types if t not in POLLUTION_TYPES]
    if bad:
        raise ValidationError("finding.bad_type", field="pollution_types", value=",".join(bad))
    if data.severity not in SEVERITY:
        raise ValidationError("finding.bad_severity", field="severity")
    if data.site_id is None:
        if data.location is None:
            raise ValidationError("finding.need_location", field="location")
        if not data.site_name.strip():
            raise ValidationError("finding.need_site_name", field="site_name")
    if data.location is not None:
        try:
            geo.validate_lonlat(data.location.lon, data.location.lat)
        except geo.CoordinateError as exc:
            raise ValidationError(exc.key, field="location", **exc.params) from exc
        if data.location.source not in LOCATION_SOURCES:
            raise ValidationError("finding.bad_source", field="location")


def create_site(session: Session, actor: User, name: str, address: str, loc: Location) -> Site:
    lon, lat = geo.validate_lonlat(loc.lon, loc.lat)
    adcode, outside = locate(lon, lat)
    require(actor, "finding.create", adcode)
    site = Site(name=name.strip(), address=address.strip(), lon=lon, lat=lat, accuracy_m=loc.accuracy_m,
                location_source=loc.source, county_adcode=adcode, outside_city=outside)
    session.add(site)
    session.flush()
    audit.record(session, actor, "site", site.id, "create",
                 after={"name": site.name, "lon": lon, "lat": lat, "source": loc.source, "county": adcode})
    return site


def create_finding(session: Session, actor: User, data: FindingInput, *, now: dt.datetime | None = None) -> Finding:
    """Create a finding (status pending). A repeated client_token returns the first finding."""
    require(actor, "finding.create", check_county=False)
    if data.client_token:
        existing = session.scalar(select(Finding).where(Finding.client_token == data.client_token))
        if existing is not None:
            return existing
    data = dataclasses.replace(data, description=clean(data.description), site_name=clean(data.site_name),
                               address=clean(data.address), subtype=clean(data.subtype))
    _validate(data)
    now = now or clock.now()
    if data.site_id is not None:
        site = session.get(Site, data.site_id)
        if site is None:
            raise ValidationError("finding.no_site", field="site")
        require(actor, "finding.create", site.county_adcode)
    else:
        assert data.location is not None
        site = create_site(session, actor, data.site_name, data.address, data.location)
    if data.case_id is not None and session.get(Case, data.case_id) is None:
        raise ValidationError("finding.no_case", field="case")
    finding = Finding(
        site_id=site.id, case_id=data.case_id, repeat_of_id=data.repeat_of_id, author_id=actor.id,
        observed_at=data.observed_at or now, created_at=now, description=data.description.strip(),
        pollution_types=list(dict.fromkeys(data.pollution_types)), subtype=data.subtype.strip(),
        severity=data.severity, status="pending", client_token=data.client_token,
    )
    session.add(finding)
    session.flush()
    audit.record(session, actor, "finding", finding.id, "create", at=now,
                 after={"site": site.id, "status": "pending", "types": finding.pollution_types,
                        "case": data.case_id, "repeat_of": data.repeat_of_id})
    for photo_id in data.photo_ids:
        photo = session.get(Photo, photo_id)
        if photo is not None:
            attach_photo(session, actor, finding, photo, "before", now=now)
    return finding


def store_photo(session: Session, actor: User, data: bytes, filename: str, store: Any) -> Photo:
    """Ingest and store a photo once by hash; the same bytes twice give the same row.

    A refused file raises ValidationError(field="photos") with the photo pipeline's key, so a
    page handles it like every other refusal (`ui.action`)."""
    require(actor, "photo.add", check_county=False)
    try:
        info = photos.ingest(data, filename, store)
    except photos.PhotoError as exc:
        if isinstance(exc, FieldError):
            raise
        raise ValidationError(exc.key, field="photos", **exc.params) from exc
    if info.created:  # removed again if this action rolls back (`field.services.photofiles`)
        photofiles.track(session, store, info.sha256, (info.original_path, info.display_path, info.thumb_path))
    existing = session.scalar(select(Photo).where(Photo.sha256 == info.sha256))
    if existing is not None:
        return existing
    taken = info.taken_at
    taken_text = taken.isoformat() if taken else ""
    if taken is not None and taken.tzinfo is None:
        # EXIF without an offset is the camera's wall clock; in this field that is China time.
        taken = taken.replace(tzinfo=clock.CHINA_TZ)
    photo = Photo(
        sha256=info.sha256, original_path=info.original_path, display_path=info.display_path,
        thumb_path=info.thumb_path, mime=info.mime, size_bytes=info.size_bytes, width=info.width,
        height=info.height, taken_at=taken, taken_at_local=taken_text, exif_lon=info.exif_lon,
        exif_lat=info.exif_lat, device=" ".join(x for x in (info.make, info.model) if x)[:120],
        original_name=filename[:255], uploaded_by=actor.id,
    )
    session.add(photo)
    session.flush()
    audit.record(session, actor, "photo", photo.id, "store",
                 after={"sha256": photo.sha256, "name": photo.original_name, "bytes": photo.size_bytes})
    return photo


def photo_flags(photo: Photo, site: Site, visit: dt.datetime) -> list[dict[str, Any]]:
    flags = photos.evidence_flags(photo.exif_lon, photo.exif_lat, photo.taken_at, site.lon, site.lat, visit)
    return [{"key": f.key, **f.params} for f in flags]


def attach_photo(session: Session, actor: User, finding: Finding, photo: Photo, kind: str, *,
                 verification_id: int | None = None, now: dt.datetime | None = None) -> FindingPhoto:
    if kind not in PHOTO_KINDS:
        raise ValidationError("photo.bad_kind", field="photos")
    site = finding.site
    require(actor, "photo.add", site.county_adcode)
    existing = session.scalar(select(FindingPhoto).where(
        FindingPhoto.finding_id == finding.id, FindingPhoto.photo_id == photo.id, FindingPhoto.kind == kind))
    if existing is not None:
        if verification_id is not None and existing.verification_id is None:
            existing.verification_id = verification_id
        return existing
    count = session.scalar(select(func.count()).select_from(FindingPhoto)
                           .where(FindingPhoto.finding_id == finding.id)) or 0
    if count >= MAX_PHOTOS_PER_FINDING:
        raise ValidationError("photo.too_many", field="photos", max=MAX_PHOTOS_PER_FINDING)
    now = now or clock.now()
    link = FindingPhoto(finding_id=finding.id, photo_id=photo.id, kind=kind, verification_id=verification_id,
                        flags=photo_flags(photo, site, finding.observed_at if kind == "before" else now),
                        added_by=actor.id, added_at=now)
    session.add(link)
    session.flush()
    audit.record(session, actor, "finding", finding.id, "photo_added", at=now,
                 after={"photo": photo.sha256, "kind": kind, "flags": link.flags})
    return link


def get_finding(session: Session, actor: User, finding_id: int) -> Finding:
    finding = session.get(Finding, finding_id, options=[selectinload(Finding.site),
                                                         selectinload(Finding.photos)])
    if finding is None:
        raise FieldError("finding.not_found", id=finding_id)
    require(actor, "finding.view", finding.site.county_adcode)
    return finding


@dataclass
class MapFilter:
    statuses: tuple[str, ...] = ()
    counties: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    batches: tuple[int, ...] = ()
    key_attention: bool = False
    overdue: bool = False
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    text: str = ""


def _raw(column: Any, as_type: Any = None) -> Any:
    """A column read without its Python-side type processing (JSON decode, SQLite date parsing,
    UTCDateTime): `map_rows` decodes the few distinct values once instead of once per row."""
    return type_coerce(column, as_type if as_type is not None else String())


class _Decoded:
    """Memoised decoders for `map_rows`: 100,000 findings hold a few dozen distinct type lists
    and a few hundred distinct dates, so each raw value is decoded once per call."""

    def __init__(self) -> None:
        self._types: dict[Any, list[str]] = {}
        self._dates: dict[Any, dt.date | None] = {}

    def types(self, raw: Any) -> list[str]:
        if raw is None:
            return []
        if not isinstance(raw, str):  # a driver that decodes JSON itself (psycopg for json)
            return list(raw)
        got = self._types.get(raw)
        if got is None:
            got = self._types[raw] = list(json.loads(raw) or [])
        return list(got)  # each row its own list: a caller may change one row's list

    def date(self, raw: Any) -> dt.date | None:
        if raw is None or isinstance(raw, dt.date):
            return raw
        if raw not in self._dates:
            self._dates[raw] = dt.date.fromisoformat(str(raw)[:10])
        return self._dates[raw]


def _utc(raw: Any) -> dt.datetime | None:
    """What `UTCDateTime` returns, from a raw value (SQLite gives text, PostgreSQL an aware datetime)."""
    if raw is None:
        return None
    value = raw if isinstance(raw, dt.datetime) else dt.datetime.fromisoformat(str(raw))
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def map_rows(session: Session, actor: User, flt: MapFilter | None = None, *, today: dt.date | None = None,
             ) -> list[dict[str, Any]]:
    """One flat row per finding, scoped to the actor's counties, for the map and its tables.

    The hot read of the map page (10,000-100,000 rows): a Core query of plain columns, no ORM
    objects, the JSON and date columns read raw and decoded once per distinct value (`_Decoded`),
    the type filter in SQL. The rows are the same as a typed ORM read would give
    (tests/unit/test_map_data.py compares them)."""
    require(actor, "finding.view", check_county=False)
    flt = flt or MapFilter()
    today = today or clock.today_local()
    stmt = (
        select(Finding.id, Finding.status, Finding.description, _raw(Finding.pollution_types), Finding.severity,
               _raw(Finding.deadline), _raw(Finding.created_at), Finding.responsible_unit,
               Site.id, Site.name, Site.lon, Site.lat, Site.county_adcode, Site.address,
               Case.case_no, Case.batch, Case.key_attention, _raw(Case.deadline), Case.responsible_unit)
        .join(Site, Finding.site_id == Site.id)
        .outerjoin(Case, Finding.case_id == Case.id)
        .order_by(Finding.id)
    )
    stmt = stmt.where(scope_clause(Scope.of(actor), Site.county_adcode))
    if flt.statuses:
        stmt = stmt.where(Finding.status.in_(flt.statuses))
    if flt.counties:
        stmt = stmt.where(Site.county_adcode.in_(flt.counties))
    if flt.batches:
        stmt = stmt.where(Case.batch.in_(flt.batches))
    if flt.key_attention:
        stmt = stmt.where(Case.key_attention.is_(True))
    if flt.date_from:
        stmt = stmt.where(Finding.created_at >= dt.datetime.combine(flt.date_from, dt.time(), clock.CHINA_TZ))
    if flt.date_to:
        end = dt.datetime.combine(flt.date_to + dt.timedelta(days=1), dt.time(), clock.CHINA_TZ)
        stmt = stmt.where(Finding.created_at < end)
    if flt.types:
        # codes are plain identifiers ([a-z_]+, vocab), so '"air"' inside the JSON text is exact
        raw_types = cast(Finding.pollution_types, String)
        stmt = stmt.where(or_(*(raw_types.contains(f'"{code}"') for code in flt.types)))
    text = flt.text.strip().lower()
    wanted_types = set(flt.types)
    decoded = _Decoded()
    closed = {"public_notice", "closed", "unfounded"}
    rows = []
    for (fid, status, desc, raw_types_v, severity, f_deadline, created, f_unit, site_id, name, lon, lat, county,
         address, case_no, batch, key, c_deadline, c_unit) in session.connection().execute(stmt).all():
        types = decoded.types(raw_types_v)
        if wanted_types and not wanted_types & set(types):
            continue
        deadline = decoded.date(f_deadline) or decoded.date(c_deadline)
        overdue = bool(deadline and deadline < today and status not in closed)
        if flt.overdue and not overdue:
            continue
        if text and not any(text in (s or "").lower() for s in (desc, name, address, case_no, f_unit, c_unit)):
            continue
        rows.append({
            "id": fid, "site_id": site_id, "status": status, "name": name, "description": desc,
            "types": types, "severity": severity, "lon": lon, "lat": lat, "county": county,
            "address": address, "case_no": case_no or "", "batch": batch, "key_attention": bool(key),
            "deadline": deadline, "overdue": overdue, "unit": f_unit or c_unit or "",
            "created_at": _utc(created),
        })
    return rows


def data_version(session: Session) -> tuple[Any, ...]:
    """A value that changes whenever a finding, a site or a case changes: the map's cache key.

    Only those tables are asked (a login, a draft or an audit event elsewhere must not throw the
    map's cache away); each answer comes from an index (count, max id, newest `updated_at`), so it
    stays cheap at 100,000 findings. The count catches a deletion, the newest `updated_at` every
    edit (the models set it on update), the max id an insert; sites are never edited, only added."""
    f = session.execute(select(func.count(Finding.id), func.max(Finding.id), func.max(Finding.updated_at))).one()
    s = session.execute(select(func.count(Site.id), func.max(Site.id))).one()
    c = session.execute(select(func.count(Case.id), func.max(Case.updated_at))).one()
    return (*f, *s, *c)


def open_by_county(session: Session, actor: User) -> dict[str, int]:
    """Open findings per county adcode in the actor's whole scope, whatever the map's filter:
    the county shading says where the open work is, also when the view shows only one status."""
    require(actor, "finding.view", check_county=False)
    stmt = (select(Site.county_adcode, func.count(Finding.id))
            .join(Site, Finding.site_id == Site.id)
            .where(Finding.status.in_(OPEN_STATUSES), Site.county_adcode.is_not(None),
                   scope_clause(Scope.of(actor), Site.county_adcode))
            .group_by(Site.county_adcode))
    return {str(county): int(n) for county, n in session.execute(stmt)}


def status_counts(rows: list[dict[str, Any]]) -> dict[str, int]:
    counts = {code: 0 for code in STATUS.codes}
    for r in rows:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    return counts


def my_findings(session: Session, actor: User, since: dt.datetime) -> list[Finding]:
    """The actor's own findings since a time, newest first, still within their county scope."""
    stmt = (select(Finding).join(Site, Finding.site_id == Site.id)
            .where(Finding.author_id == actor.id, Finding.created_at >= since,
                   scope_clause(Scope.of(actor), Site.county_adcode))
            .options(selectinload(Finding.site), selectinload(Finding.photos).selectinload(FindingPhoto.photo))
            .order_by(Finding.created_at.desc()))
    return list(session.scalars(stmt))
