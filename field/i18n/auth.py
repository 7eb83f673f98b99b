"""Messages of `field.services.auth`: zh and en for each key it raises or shows."""

MESSAGES: dict[str, dict[str, str]] = {
    "auth.bad_credentials": {
        "zh": "用户名或密码错误，还可尝试 {remaining} 次，之后账号将锁定 15 分钟。",
        "en": "Wrong username or password. {remaining} attempts left before a 15-minute lock.",
    },
    "auth.bad_credentials_unknown": {
        "zh": "用户名或密码错误。",
        "en": "Wrong username or password.",
    },
    "auth.locked": {
        "zh": "密码错误次数过多，账号已锁定，请 {minutes} 分钟后再试。",
        "en": "Too many wrong passwords: the account is locked. Try again in {minutes} minutes.",
    },
    "auth.password_short": {"zh": "密码至少 {min} 位。", "en": "The password needs at least {min} characters."},
    "auth.bad_username": {
        "zh": "用户名只能包含字母、数字、下划线、点和连字符（2–64 位）。",
        "en": "Usernames use letters, digits, _ . - (2–64 characters).",
    },
    "auth.bad_role": {"zh": "未知角色：{role}", "en": "Unknown role: {role}"},
    "auth.user_exists": {"zh": "用户名 {username} 已存在。", "en": "The username {username} is taken."},
    "auth.unknown_county": {"zh": "未知区县代码：{counties}", "en": "Unknown county codes: {counties}"},
    "auth.cannot_disable_self": {"zh": "不能停用自己的账号。", "en": "You cannot disable your own account."},
}
