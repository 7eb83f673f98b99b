"""Messages of the dispatch meeting decisions (议定事项): field.services.decisions, the dispatch
pack's follow-up section and the decisions part of the Reports page."""

MESSAGES: dict[str, dict[str, str]] = {
    # refusals
    "decision.no_pack": {"zh": "档案中没有编号为 {id} 的半月一调度材料，议定事项须记在所议的调度材料上。",
                         "en": "No dispatch pack with id {id} in the archive: a decision is recorded against "
                               "the pack it was made on."},
    "decision.pack_out_of_scope": {"zh": "该调度材料超出您的管辖范围。", "en": "That dispatch pack is outside your scope."},
    "decision.need_content": {"zh": "请填写议定事项。", "en": "Write what was decided."},
    "decision.need_unit": {"zh": "请填写责任单位。", "en": "Name the responsible unit."},
    "decision.need_deadline": {"zh": "请填写完成时限（日期）。", "en": "Give the deadline (a date)."},
    "decision.county_out_of_scope": {"zh": "区县 {county} 不在该调度材料或您的管辖范围内。",
                                     "en": "County {county} is outside the pack's or your scope."},
    "decision.bad_county": {"zh": "没有行政区划代码为 {county} 的区县。", "en": "No county with code {county}."},
    "decision.link_not_found": {"zh": "关联的{what}（编号 {id}）不存在。", "en": "The linked {what} (id {id}) does not exist."},
    "decision.not_found": {"zh": "没有编号为 {id} 的议定事项。", "en": "No decision with id {id}."},
    "decision.bad_status": {"zh": "落实情况只能是：尚未启动、正在推进、已完成。",
                            "en": "The status is one of: not started, in progress, done."},
    "decision.need_note": {"zh": "请写明落实情况（责任单位的报告）。", "en": "Write how it stands (the unit's report)."},
    "decision.not_your_unit": {"zh": "该事项不属于本单位（{unit}）。", "en": "This decision is not your unit's ({unit})."},
    "decision.what.case": {"zh": "交办件", "en": "case"},
    "decision.what.measure": {"zh": "整改措施", "en": "measure"},
    "decision.what.site": {"zh": "点位", "en": "site"},
    # the dispatch pack
    "report.h.decisions": {"zh": "上次调度会议定事项落实情况", "en": "Decisions of the last meeting: where they stand"},
    "report.s.decisions": {"zh": "{meeting} 调度会议定事项 {total} 项（含此前未完成事项）：已完成 {done} 项，"
                                 "正在推进 {in_progress} 项，尚未启动 {open} 项，逾期未完成 {overdue} 项。",
                           "en": "{total} decisions of the meeting on {meeting} (with earlier ones not yet done): "
                                 "{done} done, {in_progress} in progress, {open} not started, {overdue} overdue."},
    "report.s.no_decisions": {"zh": "此前调度会未记录议定事项。", "en": "No decisions were recorded at earlier meetings."},
    "report.c.decision": {"zh": "议定事项", "en": "Decision"},
    "report.c.meeting": {"zh": "调度时段", "en": "Meeting"},
    "report.c.state": {"zh": "落实情况", "en": "Status"},
    "report.c.unit_report": {"zh": "单位报告", "en": "Unit's report"},
    # the page
    "decisions.title": {"zh": "议定事项", "en": "Meeting decisions"},
    "decisions.pack": {"zh": "所议调度材料", "en": "Dispatch pack"},
    "decisions.no_pack": {"zh": "先生成一份半月一调度材料，再在其上记录议定事项。",
                          "en": "Generate a dispatch pack first, then record the meeting's decisions on it."},
    "decisions.content": {"zh": "议定事项", "en": "Decision"},
    "decisions.unit": {"zh": "责任单位", "en": "Responsible unit"},
    "decisions.person": {"zh": "责任人", "en": "Person"},
    "decisions.deadline": {"zh": "完成时限", "en": "Deadline"},
    "decisions.case_no": {"zh": "关联交办件编号（可选）", "en": "Linked case id (optional)"},
    "decisions.record": {"zh": "记录议定事项", "en": "Record decision"},
    "decisions.recorded": {"zh": "已记录。", "en": "Recorded."},
    "decisions.list": {"zh": "本次议定事项", "en": "Decisions of this meeting"},
    "decisions.empty": {"zh": "本次调度尚未记录议定事项。", "en": "No decisions recorded for this meeting yet."},
    "decisions.update": {"zh": "更新落实情况", "en": "Update status"},
    "decisions.pick": {"zh": "事项", "en": "Decision"},
    "decisions.status": {"zh": "落实情况", "en": "Status"},
    "decisions.note": {"zh": "落实情况说明", "en": "How it stands"},
    "decisions.save": {"zh": "保存", "en": "Save"},
    "decisions.saved": {"zh": "已更新。", "en": "Updated."},
}
