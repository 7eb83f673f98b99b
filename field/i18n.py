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
    "capture.photos": {"zh": "选择照片（相机或相册，可多选）", "en": "Choose photos (camera or gallery)"},
    "capture.submit": {"zh": "提交问题", "en": "Submit finding"},
    "capture.created": {"zh": "已记录问题 #{id}。", "en": "Finding #{id} logged."},
    "capture.photo_refused": {"zh": "照片 {name} 未添加：{reason}", "en": "Photo {name} not added: {reason}"},
    "capture.accuracy": {"zh": "精度 {acc:.0f} 米", "en": "Accuracy {acc:.0f} m"},
    "capture.accuracy_warning": {
        "zh": "定位精度 {acc:.0f} 米，低于 50 米要求，建议重新定位或地图选点。",
        "en": "GPS accuracy is {acc:.0f} m (worse than 50 m): re-acquire or place a pin.",
    },
    "capture.draft_restored": {"zh": "已恢复未提交的草稿。", "en": "Your unsent draft was restored."},
    "capture.link_existing": {"zh": "关联已有点位或交办件（重复件）", "en": "Link an existing site or case (repeat)"},
    "capture.search": {"zh": "搜索受理编号、点位名称或内容", "en": "Search case number, site name or text"},
    "capture.search_hint": {"zh": "如 D3JX2024… 或 企业名称", "en": "e.g. D3JX2024… or an enterprise name"},
    "capture.search_none": {"zh": "没有找到匹配的点位或交办件。", "en": "No matching site or case."},
    "capture.use_site": {"zh": "选择此点位", "en": "Use this site"},
    "capture.use_case": {"zh": "关联此交办件", "en": "Link this case"},
    "capture.linked_site": {"zh": "🏭 记在已有点位：**{name}**", "en": "🏭 On existing site: **{name}**"},
    "capture.repeat_of": {"zh": "作为问题 #{id} 的重复件", "en": "As a repeat of finding #{id}"},
    "capture.linked_case": {"zh": "📄 关联交办件：**{case_no}**", "en": "📄 Linked case: **{case_no}**"},
    "capture.unlink": {"zh": "取消关联", "en": "Unlink"},
    "capture.method_gps": {"zh": "📡 设备定位", "en": "📡 Device GPS"},
    "capture.method_map": {"zh": "🗺️ 地图选点", "en": "🗺️ Map pin"},
    "capture.method_typed": {"zh": "⌨️ 输入坐标", "en": "⌨️ Type"},
    "capture.method_photo": {"zh": "📷 照片位置", "en": "📷 From photo"},
    "capture.gps_button": {"zh": "获取设备定位", "en": "Use device GPS"},
    "capture.gps_again": {"zh": "重新定位", "en": "Re-acquire"},
    "capture.gps_busy": {"zh": "定位中…", "en": "Locating…"},
    "capture.gps_fix": {"zh": "已定位，精度 {acc} 米", "en": "Located, accuracy {acc} m"},
    "capture.gps_hint": {"zh": "在现场点击按钮获取高精度定位。", "en": "Tap to get a high-accuracy fix on site."},
    "capture.gps_denied": {
        "zh": "定位权限被拒绝：请在浏览器设置中允许本网站使用位置信息。",
        "en": "Location permission denied: allow this site to use your location in the browser settings.",
    },
    "capture.gps_unavailable": {"zh": "暂时无法获取位置（信号弱或定位服务关闭）。",
                                "en": "Position unavailable (weak signal or location services off)."},
    "capture.gps_timeout": {"zh": "定位超时，请到开阔处重试。", "en": "Timed out: retry in the open."},
    "capture.gps_unsupported": {"zh": "此浏览器不支持定位。", "en": "This browser cannot locate."},
    "capture.gps_insecure": {
        "zh": "浏览器只允许在安全连接（https 或 localhost）下定位；当前连接不安全，请联系管理员启用 https。",
        "en": "Browsers allow location only on a secure connection (https or localhost); ask the administrator "
              "to enable https.",
    },
    "capture.gps_fallback": {"zh": "可改用地图选点或输入坐标。", "en": "Use a map pin or type coordinates instead."},
    "capture.photo_loc_none": {"zh": "已添加的照片中没有 GPS 信息。", "en": "No added photo carries GPS."},
    "capture.use_this_photo": {"zh": "使用照片 {name} 的拍摄位置", "en": "Use where {name} was taken"},
    "capture.use_photo_location": {"zh": "使用照片位置（{name}）", "en": "Use the photo's location ({name})"},
    "capture.nearby_title": {"zh": "⚠️ {r} 米内有 {n} 条未办结问题，可能是重复件：",
                             "en": "⚠️ {n} open finding(s) within {r} m, possibly the same problem:"},
    "capture.distance": {"zh": "{d:.0f} 米", "en": "{d:.0f} m"},
    "capture.link_repeat": {"zh": "记为重复件", "en": "Log as repeat"},
    "capture.similar_cases": {"zh": "可能相关的交办件（{n}）：", "en": "Possibly related cases ({n}):"},
    "capture.photos_title": {"zh": "照片（{n}/{max}）", "en": "Photos ({n}/{max})"},
    "capture.photo_kind": {"zh": "新照片类型", "en": "New photos are"},
    "capture.camera_on": {"zh": "用摄像头拍照", "en": "Take a photo with the camera"},
    "capture.camera": {"zh": "拍照", "en": "Camera"},
    "capture.remove_photo": {"zh": "移除", "en": "Remove"},
    "capture.discard": {"zh": "清空", "en": "Clear"},
    "capture.discard_confirm": {"zh": "清空整张表单和草稿？已存储的照片不会删除。",
                                "en": "Clear the whole form and its draft? Stored photos are kept."},
    "capture.discard_yes": {"zh": "确认清空", "en": "Yes, clear"},
    "capture.draft_saved": {"zh": "✓ 草稿已自动保存", "en": "✓ Draft saved automatically"},
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
    "map.date_from": {"zh": "记录日期自", "en": "Recorded from"},
    "map.date_to": {"zh": "记录日期至", "en": "Recorded until"},
    "map.batch_n": {"zh": "第{n}批", "en": "Batch {n}"},
    "map.present": {"zh": "会议投屏模式", "en": "Presentation mode"},
    "map.summary": {"zh": "状态统计", "en": "By status"},
    "map.total": {"zh": "合计", "en": "Total"},
    "map.overdue_n": {"zh": "其中超期", "en": "of which overdue"},
    "map.by_county": {"zh": "各区县未办结", "en": "Open by county"},
    "map.open": {"zh": "未办结", "en": "Open"},
    "map.county_hint": {"zh": "点击区县可按区县筛选。", "en": "Click a county to filter to it."},
    "map.export": {"zh": "导出当前视图", "en": "Export this view"},
    "map.export_geojson": {"zh": "GeoJSON", "en": "GeoJSON"},
    "map.export_csv": {"zh": "CSV 表格", "en": "CSV (Excel)"},
    "map.export_png": {"zh": "PNG 地图", "en": "PNG map"},
    "map.skipped": {"zh": "{n} 个问题缺少有效坐标，未画在图上。", "en": "{n} findings have no usable coordinates."},
    "map.not_visible": {"zh": "所选问题不在当前筛选结果中。", "en": "The selected finding is not in this view."},
    "detail.status": {"zh": "状态", "en": "Status"},
    "detail.county": {"zh": "行政区域", "en": "County"},
    "detail.address": {"zh": "地址", "en": "Address"},
    "detail.batch": {"zh": "批次", "en": "Batch"},
    "detail.key_attention": {"zh": "重点关注", "en": "Key case"},
    "detail.types": {"zh": "污染类型", "en": "Pollution types"},
    "detail.description": {"zh": "问题描述", "en": "Description"},
    "detail.overdue": {"zh": "已超期", "en": "overdue"},
    "detail.no_photos": {"zh": "暂无照片。", "en": "No photos."},
    "detail.actions": {"zh": "可办理", "en": "Actions"},
    "detail.go_verify": {"zh": "填写现场核查记录", "en": "Write the verification record"},
    "detail.go_signoff": {"zh": "前往验收销号", "en": "Go to sign-off"},
    "detail.no_actions": {"zh": "您的角色对此问题无可办理事项。", "en": "Nothing for your role to do here."},
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
    "my.photo_count": {"zh": "照片 {n}/{max}", "en": "Photos {n}/{max}"},
    "my.add": {"zh": "📷 补充照片 / 跟进", "en": "📷 Add photos / follow up"},
    "my.follow_up_here": {"zh": "📝 在此点位新增跟进记录", "en": "📝 New follow-up finding at this site"},
    "users.title": {"zh": "用户管理", "en": "Users"},
    "users.create": {"zh": "新建用户", "en": "New user"},
    "users.role": {"zh": "角色", "en": "Role"},
    "users.counties": {"zh": "管辖区县（空为全部）", "en": "Counties in scope (empty = all)"},
    "users.display_name": {"zh": "姓名", "en": "Name"},
    "users.created": {"zh": "已创建用户 {username}。", "en": "User {username} created."},
    "audit.title": {"zh": "操作日志", "en": "Audit log"},
}

# Modules whose MESSAGES are merged into the catalog.
_MESSAGE_MODULES = ("field.auth", "field.backup", "field.db", "field.drafts", "field.findings", "field.geo", "field.permissions",
                    "field.photos", "field.signoff", "field.workflow", "field.cases", "field.ledgers",
                    "field.sheets", "field.dossier")


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
