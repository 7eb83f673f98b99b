"""Messages of the reports (每周一汇总、半月一调度、每月一报告): field.reports and the Reports page."""

MESSAGES: dict[str, dict[str, str]] = {
    # refusals
    "report.bad_kind": {"zh": "未知的报告类型“{kind}”，可选：{kinds}。", "en": "Unknown report kind “{kind}”; choose one of {kinds}."},
    "report.county_out_of_scope": {"zh": "区县 {county} 不在您的管辖范围内，不能生成该区县的报告。",
                                   "en": "County {county} is outside your scope: no report for it."},
    "report.no_font": {"zh": "找不到可显示中文的字体，无法绘制报告图表。请在设置 {env} 中指定字体文件路径，"
                             "或安装 paperang-p2-fonts-cjk（pip）/ fonts-wqy-microhei（apt）。",
                       "en": "No font that can show Chinese was found, so the report's charts cannot be drawn. "
                             "Set {env} to a font file, or install paperang-p2-fonts-cjk (pip) / fonts-wqy-microhei (apt)."},
    "report.not_found": {"zh": "档案中没有编号为 {id} 的报告。", "en": "No archived report with id {id}."},
    # titles
    "report.kind.weekly": {"zh": "每周一汇总", "en": "Weekly summary"},
    "report.kind.dispatch": {"zh": "半月一调度", "en": "Dispatch meeting pack"},
    "report.kind.monthly": {"zh": "每月一报告", "en": "Monthly report"},
    "report.title": {"zh": "生态环境保护督察整改工作{kind}", "en": "Inspection rectification: {kind}"},
    "report.scope_city": {"zh": "全市", "en": "Whole city"},
    "report.period": {"zh": "统计时段：{start} 至 {end}（{scope}）", "en": "Period: {start} to {end} ({scope})"},
    "report.generated": {"zh": "生成时间：{at}；数据版本：{version}", "en": "Generated: {at}; data version: {version}"},
    "report.page": {"zh": "第 {page} 页", "en": "Page {page}"},
    "report.no_data": {"zh": "本时段及范围内没有任何交办件、问题点位、整改措施或问责记录，本报告无统计数据。",
                       "en": "There are no cases, findings, measures or accountability records for this period "
                             "and scope: this report has no figures."},
    "report.placeholder": {"zh": "【待填写：{what}】", "en": "[To be written: {what}]"},
    "report.none": {"zh": "无。", "en": "None."},
    # headings
    "report.h.overview": {"zh": "总体情况", "en": "Overview"},
    "report.h.cases": {"zh": "交办件办理情况", "en": "Cases"},
    "report.h.measures": {"zh": "整改措施序时进度", "en": "Measures against schedule"},
    "report.h.units": {"zh": "责任单位填报情况", "en": "Unit reporting"},
    "report.h.dispatch": {"zh": "调度事项", "en": "Items for the meeting"},
    "report.h.accountability": {"zh": "追责问责情况", "en": "Accountability"},
    "report.h.trend": {"zh": "趋势", "en": "Trend"},
    "report.h.next": {"zh": "下一步工作", "en": "Next steps"},
    "report.h.annex": {"zh": "附件：整改措施台账", "en": "Annex: measures ledger"},
    "report.h.map": {"zh": "未销号点位分布图", "en": "Map of open sites"},
    "report.next_what": {"zh": "下一步工作（由综合协调组撰写）", "en": "next steps (written by the coordination group)"},
    # sentences
    "report.s.cases": {"zh": "截至 {end}，累计受理交办件 {total} 件，本时段新收 {new} 件；已办结 {closed} 件，办结率 {closed_rate}；"
                             "按时办结率 {on_time_rate}；经核查不属实 {unfounded} 件，不属实率 {unfounded_rate}；"
                             "超期未办结 {overdue} 件，逾期未反馈 {late} 件。",
                       "en": "By {end}: {total} cases received, {new} in this period; {closed} closed ({closed_rate}); "
                             "closed on time {on_time_rate}; {unfounded} unfounded ({unfounded_rate}); "
                             "{overdue} overdue, {late} with feedback late."},
    "report.s.measures": {"zh": "整改措施共 {total} 项：完成 {completed} 项，达到或超过序时进度 {on_schedule} 项，"
                                "未达到序时进度 {behind} 项，尚未启动 {not_started} 项，长期坚持 {standing} 项。",
                          "en": "{total} measures: {completed} done, {on_schedule} on or ahead of schedule, {behind} behind, "
                                "{not_started} not started, {standing} standing."},
    "report.s.findings": {"zh": "问题点位累计 {total} 个，本时段新增 {new} 个；反弹 {rebound} 个；待验收超过 {days} 天 {waiting} 个。",
                          "en": "{total} findings, {new} new in this period; {rebound} rebounded; {waiting} awaiting "
                                "sign-off for more than {days} days."},
    "report.s.units": {"zh": "{week} 当周应报未报的责任单位 {n} 个；本时段收到周报 {reports} 份，其中逾期 {late} 份。",
                       "en": "Units that did not report for the week of {week}: {n}; reports received in the period: "
                             "{reports}, {late} of them late."},
    "report.s.acc": {"zh": "累计问责 {people} 人，约谈 {talks} 人，罚款 {fines} 万元；本时段问责 {period} 人。",
                     "en": "Held accountable: {people} people; admonishing talks: {talks}; fines: {fines} × 10,000 yuan; "
                           "in this period: {period} people."},
    # table headers
    "report.c.item": {"zh": "项目", "en": "Item"},
    "report.c.value": {"zh": "数值", "en": "Value"},
    "report.c.county": {"zh": "区县", "en": "County"},
    "report.c.type": {"zh": "污染类型", "en": "Pollution type"},
    "report.c.cases": {"zh": "交办件", "en": "Cases"},
    "report.c.findings": {"zh": "问题点位", "en": "Findings"},
    "report.c.status": {"zh": "状态", "en": "Status"},
    "report.c.count": {"zh": "数量", "en": "Count"},
    "report.c.unit": {"zh": "责任单位", "en": "Unit"},
    "report.c.person": {"zh": "责任人", "en": "Person"},
    "report.c.deadline": {"zh": "整改时限", "en": "Deadline"},
    "report.c.case_no": {"zh": "交办编号", "en": "Case no."},
    "report.c.content": {"zh": "内容", "en": "Content"},
    "report.c.problem": {"zh": "问题", "en": "Problem"},
    "report.c.measure": {"zh": "整改措施", "en": "Measure"},
    "report.c.percent": {"zh": "进度%", "en": "Progress %"},
    "report.c.missing": {"zh": "未报措施数", "en": "Measures not reported"},
    "report.c.week": {"zh": "周（周一）", "en": "Week (Monday)"},
    "report.c.new_cases": {"zh": "新收交办件", "en": "New cases"},
    "report.c.new_findings": {"zh": "新增点位", "en": "New findings"},
    "report.c.finding_id": {"zh": "点位编号", "en": "Finding id"},
    "report.c.acc_measure": {"zh": "问责方式", "en": "Measure"},
    "report.c.completed": {"zh": "完成", "en": "Done"},
    "report.c.on_schedule": {"zh": "达到序时", "en": "On schedule"},
    "report.c.behind": {"zh": "滞后", "en": "Behind"},
    "report.c.not_started": {"zh": "未启动", "en": "Not started"},
    "report.c.standing": {"zh": "长期坚持", "en": "Standing"},
    "report.t.overdue": {"zh": "超期未办结交办件（按责任单位）", "en": "Overdue cases (by unit)"},
    "report.t.behind": {"zh": "未达到序时进度的整改措施", "en": "Measures behind schedule"},
    "report.t.key": {"zh": "重点关注交办件", "en": "Cases under special attention"},
    "report.t.rebound": {"zh": "反弹点位", "en": "Rebounded findings"},
    "report.t.waiting": {"zh": "待验收超过 {days} 天的点位", "en": "Findings awaiting sign-off more than {days} days"},
    "report.chart.trend": {"zh": "按周新增交办件与问题点位", "en": "New cases and findings per week"},
    "report.chart.measures": {"zh": "整改措施序时进度", "en": "Measures against schedule"},
    # the page
    "reports.title": {"zh": "报告", "en": "Reports"},
    "reports.kind": {"zh": "报告类型", "en": "Report kind"},
    "reports.date": {"zh": "截止日期", "en": "Up to date"},
    "reports.county": {"zh": "区县", "en": "County"},
    "reports.generate": {"zh": "生成报告", "en": "Generate report"},
    "reports.download_docx": {"zh": "下载 Word 报告", "en": "Download Word report"},
    "reports.download_xlsx": {"zh": "下载 Excel 附表", "en": "Download Excel annex"},
    "reports.archive": {"zh": "报告档案", "en": "Report archive"},
    "reports.archive_empty": {"zh": "尚无归档报告。", "en": "No archived reports yet."},
    "reports.done": {"zh": "已生成并归档：{name}", "en": "Generated and archived: {name}"},
    "reports.col.id": {"zh": "编号", "en": "Id"},
    "reports.col.kind": {"zh": "类型", "en": "Kind"},
    "reports.col.period": {"zh": "时段", "en": "Period"},
    "reports.col.scope": {"zh": "范围", "en": "Scope"},
    "reports.col.author": {"zh": "生成人", "en": "Author"},
    "reports.col.at": {"zh": "生成时间", "en": "Generated"},
    "reports.col.sha": {"zh": "SHA-256", "en": "SHA-256"},
    "reports.col.version": {"zh": "数据版本", "en": "Data version"},
    "nav.reports": {"zh": "报告", "en": "Reports"},
}
