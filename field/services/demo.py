"""Demo data for Cangzhou: fictional people, enterprises and cases, real county boundaries.

Built in bulk in one unit of work (a start with demo data takes seconds, not minutes), with what
the services would leave: statuses from the state machine, records and sign-offs hashed,
chained and signed (`python -m field verify` has a real chain to check), photos derived and
flagged as uploads are, users and the plan import through their services. The audit trail
names the seed: one `status:seed` event per finding and one `demo/seed` event for the run.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from field import geo, photos
from field.data.models import AuditEvent, Case, Finding, FindingPhoto, SignOff, Site, User, Verification
from field.domain import clock, workflow
from field.domain.permissions import in_scope
from field.photos import store as store_mod
from field.runtime import Runtime
from field.services import audit, auth, signoff
from field.services.findings import photo_flags, photo_row
from field.trust import context as trust
from field.trust.statements import signoff_statement, verification_statement

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
    already has findings unless `append` (used by tests that share one server).

    One unit of work for everything (all or nothing), rows built in bulk and flushed a few times,
    photo files synced once: about 300 findings, 460 photos and 450 weekly reports in seconds
    instead of a minute of per-row service calls and commits. Each finding's status comes from
    the state machine (`workflow.next_status`), each record and sign-off is hashed, chained and
    signed as `signoff` does, and the audit trail says these rows came from the demo seed."""
    rnd = random.Random(rnd_seed)
    now = clock.now()
    passwords: dict[str, str] = {}
    with store_mod.deferred_sync(), rt.uow() as s:
        if not append and s.scalar(select(func.count()).select_from(Finding)):
            raise RuntimeError("the database already has findings; seed-demo only fills an empty one")
        wanted = [(username, name, role, scope, "") for username, name, role, scope in PEOPLE]
        wanted += [(username, name, "unit", ["*"], unit) for username, name, unit in UNITS]
        users = _seed_users(s, wanted, password, passwords)
        counties = geo.counties(rt.settings.city_adcode)
        cases = _seed_cases(s, counties, rnd, now)
        plan = [status for status, n in STATUS_PLAN for _ in range(n)]
        plan = (plan * (count // len(plan) + 1))[:count]
        rnd.shuffle(plan)
        made = _seed_findings(rt, s, plan, counties, cases, users, rnd, now)
        _seed_programme(rt, s, users["officer01"], cases, rnd, now)
        audit.record(s, None, "demo", "seed", "seed", at=now,
                     after={"findings": len(made), "cases": len(cases), "users": sorted(passwords)},
                     reason="python -m field seed-demo")
    with rt.read() as s:
        total = s.scalar(select(func.count()).select_from(Finding)) or 0
    return DemoResult(findings=total, passwords=passwords)


def _seed_users(s: Session, wanted: list[tuple[str, str, str, list[str], str]], password: str | None,
                passwords: dict[str, str]) -> dict[str, User]:
    """The demo people; their passwords are hashed in parallel threads (argon2 releases the GIL)."""
    users: dict[str, User] = {}
    fresh = []
    for username, name, role, scope, unit in wanted:
        existing = s.scalar(select(User).where(User.username == username))
        if existing is not None:
            users[username] = existing
        else:
            passwords[username] = password or secrets.token_urlsafe(9)
            fresh.append((username, name, role, scope, unit))
    with ThreadPoolExecutor(max_workers=4) as pool:
        hashes = list(pool.map(auth.hash_password, [passwords[u[0]] for u in fresh]))
    for (username, name, role, scope, unit), hashed in zip(fresh, hashes, strict=True):
        user = auth.create_user(s, None, username=username, password=passwords[username], role=role,
                                counties=scope, display_name=name, password_hash=hashed)
        user.unit = unit or user.unit
        users[username] = user
    return users


def _seed_cases(s: Session, counties: list[Any], rnd: random.Random, now: dt.datetime) -> list[Case]:
    cases = []
    for i in range(80):
        batch = 1 + i // 8
        handed = (now - dt.timedelta(days=70 - batch * 5)).date()
        method = "D" if i % 3 else "X"
        county = counties[i % len(counties)]
        case_no = f"{method}3HB{handed:%Y%m%d}{i + 1:04d}" + ("*" if i % 9 == 0 else "")
        cases.append(Case(case_no=case_no, batch=batch, handed_over_on=handed, receive_method=method,
                          content=rnd.choice(PROBLEMS), region_text=f"沧州市{county.name}",
                          county_adcode=county.adcode, pollution_types=["air"], pollution_text="大气",
                          key_attention=case_no.endswith("*"), deadline=handed + dt.timedelta(days=10),
                          lead_unit=f"{county.name}人民政府", responsible_unit=f"{county.name}生态环境分局",
                          responsible_person=rnd.choice(["周明", "吴刚", "郑华", "冯军"]),
                          responsible_phone=f"0317-{rnd.randint(2000000, 8999999)}"))
    s.add_all(cases)
    s.flush()
    return cases


@dataclass
class _Plan:
    """One demo finding on its way to its target status."""

    target: str
    finding: Finding
    author: User
    signer: User
    created: dt.datetime
    truth: str = ""
    verified_at: dt.datetime | None = None
    record: Verification | None = None
    after: bool = False
    after_link: FindingPhoto | None = None
    jitter: tuple[float, float] = (0.0, 0.0)  # where the record was written, off the site
    signed_at: dt.datetime | None = None


def _seed_findings(rt: Runtime, s: Session, plan: list[str], counties: list[Any], cases: list[Case],
                   users: dict[str, User], rnd: random.Random, now: dt.datetime) -> list[Finding]:
    """Sites, findings, photos, records, sign-offs in bulk, as the services would leave them."""
    field_users = [users["field01"], users["field02"], users["field03"]]
    signers = [users["super01"], users["super02"]]
    settings = rt.settings
    items: list[_Plan] = []
    for i, target in enumerate(plan):
        county = counties[rnd.randrange(len(counties))]
        author = next((u for u in field_users if in_scope(u, county.adcode)), users["field01"])
        signer = next(u for u in signers if in_scope(u, county.adcode))
        lon, lat = _point_in(county, rnd, settings.city_adcode)
        brand, (kind, types, subtype) = rnd.choice(BRANDS), rnd.choice(KINDS)
        days_ago = rnd.randint(1, 60) if target in ("pending", "rectifying") else rnd.randint(35, 60)
        created = now - dt.timedelta(days=days_ago, hours=rnd.randint(0, 8))
        case = rnd.choice(cases) if i % 2 == 0 else None
        # The draws in the order the one-by-one seed made them, so the same seed gives the same data.
        description, severity = rnd.choice(PROBLEMS), rnd.choice(["minor", "serious", "severe"])
        source, accuracy = rnd.choice(["gps", "map", "typed"]), rnd.choice([5.0, 12.0, 30.0])
        address = f"{county.name}{rnd.randint(1, 300)}号"
        deadline = (created + dt.timedelta(days=rnd.choice([10, 20, 30]))).date()
        site = Site(name=f"沧州{brand}{kind}", address=address, lon=lon, lat=lat, accuracy_m=accuracy,
                    location_source=source, county_adcode=county.adcode, outside_city=False, created_at=created)
        finding = Finding(site=site, case_id=case.id if case else None, author_id=author.id, observed_at=created,
                          created_at=created, updated_at=created, description=description, pollution_types=types,
                          subtype=subtype, severity=severity, status="pending",
                          responsible_unit=f"{county.name}生态环境分局", deadline=deadline)
        item = _Plan(target, finding, author, signer, created)
        if target != "pending":
            item.truth = "false" if target == "unfounded" else rnd.choice(["true", "mostly", "partly"])
            item.verified_at = created + dt.timedelta(days=1)
            item.after = target not in ("rectifying", "unfounded")
            item.jitter = (rnd.uniform(-0.0003, 0.0003), rnd.uniform(-0.0003, 0.0003))
            if target not in ("rectifying", "awaiting_signoff"):
                item.signed_at = now - dt.timedelta(days=rnd.randint(1, 3)) if target == "public_notice" \
                    else item.verified_at + dt.timedelta(days=1)
        items.append(item)
    s.add_all([it.finding for it in items])
    s.flush()

    # Photos: before for each, after for those rectified; derived and stored as uploads are.
    for i, it in enumerate(items):
        f = it.finding
        for kind, seed_n, at in (("before", i * 2, it.created), ("after", i * 2 + 1, it.verified_at)):
            if kind == "after" and not it.after:
                continue
            name = f"{kind}_{i}.jpg"
            info = photos.ingest(_photo(seed_n, f"#{f.id} {kind}", kind == "after"), name, rt.store)
            photo = photo_row(info, name, it.author)
            s.add(photo)
            link = FindingPhoto(finding=f, photo=photo, kind=kind, added_by=it.author.id, added_at=at,
                                flags=photo_flags(photo, f.site, (f.observed_at if kind == "before" else at) or it.created))
            s.add(link)
            if kind == "after":
                it.after_link = link
    # Verification records, with the after photo linked to the record.
    for it in items:
        if it.verified_at is None:
            continue
        f = it.finding
        lon, lat = f.site.lon + it.jitter[0], f.site.lat + it.jitter[1]
        it.record = Verification(
            finding=f, author_id=it.author.id, created_at=it.verified_at, truthfulness=it.truth,
            facts="经现场核查，" + f.description, measures="" if it.truth == "false" else "已责令企业立即整改，完成苫盖和设施修复。",
            conclusion="不属实" if it.truth == "false" else "已整改到位", inspectors=[it.author.display_name],
            lon=lon, lat=lat, accuracy_m=8.0, distance_m=round(geo.distance_m(lon, lat, f.site.lon, f.site.lat), 1))
        s.add(it.record)
    s.flush()
    key = trust.of(s).signing_key()
    for it in items:
        if it.record is None:
            continue
        if it.after_link is not None:
            it.after_link.verification_id = it.record.id
        ctx = workflow.Context(truthfulness=it.truth, has_after_photos=it.after)
        _step(it, "verify", ctx, it.verified_at)
        if it.finding.status == "rectifying" and (it.after or it.truth == "false"):
            _step(it, "submit", ctx, it.verified_at)
    s.flush()
    with s.no_autoflush:  # everything the statements read is flushed; one flush at the end
        _sign_and_close(s, items, settings, key)
    s.flush()
    trust.checkpoint_due(s)
    # The audit trail: each finding's seeded status as its one status event, so `verify` finds
    # every signed finding's status audited.
    s.add_all([AuditEvent(at=it.finding.updated_at, actor_id=None, actor_name="system", entity="finding",
                          entity_id=str(it.finding.id), action="status:seed", before=None,
                          after={"status": it.finding.status, "author": it.author.username},
                          reason="演示数据 / demo seed") for it in items])
    s.flush()
    return [it.finding for it in items]


def _sign_and_close(s: Session, items: list[_Plan], settings: Any, key: Any) -> None:
    """Records signed; sign-offs in plan order, each chained to the one before; then 公示 ends
    and re-checks, with the dates the services would give them."""
    for it in items:
        if it.record is not None:
            it.record.key_id = key.kid
            it.record.signature = key.sign(verification_statement(s, it.record, it.finding, key.kid))
    calendar = signoff.notice_calendar(settings)
    prev = signoff.chain_head(s)
    for it in items:
        if it.signed_at is None or it.record is None:
            continue
        f, record = it.finding, it.record
        signed_at = it.signed_at
        assert signed_at is not None
        opinion = "同意验收" if it.truth != "false" else "经核实不属实，同意销号"
        ctx = workflow.Context(truthfulness=record.truthfulness, has_after_photos=it.after,
                               notice_days=settings.public_notice_days)
        new_status = workflow.next_status(f.status, "sign", ctx)
        record.state = "signed"
        so = SignOff(verification_id=record.id, finding_id=f.id, signer_id=it.signer.id, signed_at=signed_at,
                     decision="approve", opinion=opinion, content_hash="", prev_hash=prev, chain_hash="",
                     signed_status=new_status, signed_county=f.site.county_adcode, key_id=key.kid)
        so.content_hash = signoff.content_hash(s, record, f, so)
        so.chain_hash = signoff.chain_hash(so.prev_hash, so.content_hash)
        so.signature = key.sign(signoff_statement(so, f, key.kid))
        s.add(so)
        prev = so.chain_hash
        _step(it, "sign", ctx, signed_at)
        if new_status == "public_notice":
            f.notice_ends_on = calendar.add_working_days(clock.today_local(signed_at), settings.public_notice_days)
        elif new_status in ("closed", "unfounded"):
            f.recheck_due_on = clock.today_local(signed_at) + dt.timedelta(days=settings.recheck_days)
        if it.target in ("closed", "reopened") and f.status == "public_notice":
            ended = signed_at + dt.timedelta(days=20)
            _step(it, "end_notice", workflow.Context(notice_over=True), ended)
            f.recheck_due_on = clock.today_local(ended) + dt.timedelta(days=settings.recheck_days)
        if it.target == "reopened":
            at = signed_at + dt.timedelta(days=25)
            facts = "复查发现问题反弹，物料再次露天堆放。"
            recheck = Verification(finding=f, author_id=it.author.id, kind="recheck", created_at=at,
                                   truthfulness="true", facts=facts, inspectors=[it.author.display_name],
                                   recheck_result="rebound", state="submitted")
            s.add(recheck)
            s.flush()
            recheck.key_id = key.kid
            recheck.signature = key.sign(verification_statement(s, recheck, f, key.kid))
            _step(it, "recheck", workflow.Context(rebound=True, reason=facts), at)
            f.recheck_due_on = None


def _step(it: _Plan, event: str, ctx: workflow.Context, at: dt.datetime | None) -> None:
    """Move the finding as the state machine says (the services' `_move`, audited as a seed)."""
    it.finding.status = workflow.next_status(it.finding.status, event, ctx)
    it.finding.updated_at = at or it.finding.updated_at


# The programme (整改方案): 5 aspects, 18 problems, 60 measures, reported on by 5 units.
UNITS = [
    ("unit_env", "孙丽", "市生态环境局"), ("unit_zj", "马超", "市住建局"), ("unit_sw", "高峰", "市水务局"),
    ("unit_ny", "林红", "市农业农村局"), ("unit_cg", "何军", "市城市管理综合行政执法局"),
]
ASPECTS = [
    ("大气污染防治", ["物料堆场扬尘管控不到位", "重点行业挥发性有机物治理滞后", "散煤复燃问题时有发生",
                      "建筑工地扬尘治理“六个百分之百”落实不到位"]),
    ("水污染防治", ["城乡结合部生活污水直排问题突出", "黑臭水体整治成效不稳定", "工业园区污水处理厂超标排放",
                    "入河排污口排查整治不彻底"]),
    ("土壤和固体废物", ["危险废物规范化管理存在短板", "建筑垃圾乱堆乱倒问题反弹", "尾矿和工业固废堆存不规范",
                        "农用地安全利用措施落实不到位"]),
    ("农业农村", ["畜禽养殖粪污资源化利用水平低", "农村生活垃圾收运处置体系不健全", "化肥农药减量增效推进缓慢"]),
    ("生态保护和长效机制", ["河道两侧违法占用问题整改滞后", "自然保护地违规建设问题", "生态环境保护责任落实不到位"]),
]
MEASURE_TEXTS = ["全面排查，建立问题清单和整改台账", "制定专项整治方案，明确时间表和责任人", "开展联合执法检查，依法查处违法行为",
                 "建立长效监管机制，纳入网格化日常巡查", "完成整治工程建设并组织验收"]
PLAN_HEADER = ["序号", "方面", "反馈问题", "整改目标", "整改措施", "牵头单位", "配合单位", "责任领导", "整改时限",
               "督导单位", "目前进展情况"]


def _plan_annex(today: dt.date) -> bytes:
    """The annex as a published 整改方案 distributes it (title row, 方面 and problems merged), so the
    demo goes through the same import as a real plan."""
    from openpyxl import Workbook

    y, m = today.year, today.month
    deadlines = [f"{y}年底前", f"{y + 1}年6月底前", "立即整改、长期坚持", f"{y}年{max(1, m - 1)}月底前",
                 "持续推进", f"{y + 1}年底前", f"{y}年{min(12, m + 2)}月底前"]
    wb = Workbook()
    ws = wb.active
    ws.append(["沧州市贯彻落实督察反馈意见整改方案任务清单（演示数据）"] + [None] * (len(PLAN_HEADER) - 1))
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(PLAN_HEADER))
    ws.append(PLAN_HEADER)
    row, n, k = 3, 0, 0
    for aspect, problems in ASPECTS:
        aspect_first = row
        for title in problems:
            n += 1
            first = row
            count = 4 if n % 3 == 0 else 3  # 6 problems with 4 measures, 12 with 3: 60
            for j in range(count):
                unit = UNITS[(n + j) % len(UNITS)][2]
                if (n + j) % 7 == 0:
                    unit += "、" + UNITS[(n + j + 1) % len(UNITS)][2]
                ws.append([n, aspect, f"{title}。", "按期完成整改，问题不反弹", f"{MEASURE_TEXTS[j % 5]}（{title[:6]}）",
                           unit, "各县（市、区）人民政府", "市政府分管副市长", deadlines[k % len(deadlines)],
                           "市督察整改督导组", ""])
                row, k = row + 1, k + 1
            for col in (1, 3, 4):
                ws.merge_cells(start_row=first, start_column=col, end_row=row - 1, end_column=col)
        ws.merge_cells(start_row=aspect_first, start_column=2, end_row=row - 1, end_column=2)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _seed_programme(rt: Runtime, s: Session, officer: User, cases: list[Case], rnd: random.Random,
                    now: dt.datetime) -> None:
    """The programme: the annex imported through the plan import (as a real plan is), 8 weeks
    of weekly reports by the unit users (some late, some missing) built in bulk as
    `progress.submit_report` builds them, and a few accountability records."""
    from field import planimport
    from field.data.ledger_models import CaseResult, MeasureReport, ReportFile
    from field.data.ledger_models import Measure as MeasureRow
    from field.services import accountability, ledgers, progress

    today = now.astimezone(clock.CHINA_TZ).date()
    planimport.import_plan(s, officer, _plan_annex(today), "整改方案任务清单.xlsx", now=now)
    problems = ledgers.list_problems(s, officer)
    for p, case in zip(problems[::3], cases[::7], strict=False):
        ledgers.link_case(s, officer, p.id, case.id)
    measures = list(s.scalars(select(MeasureRow).order_by(MeasureRow.id)
                              .options(selectinload(MeasureRow.problem))))
    reporters = {u.unit: u for u in s.scalars(select(User).where(User.role == "unit"))}
    store = progress.EvidenceStore(rt.settings.data_dir)
    this_week = progress.week_of(today)
    pace = {m.id: rnd.choice([6, 9, 12, 15]) for m in measures}
    done: dict[int, int] = {}
    reports = 0
    for back in range(8, 0, -1):
        week = this_week - dt.timedelta(days=7 * back)
        due = progress.due_at(week)
        for m in measures:
            if m.progress in ("rectified", "closed") or rnd.random() < 0.08:  # done, or missing this week
                continue
            units = sorted(progress.units_of(m, m.problem) & set(reporters))
            if not units:
                continue
            percent = min(100, done.get(m.id, 0) + pace[m.id])
            done[m.id] = percent
            late = rnd.random() < 0.1
            at = due + (dt.timedelta(hours=rnd.randint(2, 60)) if late else -dt.timedelta(hours=rnd.randint(1, 30)))
            files = [(f"现场照片-{m.id}-{week:%m%d}.txt", f"演示佐证材料 {m.id} {week}".encode())] \
                if rnd.random() < 0.2 else []
            stage = "rectified" if percent >= 100 else "in_progress"
            problems_text = "资金到位较慢" if rnd.random() < 0.1 else ""
            report = MeasureReport(measure_id=m.id, unit=reporters[units[0]].unit, week=week, stage=stage,
                                   percent=percent, done_text=f"第{9 - back}周：按方案推进，完成阶段任务{percent}%。",
                                   problems_text=problems_text, reported_by=reporters[units[0]].id,
                                   reported_at=at, late=at > due)
            report.files = [ReportFile(sha256=store.put(blob), filename=name[:200], size=len(blob))
                            for name, blob in files]
            s.add(report)
            reports += 1
            m.progress, m.percent = stage, percent
            m.progress_text = "\n".join(x for x in (report.done_text, problems_text) if x)
            if m.start_date is None:
                m.start_date = week
    s.flush()
    audit.record(s, None, "measure", "*", "report:seed", at=now, after={"reports": reports, "weeks": 8},
                 reason="演示数据 / demo seed")
    texts = ["对沧州某某化工有限公司立案处罚，罚款5万元；约谈运河区生态环境分局副局长周某某。",
             "对某某建材厂立案查处，罚款2.5万元；对某镇分管负责人吴某某进行诫勉谈话。",
             "约谈某县住建局局长郑某某；对某街道办事处主任冯某某予以通报批评。"]
    for case, text in zip(cases[1::9], texts, strict=False):
        result = s.get(CaseResult, case.id) or CaseResult(case_id=case.id)
        result.accountability = text
        s.add(result)
        s.flush()
        for rec in accountability.read_text(text, case_id=case.id):
            accountability.add_record(s, officer, rec)
    for p, (measure, person, post, unit) in zip(problems[1::4], [
            ("talk", "钱某某", "副局长", "市住建局"), ("self_review", "孙某某", "科长", "市水务局"),
            ("notice", "李某某", "站长", "市农业农村局"), ("discipline", "王某某", "副主任", "某区城管局")],
            strict=False):
        accountability.add_record(s, officer, accountability.RecordInput(
            measure=measure, person=person, post=post, unit=unit, problem_id=p.id,
            decided_on=today - dt.timedelta(days=rnd.randint(5, 50)), document_no=f"沧督改〔{today.year}〕{p.id}号"))
