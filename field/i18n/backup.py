"""Messages of `field.services.backup`: zh and en for each key it raises or shows."""

MESSAGES: dict[str, dict[str, str]] = {
    "backup.not_empty": {
        "zh": "目标数据库已有用户数据；只能恢复到空数据库（先运行 init-db 建一个新库）。",
        "en": "The target database already has data; restore only into an empty database (run init-db on a new one).",
    },
    "backup.unreadable": {"zh": "无法读取备份文件：{detail}", "en": "Cannot read the backup: {detail}"},
    "backup.revision": {
        "zh": "备份的数据库版本（{backup}）与当前版本（{current}）不同，请使用相同版本的程序恢复。",
        "en": "The backup's schema revision ({backup}) differs from this one ({current}).",
    },
    "backup.corrupt": {"zh": "备份内容校验失败：{table}", "en": "The backup failed its checksum: {table}"},
}
