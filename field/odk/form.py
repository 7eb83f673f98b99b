"""The `field_finding` form: an XLSForm kept in the repo, served as the XForm pyxform makes of it.

XLSForm is what ODK, KoboToolbox and their users read and edit, so the form lives as
`forms/field_finding.xlsx`; the XForm ODK Collect downloads is converted from it by `pyxform`
(the ODK projects' own converter) once per process, never hand-written. The spreadsheet itself
is generated from `definition()` below, whose choice lists come from `field.domain.vocab`, so a
new pollution type reaches the tablets by running `python -m field.odk.form` and committing the
file (a test fails while the committed file and the vocabulary disagree).

The version is derived from the definition's content: ODK Collect compares versions for
equality only, and a content hash changes exactly when the form does.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from field.domain.vocab import POLLUTION_TYPES, SEVERITY, Vocabulary

FORM_ID = "field_finding"
XLSFORM = Path(__file__).resolve().parent / "forms" / f"{FORM_ID}.xlsx"
ZH = "Chinese (zh)"
EN = "English (en)"
SURVEY_COLUMNS = ("type", "name", f"label::{ZH}", f"label::{EN}", "required", "appearance", "default",
                  f"hint::{ZH}", f"hint::{EN}")
CHOICE_COLUMNS = ("list_name", "name", f"label::{ZH}", f"label::{EN}")

# (type, name, zh, en, required, appearance, default, hint zh, hint en)
_SURVEY: tuple[tuple[str, ...], ...] = (
    ("start", "start", "", "", "", "", "", "", ""),
    ("end", "end", "", "", "", "", "", "", ""),
    ("deviceid", "deviceid", "", "", "", "", "", "", ""),
    ("text", "site_name", "点位名称", "Site name", "yes", "", "", "企业、河段或地块名称", "Company, river reach or plot"),
    ("text", "address", "地址", "Address", "", "", "", "", ""),
    ("select_multiple pollution_type", "pollution_types", "污染类型", "Pollution types", "yes", "", "", "", ""),
    ("select_one severity", "severity", "严重程度", "Severity", "yes", "", "minor", "", ""),
    ("text", "description", "问题描述", "Description", "yes", "multiline", "", "", ""),
    ("text", "case_no", "受理编号（如有）", "Case number (if any)", "", "", "", "交办件的受理编号", "The case's 受理编号"),
    ("geopoint", "location", "位置", "Location", "yes", "", "", "在现场定位，等待精度变好再保存",
     "Locate on site; wait for a good accuracy before saving"),
    ("begin_repeat", "photo", "照片", "Photos", "", "", "", "", ""),
    ("image", "image", "现场照片", "Site photo", "", "", "", "拍照或从相册选择", "Take a photo or choose one"),
    ("end_repeat", "", "", "", "", "", "", "", ""),
)


def _choices(list_name: str, vocab: Vocabulary) -> list[tuple[str, ...]]:
    return [(list_name, t.code, t.zh, t.en) for t in vocab]


def definition() -> dict[str, list[tuple[str, ...]]]:
    """The form as sheets of rows (header first), exactly what the XLSForm file holds."""
    body = {
        "survey": [SURVEY_COLUMNS, *_SURVEY],
        "choices": [CHOICE_COLUMNS, *_choices("pollution_type", POLLUTION_TYPES), *_choices("severity", SEVERITY)],
    }
    digest = hashlib.sha256(json.dumps(body, ensure_ascii=False).encode()).hexdigest()[:10]
    body["settings"] = [("form_id", "form_title", "version", "default_language", "instance_name"),
                        (FORM_ID, "现场问题 Field finding", digest, ZH, "concat(${site_name}, ' ', ${start})")]
    return body


def write_xlsform(path: Path = XLSFORM) -> Path:
    """Write the XLSForm with openpyxl (fixed metadata, so regenerating an unchanged form changes
    nothing a reviewer would see)."""
    import datetime as dt

    from openpyxl import Workbook

    wb = Workbook()
    assert wb.active is not None
    wb.remove(wb.active)
    for sheet, rows in definition().items():
        ws = wb.create_sheet(sheet)
        for row in rows:
            ws.append(list(row))
    fixed = dt.datetime(2026, 1, 1)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.properties.creator = "field.odk.form"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def read_xlsform(path: Path = XLSFORM) -> dict[str, list[tuple[str, ...]]]:
    """The committed file's sheets as rows of text (empty cells as ""), to compare with `definition()`."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    out: dict[str, list[tuple[str, ...]]] = {}
    for ws in wb.worksheets:
        out[ws.title] = [tuple("" if v is None else str(v) for v in row) for row in ws.iter_rows(values_only=True)]
    wb.close()
    return out


@dataclass(frozen=True)
class XForm:
    form_id: str
    version: str
    title: str
    xml: bytes

    @property
    def md5(self) -> str:
        return "md5:" + hashlib.md5(self.xml).hexdigest()  # noqa: S324 - OpenRosa's form hash is md5


@cache
def xform(path: Path = XLSFORM) -> XForm:
    """Convert the committed XLSForm with pyxform (once per process)."""
    from pyxform.xls2xform import convert

    warnings: list[str] = []
    result = convert(xlsform=io.BytesIO(path.read_bytes()), warnings=warnings, pretty_print=True,
                     file_type=".xlsx")
    settings: dict[str, Any] = dict(zip(*read_xlsform(path)["settings"][:2], strict=True))
    return XForm(form_id=settings["form_id"], version=settings["version"], title=settings["form_title"],
                 xml=result.xform.encode("utf-8"))


if __name__ == "__main__":
    print(write_xlsform())
