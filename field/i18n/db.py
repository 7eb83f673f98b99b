"""Messages of `field.data.db`: zh and en for each key it raises or shows."""

MESSAGES: dict[str, dict[str, str]] = {
    "db.unavailable": {
        "zh": "无法连接数据库 {url}（请检查设置 FIELD_DATABASE_URL）：{detail}",
        "en": "Cannot open the database {url} (check the setting FIELD_DATABASE_URL): {detail}",
    },
    "db.busy": {
        "zh": "其他人刚刚修改了同一条记录，或数据库正忙。本次操作未生效，您填写的内容仍在，请重试。",
        "en": "Someone else changed the same record just now, or the database is busy. This action did not take effect; what you typed is still here. Please try again.",
    },
    "db.health_down": {
        "zh": "数据库无法连接（请检查 FIELD_DATABASE_URL），详情见服务器日志。",
        "en": "The database cannot be reached (check FIELD_DATABASE_URL); details are in the server log.",
    },
}
