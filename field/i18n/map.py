"""Strings drawn inside the map by `field.map` (`mapview.*`: legend, tile attribution, 审图号,
county tooltips) and written by `field.exports.mapexport` (`mapexport.*`: CSV headers and cells,
PNG title and legend): zh and en for each key.

The map page's own widgets (filters, captions, buttons) are page strings in `ui.py` (`map.*`).
"""

MESSAGES: dict[str, dict[str, str]] = {
    # field.map.legend
    "mapview.legend_title": {"zh": "状态", "en": "Status"},
    "mapview.unknown_status": {"zh": "未知状态", "en": "Unknown status"},
    # field.map.choropleth
    "mapview.open_findings": {"zh": "未办结问题", "en": "Open findings"},
    # field.map.tiles
    "mapview.review_number": {"zh": "审图号：", "en": "Map review no.: "},
    "mapview.attribution_osm": {"zh": "© OpenStreetMap 贡献者", "en": "© OpenStreetMap contributors"},
    "mapview.attribution_tianditu": {"zh": "天地图", "en": "Tianditu"},
    "mapview.attribution_amap": {"zh": "© 高德地图", "en": "© AutoNavi (AMap)"},
    # field.exports.mapexport: CSV column headers (the export order is mapexport.CSV_COLUMNS)
    "mapexport.col.id": {"zh": "编号", "en": "ID"},
    "mapexport.col.status": {"zh": "状态", "en": "Status"},
    "mapexport.col.name": {"zh": "点位/企业名称", "en": "Site"},
    "mapexport.col.county": {"zh": "行政区域", "en": "County"},
    "mapexport.col.address": {"zh": "地址", "en": "Address"},
    "mapexport.col.case_no": {"zh": "受理编号", "en": "Case no."},
    "mapexport.col.batch": {"zh": "批次", "en": "Batch"},
    "mapexport.col.key_attention": {"zh": "重点关注", "en": "Key case"},
    "mapexport.col.types": {"zh": "污染类型", "en": "Pollution types"},
    "mapexport.col.description": {"zh": "问题描述", "en": "Description"},
    "mapexport.col.unit": {"zh": "责任单位", "en": "Responsible unit"},
    "mapexport.col.deadline": {"zh": "整改时限", "en": "Deadline"},
    "mapexport.col.overdue": {"zh": "是否超期", "en": "Overdue"},
    "mapexport.col.created_at": {"zh": "记录时间", "en": "Recorded at"},
    "mapexport.col.lon": {"zh": "经度(WGS-84)", "en": "Longitude (WGS-84)"},
    "mapexport.col.lat": {"zh": "纬度(WGS-84)", "en": "Latitude (WGS-84)"},
    # field.exports.mapexport: cell values
    "mapexport.yes": {"zh": "是", "en": "yes"},
    "mapexport.no": {"zh": "否", "en": "no"},
    # Joins pollution types in one cell. TODO: en ", " (as sheets.py uses); kept "、" so the
    # English CSV is unchanged by the move into the catalog.
    "mapexport.list_sep": {"zh": "、", "en": "、"},
    # field.exports.mapexport: PNG map
    "mapexport.title": {"zh": "问题点位分布图", "en": "Problem sites"},
    "mapexport.total": {"zh": "共 {n} 个问题", "en": "{n} findings"},
    "mapexport.unknown_status": {"zh": "未知状态", "en": "Unknown"},
    "mapexport.datum_note": {"zh": "坐标系 WGS-84 · 行政区划示意，不作为权属依据",
                             "en": "WGS-84 · administrative outline for orientation only"},
}
