"""The printable verification sheet (核查验收单): one PDF per verification record.

Why a PDF, and why like this:
- 档案资料组 keeps paper and PDF files, not database rows; the sheet is what goes into the 一案一档
  folder and what a 领导小组 member signs or reads at a meeting, so it must carry everything a
  reader needs to judge the closure without the app: site, case, finding, what was found on site,
  before/after photos with their capture time and evidence notes, who verified, who signed, when;
- it also carries the sign-off's content hash and chain hash, a short verification code and a QR
  code back to the record, so a printed sheet can be checked against the tamper-evident chain
  (`python -m field verify`) and a loose page can be matched to its record;
- the Chinese must come out right on an intranet machine with no internet, so the font is found
  locally (a pinned PyPI font package first, then the distribution's fonts) and embedded as a
  subset; when none is there the caller gets a `FieldError` that says so, never a PDF of boxes;
- user text is arbitrary Unicode: characters the font lacks (emoji, rare ideographs) are printed
  as a visible placeholder instead of crashing the export or vanishing silently.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import qrcode
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from field import photos
from field.data.models import County, Finding, FindingPhoto, SignOff, User, Verification
from field.domain import clock
from field.domain.errors import FieldError
from field.domain.permissions import require
from field.domain.vocab import (
    LOCATION_SOURCES,
    PHOTO_KINDS,
    POLLUTION_TYPES,
    RECEIVE_METHODS,
    SEVERITY,
    STATUS,
    TRUTHFULNESS,
)
from field.i18n.sheets import MESSAGES
from field.services.signoff import FAR_FROM_SITE_M, content_hash

# --------------------------------------------------------------------------------------------
# fonts

FONT_ENV = "FIELD_PDF_FONT"  # "path" or "path#index" (index into a .ttc collection)

# Distribution fonts tried after the Python packages (Debian/Ubuntu paths). WenQuanYi first:
# TrueType outlines are embedded with the standard Identity-H encoding, which every PDF text
# extractor understands; the Noto CJK collections are CFF and come out right in viewers but not
# in some extractors (pypdf), which matters for archives that index their PDFs.
SYSTEM_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
_PROBE = "核查验收单"  # a font that lacks these is no use for this sheet
PLACEHOLDER = "□"  # printed where the font has no glyph, so a reader sees something was there


@dataclass(frozen=True)
class FontChoice:
    path: Path
    index: int  # face number inside a .ttc/.otc collection
    source: str  # env / package name / system


def _package_fonts() -> Iterable[tuple[Path, str]]:
    """Fonts shipped as pinned PyPI packages (no network at run time: they are installed files)."""
    try:
        yield Path(str(resources.files("paperang_p2_fonts_cjk") / "fonts" / "wqy-microhei.ttc")), \
            "paperang-p2-fonts-cjk"
    except ModuleNotFoundError:
        pass
    try:
        import pylopdf_fonts_zh_cn  # type: ignore[import-not-found]

        yield Path(pylopdf_fonts_zh_cn.sans_path()), "pylopdf-fonts-zh-cn"
    except ModuleNotFoundError:
        pass


def _pick_face(path: Path) -> int | None:
    """The face of a font file (or collection) that covers Chinese, preferring Simplified (SC)."""
    from fontTools.ttLib import TTCollection, TTFont

    try:
        if path.suffix.lower() in (".ttc", ".otc"):
            faces = list(TTCollection(str(path), lazy=True).fonts)
        else:
            faces = [TTFont(str(path), lazy=True)]
    except Exception:  # an unreadable or foreign file is just not a candidate
        return None
    covering = []
    for i, face in enumerate(faces):
        cmap = face.getBestCmap() or {}
        if all(ord(c) in cmap for c in _PROBE):
            covering.append(i)
    if not covering:
        return None
    for i in covering:
        family = faces[i]["name"].getDebugName(1) or ""
        if family.endswith(" SC") or " SC " in family:
            return i
    return covering[0]


def _candidates() -> Iterable[tuple[Path, int | None, str]]:
    env = os.environ.get(FONT_ENV, "").strip()
    if env:
        path, _, idx = env.partition("#")
        yield Path(path), int(idx) if idx.isdigit() else None, "env"
    for path, source in _package_fonts():
        yield path, None, source
    for p in SYSTEM_FONTS:
        yield Path(p), None, "system"


@cache
def find_cjk_font() -> FontChoice | None:
    """The first local font that can print this sheet's Chinese, or None."""
    for path, index, source in _candidates():
        if not path.is_file():
            continue
        face = _pick_face(path) if index is None else index
        if face is not None:
            return FontChoice(path, face, source)
    return None


