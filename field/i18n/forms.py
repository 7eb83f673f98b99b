"""Messages the forms show after a success (`ui.forms`): the link to what was just made."""

MESSAGES: dict[str, dict[str, str]] = {
    "forms.view_finding": {"zh": "查看问题 #{id}", "en": "Open finding #{id}"},
    "forms.view_record": {"zh": "查看问题 #{id} 的核查记录与档案", "en": "Records and dossier of finding #{id}"},
    "forms.verified": {"zh": "已提交问题 #{id} 的核查记录，当前状态：{status}",
                       "en": "Verification record of finding #{id} submitted; status: {status}"},
    "forms.rechecked": {"zh": "已提交问题 #{id} 的复查记录，当前状态：{status}",
                        "en": "Re-check of finding #{id} submitted; status: {status}"},
    "forms.corrected": {"zh": "已提交问题 #{id} 的更正记录，等待签字。",
                        "en": "Correction of finding #{id} submitted; it awaits sign-off."},
    "forms.signed": {"zh": "已签字验收问题 #{id}，当前状态：{status}", "en": "Finding #{id} signed off; status: {status}"},
    "forms.returned": {"zh": "已将问题 #{id} 退回整改。", "en": "Finding #{id} returned for rework."},
    "forms.objected": {"zh": "已记录问题 #{id} 的异议，退回整改。",
                       "en": "Objection to finding #{id} recorded; back to rectification."},
}
