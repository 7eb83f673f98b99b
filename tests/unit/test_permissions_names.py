"""Every permission has a name people read, so a refusal never shows a code like "case.import"."""

from __future__ import annotations

import pytest

from field import i18n
from field.data.models import User
from field.domain.errors import PermissionDenied
from field.domain.permissions import ACTIONS, require, role_refusal
from field.domain.vocab import ACTION_NAMES


def test_every_action_has_both_names() -> None:
    assert set(ACTIONS) == set(ACTION_NAMES.codes)
    for code in ACTIONS:
        assert ACTION_NAMES.label(code, "zh") != code and ACTION_NAMES.label(code, "en") != code


@pytest.mark.parametrize("lang,name", [("zh", "导入交办件"), ("en", "import case batches")])
def test_refusal_names_the_deed_in_the_users_language(lang: str, name: str) -> None:
    viewer = User(username="v", role="viewer", is_active=True)
    with pytest.raises(PermissionDenied) as refused:
        require(viewer, "case.import", check_county=False)
    text = i18n.error_text(refused.value, lang)
    assert name in text and "case.import" not in text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_page_says_the_same_refusal_the_service_raises(lang: str) -> None:
    """Pages tell a role up front what it may not do; the sentence is the service's own."""
    viewer = User(username="v", role="viewer", is_active=True)
    for action in ("case.import", "plan.import", "signoff.sign"):
        with pytest.raises(PermissionDenied) as refused:
            require(viewer, action, check_county=False)
        assert i18n.error_text(role_refusal(action, "viewer"), lang) == i18n.error_text(refused.value, lang)
