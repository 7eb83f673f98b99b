"""The pipeline that ties validation, EXIF, derivatives and storage into one call per upload.

`ingest` opens and decodes the image once, at the scale the display copy needs, because that
is the expensive part; bytes already in the store were validated when first stored, so a
repeat upload only re-reads the header. `inspect` and `make_derivatives` run the same steps
separately, for callers (and tests) that need only one half.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from field.photos.derive import DISPLAY_MAX_SIDE, derive
from field.photos.exif import PhotoInfo, read_info
from field.photos.store import PhotoStore
from field.photos.validate import check_structure, decode, open_checked


def inspect(data: bytes, filename: str = "") -> PhotoInfo:
    """Validate an upload and read what it says about itself; raises `PhotoError`.

    The whole image is decoded (JPEG at 1/8 scale, which still reads every byte) so a
    truncated or damaged file is refused here, not discovered later.
    """
    img, sha, mime = open_checked(data, filename)
    with img:
        info = read_info(img, sha, mime, len(data), filename)
        check_structure(data, info.mime, info.filename)
        decode(img, mime, filename, target_side=max(1, max(img.size) // 8))
    return info


def make_derivatives(data: bytes, info: PhotoInfo) -> tuple[bytes, bytes]:
    """(display JPEG ≤1600 px, thumbnail JPEG ≤320 px and ≤60 KB): upright, sRGB, metadata-free.

    Safe to show anywhere, including public notices, because no EXIF/GPS survives.
    """
    img, _sha, _mime = open_checked(data, info.filename)
    with img:
        icc = img.info.get("icc_profile")
        decoded = decode(img, info.mime, info.filename, target_side=DISPLAY_MAX_SIDE)
        return derive(decoded, info, icc)


@dataclass(frozen=True)
class IngestedPhoto:
    """Everything the DB row needs. `created` is False when the same bytes were already stored."""

    sha256: str
    original_path: str
    display_path: str
    thumb_path: str
    mime: str
    size_bytes: int
    width: int
    height: int
    taken_at: datetime | None
    taken_at_source: str | None
    gps_time: datetime | None
    exif_lon: float | None
    exif_lat: float | None
    make: str | None
    model: str | None
    orientation: int
    filename: str
    created: bool


def ingest(data: bytes, filename: str, store: PhotoStore) -> IngestedPhoto:
    """Validate, derive and store one upload; raises `PhotoError` for a refused file.

    The image is decoded once, at the scale the display copy needs. Bytes already in the store
    were validated when first stored, so a repeat upload only re-reads the header.
    """
    img, sha, mime = open_checked(data, filename)
    with img:
        info = read_info(img, sha, mime, len(data), filename)
        paths = store.paths(sha, info.ext)
        created = not store.has(sha, info.ext)
        if created:
            check_structure(data, info.mime, info.filename)
            icc = img.info.get("icc_profile")
            decoded = decode(img, info.mime, filename, target_side=DISPLAY_MAX_SIDE)
            display, thumb = derive(decoded, info, icc)
            paths = store.put(sha, info.ext, data, display, thumb)
    return IngestedPhoto(
        sha256=sha, original_path=paths.original, display_path=paths.display, thumb_path=paths.thumb,
        mime=info.mime, size_bytes=info.size_bytes, width=info.width, height=info.height,
        taken_at=info.taken_at, taken_at_source=info.taken_at_source, gps_time=info.gps_time,
        exif_lon=info.exif_lon, exif_lat=info.exif_lat, make=info.make,
        model=info.model, orientation=info.orientation, filename=filename, created=created,
    )
