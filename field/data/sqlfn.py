"""Two SQL expressions SQLite and PostgreSQL spell differently, so counting stays in the database.

- `local_date(col)`: the China calendar day of a UTC timestamp column. China keeps one fixed
  offset (UTC+8, `clock.CHINA_TZ`), so it is the UTC value plus eight hours, cut to a date:
  `date(col, '+8 hours')` on SQLite (timestamps are stored as UTC text), and
  `CAST((col AT TIME ZONE 'UTC') + INTERVAL '8 hours' AS DATE)` on PostgreSQL (timestamptz).
- `json_elements(dialect, col)`: the strings of a JSON array column as a table joined per row
  (`json_each` on SQLite, `json_array_elements_text` on PostgreSQL), for GROUP BY over lists
  such as `pollution_types`. A value that is not an array (JSON null) gives no rows on both.

Without them the report figures decoded every row's JSON and timestamp in Python, which was
most of their cost on 10,000 findings.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Date, case, cast, func, literal, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from field.domain import clock

_OFFSET_HOURS = int(clock.CHINA_TZ.utcoffset(None).total_seconds() // 3600)


class local_date(FunctionElement[Any]):  # noqa: N801  (reads like the SQL function it stands for)
    """The China calendar day of a UTC timestamp column, as a DATE."""

    type = Date()
    inherit_cache = True
    name = "local_date"


@compiles(local_date, "sqlite")
def _local_date_sqlite(element: local_date, compiler: Any, **kw: Any) -> str:
    (col,) = list(element.clauses)
    return f"date({compiler.process(col, **kw)}, '+{_OFFSET_HOURS} hours')"


@compiles(local_date)
def _local_date_pg(element: local_date, compiler: Any, **kw: Any) -> str:
    (col,) = list(element.clauses)
    return f"CAST(({compiler.process(col, **kw)} AT TIME ZONE 'UTC') + INTERVAL '{_OFFSET_HOURS} hours' AS DATE)"


def json_elements(dialect: str, col: Any) -> Any:
    """A lateral table with one `value` row per string of the JSON array in `col`."""
    if dialect == "sqlite":
        arr = case((func.json_type(col) == "array", col), else_=literal("[]"))
        return func.json_each(arr).table_valued("value")  # SQLite joins table functions laterally
    arr = case((func.json_typeof(col) == "array", col), else_=cast(literal("[]"), col.type))
    return func.json_array_elements_text(arr).table_valued("value").lateral()


ON = true()  # the join condition of a lateral element table: every element belongs to its row
