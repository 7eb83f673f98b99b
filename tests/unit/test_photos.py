"""The photo pipeline on photos made with Pillow: no files from outside the repo needed."""

from __future__ import annotations

import io
import os
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFile

from field import photos
from field.domain.errors import FieldError
from field.geo import distance_m as haversine_m
from field.i18n import error_text
from field.i18n.photos import MESSAGES as PHOTO_MESSAGES
from field.photos import (
    LocalPhotoStore,
    PhotoError,
    evidence_flags,
    ingest,
    inspect,
    make_derivatives,
)
from field.photos import store as photo_store
from tests.photo_factory import heif_can_save, make_heif, make_image, make_jpeg, make_png, make_png_bomb

CST = timezone(timedelta(hours=8))
SITE = (116.8386, 38.3037)  # (lon, lat) in Cangzhou


def _open(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def _offset_north(lon: float, lat: float, metres: float) -> tuple[float, float]:
    return lon, lat + metres / 111_195.0


@pytest.fixture(scope="module")
def detailed_jpeg() -> bytes:
    """A photo-like 4.3 MP JPEG (noise and gradients, ~1.5 MB), made once for the module."""
    return make_jpeg(2400, 1800, detailed=True, gps=SITE, taken_at=datetime(2024, 5, 24, 9, 30, tzinfo=CST))


# ------------------------------------------------------------------------------ reading EXIF


@pytest.mark.parametrize(
    "lon, lat",
    [(116.841234, 38.304567), (-3.724753, 40.446972), (151.209295, -33.868820), (-70.669265, -33.448890)],
)
def test_gps_round_trip_all_hemispheres(lon: float, lat: float) -> None:
    info = inspect(make_jpeg(320, 240, gps=(lon, lat)), "gps.jpg")
    assert info.exif_lon == pytest.approx(lon, abs=1e-5)
    assert info.exif_lat == pytest.approx(lat, abs=1e-5)
    assert info.has_gps


def test_capture_time_with_offset_is_aware() -> None:
    taken = datetime(2024, 5, 24, 10, 11, 12, tzinfo=CST)
    info = inspect(make_jpeg(320, 240, taken_at=taken), "t.jpg")
    assert info.taken_at == taken
    assert info.taken_at.utcoffset() == timedelta(hours=8)
    assert info.taken_at_source == "DateTimeOriginal"


def test_capture_time_without_offset_stays_naive() -> None:
    taken = datetime(2023, 12, 31, 23, 59, 58)
    info = inspect(make_jpeg(320, 240, taken_at=taken), "t.jpg")
    assert info.taken_at == taken
    assert info.taken_at.tzinfo is None


def test_no_exif_means_nothing_invented() -> None:
    info = inspect(make_jpeg(320, 240, make=None, model=None), "plain.jpg")
    assert (info.exif_lon, info.exif_lat, info.taken_at, info.make, info.model) == (None,) * 5
    assert info.orientation == 1
    assert not info.has_gps


def test_make_model_and_hash_of_original_bytes() -> None:
    import hashlib

    data = make_jpeg(320, 240, make="HUAWEI", model="P60 Pro")
    info = inspect(data, "m.jpg")
    assert (info.make, info.model) == ("HUAWEI", "P60 Pro")
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert info.size_bytes == len(data)


def test_mime_comes_from_content_not_filename() -> None:
    info = inspect(make_png(200, 100), "looks_like_a.jpg")
    assert info.mime == "image/png"
    assert info.ext == "png"


@pytest.mark.parametrize(
    "gps, expected",
    [
        ({}, (None, None)),
        ({1: "N", 2: (0.0, 0.0, 0.0), 3: "E", 4: (0.0, 0.0, 0.0)}, (None, None)),  # "no fix" zeros
        ({1: "X", 2: (38.0, 18.0, 0.0), 3: "E", 4: (116.0, 50.0, 0.0)}, (None, None)),  # bad ref
        ({1: "N", 2: (float("nan"), 0.0, 0.0), 3: "E", 4: (116.0, 0.0, 0.0)}, (None, None)),  # 0/0
        ({1: "N", 2: (95.0, 0.0, 0.0), 3: "E", 4: (116.0, 0.0, 0.0)}, (None, None)),  # impossible
        ({1: "N", 2: (38.0, 30.0, 0.0), 3: "E", 4: (116.0, 30.0, 0.0), 9: "V"}, (None, None)),  # void
        ({1: b"S\x00", 2: (33.0, 30.0, 0.0), 3: b"W\x00", 4: (70.0, 45.0, 0.0)}, (-70.75, -33.5)),
        ({2: (38.5,), 4: (116.25,)}, (116.25, 38.5)),  # refs missing, single-value degrees
    ],
)
def test_parse_exif_gps_edge_cases(gps: dict, expected: tuple) -> None:
    assert photos.parse_exif_gps(gps) == expected


@pytest.mark.parametrize(
    "value, offset, expected",
    [
        ("2024:05:24 10:11:12", None, datetime(2024, 5, 24, 10, 11, 12)),
        ("2024:05:24 10:11:12\x00", "+08:00", datetime(2024, 5, 24, 10, 11, 12, tzinfo=CST)),
        ("2024:05:24 10:11:12", "-03:30", datetime(2024, 5, 24, 10, 11, 12, tzinfo=timezone(-timedelta(hours=3.5)))),
        ("0000:00:00 00:00:00", None, None),
        ("    :  :     :  :  ", None, None),
        ("", None, None),
    ],
)
def test_parse_exif_datetime(value: str, offset: str | None, expected: datetime | None) -> None:
    assert photos.parse_exif_datetime(value, offset) == expected


def test_gps_time_is_read_as_utc() -> None:
    gps = {29: "2022:02:03", 7: (14.0, 44.0, 9.0)}
    assert photos.parse_gps_time(gps) == datetime(2022, 2, 3, 14, 44, 9, tzinfo=UTC)
    assert photos.parse_gps_time({29: "2022:02:03"}) is None


# ------------------------------------------------------------------------------ derivatives


def _is_red(pixel: tuple[int, int, int]) -> bool:
    r, g, b = pixel[:3]
    return r > 180 and g < 90 and b < 90


def test_orientation_6_turns_the_display_copy_clockwise() -> None:
    data = make_jpeg(800, 600, orientation=6)  # raw: landscape, red block top-left
    raw = _open(data)
    assert raw.size == (800, 600) and _is_red(raw.getpixel((50, 50)))
    info = inspect(data, "o6.jpg")
    assert (info.width, info.height, info.orientation) == (600, 800, 6)
    display, thumb = make_derivatives(data, info)
    shown = _open(display)
    assert shown.size == (600, 800)
    # 90° clockwise: the raw top-left corner ends up top-right
    assert _is_red(shown.getpixel((600 - 50, 50)))
    assert not _is_red(shown.getpixel((50, 50)))
    small = _open(thumb)
    assert small.height > small.width


@pytest.mark.parametrize("orientation, red_corner", [(1, (0, 0)), (3, (1, 1)), (8, (0, 1))])
def test_other_orientations(orientation: int, red_corner: tuple[int, int]) -> None:
    data = make_jpeg(400, 300, orientation=orientation)
    display, _ = make_derivatives(data, inspect(data))
    shown = _open(display)
    w, h = shown.size
    x = 30 if red_corner[0] == 0 else w - 30
    y = 30 if red_corner[1] == 0 else h - 30
    assert _is_red(shown.getpixel((x, y)))


def test_derivatives_carry_no_metadata() -> None:
    data = make_jpeg(900, 700, gps=SITE, taken_at=datetime(2024, 5, 24, 10, 0, tzinfo=CST), orientation=6)
    assert b"Exif" in data  # the original does have it
    display, thumb = make_derivatives(data, inspect(data))
    for out in (display, thumb):
        img = _open(out)
        assert img.format == "JPEG" and img.mode == "RGB"
        assert len(img.getexif()) == 0
        assert "exif" not in img.info and "icc_profile" not in img.info
        assert b"Exif" not in out and b"TestCam" not in out


def test_display_and_thumbnail_sizes(detailed_jpeg: bytes) -> None:
    info = inspect(detailed_jpeg, "big.jpg")
    display, thumb = make_derivatives(detailed_jpeg, info)
    assert _open(display).size == (1600, 1200)
    assert _open(thumb).size == (320, 240)
    assert len(thumb) <= photos.THUMB_MAX_BYTES
    assert len(display) < len(detailed_jpeg)


def test_thumbnail_of_pure_noise_still_within_60kb() -> None:
    """Worst case for JPEG: square random noise at exactly thumbnail size; needs lower quality."""
    rng = np.random.default_rng(7)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, (320, 320, 3), dtype=np.uint8), "RGB").save(buf, "PNG")
    data = buf.getvalue()
    _, thumb = make_derivatives(data, inspect(data))
    first_try = io.BytesIO()
    _open(thumb).save(first_try, "JPEG", quality=photos.THUMB_QUALITIES[0])
    assert len(first_try.getvalue()) > photos.THUMB_MAX_BYTES  # the first quality really was too big
    assert len(thumb) <= photos.THUMB_MAX_BYTES
    assert max(_open(thumb).size) <= photos.THUMB_MAX_SIDE


