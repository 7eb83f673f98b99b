"""Password policy: the passwords attackers try first are refused with a reason key."""

from __future__ import annotations

import pytest

from field.domain import passwords
from field.domain.errors import ValidationError


@pytest.mark.parametrize(("password", "key"), [
    ("aaaaaaaa", "auth.password_repeated"),
    ("abababab", "auth.password_repeated"),
    ("12345678", "auth.password_common"),
    ("password", "auth.password_common"),
    ("qwertyuiop", "auth.password_common"),
    ("short", "auth.password_short"),
])
def test_guessable_passwords_are_refused_with_a_reason(password: str, key: str) -> None:
    with pytest.raises(ValidationError) as exc:
        passwords.check(password)
    assert exc.value.key == key and exc.value.field == "password"


def test_the_username_counts_against_the_password() -> None:
    passwords.check("zhangwei1985")  # not weak on its own ...
    with pytest.raises(ValidationError):
        passwords.check("zhangwei1985", user_inputs=["zhangwei1985"])  # ... but it is zhangwei's name


@pytest.mark.parametrize("password", ["correct horse battery", "long enough pw", "Cangzhou-Xinhua-7", "x" * 3 + "y7#Lq9Zt" * 20])
def test_reasonable_passwords_pass(password: str) -> None:
    passwords.check(password)
