"""Form labels of the 案件督办 page (pages/cases.py): responsibility, problems, measures."""

MESSAGES: dict[str, dict[str, str]] = {
    "cases.form.lead_unit": {"zh": "牵头单位", "en": "Lead unit"},
    "cases.form.coop_unit": {"zh": "配合单位", "en": "Co-operating units"},
    "cases.form.person": {"zh": "责任人", "en": "Person responsible"},
    "cases.form.phone": {"zh": "联系电话", "en": "Phone"},
    "cases.form.problem": {"zh": "整改问题", "en": "Problem"},
    "cases.form.problem_code": {"zh": "问题编号", "en": "Problem no."},
    "cases.form.aspect": {"zh": "方面", "en": "Aspect"},
    "cases.form.target": {"zh": "整改目标", "en": "Target"},
    "cases.form.measure": {"zh": "整改措施", "en": "Measure"},
    "cases.form.progress": {"zh": "进展", "en": "Progress"},
    "cases.form.progress_text": {"zh": "目前进展情况及存在问题", "en": "Progress and issues"},
}
