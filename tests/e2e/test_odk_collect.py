"""ODK Collect against the real entry point (`streamlit run serve.py`, the st.App): the token from
`python -m field odk-url`, the form list, HEAD and a submission with a photo, next to Streamlit.
No browser is needed; the unit tests (tests/unit/test_odk_http.py) cover every case in detail."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import requests

from tests.odk_collect import instance_xml, post
from tests.photo_factory import make_jpeg

try:
    from tests.e2e import harness
except ImportError:  # pragma: no cover - depends on whether tests/ is a package
    import harness  # type: ignore[no-redef]


def test_odk_collect_configures_lists_and_submits(e2e_env: harness.E2EEnv, app_server: str) -> None:
    out = e2e_env.run_cli("odk-url", "--user", "field1", "--label", "E2E tablet", "--base-url", app_server)
    url = out.stdout.splitlines()[0]
    assert url.startswith(f"{app_server}/odk/")
    listed = requests.get(f"{url}/formList", headers={"X-OpenRosa-Version": "1.0"}, timeout=30)
    assert listed.status_code == 200 and listed.headers["X-OpenRosa-Version"] == "1.0"
    ns = "{http://openrosa.org/xforms/xformsList}"
    download = ET.fromstring(listed.content).findtext(f"{ns}xform/{ns}downloadUrl")
    assert download and requests.get(download, timeout=30).content.startswith(b"<?xml")
    head = requests.head(f"{url}/submission", timeout=30)
    assert head.status_code == 204 and int(head.headers["X-OpenRosa-Accept-Content-Length"]) > 0
    photo = make_jpeg(320, 240, gps=(116.84, 38.29), taken_at=dt.datetime(2026, 6, 1, 10), detailed=True)
    sent = post(url, instance_xml(images=("p.jpg",)), {"p.jpg": photo})
    assert sent.status_code == 201, sent.text
    assert requests.get(f"{app_server}/odk/nope/formList", timeout=30).status_code == 401
    device_id = out.stderr.split("device ", 1)[1].split(":", 1)[0]
    e2e_env.run_cli("odk-revoke", device_id, "--as", "admin1")
    assert requests.head(f"{url}/submission", timeout=30).status_code == 401
