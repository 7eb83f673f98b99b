"""Backup and restore: one .tar.gz with every table as JSON lines and every photo file.

A logical dump (not a copy of the SQLite file) so that a backup taken on the embedded SQLite
database restores into PostgreSQL and back: a county that starts on a laptop can move to a
server without retyping. Restoring refuses a non-empty database and a backup made by a
different schema revision, checks the whole archive (every member's name, size and SHA-256,
every value against its column's length) before writing anything, and writes all or nothing.

The report archive and the weekly reports' evidence files (`file_roots`) travel too, under
files/<root>/, listed and checked like the photos.

Signatures travel with their rows and the checkpoint log with the photo store; the signing key
does not (a backup is handed around more than a secret should be). Restoring on a new machine
therefore means restoring the key directory from where secrets are kept, or at least its public
`keyring.json`, for `verify` to accept the restored signatures (README, "Signing keys").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import Date, DateTime, Engine, Table, func, insert, literal, select, text
from sqlalchemy.exc import DBAPIError

from field.data import schema
from field.domain import clock
from field.domain.errors import FieldError
from field.photos.store import LocalPhotoStore, PhotoStore

FORMAT = "field-backup/3"  # /2 lists every photo file with its size and SHA-256; /3 adds `files`
READABLE_FORMATS = ("field-backup/1", "field-backup/2", FORMAT)
_HEX = frozenset("0123456789abcdef")


def file_roots(data_dir: Path) -> dict[str, Path]:
    """The content-addressed folders beside the photos that a backup carries: the report archive
    (档案资料组: every filed .docx/.xlsx, `field.reports.ReportStore`) and the weekly reports'
    evidence files (`field.services.progress.EvidenceStore`). Their rows are in the tables; without
    the files a restored archive would list reports nobody can open."""
    from field.reports import ReportStore
    from field.services.progress import EvidenceStore

    return {"reports": ReportStore(data_dir).root, "evidence": EvidenceStore(data_dir).root}


def _addressed(path: Path) -> bool:
    """A stored file (named by its SHA-256), not a temporary one a writer is still filling."""
    stem = path.name.split(".", 1)[0]
    return len(stem) == 64 and set(stem) <= _HEX


def _tables() -> list[Table]:
    return schema.tables()


def _revision(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(conn.execute(text("SELECT version_num FROM alembic_version")).scalar() or "")


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _store(photo_root: PhotoStore | Path) -> PhotoStore:
    return photo_root if isinstance(photo_root, PhotoStore) else LocalPhotoStore(photo_root)


def backup(engine: Engine, photo_root: PhotoStore | Path, out: Path, *,
           files: dict[str, Path] | None = None) -> dict[str, Any]:
    """Write the archive; returns the manifest (row counts per table, photo count, and each file
    of the `files` roots — `file_roots(data_dir)` — under files/<root>/...). The photos are read
    from the store (a folder or a bucket), each object as it is now."""
    store = _store(photo_root)
    manifest: dict[str, Any] = {"format": FORMAT, "created_at": clock.now().isoformat(),
                                "revision": _revision(engine), "tables": {}, "photos": 0, "photo_files": {},
                                "files": {}}
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".part")
    with tarfile.open(tmp, "w:gz") as tar, engine.connect() as conn:
        for table in _tables():
            buf = io.BytesIO()
            n = 0
            for row in conn.execute(select(table).order_by(*table.primary_key.columns)):
                line = {k: _encode(v) for k, v in row._mapping.items()}
                buf.write(json.dumps(line, ensure_ascii=False).encode("utf-8") + b"\n")
                n += 1
            data = buf.getvalue()
            info = tarfile.TarInfo(f"tables/{table.name}.jsonl")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            manifest["tables"][table.name] = {"rows": n, "sha256": hashlib.sha256(data).hexdigest()}
        manifest["checkpoints"] = 0
        for rel, mtime in sorted(store.objects()):
            # dot names are temp files and staging folders (a write or restore under way)
            if any(part.startswith(".") for part in rel.split("/")):
                continue
            try:
                data = store.read(rel)
            except FileNotFoundError:
                continue  # removed (gc, a rolled-back upload) between the listing and now
            info = tarfile.TarInfo(f"photos/{rel}")
            info.size, info.mtime, info.mode = len(data), int(mtime), 0o644
            tar.addfile(info, io.BytesIO(data))
            manifest["checkpoints" if rel.split("/", 1)[0] == "checkpoints" else "photos"] += 1
            manifest["photo_files"][rel] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        for name, root in sorted((files or {}).items()):
            if not root.is_dir():
                continue
            for path in sorted(root.rglob("*")):
                if not path.is_file() or not _addressed(path):
                    continue
                key = f"{name}/{path.relative_to(root).as_posix()}"
                data = path.read_bytes()
                info = tarfile.TarInfo(f"files/{key}")
                info.size, info.mtime = len(data), int(path.stat().st_mtime)
                tar.addfile(info, io.BytesIO(data))
                manifest["files"][key] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        data = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    tmp.replace(out)
    return manifest


def _decode(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for col in table.columns:
        if col.name not in row:
            continue
        value = row[col.name]
        if value is not None and isinstance(value, str):
            if isinstance(col.type, DateTime) or getattr(col.type, "impl", None).__class__ is DateTime:
                value = dt.datetime.fromisoformat(value)
                if value.tzinfo is None:
                    value = value.replace(tzinfo=dt.UTC)
            elif isinstance(col.type, Date):
                value = dt.date.fromisoformat(value)
            else:
                limit = getattr(col.type, "length", None)
                if limit is not None and len(value) > limit:
                    # SQLite stores it, PostgreSQL refuses it: say which value, not a driver error
                    raise FieldError("backup.too_long", table=table.name, column=col.name, max=limit,
                                     row=row.get("id", ""))
        out[col.name] = value
    return out


# Reference data that every start loads from the city's boundaries (`sync_counties`): present
# in an otherwise empty database, and merged rather than refused on restore.
REFERENCE_TABLES = frozenset({"counties"})


def first_table_with_rows(engine: Engine) -> str | None:
    """The name of a table that holds rows, or None if the database is empty (reference tables
    aside). Empty means no rows anywhere: a database with findings but no users is not."""
    with engine.connect() as conn:
        for table in _tables():
            if table.name in REFERENCE_TABLES:
                continue
            if conn.execute(select(literal(1)).select_from(table).limit(1)).first() is not None:
                return table.name
    return None


@dataclass
class _Checked:
    """An archive read to the end and found complete: its rows decoded, its photos staged."""

    manifest: dict[str, Any]
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    photos: list[str] = field(default_factory=list)  # relative paths, staged under the staging dir
    files: list[str] = field(default_factory=list)  # "<root>/<rel>", staged under staging/.files


def _safe_relative(name: str) -> PurePosixPath:
    rel = PurePosixPath(name)
    if rel.is_absolute() or ".." in rel.parts or not rel.parts or any(p.startswith(".") for p in rel.parts):
        raise FieldError("backup.unexpected", member=name)
    return rel


def _stage(tar: tarfile.TarFile, member: tarfile.TarInfo, target: Path) -> tuple[int, str]:
    src = tar.extractfile(member)
    if src is None:
        raise FieldError("backup.unexpected", member=member.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with src, target.open("wb") as out:
        while chunk := src.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return size, digest.hexdigest()


def _read_archive(engine: Engine, archive: Path, staging: Path, roots: frozenset[str] = frozenset()) -> _Checked:
    """Read every member once, in order, and check all of it before anything is written:
    names (nothing unexpected, nothing missing), sizes, SHA-256 of every table and photo, the
    schema revision, and every value against its column. Photos go to `staging` only."""
    known = {t.name: t for t in _tables()}
    tables: dict[str, bytes] = {}
    photos: dict[str, tuple[int, str]] = {}
    others: dict[str, tuple[int, str]] = {}
    manifest: dict[str, Any] | None = None
    try:
        tar = tarfile.open(archive, "r:gz")
    except (OSError, tarfile.TarError, EOFError, zlib.error) as exc:
        raise FieldError("backup.unreadable", detail=str(exc)) from exc
    current = ""
    try:
        with tar:
            for member in tar:
                current = member.name
                if member.isdir():
                    continue
                if not member.isfile():
                    raise FieldError("backup.unexpected", member=member.name)
                if member.name == "manifest.json":
                    manifest = json.loads(tar.extractfile(member).read())  # type: ignore[union-attr]
                elif member.name.startswith("tables/") and member.name.endswith(".jsonl"):
                    name = member.name[len("tables/"):-len(".jsonl")]
                    if name not in known or name in tables:
                        raise FieldError("backup.unexpected", member=member.name)
                    tables[name] = tar.extractfile(member).read()  # type: ignore[union-attr]
                elif member.name.startswith("photos/"):
                    rel = _safe_relative(member.name[len("photos/"):]).as_posix()
                    if rel in photos:
                        raise FieldError("backup.unexpected", member=member.name)
                    photos[rel] = _stage(tar, member, staging / rel)
                    if photos[rel][0] != member.size:
                        raise FieldError("backup.corrupt", table=member.name)
                elif member.name.startswith("files/"):
                    rel_path = _safe_relative(member.name[len("files/"):])
                    rel = rel_path.as_posix()
                    if rel_path.parts[0] not in roots or len(rel_path.parts) < 2 or rel in others:
                        raise FieldError("backup.unexpected", member=member.name)
                    others[rel] = _stage(tar, member, staging / ".files" / rel)
                    if others[rel][0] != member.size:
                        raise FieldError("backup.corrupt", table=member.name)
                else:
                    raise FieldError("backup.unexpected", member=member.name)
    except FieldError:
        raise
    except (OSError, tarfile.TarError, EOFError, zlib.error, ValueError, AttributeError) as exc:
        # a truncated or damaged member: gzip and tar notice only when reading it
        raise FieldError("backup.unreadable", detail=current or str(exc)) from exc
    if not isinstance(manifest, dict) or manifest.get("format") not in READABLE_FORMATS:
        raise FieldError("backup.unreadable", detail="manifest.json" if manifest is None else
                         str(manifest.get("format") if isinstance(manifest, dict) else "manifest.json"))
    if manifest.get("revision") != _revision(engine):
        raise FieldError("backup.revision", backup=manifest.get("revision"), current=_revision(engine))
    listed = manifest.get("tables") or {}
    for name in set(listed) | set(known):
        if name not in known or name not in tables:
            raise FieldError("backup.unexpected" if name not in known else "backup.missing",
                             member=f"tables/{name}.jsonl")
        if hashlib.sha256(tables[name]).hexdigest() != listed.get(name, {}).get("sha256"):
            raise FieldError("backup.corrupt", table=name)
    _check_photos(manifest, photos)
    _check_files(manifest, others)
    checked = _Checked(manifest=manifest, photos=sorted(photos), files=sorted(others))
    for name, data in tables.items():
        try:
            rows = [_decode(known[name], json.loads(line)) for line in data.decode("utf-8").splitlines() if line]
        except (ValueError, TypeError, KeyError) as exc:
            raise FieldError("backup.corrupt", table=name) from exc
        if len(rows) != listed[name].get("rows"):
            raise FieldError("backup.corrupt", table=name)
        checked.rows[name] = rows
    return checked


def _check_photos(manifest: dict[str, Any], photos: dict[str, tuple[int, str]]) -> None:
    listed = manifest.get("photo_files")
    if listed is None:  # field-backup/1 lists only a count; originals are named by their hash
        if len(photos) != manifest.get("photos"):
            raise FieldError("backup.missing", member=f"photos/ ({len(photos)} of {manifest.get('photos')})")
    else:
        for rel in sorted(set(listed) | set(photos)):
            if rel not in photos:
                raise FieldError("backup.missing", member=f"photos/{rel}")
            if rel not in listed:
                raise FieldError("backup.unexpected", member=f"photos/{rel}")
            if [photos[rel][0], photos[rel][1]] != [listed[rel].get("size"), listed[rel].get("sha256")]:
                raise FieldError("backup.corrupt", table=f"photos/{rel}")
    for rel, (_size, sha) in photos.items():
        parts = PurePosixPath(rel).parts
        if parts[0] == "originals" and PurePosixPath(rel).stem != sha:
            raise FieldError("backup.corrupt", table=f"photos/{rel}")


def _check_files(manifest: dict[str, Any], staged: dict[str, tuple[int, str]]) -> None:
    """Every listed file present with its size and hash, nothing unlisted, each named by its hash."""
    listed = manifest.get("files") or {}
    for rel in sorted(set(listed) | set(staged)):
        if rel not in staged:
            raise FieldError("backup.missing", member=f"files/{rel}")
        if rel not in listed:
            raise FieldError("backup.unexpected", member=f"files/{rel}")
        size, sha = staged[rel]
        if [size, sha] != [listed[rel].get("size"), listed[rel].get("sha256")] \
                or PurePosixPath(rel).name.split(".", 1)[0] != sha:
            raise FieldError("backup.corrupt", table=f"files/{rel}")


def restore(engine: Engine, photo_root: PhotoStore | Path, archive: Path, *,
            files: dict[str, Path] | None = None) -> dict[str, Any]:
    """Load an archive into an empty, migrated database; returns the manifest.

    All or nothing: the archive is checked to the end (`_read_archive`, photos written only
    to a staging folder) before the first row is inserted; the rows go in one transaction, and
    the photos are moved into place inside it, so any failure — a bad member, a value the
    database refuses, a full disk — leaves the database empty and the photo folder as it was,
    and the same archive (once repaired) can simply be restored again. `photo_root` is the
    store (a folder or a bucket) or a folder path."""
    busy = first_table_with_rows(engine)
    if busy is not None:
        raise FieldError("backup.not_empty", table=busy)
    store = _store(photo_root)
    if isinstance(store, LocalPhotoStore):  # beside the photos: a crashed restore's leftovers are `gc`'s
        store.root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=PhotoStore.STAGING_PREFIX, dir=store.root))
    else:
        store.check()  # a missing bucket or refused key stops here, before anything is read
        staging = Path(tempfile.mkdtemp(prefix=PhotoStore.STAGING_PREFIX))
    try:
        checked = _read_archive(engine, archive, staging, frozenset(files or {}))
        _load(engine, checked, store, staging, files or {})
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return checked.manifest


def _install(store: PhotoStore, rel: str, staged: Path) -> bool:
    """Put one staged object into the store; True if it was not there before."""
    if isinstance(store, LocalPhotoStore):  # same filesystem: a rename, not a copy
        target = store.abspath(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        existed = target.exists()
        os.replace(staged, target)
        return not existed
    if rel == PhotoStore.CHECKPOINT_HEAD:  # the one mutable object
        existed = store.exists(rel)
        store.replace(rel, staged.read_bytes())
        return not existed
    return store.write_once(rel, staged.read_bytes())


def _load(engine: Engine, checked: _Checked, store: PhotoStore, staging: Path, roots: dict[str, Path]) -> None:
    created: list[str] = []
    created_files: list[Path] = []
    try:
        with engine.begin() as conn:
            for table in _tables():
                rows = checked.rows.get(table.name, [])
                if table.name in REFERENCE_TABLES:
                    existing = {r[0] for r in conn.execute(select(*table.primary_key.columns))}
                    rows = [r for r in rows if r[table.primary_key.columns[0].name] not in existing]
                for start in range(0, len(rows), 1000):
                    conn.execute(insert(table), rows[start:start + 1000])
            if engine.dialect.name == "postgresql":
                for table in _tables():
                    pk = list(table.primary_key.columns)
                    if len(pk) == 1 and pk[0].autoincrement is not False and pk[0].type.python_type is int:
                        top = conn.execute(select(func.max(pk[0]))).scalar() or 0
                        conn.execute(text("SELECT setval(pg_get_serial_sequence(:t, :c), :v, false)"),
                                     {"t": table.name, "c": pk[0].name, "v": top + 1})
            for rel in checked.photos:
                if _install(store, rel, staging / rel):
                    created.append(rel)
            for rel in checked.files:
                name, _, inner = rel.partition("/")
                target = roots[name] / inner
                target.parent.mkdir(parents=True, exist_ok=True)
                if not target.exists():
                    created_files.append(target)
                shutil.move(staging / ".files" / rel, target)  # the data dir may be another disk
    except BaseException as exc:
        for rel in created:
            try:
                store.delete(rel)
            except (OSError, FieldError):
                pass  # left for `gc`: no row names it once the transaction is rolled back
        for path in created_files:
            path.unlink(missing_ok=True)
        if isinstance(exc, DBAPIError):
            raise FieldError("backup.rejected", detail=str(exc.orig).splitlines()[0][:300]) from exc
        if isinstance(exc, OSError):
            raise FieldError("backup.rejected", detail=str(exc)) from exc
        raise
