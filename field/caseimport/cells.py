"""What one cell means: 受理编号, batch numbers, dates, pollution types, yes/no and verdicts.

Each function reads the wording published tables actually use (第三批, 2024年5月18日, 扬尘、油烟,
√, the pre-2024 是/否 for 是否属实) and never guesses: a value it cannot read comes back as None,
or with an `Issue` the parser attaches to the row as a warning. No database, no files.

Pollution types: see `TYPE_SYNONYMS`. Sub-types map to their medium (扬尘/油烟/异味/恶臭 -> air,
垃圾/固体废物/危废 -> solid_waste, 生态破坏 -> ecology, 土壤污染 -> soil); 畜禽养殖 counts as
water + soil because manure reaches both; anything unknown counts as `other` with a warning.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from field.caseimport.records import Issue
from field.domain.caseid import normalise_case_no as normalise_case_no  # re-exported: the matching key
from field.domain.vocab import CLOSURE_STATES, POLLUTION_TYPES, RECEIVE_METHODS, TRUTHFULNESS

# Sub-types and variants -> codes of vocab.POLLUTION_TYPES (see the module docstring).
TYPE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "水污染": ("water",), "水体": ("water",), "地表水": ("water",), "地下水": ("water",),
    "黑臭水体": ("water",), "污水": ("water",), "废水": ("water",), "饮用水": ("water",),
    "大气污染": ("air",), "空气": ("air",), "扬尘": ("air",), "油烟": ("air",), "异味": ("air",),
    "恶臭": ("air",), "废气": ("air",), "烟尘": ("air",), "粉尘": ("air",), "臭气": ("air",),
    "餐饮油烟": ("air",), "秸秆焚烧": ("air",), "VOCs": ("air",),
    "土壤污染": ("soil",),
    "生态破坏": ("ecology",), "生态环境": ("ecology",), "破坏生态": ("ecology",),
    "噪音": ("noise",), "噪声污染": ("noise",),
    "电磁辐射": ("radiation",), "核与辐射": ("radiation",),
    "海洋污染": ("marine",),
    "固体废物": ("solid_waste",), "固废污染": ("solid_waste",), "垃圾": ("solid_waste",),
    "生活垃圾": ("solid_waste",), "建筑垃圾": ("solid_waste",), "危废": ("solid_waste",),
    "危险废物": ("solid_waste",),
    "畜禽养殖": ("water", "soil"), "养殖": ("water", "soil"),
    "其它": ("other",),
}
_TYPE_SPLIT = re.compile(r"[、,，;；/／|｜\s]+|及|和")
_YES = {"是", "√", "✓", "★", "*", "＊", "1", "y", "yes", "true", "重点关注", "重点"}
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
_NUM = r"[0-9０-９零〇一二两三四五六七八九十百]+"
BATCH_RE = re.compile(r"第\s*(" + _NUM + r")\s*批")
# "第29、30批", "第二十九、三十批", "第29-31批", "第29批、第30批"
BATCHES_RE = re.compile(r"第\s*(" + _NUM + r"(?:\s*(?:批\s*)?[、,，和及与至到\-—~－]\s*第?\s*" + _NUM + r")*)\s*批")
_RANGE = re.compile(r"[至到\-—~－]")
# "2017年5月25日12时-5月26日12时": the window in which complaints were received, not a hand-over
WINDOW_RE = re.compile(r"(?:\d{4}\s*年)?\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*\d{1,2}\s*[时点](?:\s*\d{1,2}\s*分)?\s*"
                       r"[-—~－至到]+\s*(?:\d{4}\s*年)?\s*(?:\d{1,2}\s*月)?\s*\d{1,2}\s*日\s*\d{1,2}\s*[时点]"
                       r"(?:\s*\d{1,2}\s*分)?")
INSPECTION_RE = re.compile(r"(?:中央|[\u4e00-\u9fff]{2,3}省)?第[一二三四五六七八九十\d]+(?:轮)?[\u4e00-\u9fff]{0,10}?督察组")
# A section row above a group of rows: 来电 / 来信 (also "一、来电件", "来信（12件）").
SECTION_RE = re.compile(r"^(?:[一二三四五六七八九十\d]+\s*[、.．]\s*)?(来电|来信|电话|信件|来访|微信|网络)[件类]?"
                        r"(?:[（(]\s*\d+\s*件?\s*[)）])?$")
_DATE_RE = re.compile(r"(\d{4})\s*[年/.-]\s*(\d{1,2})\s*[月/.-]\s*(\d{1,2})")


def cell_text(value: Any) -> str:
    """A cell as the text a person sees: 3.0 -> "3", a midnight datetime -> its date."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def is_formula(value: Any) -> bool:
    """A formula is never imported as data: its cached result may be stale or missing."""
    if isinstance(value, str):
        return value.startswith("=") and len(value) > 1
    return type(value).__name__ in ("ArrayFormula", "DataTableFormula")


