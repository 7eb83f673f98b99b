"""The photo pipeline: validate what a device uploaded, keep it untouched, make safe copies to show.

Photos are the evidence of 督察整改 work ("不隐瞒、不虚报、不造假"), so the rules here are strict:

* the original bytes are kept exactly as uploaded, addressed by their SHA-256, so a later tamper
  check (`PhotoStore.verify`) can prove the file is the one that was received;
* a file is accepted only if it fully decodes: a half-uploaded or damaged photo is refused at the
  door instead of turning up grey in a dossier months later;
* what is read from the file (capture time, GPS, device) comes from its EXIF, never from the
  filename or the browser's content type, which anyone can change;
* the copies shown in the app and in exports carry no metadata at all, because EXIF GPS of a
  complainant's home or a staff member's phone should not leak through a public report.

Mismatches between where/when a photo was taken and the site/visit are recorded as evidence
notes (`evidence_flags`), never as rejections: a genuine photo with a bad GPS fix must still be
keepable, and a human decides what the note means.

Nothing here imports streamlit; the UI and the DB service call these functions.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import re
import tempfile
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
from PIL import Image, ImageCms, ImageFile, UnidentifiedImageError

from field.geo import distance_m
from field.i18n.photos import MESSAGES

# --------------------------------------------------------------------------------------------
# limits

MAX_BYTES = 50 * 1024 * 1024
# Pillow's own default bomb limit (about 0.27 GB as RGB). A 50 MP phone photo fits; the
# rarely used 108/200 MP "full resolution" phone modes do not, and get a clear message.
MAX_PIXELS = 89_478_485
MAX_PHOTOS_PER_FINDING = 20

DISPLAY_MAX_SIDE = 1600
THUMB_MAX_SIDE = 320
THUMB_MAX_BYTES = 60 * 1024
DISPLAY_QUALITY = 85
THUMB_QUALITIES = (80, 72, 64, 56, 48, 40, 32)

# The formats accepted, and the mime type each is stored under.
_MIME_BY_FORMAT = {"JPEG": "image/jpeg", "MPO": "image/jpeg", "PNG": "image/png"}
_EXT_BY_MIME = {"image/jpeg": "jpg", "image/png": "png", "image/heic": "heic", "image/heif": "heif"}
ALLOWED_EXTS = frozenset(_EXT_BY_MIME.values())
# Formats recognised only to tell the user "wrong format" instead of "not an image". Kept to
# plain raster formats: opening e.g. EPS or PDF would hand untrusted bytes to more parsers.
_RECOGNISED_ONLY = ("GIF", "BMP", "WEBP", "TIFF", "AVIF")

_TAG_ORIENTATION = 0x0112
_TAG_MAKE = 0x010F
_TAG_MODEL = 0x0110
_IFD_EXIF = 0x8769
_IFD_GPS = 0x8825
_TAG_DATETIME_ORIGINAL = 0x9003
_TAG_DATETIME_DIGITIZED = 0x9004
_TAG_OFFSET_TIME_ORIGINAL = 0x9011
_TAG_OFFSET_TIME_DIGITIZED = 0x9012
_TAG_DATETIME = 0x0132
_TAG_OFFSET_TIME = 0x9010

# Naive datetimes (EXIF without an offset, or a visit time without one) are read as China
# Standard Time, where this app's devices and servers are.
CHINA_TZ = timezone(timedelta(hours=8), "CST")



def message(key: str, params: dict[str, Any] | None = None, lang: str = "zh") -> str:
    """Text for a message key; unknown keys come back as the key so nothing is ever blank."""
    texts = MESSAGES.get(key)
    if texts is None:
        return key
    return texts.get(lang, texts["zh"]).format(**(params or {}))


class PhotoError(ValueError):
    """A refused upload. Carries a stable key so the UI can show zh/en text and tests can assert
    the reason without matching sentences."""

    def __init__(self, key: str, **params: Any):
        self.key = key
        self.params = params
        super().__init__(f"{key}: {message(key, params, 'en')}")

    def message(self, lang: str = "zh") -> str:
        return message(self.key, self.params, lang)


@dataclass(frozen=True)
class Flag:
    """An evidence note attached to a photo; `severity` is "warning" or "info"."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)
    severity: str = "warning"

    def message(self, lang: str = "zh") -> str:
        return message(self.key, self.params, lang)


