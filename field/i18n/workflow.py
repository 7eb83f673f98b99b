"""Messages of `field.domain.workflow`: zh and en for each key it raises or shows."""

MESSAGES: dict[str, dict[str, str]] = {
    "workflow.unknown_event": {"zh": "未知操作：{event}", "en": "Unknown action: {event}"},
    "workflow.illegal": {
        "zh": "当前状态“{status}”下不能执行“{event}”。",
        "en": "“{event}” is not possible while the status is “{status}”.",
    },
    "workflow.need_truthfulness": {"zh": "请选择是否属实。", "en": "Choose whether the complaint is true."},
    "workflow.need_after_photos": {
        "zh": "属实的问题须上传整改后照片才能提交验收。",
        "en": "A true complaint needs after-rectification photos before sign-off.",
    },
    "workflow.need_reason": {"zh": "请填写理由。", "en": "A reason is required."},
    "workflow.notice_running": {"zh": "公示期尚未结束。", "en": "The public-notice period is not over yet."},
}
