"""Messages of `field.exports.dossier`: zh and en for each key it raises or shows."""

MESSAGES: dict[str, dict[str, str]] = {
    "dossier.not_found": {"zh": "记录 {ref} 不存在。", "en": "Record {ref} does not exist."},
    "dossier.empty_case": {
        "zh": "交办件 {ref} 还没有关联的问题记录，无可导出的档案。",
        "en": "Case {ref} has no findings yet, so there is nothing to export.",
    },
    # problems found while packing, listed in the dossier's README.txt (written in Chinese)
    "dossier.problem.photo_missing": {"zh": "照片原件缺失", "en": "Original photo file missing"},
    "dossier.problem.photo_altered": {
        "zh": "照片原件与登记的 SHA-256 不一致（可能被替换或改动）",
        "en": "Original photo file does not match its recorded SHA-256 (replaced or altered)",
    },
    "dossier.problem.content_changed": {
        "zh": "已签字记录的内容与签字时的内容哈希不一致",
        "en": "A signed record's content no longer matches the content hash it was signed with",
    },
    "dossier.problem.no_font": {
        "zh": "本机没有可打印中文的字体，未生成 PDF 核查验收单",
        "en": "No font that can print Chinese on this machine, so no PDF sheets were made",
    },
    # pages/records.py (kept here with the service it fronts)
    "nav.records": {"zh": "档案导出", "en": "Records"},
    "records.title": {"zh": "核查验收单与一案一档", "en": "Verification sheets and case dossiers"},
    "records.search": {"zh": "问题编号、受理编号或点位名称", "en": "Finding no., case no. or site name"},
    "records.pick": {"zh": "选择问题", "en": "Choose a finding"},
    "records.none": {"zh": "没有找到您管辖范围内的匹配问题。", "en": "No matching finding in your counties."},
    "records.more": {"zh": "仅显示前 {n} 条，请输入更具体的关键词。", "en": "Showing the first {n}; narrow the search."},
    "records.no_records": {"zh": "该问题还没有核查记录，暂无核查验收单。", "en": "No verification record yet, so no sheet."},
    "records.sheet": {"zh": "下载核查验收单（PDF）", "en": "Download sheet (PDF)"},
    "records.dossier": {"zh": "下载一案一档（ZIP）", "en": "Download dossier (ZIP)"},
    "records.case_dossier": {"zh": "下载整个交办件档案（ZIP）", "en": "Download the whole case dossier (ZIP)"},
    "records.signed": {"zh": "已签字 · {who} · {when} · 校验码 {code}", "en": "Signed · {who} · {when} · code {code}"},
    "records.returned": {"zh": "已退回 · {who} · {when}", "en": "Returned · {who} · {when}"},
    "records.unsigned": {"zh": "未签字", "en": "Not signed"},
    "records.font": {"zh": "PDF 字体：{path}", "en": "PDF font: {path}"},
}
