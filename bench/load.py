"""Bounded load through HAProxy on N app replicas (issue #16, item 6): prints one JSON line.

    python bench/load.py --sessions 20 --seconds 60          # FIELD_TEST_POSTGRES_URL: the database
    python bench/load.py --sessions 50 --seconds 120 --browsers 2

Starts its own cluster with `scripts/cluster.sh` (replicas and HAProxy on free ports, a fresh
schema of the PostgreSQL database, a shared photo folder), creates one field user per session,
then measures:

* **single_p95_s / single_browser_p95_s** — the standard to compare with: one session alone doing
  the same operations (an HTTP client, then a browser);
* **the load** — `--sessions` concurrent sessions for `--seconds`, each in a loop with
  `--think` seconds between operations. `--browsers` of them are real Chromium contexts
  (log in through the login form, open the map page, then record findings with a photo on the
  capture page, each submit timed until "已记录问题 #n" shows); the rest are light HTTP clients
  on the app's own routes: `POST /auth/login` (the real argon2 check and session cookie), then
  OpenRosa submissions with a photo as ODK Collect sends them (`/odk/<token>/submission`),
  every fifth one sent twice the way Collect resends when an answer is lost;
* **lost / doubled** — counted in the database afterwards: an acknowledged submission without
  its finding is lost, a submission (or browser finding) with more than one finding is doubled;
* **rss_mb** — the replicas' peak resident memory (all their processes, sampled every 0.5 s);
* **argon2** — `--logins` simultaneous logins (released together by a barrier) against one
  replica: the replica's peak RSS over its RSS before, with `auth.HASH_SLOTS` bounding how many
  argon2 checks (64 MiB each) run at once.

Latencies are per operation, kept per kind: the HTTP clients' (login, OpenRosa submission) give
`p50_s`, `p95_s` and, against one HTTP session alone, `ratio_p95` (target at 20 sessions: at most
3); the browsers' (login, map open, capture submit) give `browser_p95_s` and, against one browser
session alone, `ratio_browser_p95`. One mix against the other would compare a 2 s page submit with
a 0.1 s post.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e import harness  # noqa: E402
from tests.odk_collect import instance_xml  # noqa: E402
from tests.photo_factory import make_jpeg  # noqa: E402

YUNHE = (116.84, 38.29)
PASSWORD = "Load-bench-" + uuid.uuid4().hex[:12]


@dataclass
class Stats:
    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: list[float] = field(default_factory=list)  # the light HTTP clients' operations
    browser_latencies: list[float] = field(default_factory=list)  # the Chromium sessions' operations
    errors: list[str] = field(default_factory=list)
    acked: list[str] = field(default_factory=list)       # ODK instance ids answered 201
    browser_done: list[str] = field(default_factory=list)  # descriptions the browser saw recorded

    def took(self, seconds: float, browser: bool = False) -> None:
        with self.lock:
            (self.browser_latencies if browser else self.latencies).append(seconds)

    def error(self, what: str) -> None:
        with self.lock:
            self.errors.append(what[:300])


# --------------------------------------------------------------------------- the cluster


class Cluster:
    def __init__(self, pg_url: str, replicas: int, work: Path) -> None:
        self.schema = "load_" + uuid.uuid4().hex[:10]
        self.admin = create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://"),
                                   isolation_level="AUTOCOMMIT")
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{self.schema}"'))
        self.db_url = f"{pg_url}{'&' if '?' in pg_url else '?'}options=-csearch_path%3D{self.schema}"
        ports = [harness.free_port() for _ in range(replicas + 1)]
        self.url = f"http://127.0.0.1:{ports[0]}"
        self.replica_urls = [f"http://127.0.0.1:{p}" for p in ports[1:]]
        self.state = work / "state"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("FIELD_", "CLUSTER_"))}
        self.env.update({
            "FIELD_DATABASE_URL": self.db_url, "FIELD_DATA_DIR": str(work / "data"),
            "FIELD_SECRETS_FILE": str(work / "none.toml"), "FIELD_TILES": "none",
            "FIELD_VENV": str(Path(sys.executable).parent.parent), "CLUSTER_DIR": str(self.state),
            "CLUSTER_PORT": str(ports[0]), "CLUSTER_APP_PORTS": " ".join(map(str, ports[1:])),
        })

    def script(self, command: str) -> None:
        proc = subprocess.run(["bash", str(ROOT / "scripts" / "cluster.sh"), command], env=self.env, cwd=ROOT,
                              capture_output=True, text=True, timeout=600)
        if proc.returncode != 0:
            raise RuntimeError(f"cluster.sh {command}: {proc.stdout}{proc.stderr}")

    def pids(self) -> list[int]:
        return [int(p.read_text()) for p in sorted(self.state.glob("app*.pid"))]

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.script("stop")
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{self.schema}" CASCADE'))
        self.admin.dispose()


def _group_rss_kib(pgid: int) -> int:
    """Resident memory of every process in a process group (a replica and its children)."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as fh:
                stat = fh.read().rsplit(")", 1)[1].split()
            if int(stat[2]) != pgid:  # field 5 of /proc/pid/stat: the process group
                continue
            with open(f"/proc/{entry.name}/status") as fh:
                total += next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:"))
        except (OSError, StopIteration, IndexError, ValueError):
            continue
    return total