def test_small_photos_are_not_upscaled() -> None:
    data = make_jpeg(300, 200)
    display, thumb = make_derivatives(data, inspect(data))
    assert _open(display).size == (300, 200)
    assert _open(thumb).size == (300, 200)


def test_png_with_alpha_is_flattened_on_white() -> None:
    data = make_png(400, 300, mode="RGBA")
    info = inspect(data, "screenshot.png")
    assert info.mime == "image/png"
    display, _ = make_derivatives(data, info)
    img = _open(display)
    assert img.mode == "RGB"
    assert min(img.getpixel((350, 150))) > 245  # transparent half → white
    assert _is_red(img.getpixel((30, 30)))  # opaque part kept


@pytest.mark.parametrize("mode", ["P", "L", "I;16", "LA"])
def test_png_modes_become_rgb(mode: str) -> None:
    data = make_png(200, 150, mode=mode)
    display, thumb = make_derivatives(data, inspect(data))
    img = _open(display)
    assert img.mode == "RGB" and _open(thumb).mode == "RGB"
    # the bottom-right is a mid-tone in every mode: 16-bit must be scaled, not clipped to white
    assert 40 < sum(img.getpixel((190, 140))) / 3 < 230


def test_cmyk_jpeg_becomes_rgb() -> None:
    data = make_jpeg(200, 150, mode="CMYK")
    assert _open(data).mode == "CMYK"
    display, _ = make_derivatives(data, inspect(data))
    img = _open(display)
    assert img.mode == "RGB"
    assert _is_red(img.getpixel((20, 20)))


