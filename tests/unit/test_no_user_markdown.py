"""No user markdown (attack 6): every user string a page shows goes through `ui.md`.

Streamlit renders markdown in st.write/st.markdown/st.caption, in headers and alerts, and in
the labels of expanders, tabs and buttons; a site named `![x](http://host/x.png)` made the
supervisor's browser fetch an outside image. This test reads the pages (ast, no Streamlit run)
and fails on any user field that reaches one of those calls without `md(...)` around it.
"""

from __future__ import annotations

import ast
from pathlib import Path

from field.config import PROJECT_ROOT

# Calls whose text arguments Streamlit renders as markdown.
MARKDOWN_CALLS = {
    "write", "markdown", "caption", "title", "header", "subheader", "info", "success", "warning", "error",
    "toast", "expander", "tabs", "button", "checkbox", "toggle", "radio", "metric", "popover", "page_link",
    "download_button", "form_submit_button", "link_button", "text_input", "text_area", "selectbox",
    "multiselect", "number_input", "file_uploader", "status",
}
# Attribute / key names that hold what people typed (or imported from published tables).
USER_FIELDS = {
    "name", "display_name", "username", "address", "description", "subtype", "responsible_unit", "lead_unit",
    "coop_unit", "responsible_person", "responsible_phone", "opinion", "facts", "measures", "accountability",
    "conclusion", "content", "original_name", "reason", "title", "target", "remarks", "handling",
    "region_text", "pollution_text", "closure_target", "category", "handler", "progress_text", "effect",
    "case_no", "site_name", "actor_name", "device", "aspect", "code", "round", "truthfulness_text",
    "filename", "label_text",
}
# Local variables that, by the pages' naming, hold such a field.
USER_NAMES = {"name", "description", "address", "opinion", "reason", "who", "site_name", "display_name",
              "username", "content", "created_name", "filename"}
SAFE_WRAPPERS = {"md"}


def _field_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
        return node.slice.value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" \
            and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
        return node.args[0].value
    return None


def _raw_user_fields(node: ast.AST) -> list[str]:
    """User fields inside `node` that are not under a safe wrapper call."""
    found: list[str] = []

    def visit(n: ast.AST) -> None:
        if isinstance(n, ast.Call):
            func = n.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name in SAFE_WRAPPERS or name in {"len", "int", "float", "bool", "error_text"}:
                return
            if name in {"t", "label"}:  # the catalog sentence is ours; its parameters may not be
                for kw in n.keywords:
                    visit(kw.value)
                return
        field = n.id if isinstance(n, ast.Name) and n.id in USER_NAMES else _field_name(n)
        if field in USER_FIELDS:
            found.append(field)
            return
        for child in ast.iter_child_nodes(n):
            visit(child)

    visit(node)
    return found


def _is_streamlit_call(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in MARKDOWN_CALLS:
        return func.attr
    return None


def scan(source: str, filename: str) -> list[str]:
    problems: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.Call):
            continue
        call = _is_streamlit_call(node)
        if call is None:
            continue
        text_args = list(node.args[:1]) if call not in {"write", "tabs"} else list(node.args)
        text_args += [k.value for k in node.keywords if k.arg in {"label", "body", "help"}]
        for arg in text_args:
            for field in _raw_user_fields(arg):
                problems.append((node.lineno, f"{filename}:{node.lineno}: st.{call}(… {field} …) without md()"))
    return [p for _line, p in sorted(problems)]


def _page_files() -> list[Path]:
    return sorted([*(PROJECT_ROOT / "pages").glob("*.py"), PROJECT_ROOT / "app.py", *(PROJECT_ROOT / "ui").glob("*.py")])


def test_pages_pass_no_user_field_raw_to_markdown() -> None:
    problems = [p for path in _page_files() for p in scan(path.read_text(encoding="utf-8"), path.name)]
    assert problems == []


def test_the_scanner_catches_the_attack() -> None:
    bad = (
        "with st.expander(f'{f.site.name} — {f.status}'):\n"
        "    st.write(f.description)\n"
        "st.caption(row['address'])\n"
        "st.markdown(f'**{md(f.site.name)}** {len(x.name)}')\n"
    )
    assert scan(bad, "x.py") == [
        "x.py:1: st.expander(… name …) without md()",
        "x.py:2: st.write(… description …) without md()",
        "x.py:3: st.caption(… address …) without md()",
    ]


def test_the_escaping_helper_defuses_the_payload() -> None:
    import re

    import ui

    escaped = ui.md("![x](http://host/x.png) **bold** <img src=x>")
    assert not re.search(r"(?<!\\)!(?<!\\)\[", escaped) and "\\*\\*bold\\*\\*" in escaped and "\\<img" in escaped
