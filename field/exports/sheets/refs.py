"""How a paper sheet and its record find each other: record references, the short verification
code printed on a signed sheet, and the link its QR code carries."""

from __future__ import annotations

from field.domain.errors import FieldError


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


def verification_code(chain: str) -> str:
    """The first 12 hex digits of the chain hash, grouped for reading aloud or typing."""
    head = (chain or "")[:12].upper()
    return "-".join(head[i:i + 4] for i in range(0, len(head), 4))


def record_link(base_url: str, finding_id: int, verification_id: int) -> str:
    """Where the QR code points: the records page, which looks the finding up (login and scope apply)."""
    base = (base_url or "").rstrip("/")
    return f"{base}/records?finding={finding_id}&record={verification_id}"
