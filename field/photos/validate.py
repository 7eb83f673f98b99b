"""What is refused at the door, and why: the checks every upload passes before it is kept.

A file is accepted only if it is a JPEG, PNG or HEIC/HEIF that fully decodes and stays within
the size and pixel limits. The checks run cheapest first (size, header, pixel count) so a
decompression bomb or a 50 MB PDF is refused before any pixel memory is allocated; the full
decode comes last, because a half-uploaded or damaged photo must be refused now instead of
turning up grey in a dossier months later. Each refusal is a `PhotoError` with a catalog key
(`field/i18n/photos.py`), naming the file, so the user learns which photo and what to do.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import warnings
from typing import Any

from PIL import Image, ImageFile, UnidentifiedImageError

from field.domain.errors import ValidationError

# --------------------------------------------------------------------------------------------
# limits

MAX_BYTES = 50 * 1024 * 1024
# Pillow's own default bomb limit (about 0.27 GB as RGB). A 50 MP phone photo fits; the
# rarely used 108/200 MP "full resolution" phone modes do not, and get a clear message.
MAX_PIXELS = 89_478_485
MAX_PHOTOS_PER_FINDING = 20

# The formats accepted, and the mime type each is stored under.
_MIME_BY_FORMAT = {"JPEG": "image/jpeg", "MPO": "image/jpeg", "PNG": "image/png"}
EXT_BY_MIME = {"image/jpeg": "jpg", "image/png": "png", "image/heic": "heic", "image/heif": "heif"}
ALLOWED_EXTS = frozenset(EXT_BY_MIME.values())
# Formats recognised only to tell the user "wrong format" instead of "not an image". Kept to
# plain raster formats: opening e.g. EPS or PDF would hand untrusted bytes to more parsers.
_RECOGNISED_ONLY = ("GIF", "BMP", "WEBP", "TIFF", "AVIF")


class PhotoError(ValidationError):
    """A refused upload: a `FieldError` whose key names the reason and whose params name the
    file, shown next to the photo field (`field="photos"`) like any other refusal."""

    def __init__(self, key: str, *, field: str | None = "photos", **params: Any):
        super().__init__(key, field=field, **params)


# --------------------------------------------------------------------------------------------
# HEIF support

_heif_registered = False


def register_heif() -> None:
    """Teach Pillow HEIC/HEIF (iPhones and many Android phones save it). Idempotent, because
    both this module (on import) and tests may call it. Thumbnails, depth and aux images stay undecoded:
    we only ever need the primary image."""
    global _heif_registered
    if _heif_registered:
        return
    from pillow_heif import register_heif_opener

    register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)
    _heif_registered = True


register_heif()


# --------------------------------------------------------------------------------------------
# cheap checks


def _name(filename: str) -> str:
    return filename or "-"


def open_checked(data: bytes, filename: str) -> tuple[Image.Image, str, str]:
    """Cheap checks and a header-only open: size, image-ness, format, pixel count.

    Returns (image, sha256, mime). No pixel memory is allocated yet, which is what makes
    the bomb check meaningful.
    """
    name = _name(filename)
    if len(data) == 0:
        raise PhotoError("photo.empty", name=name)
    if len(data) > MAX_BYTES:
        raise PhotoError(
            "photo.too_large", name=name, size_mb=round(len(data) / 1024 / 1024, 1), max_mb=MAX_BYTES // 2**20
        )
    sha = hashlib.sha256(data).hexdigest()
    formats = _open_formats()
    try:
        # Pillow warns above MAX_IMAGE_PIXELS and only errors at twice that; a warning must
        # stop us too. (The explicit pixel check below backs this up, since warning filters
        # are process-wide and not thread-safe.)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=formats)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _bomb_error(name, str(exc)) from None
    except UnidentifiedImageError:
        raise PhotoError("photo.not_image", name=name) from None
    except Exception:
        # A header that a plugin recognised but could not parse: damaged, not "not an image".
        raise PhotoError("photo.corrupt", name=name) from None
    if img.width * img.height > MAX_PIXELS or img.width <= 0 or img.height <= 0:
        raise _bomb_error(name, pixels=img.width * img.height)
    fmt = img.format or "?"
    if fmt == "HEIF":
        mime = img.get_format_mimetype() or "image/heif"
        if mime not in ("image/heic", "image/heif"):
            mime = "image/heif"
    elif fmt in _MIME_BY_FORMAT:
        mime = _MIME_BY_FORMAT[fmt]
    else:
        raise PhotoError("photo.unsupported_format", name=name, format=fmt)
    return img, sha, mime


def _open_formats() -> list[str]:
    """Plugins allowed to parse uploads. MPO has no opener of its own (the JPEG one returns it),
    and AVIF exists only in some Pillow builds, so keep just what is registered."""
    Image.init()
    wanted = ["JPEG", "PNG", "HEIF", *_RECOGNISED_ONLY]
    return [f for f in wanted if f in Image.OPEN]


def _bomb_error(name: str, detail: str = "", pixels: int | None = None) -> PhotoError:
    if pixels is None:
        m = re.search(r"\((\d+) pixels\)", detail)
        pixels = int(m.group(1)) if m else 0
    return PhotoError(
        "photo.decompression_bomb", name=name, megapixels=round(pixels / 1_000_000),
        max_mp=MAX_PIXELS // 1_000_000,
    )


# --------------------------------------------------------------------------------------------
# full decode

_JPEG_MARKERS_AFTER_SCAN = frozenset([0xC4, 0xCC, 0xDA, 0xDB, 0xDC, 0xDD, 0xFE, *range(0xE0, 0xF0)])
_JPEG_ENTROPY_END = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


def _check_jpeg_structure(data: bytes) -> bool:
    """Walk the JPEG markers and check that every scan ends in a legal marker.

    libjpeg treats a damaged scan (e.g. a block of the file overwritten, as on a failing card)
    as a mere warning, which Pillow drops, and returns an image whose lower part is grey. A
    marker that cannot follow a scan is the tell-tale of such damage. Running out of data is
    left to Pillow, which reports truncation itself.
    """
    n = len(data)
    pos = 2  # after SOI
    while pos + 4 <= n:
        if data[pos] != 0xFF:
            # Stray bytes between segments: libjpeg skips them with a warning and so do we;
            # some cameras pad segments. Damage inside a scan is what we are after.
            pos = data.find(b"\xff", pos)
            if pos < 0:
                return True
            continue
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xD9:  # EOI: anything after it (MPF images, vendor trailers) is not ours
            return True
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            pos += 2
            continue
        length = int.from_bytes(data[pos + 2:pos + 4], "big")
        if length < 2:
            return False
        pos += 2 + length
        if marker == 0xDA:
            m = _JPEG_ENTROPY_END.search(data, pos)
            if m is None:
                return True  # ran out: Pillow decides whether that is truncation
            pos = m.start()
            nxt = data[pos + 1]
            if nxt != 0xD9 and nxt not in _JPEG_MARKERS_AFTER_SCAN:
                return False
    return True


def decode(img: Image.Image, mime: str, filename: str, target_side: int | None) -> Image.Image:
    """Decode every byte of the image, at reduced scale for JPEG when `target_side` allows.

    A JPEG decoded with `draft` still entropy-decodes the whole stream, so truncation is caught
    just as with a full decode, at a fraction of the time and memory.
    """
    name = _name(filename)
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        # Someone switched Pillow to accept broken files; this module must not follow.
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES is True; refusing to validate photos")
    if mime == "image/jpeg" and target_side:
        w, h = img.size
        k = min(1.0, target_side / max(w, h))
        img.draft("RGB", (max(1, math.ceil(w * k)), max(1, math.ceil(h * k))))
    try:
        img.load()
    except OSError as exc:
        key = "photo.truncated" if "truncated" in str(exc) else "photo.corrupt"
        raise PhotoError(key, name=name) from None
    except Exception:
        raise PhotoError("photo.corrupt", name=name) from None
    return img


def check_structure(data: bytes, mime: str, filename: str) -> None:
    """Refuse a JPEG whose scans show damage that the decoder itself would let through."""
    if mime == "image/jpeg" and not _check_jpeg_structure(data):
        raise PhotoError("photo.corrupt", name=_name(filename))
