"""Demo data for Cangzhou: fictional people, enterprises and cases, real county boundaries.

Everything is created through the same services the app uses (so statuses, audit events and
the sign-off hash chain are real and `python -m field verify` has a chain to check).
"""

from __future__ import annotations

import datetime as dt
import io
import random
import secrets
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from field import geo
from field.data.models import Case, Finding, User
from field.domain import clock
from field.domain.permissions import in_scope
from field.runtime import Runtime
from field.services import auth, signoff
from field.services.findings import FindingInput, Location, attach_photo, create_finding, store_photo

PEOPLE = [
    ("field01", "张伟", "field", ["*"]),
    ("field02", "李娜", "field", ["130902", "130903", "130921"]),
    ("field03", "王强", "field", ["130981", "130982", "130983", "130984"]),
    ("super01", "刘洋", "supervisor", ["*"]),
    ("super02", "陈静", "supervisor", ["130902", "130903", "130921", "130922"]),
    ("officer01", "杨帆", "case_officer", ["*"]),
    ("viewer01", "赵磊", "viewer", ["*"]),
]
BRANDS = ["宏达", "鑫源", "恒通", "华北", "运河", "渤海", "东方", "金盛", "永丰", "盛达"]
KINDS = [
    ("化工有限公司", ["air", "water"], "异味"), ("建材厂", ["air"], "扬尘"), ("养殖场", ["water", "soil"], "畜禽养殖"),
    ("铸造厂", ["air", "noise"], "烟尘"), ("污水处理站", ["water"], ""), ("砖厂", ["air"], "扬尘"),
    ("餐饮店", ["air"], "油烟"), ("物流园", ["noise", "air"], "扬尘"), ("塑料制品厂", ["air", "solid_waste"], "异味"),
    ("混凝土搅拌站", ["air", "noise"], "扬尘"),
]
PROBLEMS = [
    "厂区露天堆放物料未苫盖，大风天气扬尘严重。", "夜间生产噪声扰民，周边居民多次反映。",
    "雨水排口有黑色污水流入河道，气味刺鼻。", "生产车间废气未经处理直排，周边有明显异味。",
    "危险废物随意堆放在厂区空地，未按规定贮存。", "油烟净化设施未正常运行，油烟直排。",
    "养殖粪污未经处理直接排入沟渠。", "堆场裸土未覆盖，车辆进出带泥上路。",
]
STATUS_PLAN = [("pending", 60), ("rectifying", 60), ("awaiting_signoff", 45), ("public_notice", 40),
               ("closed", 60), ("unfounded", 20), ("reopened", 15)]


@dataclass
class DemoResult:
    findings: int
    passwords: dict[str, str]


def _photo(seed: int, label: str, after: bool) -> bytes:
    rnd = random.Random(seed)
    img = Image.new("RGB", (480, 360), (120 + rnd.randint(0, 60), 140 + rnd.randint(0, 60), 110))
    draw = ImageDraw.Draw(img)
    for _ in range(30):
        x, y = rnd.randint(0, 470), rnd.randint(0, 350)
        colour = (60, 160, 80) if after else (90 + rnd.randint(0, 80), 80, 60)
        draw.rectangle([x, y, x + rnd.randint(5, 60), y + rnd.randint(5, 40)], fill=colour)
    draw.text((10, 10), label, fill=(255, 255, 255))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=70)
    return buf.getvalue()


def _point_in(county: geo.County, rnd: random.Random, city: str) -> tuple[float, float]:
    boundaries = geo.load_counties(city)
    idx = boundaries.counties.index(county)
    minx, miny, maxx, maxy = boundaries.geometries[idx].bounds
    for _ in range(500):
        lon, lat = rnd.uniform(minx, maxx), rnd.uniform(miny, maxy)
        found = boundaries.county_of(lon, lat)
        if found is not None and found.adcode == county.adcode:
            return round(lon, 6), round(lat, 6)
    rp = boundaries.geometries[idx].representative_point()
    return rp.x, rp.y


