"""Messages for settings that stop the app at start (`field.config`)."""

MESSAGES: dict[str, dict[str, str]] = {
    "config.invalid": {
        "zh": "设置 {setting} 的值“{value}”无效，请查看 README 的设置表。",
        "en": "Setting {setting} has an invalid value “{value}”; see the settings table in the README.",
    },
    "config.test_hook_refused": {
        "zh": "{setting} 仅供测试使用，只在测试模式（FIELD_TEST_MODE=1）下生效；正常启动前请删除该设置。",
        "en": "{setting} is a test hook, honoured only in test mode (FIELD_TEST_MODE=1); "
              "remove it for a normal start.",
    },
}