# --------------------------------------------------------------------------------------------
# HEIF support

_heif_registered = False


def register_heif() -> None:
    """Teach Pillow HEIC/HEIF (iPhones and many Android phones save it). Idempotent, because
    both this module and tests may call it. Thumbnails, depth and aux images stay undecoded:
    we only ever need the primary image."""
    global _heif_registered
    if _heif_registered:
        return
    from pillow_heif import register_heif_opener

    register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)
    _heif_registered = True


register_heif()


# --------------------------------------------------------------------------------------------
# inspection


@dataclass(frozen=True)
class PhotoInfo:
    """What the file says about itself. `width`/`height` are as displayed (after orientation).

    `taken_at` is EXIF DateTimeOriginal, else DateTimeDigitized, else the plain DateTime tag;
    `taken_at_source` names the tag used, because DateTime is weaker evidence (transfer and
    editing tools rewrite it: DSCN0010.jpg says 2008-10-22 in DateTimeOriginal but 2008-11-01,
    the day it went through Nikon Transfer, in DateTime), yet some phones (e.g. the Nokia HEIF
    sample) write nothing else. `taken_at` is timezone-aware when the file carries the matching
    OffsetTime* tag, otherwise naive camera wall-clock time: most cameras do not record their
    zone, and inventing one would make the record look more certain than it is.

    `gps_time` is the satellite UTC time (GPSDateStamp + GPSTimeStamp) when present: unlike the
    camera clock, the user cannot set it, which makes it the better check of `taken_at`.

    `orientation` is the EXIF tag as recorded (1 when absent). HEIF decoders already apply their
    own rotation, so for HEIF the pixels need no further turning whatever this says.
    """

    sha256: str
    mime: str
    ext: str
    size_bytes: int
    width: int
    height: int
    orientation: int
    taken_at: datetime | None
    taken_at_source: str | None
    gps_time: datetime | None
    exif_lon: float | None
    exif_lat: float | None
    make: str | None
    model: str | None
    filename: str = ""

    @property
    def has_gps(self) -> bool:
        return self.exif_lon is not None and self.exif_lat is not None


def _name(filename: str) -> str:
    return filename or "-"


def _open_checked(data: bytes, filename: str) -> tuple[Image.Image, str, str]:
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


def _clean_text(value: Any) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    text = value.replace("\x00", "").strip()
    return text or None


_EXIF_DT = re.compile(r"^\s*(\d{4})[:\-](\d{2})[:\-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_EXIF_OFFSET = re.compile(r"^\s*([+-])(\d{2}):?(\d{2})\s*$")


def parse_exif_datetime(value: Any, offset: Any = None) -> datetime | None:
    """EXIF "YYYY:MM:DD HH:MM:SS" (+ optional "+08:00") → datetime; blanks and zeros → None."""
    text = _clean_text(value)
    if not text:
        return None
    m = _EXIF_DT.match(text)
    if not m:
        return None
    try:
        dt = datetime(*(int(g) for g in m.groups()))
    except ValueError:  # "0000:00:00 00:00:00" and other placeholders
        return None
    off = _clean_text(offset)
    om = _EXIF_OFFSET.match(off) if off else None
    if om:
        minutes = int(om.group(2)) * 60 + int(om.group(3))
        if minutes <= 14 * 60:
            sign = -1 if om.group(1) == "-" else 1
            dt = dt.replace(tzinfo=timezone(sign * timedelta(minutes=minutes)))
    return dt


def _to_float(value: Any) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return f if math.isfinite(f) else None


def _dms_to_degrees(value: Any) -> float | None:
    """(deg, min, sec) rationals → decimal degrees. Also takes the one- or two-element forms
    some writers produce."""
    if isinstance(value, (tuple, list)):
        parts = [_to_float(v) for v in value[:3]]
    else:
        parts = [_to_float(value)]
    if not parts or any(p is None or p < 0 for p in parts):
        return None
    deg = parts[0] + (parts[1] / 60 if len(parts) > 1 else 0) + (parts[2] / 3600 if len(parts) > 2 else 0)
    return deg


def parse_exif_gps(gps: dict[int, Any]) -> tuple[float | None, float | None]:
    """EXIF GPS IFD → WGS-84 (lon, lat), or (None, None) when absent or not believable.

    (0, 0) is treated as "no fix": phones write it when they have none. A missing N/S/E/W
    reference is read as N/E (as exiftool does); any other reference makes the fix invalid.
    A GPSStatus of "V" (measurement void) also means no fix.
    """
    if not gps:
        return None, None
    if _clean_text(gps.get(9)) == "V":
        return None, None
    lat = _dms_to_degrees(gps.get(2))
    lon = _dms_to_degrees(gps.get(4))
    if lat is None or lon is None:
        return None, None
    lat_ref = (_clean_text(gps.get(1)) or "N").upper()[:1]
    lon_ref = (_clean_text(gps.get(3)) or "E").upper()[:1]
    if lat_ref not in ("N", "S") or lon_ref not in ("E", "W"):
        return None, None
    lat = -lat if lat_ref == "S" else lat
    lon = -lon if lon_ref == "W" else lon
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None, None
    return round(lon, 7), round(lat, 7)


def parse_gps_time(gps: dict[int, Any]) -> datetime | None:
    """GPSDateStamp "YYYY:MM:DD" + GPSTimeStamp (h, m, s rationals) → aware UTC datetime."""
    date_text = _clean_text(gps.get(29))
    stamp = gps.get(7)
    if not date_text or not isinstance(stamp, (tuple, list)) or len(stamp) != 3:
        return None
    m = re.match(r"^(\d{4})[:\-](\d{2})[:\-](\d{2})", date_text)
    parts = [_to_float(v) for v in stamp]
    if not m or any(p is None or p < 0 for p in parts):
        return None
    h, mi, sec = parts
    try:
        day = datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)), tzinfo=UTC)
    except ValueError:
        return None
    if h >= 24 or mi >= 60 or sec >= 61:
        return None
    return day + timedelta(hours=int(h), minutes=int(mi), seconds=round(sec, 3))


