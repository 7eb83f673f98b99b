"""Messages of `field.services.auth`: zh and en for each key it raises or shows."""

MESSAGES: dict[str, dict[str, str]] = {
    "auth.bad_credentials": {
        "zh": "用户名或密码错误。",
        "en": "Wrong username or password.",
    },
    "auth.locked": {
        "zh": "登录失败次数过多，请 {minutes} 分钟后再试。",
        "en": "Too many failed logins: try again in {minutes} minutes.",
    },
    "auth.unknown_user": {"zh": "没有用户 {username}。", "en": "There is no user {username}."},
    "auth.password_short": {"zh": "密码至少 {min} 位。", "en": "The password needs at least {min} characters."},
    "auth.bad_username": {
        "zh": "用户名只能包含字母、数字、下划线、点和连字符（2–64 位）。",
        "en": "Usernames use letters, digits, _ . - (2–64 characters).",
    },
    "auth.bad_role": {"zh": "未知角色：{role}", "en": "Unknown role: {role}"},
    "auth.user_exists": {"zh": "用户名 {username} 已存在。", "en": "The username {username} is taken."},
    "auth.unknown_county": {"zh": "未知区县（或市、省）代码：{counties}",
                            "en": "Unknown county (or city, province) codes: {counties}"},
    "auth.cannot_disable_self": {"zh": "不能停用自己的账号。", "en": "You cannot disable your own account."},
}
