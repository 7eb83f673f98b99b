"""UI text catalogs: zh-CN by default, English on request.

Each core module keeps the sentences for its own error keys in a `MESSAGES` dict next to the
code that raises them; this module merges those with the UI strings below, so a page never
hard-codes a sentence and a missing translation is caught by a test, not by a user.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any

from field.vocab import Vocabulary

LANGS = ("zh", "en")

UI: dict[str, dict[str, str]] = {
    "app.title": {"zh": "督察整改现场核查", "en": "Inspection rectification field tool"},
    "app.lang": {"zh": "语言", "en": "Language"},
    "login.title": {"zh": "登录", "en": "Log in"},
    "login.username": {"zh": "用户名", "en": "Username"},
    "login.password": {"zh": "密码", "en": "Password"},
    "login.submit": {"zh": "登录", "en": "Log in"},
    "login.no_users": {
        "zh": "系统中还没有用户。请运行 `python -m field create-user --role admin …` 创建第一个管理员，"
              "或设置 FIELD_ADMIN_USER 与 FIELD_ADMIN_PASSWORD 后重启。",
        "en": "There are no users yet. Run `python -m field create-user --role admin …` to create the first "
              "admin, or set FIELD_ADMIN_USER and FIELD_ADMIN_PASSWORD and restart.",
    },
    "logout": {"zh": "退出登录", "en": "Log out"},
    "user.badge": {"zh": "{name}（{role}）", "en": "{name} ({role})"},
    "nav.capture": {"zh": "现场记录", "en": "Capture"},
    "nav.my_work": {"zh": "我的任务", "en": "My work"},
    "nav.map": {"zh": "问题地图", "en": "Map"},
    "nav.signoff": {"zh": "验收销号", "en": "Sign-off"},
    "nav.verify": {"zh": "现场核查", "en": "Verification"},
    "nav.users": {"zh": "用户管理", "en": "Users"},
    "nav.audit": {"zh": "操作日志", "en": "Audit log"},
    "common.save": {"zh": "保存", "en": "Save"},
    "common.submit": {"zh": "提交", "en": "Submit"},
    "common.none": {"zh": "无", "en": "None"},
    "common.all": {"zh": "全部", "en": "All"},
    "common.outside": {"zh": "市外", "en": "Outside the city"},
    "common.saved": {"zh": "已保存。", "en": "Saved."},
    "common.error": {"zh": "出错了：{detail}", "en": "Something went wrong: {detail}"},
    "capture.title": {"zh": "现场记录问题", "en": "Log a finding"},
    "capture.site_name": {"zh": "点位/企业名称", "en": "Site or enterprise name"},
    "capture.address": {"zh": "地址", "en": "Address"},
    "capture.description": {"zh": "问题描述", "en": "What is wrong"},
    "capture.types": {"zh": "污染类型", "en": "Pollution types"},
    "capture.subtype": {"zh": "细分类型（如扬尘、油烟）", "en": "Sub-type (e.g. dust, cooking fumes)"},
    "capture.severity": {"zh": "严重程度", "en": "Severity"},
    "capture.location": {"zh": "位置", "en": "Location"},
    "capture.loc_method": {"zh": "定位方式", "en": "How to locate"},
    "capture.lon": {"zh": "经度", "en": "Longitude"},
    "capture.lat": {"zh": "纬度", "en": "Latitude"},
    "capture.gcj": {"zh": "坐标来自高德（GCJ-02），自动转换为 WGS-84", "en": "Coordinates from AMap (GCJ-02): convert"},
    "capture.map_hint": {"zh": "在地图上点击选点。", "en": "Tap the map to place the pin."},
    "capture.located": {
        "zh": "位置：{lon:.6f}, {lat:.6f}（{source}）· {county}",
        "en": "Location: {lon:.6f}, {lat:.6f} ({source}) · {county}",
    },
    "capture.outside_warning": {
        "zh": "该点位不在本市范围内，将记为“市外”。请核对坐标。",
        "en": "This point is outside the city; it will be kept as “outside”. Check the coordinates.",
    },
    "capture.photos": {"zh": "照片（整改前）", "en": "Photos (before)"},
    "capture.submit": {"zh": "提交问题", "en": "Submit finding"},
    "capture.created": {"zh": "已记录问题 #{id}。", "en": "Finding #{id} logged."},
    "capture.photo_refused": {"zh": "照片 {name} 未添加：{reason}", "en": "Photo {name} not added: {reason}"},
    "capture.gps_button": {"zh": "获取设备定位", "en": "Use device GPS"},
    "capture.accuracy": {"zh": "精度 {acc:.0f} 米", "en": "Accuracy {acc:.0f} m"},
    "capture.accuracy_warning": {
        "zh": "定位精度 {acc:.0f} 米，低于 50 米要求，建议重新定位或地图选点。",
        "en": "GPS accuracy is {acc:.0f} m (worse than 50 m): re-acquire or place a pin.",
    },
    "capture.draft_restored": {"zh": "已恢复未提交的草稿。", "en": "Your unsent draft was restored."},
    "map.title": {"zh": "问题点位地图", "en": "Problem sites map"},
    "map.filters": {"zh": "筛选", "en": "Filters"},
    "map.status": {"zh": "状态", "en": "Status"},
    "map.county": {"zh": "区县", "en": "County"},
    "map.types": {"zh": "污染类型", "en": "Pollution type"},
    "map.batch": {"zh": "批次", "en": "Batch"},
    "map.key_attention": {"zh": "仅重点关注", "en": "Key cases only"},
    "map.overdue": {"zh": "仅超期", "en": "Overdue only"},
    "map.text": {"zh": "关键词", "en": "Search text"},
    "map.count": {"zh": "共 {n} 个问题", "en": "{n} findings"},
    "map.legend": {"zh": "图例", "en": "Legend"},
    "map.detail": {"zh": "问题详情", "en": "Finding detail"},
    "map.click_hint": {"zh": "点击地图上的点位查看详情。", "en": "Click a site on the map to see its details."},
    "detail.case_no": {"zh": "受理编号", "en": "Case no."},
    "detail.deadline": {"zh": "整改时限", "en": "Deadline"},
    "detail.unit": {"zh": "责任单位", "en": "Responsible unit"},
    "detail.history": {"zh": "处理记录", "en": "History"},
    "detail.photos": {"zh": "照片", "en": "Photos"},
    "verify.title": {"zh": "现场核查记录", "en": "Verification record"},
    "verify.pick": {"zh": "选择问题", "en": "Choose a finding"},
    "verify.truthfulness": {"zh": "是否属实", "en": "Is the complaint true?"},
    "verify.facts": {"zh": "调查核实情况", "en": "Facts found"},
    "verify.measures": {"zh": "处理和整改情况", "en": "Measures taken"},
    "verify.accountability": {"zh": "责任人被处理情况", "en": "Accountability"},
    "verify.conclusion": {"zh": "现场结论", "en": "On-site conclusion"},
    "verify.inspectors": {"zh": "核查人员（逗号分隔）", "en": "Inspectors (comma separated)"},
    "verify.after_photos": {"zh": "整改后照片", "en": "After photos"},
    "verify.submit": {"zh": "提交核查记录", "en": "Submit verification"},
    "verify.created": {"zh": "核查记录已提交，当前状态：{status}", "en": "Verification submitted; status: {status}"},
    "verify.none": {"zh": "没有待核查或整改中的问题。", "en": "No findings to verify."},
    "verify.tab_verify": {"zh": "核查记录", "en": "Verification"},
    "verify.tab_recheck": {"zh": "复查", "en": "Re-check"},
    "verify.tab_correct": {"zh": "更正已签字记录", "en": "Correct a signed record"},
    "verify.recheck_due": {"zh": "复查到期", "en": "Re-check due"},
    "verify.recheck_none": {"zh": "近期没有到期的复查。", "en": "No re-checks due soon."},
    "verify.recheck_result": {"zh": "复查结果", "en": "Re-check result"},
    "verify.rebound": {"zh": "反弹", "en": "Rebound"},
    "verify.no_rebound": {"zh": "未反弹", "en": "No rebound"},
    "verify.recheck_submit": {"zh": "提交复查结果", "en": "Submit re-check"},
    "verify.record": {"zh": "记录", "en": "Record"},
    "verify.correct_none": {"zh": "没有已签字的记录。", "en": "There are no signed records."},
    "verify.correct_hint": {
        "zh": "已签字记录不可修改。更正将生成一条引用原记录的新记录，需另行签字；原记录保持不变。",
        "en": "Signed records cannot be edited. A correction is a new record that references the old one "
              "and needs its own sign-off; the old record stays as it was.",
    },
    "verify.correct_reason": {"zh": "更正理由", "en": "Reason for the correction"},
    "verify.correct_submit": {"zh": "提交更正记录", "en": "Submit correction"},
    "verify.correct_done": {"zh": "更正记录已提交，待验收签字。", "en": "Correction submitted for sign-off."},
    "signoff.title": {"zh": "验收销号", "en": "Sign-off"},
    "signoff.tab_queue": {"zh": "待我验收", "en": "Awaiting my sign-off"},
    "signoff.tab_notice": {"zh": "公示中", "en": "In public notice"},
    "signoff.tab_recheck": {"zh": "复查到期", "en": "Re-checks due"},
    "signoff.notice_empty": {"zh": "没有公示中的事项。", "en": "Nothing is in public notice."},
    "signoff.notice_until": {"zh": "公示至", "en": "notice until"},
    "signoff.objection": {"zh": "收到异议，退回整改", "en": "Objection received: back to rectification"},
    "signoff.objection_reason": {"zh": "异议内容", "en": "The objection"},
    "signoff.is_correction": {
        "zh": "这是对记录 {old} 的更正记录，签字后原记录保持不变。",
        "en": "This corrects record {old}; the original stays unchanged after signing.",
    },
    "signoff.record_far": {
        "zh": "核查记录填写位置距现场 {distance} 米。",
        "en": "The record was written {distance} m from the site.",
    },
    "signoff.empty": {"zh": "暂无待验收记录。", "en": "Nothing awaits your sign-off."},
    "signoff.opinion": {"zh": "验收意见", "en": "Acceptance opinion"},
    "signoff.sign": {"zh": "签字验收", "en": "Sign off"},
    "signoff.return": {"zh": "退回整改", "en": "Return for rework"},
    "signoff.reason": {"zh": "退回理由", "en": "Reason for return"},
    "signoff.signed": {"zh": "已签字，当前状态：{status}", "en": "Signed; status: {status}"},
    "signoff.returned": {"zh": "已退回整改。", "en": "Returned for rework."},
    "signoff.overdue": {"zh": "超期", "en": "Overdue"},
    "my.title": {"zh": "我的任务", "en": "My work"},
    "my.today": {"zh": "今天", "en": "Today"},
    "my.week": {"zh": "本周", "en": "This week"},
    "my.empty": {"zh": "暂无记录。", "en": "Nothing yet."},
    "users.title": {"zh": "用户管理", "en": "Users"},
    "users.create": {"zh": "新建用户", "en": "New user"},
    "users.role": {"zh": "角色", "en": "Role"},
    "users.counties": {"zh": "管辖区县（空为全部）", "en": "Counties in scope (empty = all)"},
    "users.display_name": {"zh": "姓名", "en": "Name"},
    "users.created": {"zh": "已创建用户 {username}。", "en": "User {username} created."},
    "audit.title": {"zh": "操作日志", "en": "Audit log"},
}

# Modules whose MESSAGES are merged into the catalog.
_MESSAGE_MODULES = ("field.auth", "field.db", "field.drafts", "field.findings", "field.geo", "field.permissions",
                    "field.photos", "field.signoff", "field.workflow")


@cache
def catalog() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for name in _MESSAGE_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:  # a module not present in this build contributes nothing
            continue
        merged.update(getattr(module, "MESSAGES", {}))
    merged.update(UI)
    return merged


class _SafeDict(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def t(key: str, lang: str = "zh", **params: Any) -> str:
    """The sentence for `key` in `lang`; an unknown key shows itself rather than crashing."""
    entry = catalog().get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry.get("zh") or key
    if params:
        try:
            return text.format_map(_SafeDict(params))
        except (ValueError, IndexError, KeyError):
            return text
    return text


def error_text(exc: BaseException, lang: str = "zh") -> str:
    """A user-facing sentence for any exception carrying `.key` and `.params`."""
    key = getattr(exc, "key", None)
    if key:
        params = dict(getattr(exc, "params", {}) or {})
        if key == "db.unavailable":
            params.setdefault("url", getattr(exc, "url", ""))
            params.setdefault("detail", getattr(exc, "detail", ""))
        return t(key, lang, **params)
    return t("common.error", lang, detail=str(exc))


def label(vocab: Vocabulary, code: str, lang: str = "zh") -> str:
    return vocab.label(code, lang)
