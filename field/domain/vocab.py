"""Every coded vocabulary of the domain, with its zh/en labels, in one place.

Codes are what the database stores and the code compares; labels are what people read.
Keeping both here means a new status or type is added once, and the map legend, the
filters, the exports and the state machine all agree on it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    code: str
    zh: str
    en: str
    colour: str = ""  # map / badge colour (Okabe-Ito palette: safe for colour-blind readers)
    shape: str = ""  # second visual cue on the map, so colour is never the only signal

    def label(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh


class Vocabulary:
    """An ordered, closed set of terms."""

    def __init__(self, name: str, terms: list[Term]):
        self.name = name
        self._terms = {t.code: t for t in terms}

    def __iter__(self) -> Iterator[Term]:
        return iter(self._terms.values())

    def __contains__(self, code: object) -> bool:
        return code in self._terms

    def __getitem__(self, code: str) -> Term:
        return self._terms[code]

    @property
    def codes(self) -> list[str]:
        return list(self._terms)

    def label(self, code: str, lang: str = "zh") -> str:
        term = self._terms.get(code)
        return term.label(lang) if term else code

    def from_text(self, text: str) -> str | None:
        """Find a code from a code or a zh/en label (as typed in a spreadsheet)."""
        text = (text or "").strip()
        for t in self._terms.values():
            if text in (t.code, t.zh) or text.lower() == t.en.lower():
                return t.code
        return None


# Status of a finding / problem site. The state machine (field/workflow.py) decides moves.
STATUS = Vocabulary(
    "status",
    [
        Term("pending", "待核查", "Pending check", "#E69F00", "circle"),
        Term("rectifying", "整改中", "Rectifying", "#0072B2", "square"),
        Term("awaiting_signoff", "待验收", "Awaiting sign-off", "#CC79A7", "diamond"),
        Term("public_notice", "公示中", "Public notice", "#56B4E9", "triangle"),
        Term("closed", "已销号", "Closed", "#009E73", "check"),
        Term("unfounded", "不属实", "Unfounded", "#7F7F7F", "cross"),
        Term("reopened", "反弹", "Reopened", "#D55E00", "star"),
    ],
)
OPEN_STATUSES = ("pending", "rectifying", "awaiting_signoff", "reopened")
DONE_STATUSES = ("public_notice", "closed", "unfounded")

POLLUTION_TYPES = Vocabulary(
    "pollution_type",
    [
        Term("water", "水", "Water"),
        Term("air", "大气", "Air"),
        Term("soil", "土壤", "Soil"),
        Term("ecology", "生态", "Ecology"),
        Term("noise", "噪声", "Noise"),
        Term("radiation", "辐射", "Radiation"),
        Term("marine", "海洋", "Marine"),
        Term("solid_waste", "固废", "Solid waste"),
        Term("other", "其他", "Other"),
    ],
)

SEVERITY = Vocabulary(
    "severity",
    [
        Term("minor", "一般", "Minor"),
        Term("serious", "较重", "Serious"),
        Term("severe", "严重", "Severe"),
    ],
)

LOCATION_SOURCES = Vocabulary(
    "location_source",
    [
        Term("gps", "设备定位", "Device GPS"),
        Term("map", "地图选点", "Map pin"),
        Term("typed", "手工输入", "Typed"),
        Term("photo", "照片位置", "Photo EXIF"),
        Term("import", "导入", "Imported"),
        Term("odk", "ODK Collect 定位", "ODK Collect GPS"),
    ],
)

ROLES = Vocabulary(
    "role",
    [
        Term("field", "现场工作组", "Field staff"),
        Term("case_officer", "案件督办", "Case officer"),
        Term("supervisor", "验收签字", "Supervisor"),
        Term("viewer", "会商查看", "Viewer"),
        Term("admin", "管理员", "Administrator"),
        # A responsible unit's reporter (每周填报): sees and reports on its own unit's measures only.
        Term("unit", "责任单位填报", "Responsible unit"),
    ],
)

TRUTHFULNESS = Vocabulary(
    "truthfulness",
    [
        Term("true", "属实", "True"),
        Term("mostly", "基本属实", "Mostly true"),
        Term("partly", "部分属实", "Partly true"),
        Term("false", "不属实", "Unfounded"),
        Term("checking", "正在核实", "Being checked"),  # published before the verdict is known
    ],
)

RECEIVE_METHODS = Vocabulary(
    "receive_method",
    # "other": 微信举报, 网络举报, 其他途径 … (the published wording is kept next to the code)
    [Term("D", "来电", "Phone"), Term("X", "来信", "Letter"), Term("other", "其他途径", "Other channel")],
)

PHOTO_KINDS = Vocabulary(
    "photo_kind",
    [Term("before", "整改前", "Before"), Term("after", "整改后", "After")],
)

CLOSURE_STATES = Vocabulary(
    "closure_state",
    [
        Term("done", "已办结", "Done"),
        Term("staged", "阶段性办结", "Done for now"),
        Term("ongoing", "正在办理", "In progress"),
        Term("open", "未办结", "Not done"),
    ],
)

MEASURE_PROGRESS = Vocabulary(
    "measure_progress",
    [
        Term("not_started", "尚未启动", "Not started"),
        Term("behind", "未达到序时进度", "Behind schedule"),
        Term("on_schedule", "达到序时进度", "On schedule"),
        Term("ahead", "超过序时进度", "Ahead of schedule"),
        Term("rectified", "完成整改", "Rectified"),
        Term("closed", "完成销号", "Closed"),
        Term("standing", "长期坚持", "Standing measure"),
    ],
)

# The stage a responsible unit reports each week (每周填报). 序时进度 (MEASURE_PROGRESS) is
# computed from it by field.domain.schedule, never typed.
REPORT_STAGES = Vocabulary(
    "report_stage",
    [
        Term("not_started", "尚未启动", "Not started"),
        Term("in_progress", "正在推进", "In progress"),
        Term("rectified", "完成整改", "Rectified"),
        Term("closed", "完成销号", "Closed"),
    ],
)

# 议定事项 of a 半月一调度 meeting: what the responsible unit last reported. `overdue` is never
# stored: a decision not done by its deadline reads as overdue in the next pack
# (field.services.decisions.state).
DECISION_STATUS = Vocabulary(
    "decision_status",
    [
        Term("open", "尚未启动", "Not started"),
        Term("in_progress", "正在推进", "In progress"),
        Term("done", "已完成", "Done"),
        Term("overdue", "逾期未完成", "Overdue"),
    ],
)
DECISION_STORED = ("open", "in_progress", "done")

# 追责问责: what was done to whom. `case_penalty` (立案处罚) is for enterprises and carries a fine;
# the others count people held accountable (问责 X 人).
ACCOUNTABILITY_MEASURES = Vocabulary(
    "accountability_measure",
    [
        Term("talk", "约谈", "Admonishing talk"),
        Term("notice", "通报批评", "Public criticism"),
        Term("warning_talk", "诫勉谈话", "Warning talk"),
        Term("self_review", "责令检查", "Ordered self-review"),
        Term("discipline", "党纪政务处分", "Party/administrative sanction"),
        Term("organisational", "组织处理", "Organisational handling"),
        Term("judicial", "移送司法机关", "Referred to judicial organs"),
        Term("case_penalty", "立案处罚", "Case filed and fined"),
    ],
)


# What each permission of `field.domain.permissions.ACTIONS` lets a role do, as a refusal names it
# ("您的角色无权执行此操作（导入交办件）"): people read the deed, not the code.
ACTION_NAMES = Vocabulary(
    "action",
    [
        Term("finding.view", "查看问题", "view findings"),
        Term("finding.create", "登记问题", "log findings"),
        Term("finding.update", "修改问题", "edit findings"),
        Term("photo.add", "补充照片", "add photos"),
        Term("verification.create", "填写核查记录", "write verification records"),
        Term("recheck.create", "填写复查记录", "write re-check records"),
        Term("signoff.sign", "签字验收", "sign off"),
        Term("signoff.return", "退回核查记录", "return records"),
        Term("case.view", "查看交办件", "view cases"),
        Term("case.list", "查看案件台账", "view the case ledger"),
        Term("case.edit", "编辑交办件", "edit cases"),
        Term("case.import", "导入交办件", "import case batches"),
        Term("ledger.export", "导出台账", "export ledgers"),
        Term("dossier.export", "导出一案一档", "export case dossiers"),
        Term("user.manage", "管理用户", "manage users"),
        Term("odk.device", "绑定离线采集设备", "link offline devices"),
        Term("odk.review", "审核离线提交", "review offline submissions"),
        Term("audit.view", "查看审计记录", "view the audit trail"),
        Term("plan.import", "导入整改方案", "import the rectification plan"),
        Term("measure.report", "报送整改进展", "report measure progress"),
        Term("progress.view", "查看整改进展", "view progress"),
        Term("accountability.edit", "登记责任追究", "record accountability"),
        Term("accountability.view", "查看责任追究", "view accountability"),
        Term("report.generate", "生成报告", "generate reports"),
        Term("decision.record", "登记议定事项", "record meeting decisions"),
        Term("decision.report", "报送议定事项进展", "report on meeting decisions"),
    ],
)
