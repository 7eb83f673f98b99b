"""A QField (or QFieldCloud) project's GeoPackage layer of findings, with its photos.

QField edits a QGIS project offline: findings are point features of a GeoPackage layer, and a
photo taken in a feature form is saved in the project folder (`DCIM/…jpg`) with its path,
relative to the project, in an attribute. The layer is the survey's own design, so its fields
are matched by name: the form's names (`site_name`, `description`, `pollution_types`,
`severity`, …) or a few common aliases; photo fields are those named photo/image/picture
(several paths in one field separated by `;`). The feature's `uuid` field (QGIS's `uuid()`
default, the usual QField practice) is the key; a layer without one gets a key from the
feature's content, so re-importing an unchanged file still creates nothing twice (the preview
warns that an edited feature would then import again). Read with pyogrio; any CRS is
reprojected to WGS-84 with geopandas.

Input is the `.gpkg` with the project folder next to it (the command line), or a zip of the
project folder (an upload), or the `.gpkg` and a zip of its `DCIM/` folder.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from field.domain import clock
from field.domain.errors import FieldError, ValidationError
from field.odk.offline import MAX_ROWS, Parsed, Row
from field.odk.offline.media import Media, open_zip

ALIASES: dict[str, tuple[str, ...]] = {
    "site_name": ("site_name", "name", "site", "点位名称"),
    "address": ("address", "addr", "地址"),
    "pollution_types": ("pollution_types", "pollution_type", "types", "污染类型"),
    "severity": ("severity", "严重程度"),
    "description": ("description", "desc", "remarks", "notes", "问题描述"),
    "case_no": ("case_no", "case", "受理编号"),
    "start": ("start", "observed_at", "datetime", "date_time", "time", "created_at"),
    "end": ("end",),
    "deviceid": ("deviceid", "device"),
}
ACCURACY = ("accuracy", "horizontal_accuracy", "h_accuracy", "precision", "position_accuracy")
KEYS = ("uuid", "instanceid", "instance_id", "_uuid", "globalid")
_PHOTO = re.compile(r"^(photo|photos|image|images|picture|pictures|照片)(_?\d+)?$", re.IGNORECASE)
_SPLIT = re.compile(r"[\s,;{}]+")
POINTS = ("Point", "Point Z", "3D Point", "MultiPoint", "MultiPoint Z", "3D MultiPoint", "Point M", "Point ZM")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=clock.CHINA_TZ)).isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _pick_layer(path: str, name: str) -> str:
    import pyogrio

    try:
        layers = pyogrio.list_layers(path)
    except Exception as exc:  # noqa: BLE001 - GDAL's errors for a file that is not a GeoPackage
        raise ValidationError("offline.not_gpkg", field="file", name=name) from exc
    best, score = None, -1
    for layer, geom in layers:
        if geom not in POINTS:
            continue
        fields = {f.lower() for f in pyogrio.read_info(path, layer=layer)["fields"]}
        got = sum(1 for names in ALIASES.values() if fields & set(names))
        if got > score:
            best, score = layer, got
    if best is None:
        raise ValidationError("offline.qfield_no_layer", field="file", name=name)
    return str(best)


def _rows(path: str, name: str) -> tuple[list[Row], list[FieldError]]:
    import pyogrio

    layer = _pick_layer(path, name)
    try:
        frame = pyogrio.read_dataframe(path, layer=layer, max_features=MAX_ROWS + 1)
    except Exception as exc:  # noqa: BLE001
        raise ValidationError("offline.not_gpkg", field="file", name=name) from exc
    if len(frame) > MAX_ROWS:
        raise ValidationError("offline.too_many_rows", field="file", max=MAX_ROWS)
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    columns = {str(c).lower(): str(c) for c in frame.columns if c != "geometry"}
    found = {k: next((columns[a.lower()] for a in names if a.lower() in columns), None) for k, names in ALIASES.items()}
    missing = [k for k in ("site_name", "pollution_types", "description") if found[k] is None]
    if missing:
        raise ValidationError("offline.missing_columns", field="file", name=name, columns="、".join(missing),
                              tool="QField")
    accuracy = next((columns[a] for a in ACCURACY if a in columns), None)
    key_col = next((columns[k] for k in KEYS if k in columns), None)
    photo_cols = [orig for low, orig in columns.items() if _PHOTO.match(low)]
    warnings = [] if key_col else [FieldError("offline.qfield_no_uuid", layer=layer)]
    rows = []
    for number, (_idx, rec) in enumerate(frame.iterrows(), start=1):
        answers = {k: _text(rec[c]) if c else "" for k, c in found.items()}
        answers["pollution_types"] = " ".join(t for t in _SPLIT.split(answers["pollution_types"]) if t)
        geom = rec.geometry
        if geom is not None and not geom.is_empty and geom.geom_type == "MultiPoint":
            geom = geom.geoms[0]
        if geom is not None and not geom.is_empty:
            parts = [f"{geom.y:.8f}", f"{geom.x:.8f}", f"{geom.z:.2f}" if geom.has_z else "0"]
            acc = _text(rec[accuracy]) if accuracy else ""
            answers["location"] = " ".join([*parts, acc] if acc else parts)
        else:
            answers["location"] = ""
        images = [p for c in photo_cols for p in re.split(r"[;\n]+", _text(rec[c])) if p.strip()]
        key = _text(rec[key_col]) if key_col else ""
        if key:
            key = key.strip("{}")
            key = key if key.startswith("uuid:") else f"uuid:{key}"
        else:
            content = repr((layer, sorted(answers.items()), images))
            key = "qfield:" + hashlib.sha256(content.encode()).hexdigest()[:40]
        rows.append(Row(number=number, instance_id=key, answers=answers, images=[p.strip() for p in images]))
    return rows, warnings


def _with_file(data: bytes, name: str) -> tuple[list[Row], list[FieldError]]:
    """pyogrio reads a path; the upload is written to a temporary file for it."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "layer.gpkg"
        path.write_bytes(data)
        return _rows(str(path), name)