@cache
def _font_cmap(choice: FontChoice) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    face = TTFont(str(choice.path), fontNumber=choice.index, lazy=True)
    return frozenset((face.getBestCmap() or {}).keys())


def require_cjk_font() -> FontChoice:
    choice = find_cjk_font()
    if choice is None:
        raise FieldError("sheet.no_cjk_font", env=FONT_ENV)
    return choice


_INVISIBLE = {0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF}  # zero-width joiners/spaces


def printable(text: Any, cmap: frozenset[int]) -> str:
    """`text` as the font can print it: NFC, control characters dropped, tabs as spaces,
    variation selectors and zero-width joiners removed, and each run of characters the font
    lacks (emoji, rare ideographs) shown as one placeholder."""
    s = unicodedata.normalize("NFC", "" if text is None else str(text))
    s = s.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    out: list[str] = []
    missing = False
    for ch in s:
        cp = ord(ch)
        if ch == "\n":
            out.append(ch)
            missing = False
            continue
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cs", "Co", "Cn") or cp in _INVISIBLE or 0xFE00 <= cp <= 0xFE0F \
                or 0xE0100 <= cp <= 0xE01EF or 0x1F3FB <= cp <= 0x1F3FF:
            continue
        if cp in cmap or ch == " ":
            out.append(ch)
            missing = False
        elif cat == "Mn":  # a combining mark the font lacks: drop it, keep its base letter
            continue
        elif not missing:
            out.append(PLACEHOLDER if ord(PLACEHOLDER) in cmap else "?")
            missing = True
    return "".join(out)


# --------------------------------------------------------------------------------------------
# text



def _t(key: str, lang: str, **params: Any) -> str:
    entry = MESSAGES[key]
    text = entry.get(lang) or entry["zh"]
    return text.format(**params) if params else text


