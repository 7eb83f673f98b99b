"""Messages of `field.services.drafts`: zh and en for each key it raises or shows."""

MESSAGES: dict[str, dict[str, str]] = {
    "draft.none": {"zh": "没有可提交的草稿（可能已提交）。", "en": "There is no draft to submit (perhaps already sent)."},
    "draft.no_token": {"zh": "草稿缺少提交标识，请刷新后重试。", "en": "The draft has no submit token: reload and retry."},
    "draft.not_json": {"zh": "草稿内容无法保存。", "en": "The draft could not be saved."},
    "draft.too_large": {"zh": "草稿过大（上限 {max_kb} KB），请缩短文字。",
                        "en": "The draft is too large (limit {max_kb} KB): shorten the text."},
    "draft.bad_photo": {"zh": "照片编号无效：{value}", "en": "Invalid photo id: {value}"},
}
