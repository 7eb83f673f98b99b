"""Messages of `field.services.ledgers`: zh and en for each key it raises or shows."""

MESSAGES: dict[str, dict[str, str]] = {
    "ledger.kind.problems": {"zh": "整改问题台账", "en": "Problems ledger"},
    "ledger.kind.measures": {"zh": "整改措施台账", "en": "Measures ledger"},
    "ledger.kind.petitions": {"zh": "信访问题台账", "en": "Petition cases ledger"},
    "ledger.kind.list_problems": {"zh": "问题清单", "en": "Problem list"},
    "ledger.kind.list_rectification": {"zh": "整改清单", "en": "Rectification list"},
    "ledger.kind.list_responsibility": {"zh": "责任清单", "en": "Responsibility list"},
    "ledger.kind.list_effect": {"zh": "效果清单", "en": "Effect list"},
    "ledger.kind.public": {"zh": "公开情况一览表", "en": "Public disclosure table"},
    "ledger.public_title": {"zh": "第{batch}批交办件公开情况一览表", "en": "Batch {batch}: public disclosure table"},
    "ledger.bad_kind": {"zh": "未知的台账类型“{kind}”。可选：{kinds}", "en": "Unknown ledger “{kind}”. Choose from: {kinds}"},
    "ledger.need_title": {"zh": "请填写整改问题。", "en": "Enter the problem."},
    "ledger.need_content": {"zh": "请填写整改措施内容。", "en": "Enter what the measure is."},
    "ledger.bad_progress": {"zh": "整改进展的取值无效。", "en": "Invalid progress value."},
    "ledger.problem_not_found": {"zh": "整改问题 #{id} 不存在。", "en": "Problem #{id} does not exist."},
    "ledger.measure_not_found": {"zh": "整改措施 #{id} 不存在。", "en": "Measure #{id} does not exist."},
    "ledger.case_not_found": {"zh": "交办件 #{id} 不存在。", "en": "Case #{id} does not exist."},
    "ledger.finding_not_found": {"zh": "现场问题 #{id} 不存在。", "en": "Finding #{id} does not exist."},
    "ledger.bad_county": {"zh": "区县代码 {county} 不存在。", "en": "County {county} does not exist."},
    "ledger.yes": {"zh": "是", "en": "Yes"},
    "ledger.no": {"zh": "否", "en": "No"},
}
