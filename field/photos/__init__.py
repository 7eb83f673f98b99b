"""The photo pipeline: validate what a device uploaded, keep it untouched, make safe copies to show.

Photos are the evidence of 督察整改 work ("不隐瞒、不虚报、不造假"), so the rules are strict, and
each has one module:

* `validate` — what is refused and why: size, format, pixel count, a full decode (a
  half-uploaded or damaged photo is refused at the door, not found grey in a dossier later);
  every refusal is a `PhotoError` (a `FieldError`) with a catalog key;
* `exif` — what the file says about itself (capture time, GPS, device, orientation), read from
  its EXIF, never from the filename or the browser's content type, which anyone can change;
* `derive` — the display copy and thumbnail: upright, sRGB and without any metadata, because
  EXIF GPS of a complainant's home or a staff member's phone must not leak through a report;
* `store` — `PhotoStore`: originals kept byte for byte, named by their SHA-256 and written
  once, so a later tamper check (`PhotoStore.verify`) can prove a file is the one received; in a
  local folder (`LocalPhotoStore`) or an S3-compatible bucket (`s3store.S3PhotoStore`);
* `pipeline` — the steps tied together for one upload (`ingest`, `inspect`);
* `evidence` — notes (`Flag`) when place or time disagree with the site and visit: notes,
  never rejections, since a genuine photo with a bad GPS fix must still be keepable.

Nothing here imports streamlit; the UI and the DB services call these functions.
"""

from field.photos.derive import (
    DISPLAY_MAX_SIDE,
    DISPLAY_QUALITY,
    THUMB_MAX_BYTES,
    THUMB_MAX_SIDE,
    THUMB_QUALITIES,
)
from field.photos.evidence import Flag, evidence_flags, flag_text
from field.photos.exif import PhotoInfo, parse_exif_datetime, parse_exif_gps, parse_gps_time
from field.photos.pipeline import IngestedPhoto, ingest, inspect, make_derivatives
from field.photos.store import LocalPhotoStore, PhotoStore, StoredPaths
from field.photos.validate import (
    ALLOWED_EXTS,
    MAX_BYTES,
    MAX_PHOTOS_PER_FINDING,
    MAX_PIXELS,
    PhotoError,
    register_heif,
)

__all__ = [
    "ALLOWED_EXTS",
    "DISPLAY_MAX_SIDE",
    "DISPLAY_QUALITY",
    "MAX_BYTES",
    "MAX_PHOTOS_PER_FINDING",
    "MAX_PIXELS",
    "THUMB_MAX_BYTES",
    "THUMB_MAX_SIDE",
    "THUMB_QUALITIES",
    "Flag",
    "IngestedPhoto",
    "PhotoError",
    "PhotoInfo",
    "LocalPhotoStore",
    "PhotoStore",
    "StoredPaths",
    "evidence_flags",
    "flag_text",
    "ingest",
    "inspect",
    "make_derivatives",
    "parse_exif_datetime",
    "parse_exif_gps",
    "parse_gps_time",
    "register_heif",
]
