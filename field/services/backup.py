"""Backup and restore: one .tar.gz with every table as JSON lines and every photo file.

A logical dump (not a copy of the SQLite file) so that a backup taken on the embedded SQLite
database restores into PostgreSQL and back: a county that starts on a laptop can move to a
server without retyping. Restoring refuses a non-empty database and a backup made by a
different schema revision, and checks every original photo against its SHA-256 name.

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
import tarfile
from pathlib import Path
from typing import Any

from sqlalchemy import Date, DateTime, Engine, func, insert, select, text
from sqlalchemy.orm import Session

from field.data.models import Base
from field.domain import clock
from field.domain.errors import FieldError

FORMAT = "field-backup/1"


def _tables():  # type: ignore[no-untyped-def]
    try:  # the ledger tables live in their own module; include them when it exists
        import field.data.ledger_models  # noqa: F401
    except ImportError:
        pass
    return Base.metadata.sorted_tables


def _revision(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(conn.execute(text("SELECT version_num FROM alembic_version")).scalar() or "")


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def backup(engine: Engine, photo_root: Path, out: Path) -> dict[str, Any]:
    """Write the archive; returns the manifest (row counts per table, photo count)."""
    manifest: dict[str, Any] = {"format": FORMAT, "created_at": clock.now().isoformat(),
                                "revision": _revision(engine), "tables": {}, "photos": 0}
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
        if photo_root.is_dir():
            for path in sorted(p for p in photo_root.rglob("*") if p.is_file() and not p.name.startswith(".")):
                rel = path.relative_to(photo_root)
                tar.add(path, arcname=f"photos/{rel.as_posix()}")
                manifest["checkpoints" if rel.parts[0] == "checkpoints" else "photos"] += 1
        data = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    tmp.replace(out)
    return manifest


def _decode(table, row: dict[str, Any]) -> dict[str, Any]:  # type: ignore[no-untyped-def]
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
        out[col.name] = value
    return out


def restore(engine: Engine, photo_root: Path, archive: Path) -> dict[str, Any]:
    """Load an archive into an empty, migrated database; returns the manifest."""
    from field.data.models import User

    with Session(engine) as s:
        if s.scalar(select(func.count()).select_from(User)):
            raise FieldError("backup.not_empty")
    try:
        tar = tarfile.open(archive, "r:gz")
    except (OSError, tarfile.TarError) as exc:
        raise FieldError("backup.unreadable", detail=str(exc)) from exc
    with tar:
        try:
            manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
        except (KeyError, AttributeError, ValueError) as exc:
            raise FieldError("backup.unreadable", detail="manifest.json") from exc
        if manifest.get("format") != FORMAT:
            raise FieldError("backup.unreadable", detail=str(manifest.get("format")))
        if manifest.get("revision") != _revision(engine):
            raise FieldError("backup.revision", backup=manifest.get("revision"), current=_revision(engine))
        with engine.begin() as conn:
            for table in _tables():
                member = f"tables/{table.name}.jsonl"
                if table.name not in manifest["tables"]:
                    continue
                data = tar.extractfile(member).read()  # type: ignore[union-attr]
                if hashlib.sha256(data).hexdigest() != manifest["tables"][table.name]["sha256"]:
                    raise FieldError("backup.corrupt", table=table.name)
                rows = [_decode(table, json.loads(line)) for line in data.decode("utf-8").splitlines() if line]
                if table.name == "counties":
                    existing = {r[0] for r in conn.execute(select(table.c.adcode))}
                    rows = [r for r in rows if r["adcode"] not in existing]
                for start in range(0, len(rows), 1000):
                    conn.execute(insert(table), rows[start:start + 1000])
            if engine.dialect.name == "postgresql":
                for table in _tables():
                    pk = list(table.primary_key.columns)
                    if len(pk) == 1 and pk[0].autoincrement is not False and pk[0].type.python_type is int:
                        top = conn.execute(select(func.max(pk[0]))).scalar() or 0
                        conn.execute(text("SELECT setval(pg_get_serial_sequence(:t, :c), :v, false)"),
                                     {"t": table.name, "c": pk[0].name, "v": top + 1})
        for member in tar.getmembers():
            if not member.isfile() or not member.name.startswith("photos/"):
                continue
            rel = Path(member.name[len("photos/"):])
            if rel.is_absolute() or ".." in rel.parts:
                raise FieldError("backup.corrupt", table=member.name)
            data = tar.extractfile(member).read()  # type: ignore[union-attr]
            if rel.parts and rel.parts[0] == "originals" and hashlib.sha256(data).hexdigest() != rel.stem:
                raise FieldError("backup.corrupt", table=member.name)
            target = photo_root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    return manifest
