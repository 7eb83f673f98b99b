"""Where photos are kept: objects named by the SHA-256 of the original, each written once.

One interface, `PhotoStore`, two places: a local folder (`LocalPhotoStore`, the default) and an
S3-compatible bucket (`field.photos.s3store.S3PhotoStore`, `FIELD_PHOTO_STORE=s3://bucket/prefix`;
`open_store` picks one from the setting). Everything above the store — the photo pipeline,
the checkpoint log, the ODK attachment queue, `verify`, `gc`, backup and restore — is written
against a handful of object operations (`read`, `exists`, `write_once`, `replace`, `objects`,
`delete`), so the same code runs on both, and keys are the same '/'-separated relative paths the
database keeps (a store can be moved without touching a row: `python -m field migrate-photos`).

Content addressing makes a repeat upload free (the same bytes are kept once) and tampering
visible (a file whose bytes no longer hash to its name has been altered: `PhotoStore.verify`).
Writes are atomic, so a reader or a crash never leaves half a photo behind.

The store also keeps the checkpoint log (`append_checkpoint`, `read_checkpoints`): signed
statements of the sign-off chain's head and of the audit trail, which must live where a
database writer cannot rewind them, and which every replica must see. Each checkpoint is a
content-addressed object that names its predecessor, and one small `HEAD` file names the
newest, so the log needs only "put an object" and "replace one small file" — the same on a
local disk and on S3 (a conditional put replacing the lock).
"""

from __future__ import annotations

import contextvars
import fcntl
import hashlib
import os
import re
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from field.photos.validate import ALLOWED_EXTS

_SHA_RE = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class StoredPaths:
    """Paths relative to the store root, '/'-separated, as kept in the database."""

    original: str
    display: str
    thumb: str


