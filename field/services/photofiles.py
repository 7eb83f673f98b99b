"""Photo files that no row refers to: cleaned on rollback, listed by `verify`, removed by `gc`.

A photo's files are written when it is uploaded, before the action commits, so that the page
(and a sign-off sheet built in the same action) can read them at once. If the action is then
refused, the unit of work rolls back and the files this session wrote are removed here, unless
another session's committed row names the same bytes. A process killed between the write and
the commit (kill -9, power loss) cannot clean up; its files are orphans, harmless but
unaccounted for: `python -m field verify` lists them as a warning and `python -m field gc`
removes them. `gc` spares files younger than `min_age` (default an hour), which may belong to
an upload whose commit is a moment away.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session, SessionTransaction

from field.data.models import Photo
from field.domain.errors import FieldError
from field.photos.store import PhotoStore

log = logging.getLogger(__name__)
_KEY = "field.new_photo_files"
DEFAULT_MIN_AGE = dt.timedelta(hours=1)


def track(session: Session, store: PhotoStore, sha256: str, paths: Iterable[str]) -> None:
    """Remember files this session wrote for `sha256`, to remove them if it rolls back."""
    session.info.setdefault(_KEY, []).append((store, sha256, tuple(paths)))


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    # SQLAlchemy also calls this when a SAVEPOINT is released (store_photo's insert, a sign-off):
    # the action's own commit is still to come, and a rollback after it must still clean up.
    if session.in_nested_transaction():
        return
    session.info.pop(_KEY, None)


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session: Session, previous: SessionTransaction) -> None:
    if previous.nested or previous.parent is not None or not session.info.get(_KEY):
        return
    written: list[tuple[PhotoStore, str, tuple[str, ...]]] = session.info.pop(_KEY)
    if not session.is_active:
        return
    kept = set(session.scalars(select(Photo.sha256).where(Photo.sha256.in_([sha for _s, sha, _p in written]))))
    for store, sha, paths in written:
        if sha not in kept:
            for rel in paths:
                try:
                    store.delete(rel)
                except (OSError, FieldError):
                    # the store went away mid-action (a bucket unreachable): the files are
                    # orphans no row names; `verify` lists them and `gc` removes them later
                    log.warning("could not remove %s from %s after a rollback", rel, store.describe())


def _referenced(session: Session) -> set[str]:
    refs: set[str] = set()
    for row in session.execute(select(Photo.original_path, Photo.display_path, Photo.thumb_path)):
        refs.update(row)
    return refs


def orphans(session: Session, store: PhotoStore, *, min_age: dt.timedelta = dt.timedelta(0),
            now: float | None = None) -> list[str]:
    """Files (relative paths) that no photo row names, older than `min_age`, sorted. Ages are
    file times, so `now` is the real wall clock (a Unix time), not the app's `clock`."""
    cutoff = (time.time() if now is None else now) - min_age.total_seconds()
    refs = _referenced(session)
    return sorted(rel for rel, mtime in store.files() if rel not in refs and mtime <= cutoff)


def gc(session: Session, store: PhotoStore, *, min_age: dt.timedelta = DEFAULT_MIN_AGE,
       now: float | None = None, dry_run: bool = False) -> list[str]:
    """Remove the orphans; returns what was (or, with `dry_run`, would be) removed."""
    found = orphans(session, store, min_age=min_age, now=now)
    if not dry_run:
        for rel in found:
            store.delete(rel)
    return found


def summary(found: list[str]) -> dict[str, Any]:
    return {"count": len(found), "files": found[:50]}