def _cn_number(text: str) -> int | None:
    text = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current or None


def parse_batch(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value) if value > 0 else None
    text = str(value).strip()
    m = BATCH_RE.search(text)
    return _cn_number(m.group(1)) if m else _cn_number(text)


def parse_batches(value: Any) -> list[int]:
    """Every batch a published wording names: "第29、30批" -> [29, 30], "第29-31批" -> [29, 30, 31],
    3 -> [3]; [] when it names none."""
    if value is None or value == "":
        return []
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [int(value)] if value > 0 else []
    text = str(value).strip()
    m = BATCHES_RE.search(text)
    if not m:
        single = _cn_number(text)
        return [single] if single else []
    out: list[int] = []
    parts = re.split(r"([、,，和及与至到\-—~－])", m.group(1))
    pending_range = False
    for part in parts:
        part = part.replace("批", "").replace("第", "").strip()
        if not part:
            continue
        if _RANGE.fullmatch(part):
            pending_range = True
            continue
        if part in "、,，和及与":
            continue
        n = _cn_number(part)
        if n is None:
            continue
        if pending_range and out and n > out[-1] and n - out[-1] <= 100:
            out.extend(range(out[-1] + 1, n + 1))
        elif n not in out:
            out.append(n)
        pending_range = False
    return sorted(set(out))


def title_dates(title: str) -> tuple[dt.date | None, dt.date | None, str]:
    """(suggested hand-over date, publication date, reception window) from title rows.

    A title's date is usually the publication date; it is offered as the hand-over date only as
    a suggestion for the user to confirm. A reception window ("5月25日12时-5月26日12时") is kept
    as text and its dates are never taken for either."""
    m = WINDOW_RE.search(title or "")
    window = re.sub(r"\s+", "", m.group(0)) if m else ""
    rest = WINDOW_RE.sub(" ", title or "")
    date = parse_date(rest)
    labelled_handover = bool(re.search(r"交办(时间|日期)", rest))
    return date, (None if labelled_handover else date), window


def inspection_from_title(title: str) -> str:
    """The inspection team a title names ("中央第三生态环境保护督察组"), or ""."""
    m = INSPECTION_RE.search(re.sub(r"\s+", "", title or ""))
    return m.group(0) if m else ""


def section_row(raw: list[Any]) -> str | None:
    """The section a row opens ("来电", "来信"), when it is one: every non-empty cell holds the
    same short text (a merged row repeats it) and that text names a way of receiving."""
    texts = {cell_text(v) for v in raw} - {""}
    if len(texts) != 1:
        return None
    text = re.sub(r"\s+", "", next(iter(texts)))
    return text if SECTION_RE.match(text) else None


def parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    m = _DATE_RE.search(str(value or ""))
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def split_pollution_types(text: str) -> tuple[list[str], list[str]]:
    """(codes in vocabulary order, tokens that matched nothing). Unknown tokens count as
    `other`, because a case must stay countable by type even when the wording is new."""
    codes: set[str] = set()
    unknown: list[str] = []
    for token in _TYPE_SPLIT.split(text or ""):
        token = token.strip()
        if not token:
            continue
        found = _type_token(token)
        if found:
            codes.update(found)
        else:
            unknown.append(token)
            codes.add("other")
    return [c for c in POLLUTION_TYPES.codes if c in codes], unknown


