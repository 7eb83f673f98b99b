"""Messages of `field.services.backup`: zh and en for each key it raises or shows."""

MESSAGES: dict[str, dict[str, str]] = {
    "backup.not_empty": {
        "zh": "目标数据库已有数据（表 {table}）；只能恢复到空数据库（先运行 init-db 建一个新库）。",
        "en": "The target database already has data (table {table}); restore only into an empty database (run init-db on a new one).",
    },
    "backup.unreadable": {"zh": "无法读取备份文件：{detail}", "en": "Cannot read the backup: {detail}"},
    "backup.revision": {
        "zh": "备份的数据库版本（{backup}）与当前版本（{current}）不同，请使用相同版本的程序恢复。",
        "en": "The backup's schema revision ({backup}) differs from this one ({current}).",
    },
    "backup.unexpected": {
        "zh": "备份中有不应出现的内容：{member}；未恢复任何数据。",
        "en": "The backup holds something it should not: {member}. Nothing was restored.",
    },
    "backup.missing": {
        "zh": "备份不完整，缺少：{member}；未恢复任何数据。",
        "en": "The backup is incomplete, missing {member}. Nothing was restored.",
    },
    "backup.too_long": {
        "zh": "备份中表 {table} 第 {row} 行的 {column} 超过 {max} 个字符；未恢复任何数据。",
        "en": "In the backup, {column} of row {row} in table {table} is longer than {max} characters. Nothing was restored.",
    },
    "backup.rejected": {
        "zh": "数据库拒绝了备份内容，已全部撤销，数据库仍为空：{detail}",
        "en": "The database refused the backup; everything was undone and it is still empty: {detail}",
    },
    "backup.corrupt": {"zh": "备份内容校验失败：{table}", "en": "The backup failed its checksum: {table}"},
}
