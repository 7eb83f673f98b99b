"""The one error type the UI knows how to show.

Services raise `FieldError(key, **params)`; the page turns the key into a sentence in the
user's language through `field.i18n`. Keeping the key stable (not the sentence) lets tests
assert *which* refusal happened without depending on wording.
"""

from __future__ import annotations

from typing import Any


class FieldError(Exception):
    def __init__(self, key: str, field: str | None = None, **params: Any):
        self.key = key
        self.field = field  # the form field the message belongs next to, if any
        self.params = params
        super().__init__(f"{key} {params}" if params else key)


class PermissionDenied(FieldError):
    """The actor's role or county scope does not allow the action."""


class ValidationError(FieldError):
    """The input cannot be accepted as given."""


class ConflictError(FieldError):
    """Somebody else changed the record first (optimistic locking) or the move is not allowed now."""


class RecordedRefusal(FieldError):
    """Refused, but what the service wrote about the refusal must be kept (a failed-login count,
    a lock-out): the unit of work commits before re-raising. See `field.data.uow`."""