def _read_exif(img: Image.Image) -> Image.Exif:
    """The EXIF block, or an empty one if it is unreadable: broken metadata is no reason to lose
    a genuine photo (the missing GPS/time then shows up as evidence notes)."""
    try:
        exif = img.getexif()
        exif.get_ifd(_IFD_EXIF)
        exif.get_ifd(_IFD_GPS)
        return exif
    except Exception:
        return Image.Exif()


def _read_info(img: Image.Image, sha: str, mime: str, size: int, filename: str) -> PhotoInfo:
    if mime == "image/png":
        # PNG may keep its eXIf chunk after the pixels, so reading EXIF means decoding; do it
        # here, where a decoding failure is reported as such (PNG has no reduced-scale decode).
        _decode(img, mime, filename, target_side=None)
    exif = _read_exif(img)
    try:
        orientation = int(exif.get(_TAG_ORIENTATION, 1))
    except (TypeError, ValueError):
        orientation = 1
    if orientation not in range(1, 9):
        orientation = 1
    if mime in ("image/heic", "image/heif"):
        raw = img.info.get("original_orientation")
        orientation = raw if isinstance(raw, int) and raw in range(1, 9) else orientation
    exif_ifd = exif.get_ifd(_IFD_EXIF)
    taken, source = None, None
    for tag, offset_tag, ifd, label in (
        (_TAG_DATETIME_ORIGINAL, _TAG_OFFSET_TIME_ORIGINAL, exif_ifd, "DateTimeOriginal"),
        (_TAG_DATETIME_DIGITIZED, _TAG_OFFSET_TIME_DIGITIZED, exif_ifd, "DateTimeDigitized"),
        (_TAG_DATETIME, _TAG_OFFSET_TIME, exif_ifd, "DateTime"),
    ):
        value = (exif if tag == _TAG_DATETIME else ifd).get(tag)
        taken = parse_exif_datetime(value, ifd.get(offset_tag))
        if taken is not None:
            source = label
            break
    gps_ifd = dict(exif.get_ifd(_IFD_GPS))
    lon, lat = parse_exif_gps(gps_ifd)
    w, h = img.size
    if _pixel_orientation(mime, orientation) in (5, 6, 7, 8):
        w, h = h, w
    return PhotoInfo(
        sha256=sha, mime=mime, ext=_EXT_BY_MIME[mime], size_bytes=size, width=w, height=h,
        orientation=orientation, taken_at=taken, taken_at_source=source, gps_time=parse_gps_time(gps_ifd),
        exif_lon=lon, exif_lat=lat, make=_clean_text(exif.get(_TAG_MAKE)),
        model=_clean_text(exif.get(_TAG_MODEL)), filename=filename,
    )


