"""Messages of `field.data.lengths`: a text longer than its column, and the names of the fields."""

MESSAGES: dict[str, dict[str, str]] = {
    "text.too_long": {
        "zh": "「{what}」最多 {max} 个字符（现在 {length} 个），请缩短。",
        "en": "{what} can have at most {max} characters (this has {length}): please shorten it.",
    },
    # The field named in text.too_long, one per column name that users type into.
    "column.username": {"zh": "用户名", "en": "Username"},
    "column.display_name": {"zh": "显示名称", "en": "Display name"},
    "column.name": {"zh": "名称", "en": "Name"},
    "column.name_en": {"zh": "英文名称", "en": "English name"},
    "column.address": {"zh": "地址", "en": "Address"},
    "column.subtype": {"zh": "问题细类", "en": "Sub-type"},
    "column.responsible_unit": {"zh": "责任单位", "en": "Responsible unit"},
    "column.lead_unit": {"zh": "牵头单位", "en": "Lead unit"},
    "column.coop_unit": {"zh": "配合单位", "en": "Cooperating unit"},
    "column.responsible_person": {"zh": "责任人", "en": "Responsible person"},
    "column.responsible_phone": {"zh": "联系电话", "en": "Phone"},
    "column.case_no": {"zh": "受理编号", "en": "Case number"},
    "column.region_text": {"zh": "行政区域", "en": "Region"},
    "column.pollution_text": {"zh": "污染类型", "en": "Pollution type"},
    "column.truthfulness_text": {"zh": "是否属实", "en": "Substantiated"},
    "column.closure_target": {"zh": "办结目标", "en": "Closure target"},
    "column.category": {"zh": "处理类别", "en": "Category"},
    "column.handler": {"zh": "办案人", "en": "Case handler"},
    "column.code": {"zh": "问题编号", "en": "Problem code"},
    "column.aspect": {"zh": "方面", "en": "Aspect"},
    "column.round": {"zh": "所属轮次", "en": "Round"},
    "column.original_name": {"zh": "文件名", "en": "File name"},
    "column.device": {"zh": "拍摄设备", "en": "Camera"},
    "column.taken_at_local": {"zh": "拍摄时间", "en": "Time taken"},
}
