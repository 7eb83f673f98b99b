"""ODK Central's "CSV (zip)" export of the `field_finding` form.

The zip holds `<formId>.csv` (one row per submission), `<formId>-<repeat>.csv` per repeat and
the attachments under `media/`. Central names a column by the question's path with `-` between
groups (`meta-instanceID`), splits a geopoint into `<name>-Latitude/-Longitude/-Altitude/
-Accuracy`, and adds its own columns: `SubmissionDate`, `KEY` (the instanceID), `SubmitterName`,
`ReviewState`, `FormVersion`, …. A repeat row points at its submission by `PARENT_KEY` and has
its own `KEY` (`uuid:…/photo[2]`), so the photos keep their order. A bare main CSV (exported
without media) is read too; its photos are then reported missing and the rows wait for review.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile

from field.domain.errors import FieldError, ValidationError
from field.odk.offline import MAX_ROWS, Parsed, Row, _decode
from field.odk.offline.media import Media

GEO = ("Latitude", "Longitude", "Altitude", "Accuracy")
ANSWERS = ("start", "end", "deviceid", "site_name", "address", "pollution_types", "severity", "description",
           "case_no")
REQUIRED = ("SubmissionDate", "site_name", "pollution_types", "description", "location-Latitude",
            "location-Longitude")
_INDEX = re.compile(r"\[(\d+)\]$")


def _table(text: str, name: str) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ValidationError("offline.empty", field="file", name=name) from None
    header = [h.strip() for h in header]
    rows = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        rows.append(dict(zip(header, (v.strip() for v in values), strict=False)))
        if len(rows) > MAX_ROWS:
            raise ValidationError("offline.too_many_rows", field="file", max=MAX_ROWS)
    return header, rows


def _leaf(column: str) -> str:
    """A question's name without its groups (`grp-site_name` → `site_name`; `location-Latitude` kept)."""
    parts = column.split("-")
    if len(parts) >= 2 and parts[-1] in GEO:
        return f"{parts[-2]}-{parts[-1]}"
    return parts[-1]


def _by_leaf(header: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for col in header:
        out.setdefault(_leaf(col), col)
    return out


def _rows(header: list[str], table: list[dict[str, str]], name: str,
          photos: dict[str, list[tuple[int, str]]]) -> list[Row]:
    cols = _by_leaf(header)
    missing = [c for c in REQUIRED if c not in cols]
    if "KEY" not in cols and "instanceID" not in cols:
        missing.append("KEY")
    if missing:
        raise ValidationError("offline.missing_columns", field="file", name=name, columns="、".join(missing),
                              tool="ODK Central")
    out = []
    for number, rec in enumerate(table, start=1):
        def get(leaf: str, rec: dict[str, str] = rec) -> str:
            return rec.get(cols[leaf], "") if leaf in cols else ""

        key = get("instanceID") or get("KEY")
        answers = {a: get(a) for a in ANSWERS}
        geo = [get(f"location-{g}") for g in GEO]
        answers["location"] = " ".join(v for v in geo if v) if geo[0] and geo[1] else ""
        if not answers["end"]:
            answers["end"] = get("SubmissionDate")
        images = [img for _i, img in sorted(photos.get(get("KEY") or key, []))]
        images += [get(c) for c in ("image",) if get(c)]  # a form with one photo question instead of the repeat
        skip = None
        if not key:
            skip = FieldError("offline.no_key", row=number)
        elif get("ReviewState").lower() == "rejected":
            skip = FieldError("offline.rejected_in_tool", tool="ODK Central")
        out.append(Row(number=number, instance_id=key, answers=answers, images=images, skip=skip))
    return out


def _photo_rows(header: list[str], table: list[dict[str, str]]) -> dict[str, list[tuple[int, str]]]:
    cols = _by_leaf(header)
    if "PARENT_KEY" not in cols or "image" not in cols:
        return {}
    out: dict[str, list[tuple[int, str]]] = {}
    for pos, rec in enumerate(table):
        image = rec.get(cols["image"], "")
        if not image:
            continue
        m = _INDEX.search(rec.get(cols.get("KEY", ""), ""))
        out.setdefault(rec.get(cols["PARENT_KEY"], ""), []).append((int(m.group(1)) if m else pos + 1, image))
    return out


def read_zip(zf: zipfile.ZipFile, name: str) -> Parsed:
    tables = {}
    for member in zf.namelist():
        if member.lower().endswith(".csv") and not member.startswith("__MACOSX"):
            try:
                data = zf.read(member) if zf.getinfo(member).file_size <= 256 * 2**20 else b""
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise ValidationError("offline.not_zip", field="file", name=name) from exc
            tables[member] = _table(_decode(data, member), member)
    mains = [m for m, (h, _t) in tables.items() if "SubmissionDate" in h]
    if len(mains) != 1:
        raise ValidationError("offline.central_no_main", field="file", name=name, n=len(mains))
    photos: dict[str, list[tuple[int, str]]] = {}
    for member, (header, table) in tables.items():
        if member != mains[0]:
            for parent, items in _photo_rows(header, table).items():
                photos.setdefault(parent, []).extend(items)
    header, table = tables[mains[0]]
    rows = _rows(header, table, name, photos)
    media = Media.of_zip(zf, skip=lambda p: p.lower().endswith(".csv"))
    warnings = []
    if any(r.images for r in rows) and len(media) == 0:
        warnings.append(FieldError("offline.export_without_media", tool="ODK Central"))
    return Parsed(source="central", filename=name, rows=rows, media=media, warnings=warnings)


def read_csv(text: str, name: str) -> Parsed:
    header, table = _table(text, name)
    rows = _rows(header, table, name, {})
    expected = any((rec.get("AttachmentsExpected") or "0") not in ("", "0") for rec in table)
    warnings = [FieldError("offline.export_without_media", tool="ODK Central")] if expected else []
    return Parsed(source="central", filename=name, rows=rows, media=Media.empty(), warnings=warnings)
