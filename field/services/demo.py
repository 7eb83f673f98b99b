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
    _seed_programme(rt, users["officer01"], cases, rnd, now, password, passwords)
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


def _seed_programme(rt: Runtime, officer: User, cases: list[Case], rnd: random.Random, now: dt.datetime,
                    password: str | None, passwords: dict[str, str]) -> None:
    """The programme through the services: the annex imported, a unit user per unit, 8 weeks of
    weekly reports (some late, some missing), a few accountability records. One unit of work
    for the plan and users, one per week of reports."""
    from field import planimport
    from field.data.ledger_models import CaseResult
    from field.data.ledger_models import Measure as MeasureRow
    from field.services import accountability, ledgers, progress

    today = now.astimezone(clock.CHINA_TZ).date()
    with rt.uow() as s:
        officer = s.get_one(User, officer.id)
        planimport.import_plan(s, officer, _plan_annex(today), "整改方案任务清单.xlsx", now=now)
        for username, name, unit in UNITS:
            if s.scalar(select(User).where(User.username == username)) is not None:
                continue
            pw = password or secrets.token_urlsafe(9)
            passwords[username] = pw
            u = auth.create_user(s, None, username=username, password=pw, role="unit", display_name=name)
            u.unit = unit
        problems = ledgers.list_problems(s, officer)
        for p, case in zip(problems[::3], cases[::7], strict=False):
            ledgers.link_case(s, officer, p.id, case.id)
        measure_ids = list(s.scalars(select(MeasureRow.id).order_by(MeasureRow.id)))
        unit_users = {u.unit: u.id for u in s.scalars(select(User).where(User.role == "unit"))}
    store = progress.EvidenceStore(rt.settings.data_dir)
    this_week = progress.week_of(today)
    pace = {mid: rnd.choice([6, 9, 12, 15]) for mid in measure_ids}
    done: dict[int, int] = {}
    for back in range(8, 0, -1):
        week = this_week - dt.timedelta(days=7 * back)
        due = progress.due_at(week)
        with rt.uow() as s:
            reporters = {unit: s.get_one(User, uid) for unit, uid in unit_users.items()}
            for mid in measure_ids:
                m = s.get_one(MeasureRow, mid)
                if m.progress in ("rectified", "closed") or rnd.random() < 0.08:  # done, or missing this week
                    continue
                units = sorted(progress.units_of(m, m.problem) & set(reporters))
                if not units:
                    continue
                percent = min(100, done.get(mid, 0) + pace[mid])
                done[mid] = percent
                late = rnd.random() < 0.1
                at = due + (dt.timedelta(hours=rnd.randint(2, 60)) if late else -dt.timedelta(hours=rnd.randint(1, 30)))
                files = [(f"现场照片-{mid}-{week:%m%d}.txt", f"演示佐证材料 {mid} {week}".encode())] \
                    if rnd.random() < 0.2 else []
                stage = "rectified" if percent >= 100 else "in_progress"
                progress.submit_report(s, reporters[units[0]], mid, progress.ReportInput(
                    stage=stage, percent=percent, done_text=f"第{9 - back}周：按方案推进，完成阶段任务{percent}%。",
                    problems_text="资金到位较慢" if rnd.random() < 0.1 else "", files=files, week=week),
                    store, now=at)
    with rt.uow() as s:
        officer = s.get_one(User, officer.id)
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
        problems = ledgers.list_problems(s, officer)
        for p, (measure, person, post, unit) in zip(problems[1::4], [
                ("talk", "钱某某", "副局长", "市住建局"), ("self_review", "孙某某", "科长", "市水务局"),
                ("notice", "李某某", "站长", "市农业农村局"), ("discipline", "王某某", "副主任", "某区城管局")],
                strict=False):
            accountability.add_record(s, officer, accountability.RecordInput(
                measure=measure, person=person, post=post, unit=unit, problem_id=p.id,
                decided_on=today - dt.timedelta(days=rnd.randint(5, 50)), document_no=f"沧督改〔{today.year}〕{p.id}号"))