class PhotoStore(ABC):
    """Content-addressed objects: the SHA-256 of the original is the name, so a photo uploaded
    twice is kept once, and an object whose bytes no longer match its name has been altered.

    Layout (keys relative to the store's root or prefix): originals/ab/cd/<sha>.<ext>,
    display/ab/<sha>.jpg, thumbs/ab/<sha>.jpg; checkpoints/objects/ab/<sha>.json and
    checkpoints/HEAD; submissions/ab/<sha> (ODK attachments as received).
    """

    # -- the object operations each implementation provides ----------------------------------

    @abstractmethod
    def read(self, relative: str) -> bytes:
        """The object's bytes; FileNotFoundError when there is none."""

    @abstractmethod
    def exists(self, relative: str) -> bool: ...

    @abstractmethod
    def write_once(self, relative: str, content: bytes) -> bool:
        """Store `content` under `relative` unless something is there already (never
        overwritten: content addressing makes the existing object the same bytes). True when
        this call created it."""

    @abstractmethod
    def replace(self, relative: str, content: bytes) -> None:
        """Overwrite one small mutable object (only the checkpoint log's HEAD is one)."""

    @abstractmethod
    def objects(self, under: str = "") -> Iterator[tuple[str, float]]:
        """Every object below the top-level folder `under` ('' = all), as (relative key,
        modification time as a Unix time); temp and dot-named objects included."""

    @abstractmethod
    def delete(self, relative: str) -> None:
        """Remove one object (gone already is fine)."""

    @abstractmethod
    def checkpoint_lock(self) -> AbstractContextManager[None]:
        """Serialises checkpoint appends between processes sharing this store (only appends:
        signing never waits for it). A lost append would be harmless anyway: each object names
        its own predecessor, so the log stays consistent and the next checkpoint covers what it
        missed."""

    @abstractmethod
    def describe(self) -> str:
        """Where this store is, for messages: a folder path or `s3://bucket/prefix` (no secrets)."""

    def check(self) -> None:
        """Raise a `FieldError` naming the problem if the store cannot be used (unreachable,
        refused credentials, missing bucket); a local folder is created on demand."""
        return None

    # -- photos ------------------------------------------------------------------------------

    @staticmethod
    def _check_sha(sha256: str) -> str:
        if not isinstance(sha256, str) or not _SHA_RE.match(sha256):
            raise ValueError(f"not a lowercase sha256 hex digest: {sha256!r}")
        return sha256

    def paths(self, sha256: str, ext: str) -> StoredPaths:
        sha = self._check_sha(sha256)
        if ext not in ALLOWED_EXTS:
            raise ValueError(f"unsupported extension: {ext!r}")
        return StoredPaths(
            original=str(PurePosixPath("originals", sha[:2], sha[2:4], f"{sha}.{ext}")),
            display=str(PurePosixPath("display", sha[:2], f"{sha}.jpg")),
            thumb=str(PurePosixPath("thumbs", sha[:2], f"{sha}.jpg")),
        )

    def has(self, sha256: str, ext: str) -> bool:
        p = self.paths(sha256, ext)
        return all(self.exists(r) for r in (p.original, p.display, p.thumb))

    def original_key(self, sha256: str) -> str | None:
        """The key of the original stored under `sha256` (whatever its extension), or None."""
        sha = self._check_sha(sha256)
        for ext in sorted(ALLOWED_EXTS):
            key = f"originals/{sha[:2]}/{sha[2:4]}/{sha}.{ext}"
            if self.exists(key):
                return key
        return None

    def read_original(self, sha256: str) -> bytes:
        key = self.original_key(sha256)
        if key is None:
            raise FileNotFoundError(f"no original stored for {sha256}")
        return self.read(key)

    def verify(self, sha256: str) -> bool:
        """True only if the original exists and its bytes, read back now, still hash to its name."""
        key = self.original_key(sha256)
        if key is None:
            return False
        try:
            return hashlib.sha256(self.read(key)).hexdigest() == sha256
        except FileNotFoundError:
            return False

    def put(self, sha256: str, ext: str, original: bytes, display: bytes, thumb: bytes) -> StoredPaths:
        """Write whatever is missing. The original is written last, so its presence means the
        set is complete; an interrupted ingest is simply redone."""
        if hashlib.sha256(original).hexdigest() != self._check_sha(sha256):
            raise ValueError("original bytes do not match the sha256 they are stored under")
        p = self.paths(sha256, ext)
        for rel, content in ((p.display, display), (p.thumb, thumb), (p.original, original)):
            self.write_once(rel, content)
        return p

    # What `files()` walks: the photo folders (with the temp files of interrupted writes) and a
    # crashed restore's staging folders. Not the checkpoint log nor the ODK review queue, which
    # live under the same root but are referenced by no photo row and must never be collected.
    PHOTO_FOLDERS = ("originals", "display", "thumbs")
    STAGING_PREFIX = ".restore-"

    def files(self) -> Iterator[tuple[str, float]]:
        """Every photo object, as its relative '/'-path and modification time: what `gc`
        compares with the database's photo rows."""
        for rel, mtime in self.objects():
            top = rel.split("/", 1)[0]
            if top in self.PHOTO_FOLDERS or top.startswith(self.STAGING_PREFIX):
                yield rel, mtime

    def kept(self) -> Iterator[str]:
        """Every object a backup or a migration carries: photos, the checkpoint log and the ODK
        attachments, without temp files and staging folders (dot names: a write under way)."""
        for rel, _mtime in self.objects():
            if not any(part.startswith(".") for part in rel.split("/")):
                yield rel

    # -- the checkpoint log -------------------------------------------------------------------

    CHECKPOINTS = "checkpoints"
    CHECKPOINT_HEAD = "checkpoints/HEAD"

    def _checkpoint_key(self, sha256: str) -> str:
        sha = self._check_sha(sha256)
        return f"{self.CHECKPOINTS}/objects/{sha[:2]}/{sha}.json"

    def checkpoint_head(self) -> str | None:
        """The SHA-256 of the newest checkpoint object, or None when there is none yet."""
        try:
            text = self.read(self.CHECKPOINT_HEAD).decode("ascii")
        except FileNotFoundError:
            return None
        return self._check_sha(text.strip())

    def read_checkpoint(self, sha256: str) -> bytes:
        """One checkpoint object; ValueError if its bytes no longer hash to its name."""
        data = self.read(self._checkpoint_key(sha256))
        if hashlib.sha256(data).hexdigest() != sha256:
            raise ValueError(f"checkpoint object {sha256} was altered")
        return data

    def append_checkpoint(self, data: bytes) -> str:
        """Store one checkpoint object and make it the head; returns its SHA-256. The caller
        holds `checkpoint_lock` while it reads the head it builds on and appends."""
        sha = hashlib.sha256(data).hexdigest()
        self.write_once(self._checkpoint_key(sha), data)
        self.replace(self.CHECKPOINT_HEAD, (sha + "\n").encode("ascii"))
        return sha

    def read_checkpoints(self, prev_of: Callable[[bytes], str | None]) -> list[tuple[str, bytes]]:
        """Every checkpoint from the first to the head, as (sha, bytes); `prev_of` reads an
        object's predecessor. FileNotFoundError / ValueError when an object is missing or altered."""
        out: list[tuple[str, bytes]] = []
        sha = self.checkpoint_head()
        seen: set[str] = set()
        while sha is not None:
            if sha in seen:
                raise ValueError(f"checkpoint log loops at {sha}")
            seen.add(sha)
            data = self.read_checkpoint(sha)
            out.append((sha, data))
            sha = prev_of(data)
        out.reverse()
        return out


