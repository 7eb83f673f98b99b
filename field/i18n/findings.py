"""Messages of `field.services.findings`: zh and en for each key it raises or shows."""

MESSAGES: dict[str, dict[str, str]] = {
    "finding.need_description": {"zh": "请填写问题描述。", "en": "Describe the problem."},
    "finding.description_long": {"zh": "描述不能超过 {max} 字。", "en": "At most {max} characters."},
    "finding.need_type": {"zh": "请至少选择一种污染类型。", "en": "Choose at least one pollution type."},
    "finding.bad_type": {"zh": "未知污染类型：{value}", "en": "Unknown pollution type: {value}"},
    "finding.bad_severity": {"zh": "请选择严重程度。", "en": "Choose a severity."},
    "finding.need_location": {
        "zh": "请确定位置（定位、地图选点或输入坐标）。",
        "en": "Set the location (GPS, map pin or coordinates).",
    },
    "finding.need_site_name": {"zh": "请填写点位/企业名称。", "en": "Enter the site or enterprise name."},
    "finding.bad_source": {"zh": "未知的位置来源。", "en": "Unknown location source."},
    "finding.no_site": {"zh": "点位不存在。", "en": "The site does not exist."},
    "finding.no_case": {"zh": "交办件不存在。", "en": "The case does not exist."},
    "finding.not_found": {"zh": "问题记录 {id} 不存在。", "en": "Finding {id} does not exist."},
    # Shown as soon as a point is set on the capture page (`check_location`), next to the point.
    "finding.warn.scope": {
        "zh": "该点位在{county}，不在您的管辖范围内（{scope}），提交时会被拒绝。请核对位置。",
        "en": "This point is in {county}, outside your area ({scope}): it would be refused on submit. "
              "Check the location.",
    },
    "finding.warn.outside": {
        "zh": "该点位不在本市范围内，将记为“市外”。请核对位置。",
        "en": "This point is outside the city; it will be kept as “outside”. Check the location.",
    },
    "finding.warn.outside_province": {
        "zh": "该点位不在本省范围内，将记为“省外”。请核对位置。",
        "en": "This point is outside the province; it will be kept as “outside”. Check the location.",
    },
    "finding.warn.accuracy": {
        "zh": "定位精度 {accuracy}，差于 {limit} 要求，建议重新定位或地图选点。",
        "en": "GPS accuracy is {accuracy}, worse than {limit}: re-acquire or place a map pin.",
    },
    "photo.bad_kind": {"zh": "照片类型无效。", "en": "Invalid photo kind."},
    "photo.too_many": {
        "zh": "每条问题最多 {max} 张照片，此张未添加，其他内容已保留。",
        "en": "At most {max} photos per finding: this one was not added; everything else is kept.",
    },
}
