"""Export files of the three offline tools, built for tests with the libraries that write them.

- ODK Central "CSV (zip)": `field_finding.csv` (SubmissionDate, the questions, `meta-instanceID`,
  a geopoint as `location-Latitude/-Longitude/-Altitude/-Accuracy`, then KEY, SubmitterID,
  SubmitterName, AttachmentsPresent, AttachmentsExpected, Status, ReviewState, DeviceID, Edits,
  FormVersion), `field_finding-photo.csv` (image, PARENT_KEY, KEY = `uuid:…/photo[n]`) and
  `media/<file>`.
- KoboToolbox XLSX with "XML values and headers": the main sheet (questions, `location` plus
  `_location_latitude/…/_precision`, `pollution_types` plus `pollution_types/<code>` 0/1,
  `meta/instanceID`, `_id`, `_uuid`, `_submission_time`, `_validation_status`, `_index`, …), a
  `photo` sheet (image, image_URL, `_index`, `_parent_table_name`, `_parent_index`,
  `_submission__id`, `_submission__uuid`); the attachments zip as
  `<user>/attachments/<form uuid>/<submission uuid>/<file>`; the CSV `;`-separated.
- QField: a GeoPackage point layer written by geopandas/pyogrio with a `uuid` field and photo
  paths `DCIM/…jpg` relative to the project folder.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid as uuidlib
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tests.odk_collect import YUNHE
from tests.photo_factory import make_jpeg

FORM = "field_finding"
GEO = ("Latitude", "Longitude", "Altitude", "Accuracy")


@dataclass
class Sub:
    """One filled-in form, as every tool's export holds it."""

    site_name: str = "宏达建材厂"
    types: str = "air solid_waste"
    severity: str = "serious"
    description: str = "露天堆放物料未苫盖"
    lon: float = YUNHE[0]
    lat: float = YUNHE[1]
    accuracy: float = 4.5
    photos: dict[str, bytes] = field(default_factory=dict)
    uuid: str = field(default_factory=lambda: str(uuidlib.uuid4()))
    case_no: str = ""

    @property
    def instance_id(self) -> str:
        return f"uuid:{self.uuid}"


def jpeg(seed: int) -> bytes:
    return make_jpeg(320, 240, gps=YUNHE, taken_at=dt.datetime(2026, 6, 1, 10, 3), seed=seed, detailed=True)


def _csv(header: list[str], rows: Sequence[Sequence[object]], delimiter: str = ",") -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


# -- ODK Central -------------------------------------------------------------------------------

CENTRAL_HEADER = ["SubmissionDate", "start", "end", "deviceid", "site_name", "address", "pollution_types", "severity",
                  "description", "case_no", *[f"location-{g}" for g in GEO], "meta-instanceID", "meta-instanceName",
                  "KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected", "Status",
                  "ReviewState", "DeviceID", "Edits", "FormVersion"]


def central_zip(subs: list[Sub], *, with_media: bool = True, review_state: str = "",
                drop_columns: tuple[str, ...] = ()) -> bytes:
    header = [c for c in CENTRAL_HEADER if c not in drop_columns]
    main: list[list[object]] = []
    photo_rows: list[list[object]] = []
    for s in subs:
        rec = {"SubmissionDate": "2026-06-01T02:08:11.123Z", "start": "2026-06-01T10:00:05.123+08:00",
               "end": "2026-06-01T10:07:41.002+08:00", "deviceid": "collect:Xq2ZpL0aTn5s", "site_name": s.site_name,
               "address": "沧州市运河区解放路", "pollution_types": s.types, "severity": s.severity,
               "description": s.description, "case_no": s.case_no, "location-Latitude": s.lat,
               "location-Longitude": s.lon, "location-Altitude": 12.0, "location-Accuracy": s.accuracy,
               "meta-instanceID": s.instance_id, "meta-instanceName": s.site_name, "KEY": s.instance_id,
               "SubmitterID": 7, "SubmitterName": "平板 3", "AttachmentsPresent": len(s.photos) if with_media else 0,
               "AttachmentsExpected": len(s.photos), "Status": "", "ReviewState": review_state,
               "DeviceID": "collect:Xq2ZpL0aTn5s", "Edits": 0, "FormVersion": "2026060101"}
        main.append([rec[c] for c in header])
        for n, name in enumerate(s.photos, start=1):
            photo_rows.append([name, s.instance_id, f"{s.instance_id}/photo[{n}]"])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{FORM}.csv", _csv(header, main))
        zf.writestr(f"{FORM}-photo.csv", _csv(["image", "PARENT_KEY", "KEY"], photo_rows))
        if with_media:
            for s in subs:
                for name, data in s.photos.items():
                    zf.writestr(f"media/{name}", data)
    return buf.getvalue()