class RssSampler(threading.Thread):
    """Peak RSS (MiB) of the given process groups, summed, sampled every 0.5 s until stopped."""

    def __init__(self, pgids: list[int]) -> None:
        super().__init__(daemon=True)
        self.pgids, self.peak, self.stopped = pgids, 0.0, threading.Event()

    def run(self) -> None:
        while True:
            self.peak = max(self.peak, sum(_group_rss_kib(p) for p in self.pgids) / 1024)
            if self.stopped.wait(0.5):
                return

    def stop(self) -> float:
        self.stopped.set()
        self.join()
        self.peak = max(self.peak, sum(_group_rss_kib(p) for p in self.pgids) / 1024)
        return round(self.peak, 1)


# --------------------------------------------------------------------------- set-up


def seed(cluster: Cluster, users: int) -> dict[str, str]:
    """One field user per session (argon2 hashes, as the app checks them) and an ODK token each."""
    from field.config import load_settings
    from field.odk import devices
    from field.runtime import open_runtime
    from field.services import auth

    os.environ.update({"FIELD_DATABASE_URL": cluster.db_url, "FIELD_DATA_DIR": cluster.env["FIELD_DATA_DIR"],
                       "FIELD_SECRETS_FILE": cluster.env["FIELD_SECRETS_FILE"]})
    rt = open_runtime(load_settings())
    tokens: dict[str, str] = {}
    with rt.uow() as s:
        for i in range(users):
            user = auth.create_user(s, None, username=f"load{i:03d}", password=PASSWORD, role="field",
                                    display_name=f"压测{i}")
            s.flush()
            tokens[user.username] = devices.issue(s, user, user, "load").token
    rt.engine.dispose()
    return tokens


# --------------------------------------------------------------------------- clients


def http_login(base: str, username: str, stats: Stats) -> requests.Session | None:
    client = requests.Session()
    t = time.monotonic()
    try:
        r = client.post(f"{base}/auth/login", data={"username": username, "password": PASSWORD, "next": "/"},
                        headers={"Origin": base}, allow_redirects=False, timeout=60)
    except requests.RequestException as exc:
        stats.error(f"login {username}: {exc!r}")
        return None
    stats.took(time.monotonic() - t)
    if r.status_code != 303 or "field_session" not in client.cookies:
        stats.error(f"login {username}: HTTP {r.status_code} {r.headers.get('location', '')}")
        return None
    return client


def odk_submit(client: requests.Session, base: str, token: str, stats: Stats, n: int, *, resend: bool) -> None:
    iid = f"uuid:{uuid.uuid4()}"
    photo = make_jpeg(480, 360, gps=YUNHE, taken_at=dt.datetime.now(), seed=n)
    xml = instance_xml(instance_id=iid, images=("p.jpg",), description=f"压测 {iid}", site_name=f"压测点位{n}")
    parts = [("xml_submission_file", ("submission.xml", xml, "text/xml")), ("p.jpg", ("p.jpg", photo, "image/jpeg"))]
    for attempt in range(2 if resend else 1):
        t = time.monotonic()
        try:
            r = client.post(f"{base}/odk/{token}/submission", files=parts, timeout=60,
                            headers={"X-OpenRosa-Version": "1.0"})
        except requests.RequestException as exc:
            stats.error(f"submission {iid}: {exc!r}")
            return
        stats.took(time.monotonic() - t)
        if r.status_code not in (200, 201, 202):
            stats.error(f"submission {iid} (attempt {attempt + 1}): HTTP {r.status_code} {r.text[:120]}")
            return
    with stats.lock:
        stats.acked.append(iid)


def http_session(base: str, username: str, token: str, stats: Stats, until: float, think: float) -> None:
    client = http_login(base, username, stats)
    n = 0
    while client is not None and time.monotonic() < until:
        n += 1
        odk_submit(client, base, token, stats, n, resend=n % 5 == 0)
        time.sleep(think)  # a user's pause between forms: this is the load's pacing, not a wait


