"""The copies that are shown: a display JPEG and a thumbnail, upright, sRGB, metadata-free.

The original is never shown or changed; these copies are what the app, the PDF sheets and
public notices use, so they carry no EXIF at all (the GPS of a complainant's home or a staff
member's phone must not leak through a public report) and have the colour profile baked in.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageCms

from field.photos.exif import PhotoInfo, pixel_orientation

DISPLAY_MAX_SIDE = 1600
THUMB_MAX_SIDE = 320
THUMB_MAX_BYTES = 60 * 1024
DISPLAY_QUALITY = 85
THUMB_QUALITIES = (80, 72, 64, 56, 48, 40, 32)

_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_SRGB = ImageCms.createProfile("sRGB")


def _to_rgb(img: Image.Image) -> Image.Image:
    """Any decoded mode → 8-bit RGB. Transparency is flattened onto white (how a viewer shows a
    transparent screenshot on paper); 16-bit greyscale is scaled, not clipped to white."""
    mode = img.mode
    if mode == "RGB":
        return img
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        arr = np.asarray(img)
        top = 65535 if mode.startswith("I;16") or int(arr.max(initial=0)) > 255 else 255
        arr8 = (np.clip(arr.astype(np.float32), 0, top) * (255.0 / top) + 0.5).astype(np.uint8)
        return Image.fromarray(arr8, "L").convert("RGB")
    if mode == "F":
        arr8 = np.clip(np.asarray(img), 0, 255).astype(np.uint8)
        return Image.fromarray(arr8, "L").convert("RGB")
    if mode == "P":
        img = img.convert("RGBA") if "transparency" in img.info else img.convert("RGB")
        mode = img.mode
    if mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = img.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return img.convert("RGB")


def _to_srgb(img: Image.Image, icc: bytes | None) -> Image.Image:
    """Bake a camera colour profile (e.g. iPhone Display P3) into sRGB pixels, since the
    profile itself is stripped with the rest of the metadata. Best effort: a broken profile
    leaves the pixels as they are rather than refusing a genuine photo."""
    if not icc or img.mode != "RGB":
        return img
    try:
        src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        desc = (ImageCms.getProfileDescription(src) or "").lower()
        if "srgb" in desc:
            return img
        out = ImageCms.profileToProfile(img, src, _SRGB, outputMode="RGB")
        return out if out is not None else img
    except Exception:
        return img


def _fit(img: Image.Image, max_side: int, resample: Image.Resampling) -> Image.Image:
    """Shrink to `max_side`. Large factors first go through a box `reduce` (reducing_gap), so
    the filter only ever works on a modest factor."""
    w, h = img.size
    if max(w, h) <= max_side:
        return img
    k = max_side / max(w, h)
    size = (max(1, round(w * k)), max(1, round(h * k)))
    return img.resize(size, resample, reducing_gap=2.0)


def _encode_jpeg(img: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    # exif/icc given explicitly empty: resize() copies `info`, and nothing from it may leak.
    img.save(buf, "JPEG", quality=quality, exif=b"", icc_profile=None, comment=b"")
    return buf.getvalue()


def derive(img: Image.Image, info: PhotoInfo, icc: bytes | None) -> tuple[bytes, bytes]:
    # Resize before turning: the turn is then done on 2 MP instead of 12. For JPEG the DCT
    # scaling in `draft` has already done the bulk of the shrinking, leaving a factor ≤ 2 for
    # which Pillow's (antialiasing) bilinear filter is visually as good as Lanczos at half the
    # cost; the tiny thumbnail can afford Lanczos.
    display = _fit(_to_rgb(img), DISPLAY_MAX_SIDE, Image.Resampling.BILINEAR)
    turn = _TRANSPOSE.get(pixel_orientation(info.mime, info.orientation))
    if turn is not None:
        display = display.transpose(turn)
    display = _to_srgb(display, icc)
    display.info = {}
    display_bytes = _encode_jpeg(display, DISPLAY_QUALITY)
    thumb = _fit(display, THUMB_MAX_SIDE, Image.Resampling.LANCZOS)
    thumb.info = {}
    thumb_bytes = b""
    for q in THUMB_QUALITIES:
        thumb_bytes = _encode_jpeg(thumb, q)
        if len(thumb_bytes) <= THUMB_MAX_BYTES:
            break
    return display_bytes, thumb_bytes


