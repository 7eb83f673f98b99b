"""The one message catalog: every file loaded, no key twice, both languages, every raised key known."""

from __future__ import annotations

import ast
import pkgutil
import re
from pathlib import Path

import field
from field import i18n

FIELD_DIR = Path(field.__file__).resolve().parent


def test_every_catalog_file_is_loaded() -> None:
    files = {m.name for m in pkgutil.iter_modules([str(FIELD_DIR / "i18n")])}
    loaded = {m.__name__.rsplit(".", 1)[1] for m in i18n.SOURCES}
    assert files == loaded


def test_no_key_is_defined_twice() -> None:
    assert i18n.duplicate_keys() == {}


def test_every_entry_has_zh_and_en_with_the_same_parameters() -> None:
    bad = []
    for key, entry in i18n.catalog().items():
        if set(entry) != {"zh", "en"} or not entry["zh"].strip() or not entry["en"].strip():
            bad.append((key, "languages"))
            continue
        zh, en = (set(re.findall(r"\{(\w+)\}", entry[lang])) for lang in ("zh", "en"))
        if zh != en:
            bad.append((key, f"params zh={sorted(zh)} en={sorted(en)}"))
    assert bad == []


def _raised_keys() -> set[str]:
    """Literal keys passed to FieldError (and its subclasses) or used as an i18n.CatalogKey anywhere in field/."""
    errors = {"FieldError", "PermissionDenied", "ValidationError", "ConflictError", "RecordedRefusal",
              "GeoError", "CoordinateError", "BoundaryDataError", "CatalogKey"}
    keys: set[str] = set()
    for path in FIELD_DIR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in errors
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                keys.add(node.args[0].value)
    return keys


def test_every_raised_key_has_a_message() -> None:
    keys = _raised_keys()
    assert len(keys) > 30  # the scan really found the services' refusals
    assert sorted(k for k in keys if k not in i18n.catalog()) == []
