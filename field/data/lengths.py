"""Text lengths checked against the model before the database sees them.

SQLite ignores `String(n)`; PostgreSQL enforces it. Without a check of our own, a 280-character
display name is stored on a laptop's SQLite and the backup then cannot be restored into
PostgreSQL (`StringDataRightTruncation`), and on PostgreSQL the user gets a driver error
instead of a sentence. The limit is read from the column itself, so the model stays the one
place a length is written, and the check runs on every flush of every session the app makes
(`install`), so no service that writes user text can forget it. Services that want the
refusal before doing expensive work (hashing a password) call `check_values` first.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, event, inspect
from sqlalchemy.orm import Mapper, Session, sessionmaker

from field.domain.errors import ValidationError
from field.i18n import CatalogKey


def limit(model: Any, attr: str) -> int | None:
    """The `String(n)` length of `model.attr` (a class or an instance), None if unlimited."""
    mapper: Mapper[Any] = inspect(model if isinstance(model, type) else type(model))
    column = mapper.columns.get(attr)
    if column is None or not isinstance(column.type, String):
        return None
    return column.type.length


def _refuse(attr: str, value: str, max_len: int, field: str | None) -> ValidationError:
    return ValidationError("text.too_long", field=field or attr, what=CatalogKey(f"column.{attr}"),
                           max=max_len, length=len(value))


def check_values(model: Any, *, field: str | None = None, **values: Any) -> None:
    """Raise `text.too_long` (naming the field and its limit) for the first value longer than
    its column allows; values that are not strings, or columns without a length, pass."""
    for attr, value in values.items():
        max_len = limit(model, attr)
        if isinstance(value, str) and max_len is not None and len(value) > max_len:
            raise _refuse(attr, value, max_len, field)


def check(obj: Any) -> None:
    """Check every length-limited string attribute of a mapped object."""
    state = inspect(obj)
    for column in state.mapper.columns:
        if not isinstance(column.type, String) or column.type.length is None:
            continue
        key = state.mapper.get_property_by_column(column).key
        value = state.dict.get(key)
        if isinstance(value, str) and len(value) > column.type.length:
            raise _refuse(key, value, column.type.length, None)


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    for obj in list(session.new) + list(session.dirty):
        check(obj)


def install(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    """Check lengths on every flush of sessions from `factory`."""
    if not event.contains(factory, "before_flush", _before_flush):
        event.listen(factory, "before_flush", _before_flush)
    return factory
