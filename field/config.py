"""Settings, read from the environment first and then from `.streamlit/secrets.toml`.

Deployments on a government intranet are configured by whoever runs the server, often with
nothing but environment variables; Streamlit users expect `secrets.toml`. Both work, and the
environment wins so that CI and tests can override a developer's file.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# name -> default; every setting is a string in the environment.
_DEFAULTS: dict[str, str] = {
    "FIELD_DATABASE_URL": "sqlite:///data/field.db",
    "FIELD_DATA_DIR": "./data",
    "FIELD_CITY_ADCODE": "130900",
    # Map tiles: none | osm | tianditu | custom | amap
    "FIELD_TILES": "none",
    "FIELD_TILE_URL": "",
    "FIELD_TIANDITU_KEY": "",
    "FIELD_TILE_ATTRIBUTION": "",
    "FIELD_MAP_REVIEW_NUMBER": "",  # 审图号 shown under the map
    "FIELD_PUBLIC_NOTICE_DAYS": "10",
    "FIELD_HOLIDAYS": "",  # comma-separated ISO dates skipped by 公示 counting
    "FIELD_RECHECK_DAYS": "90",
    "FIELD_FEEDBACK_DAYS": "10",
    "FIELD_DEFAULT_LANG": "zh",
    "FIELD_PDF_FONT": "",  # CJK font for the PDF sheets: "path" or "path#index" ("" = packaged/system)
    # The inspection (round/team/province) imported cases belong to, e.g. "中央第三生态环境保护督察组":
    # a 受理编号 identifies a case within it. "" = read from each table's title, or asked.
    "FIELD_INSPECTION": "",
}


def _secrets_file() -> Path:
    return Path(os.environ.get("FIELD_SECRETS_FILE", PROJECT_ROOT / ".streamlit" / "secrets.toml"))


def _read_secrets() -> dict[str, str]:
    path = _secrets_file()
    if not path.is_file():
        return {}
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    # accept FIELD_DATABASE_URL = "..." at top level, or [field] database_url = "..."
    out = {k: str(v) for k, v in data.items() if isinstance(k, str) and k.startswith("FIELD_")}
    section = data.get("field")
    if isinstance(section, dict):
        for k, v in section.items():
            out.setdefault("FIELD_" + k.upper(), str(v))
    return out


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    city_adcode: str
    tiles: str
    tile_url: str
    tianditu_key: str
    tile_attribution: str
    map_review_number: str
    public_notice_days: int
    holidays: tuple[str, ...]
    recheck_days: int
    feedback_days: int
    default_lang: str
    pdf_font: str = ""
    inspection: str = ""
    sources: dict[str, str] = field(default_factory=dict)  # setting -> env | secrets | default

    @property
    def photo_dir(self) -> Path:
        return self.data_dir / "photos"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _resolve_path(value: str) -> Path:
    p = Path(value).expanduser()
    return p if p.is_absolute() else (Path.cwd() / p)


def _sqlite_url_absolute(url: str) -> str:
    """Make a relative sqlite path absolute against the working directory, so the CLI and the
    app agree on the same file whichever directory they are started from."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
        return prefix + str(_resolve_path(url[len(prefix):]))
    return url


def load_settings() -> Settings:
    secrets = _read_secrets()
    values: dict[str, str] = {}
    sources: dict[str, str] = {}
    for name, default in _DEFAULTS.items():
        if os.environ.get(name):
            values[name], sources[name] = os.environ[name], "env"
        elif secrets.get(name):
            values[name], sources[name] = secrets[name], "secrets"
        else:
            values[name], sources[name] = default, "default"
    return Settings(
        database_url=_sqlite_url_absolute(values["FIELD_DATABASE_URL"]),
        data_dir=_resolve_path(values["FIELD_DATA_DIR"]),
        city_adcode=values["FIELD_CITY_ADCODE"],
        tiles=values["FIELD_TILES"].lower(),
        tile_url=values["FIELD_TILE_URL"],
        tianditu_key=values["FIELD_TIANDITU_KEY"],
        tile_attribution=values["FIELD_TILE_ATTRIBUTION"],
        map_review_number=values["FIELD_MAP_REVIEW_NUMBER"],
        public_notice_days=int(values["FIELD_PUBLIC_NOTICE_DAYS"]),
        holidays=tuple(d.strip() for d in values["FIELD_HOLIDAYS"].split(",") if d.strip()),
        recheck_days=int(values["FIELD_RECHECK_DAYS"]),
        feedback_days=int(values["FIELD_FEEDBACK_DAYS"]),
        default_lang=values["FIELD_DEFAULT_LANG"],
        pdf_font=values["FIELD_PDF_FONT"],
        inspection=values["FIELD_INSPECTION"].strip(),
        sources=sources,
    )
