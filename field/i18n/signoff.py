"""Messages of `field.services.signoff`: zh and en for each key it raises or shows."""

MESSAGES: dict[str, dict[str, str]] = {
    "verification.need_facts": {"zh": "请填写核查情况或现场结论。", "en": "Describe what was found on site."},
    "verification.correct_only_signed": {
        "zh": "只有已签字的记录需要以更正记录的方式修改；未签字的记录请退回后重新填写。",
        "en": "Only signed records are corrected by a new record; unsigned ones are returned and rewritten.",
    },
    "signoff.no_record": {"zh": "没有可签字的核查记录。", "en": "There is no verification record to sign."},
    "signoff.not_awaiting": {
        "zh": "该记录当前不在待验收状态，不能签字。",
        "en": "This record is not awaiting sign-off.",
    },
    "signoff.own_record": {
        "zh": "不能对自己参与核查的记录签字（双人复核）。",
        "en": "You cannot sign a record you took part in (four-eyes rule).",
    },
    "signoff.already_signed": {
        "zh": "该记录已由 {who} 于 {when} 签字。",
        "en": "This record was already signed by {who} at {when}.",
    },
    "signoff.busy": {"zh": "记录正被他人修改，请刷新后重试。", "en": "Someone else is changing this record; reload."},
    "verify.missing_row": {"zh": "签字对应的记录已被删除", "en": "the signed record is missing"},
    "verify.chain_broken": {"zh": "签字链断裂", "en": "the sign-off chain is broken"},
    "verify.content_changed": {"zh": "已签字记录内容被改动", "en": "a signed record was changed"},
    "verify.hash_changed": {"zh": "签字哈希被改动", "en": "a sign-off hash was changed"},
    "verify.photo_missing": {"zh": "照片原件缺失", "en": "an original photo is missing"},
    "verify.photo_altered": {"zh": "照片原件被替换或改动", "en": "an original photo was altered"},
}
