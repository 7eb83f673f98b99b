"""The real entry point (`streamlit run serve.py`, st.App) serves our /healthz next to Streamlit.

The other E2E tests already wait on /healthz = 200; this one starts a second server whose
database is unreachable and expects 503, while Streamlit's own health still says "ok" — the
difference the route exists for. No browser is needed.
"""

from __future__ import annotations

import urllib.request
from pathlib import Path

try:
    from tests.e2e import harness
except ImportError:  # pragma: no cover - depends on whether tests/ is a package
    import harness  # type: ignore[no-redef]


def test_server_with_its_database_down_answers_503(e2e_env: harness.E2EEnv, tmp_path: Path) -> None:
    env = {**e2e_env.env, "FIELD_DATABASE_URL": "postgresql+psycopg://u:secret@127.0.0.1:1/nope"}
    down = harness.E2EEnv(root=tmp_path, app_root=e2e_env.app_root, db_url=env["FIELD_DATABASE_URL"],
                          data_dir=tmp_path / "data", env=env)
    server = harness.AppServer(down, tmp_path / "streamlit.log")
    try:
        server.start(expect_status=503)
        assert server.health["db"] == "unavailable" and "FIELD_DATABASE_URL" in str(server.health["error"])
        with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=5) as resp:  # noqa: S310 - local
            assert resp.read().decode().strip() == "ok"
        assert "health check failed" in server.log_tail()
    finally:
        server.stop()