# -- KoboToolbox -------------------------------------------------------------------------------

def _kobo_main(subs: list[Sub]) -> tuple[list[str], list[list[object]]]:
    from field.domain.vocab import POLLUTION_TYPES

    codes = list(POLLUTION_TYPES.codes)
    header = ["start", "end", "deviceid", "site_name", "address", "pollution_types",
              *[f"pollution_types/{c}" for c in codes], "severity", "description", "case_no", "location",
              "_location_latitude", "_location_longitude", "_location_altitude", "_location_precision",
              "meta/instanceID", "_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status",
              "_submitted_by", "__version__", "_tags", "_index"]
    rows: list[list[object]] = []
    for i, s in enumerate(subs, start=1):
        chosen = s.types.split()
        rows.append(["2026-06-01T10:00:05.123+08:00", "2026-06-01T10:07:41.002+08:00", "collect:Xq2ZpL0aTn5s",
                     s.site_name, "沧州市运河区解放路", s.types, *[1 if c in chosen else 0 for c in codes],
                     s.severity, s.description, s.case_no, f"{s.lat} {s.lon} 12.0 {s.accuracy}", s.lat, s.lon, 12.0,
                     s.accuracy, s.instance_id, 1000 + i, s.uuid, "2026-06-01T02:08:11", "", "", "submitted_via_web",
                     "fielduser", "vGx8ZbqkRdK3", "", i])
    return header, rows


def kobo_xlsx(subs: list[Sub], *, drop_columns: tuple[str, ...] = ()) -> bytes:
    from openpyxl import Workbook

    header, rows = _kobo_main(subs)
    keep = [i for i, c in enumerate(header) if c not in drop_columns]
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "现场问题 Field finding"[:31]
    ws.append([header[i] for i in keep])
    for r in rows:
        ws.append([r[i] for i in keep])
    rep = wb.create_sheet("photo")
    rep.append(["image", "image_URL", "_index", "_parent_table_name", "_parent_index", "_submission__id",
                "_submission__uuid", "_submission__submission_time", "_submission__validation_status"])
    n = 0
    for i, s in enumerate(subs, start=1):
        for name in s.photos:
            n += 1
            rep.append([name, f"https://kf.kobotoolbox.org/media/original?media_file=fielduser/attachments/x/{s.uuid}/"
                        f"{name}", n, ws.title, i, 1000 + i, s.uuid, "2026-06-01T02:08:11", ""])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def kobo_csv(subs: list[Sub]) -> bytes:
    header, rows = _kobo_main(subs)
    return _csv(header, rows, delimiter=";")


def kobo_attachments(subs: list[Sub], *, form_uuid: str = "aBcD3fGh") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for s in subs:
            for name, data in s.photos.items():
                zf.writestr(f"fielduser/attachments/{form_uuid}/{s.uuid}/{name}", data)
    return buf.getvalue()


# -- QField ------------------------------------------------------------------------------------

def qfield_gpkg(subs: list[Sub], path: Path, *, epsg: int = 4326, with_uuid: bool = True) -> Path:
    """The layer as QField leaves it: points, a `uuid` field ({…} as QGIS's uuid() writes it),
    photo paths relative to the project folder, and the photos in `DCIM/` next to the .gpkg."""
    import geopandas as gpd
    from shapely.geometry import Point

    (path.parent / "DCIM").mkdir(parents=True, exist_ok=True)
    records = []
    for s in subs:
        names = [f"DCIM/{n}" for n in s.photos]
        for n, data in s.photos.items():
            (path.parent / "DCIM" / n).write_bytes(data)
        rec = {"site_name": s.site_name, "address": "沧州市运河区解放路", "pollution_types": s.types.replace(" ", ","),
               "severity": s.severity, "description": s.description, "case_no": s.case_no,
               "horizontal_accuracy": s.accuracy, "observed_at": dt.datetime(2026, 6, 1, 10, 0, 5),
               "photo": ";".join(names), "geometry": Point(s.lon, s.lat)}
        if with_uuid:
            rec["uuid"] = "{" + s.uuid + "}"
        records.append(rec)
    frame = gpd.GeoDataFrame(records, geometry="geometry", crs="EPSG:4326")
    if epsg != 4326:
        frame = frame.to_crs(epsg)
    frame.to_file(path, layer="findings", driver="GPKG", engine="pyogrio")
    return path


def zip_folder(root: Path) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(root.rglob("*")):
            if p.is_file():
                zf.write(p, f"project/{p.relative_to(root).as_posix()}")
    return buf.getvalue()
