"""Test photos made with Pillow, with real EXIF, so tests never depend on files outside the repo.

Uniform images compress to almost nothing and decode unrealistically fast; `detailed=True`
makes gradients plus noise, which compress like a photograph (a 12 MP one is a few MB).
"""

from __future__ import annotations

import io
import struct
import zlib
from datetime import datetime
from fractions import Fraction

import numpy as np
from PIL import Image, TiffImagePlugin

__all__ = ["make_image", "make_exif", "make_jpeg", "make_png", "make_heif", "make_png_bomb", "heif_can_save"]


def make_image(width: int, height: int, *, mode: str = "RGB", detailed: bool = False, seed: int = 0) -> Image.Image:
    """An image whose left/top half differ visibly, so orientation mistakes are detectable.

    The top-left quadrant is red and the rest blue-ish (plus noise when `detailed`); tests can
    find where the red corner went after a rotation.
    """
    x = np.linspace(0, 1, width, dtype=np.float32)[None, :]
    y = np.linspace(0, 1, height, dtype=np.float32)[:, None]
    r = np.broadcast_to(60 + 80 * x, (height, width)).copy()
    g = np.broadcast_to(80 + 100 * y, (height, width)).copy()
    b = 120 + 60 * np.sin(12 * x) * np.cos(9 * y)
    r[: height // 2, : width // 2] = 235
    g[: height // 2, : width // 2] = 30
    b[: height // 2, : width // 2] = 30
    rgb = np.stack([r, g, b], axis=-1)
    if detailed:
        rng = np.random.default_rng(seed)
        # Mid-amplitude noise: JPEG q90 of 12 MP lands at ~3-6 MB, like a phone photo.
        rgb += rng.normal(0.0, 9.0, size=(height, width, 1)).astype(np.float32)
        rgb += rng.integers(-6, 7, size=(height, width, 3), dtype=np.int8).astype(np.float32)
    img = Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8), "RGB")
    if mode == "RGB":
        return img
    if mode == "RGBA":
        alpha = np.full((height, width), 255, dtype=np.uint8)
        alpha[:, width // 2:] = 0  # right half fully transparent
        rgba = img.convert("RGBA")
        rgba.putalpha(Image.fromarray(alpha, "L"))
        return rgba
    if mode == "I;16":
        arr = (np.asarray(img.convert("L"), dtype=np.uint16) * 257).astype(np.uint16)
        return Image.fromarray(arr)  # uint16 → mode I;16
    return img.convert(mode)


def _rational(value: float) -> TiffImagePlugin.IFDRational:
    f = Fraction(value).limit_denominator(1_000_000)
    return TiffImagePlugin.IFDRational(f.numerator, f.denominator)


def _dms(value: float) -> tuple[TiffImagePlugin.IFDRational, ...]:
    value = abs(value)
    deg = int(value)
    minutes_full = (value - deg) * 60
    minutes = int(minutes_full)
    seconds = round((minutes_full - minutes) * 60, 4)
    return _rational(deg), _rational(minutes), _rational(seconds)


def make_exif(
    *,
    gps: tuple[float, float] | None = None,
    taken_at: datetime | None = None,
    orientation: int | None = None,
    make: str | None = "TestCam",
    model: str | None = "TC-1",
) -> Image.Exif:
    """EXIF as a camera writes it: IFD0 make/model/orientation, Exif IFD DateTimeOriginal (+
    OffsetTimeOriginal when `taken_at` is aware), GPS IFD with DMS rationals and N/S/E/W refs.
    `gps` is (lon, lat)."""
    exif = Image.Exif()
    if make:
        exif[0x010F] = make
    if model:
        exif[0x0110] = model
    if orientation is not None:
        exif[0x0112] = orientation
    if taken_at is not None:
        exif_ifd = exif.get_ifd(0x8769)
        exif_ifd[0x9003] = taken_at.strftime("%Y:%m:%d %H:%M:%S")
        offset = taken_at.utcoffset()
        if offset is not None:
            minutes = int(offset.total_seconds() // 60)
            sign = "-" if minutes < 0 else "+"
            exif_ifd[0x9011] = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    if gps is not None:
        lon, lat = gps
        gps_ifd = exif.get_ifd(0x8825)
        gps_ifd[0] = b"\x02\x03\x00\x00"
        gps_ifd[1] = "N" if lat >= 0 else "S"
        gps_ifd[2] = _dms(lat)
        gps_ifd[3] = "E" if lon >= 0 else "W"
        gps_ifd[4] = _dms(lon)
    return exif


def make_jpeg(
    width: int = 800,
    height: int = 600,
    *,
    gps: tuple[float, float] | None = None,
    taken_at: datetime | None = None,
    orientation: int | None = None,
    quality: int = 90,
    make: str | None = "TestCam",
    model: str | None = "TC-1",
    detailed: bool = False,
    mode: str = "RGB",
    seed: int = 0,
    restart_marker_rows: int | None = None,
) -> bytes:
    """A JPEG with real EXIF. `gps` is (lon, lat). `mode` may be RGB, L or CMYK.

    `restart_marker_rows` adds RST markers as many cameras do; with them a damaged stretch of
    the file only garbles a band instead of stopping the decoder, which is the hard case."""
    img = make_image(width, height, mode=mode, detailed=detailed, seed=seed)
    exif = make_exif(gps=gps, taken_at=taken_at, orientation=orientation, make=make, model=model)
    buf = io.BytesIO()
    extra = {"restart_marker_rows": restart_marker_rows} if restart_marker_rows else {}
    img.save(buf, "JPEG", quality=quality, exif=exif.tobytes(), **extra)
    return buf.getvalue()


def make_png(
    width: int = 800,
    height: int = 600,
    *,
    mode: str = "RGB",
    detailed: bool = False,
    gps: tuple[float, float] | None = None,
    taken_at: datetime | None = None,
    orientation: int | None = None,
) -> bytes:
    """A PNG; `mode` RGB, RGBA (right half transparent), P, L or I;16. EXIF goes in an eXIf chunk
    only when asked for, as PNG screenshots usually have none."""
    img = make_image(width, height, mode=mode, detailed=detailed)
    buf = io.BytesIO()
    params = {}
    if gps is not None or taken_at is not None or orientation is not None:
        params["exif"] = make_exif(gps=gps, taken_at=taken_at, orientation=orientation).tobytes()
    img.save(buf, "PNG", **params)
    return buf.getvalue()


def heif_can_save() -> bool:
    """Whether this pillow-heif build has an HEVC encoder (wheels do; some distro builds don't)."""
    try:
        import pillow_heif

        return bool(pillow_heif.libheif_info().get("HEIF"))
    except Exception:
        return False


def make_heif(
    width: int = 800,
    height: int = 600,
    *,
    gps: tuple[float, float] | None = None,
    taken_at: datetime | None = None,
    orientation: int | None = None,
    quality: int = 80,
    detailed: bool = False,
) -> bytes:
    """An HEIC (HEVC-coded HEIF) with EXIF, as iPhones write. Check `heif_can_save()` first."""
    from field.photos import register_heif

    register_heif()
    img = make_image(width, height, detailed=detailed)
    exif = make_exif(gps=gps, taken_at=taken_at, orientation=orientation)
    buf = io.BytesIO()
    img.save(buf, format="HEIF", quality=quality, exif=exif.tobytes())
    return buf.getvalue()


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def make_png_bomb(width: int = 40_000, height: int = 40_000) -> bytes:
    """A few hundred bytes declaring a gigantic RGB image: decoding it would allocate
    width × height × 3 bytes (4.8 GB by default). Only the header is honest."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")