def read(data: bytes, name: str, *, attachments: bytes | None = None, base_dir: Path | None = None) -> Parsed:
    """A `.gpkg`: photos from the attachments zip, else from the project folder around it."""
    rows, warnings = _with_file(data, name)
    if attachments:
        media = Media.of_zip(open_zip(attachments, "attachments.zip"))
    elif base_dir is not None:
        media = Media.of_dir(base_dir)
    else:
        media = Media.empty()
    if any(r.images for r in rows) and len(media) == 0:
        warnings.append(FieldError("offline.export_without_media", tool="QField"))
    return Parsed(source="qfield", filename=name, rows=rows, media=media, warnings=warnings)


def read_zip(zf: zipfile.ZipFile, name: str) -> Parsed:
    """A zipped project folder: the GeoPackage and, relative to its folder, `DCIM/`."""
    packages = [n for n in zf.namelist() if n.lower().endswith(".gpkg") and not n.startswith("__MACOSX")]
    if len(packages) != 1:
        raise ValidationError("offline.qfield_packages", field="file", name=name, n=len(packages))
    try:
        data = zf.read(packages[0])
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ValidationError("offline.not_zip", field="file", name=name) from exc
    rows, warnings = _with_file(data, name)
    folder = packages[0].rsplit("/", 1)[0] if "/" in packages[0] else ""
    media = Media.of_zip(zf, under=folder, skip=lambda p: p.lower().endswith((".gpkg", ".qgs", ".qgz",
                                                                                  "-wal", "-shm")))
    if any(r.images for r in rows) and len(media) == 0:
        warnings.append(FieldError("offline.export_without_media", tool="QField"))
    return Parsed(source="qfield", filename=name, rows=rows, media=media, warnings=warnings)