def browser_session(base: str, username: str, stats: Stats, until: float, think: float, work: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    chromium = harness.find_chromium()
    if chromium is None:
        stats.error("no chromium")
        return
    photo = work / f"{username}.jpg"
    photo.write_bytes(make_jpeg(640, 480, gps=YUNHE, taken_at=dt.datetime.now()))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=harness.CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN", base_url=base,
                                          timezone_id="Asia/Shanghai")
            context.set_default_timeout(60_000)
            context.grant_permissions(["geolocation"])
            context.set_geolocation({"longitude": YUNHE[0], "latitude": YUNHE[1], "accuracy": 10})
            guard = harness.NetworkGuard(context)
            page = context.new_page()
            harness.goto_app(page, "/", timeout=60_000)
            t = time.monotonic()
            harness.login(page, username, PASSWORD, timeout=60_000)
            stats.took(time.monotonic() - t, browser=True)
            t = time.monotonic()
            harness.goto_app(page, "/map", timeout=60_000)
            page.frame_locator('iframe[title="streamlit_folium.st_folium"]').locator(".leaflet-container").wait_for()
            stats.took(time.monotonic() - t, browser=True)
            n = 0
            while time.monotonic() < until:
                n += 1
                description = f"浏览器压测 {username} #{n}"
                harness.goto_app(page, "/", timeout=60_000)
                expect(page.get_by_text(re.compile(r"位置：116\.84"))).to_be_visible(timeout=60_000)
                harness.wait_for_app(page, 60_000)
                # the site name is on the full path, under 更多信息 (closed unless the user opened it)
                more = page.locator('[data-testid="stExpander"] details').filter(has_text="更多信息").first
                if more.get_attribute("open") is None:
                    more.locator("summary").click()
                for label, value, key in (("点位/企业名称", f"压测厂{n}", "Enter"), ("问题描述", description, "Control+Enter")):
                    box = page.get_by_label(label, exact=True)
                    with harness.expect_rerun(page, 60_000):
                        box.fill(value)
                        box.press(key)
                air = page.get_by_role("button", name="大气", exact=True)
                if page.get_by_role("button", name="大气", exact=True, pressed=True).count() == 0:  # kept from last time
                    with harness.expect_rerun(page, 60_000):
                        air.click()
                with harness.expect_rerun(page, 60_000):
                    page.locator('input[type="file"]').first.set_input_files([str(photo)])
                t = time.monotonic()
                page.get_by_role("button", name="提交问题").click()
                page.wait_for_function("() => /已记录问题 #\\d+/.test(document.body.innerText)", timeout=60_000)
                stats.took(time.monotonic() - t, browser=True)
                with stats.lock:
                    stats.browser_done.append(description)
                harness.wait_for_app(page, 60_000)
                time.sleep(think)  # pacing, as above
            if guard.report():
                stats.error(guard.report() or "")
        except Exception as exc:  # noqa: BLE001 - counted, the run goes on
            stats.error(f"browser {username}: {type(exc).__name__}: {str(exc)[:200]}")
        finally:
            browser.close()


def run_sessions(base: str, names: list[str], tokens: dict[str, str], browsers: int, seconds: float, think: float,
                 work: Path) -> Stats:
    stats = Stats()
    until = time.monotonic() + seconds
    threads = []
    for i, name in enumerate(names):
        if i < browsers:
            target, args = browser_session, (base, name, stats, until, think, work)
        else:
            target, args = http_session, (base, name, tokens[name], stats, until, think)  # type: ignore[assignment]
        threads.append(threading.Thread(target=target, args=args, daemon=True))
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 300)
    return stats


