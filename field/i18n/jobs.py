"""Messages of the scheduler (field.services.jobs, `python -m field schedule run`)."""

MESSAGES: dict[str, dict[str, str]] = {
    "jobs.no_report_user": {
        "zh": "没有可生成周报的在用账号 {username}：请用 --report-user 指定一个有报告权限的用户。",
        "en": "No active user {username} to make the weekly report as: name one with report rights "
              "in --report-user.",
    },
    "jobs.busy": {
        "zh": "另一个定时任务正在运行（已持有锁），本次未执行任何操作。",
        "en": "Another scheduler is already running (it holds the lock); this one did nothing.",
    },
    "jobs.done": {
        "zh": "定时任务已完成：公示期满关闭 {advance} 项，复查到期提醒 {recheck_reminders} 项，周报 {weekly_report}。",
        "en": "Scheduled work done: {advance} closed after public notice, {recheck_reminders} re-check "
              "reminders, weekly report {weekly_report}.",
    },
    "jobs.failed": {"zh": "任务 {job} 失败：{error}", "en": "Job {job} failed: {error}"},
    "jobs.report_none": {"zh": "无需生成（已归档）", "en": "not due (already filed)"},
    "jobs.report_filed": {"zh": "已归档 #{id}", "en": "filed as #{id}"},
}
