"""Strings of the capture page's quick and full paths (pages/capture.py): zh and en."""

MESSAGES: dict[str, dict[str, str]] = {
    "capture.more": {
        "zh": "更多信息：点位名称、地址、细分类型、关联已有点位或交办件、照片类型、摄像头",
        "en": "More: site name, address, sub-type, link a site or case, photo kind, camera",
    },
    "capture.site_name_hint": {"zh": "留空则用问题描述的开头", "en": "Left empty, the start of the description is used"},
    "capture.description_hint": {"zh": "一句话说明问题，如：露天堆放物料未苫盖", "en": "One sentence, e.g. open stockpile not covered"},
    "capture.photos_quick": {"zh": "拍照或选择照片（可多选）", "en": "Take or choose photos"},
}