class LocalPhotoStore(PhotoStore):
    """A folder on this machine (`FIELD_DATA_DIR/photos` by default). Writes are atomic (temp
    file, fsync, rename), so a reader or a crash never leaves half a photo behind."""

    def __init__(self, root: Path | str):
        self.root = Path(root)

    def describe(self) -> str:
        return str(self.root)

    def abspath(self, relative: str) -> Path:
        return self.root / PurePosixPath(relative)

    def original_path(self, sha256: str) -> Path | None:
        key = self.original_key(sha256)
        return self.abspath(key) if key else None

    def read(self, relative: str) -> bytes:
        return self.abspath(relative).read_bytes()

    def exists(self, relative: str) -> bool:
        return self.abspath(relative).is_file()

    def write_once(self, relative: str, content: bytes) -> bool:
        target = self.abspath(relative)
        if target.is_file():
            return False
        _atomic_write(target, content)
        return True

    def replace(self, relative: str, content: bytes) -> None:
        _atomic_write(self.abspath(relative), content)

    def objects(self, under: str = "") -> Iterator[tuple[str, float]]:
        base = self.abspath(under) if under else self.root
        if not base.is_dir():
            return
        for path in sorted(base.rglob("*")):
            if path.is_file():
                yield path.relative_to(self.root).as_posix(), path.stat().st_mtime

    def delete(self, relative: str) -> None:
        """Remove one file (gone already is fine) and the folders it leaves empty."""
        path = self.abspath(relative)
        path.unlink(missing_ok=True)
        parent = path.parent
        while parent != self.root and parent.is_relative_to(self.root):
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent

    @contextmanager
    def checkpoint_lock(self) -> Iterator[None]:
        folder = self.root / self.CHECKPOINTS
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / ".lock").open("a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)


def open_store(spec: str, *, default_folder: Path, s3: S3Options | None = None) -> PhotoStore:
    """The store `FIELD_PHOTO_STORE` names: '' = `default_folder`, `s3://bucket/prefix` = a
    bucket (with `s3`'s endpoint and credentials), anything else = that folder."""
    if spec.startswith("s3://"):
        from field.photos.s3store import S3PhotoStore

        return S3PhotoStore.from_url(spec, s3 or S3Options())
    return LocalPhotoStore(Path(spec).expanduser() if spec.strip() else default_folder)


@dataclass(frozen=True)
class S3Options:
    """How to reach an S3-compatible service; the secret stays out of reprs and logs."""

    endpoint: str = ""
    region: str = "us-east-1"
    access_key: str = field(default="", repr=False)
    secret_key: str = field(default="", repr=False)
    path_style: bool = True
    timeout_s: float = 10.0


_DEFERRED_SYNC: contextvars.ContextVar[bool] = contextvars.ContextVar("deferred_sync", default=False)


@contextmanager
def deferred_sync() -> Iterator[None]:
    """Bulk writers (the demo seed: 460 photos, three files each) skip the per-file fsyncs and
    sync the file system once at the end; the commit that names the files follows that sync, so
    what a crash leaves is still either no row or a row with its files."""
    token = _DEFERRED_SYNC.set(True)
    try:
        yield
    finally:
        _DEFERRED_SYNC.reset(token)
        os.sync()


def _atomic_write(target: Path, content: bytes) -> None:
    """Temp file in the same directory, fsync, rename: readers never see half a photo, and a
    crash leaves either the old state or the new one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    durable = not _DEFERRED_SYNC.get()
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    if durable and hasattr(os, "O_DIRECTORY"):  # make the rename itself durable (POSIX only)
        dir_fd = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
