"""Human units (field.i18n.units): m/km, minutes/hours/days, file names cut in the stem only."""

from __future__ import annotations

import pytest

from field.i18n.units import distance_words, short_name, span_words
from field.photos.evidence import flag_text


@pytest.mark.parametrize("metres,zh,en", [
    (0, "0 米", "0 m"),
    (12.4, "12 米", "12 m"),
    (999.4, "999 米", "999 m"),
    (999.6, "约 1.0 公里", "about 1.0 km"),
    (1540, "约 1.5 公里", "about 1.5 km"),
    (9940, "约 9.9 公里", "about 9.9 km"),
    (12_600, "约 13 公里", "about 13 km"),
    (8_204_349, "约 8204 公里", "about 8,204 km"),
])
def test_distances(metres: float, zh: str, en: str) -> None:
    assert distance_words(metres, "zh") == zh
    assert distance_words(metres, "en") == en


@pytest.mark.parametrize("hours,zh,en", [
    (0, "0 分钟", "0 minutes"),
    (0.004, "1 分钟", "1 minutes"),
    (0.5, "30 分钟", "30 minutes"),
    (1, "1 小时", "1 hours"),
    (-5, "5 小时", "5 hours"),  # a difference has no sign: before or after reads the same
    (72, "72 小时", "72 hours"),
    (73, "3 天", "3 days"),
    (24 * 59, "59 天", "59 days"),
    (24 * 90, "约 3 个月", "about 3 months"),
    (158_747, "约 18 年", "about 18 years"),  # the "相差 6614.5 天（158747 小时）" of the issue
])
def test_time_differences(hours: float, zh: str, en: str) -> None:
    assert span_words(hours, "zh") == zh
    assert span_words(hours, "en") == en


@pytest.mark.parametrize("name,limit,expected", [
    ("a.jpg", 20, "a.jpg"),
    ("HMD_Nokia_8.3_5G.heic", 21, "HMD_Nokia_8.3_5G.heic"),
    ("HMD_Nokia_8.3_5G.heic", 20, "HMD_Nok…_8.3_5G.heic"),
    ("HMD_Nokia_8.3_5G.heic", 16, "HMD_N….3_5G.heic"),
    ("IMG_20240501_101530_HDR.jpeg", 12, "IMG…HDR.jpeg"),
    ("a_very_long_name_without_extension", 10, "a_very_lo…"),
    ("现场照片二〇二四年五月一日上午.HEIF", 12, "现场照…日上午.HEIF"),
])
def test_short_names_keep_the_extension(name: str, limit: int, expected: str) -> None:
    got = short_name(name, limit)
    assert got == expected
    assert len(got) <= limit
    if "." in name:
        assert got.endswith(name[name.rindex("."):])


def test_evidence_notes_use_the_same_words() -> None:
    assert flag_text("photo.far_from_site", {"distance_m": 8_204_349}, "zh") == "拍摄位置距现场 约 8204 公里"
    assert "约 18 年" in flag_text("photo.time_far_from_visit", {"hours": 158_747, "days": 6614.5}, "zh")
