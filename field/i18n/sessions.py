"""Messages of logins and sessions (field.services.sessions, web/auth.py, the navigation gate)."""

MESSAGES: dict[str, dict[str, str]] = {
    "sessions.ended": {
        "zh": "已结束 {username} 的 {n} 个登录会话，其所有设备需重新登录。",
        "en": "Ended {n} open sessions of {username}; every device of theirs must log in again.",
    },
    "sessions.end_button": {"zh": "结束该用户的所有登录", "en": "End this user's sessions"},
    "sessions.pick_user": {"zh": "用户", "en": "User"},
    "sessions.open": {"zh": "在线会话", "en": "Open sessions"},
    "sessions.unknown_user": {"zh": "没有用户名为 {username} 的用户。", "en": "There is no user named {username}."},
    "sessions.over": {
        "zh": "登录已结束（已退出、密码已更改或被管理员结束），请重新登录。",
        "en": "Your login has ended (logged out, password changed or ended by an admin). Please log in again.",
    },
    "login.refused_origin": {
        "zh": "请求不是从本系统页面发出的，已拒绝。请在本系统的登录页重新登录。",
        "en": "Refused: the request did not come from this app's own page. Log in again from the app.",
    },
    "nav.no_access": {
        "zh": "您的角色（{role}）不能打开“{page}”页面。请从左侧菜单选择可用的页面。",
        "en": "Your role ({role}) cannot open the page “{page}”. Choose a page from the menu on the left.",
    },
    "nav.go_first": {"zh": "前往：{page}", "en": "Go to: {page}"},
}