def _type_token(token: str) -> tuple[str, ...]:
    code = POLLUTION_TYPES.from_text(token)
    if code:
        return (code,)
    if token in TYPE_SYNONYMS:
        return TYPE_SYNONYMS[token]
    for suffix in ("污染", "类", "问题"):
        if token.endswith(suffix) and len(token) > len(suffix):
            found = _type_token(token[: -len(suffix)])
            if found:
                return found
    for word, codes in sorted(TYPE_SYNONYMS.items(), key=lambda kv: -len(kv[0])):
        if len(word) >= 2 and word in token:
            return codes
    return ()


def is_yes(value: str) -> bool:
    return value.strip().lower() in _YES


def key_attention(case_no: str, cell: str) -> bool:
    """重点关注: a trailing star on the 受理编号, or a yes in the 重点关注 column."""
    return case_no.rstrip().endswith(("*", "＊")) or is_yes(cell or "否")


_RECEIVE = {"电话": "D", "来电": "D", "电话举报": "D", "来电举报": "D", "热线": "D", "12369": "D",
            "信件": "X", "来信": "X", "来信举报": "X", "信访": "X",
            "微信举报": "other", "网络举报": "other", "其他途径": "other", "微信": "other", "网络": "other",
            "来访": "other", "走访": "other", "其他": "other", "其它": "other", "邮件": "other", "电子邮件": "other",
            "网上举报": "other", "现场举报": "other"}


def receive_method(text: str, case_no: str) -> tuple[str | None, Issue | None]:
    """(D / X / other, a warning): the 受理方式 wording read as a code, the published text being
    kept by the caller; when the column is empty, a hint from the number's format. A wording we
    do not know counts as `other` with a warning, never as nothing."""
    code: str | None = None
    issue = None
    t = re.sub(r"\s+", "", text or "").rstrip("件")
    if t:
        code = RECEIVE_METHODS.from_text(t) or _RECEIVE.get(t)
        if code is None:
            code, issue = "other", Issue("cases.w_receive_other", {"text": text})
    if code is None and re.match(r"^[DX]\d", case_no.strip().upper()):
        code = case_no.strip()[0].upper()
    return code, issue


_TRUTH = {"核实中": "checking", "正在调查": "checking", "调查核实中": "checking", "正在调查核实": "checking",
          "待核实": "checking"}
_CLOSURE = {"是": "done", "办结": "done", "已完成": "done", "完成": "done", "已办理": "done",
            "阶段办结": "staged", "阶段性完成": "staged", "阶段性办理": "staged",
            "否": "open", "未完成": "open", "正在办理": "ongoing", "办理中": "ongoing", "正在处理": "ongoing",
            "处理中": "ongoing", "正在整改": "ongoing", "整改中": "ongoing", "持续推进": "ongoing"}


def truthfulness(text: str) -> tuple[str | None, Issue | None]:
    """The 是否属实 verdict code and a warning: the old 是/否 is read (and said so), anything
    else unknown is kept as text only."""
    if not text:
        return None, None
    code = TRUTHFULNESS.from_text(text) or _TRUTH.get(re.sub(r"\s+", "", text))
    if code is None and text in ("是", "否"):
        code = "true" if text == "是" else "false"
        return code, Issue("cases.w_old_truth", {"text": text, "label": TRUTHFULNESS[code].zh})
    if code is None:
        return None, Issue("cases.w_bad_truth", {"text": text})
    return code, None


def closure_state(text: str) -> tuple[str | None, Issue | None]:
    """The 是否办结 state code (是/否 as done/open, 正在办理 as ongoing …); the caller keeps the text
    verbatim, and anything unknown is a warning, never dropped."""
    if not text:
        return None, None
    code = CLOSURE_STATES.from_text(text) or _CLOSURE.get(re.sub(r"\s+", "", text))
    return code, (Issue("cases.w_bad_closure", {"text": text}) if code is None else None)
