"""The attachments an export carries, found by the name its table gives them.

Every tool names a photo differently: ODK Central's table says `1717209605123.jpg` and the zip
holds `media/1717209605123.jpg`; KoboToolbox's attachments zip nests it under
`<user>/attachments/<form>/<submission uuid>/`; QField's layer stores `DCIM/photo_….jpg`
relative to the project folder. So a name is looked up as a whole path, then as a path suffix,
then by its base name (under the submission's own folder first, when the name is not unique).
Files are read only when a row asks for them, each capped at the photo pipeline's limit
(a zip's declared sizes are not trusted: at most the cap plus one byte is ever inflated).
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Callable
from pathlib import Path

from field.domain.errors import ValidationError
from field.photos.validate import MAX_BYTES

MAX_MEMBERS = 20_000


def _norm(name: str) -> str:
    return posixpath.normpath(name.replace("\\", "/")).lstrip("./")


class Media:
    """Name → a way to read the bytes; `None` from `get` means the export does not have it."""

    def __init__(self, readers: dict[str, Callable[[], bytes]]):
        self._readers = {_norm(k): v for k, v in readers.items()}
        self._by_base: dict[str, list[str]] = {}
        for path in self._readers:
            self._by_base.setdefault(posixpath.basename(path).lower(), []).append(path)

    def __len__(self) -> int:
        return len(self._readers)

    @classmethod
    def empty(cls) -> Media:
        return cls({})

    @classmethod
    def of_zip(cls, zf: zipfile.ZipFile, *, under: str = "", skip: Callable[[str], bool] | None = None) -> Media:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if len(infos) > MAX_MEMBERS:
            raise ValidationError("offline.too_many_files", field="file", max=MAX_MEMBERS)
        prefix = _norm(under) + "/" if under.strip("./") else ""
        readers: dict[str, Callable[[], bytes]] = {}
        for info in infos:
            name = _norm(info.filename)
            if skip and skip(name):
                continue
            if prefix and not name.startswith(prefix):
                continue
            readers[name[len(prefix):]] = _zip_reader(zf, info)
        return cls(readers)

    @classmethod
    def of_dir(cls, root: Path) -> Media:
        readers: dict[str, Callable[[], bytes]] = {}
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                readers[path.relative_to(root).as_posix()] = _file_reader(path)
                if len(readers) > MAX_MEMBERS:
                    raise ValidationError("offline.too_many_files", field="file", max=MAX_MEMBERS)
        return cls(readers)

    def find(self, name: str, folder_hint: str = "") -> str | None:
        """The stored path for a name as a table gives it, or None."""
        want = _norm(name)
        if not want or want == ".":
            return None
        if want in self._readers:
            return want
        tails = [p for p in self._readers if p.endswith("/" + want)]
        if len(tails) == 1:
            return tails[0]
        same = tails or self._by_base.get(posixpath.basename(want).lower(), [])
        if folder_hint:
            hinted = [p for p in same if folder_hint in p.split("/")]
            if len(hinted) == 1:
                return hinted[0]
        return same[0] if len(same) == 1 else None

    def read(self, path: str) -> bytes:
        return self._readers[path]()


def _zip_reader(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Callable[[], bytes]:
    def read() -> bytes:
        try:
            with zf.open(info) as fh:
                data = fh.read(MAX_BYTES + 1)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
            raise ValidationError("offline.broken_media", field="photos", name=info.filename[:120]) from exc
        if len(data) > MAX_BYTES:
            raise ValidationError("offline.media_too_big", field="photos", name=info.filename[:120],
                                  max_mb=MAX_BYTES // 2**20)
        return data

    return read


def _file_reader(path: Path) -> Callable[[], bytes]:
    def read() -> bytes:
        if path.stat().st_size > MAX_BYTES:
            raise ValidationError("offline.media_too_big", field="photos", name=path.name[:120],
                                  max_mb=MAX_BYTES // 2**20)
        return path.read_bytes()

    return read


def open_zip(data: bytes, name: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError) as exc:
        raise ValidationError("offline.not_zip", field="file", name=name[:120]) from exc
