"""Messages of `field.domain.passwords`: why a password is refused."""

MESSAGES: dict[str, dict[str, str]] = {
    "auth.password_repeated": {
        "zh": "密码不能是重复字符、连续数字或键盘顺序（如 aaaaaaaa、12345678、qwerty）。",
        "en": "A password may not be repeated characters, a sequence or a keyboard row (like aaaaaaaa, 12345678, qwerty).",
    },
    "auth.password_common": {
        "zh": "这是常见密码或与常见密码相似，容易被猜中，请换一个。",
        "en": "This is a common password, or close to one, and easy to guess: please choose another.",
    },
    "auth.password_weak": {
        "zh": "密码太容易被猜中（如姓名、用户名、日期或常用词），请加长或混合不相关的词。",
        "en": "This password is too easy to guess (names, the username, dates or common words): make it longer or mix unrelated words.",
    },
}
