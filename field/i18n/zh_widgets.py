"""Streamlit's own widget texts, in the catalog (`ui.zh`): the uploader and the unknown page."""

MESSAGES: dict[str, dict[str, str]] = {
    "zh.upload_button": {"zh": "选择文件", "en": "Upload"},
    "zh.date_year": {"zh": "年", "en": "yyyy"},
    "zh.date_month": {"zh": "月", "en": "mm"},
    "zh.date_day": {"zh": "日", "en": "dd"},
    "zh.upload_limit": {"zh": "每个文件不超过 {mb} MB", "en": "{mb}MB per file"},
    "zh.not_found_title": {"zh": "找不到页面", "en": "Page not found"},
    "zh.not_found": {"zh": "没有名为“{page}”的页面，请检查地址或从菜单进入。",
                     "en": "There is no page called “{page}”; check the address or use the menu."},
    "zh.go_home": {"zh": "回到首页", "en": "Back to the start page"},
}
