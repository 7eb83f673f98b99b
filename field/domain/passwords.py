"""Which passwords are refused, and why.

A length rule alone lets "aaaaaaaa", "12345678" and "password" through, and those are the
first an attacker tries. `zxcvbn` (Dropbox's estimator, maintained on PyPI) scores a password
against frequency lists of leaked passwords, names and words, and against keyboard walks,
repeats, sequences and dates; we refuse what it rates as guessable within minutes to hours
(score 0 or 1) and say why in the user's language. The username and display name are passed
as user inputs, so "zhangwei2024" is weak for 张伟's account named zhangwei.
"""

from __future__ import annotations

from collections.abc import Iterable

from zxcvbn import zxcvbn

from field.domain.errors import ValidationError

MIN_LENGTH = 8
MIN_SCORE = 2  # zxcvbn 0..4: 0-1 fall to online guessing; 2 needs an offline attack


def check(password: str, *, user_inputs: Iterable[str] = (), field: str = "password") -> None:
    """Raise ValidationError with a reason key, or return when the password may be used."""
    if len(password) < MIN_LENGTH:
        raise ValidationError("auth.password_short", field=field, min=MIN_LENGTH)
    if len(set(password)) <= 2:
        raise ValidationError("auth.password_repeated", field=field)
    # zxcvbn is quadratic in length; past 64 characters a password is not guessable anyway.
    result = zxcvbn(password[:64], user_inputs=[u for u in user_inputs if u])
    if result["score"] < MIN_SCORE:
        warning = (result.get("feedback") or {}).get("warning") or ""
        if "common" in warning.lower() or "similar" in warning.lower():
            raise ValidationError("auth.password_common", field=field)
        if "repeat" in warning.lower() or "sequence" in warning.lower() or "keyboard" in warning.lower():
            raise ValidationError("auth.password_repeated", field=field)
        raise ValidationError("auth.password_weak", field=field)
