"""Which font prints the sheet's Chinese, and how arbitrary user text is made printable with it.

The Chinese must come out right on an intranet machine with no internet, so the font is found
locally: the one configured (`Settings.pdf_font`, from FIELD_PDF_FONT), then a pinned PyPI font
package, then the distribution's fonts; it is embedded as a subset. When none is there the
caller gets a `FieldError` that says so, never a PDF of boxes. User text is arbitrary Unicode:
characters the font lacks (emoji, rare ideographs) are printed as a visible placeholder instead
of crashing the export or vanishing silently.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from field.domain.errors import FieldError

# The setting that names the font, for messages: "path" or "path#index" (into a .ttc collection).
FONT_ENV = "FIELD_PDF_FONT"

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
    source: str  # settings / package name / system


def _package_fonts() -> Iterable[tuple[Path, str]]:
    """Fonts shipped as pinned PyPI packages (no network at run time: they are installed files)."""
    try:
        yield Path(str(resources.files("paperang_p2_fonts_cjk") / "fonts" / "wqy-microhei.ttc")), \
            "paperang-p2-fonts-cjk"
    except ModuleNotFoundError:
        pass
    try:
        import pylopdf_fonts_zh_cn

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



def _candidates(configured: str) -> Iterable[tuple[Path, int | None, str]]:
    configured = configured.strip()
    if configured:
        path, _, idx = configured.partition("#")
        yield Path(path), int(idx) if idx.isdigit() else None, "settings"
    for package_path, source in _package_fonts():
        yield package_path, None, source
    for p in SYSTEM_FONTS:
        yield Path(p), None, "system"


@cache
def find_cjk_font(configured: str = "") -> FontChoice | None:
    """The first local font that can print this sheet's Chinese, or None. `configured` is
    `Settings.pdf_font` ("" = look only at the packaged and system fonts)."""
    for path, index, source in _candidates(configured):
        if not path.is_file():
            continue
        face = _pick_face(path) if index is None else index
        if face is not None:
            return FontChoice(path, face, source)
    return None


@cache
def font_cmap(choice: FontChoice) -> frozenset[int]:
    """The code points the chosen face has glyphs for."""
    from fontTools.ttLib import TTFont

    face = TTFont(str(choice.path), fontNumber=choice.index, lazy=True)
    return frozenset((face.getBestCmap() or {}).keys())


def require_cjk_font(configured: str = "") -> FontChoice:
    """The font to use, or `FieldError("sheet.no_cjk_font")` naming the setting to fix it."""
    choice = find_cjk_font(configured)
    if choice is None:
        raise FieldError("sheet.no_cjk_font", env=FONT_ENV)
    return choice


def font_status(configured: str = "") -> dict[str, Any]:
    """For the UI and diagnostics: which font the sheets use, or that there is none."""
    choice = find_cjk_font(configured)
    if choice is None:
        return {"found": False, "env": FONT_ENV}
    return {"found": True, "path": str(choice.path), "index": choice.index, "source": choice.source}


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