def _when(value: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return clock.local(value).strftime(fmt) if value else ""


def verification_code(chain: str) -> str:
    """The first 12 hex digits of the chain hash, grouped for reading aloud or typing."""
    head = (chain or "")[:12].upper()
    return "-".join(head[i:i + 4] for i in range(0, len(head), 4))


def record_link(base_url: str, finding_id: int, verification_id: int) -> str:
    """Where the QR code points: the records page, which looks the finding up (login and scope apply)."""
    base = (base_url or "").rstrip("/")
    return f"{base}/records?finding={finding_id}&record={verification_id}"


# --------------------------------------------------------------------------------------------
# lookups


@dataclass
class SheetData:
    record: Verification
    finding: Finding
    signoff: SignOff | None
    before: list[FindingPhoto]
    after: list[FindingPhoto]
    county_name: str
    hash_ok: bool | None  # None when unsigned


def parse_ref(ref: int | str, default: str = "V") -> tuple[str, int]:
    """`12` → (default, 12); `"V12"` → ("V", 12); `"S12"` → ("S", 12); case and spaces ignored."""
    if isinstance(ref, bool):
        raise FieldError("sheet.bad_ref", ref=ref)
    if isinstance(ref, int):
        return default, ref
    text = str(ref).strip().upper().lstrip("#")
    prefix = text[:1] if text[:1].isalpha() else default
    digits = text[1:] if text[:1].isalpha() else text
    if not digits.isdigit() or len(digits) > 12:
        raise FieldError("sheet.bad_ref", ref=str(ref)[:40])
    return prefix, int(digits)


def _resolve(session: Session, ref: int | str | Verification | SignOff) -> tuple[Verification, SignOff | None]:
    if isinstance(ref, SignOff):
        return ref.verification, ref
    if isinstance(ref, Verification):
        record: Verification | None = ref
    else:
        kind, number = parse_ref(ref)
        if kind == "S":
            so = session.get(SignOff, number)
            if so is None:
                raise FieldError("sheet.not_found", ref=f"S{number}")
            return so.verification, so
        if kind != "V":
            raise FieldError("sheet.bad_ref", ref=str(ref)[:40])
        record = session.get(Verification, number)
        if record is None:
            raise FieldError("sheet.not_found", ref=f"V{number}")
    signoff = session.scalar(select(SignOff).where(SignOff.verification_id == record.id)
                             .order_by(SignOff.id.desc()).limit(1))
    return record, signoff


def _photo_links(session: Session, finding: Finding, record: Verification,
                 signoff: SignOff | None) -> tuple[list[FindingPhoto], list[FindingPhoto]]:
    """Before photos of the finding and the photos of this record. For a signed record only
    those the sign-off's hash covered (added before signing) are shown, so the sheet and the
    hash speak about the same evidence."""
    links = list(session.scalars(select(FindingPhoto).where(FindingPhoto.finding_id == finding.id)
                                 .order_by(FindingPhoto.id)))
    if signoff is not None:
        links = [link for link in links if link.added_at <= signoff.signed_at]
    own = [link for link in links if link.verification_id == record.id]
    before = [link for link in links if link.kind == "before" and link.verification_id is None]
    if record.kind == "verification" and not any(link.kind == "after" for link in own):
        # records written before photos were tied to them: fall back to the finding's after photos
        own = own + [link for link in links if link.kind == "after" and link.verification_id is None
                     and link.added_at <= (signoff.signed_at if signoff else clock.now())]
    return before, own


def load_sheet(session: Session, actor: User, ref: int | str | Verification | SignOff) -> SheetData:
    """Everything the sheet prints, after the permission check (finding.view in the county)."""
    record, signoff = _resolve(session, ref)
    finding = session.get(Finding, record.finding_id)
    if finding is None:
        raise FieldError("finding.not_found", id=record.finding_id)
    require(actor, "finding.view", finding.site.county_adcode)
    before, after = _photo_links(session, finding, record, signoff)
    county = session.get(County, finding.site.county_adcode) if finding.site.county_adcode else None
    hash_ok = None
    if signoff is not None:
        hash_ok = content_hash(session, record, finding, signoff) == signoff.content_hash
    return SheetData(record=record, finding=finding, signoff=signoff, before=before, after=after,
                     county_name=county.name if county else "", hash_ok=hash_ok)


# --------------------------------------------------------------------------------------------
# drawing

PAGE_W, MARGIN = 210.0, 15.0
CONTENT_W = PAGE_W - 2 * MARGIN
LABEL_W = 40.0
LINE_H = 5.6
FONT = "cjk"
PHOTO_COLS = 3
PHOTO_MAX_PX = 1000  # ≈ 300 dpi across a third of A4: sharp in print, small in the file
RED = (190, 30, 30)


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
        page = _t("sheet.page", self.lang, page=self.page_no(), pages="{nb}")
        self.cell(CONTENT_W / 2, 5, self.p(self.footer_text))
        self.cell(CONTENT_W / 2, 5, page, align="R")
        self.set_text_color(0, 0, 0)

    def p(self, text: Any) -> str:
        return printable(text, self.cmap)

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
        text = self.p(value) if str(value or "").strip() else _t("sheet.none", self.lang)
        if mono:
            self.set_font("Courier", size=8.5)
            text = text.encode("latin-1", "replace").decode("latin-1")
        lines = self.multi_cell(value_w - 2, LINE_H, text, dry_run=True, output="LINES") or [""]
        self.set_font(FONT, size=9.5)
        label_lines = self.multi_cell(LABEL_W - 2, LINE_H, self.p(label), dry_run=True, output="LINES")
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


def _photo_jpeg(path: Path) -> io.BytesIO | None:
    """The display copy scaled for print. Display copies carry no EXIF, so no GPS leaks into the PDF."""
    try:
        with Image.open(path) as img:
            img.load()
            img = img.convert("RGB")
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
            try:
                out.append(photos.message(str(flag["key"]), params, lang))
            except (KeyError, IndexError, ValueError):
                out.append(str(flag["key"]))
        elif flag:
            out.append(str(flag))
    return out


def _caption(link: FindingPhoto, lang: str) -> tuple[str, str]:
    photo = link.photo
    taken = _t("sheet.photo_taken", lang, when=_when(photo.taken_at)) if photo.taken_at \
        else _t("sheet.photo_no_time", lang)
    plain = f"{PHOTO_KINDS.label(link.kind, lang)} · SHA-256 {photo.sha256[:12]}\n{taken}"
    flags = ("；" if lang == "zh" else "; ").join(_flag_texts(link.flags, lang))
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
        lines = [len(pdf.multi_cell(cell_w, cap_h, pdf.p(plain), dry_run=True, output="LINES"))
                 + (len(pdf.multi_cell(cell_w, cap_h, pdf.p(flags), dry_run=True, output="LINES")) if flags else 0)
                 for plain, flags in (captions[link.id] for link in row)]
        heights.append(img_h + 1 + max(lines) * cap_h + 3)
    pdf.set_font(FONT, size=9.5)
    # keep the heading with the first row of photos
    if pdf.will_page_break(LINE_H + 1 + (heights[0] if heights else LINE_H)):
        pdf.add_page()
    label = f"{title}（{len(links)}）" if lang == "zh" else f"{title} ({len(links)})"
    pdf.cell(CONTENT_W, LINE_H + 1, pdf.p(label), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if not links:
        pdf.set_text_color(90, 90, 90)
        pdf.cell(CONTENT_W, LINE_H, _t("sheet.no_photos", lang), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
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
            data = _photo_jpeg(store.abspath(photo.display_path)) if photo.display_path else None
            if data is None:
                pdf.set_text_color(*RED)
                pdf.set_xy(x0, y0 + img_h / 2 - 3)
                pdf.cell(cell_w, 6, _t("sheet.photo_missing", lang), align="C")
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
    sep = "、" if lang == "zh" else ", "
    text = sep.join(POLLUTION_TYPES.label(t, lang) for t in types or [])
    return f"{text}（{subtype}）" if subtype and lang == "zh" else (f"{text} ({subtype})" if subtype else text)


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
        pdf.cell(half - 4, LINE_H, _t(key, lang))
        pdf.set_xy(x0 + 2, y0 + box_h - LINE_H - 1.5)
        pdf.cell(half - 4, LINE_H, _t("sheet.hand_date", lang), align="R")
    pdf.set_xy(pdf.l_margin, y0 + box_h)


def render(data: SheetData, store: Any, *, lang: str = "zh", base_url: str = "", printed_by: str = "",
           now: dt.datetime | None = None) -> bytes:
    """Draw the sheet for already-loaded, permission-checked `data`."""
    font = require_cjk_font()
    cmap = _font_cmap(font)
    rec, f, so = data.record, data.finding, data.signoff
    site, case = f.site, f.case
    now = now or clock.now()
    code = verification_code(so.chain_hash) if so else ""
    footer = f"F{f.id} · V{rec.id}" + (f" · S{so.id} · {code}" if so else " · " + _t("sheet.not_signed", lang))
    pdf = _SheetPDF(cmap, footer, lang)
    pdf.add_font(FONT, "", str(font.path), collection_font_number=font.index)
    pdf.set_title(f"{_t('sheet.title', lang)} F{f.id} V{rec.id}")
    pdf.set_creator("field (督察整改)")
    pdf.set_creation_date(now)
    pdf.add_page()

    # header: title left, QR right
    qr_size = 30.0
    payload = record_link(base_url, f.id, rec.id) if base_url else f"F{f.id};V{rec.id};{code or 'UNSIGNED'}"
    pdf.image(_qr_image(payload), x=PAGE_W - MARGIN - qr_size, y=MARGIN - 2, w=qr_size, h=qr_size)
    pdf.set_font(FONT, size=20 if lang == "zh" else 15)
    colon = "：" if lang == "zh" else ": "
    title = _t("sheet.recheck_title" if rec.kind == "recheck" else "sheet.title", lang)
    pdf.set_xy(MARGIN, MARGIN)
    pdf.cell(CONTENT_W - qr_size - 4, 11, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=9)
    head = [f"{_t('sheet.no', lang)}{colon}F{f.id}-V{rec.id}" + (f"-S{so.id}" if so else ""),
            f"{_t('sheet.printed', lang)}{colon}{_when(now)}"
            + (f"  {_t('sheet.printed_by', lang)}{colon}{printed_by}" if printed_by else "")]
    for line in head:
        pdf.cell(CONTENT_W - qr_size - 4, 5, pdf.p(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=11)
    if so:
        pdf.cell(CONTENT_W - qr_size - 4, 7, pdf.p(f"{_t('sheet.code', lang)}{colon}{code}"),
                 new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    else:
        pdf.set_text_color(*RED)
        pdf.set_font(FONT, size=14)
        pdf.cell(CONTENT_W - qr_size - 4, 8, _t("sheet.not_signed", lang), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(0, 0, 0)
    pdf.set_font(FONT, size=7)
    pdf.set_xy(PAGE_W - MARGIN - qr_size, MARGIN - 2 + qr_size)
    pdf.cell(qr_size, 3.5, _t("sheet.qr_hint", lang), align="C")
    pdf.set_xy(MARGIN, max(pdf.get_y() + 4, MARGIN + qr_size + 4))

    # 1. site
    pdf.section(_t("sheet.sec_site", lang))
    pdf.row(_t("sheet.site_name", lang), site.name)
    pdf.row(_t("sheet.address", lang), site.address)
    county = data.county_name
    if site.outside_city and not county:
        county = "市外" if lang == "zh" else "Outside the city"
    pdf.row(_t("sheet.county", lang), county)
    acc = _t("sheet.accuracy", lang, acc=site.accuracy_m) if site.accuracy_m is not None else ""
    pdf.row(_t("sheet.coords", lang), _t("sheet.coords_value", lang, lon=site.lon, lat=site.lat, acc=acc,
                                         source=LOCATION_SOURCES.label(site.location_source, lang)))

    # 2. case
    pdf.section(_t("sheet.sec_case", lang))
    if case is None:
        pdf.row(_t("sheet.case_no", lang), _t("sheet.no_case", lang))
    else:
        pdf.row(_t("sheet.case_no", lang), case.case_no + (f"（{_t('sheet.key_attention', lang)}）"
                                                           if case.key_attention else ""))
        batch = _t("sheet.batch_value", lang, batch=case.batch) if case.batch is not None else ""
        if case.handed_over_on:
            batch = f"{batch}  {case.handed_over_on.isoformat()}".strip()
        pdf.row(_t("sheet.batch", lang), batch)
        if case.receive_method:
            pdf.row(_t("sheet.receive_method", lang), RECEIVE_METHODS.label(case.receive_method, lang))
        pdf.row(_t("sheet.case_content", lang), case.content)
        pdf.row(_t("sheet.case_types", lang), case.pollution_text or _types_text(case.pollution_types, "", lang))
        if case.deadline or case.responsible_unit:
            pdf.row(_t("sheet.deadline", lang), case.deadline.isoformat() if case.deadline else "")
            pdf.row(_t("sheet.unit", lang), case.responsible_unit)

    # 3. finding
    pdf.section(_t("sheet.sec_finding", lang))
    pdf.row(_t("sheet.finding_no", lang), f"F{f.id}")
    pdf.row(_t("sheet.description", lang), f.description)
    pdf.row(_t("sheet.types", lang), _types_text(f.pollution_types, f.subtype, lang))
    pdf.row(_t("sheet.severity", lang), SEVERITY.label(f.severity, lang))
    pdf.row(_t("sheet.observed", lang), _when(f.observed_at))
    pdf.row(_t("sheet.status", lang), STATUS.label(f.status, lang))

    # 4. the record
    pdf.section(_t("sheet.sec_record", lang))
    pdf.row(_t("sheet.record_no", lang), f"V{rec.id}")
    if rec.kind == "recheck":
        pdf.row(_t("sheet.record_kind", lang), _t("sheet.kind_recheck", lang))
        result = {"no_rebound": "sheet.no_rebound", "rebound": "sheet.rebound"}.get(rec.recheck_result or "")
        pdf.row(_t("sheet.recheck_result", lang), _t(result, lang) if result else "",
                colour=RED if rec.recheck_result == "rebound" else None)
    else:
        pdf.row(_t("sheet.truthfulness", lang), TRUTHFULNESS.label(rec.truthfulness, lang))
    if rec.supersedes_id:
        pdf.row(_t("sheet.supersedes", lang), f"V{rec.supersedes_id}")
    pdf.row(_t("sheet.facts", lang), rec.facts)
    if rec.kind != "recheck":
        pdf.row(_t("sheet.measures", lang), rec.measures)
        pdf.row(_t("sheet.accountability", lang), rec.accountability)
    pdf.row(_t("sheet.conclusion", lang), rec.conclusion)
    pdf.row(_t("sheet.inspectors", lang), ("、" if lang == "zh" else ", ").join(rec.inspectors or []))
    author = rec.author.display_name or rec.author.username if rec.author else ""
    pdf.row(_t("sheet.author", lang), author)
    pdf.row(_t("sheet.written_at", lang), _when(rec.created_at, "%Y-%m-%d %H:%M:%S"))
    if rec.lon is not None and rec.lat is not None:
        acc = _t("sheet.accuracy", lang, acc=rec.accuracy_m) if rec.accuracy_m is not None else ""
        gps = f"{rec.lon:.6f}, {rec.lat:.6f}{acc}"
        far = rec.distance_m is not None and rec.distance_m > FAR_FROM_SITE_M
        if rec.distance_m is not None:
            key = "sheet.distance_far" if far else "sheet.distance"
            gps += "\n" + _t(key, lang, d=rec.distance_m, limit=FAR_FROM_SITE_M)
        pdf.row(_t("sheet.written_gps", lang), gps, colour=RED if far else None)
    else:
        pdf.row(_t("sheet.written_gps", lang), _t("sheet.no_gps", lang))

    # 5. photos
    pdf.section(_t("sheet.sec_photos", lang), keep=80)
    _photo_grid(pdf, _t("sheet.photos_before", lang), data.before, store, lang)
    record_title = "sheet.photos_after" if all(link.kind == "after" for link in data.after) else "sheet.photos_record"
    _photo_grid(pdf, _t(record_title, lang), data.after, store, lang)

    # 6. sign-off
    pdf.section(_t("sheet.sec_signoff", lang))
    if so is None:
        pdf.row(_t("sheet.decision", lang), _t("sheet.not_signed", lang), colour=RED)
        pdf.row("", _t("sheet.not_signed_note", lang))
    else:
        signer = so.signer.display_name or so.signer.username if so.signer else str(so.signer_id)
        approve = so.decision == "approve"
        pdf.row(_t("sheet.decision", lang), _t("sheet.approve" if approve else "sheet.return", lang),
                colour=None if approve else RED)
        pdf.row(_t("sheet.opinion" if approve else "sheet.reason", lang), so.opinion)
        pdf.row(_t("sheet.signer", lang), signer)
        pdf.row(_t("sheet.signed_at", lang), _when(so.signed_at, "%Y-%m-%d %H:%M:%S"))
        pdf.row(_t("sheet.code", lang), code)
        pdf.row(_t("sheet.content_hash", lang), so.content_hash, mono=True)
        pdf.row(_t("sheet.prev_hash", lang), so.prev_hash, mono=True)
        pdf.row(_t("sheet.chain_hash", lang), so.chain_hash, mono=True)
        pdf.row(_t("sheet.check", lang), _t("sheet.check_ok" if data.hash_ok else "sheet.check_bad", lang),
                colour=None if data.hash_ok else RED)
    _hand_signatures(pdf, lang)
    return bytes(pdf.output())


def verification_sheet(session: Session, actor: User, signoff_or_verification_id: int | str | Verification | SignOff,
                       store: Any, *, lang: str = "zh", base_url: str = "", now: dt.datetime | None = None) -> bytes:
    """The 核查验收单 PDF of one verification (or re-inspection) record.

    `signoff_or_verification_id`: a verification id (int or "V12"), a sign-off id ("S12"), or
    the row itself. Raises `FieldError` (`sheet.not_found`, `sheet.bad_ref`,
    `sheet.no_cjk_font`) or `PermissionDenied` when the actor cannot view the finding's county.
    """
    data = load_sheet(session, actor, signoff_or_verification_id)
    return render(data, store, lang=lang if lang in ("zh", "en") else "zh", base_url=base_url,
                  printed_by=actor.display_name or actor.username, now=now)


def font_status() -> dict[str, Any]:
    """For the UI and diagnostics: which font the sheets use, or that there is none."""
    choice = find_cjk_font()
    if choice is None:
        return {"found": False, "env": FONT_ENV}
    return {"found": True, "path": str(choice.path), "index": choice.index, "source": choice.source}


__all__ = ["FontChoice", "SheetData", "find_cjk_font", "font_status", "load_sheet", "parse_ref", "printable",
           "record_link", "render", "require_cjk_font", "verification_code", "verification_sheet"]
