"""Messages of `field.domain.permissions`: zh and en for each key it raises or shows."""

MESSAGES: dict[str, dict[str, str]] = {
    "perm.login_required": {"zh": "请先登录。", "en": "Please log in first."},
    "perm.role": {
        "zh": "您的角色无权执行此操作（{action}）。",
        "en": "Your role may not do this ({action}).",
    },
    "perm.county": {
        "zh": "该区县（{county}）不在您的管辖范围内。",
        "en": "This county ({county}) is outside your scope.",
    },
}
