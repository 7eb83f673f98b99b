"""Messages of the rectification programme: plan import (field.planimport), weekly progress
reports (field.services.progress) and the accountability register (field.services.accountability)."""

MESSAGES: dict[str, dict[str, str]] = {
    # plan import: file level
    "plan.no_header": {"zh": "在前 {rows} 行中没有找到整改方案表头（需要“问题”或“整改措施”等列）。未写入任何数据。",
                       "en": "No plan header in the first {rows} rows (need columns such as 问题 or 整改措施). "
                             "Nothing was written."},
    "plan.no_measure_column": {"zh": "表中没有“整改措施”列，只导入整改问题。",
                               "en": "No 整改措施 column: only problems are imported."},
    # plan import: rows
    "plan.row_no_problem": {"zh": "该行有整改措施但没有所属问题，未导入。",
                            "en": "This row has a measure but no problem: not imported."},
    "plan.row_empty": {"zh": "该行没有问题也没有措施，未导入。", "en": "This row has neither a problem nor a measure."},
    "plan.row_duplicate": {"zh": "措施编号“{code}”在同一问题下重复（首次出现在第 {first} 行），未导入。",
                           "en": "Measure number “{code}” repeats under the same problem (first in row {first}): "
                                 "not imported."},
    "plan.w_no_measure": {"zh": "该行只有整改问题，没有整改措施。", "en": "This row has a problem but no measure."},
    "plan.w_no_deadline": {"zh": "未填写整改时限。", "en": "No deadline given."},
    "plan.w_no_unit": {"zh": "未填写牵头单位或责任单位。", "en": "No lead or responsible unit given."},
    "plan.w_unknown_unit": {"zh": "单位“{unit}”不在责任单位名单中。", "en": "Unit “{unit}” is not in the list of units."},
    "plan.w_deadline_unreadable": {"zh": "无法从整改时限“{text}”读出日期，已原样保存，未设完成日期。",
                                   "en": "Cannot read a date from the deadline “{text}”: kept as text, no due date set."},
    "plan.w_deadline_several": {"zh": "整改时限“{text}”包含多个日期，已原样保存，未设完成日期，请人工确认。",
                                "en": "The deadline “{text}” names several dates: kept as text, no due date set; "
                                      "please decide."},
    # how a deadline was read (shown in the preview next to the date)
    "plan.rule.date_cell": {"zh": "日期单元格", "en": "date cell"},
    "plan.rule.day": {"zh": "“X年X月X日前”→ 当日", "en": "“Y年M月D日前” -> that day"},
    "plan.rule.month_end": {"zh": "“X年X月底前”→ 当月最后一天", "en": "“Y年M月底前” -> last day of the month"},
    "plan.rule.half": {"zh": "“上/下半年”→ 6月30日/12月31日", "en": "first/second half -> 30 June/31 December"},
    "plan.rule.quarter": {"zh": "“第X季度”→ 季度最后一天", "en": "quarter -> last day of the quarter"},
    "plan.rule.year_end": {"zh": "“X年底前”→ 当年12月31日", "en": "“Y年底前” -> 31 December"},
    "plan.rule.year": {"zh": "“X年”→ 当年12月31日", "en": "“Y年” -> 31 December of that year"},
    "plan.rule.standing": {"zh": "长期坚持（无完成日期）", "en": "standing (no due date)"},
    "plan.rule.none": {"zh": "无日期", "en": "no date"},
    "plan.action.new": {"zh": "新增", "en": "new"},
    "plan.action.update": {"zh": "更新", "en": "update"},
    "plan.action.unchanged": {"zh": "无变化", "en": "unchanged"},
    "plan.action.skip": {"zh": "不导入", "en": "skipped"},
    # weekly progress reports
    "progress.measure_not_found": {"zh": "整改措施 #{id} 不存在。", "en": "Measure #{id} does not exist."},
    "progress.not_your_unit": {"zh": "该措施不属于本单位（{unit}），不能填报。",
                               "en": "This measure does not belong to your unit ({unit}): you cannot report on it."},
    "progress.no_unit": {"zh": "您的账号未设置所属责任单位，请联系管理员。",
                         "en": "Your account has no responsible unit: ask an administrator."},
    "progress.bad_stage": {"zh": "填报阶段的取值无效。", "en": "Invalid reporting stage."},
    "progress.bad_percent": {"zh": "完成进度须为 0 到 100 之间的整数。", "en": "Progress must be a whole number 0–100."},
    "progress.percent_down": {"zh": "完成进度 {percent}% 低于上次填报的 {last}%，请在存在问题中说明原因。",
                              "en": "Progress {percent}% is below the {last}% reported last time: explain why "
                                    "under problems met."},
    "progress.need_text": {"zh": "请填写本周完成情况。", "en": "Say what was done this week."},
    "progress.file_too_big": {"zh": "佐证材料“{name}”过大（上限 {max} MB）。",
                              "en": "Evidence file “{name}” is too large (limit {max} MB)."},
    # accountability
    "acc.bad_measure": {"zh": "问责方式的取值无效。", "en": "Invalid accountability measure."},
    "acc.need_target": {"zh": "问责记录须关联一个交办件或整改问题。",
                        "en": "An accountability record must belong to a case or a problem."},
    "acc.need_person": {"zh": "请填写被问责人（或被处罚企业）。", "en": "Name the person (or enterprise) concerned."},
    "acc.fine_only_penalty": {"zh": "罚款金额只用于立案处罚。", "en": "A fine belongs only to 立案处罚 (case filed)."},
    "acc.bad_fine": {"zh": "罚款金额须为非负数（单位：元）。", "en": "The fine must be a non-negative amount in yuan."},
    "acc.case_not_found": {"zh": "交办件 #{id} 不存在。", "en": "Case #{id} does not exist."},
    "acc.problem_not_found": {"zh": "整改问题 #{id} 不存在。", "en": "Problem #{id} does not exist."},
    "acc.summary": {"zh": "问责 {people} 人、约谈 {talks} 人、罚款 {fines} 万元",
                    "en": "{people} people held accountable, {talks} admonished, fines of {fines} × 10,000 yuan"},
}