def _pixel_orientation(mime: str, orientation: int) -> int:
    """The turn still to apply to decoded pixels: HEIF decoders have applied it already."""
    return 1 if mime in ("image/heic", "image/heif") else orientation


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


def _decode(img: Image.Image, mime: str, filename: str, target_side: int | None) -> Image.Image:
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


def _check_content(data: bytes, info: PhotoInfo) -> None:
    if info.mime == "image/jpeg" and not _check_jpeg_structure(data):
        raise PhotoError("photo.corrupt", name=_name(info.filename))


def inspect(data: bytes, filename: str = "") -> PhotoInfo:
    """Validate an upload and read what it says about itself; raises `PhotoError`.

    The whole image is decoded (JPEG at 1/8 scale, which still reads every byte) so a
    truncated or damaged file is refused here, not discovered later.
    """
    img, sha, mime = _open_checked(data, filename)
    with img:
        info = _read_info(img, sha, mime, len(data), filename)
        _check_content(data, info)
        _decode(img, mime, filename, target_side=max(1, max(img.size) // 8))
    return info


# --------------------------------------------------------------------------------------------
# derivatives

_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_SRGB = ImageCms.createProfile("sRGB")


def _to_rgb(img: Image.Image) -> Image.Image:
    """Any decoded mode → 8-bit RGB. Transparency is flattened onto white (how a viewer shows a
    transparent screenshot on paper); 16-bit greyscale is scaled, not clipped to white."""
    mode = img.mode
    if mode == "RGB":
        return img
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        arr = np.asarray(img)
        top = 65535 if mode.startswith("I;16") or int(arr.max(initial=0)) > 255 else 255
        arr8 = (np.clip(arr.astype(np.float32), 0, top) * (255.0 / top) + 0.5).astype(np.uint8)
        return Image.fromarray(arr8, "L").convert("RGB")
    if mode == "F":
        arr8 = np.clip(np.asarray(img), 0, 255).astype(np.uint8)
        return Image.fromarray(arr8, "L").convert("RGB")
    if mode == "P":
        img = img.convert("RGBA") if "transparency" in img.info else img.convert("RGB")
        mode = img.mode
    if mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = img.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return img.convert("RGB")


def _to_srgb(img: Image.Image, icc: bytes | None) -> Image.Image:
    """Bake a camera colour profile (e.g. iPhone Display P3) into sRGB pixels, since the
    profile itself is stripped with the rest of the metadata. Best effort: a broken profile
    leaves the pixels as they are rather than refusing a genuine photo."""
    if not icc or img.mode != "RGB":
        return img
    try:
        src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        desc = (ImageCms.getProfileDescription(src) or "").lower()
        if "srgb" in desc:
            return img
        out = ImageCms.profileToProfile(img, src, _SRGB, outputMode="RGB")
        return out if out is not None else img
    except Exception:
        return img


def _fit(img: Image.Image, max_side: int, resample: Image.Resampling) -> Image.Image:
    """Shrink to `max_side`. Large factors first go through a box `reduce` (reducing_gap), so
    the filter only ever works on a modest factor."""
    w, h = img.size
    if max(w, h) <= max_side:
        return img
    k = max_side / max(w, h)
    size = (max(1, round(w * k)), max(1, round(h * k)))
    return img.resize(size, resample, reducing_gap=2.0)


def _encode_jpeg(img: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    # exif/icc given explicitly empty: resize() copies `info`, and nothing from it may leak.
    img.save(buf, "JPEG", quality=quality, exif=b"", icc_profile=None, comment=b"")
    return buf.getvalue()


def _derive(img: Image.Image, info: PhotoInfo, icc: bytes | None) -> tuple[bytes, bytes]:
    # Resize before turning: the turn is then done on 2 MP instead of 12. For JPEG the DCT
    # scaling in `draft` has already done the bulk of the shrinking, leaving a factor ≤ 2 for
    # which Pillow's (antialiasing) bilinear filter is visually as good as Lanczos at half the
    # cost; the tiny thumbnail can afford Lanczos.
    display = _fit(_to_rgb(img), DISPLAY_MAX_SIDE, Image.Resampling.BILINEAR)
    turn = _TRANSPOSE.get(_pixel_orientation(info.mime, info.orientation))
    if turn is not None:
        display = display.transpose(turn)
    display = _to_srgb(display, icc)
    display.info = {}
    display_bytes = _encode_jpeg(display, DISPLAY_QUALITY)
    thumb = _fit(display, THUMB_MAX_SIDE, Image.Resampling.LANCZOS)
    thumb.info = {}
    thumb_bytes = b""
    for q in THUMB_QUALITIES:
        thumb_bytes = _encode_jpeg(thumb, q)
        if len(thumb_bytes) <= THUMB_MAX_BYTES:
            break
    return display_bytes, thumb_bytes


def make_derivatives(data: bytes, info: PhotoInfo) -> tuple[bytes, bytes]:
    """(display JPEG ≤1600 px, thumbnail JPEG ≤320 px and ≤60 KB): upright, sRGB, metadata-free.

    Safe to show anywhere, including public notices, because no EXIF/GPS survives.
    """
    img, _sha, _mime = _open_checked(data, info.filename)
    with img:
        icc = img.info.get("icc_profile")
        decoded = _decode(img, info.mime, info.filename, target_side=DISPLAY_MAX_SIDE)
        return _derive(decoded, info, icc)


# --------------------------------------------------------------------------------------------
# storage

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


# --------------------------------------------------------------------------------------------
# ingest


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
    img, sha, mime = _open_checked(data, filename)
    with img:
        info = _read_info(img, sha, mime, len(data), filename)
        paths = store.paths(sha, info.ext)
        created = not store.has(sha, info.ext)
        if created:
            _check_content(data, info)
            icc = img.info.get("icc_profile")
            decoded = _decode(img, info.mime, filename, target_side=DISPLAY_MAX_SIDE)
            display, thumb = _derive(decoded, info, icc)
            paths = store.put(sha, info.ext, data, display, thumb)
    return IngestedPhoto(
        sha256=sha, original_path=paths.original, display_path=paths.display, thumb_path=paths.thumb,
        mime=info.mime, size_bytes=info.size_bytes, width=info.width, height=info.height,
        taken_at=info.taken_at, taken_at_source=info.taken_at_source, gps_time=info.gps_time,
        exif_lon=info.exif_lon, exif_lat=info.exif_lat, make=info.make,
        model=info.model, orientation=info.orientation, filename=filename, created=created,
    )


# --------------------------------------------------------------------------------------------
# evidence notes



def _aware(dt: datetime, local_tz: tzinfo) -> datetime:
    return dt if dt.tzinfo is not None and dt.utcoffset() is not None else dt.replace(tzinfo=local_tz)


def evidence_flags(
    photo_lon: float | None,
    photo_lat: float | None,
    photo_time: datetime | None,
    site_lon: float | None,
    site_lat: float | None,
    visit_time: datetime | None,
    max_distance_m: float = 200,
    max_time_delta: timedelta = timedelta(days=1),
    *,
    local_tz: tzinfo = CHINA_TZ,
) -> list[Flag]:
    """Notes on how a photo's EXIF place/time compare with the site and the visit.

    Coordinates are WGS-84 (convert GCJ-02 site points first, or 50–500 m of offset will look
    like a far photo). Naive datetimes are read in `local_tz`. Missing site or visit data
    produces no note: there is nothing to compare with, and that is not the photo's fault.
    """
    flags: list[Flag] = []
    if photo_lon is None or photo_lat is None:
        flags.append(Flag("photo.no_gps", {}, "info"))
    elif site_lon is not None and site_lat is not None:
        d = distance_m(photo_lon, photo_lat, site_lon, site_lat)
        if d > max_distance_m:
            flags.append(Flag("photo.far_from_site", {"distance_m": int(round(d))}))
    if photo_time is None:
        flags.append(Flag("photo.no_time", {}, "info"))
    elif visit_time is not None:
        delta = abs(_aware(photo_time, local_tz) - _aware(visit_time, local_tz))
        if delta > max_time_delta:
            hours = delta.total_seconds() / 3600
            flags.append(
                Flag("photo.time_far_from_visit", {"hours": int(round(hours)), "days": round(hours / 24, 1)})
            )
    return flags
