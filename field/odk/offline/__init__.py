"""Importing what was captured offline in another tool: ODK Central's CSV zip, a KoboToolbox
export (XLSX or CSV, with its attachments zip) and a QField GeoPackage with its `DCIM/` photos.

Each row of an export is the same answers an ODK Collect submission carries, so it is turned
back into that instance (`instance.build`) and taken through `submissions.ingest`, the OpenRosa
route's own service: the importing user is the author (an admin may name another capturing
user, as for a device token), county scope, validation, the photo pipeline, duplicate
suggestions and audit are the web form's, and a row that cannot become a finding is kept in the
review queue with its photos, not dropped. The instanceID (Central's `meta-instanceID`/`KEY`,
Kobo's `meta/instanceID`/`_uuid`, a QField layer's `uuid` field) is the key: importing the same
file again is a resend, which makes nothing twice and only adds photos a finding still lacks.

`read` refuses a file it cannot read as a whole (wrong format, missing columns) before anything
is stored; `preview` says per row what importing would do, storing nothing; `run` imports row by
row, each in a savepoint, so one row's refusal never undoes another's finding.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from field.data.models import User
from field.data.odk_models import OdkSubmission
from field.domain import clock
from field.domain.errors import FieldError, ValidationError
from field.domain.permissions import require
from field.odk import instance, submissions
from field.odk.offline.media import Media
from field.services import audit

MAX_ROWS = 5000
MAX_FILE_BYTES = 2 * 1024**3  # an upload with its photos; each photo is capped on its own
OUTCOMES = ("new", "exists", "review", "rejected", "skip")


@dataclass
class Row:
    """One submission as an export holds it: answers by form field name, photo names in order."""

    number: int  # the data row in the file (1 = first row under the header), for the report
    instance_id: str
    answers: dict[str, str]
    images: list[str] = field(default_factory=list)
    folder_hint: str = ""  # where the tool keeps this submission's files (Kobo: the _uuid folder)
    skip: FieldError | None = None  # cannot be imported at all (no key, rejected in the tool)

    @property
    def site_name(self) -> str:
        return self.answers.get("site_name", "")


@dataclass
class Parsed:
    source: str  # central / kobo / qfield (OdkSubmission.source)
    filename: str
    rows: list[Row]
    media: Media
    warnings: list[FieldError] = field(default_factory=list)
    sha256: str = ""  # of the file as uploaded: the import's audit events name it

    def xml(self, row: Row) -> bytes:
        return instance.build(row.instance_id, row.answers, row.images)

    def files(self, row: Row) -> tuple[dict[str, bytes], list[FieldError]]:
        """The row's photos the export has, and why the others are missing (absent or unreadable)."""
        got: dict[str, bytes] = {}
        problems: list[FieldError] = []
        for name in row.images:
            path = self.media.find(name, row.folder_hint)
            if path is None:
                problems.append(ValidationError("offline.media_missing", field="photos", name=name[:120]))
                continue
            try:
                got[name] = self.media.read(path)
            except FieldError as exc:
                problems.append(exc)
        return got, problems


@dataclass(frozen=True)
class RowReport:
    number: int
    instance_id: str
    site_name: str
    photos: int
    outcome: str  # one of OUTCOMES
    finding_id: int | None = None
    reason: FieldError | None = None
    problems: tuple[FieldError, ...] = ()


def read(data: bytes, filename: str, *, attachments: bytes | None = None, base_dir: Path | None = None) -> Parsed:
    """Recognise the export and read its rows; raises a `FieldError` (nothing stored) for a file
    that is none of the three, or lacks the columns the form needs."""
    name = Path(filename).name or "upload"
    parsed = _read(data, name, attachments=attachments, base_dir=base_dir)
    parsed.sha256 = hashlib.sha256(data).hexdigest()
    return parsed


