"""The capture form's early words and defaults (field.services.findings): scope, outside-city and
accuracy warnings with county names, the refusal on submit naming the county at the location
field, an unnamed site named from the description, the last types and severity per user."""

from __future__ import annotations

import datetime as dt

import pytest

from field.domain.errors import PermissionDenied
from field.services import findings
from field.services.findings import FindingInput, Location

YUNHE = (116.84, 38.29)  # 运河区
XINHUA = (116.86, 38.31)  # 新华区 (130902), next door
OUTSIDE = (116.0, 39.5)  # north of the city
T0 = dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC)


def _keys(notes: list[findings.LocationNote]) -> list[str]:
    return [n.key for n in notes]


def test_nothing_to_say_about_a_good_fix_in_scope(users) -> None:
    assert findings.check_location(users["field_yunhe"], *YUNHE, accuracy_m=12) == []
    assert findings.check_location(users["field"], *XINHUA, accuracy_m=50) == []  # 50 m is still fine


def test_scope_warning_names_the_county_and_the_users_area(users) -> None:
    notes = findings.check_location(users["field_yunhe"], *XINHUA)
    assert _keys(notes) == ["finding.warn.scope"]
    zh, en = notes[0].message("zh"), notes[0].message("en")
    assert zh == "该点位在新华区，不在您的管辖范围内（运河区），提交时会被拒绝。请核对位置。"
    assert "130902" not in zh and "130903" not in zh
    assert en.startswith("This point is in Xinhua District, outside your area (Yunhe District)")


def test_outside_the_city(users) -> None:
    assert _keys(findings.check_location(users["field"], *OUTSIDE)) == ["finding.warn.outside"]
    limited = findings.check_location(users["field_yunhe"], *OUTSIDE)
    assert _keys(limited) == ["finding.warn.outside", "finding.warn.scope"]
    assert "该点位在市外" in limited[1].message("zh")


@pytest.mark.parametrize("acc,zh,en", [
    (50.4, None, None),
    (63, "定位精度 63 米，差于 50 米 要求", "GPS accuracy is 63 m, worse than 50 m"),
    (1480, "定位精度 约 1.5 公里", "GPS accuracy is about 1.5 km"),
])
def test_accuracy_warning_in_human_units(users, acc: float, zh: str | None, en: str | None) -> None:
    notes = findings.check_location(users["field"], *YUNHE, accuracy_m=acc)
    if zh is None:
        assert notes == []
        return
    assert _keys(notes) == ["finding.warn.accuracy"]
    assert notes[0].message("zh").startswith(zh) and notes[0].message("en").startswith(en)


def test_submit_refusal_names_the_county_at_the_location_field(session, users) -> None:
    data = FindingInput(description="扬尘", pollution_types=["air"], location=Location(*XINHUA, "gps", 8.0))
    with pytest.raises(PermissionDenied) as e:
        findings.create_finding(session, users["field_yunhe"], data, now=T0)
    assert e.value.key == "perm.county" and e.value.field == "location"  # the key stays the service rule
    from field import i18n
    assert i18n.error_text(e.value, "zh") == "该区县（新华区）不在您的管辖范围内。"
    assert i18n.error_text(e.value, "en") == "This county (Xinhua District) is outside your scope."


def test_an_unnamed_site_is_named_from_the_description(session, users) -> None:
    f = findings.create_finding(session, users["field"], FindingInput(
        description="露天堆放物料未苫盖，扬尘明显。", pollution_types=["air"], location=Location(*YUNHE, "gps", 5.0)),
        now=T0)
    assert f.site.name == "露天堆放物料未苫盖"
    named = findings.create_finding(session, users["field"], FindingInput(
        description="夜间偷排", pollution_types=["water"], location=Location(*YUNHE, "gps", 5.0),
        site_name="宏达建材厂"), now=T0)
    assert named.site.name == "宏达建材厂"
    assert findings.default_site_name("  " + "很" * 40 + "长") == "很" * 30


def test_last_choices_are_the_users_latest_finding(session, users) -> None:
    me, other = users["field"], users["field_yunhe"]
    assert findings.last_choices(session, me) is None
    for who, types, severity, when in [(me, ["air", "noise"], "serious", T0),
                                       (me, ["water"], "severe", T0 + dt.timedelta(hours=1)),
                                       (other, ["soil"], "minor", T0 + dt.timedelta(hours=2))]:
        findings.create_finding(session, who, FindingInput(
            description="问题", pollution_types=types, severity=severity, location=Location(*YUNHE, "gps", 5.0)),
            now=when)
    session.commit()
    assert findings.last_choices(session, me) == findings.CaptureDefaults(types=["water"], severity="severe")
    assert findings.last_choices(session, other) == findings.CaptureDefaults(types=["soil"], severity="minor")
