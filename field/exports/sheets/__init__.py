"""The printable verification sheet (核查验收单): one PDF per verification record.

Why a PDF, and why like this:
- 档案资料组 keeps paper and PDF files, not database rows; the sheet is what goes into the 一案一档
  folder and what a 领导小组 member signs or reads at a meeting, so it must carry everything a
  reader needs to judge the closure without the app: site, case, finding, what was found on site,
  before/after photos with their capture time and evidence notes, who verified, who signed, when;
- it also carries the sign-off's content hash and chain hash, a short verification code and a QR
  code back to the record, so a printed sheet can be checked against the tamper-evident chain
  (`python -m field verify`) and a loose page can be matched to its record;
- the Chinese must come out right on an intranet machine with no internet, and arbitrary user
  text must never crash the export or vanish silently.

One module per concern: `fonts` (which font, what it can print), `refs` (record references,
verification code, QR link), `data` (what a sheet shows, permission-checked), `pdf` (the
drawing and `verification_sheet`). Every label is in the catalog, `field/i18n/sheets.py`.
"""

from field.exports.sheets.data import SheetData, load_sheet
from field.exports.sheets.fonts import (
    FONT_ENV,
    PLACEHOLDER,
    FontChoice,
    find_cjk_font,
    font_status,
    printable,
    require_cjk_font,
)
from field.exports.sheets.pdf import render, verification_sheet
from field.exports.sheets.refs import parse_ref, record_link, verification_code

__all__ = ["FONT_ENV", "PLACEHOLDER", "FontChoice", "SheetData", "find_cjk_font", "font_status", "load_sheet",
           "parse_ref", "printable", "record_link", "render", "require_cjk_font", "verification_code",
           "verification_sheet"]
