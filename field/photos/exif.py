"""Reading what a photo says about itself from its EXIF: capture time, GPS fix and time,
device, orientation.

Only the file's own metadata counts, never the filename or the browser's content type, which
anyone can change. Unreadable or implausible values (a (0, 0) fix, a "0000:00:00" date, a void
GPS status) read as absent rather than refusing a genuine photo: their absence then shows up
as an evidence note (`field.photos.evidence`), which a human weighs.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from PIL import Image

from field.photos.validate import EXT_BY_MIME, decode

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
        year, month, day, hour, minute, second = (int(g) for g in m.groups())
        dt = datetime(year, month, day, hour, minute, second)
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


def _non_negative(values: Any) -> list[float] | None:
    """Each value as a finite float ≥ 0, or None if any is not one."""
    parts = [_to_float(v) for v in values]
    if any(p is None or p < 0 for p in parts):
        return None
    return [p for p in parts if p is not None]


def _dms_to_degrees(value: Any) -> float | None:
    """(deg, min, sec) rationals → decimal degrees. Also takes the one- or two-element forms
    some writers produce."""
    parts = _non_negative(value[:3] if isinstance(value, (tuple, list)) else [value])
    if not parts:
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
    parts = _non_negative(stamp)
    if not m or parts is None:
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


def read_info(img: Image.Image, sha: str, mime: str, size: int, filename: str) -> PhotoInfo:
    """The `PhotoInfo` of an image that `validate.open_checked` has opened (header only)."""
    if mime == "image/png":
        # PNG may keep its eXIf chunk after the pixels, so reading EXIF means decoding; do it
        # here, where a decoding failure is reported as such (PNG has no reduced-scale decode).
        decode(img, mime, filename, target_side=None)
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
    if pixel_orientation(mime, orientation) in (5, 6, 7, 8):
        w, h = h, w
    return PhotoInfo(
        sha256=sha, mime=mime, ext=EXT_BY_MIME[mime], size_bytes=size, width=w, height=h,
        orientation=orientation, taken_at=taken, taken_at_source=source, gps_time=parse_gps_time(gps_ifd),
        exif_lon=lon, exif_lat=lat, make=_clean_text(exif.get(_TAG_MAKE)),
        model=_clean_text(exif.get(_TAG_MODEL)), filename=filename,
    )


def pixel_orientation(mime: str, orientation: int) -> int:
    """The turn still to apply to decoded pixels: HEIF decoders have applied it already."""
    return 1 if mime in ("image/heic", "image/heif") else orientation