@pytest.mark.skipif(not heif_can_save(), reason="pillow-heif built without an HEVC encoder")
def test_heic_round_trip() -> None:
    taken = datetime(2024, 5, 24, 8, 0, tzinfo=CST)
    data = make_heif(640, 480, gps=SITE, taken_at=taken, orientation=6)
    info = inspect(data, "IMG_0001.HEIC")
    assert info.mime == "image/heic" and info.ext == "heic"
    assert info.exif_lon == pytest.approx(SITE[0], abs=1e-5)
    assert info.exif_lat == pytest.approx(SITE[1], abs=1e-5)
    assert info.taken_at == taken
    assert (info.width, info.height) == (480, 640)
    display, _ = make_derivatives(data, info)
    shown = _open(display)
    assert shown.size == (480, 640)  # turned once, not twice
    assert _is_red(shown.getpixel((480 - 40, 40)))


# ------------------------------------------------------------------------------ refusals


def _refused(data: bytes, name: str = "x.jpg") -> PhotoError:
    with pytest.raises(PhotoError) as caught:
        inspect(data, name)
    err = caught.value
    zh, en = error_text(err, "zh"), error_text(err, "en")
    assert zh != en and "{" not in zh + en and name in zh and name in en
    return err


def test_load_truncated_images_stays_off() -> None:
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_refuses_empty() -> None:
    assert _refused(b"").key == "photo.empty"


