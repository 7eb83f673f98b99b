"""Where photos are kept: files named by the SHA-256 of the original, each written once.

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

import fcntl
import hashlib
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from field.photos.validate import ALLOWED_EXTS

_SHA_RE = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class StoredPaths:
    """Paths relative to the store root, '/'-separated, as kept in the database."""

    original: str
    display: str
    thumb: str


class PhotoStore:
    """Content-addressed files: the SHA-256 of the original is the name, so a photo uploaded
    twice is kept once, and a file whose bytes no longer match its name has been altered.

    Layout: originals/ab/cd/<sha>.<ext>, display/ab/<sha>.jpg, thumbs/ab/<sha>.jpg.
    """

    def __init__(self, root: Path | str):
        self.root = Path(root)

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

    def abspath(self, relative: str) -> Path:
        return self.root / PurePosixPath(relative)

    def has(self, sha256: str, ext: str) -> bool:
        p = self.paths(sha256, ext)
        return all(self.abspath(r).is_file() for r in (p.original, p.display, p.thumb))

    def original_path(self, sha256: str) -> Path | None:
        sha = self._check_sha(sha256)
        folder = self.root / "originals" / sha[:2] / sha[2:4]
        for ext in sorted(ALLOWED_EXTS):
            candidate = folder / f"{sha}.{ext}"
            if candidate.is_file():
                return candidate
        return None

    def read_original(self, sha256: str) -> bytes:
        path = self.original_path(sha256)
        if path is None:
            raise FileNotFoundError(f"no original stored for {sha256}")
        return path.read_bytes()

    def verify(self, sha256: str) -> bool:
        """True only if the original exists and its bytes still hash to its name."""
        path = self.original_path(sha256)
        if path is None:
            return False
        with path.open("rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest() == sha256

    def put(self, sha256: str, ext: str, original: bytes, display: bytes, thumb: bytes) -> StoredPaths:
        """Write whatever is missing. The original is written last, so its presence means the
        set is complete; an interrupted ingest is simply redone."""
        if hashlib.sha256(original).hexdigest() != self._check_sha(sha256):
            raise ValueError("original bytes do not match the sha256 they are stored under")
        p = self.paths(sha256, ext)
        for rel, content in ((p.display, display), (p.thumb, thumb), (p.original, original)):
            target = self.abspath(rel)
            if not target.is_file():
                _atomic_write(target, content)
        return p


    # What `files()` walks: the photo folders (with the temp files of interrupted writes) and a
    # crashed restore's staging folders. Not the checkpoint log nor the ODK review queue, which
    # live under the same root but are referenced by no photo row and must never be collected.
    PHOTO_FOLDERS = ("originals", "display", "thumbs")
    STAGING_PREFIX = ".restore-"

    def files(self) -> Iterator[tuple[str, float]]:
        """Every photo file kept under the root, as its relative '/'-path and modification time:
        what `gc` compares with the database's photo rows."""
        if not self.root.is_dir():
            return
        for top in self.root.iterdir():
            if not top.is_dir() or not (top.name in self.PHOTO_FOLDERS or top.name.startswith(self.STAGING_PREFIX)):
                continue
            for path in top.rglob("*"):
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

    # -- the checkpoint log -------------------------------------------------------------------

    CHECKPOINTS = "checkpoints"

    def _checkpoint_object(self, sha256: str) -> Path:
        sha = self._check_sha(sha256)
        return self.root / self.CHECKPOINTS / "objects" / sha[:2] / f"{sha}.json"

    def checkpoint_head(self) -> str | None:
        """The SHA-256 of the newest checkpoint object, or None when there is none yet."""
        head = self.root / self.CHECKPOINTS / "HEAD"
        if not head.is_file():
            return None
        return self._check_sha(head.read_text(encoding="ascii").strip())

    def read_checkpoint(self, sha256: str) -> bytes:
        """One checkpoint object; ValueError if its bytes no longer hash to its name."""
        data = self._checkpoint_object(sha256).read_bytes()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise ValueError(f"checkpoint object {sha256} was altered")
        return data

    @contextmanager
    def checkpoint_lock(self) -> Iterator[None]:
        """Serialises appends between processes sharing this directory (only appends: signing
        never waits for it). A lost append would be harmless anyway: each object names its own
        predecessor, so the log stays consistent and the next checkpoint covers what it missed."""
        folder = self.root / self.CHECKPOINTS
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / ".lock").open("a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def append_checkpoint(self, data: bytes) -> str:
        """Store one checkpoint object and make it the head; returns its SHA-256. The caller
        holds `checkpoint_lock` while it reads the head it builds on and appends."""
        sha = hashlib.sha256(data).hexdigest()
        target = self._checkpoint_object(sha)
        if not target.is_file():
            _atomic_write(target, data)
        _atomic_write(self.root / self.CHECKPOINTS / "HEAD", (sha + "\n").encode("ascii"))
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


def _atomic_write(target: Path, content: bytes) -> None:
    """Temp file in the same directory, fsync, rename: readers never see half a photo, and a
    crash leaves either the old state or the new one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    if hasattr(os, "O_DIRECTORY"):  # make the rename itself durable (POSIX only)
        dir_fd = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
