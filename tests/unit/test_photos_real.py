"""The photo pipeline on files from real cameras and phones (../shared/fixtures/photos).

Skipped when that folder is absent (a fresh clone); CI has it. Expected values come from the
fixture README and from reading the EXIF with other tools.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

from field import photos
from field.i18n import error_text
from field.photos import LocalPhotoStore, PhotoError, evidence_flags, ingest, inspect, make_derivatives

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO.parent / "shared" / "fixtures" / "photos"

pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"real photo fixtures not found at {FIXTURES}")

CANGZHOU_SITE = (116.84, 38.30)  # (lon, lat)
GOOD_FILES = [
    "DSCN0010.jpg", "DSCN0021.jpg", "iphone_hdr_NO.jpg", "HMD_Nokia_8.3_5G.heif",
    "jolla.jpg", "portrait_6.jpg", "landscape_3.jpg",
]


def _read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _open(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


def _mean_diff(a: Image.Image, b: Image.Image) -> float:
    b = b.convert("RGB").resize(a.size, Image.Resampling.BILINEAR)
    return float(np.abs(np.asarray(a, dtype=np.int16) - np.asarray(b, dtype=np.int16)).mean())


def test_nikon_gps_and_capture_time() -> None:
    info = inspect(_read("DSCN0010.jpg"), "DSCN0010.jpg")
    assert info.exif_lat == pytest.approx(43.467, abs=0.001)
    assert info.exif_lon == pytest.approx(11.885, abs=0.001)
    assert (info.make, info.model, info.mime) == ("NIKON", "COOLPIX P6000", "image/jpeg")
    # The shutter fired on 2008-10-22 (DateTimeOriginal); 2008-11-01 is the DateTime tag that
    # Nikon Transfer rewrote when copying the file, which is not evidence of the capture.
    assert info.taken_at_source == "DateTimeOriginal"
    assert info.taken_at.date() == date(2008, 10, 22)
    assert info.taken_at.tzinfo is None
    assert Image.open(FIXTURES / "DSCN0010.jpg").getexif()[0x0132].startswith("2008:11:01")


def test_nikon_photo_in_cangzhou_is_flagged_thousands_of_km_away() -> None:
    info = inspect(_read("DSCN0010.jpg"), "DSCN0010.jpg")
    flags = evidence_flags(info.exif_lon, info.exif_lat, info.taken_at, *CANGZHOU_SITE, None)
    far = [f for f in flags if f.key == "photo.far_from_site"]
    assert len(far) == 1
    distance = far[0].params["distance_m"]
    assert 7_500_000 < distance < 8_800_000  # Tuscany → Hebei
    assert far[0].message("zh") == f"拍摄位置距现场 约 {round(distance / 1000)} 公里"


def test_orientation_6_portrait_is_turned() -> None:
    data = _read("portrait_6.jpg")
    raw = _open(data)
    assert raw.width > raw.height  # stored sideways
    info = inspect(data, "portrait_6.jpg")
    assert info.orientation == 6
    assert (info.width, info.height) == (raw.height, raw.width)
    display = _open(make_derivatives(data, info)[0])
    assert display.height > display.width
    upright = ImageOps.exif_transpose(raw)
    assert _mean_diff(display, upright) < _mean_diff(display, raw.transpose(Image.Transpose.ROTATE_90)) / 3


def test_orientation_3_landscape_is_turned_upside_up() -> None:
    data = _read("landscape_3.jpg")
    raw = _open(data)
    info = inspect(data, "landscape_3.jpg")
    assert info.orientation == 3
    assert (info.width, info.height) == raw.size
    display = _open(make_derivatives(data, info)[0])
    assert display.size == raw.size
    turned = raw.transpose(Image.Transpose.ROTATE_180)
    assert _mean_diff(display, turned) < _mean_diff(display, raw) / 3


def test_nokia_heif_decodes() -> None:
    data = _read("HMD_Nokia_8.3_5G.heif")
    info = inspect(data, "HMD_Nokia_8.3_5G.heif")
    assert info.mime in ("image/heic", "image/heif")
    assert 15_500_000 < info.width * info.height < 16_500_000
    assert info.exif_lat == pytest.approx(40.79, abs=0.01)
    assert info.exif_lon == pytest.approx(-4.01, abs=0.01)
    display, thumb = make_derivatives(data, info)
    d = _open(display)
    assert max(d.size) == photos.DISPLAY_MAX_SIDE and d.format == "JPEG"
    assert (d.width > d.height) == (info.width > info.height)
    assert len(thumb) <= photos.THUMB_MAX_BYTES


def test_iphone_gps_west_of_greenwich() -> None:
    info = inspect(_read("iphone_hdr_NO.jpg"), "iphone_hdr_NO.jpg")
    assert info.exif_lat == pytest.approx(40.45, abs=0.01)
    assert info.exif_lon == pytest.approx(-3.72, abs=0.01)
    assert info.make == "Apple"
    assert info.gps_time is not None and info.gps_time.date() == info.taken_at.date()


def test_jolla_has_no_gps() -> None:
    info = inspect(_read("jolla.jpg"), "jolla.jpg")
    assert info.exif_lon is None and info.exif_lat is None
    flags = evidence_flags(info.exif_lon, info.exif_lat, info.taken_at, *CANGZHOU_SITE, None)
    assert [f.key for f in flags] == ["photo.no_gps"]


def test_corrupted_file_is_refused() -> None:
    data = _read("corrupted.jpg")
    with pytest.raises(PhotoError) as caught:
        inspect(data, "corrupted.jpg")
    assert caught.value.key in ("photo.corrupt", "photo.truncated")
    assert "corrupted.jpg" in error_text(caught.value, "zh")


def test_corrupted_file_is_not_stored(tmp_path: Path) -> None:
    with pytest.raises(PhotoError):
        ingest(_read("corrupted.jpg"), "corrupted.jpg", LocalPhotoStore(tmp_path))
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


@pytest.mark.parametrize("name", GOOD_FILES)
def test_real_files_ingest_cleanly(name: str, tmp_path: Path) -> None:
    data = _read(name)
    store = LocalPhotoStore(tmp_path)
    got = ingest(data, name, store)
    assert store.verify(got.sha256)
    assert store.read_original(got.sha256) == data
    for rel, limit in ((got.display_path, photos.DISPLAY_MAX_SIDE), (got.thumb_path, photos.THUMB_MAX_SIDE)):
        out = (tmp_path / rel).read_bytes()
        img = _open(out)
        assert img.mode == "RGB" and max(img.size) <= limit
        assert len(img.getexif()) == 0 and b"Exif" not in out
        # upright orientation kept in both copies
        assert (img.width >= img.height) == (got.width >= got.height)
    assert (tmp_path / got.thumb_path).stat().st_size <= photos.THUMB_MAX_BYTES
