"""`python -m field migrate-photos --to s3://…` (or `--to /a/folder`): copy a photo store to another.

Every object is copied by its key (the database's relative paths stay valid, so switching
`FIELD_PHOTO_STORE` afterwards is the only change), and every copy is read back and hashed:
an object counts as migrated only when the target returns the same SHA-256 as the source.
Objects named by their own hash (originals, checkpoint objects, ODK attachments) are also
checked against their name first, so an altered original is reported, not spread.

Resumable and idempotent: an object already in the target with the same bytes is counted as
present and not written again, so an interrupted run is simply run again. An object in the
target with different bytes is a conflict: the store writes once, so it is reported and left
alone. The checkpoint log's HEAD, the one mutable object, is copied last, after the objects it
names.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from field.domain.errors import FieldError
from field.photos.store import PhotoStore


@dataclass
class Migration:
    source: str
    target: str
    total: int = 0
    copied: int = 0
    present: int = 0
    verified: int = 0
    problems: list[FieldError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and self.verified == self.total

    def counts(self) -> dict[str, int | str]:
        return {"source": self.source, "target": self.target, "total": self.total, "copied": self.copied,
                "present": self.present, "verified": self.verified, "problems": len(self.problems)}


def _self_named(rel: str) -> str | None:
    """The SHA-256 an object's key says its bytes have, for the content-named folders."""
    parts = PurePosixPath(rel)
    top = parts.parts[0]
    if top == "originals" or rel.startswith("checkpoints/objects/"):
        return parts.stem
    if top == "submissions":
        return parts.name
    return None  # display copies and thumbnails are named by their original's hash


def _copy(source: PhotoStore, target: PhotoStore, rel: str, report: Migration) -> None:
    data = source.read(rel)
    digest = hashlib.sha256(data).hexdigest()
    named = _self_named(rel)
    if named is not None and named != digest:
        report.problems.append(FieldError("store.migrate_bad_source", name=rel))
        return
    if rel == PhotoStore.CHECKPOINT_HEAD:
        if not target.exists(rel) or target.read(rel) != data:
            target.replace(rel, data)
            report.copied += 1
        else:
            report.present += 1
    elif target.write_once(rel, data):
        report.copied += 1
    else:
        report.present += 1
    try:
        back = hashlib.sha256(target.read(rel)).hexdigest()
    except FileNotFoundError:
        back = ""
    if back == digest:
        report.verified += 1
    else:
        report.problems.append(FieldError("store.migrate_conflict", name=rel))


def migrate(source: PhotoStore, target: PhotoStore,
            progress: Callable[[Migration, str], None] | None = None) -> Migration:
    """Copy every object `source` keeps to `target`, checking each hash; returns the counts.
    Raises FieldError `store.same` for one store twice, and the store's own errors
    (unreachable, refused, no bucket) before copying anything."""
    if source.describe() == target.describe():
        raise FieldError("store.same", store=source.describe())
    source.check()
    target.check()
    report = Migration(source=source.describe(), target=target.describe())
    keys = sorted(source.kept())
    head = [k for k in keys if k == PhotoStore.CHECKPOINT_HEAD]
    for rel in [k for k in keys if k != PhotoStore.CHECKPOINT_HEAD] + head:
        report.total += 1
        _copy(source, target, rel, report)
        if progress is not None:
            progress(report, rel)
    return report