def login_burst(base: str, names: list[str]) -> tuple[int, list[float]]:
    """All logins released at one instant; returns (failures, latencies)."""
    barrier = threading.Barrier(len(names))
    stats = Stats()

    def one(name: str) -> None:
        barrier.wait()
        http_login(base, name, stats)

    threads = [threading.Thread(target=one, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(stats.errors), stats.latencies


def count_db(db_url: str, acked: list[str], browser_done: list[str]) -> tuple[int, int, int]:
    """(submissions, lost, doubled) as the database has them."""
    engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            by_desc = dict(conn.execute(text("SELECT description, count(*) FROM findings GROUP BY description")).all())
            subs = {r[0]: r[1] for r in conn.execute(text(
                "SELECT instance_id, finding_id FROM odk_submissions WHERE state = 'accepted'"))}
    finally:
        engine.dispose()
    lost = sum(1 for iid in acked if subs.get(iid) is None)
    lost += sum(1 for d in browser_done if by_desc.get(d, 0) == 0)
    doubled = sum(1 for iid in acked if by_desc.get(f"压测 {iid}", 0) > 1)
    doubled += sum(1 for d in browser_done if by_desc.get(d, 0) > 1)
    return len(acked) + len(browser_done), lost, doubled


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None  # JSON null (NaN is not JSON)
    if len(values) == 1:
        return round(values[0], 3)
    return round(statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1], 3)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sessions", type=int, default=20)
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--browsers", type=int, default=2, help="how many of the sessions are real Chromium contexts")
    p.add_argument("--replicas", type=int, default=2)
    p.add_argument("--think", type=float, default=1.0, help="seconds a session pauses between operations")
    p.add_argument("--logins", type=int, default=50, help="simultaneous logins for the argon2 memory check")
    p.add_argument("--single-seconds", type=float, default=20, help="length of the one-session baseline")
    p.add_argument("--pg-url", default=os.environ.get("FIELD_TEST_POSTGRES_URL", ""))
    args = p.parse_args()
    if not args.pg_url:
        p.error("a PostgreSQL URL is needed: --pg-url or FIELD_TEST_POSTGRES_URL")
    work = Path(tempfile.mkdtemp(prefix="field-load-"))
    cluster = Cluster(args.pg_url, args.replicas, work)
    try:
        cluster.script("start")
        users = max(args.sessions, args.logins)
        tokens = seed(cluster, users)
        names = sorted(tokens)

        # argon2 under simultaneous logins, on one replica (its own port: the worst case)
        pgid = cluster.pids()[0]
        before = _group_rss_kib(pgid) / 1024
        sampler = RssSampler([pgid])
        sampler.start()
        burst_failures, burst_lat = login_burst(cluster.replica_urls[0], names[: args.logins])
        burst_peak = sampler.stop()

        # the standard: one session alone, of each kind (a browser's operations take longer than
        # an OpenRosa post, so each kind under load is compared with its own kind alone)
        single = run_sessions(cluster.url, names[-1:], tokens, 0, args.single_seconds, args.think, work)
        single_browser = (run_sessions(cluster.url, names[-2:-1], tokens, 1, args.single_seconds, args.think, work)
                          if args.browsers else Stats())
        sampler = RssSampler(cluster.pids())
        sampler.start()
        t0 = time.monotonic()
        load = run_sessions(cluster.url, names[: args.sessions], tokens, args.browsers, args.seconds, args.think, work)
        elapsed = time.monotonic() - t0
        rss = sampler.stop()
        submissions, lost, doubled = count_db(cluster.db_url, load.acked, load.browser_done)
        single_p95 = pct(single.latencies, 95)
        p95 = pct(load.latencies, 95)
        single_browser_p95 = pct(single_browser.browser_latencies, 95)
        browser_p95 = pct(load.browser_latencies, 95)
        from field.services import auth

        print(json.dumps({
            "bench": "argon2_logins", "logins": args.logins, "failures": burst_failures,
            "hash_slots": auth.HASH_SLOTS, "memory_cost_mib": 64, "rss_before_mb": round(before, 1),
            "rss_peak_mb": burst_peak, "rss_growth_mb": round(burst_peak - before, 1),
            "unbounded_worst_mb": 40 * 64, "p95_s": pct(burst_lat, 95)}))
        print(json.dumps({
            "bench": "load", "sessions": args.sessions, "browsers": args.browsers,
            "http_clients": args.sessions - args.browsers, "replicas": args.replicas,
            "seconds": round(elapsed, 1), "submissions": submissions, "errors": len(load.errors) + len(single.errors) + len(single_browser.errors),
            "lost": lost, "doubled": doubled, "p50_s": pct(load.latencies, 50), "p95_s": p95,
            "single_p95_s": single_p95, "ratio_p95": round(p95 / single_p95, 2) if p95 and single_p95 else None,
            "browser_p95_s": browser_p95, "single_browser_p95_s": single_browser_p95,
            "ratio_browser_p95": round(browser_p95 / single_browser_p95, 2) if browser_p95 and single_browser_p95 else None,
            "rss_mb": rss}))
        for e in (load.errors + single.errors + single_browser.errors)[:10]:
            print("error:", e, file=sys.stderr)
        return 0
    finally:
        cluster.close()


if __name__ == "__main__":
    raise SystemExit(main())