def seed(rt: Runtime, *, password: str | None = None, count: int = 300, rnd_seed: int = 20240524,
         append: bool = False) -> DemoResult:
    """Create demo users, cases and `count` findings in every status. Refuses a database that
    already has findings unless `append` (used by tests that share one server)."""
    rnd = random.Random(rnd_seed)
    now = clock.now()
    passwords: dict[str, str] = {}
    # An entry point like the CLI that calls it: one unit of work per batch, so a failure
    # half-way leaves whole findings (with their photos, records and sign-offs) or none.
    with rt.uow() as s:
        if not append and s.scalar(select(func.count()).select_from(Finding)):
            raise RuntimeError("the database already has findings; seed-demo only fills an empty one")
        users: dict[str, User] = {}
        for username, name, role, scope in PEOPLE:
            existing = s.scalar(select(User).where(User.username == username))
            if existing is not None:
                users[username] = existing
                continue
            pw = password or secrets.token_urlsafe(9)
            passwords[username] = pw
            users[username] = auth.create_user(s, None, username=username, password=pw, role=role,
                                               counties=scope, display_name=name)

    counties = geo.counties(rt.settings.city_adcode)
    cases = []
    with rt.uow() as s:
        for i in range(80):
            batch = 1 + i // 8
            handed = (now - dt.timedelta(days=70 - batch * 5)).date()
            method = "D" if i % 3 else "X"
            county = counties[i % len(counties)]
            case_no = f"{method}3HB{handed:%Y%m%d}{i + 1:04d}" + ("*" if i % 9 == 0 else "")
            case = Case(case_no=case_no, batch=batch, handed_over_on=handed, receive_method=method,
                        content=rnd.choice(PROBLEMS), region_text=f"沧州市{county.name}",
                        county_adcode=county.adcode, pollution_types=["air"], pollution_text="大气",
                        key_attention=case_no.endswith("*"), deadline=handed + dt.timedelta(days=10),
                        lead_unit=f"{county.name}人民政府", responsible_unit=f"{county.name}生态环境分局",
                        responsible_person=rnd.choice(["周明", "吴刚", "郑华", "冯军"]),
                        responsible_phone=f"0317-{rnd.randint(2000000, 8999999)}")
            s.add(case)
            cases.append(case)

    plan = [status for status, n in STATUS_PLAN for _ in range(n)]
    plan = (plan * (count // len(plan) + 1))[:count]
    rnd.shuffle(plan)
    field_users = [users["field01"], users["field02"], users["field03"]]
    signers = [users["super01"], users["super02"]]
    for i, target in enumerate(plan):
        with rt.uow() as s:
            _seed_one(rt, s, i, target, counties, cases, field_users, signers, users, rnd, now)
    with rt.uow() as s:
        _seed_problems(s, users["officer01"], counties, cases, rnd, now)
    with rt.read() as s:
        total = s.scalar(select(func.count()).select_from(Finding)) or 0
    return DemoResult(findings=total, passwords=passwords)


def _seed_one(rt: Runtime, s: Session, i: int, target: str, counties: list[Any], cases: list[Case],
              field_users: list[User], signers: list[User], users: dict[str, User], rnd: random.Random,
              now: dt.datetime) -> None:
    """One demo finding, taken through the services as far as its target status."""
    county = counties[rnd.randrange(len(counties))]
    author = next((u for u in field_users if in_scope(u, county.adcode)),
                  users["field01"])
    signer = next(u for u in signers if in_scope(u, county.adcode))
    lon, lat = _point_in(county, rnd, rt.settings.city_adcode)
    brand, (kind, types, subtype) = rnd.choice(BRANDS), rnd.choice(KINDS)
    days_ago = rnd.randint(1, 60) if target in ("pending", "rectifying") else rnd.randint(35, 60)
    created = now - dt.timedelta(days=days_ago, hours=rnd.randint(0, 8))
    case = rnd.choice(cases) if i % 2 == 0 else None
    finding = create_finding(s, author, FindingInput(
        description=rnd.choice(PROBLEMS), pollution_types=types, subtype=subtype,
        severity=rnd.choice(["minor", "serious", "severe"]),
        location=Location(lon, lat, rnd.choice(["gps", "map", "typed"]), rnd.choice([5.0, 12.0, 30.0])),
        site_name=f"沧州{brand}{kind}", address=f"{county.name}{rnd.randint(1, 300)}号",
        case_id=case.id if case else None, observed_at=created,
    ), now=created)
    finding.deadline = (created + dt.timedelta(days=rnd.choice([10, 20, 30]))).date()
    finding.responsible_unit = f"{county.name}生态环境分局"
    before = store_photo(s, author, _photo(i * 2, f"#{finding.id} before", False), f"before_{i}.jpg",
                         rt.store)
    attach_photo(s, author, finding, before, "before", now=created)
    if target == "pending":
        return
    truth = "false" if target == "unfounded" else rnd.choice(["true", "mostly", "partly"])
    verified_at = created + dt.timedelta(days=1)
    after_ids: list[int] = []
    if target not in ("rectifying", "unfounded"):
        after = store_photo(s, author, _photo(i * 2 + 1, f"#{finding.id} after", True), f"after_{i}.jpg",
                            rt.store)
        after_ids = [after.id]
    record = signoff.write_verification(s, author, finding.id, signoff.VerificationInput(
        truthfulness=truth, facts="经现场核查，" + finding.description,
        measures="" if truth == "false" else "已责令企业立即整改，完成苫盖和设施修复。",
        conclusion="不属实" if truth == "false" else "已整改到位", inspectors=[author.display_name],
        lon=lon + rnd.uniform(-0.0003, 0.0003), lat=lat + rnd.uniform(-0.0003, 0.0003),
        accuracy_m=8.0, after_photo_ids=after_ids), now=verified_at)
    if target in ("rectifying", "awaiting_signoff"):
        return
    signed_at = now - dt.timedelta(days=rnd.randint(1, 3)) if target == "public_notice" \
        else verified_at + dt.timedelta(days=1)
    signoff.sign(s, signer, record.id, "同意验收" if truth != "false" else "经核实不属实，同意销号",
                 settings=rt.settings, now=signed_at)
    if target in ("closed", "reopened"):
        signoff.advance_notices(s, settings=rt.settings, now=signed_at + dt.timedelta(days=20))
    if target == "reopened":
        signoff.record_recheck(s, author, finding.id, rebound=True, facts="复查发现问题反弹，物料再次露天堆放。",
                               settings=rt.settings, now=signed_at + dt.timedelta(days=25))


PROBLEM_TITLES = [
    ("大气污染防治", "部分企业物料堆场扬尘管控不到位", ["全面排查物料堆场，落实苫盖、围挡和喷淋", "建立堆场扬尘巡查台账，每周一汇总"]),
    ("水污染防治", "城乡结合部生活污水直排问题突出", ["完成排污口溯源整治", "建设污水收集管网并接入处理厂"]),
    ("固体废物", "危险废物规范化管理存在短板", ["开展危废规范化管理专项检查", "督促企业建立危废管理台账"]),
    ("生态保护", "河道两侧违法占用问题整改滞后", ["清理河道两侧违法建筑", "建立河长巡河长效机制"]),
]


def _seed_problems(s: Session, officer: User, counties: list[Any], cases: list[Case], rnd: random.Random,
                   now: dt.datetime) -> None:
    """Feedback problems with measures in every progress state, linked to some cases, so the
    ledgers and lists have something to show."""
    from field.domain.vocab import MEASURE_PROGRESS
    from field.services import ledgers

    progress = MEASURE_PROGRESS.codes
    for i, (aspect, title, measures) in enumerate(PROBLEM_TITLES):
        county = counties[i * 3 % len(counties)]
        problem = ledgers.create_problem(s, officer, ledgers.ProblemInput(
            title=title, code=f"FK-{i + 1:02d}", aspect=aspect, target="按期完成整改并销号", round="第三轮",
            county_adcode=county.adcode, lead_unit=f"{county.name}人民政府", responsible_unit=f"{county.name}生态环境分局",
            responsible_person=rnd.choice(["周明", "吴刚", "郑华"]), responsible_phone="0317-2000000",
            deadline=(now + dt.timedelta(days=30 * (i + 1))).date(), progress_text="正在推进"))
        for j, content in enumerate(measures):
            ledgers.add_measure(s, officer, problem.id, ledgers.MeasureInput(
                content=content, seq=j + 1, responsible_unit=f"{county.name}生态环境分局",
                deadline=(now + dt.timedelta(days=20 * (j + 1))).date(), progress=progress[(i * 2 + j) % len(progress)]))
        for case in cases[i::len(PROBLEM_TITLES)][:3]:
            ledgers.link_case(s, officer, problem.id, case.id)
