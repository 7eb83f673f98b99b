"""Drawing the 核查验收单: A4 pages of bordered label | value rows, photo grids, signature boxes.

Rows may run over pages (a table row cannot), section headings stay with their first rows, and
every page's footer names the record so loose pages can be matched up. Every label comes from
the catalog (`field/i18n/sheets.py`); every piece of user text goes through `fonts.printable`.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any, cast

import qrcode
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from PIL import Image
from sqlalchemy.orm import Session

from field import geo
from field.data.models import FindingPhoto, SignOff, User, Verification
from field.domain import clock
from field.domain.vocab import (
    LOCATION_SOURCES,
    PHOTO_KINDS,
    POLLUTION_TYPES,
    RECEIVE_METHODS,
    SEVERITY,
    STATUS,
    TRUTHFULNESS,
)
from field.exports.sheets.data import SheetData, load_sheet
from field.exports.sheets.fonts import font_cmap, printable, require_cjk_font
from field.exports.sheets.refs import record_link, verification_code
from field.i18n import t
from field.photos import flag_text
from field.services.signoff import FAR_FROM_SITE_M

PAGE_W, MARGIN = 210.0, 15.0
CONTENT_W = PAGE_W - 2 * MARGIN
LABEL_W = 40.0
LINE_H = 5.6
FONT = "cjk"
PHOTO_COLS = 3
PHOTO_MAX_PX = 1000  # ≈ 300 dpi across a third of A4: sharp in print, small in the file
RED = (190, 30, 30)


def _when(value: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return clock.local(value).strftime(fmt) if value else ""



class _SheetPDF(FPDF):
    """A4 portrait with a footer on every page that names the record, so loose pages match up."""

    def __init__(self, cmap: frozenset[int], footer_text: str, lang: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.cmap = cmap
        self.footer_text = footer_text
        self.lang = lang
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=18)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(90, 90, 90)
        page = t("sheet.page", self.lang, page=self.page_no(), pages="{nb}")
        self.cell(CONTENT_W / 2, 5, self.p(self.footer_text))
        self.cell(CONTENT_W / 2, 5, page, align="R")
        self.set_text_color(0, 0, 0)

    def p(self, text: Any) -> str:
        return printable(text, self.cmap)

    def lines(self, width: float, height: float, text: str) -> list[str]:
        """How `multi_cell` would break `text` into lines, without drawing it."""
        return cast(list[str], self.multi_cell(width, height, text, dry_run=True, output="LINES"))

    def section(self, title: str, keep: float = LINE_H * 4) -> None:
        """A heading bar, moved to the next page unless `keep` mm of content fit under it."""
        if self.will_page_break(keep):
            self.add_page()
        self.ln(2)
        self.set_font(FONT, size=11)
        self.set_fill_color(232, 236, 242)
        self.cell(CONTENT_W, 7, self.p(title), border=1, fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, size=9.5)

    def row(self, label: str, value: Any, *, colour: tuple[int, int, int] | None = None,
            mono: bool = False) -> None:
        """A bordered label | value row that may run over pages (a table row cannot)."""
        value_w = CONTENT_W - LABEL_W
        text = self.p(value) if str(value or "").strip() else t("sheet.none", self.lang)
        if mono:
            self.set_font("Courier", size=8.5)
            text = text.encode("latin-1", "replace").decode("latin-1")
        lines = self.lines(value_w - 2, LINE_H, text) or [""]
        self.set_font(FONT, size=9.5)
        label_lines = self.lines(LABEL_W - 2, LINE_H, self.p(label))
        total = max(len(lines), len(label_lines))
        done = 0
        while done < total:
            room = int((self.page_break_trigger - self.get_y()) // LINE_H)
            if room < 1:
                self.add_page()
                continue
            chunk = min(room, total - done)
            x0, y0, h = self.l_margin, self.get_y(), chunk * LINE_H
            self.rect(x0, y0, LABEL_W, h)
            self.rect(x0 + LABEL_W, y0, value_w, h)
            self.set_text_color(70, 70, 70)
            for i, line in enumerate(label_lines[done:done + chunk]):
                self.set_xy(x0 + 1, y0 + i * LINE_H)
                self.cell(LABEL_W - 2, LINE_H, line)
            self.set_text_color(*(colour or (0, 0, 0)))
            if mono:
                self.set_font("Courier", size=8.5)
            for i, line in enumerate(lines[done:done + chunk]):
                self.set_xy(x0 + LABEL_W + 1, y0 + i * LINE_H)
                self.cell(value_w - 2, LINE_H, line)
            self.set_font(FONT, size=9.5)
            self.set_text_color(0, 0, 0)
            self.set_xy(x0, y0 + h)
            done += chunk


def _qr_image(payload: str) -> Image.Image:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=4, border=2)
    qr.add_data(payload)
    qr.make(fit=True)
    return qr.make_image(fill_color="black", back_color="white").get_image().convert("L")


def _photo_jpeg(store: Any, relative: str) -> io.BytesIO | None:
    """The display copy scaled for print. Display copies carry no EXIF, so no GPS leaks into the PDF."""
    try:
        with Image.open(io.BytesIO(store.read(relative))) as opened:
            opened.load()
            img = opened.convert("RGB")
            img.thumbnail((PHOTO_MAX_PX, PHOTO_MAX_PX))
            buf = io.BytesIO()
            img.save(buf, "JPEG", quality=82)
            buf.seek(0)
            return buf
    except (OSError, ValueError):
        return None


def _flag_texts(flags: Sequence[Any], lang: str) -> list[str]:
    out = []
    for flag in flags or []:
        if isinstance(flag, dict) and flag.get("key"):
            params = {k: v for k, v in flag.items() if k != "key"}
            out.append(flag_text(str(flag["key"]), params, lang))
        elif flag:
            out.append(str(flag))
    return out


def _caption(link: FindingPhoto, lang: str) -> tuple[str, str]:
    photo = link.photo
    taken = t("sheet.photo_taken", lang, when=_when(photo.taken_at)) if photo.taken_at \
        else t("sheet.photo_no_time", lang)
    plain = f"{PHOTO_KINDS.label(link.kind, lang)} · SHA-256 {photo.sha256[:12]}\n{taken}"
    flags = t("sheet.flag_sep", lang).join(_flag_texts(link.flags, lang))
    return plain, flags


def _photo_grid(pdf: _SheetPDF, title: str, links: list[FindingPhoto], store: Any, lang: str) -> None:
    gap, cap_h = 4.0, 3.6
    cell_w = (CONTENT_W - gap * (PHOTO_COLS - 1)) / PHOTO_COLS
    img_h = cell_w * 0.75
    rows = [links[i:i + PHOTO_COLS] for i in range(0, len(links), PHOTO_COLS)]
    pdf.set_font(FONT, size=7.5)
    captions = {link.id: _caption(link, lang) for link in links}
    heights = []
    for row in rows:
        lines = [len(pdf.lines(cell_w, cap_h, pdf.p(plain)))
                 + (len(pdf.lines(cell_w, cap_h, pdf.p(flags))) if flags else 0)
                 for plain, flags in (captions[link.id] for link in row)]
        heights.append(img_h + 1 + max(lines) * cap_h + 3)
    pdf.set_font(FONT, size=9.5)
    # keep the heading with the first row of photos
    if pdf.will_page_break(LINE_H + 1 + (heights[0] if heights else LINE_H)):
        pdf.add_page()
    label = t("sheet.counted", lang, title=title, n=len(links))
    pdf.cell(CONTENT_W, LINE_H + 1, pdf.p(label), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if not links:
        pdf.set_text_color(90, 90, 90)
        pdf.cell(CONTENT_W, LINE_H, t("sheet.no_photos", lang), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(0, 0, 0)
        return
    for row, block_h in zip(rows, heights, strict=True):
        if pdf.will_page_break(block_h):
            pdf.add_page()
        y0 = pdf.get_y()
        for col, link in enumerate(row):
            x0 = pdf.l_margin + col * (cell_w + gap)
            pdf.set_draw_color(160, 160, 160)
            pdf.rect(x0, y0, cell_w, img_h)
            pdf.set_draw_color(0, 0, 0)
            photo = link.photo
            data = _photo_jpeg(store, photo.display_path) if photo.display_path else None
            if data is None:
                pdf.set_text_color(*RED)
                pdf.set_xy(x0, y0 + img_h / 2 - 3)
                pdf.cell(cell_w, 6, t("sheet.photo_missing", lang), align="C")
                pdf.set_text_color(0, 0, 0)
            else:
                pdf.image(data, x=x0 + 0.5, y=y0 + 0.5, w=cell_w - 1, h=img_h - 1, keep_aspect_ratio=True)
            plain, flags = captions[link.id]
            pdf.set_font(FONT, size=7.5)
            pdf.set_xy(x0, y0 + img_h + 1)
            pdf.multi_cell(cell_w, cap_h, pdf.p(plain), align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
            if flags:
                pdf.set_text_color(*RED)
                pdf.multi_cell(cell_w, cap_h, pdf.p(flags), align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
                pdf.set_text_color(0, 0, 0)
            pdf.set_font(FONT, size=9.5)
        pdf.set_xy(pdf.l_margin, y0 + block_h)


def _types_text(types: Sequence[str], subtype: str, lang: str) -> str:
    text = t("sheet.list_sep", lang).join(POLLUTION_TYPES.label(code, lang) for code in types or [])
    return t("sheet.with_subtype", lang, text=text, subtype=subtype) if subtype else text


def _hand_signatures(pdf: _SheetPDF, lang: str) -> None:
    """Boxes for ink signatures: the paper copy in the archive is signed by hand as well."""
    box_h = 22.0
    if pdf.will_page_break(box_h + 4):
        pdf.add_page()
    pdf.ln(4)
    y0, half = pdf.get_y(), CONTENT_W / 2
    pdf.set_font(FONT, size=9.5)
    for i, key in enumerate(("sheet.hand_inspectors", "sheet.hand_reviewer")):
        x0 = pdf.l_margin + i * half
        pdf.rect(x0, y0, half, box_h)
        pdf.set_xy(x0 + 2, y0 + 1.5)
        pdf.cell(half - 4, LINE_H, t(key, lang))
        pdf.set_xy(x0 + 2, y0 + box_h - LINE_H - 1.5)
        pdf.cell(half - 4, LINE_H, t("sheet.hand_date", lang), align="R")
    pdf.set_xy(pdf.l_margin, y0 + box_h)


def render(data: SheetData, store: Any, *, lang: str = "zh", base_url: str = "", printed_by: str = "",
           now: dt.datetime | None = None, pdf_font: str = "") -> bytes:
    """Draw the sheet for already-loaded, permission-checked `data`; `pdf_font` is
    `Settings.pdf_font` (see `fonts.find_cjk_font`)."""
    font = require_cjk_font(pdf_font)
    cmap = font_cmap(font)
    rec, f, so = data.record, data.finding, data.signoff
    site, case = f.site, f.case
    now = now or clock.now()
    code = verification_code(so.chain_hash) if so else ""
    footer = f"F{f.id} · V{rec.id}" + (f" · S{so.id} · {code}" if so else " · " + t("sheet.not_signed", lang))
    pdf = _SheetPDF(cmap, footer, lang)
    pdf.add_font(FONT, "", str(font.path), collection_font_number=font.index)
    pdf.set_title(f"{t('sheet.title', lang)} F{f.id} V{rec.id}")
    pdf.set_creator("field (督察整改)")
    pdf.set_creation_date(now)
    pdf.add_page()

    # header: title left, QR right
    qr_size = 30.0
    cp = f";{data.checkpoint.replace(' · ', ':')}" if data.checkpoint else ""
    payload = record_link(base_url, f.id, rec.id) if base_url else f"F{f.id};V{rec.id};{code or 'UNSIGNED'}{cp}"
    pdf.image(_qr_image(payload), x=PAGE_W - MARGIN - qr_size, y=MARGIN - 2, w=qr_size, h=qr_size)
    pdf.set_font(FONT, size=20 if lang == "zh" else 15)
    colon = t("sheet.colon", lang)
    title = t("sheet.recheck_title" if rec.kind == "recheck" else "sheet.title", lang)
    pdf.set_xy(MARGIN, MARGIN)
    pdf.cell(CONTENT_W - qr_size - 4, 11, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=9)
    head = [f"{t('sheet.no', lang)}{colon}F{f.id}-V{rec.id}" + (f"-S{so.id}" if so else ""),
            f"{t('sheet.printed', lang)}{colon}{_when(now)}"
            + (f"  {t('sheet.printed_by', lang)}{colon}{printed_by}" if printed_by else "")]
    for line in head:
        pdf.cell(CONTENT_W - qr_size - 4, 5, pdf.p(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=11)
    if so:
        pdf.cell(CONTENT_W - qr_size - 4, 7, pdf.p(f"{t('sheet.code', lang)}{colon}{code}"),
                 new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(FONT, size=8)
        checkpoint = data.checkpoint or t("sheet.checkpoint_none", lang)
        pdf.cell(CONTENT_W - qr_size - 4, 4.5, pdf.p(f"{t('sheet.checkpoint', lang)}{colon}{checkpoint}"),
                 new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    else:
        pdf.set_text_color(*RED)
        pdf.set_font(FONT, size=14)
        pdf.cell(CONTENT_W - qr_size - 4, 8, t("sheet.not_signed", lang), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(0, 0, 0)
    pdf.set_font(FONT, size=7)
    pdf.set_xy(PAGE_W - MARGIN - qr_size, MARGIN - 2 + qr_size)
    pdf.cell(qr_size, 3.5, t("sheet.qr_hint", lang), align="C")
    pdf.set_xy(MARGIN, max(pdf.get_y() + 4, MARGIN + qr_size + 4))

    # 1. site
    pdf.section(t("sheet.sec_site", lang))
    pdf.row(t("sheet.site_name", lang), site.name)
    pdf.row(t("sheet.address", lang), site.address)
    county = data.county_name
    if site.outside_city and not county:
        county = t(geo.outside_key("sheet.outside_city"), lang)
    pdf.row(t("sheet.county", lang), county)
    acc = t("sheet.accuracy", lang, acc=site.accuracy_m) if site.accuracy_m is not None else ""
    pdf.row(t("sheet.coords", lang), t("sheet.coords_value", lang, lon=site.lon, lat=site.lat, acc=acc,
                                         source=LOCATION_SOURCES.label(site.location_source, lang)))

    # 2. case
    pdf.section(t("sheet.sec_case", lang))
    if case is None:
        pdf.row(t("sheet.case_no", lang), t("sheet.no_case", lang))
    else:
        pdf.row(t("sheet.case_no", lang), case.case_no + (f"（{t('sheet.key_attention', lang)}）"
                                                           if case.key_attention else ""))
        batch = t("sheet.batch_value", lang, batch=case.batch) if case.batch is not None else ""
        if case.handed_over_on:
            batch = f"{batch}  {case.handed_over_on.isoformat()}".strip()
        pdf.row(t("sheet.batch", lang), batch)
        if case.receive_method:
            pdf.row(t("sheet.receive_method", lang), RECEIVE_METHODS.label(case.receive_method, lang))
        pdf.row(t("sheet.case_content", lang), case.content)
        pdf.row(t("sheet.case_types", lang), case.pollution_text or _types_text(case.pollution_types, "", lang))
        if case.deadline or case.responsible_unit:
            pdf.row(t("sheet.deadline", lang), case.deadline.isoformat() if case.deadline else "")
            pdf.row(t("sheet.unit", lang), case.responsible_unit)

    # 3. finding
    pdf.section(t("sheet.sec_finding", lang))
    pdf.row(t("sheet.finding_no", lang), f"F{f.id}")
    pdf.row(t("sheet.description", lang), f.description)
    pdf.row(t("sheet.types", lang), _types_text(f.pollution_types, f.subtype, lang))
    pdf.row(t("sheet.severity", lang), SEVERITY.label(f.severity, lang))
    pdf.row(t("sheet.observed", lang), _when(f.observed_at))
    pdf.row(t("sheet.status", lang), STATUS.label(f.status, lang))

    # 4. the record
    pdf.section(t("sheet.sec_record", lang))
    pdf.row(t("sheet.record_no", lang), f"V{rec.id}")
    if rec.kind == "recheck":
        pdf.row(t("sheet.record_kind", lang), t("sheet.kind_recheck", lang))
        result = {"no_rebound": "sheet.no_rebound", "rebound": "sheet.rebound"}.get(rec.recheck_result or "")
        pdf.row(t("sheet.recheck_result", lang), t(result, lang) if result else "",
                colour=RED if rec.recheck_result == "rebound" else None)
    else:
        pdf.row(t("sheet.truthfulness", lang), TRUTHFULNESS.label(rec.truthfulness, lang))
    if rec.supersedes_id:
        pdf.row(t("sheet.supersedes", lang), f"V{rec.supersedes_id}")
    pdf.row(t("sheet.facts", lang), rec.facts)
    if rec.kind != "recheck":
        pdf.row(t("sheet.measures", lang), rec.measures)
        pdf.row(t("sheet.accountability", lang), rec.accountability)
    pdf.row(t("sheet.conclusion", lang), rec.conclusion)
    pdf.row(t("sheet.inspectors", lang), t("sheet.list_sep", lang).join(rec.inspectors or []))
    author = rec.author.display_name or rec.author.username if rec.author else ""
    pdf.row(t("sheet.author", lang), author)
    pdf.row(t("sheet.written_at", lang), _when(rec.created_at, "%Y-%m-%d %H:%M:%S"))
    if rec.lon is not None and rec.lat is not None:
        acc = t("sheet.accuracy", lang, acc=rec.accuracy_m) if rec.accuracy_m is not None else ""
        gps = f"{rec.lon:.6f}, {rec.lat:.6f}{acc}"
        far = rec.distance_m is not None and rec.distance_m > FAR_FROM_SITE_M
        if rec.distance_m is not None:
            key = "sheet.distance_far" if far else "sheet.distance"
            gps += "\n" + t(key, lang, d=rec.distance_m, limit=FAR_FROM_SITE_M)
        pdf.row(t("sheet.written_gps", lang), gps, colour=RED if far else None)
    else:
        pdf.row(t("sheet.written_gps", lang), t("sheet.no_gps", lang))

    # 5. photos
    pdf.section(t("sheet.sec_photos", lang), keep=80)
    _photo_grid(pdf, t("sheet.photos_before", lang), data.before, store, lang)
    record_title = "sheet.photos_after" if all(link.kind == "after" for link in data.after) else "sheet.photos_record"
    _photo_grid(pdf, t(record_title, lang), data.after, store, lang)

    # 6. sign-off
    pdf.section(t("sheet.sec_signoff", lang))
    if so is None:
        pdf.row(t("sheet.decision", lang), t("sheet.not_signed", lang), colour=RED)
        pdf.row("", t("sheet.not_signed_note", lang))
    else:
        signer = so.signer.display_name or so.signer.username if so.signer else str(so.signer_id)
        approve = so.decision == "approve"
        pdf.row(t("sheet.decision", lang), t("sheet.approve" if approve else "sheet.return", lang),
                colour=None if approve else RED)
        pdf.row(t("sheet.opinion" if approve else "sheet.reason", lang), so.opinion)
        pdf.row(t("sheet.signer", lang), signer)
        pdf.row(t("sheet.signed_at", lang), _when(so.signed_at, "%Y-%m-%d %H:%M:%S"))
        pdf.row(t("sheet.code", lang), code)
        pdf.row(t("sheet.content_hash", lang), so.content_hash, mono=True)
        pdf.row(t("sheet.prev_hash", lang), so.prev_hash, mono=True)
        pdf.row(t("sheet.chain_hash", lang), so.chain_hash, mono=True)
        pdf.row(t("sheet.checkpoint", lang), data.checkpoint or t("sheet.checkpoint_none", lang))
        pdf.row(t("sheet.check", lang), t("sheet.check_ok" if data.hash_ok else "sheet.check_bad", lang),
                colour=None if data.hash_ok else RED)
    _hand_signatures(pdf, lang)
    return bytes(pdf.output())


def verification_sheet(session: Session, actor: User, signoff_or_verification_id: int | str | Verification | SignOff,
                       store: Any, *, lang: str = "zh", base_url: str = "", now: dt.datetime | None = None,
                       pdf_font: str = "") -> bytes:
    """The 核查验收单 PDF of one verification (or re-inspection) record.

    `signoff_or_verification_id`: a verification id (int or "V12"), a sign-off id ("S12"), or
    the row itself; `pdf_font` is `Settings.pdf_font`. Raises `FieldError` (`sheet.not_found`,
    `sheet.bad_ref`, `sheet.no_cjk_font`) or `PermissionDenied` when the actor cannot view the
    finding's county.
    """
    data = load_sheet(session, actor, signoff_or_verification_id)
    return render(data, store, lang=lang if lang in ("zh", "en") else "zh", base_url=base_url,
                  printed_by=actor.display_name or actor.username, now=now, pdf_font=pdf_font)