def test_refusal_is_a_field_error_shown_next_to_the_photos_field() -> None:
    """One error system: `ui.action` and `ui.set_field_error` handle a refused photo like any
    other refusal, with the catalog's text."""
    err = _refused(b"", "empty.jpg")
    assert isinstance(err, FieldError) and err.field == "photos"
    assert error_text(err, "en") == "Photo “empty.jpg” is empty (0 bytes)"


def test_refuses_pdf_renamed_to_jpg() -> None:
    pdf = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    assert _refused(pdf, "scan.jpg").key == "photo.not_image"


def test_refuses_truncated_jpeg(detailed_jpeg: bytes) -> None:
    half = detailed_jpeg[: len(detailed_jpeg) // 2]
    assert Image.open(io.BytesIO(half)).size == (2400, 1800)  # the header alone looks fine
    assert _refused(half).key == "photo.truncated"


def test_refuses_jpeg_with_damaged_middle() -> None:
    """A block overwritten as on a failing card (like the real corrupted.jpg). With restart
    markers libjpeg only warns and Pillow returns a partly grey image: it must still be refused."""
    data = make_jpeg(1200, 900, detailed=True, restart_marker_rows=1)
    start = len(data) // 3
    damaged = bytearray(data)
    damaged[start:start + 4096] = b"\xff" * 4096
    damaged[start + 4096] = 0x9F  # 0xFF9F is no JPEG marker
    Image.open(io.BytesIO(bytes(damaged))).load()  # Pillow alone lets it through
    inspect(data, "intact.jpg")  # and the same file undamaged is fine
    assert _refused(bytes(damaged)).key == "photo.corrupt"


def test_refuses_over_max_bytes_before_decoding() -> None:
    junk = b"\xff\xd8" + bytes(photos.MAX_BYTES - 1)
    assert len(junk) == photos.MAX_BYTES + 1
    err = _refused(junk)
    assert err.key == "photo.too_large"
    assert err.params["max_mb"] == 50


@pytest.mark.parametrize("width, height", [(40_000, 40_000), (10_000, 9_000)])
def test_refuses_decompression_bomb_without_allocating(width: int, height: int) -> None:
    """40000² trips Pillow's hard limit; 10000×9000 only its warning, which must refuse too."""
    bomb = make_png_bomb(width, height)
    assert len(bomb) < 1000
    err = _refused(bomb, "bomb.png")
    assert err.key == "photo.decompression_bomb"
    assert err.params["megapixels"] == round(width * height / 1_000_000)


def test_refuses_other_image_formats_by_name() -> None:
    buf = io.BytesIO()
    Image.new("RGB", (50, 50), "green").save(buf, "GIF")
    err = _refused(buf.getvalue(), "anim.gif")
    assert err.key == "photo.unsupported_format" and err.params["format"] == "GIF"


def test_every_message_has_zh_and_en() -> None:
    for key, texts in PHOTO_MESSAGES.items():
        assert set(texts) == {"zh", "en"}, key
        assert texts["zh"] != texts["en"], key


# ------------------------------------------------------------------------------ store & ingest


def test_ingest_stores_content_addressed(tmp_path: Path) -> None:
    data = make_jpeg(900, 600, gps=SITE, taken_at=datetime(2024, 5, 24, 9, 0, tzinfo=CST), orientation=6)
    store = LocalPhotoStore(tmp_path)
    got = ingest(data, "IMG_1.jpg", store)
    sha = got.sha256
    assert got.original_path == f"originals/{sha[:2]}/{sha[2:4]}/{sha}.jpg"
    assert got.display_path == f"display/{sha[:2]}/{sha}.jpg"
    assert got.thumb_path == f"thumbs/{sha[:2]}/{sha}.jpg"
    assert (tmp_path / got.original_path).read_bytes() == data  # untouched
    assert store.read_original(sha) == data
    assert (got.width, got.height, got.orientation, got.mime, got.size_bytes) == (600, 900, 6, "image/jpeg", len(data))
    assert got.exif_lon == pytest.approx(SITE[0], abs=1e-5) and got.created
    assert _open((tmp_path / got.display_path).read_bytes()).size == (600, 900)


def test_same_photo_twice_is_stored_once(tmp_path: Path) -> None:
    data = make_jpeg(640, 480, seed=3, detailed=True)
    store = LocalPhotoStore(tmp_path)
    first = ingest(data, "a.jpg", store)
    files = _files(tmp_path)
    stamps = {p: p.stat().st_mtime_ns for p in files}
    second = ingest(data, "same-photo-other-name.jpg", store)
    assert _files(tmp_path) == files and len(files) == 3
    assert {p: p.stat().st_mtime_ns for p in files} == stamps
    assert (second.original_path, second.display_path, second.thumb_path) == (
        first.original_path, first.display_path, first.thumb_path,
    )
    assert first.created and not second.created
    assert second.sha256 == first.sha256 and second.filename == "same-photo-other-name.jpg"


def test_missing_derivative_is_rebuilt(tmp_path: Path) -> None:
    data = make_jpeg(640, 480)
    store = LocalPhotoStore(tmp_path)
    got = ingest(data, "a.jpg", store)
    (tmp_path / got.thumb_path).unlink()
    again = ingest(data, "a.jpg", store)
    assert again.created and (tmp_path / got.thumb_path).is_file()


def test_no_temp_files_left(tmp_path: Path) -> None:
    store = LocalPhotoStore(tmp_path)
    for seed in range(3):
        ingest(make_jpeg(400, 300, seed=seed, detailed=True), f"{seed}.jpg", store)
    names = [p.name for p in _files(tmp_path)]
    assert len(names) == 9
    assert not [n for n in names if n.startswith(".") or n.endswith(".tmp")]


def test_failed_write_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(photo_store.os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        ingest(make_jpeg(300, 200), "a.jpg", LocalPhotoStore(tmp_path))
    assert _files(tmp_path) == []


def test_refused_upload_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(PhotoError):
        ingest(make_jpeg(1200, 900, detailed=True)[:20_000], "cut.jpg", LocalPhotoStore(tmp_path))
    assert _files(tmp_path) == []


def test_verify_detects_tampering(tmp_path: Path) -> None:
    data = make_jpeg(320, 240)
    store = LocalPhotoStore(tmp_path)
    got = ingest(data, "a.jpg", store)
    assert store.verify(got.sha256)
    path = tmp_path / got.original_path
    tampered = bytearray(data)
    tampered[-10] ^= 0x01
    path.write_bytes(bytes(tampered))
    assert not store.verify(got.sha256)
    path.unlink()
    assert not store.verify(got.sha256)
    with pytest.raises(FileNotFoundError):
        store.read_original(got.sha256)


def test_store_refuses_bad_names_and_mismatched_bytes(tmp_path: Path) -> None:
    store = LocalPhotoStore(tmp_path)
    with pytest.raises(ValueError):
        store.paths("../../etc/passwd" + "0" * 48, "jpg")
    with pytest.raises(ValueError):
        store.paths("a" * 64, "exe")
    with pytest.raises(ValueError):
        store.put("a" * 64, "jpg", b"not matching", b"d", b"t")
    assert _files(tmp_path) == []


def test_store_files_are_readable(tmp_path: Path) -> None:
    got = ingest(make_jpeg(320, 240), "a.jpg", LocalPhotoStore(tmp_path))
    for rel in (got.original_path, got.display_path, got.thumb_path):
        assert os.stat(tmp_path / rel).st_mode & 0o444 == 0o444


# ------------------------------------------------------------------------------ evidence flags


def test_haversine_one_degree_of_latitude() -> None:
    assert haversine_m(116.0, 38.0, 116.0, 39.0) == pytest.approx(111_195, rel=1e-3)
    assert haversine_m(*SITE, *SITE) == 0


def test_photo_150m_from_site_is_not_flagged() -> None:
    lon, lat = _offset_north(*SITE, 150)
    assert 140 < haversine_m(lon, lat, *SITE) < 160
    assert evidence_flags(lon, lat, None, *SITE, None) == [photos.Flag("photo.no_time", {}, "info")]


def test_photo_250m_from_site_is_flagged_with_rounded_distance() -> None:
    lon, lat = _offset_north(*SITE, 250)
    flags = evidence_flags(lon, lat, datetime(2024, 5, 24, 10), *SITE, datetime(2024, 5, 24, 11))
    assert [f.key for f in flags] == ["photo.far_from_site"]
    distance = flags[0].params["distance_m"]
    assert distance == round(haversine_m(lon, lat, *SITE)) and 245 <= distance <= 255
    assert flags[0].message("zh") == f"拍摄位置距现场 {distance} 米"
    assert flags[0].message("en") == f"Photo taken {distance} m from the site"
    assert flags[0].severity == "warning"


def test_time_two_days_off_is_flagged() -> None:
    visit = datetime(2024, 5, 24, 10, 0, tzinfo=CST)
    flags = evidence_flags(*SITE, visit - timedelta(days=2), *SITE, visit)
    assert [f.key for f in flags] == ["photo.time_far_from_visit"]
    assert flags[0].params == {"hours": 48, "days": 2.0}
    assert "48" in flags[0].message("zh") and "48" in flags[0].message("en")


def test_time_within_a_day_is_not_flagged() -> None:
    visit = datetime(2024, 5, 24, 10, 0, tzinfo=CST)
    assert evidence_flags(*SITE, visit + timedelta(hours=20), *SITE, visit) == []


def test_naive_photo_time_is_read_as_china_time() -> None:
    """Camera says 10:00 with no zone; the visit is recorded as 02:00 UTC, the same instant."""
    visit_utc = datetime(2024, 5, 24, 2, 0, tzinfo=UTC)
    assert evidence_flags(*SITE, datetime(2024, 5, 24, 10, 0), *SITE, visit_utc) == []
    later = evidence_flags(*SITE, datetime(2024, 5, 26, 10, 0), *SITE, visit_utc)
    assert [f.key for f in later] == ["photo.time_far_from_visit"]


def test_missing_gps_is_informational_only() -> None:
    flags = evidence_flags(None, None, datetime(2024, 5, 24, 10), *SITE, datetime(2024, 5, 24, 10))
    assert [(f.key, f.severity) for f in flags] == [("photo.no_gps", "info")]


def test_no_site_or_visit_means_nothing_to_compare() -> None:
    assert evidence_flags(116.0, 38.0, datetime(2020, 1, 1), None, None, None) == []


def test_custom_thresholds() -> None:
    lon, lat = _offset_north(*SITE, 150)
    flags = evidence_flags(lon, lat, None, *SITE, None, max_distance_m=100)
    assert [f.key for f in flags] == ["photo.far_from_site", "photo.no_time"]


# ------------------------------------------------------------------------------ odd but genuine files


def test_png_exif_chunk_is_read() -> None:
    taken = datetime(2024, 6, 1, 15, 0)
    info = inspect(make_png(300, 200, gps=SITE, taken_at=taken, orientation=6), "export.png")
    assert info.exif_lon == pytest.approx(SITE[0], abs=1e-5)
    assert info.taken_at == taken
    assert (info.width, info.height) == (200, 300)


def test_truncated_png_is_refused() -> None:
    data = make_png(400, 300, detailed=True)
    assert _refused(data[: len(data) // 2], "half.png").key == "photo.truncated"


def test_broken_exif_keeps_the_photo_without_metadata(recwarn: pytest.WarningsRecorder) -> None:
    data = make_jpeg(400, 300, gps=SITE, taken_at=datetime(2024, 5, 24, 9, 0))
    at = data.find(b"Exif")
    broken = bytearray(data)
    broken[at + 10:at + 40] = b"\xff" * 30  # smash the TIFF header and first IFD entries
    info = inspect(bytes(broken), "odd.jpg")
    assert (info.exif_lon, info.taken_at) == (None, None)
    assert (info.width, info.height) == (400, 300)


def test_padding_between_jpeg_segments_is_tolerated() -> None:
    """Some cameras leave stray bytes between header segments; decoders skip them, so must we."""
    data = make_jpeg(400, 300, gps=SITE)
    app1_len = int.from_bytes(data[4:6], "big")
    end_of_app1 = 4 + app1_len
    assert data[end_of_app1] == 0xFF
    padded = data[:end_of_app1] + b"\x00" * 7 + data[end_of_app1:]
    info = inspect(padded, "padded.jpg")
    assert info.exif_lon == pytest.approx(SITE[0], abs=1e-5)


def test_mpo_from_phones_is_a_jpeg() -> None:
    """Phones with depth/portrait modes save MPO: a JPEG followed by more JPEGs."""
    buf = io.BytesIO()
    first = make_image(400, 300)
    first.save(buf, "MPO", save_all=True, append_images=[make_image(200, 150, seed=1)])
    data = buf.getvalue()
    assert Image.open(io.BytesIO(data)).format == "MPO"
    info = inspect(data, "portrait.jpg")
    assert (info.mime, info.ext, info.width, info.height) == ("image/jpeg", "jpg", 400, 300)
    display, _ = make_derivatives(data, info)
    assert _open(display).size == (400, 300)


def test_stored_flag_text_comes_from_the_catalog() -> None:
    """Flags are stored as {"key": …, **params} on a photo link; pages and sheets read them back."""
    assert photos.flag_text("photo.far_from_site", {"distance_m": 250}, "en") == "Photo taken 250 m from the site"
    assert photos.flag_text("photo.no_gps", None, "zh") == "照片没有 GPS 位置信息，无法核对拍摄地点"


def test_evidence_notes_speak_in_human_amounts() -> None:
    """Tablet review showed "拍摄位置距现场 8204349 米" and "相差 6614.5 天（158747 小时）"."""
    far = {"distance_m": 8204349}
    assert photos.flag_text("photo.far_from_site", far, "zh") == "拍摄位置距现场 约 8204 公里"
    assert photos.flag_text("photo.far_from_site", far, "en") == "Photo taken about 8,204 km from the site"
    assert photos.flag_text("photo.far_from_site", {"distance_m": 2450}, "en") == "Photo taken about 2.5 km from the site"
    old = {"hours": 158747, "days": 6614.5}
    assert photos.flag_text("photo.time_far_from_visit", old, "zh") == "拍摄时间与现场核查时间相差 约 18 年"
    assert photos.flag_text("photo.time_far_from_visit", {"hours": 30, "days": 1.2}, "en") == \
        "Photo taken 30 hours away from the visit time"
    assert "4 天" in photos.flag_text("photo.time_far_from_visit", {"hours": 96, "days": 4.0}, "zh")
    assert "约 4 个月" in photos.flag_text("photo.time_far_from_visit", {"hours": 24 * 120, "days": 120}, "zh")