def _read(data: bytes, name: str, *, attachments: bytes | None, base_dir: Path | None) -> Parsed:
    from field.odk.offline import central, kobo, qfield

    if not data:
        raise ValidationError("offline.empty", field="file", name=name)
    if len(data) > MAX_FILE_BYTES:
        raise ValidationError("offline.too_big", field="file", name=name, max_mb=MAX_FILE_BYTES // 2**20)
    lower = name.lower()
    if data.startswith(b"SQLite format 3\0") or lower.endswith(".gpkg"):
        return qfield.read(data, name, attachments=attachments, base_dir=base_dir)
    if data.startswith(b"PK"):
        from field.odk.offline.media import open_zip

        zf = open_zip(data, name)
        names = [n.lower() for n in zf.namelist()]
        if "xl/workbook.xml" in names:
            return kobo.read_xlsx(data, name, attachments=attachments)
        if any(n.endswith(".gpkg") for n in names):
            return qfield.read_zip(zf, name)
        if any(n.endswith(".csv") for n in names):
            return central.read_zip(zf, name)
        raise ValidationError("offline.unknown_format", field="file", name=name)
    if lower.endswith((".csv", ".txt")) or b"," in data[:4096] or b";" in data[:4096]:
        text = _decode(data, name)
        head = text[:4096]
        if "SubmissionDate" in head:
            return central.read_csv(text, name)
        if "_uuid" in head or "_submission_time" in head:
            return kobo.read_csv(text, name, attachments=attachments)
    raise ValidationError("offline.unknown_format", field="file", name=name)


def _decode(data: bytes, name: str) -> str:
    for enc in ("utf-8-sig", "gb18030"):  # a CSV saved again by Excel on a Chinese desktop is GB18030
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ValidationError("offline.not_text", field="file", name=name)


def _author(session: Session, actor: User, author: User | None) -> User:
    """The importer captures for themself; an admin may import a capturing user's export for them."""
    who = author or actor
    if who.id != actor.id:
        require(actor, "user.manage", check_county=False)
    require(who, "finding.create", check_county=False)
    return who


def _existing(session: Session, parsed: Parsed) -> dict[str, OdkSubmission]:
    keys = [r.instance_id for r in parsed.rows if r.instance_id]
    found: dict[str, OdkSubmission] = {}
    for i in range(0, len(keys), 500):
        for row in session.scalars(select(OdkSubmission).where(OdkSubmission.instance_id.in_(keys[i:i + 500]))):
            found[row.instance_id] = row
    return found


def _known(row: Row, sub: OdkSubmission, who: User, photos: int) -> RowReport | None:
    """A row whose instance is already here: what a resend of it does."""
    if sub.user_id != who.id:
        return RowReport(row.number, row.instance_id, row.site_name, photos, "skip",
                         reason=FieldError("odk.instance_taken", instance=row.instance_id))
    if sub.state == "accepted":
        return RowReport(row.number, row.instance_id, row.site_name, photos, "exists", finding_id=sub.finding_id)
    if sub.state == "rejected":
        return RowReport(row.number, row.instance_id, row.site_name, photos, "rejected")
    return None


def preview(session: Session, actor: User, parsed: Parsed, *, author: User | None = None) -> list[RowReport]:
    """What `run` would do with each row, storing nothing (photos are opened and checked too)."""
    from field.photos.pipeline import inspect

    who = _author(session, actor, author)
    existing = _existing(session, parsed)
    out: list[RowReport] = []
    for row in parsed.rows:
        n = len(row.images)
        if row.skip is not None:
            out.append(RowReport(row.number, row.instance_id, row.site_name, n, "skip", reason=row.skip))
            continue
        sub = existing.get(row.instance_id)
        known = _known(row, sub, who, n) if sub is not None else None
        if known is not None:
            out.append(known)
            continue
        files, problems = parsed.files(row)
        reason = submissions.check(session, who, instance.parse(parsed.xml(row)))
        for name, data in files.items():
            try:
                inspect(data, name)
            except FieldError as exc:
                problems.append(exc)
        reason = reason or (problems[0] if problems else None)
        out.append(RowReport(row.number, row.instance_id, row.site_name, n, "review" if reason else "new",
                             reason=reason, problems=tuple(problems)))
    return out


def run(session: Session, actor: User, parsed: Parsed, stores: submissions.Stores, *, author: User | None = None,
        now: dt.datetime | None = None) -> list[RowReport]:
    """Import every row (each in a savepoint) and leave one audit event for the file."""
    who = _author(session, actor, author)
    now = now or clock.now()
    out: list[RowReport] = []
    for row in parsed.rows:
        n = len(row.images)
        if row.skip is not None:
            out.append(RowReport(row.number, row.instance_id, row.site_name, n, "skip", reason=row.skip))
            continue
        files, problems = parsed.files(row)
        try:
            with session.begin_nested():
                got = submissions.ingest(session, who, parsed.xml(row), files, complete=True, stores=stores,
                                         source=parsed.source, source_file=parsed.filename, now=now)
        except FieldError as exc:
            out.append(RowReport(row.number, row.instance_id, row.site_name, n, "skip", reason=exc,
                                 problems=tuple(problems)))
            continue
        sub = got.submission
        if got.finding is not None:
            outcome = "exists" if got.duplicate else "new"
            out.append(RowReport(row.number, row.instance_id, row.site_name, n, outcome, finding_id=got.finding.id,
                                 problems=tuple(problems)))
        elif sub.state == "rejected":
            out.append(RowReport(row.number, row.instance_id, row.site_name, n, "rejected"))
        else:
            reason = got.reason or FieldError(sub.reason_key or "odk.in_review", **(sub.reason_params or {}))
            out.append(RowReport(row.number, row.instance_id, row.site_name, n, "review", reason=reason,
                                 problems=tuple(problems)))
    counts = {k: sum(1 for r in out if r.outcome == k) for k in OUTCOMES}
    audit.record(session, actor, "offline_import", parsed.sha256[:40] or "-", "import", at=now,
                 after={"source": parsed.source, "file": parsed.filename, "sha256": parsed.sha256,
                        "author": who.username,
                        "rows": len(out), **counts})
    return out


def table(reports: list[RowReport], lang: str = "zh") -> list[dict[str, object]]:
    """The per-row report as rows of text in `lang` (the page's table, the command's lines)."""
    from field import i18n

    def col(key: str) -> str:
        return i18n.t(f"offline.col.{key}", lang)

    out = []
    for r in reports:
        notes = [r.reason] if r.reason is not None else []
        notes += [p for p in r.problems if p is not r.reason]
        out.append({col("row"): r.number, col("key"): r.instance_id, col("site"): r.site_name,
                    col("photos"): r.photos, col("outcome"): i18n.t(f"offline.outcome.{r.outcome}", lang),
                    col("finding"): f"#{r.finding_id}" if r.finding_id else "",
                    col("reason"): "；".join(dict.fromkeys(i18n.error_text(e, lang) for e in notes))})
    return out


def summary(parsed: Parsed, reports: list[RowReport], lang: str = "zh") -> str:
    from field import i18n

    counts = {k: sum(1 for r in reports if r.outcome == k) for k in OUTCOMES}
    counts["skip"] += counts.pop("rejected")
    return i18n.t("offline.summary", lang, source=i18n.t(f"offline.source.{parsed.source}", lang),
                  rows=len(reports), **counts)
