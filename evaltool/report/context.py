"""What a report template sees: the scored form as plain, pre-formatted values. The formatting every
kind's report context uses is here (and common_context, the keys all share); each kind builds its
own context (kinds/<name>/context.py).

Every number a template can print is formatted here, from the same Decimals the scorer produced,
so the narrative cannot drift from the table. Empty free texts become a visible 【待填写：…】 marker.
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from evaltool.core import values
from evaltool.core.decimals import fmt, round_half_up, to_decimal
from evaltool.core.model import Project, ScoreResult
from evaltool.core.seam import Percent

PLACEHOLDER = "【待填写：{}】"
PLACEHOLDER_RE = re.compile(r"【待(?:填写|核实)：[^】]*】")
MAX_LABEL = 24

# 报告素材 fields the templates use, with what the clerk is asked to write when one is empty.
MATERIAL_HINTS = {
    "项目背景": "项目背景和立项依据（文件名称、文号）",
    "主要内容及实施情况": "项目主要内容及实施情况",
    "项目决策情况": "项目立项、绩效目标设定和资金分配的决策过程",
    "项目过程情况": "资金管理和组织实施情况（管理制度、执行情况）",
    "绩效评价工作过程": "本次绩效评价的组织和工作过程",
    "主要经验及做法": "主要经验及做法",
    "存在的问题及原因分析": "存在的问题及原因分析",
    "有关建议": "有关建议",
    "其他需要说明的问题": "其他需要说明的问题（如没有，请填写“无”）",
}


def placeholder(hint: str) -> str:
    return PLACEHOLDER.format(hint)


def score_text(value: Decimal | None, places: int = 2) -> str:
    """Scores as the form shows them, without trailing zeros in prose: 15, 5.16, 98.5."""
    return "—" if value is None else fmt(round_half_up(value, places))


money = score_text  # 万元 amounts read the same way: 921.47, 35


def percent_text(rate: Decimal | None, places: int = 2) -> str:
    """Rates as shown on the form: 51.56%, 100%."""
    return "—" if rate is None else score_text(rate * 100, places) + "%"


def escape_markup(text: str) -> str:
    """Clerk-typed text is data, never layout: a line starting with '#', '>>' or '[[' must not
    become a heading, a right-aligned line or a table marker in the report."""
    text = re.sub(r"(?m)^(\s*)#", r"\1＃", text)
    text = re.sub(r"(?m)^(\s*)>>", r"\1＞＞", text)
    return text.replace("[[", "［［").replace("]]", "］］")


def raw_text(value: Any) -> str:
    """A cell value as the clerk typed it (one line), numbers without float noise."""
    if value is None:
        return ""
    if isinstance(value, Percent):  # 0.93 in a percent-formatted cell is the 93% on the clerk's screen
        return value.text
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        dec = to_decimal(value)
        return fmt(dec) if dec is not None else str(value)
    return escape_markup(re.sub(r"\s+", " ", str(value)).strip())


def long_text(value: Any) -> str:
    """A free text that may hold several paragraphs: one paragraph per non-empty line."""
    if value is None:
        return ""
    lines = [re.sub(r"[ \t\u3000]+", " ", line).strip() for line in str(value).splitlines()]
    return escape_markup("\n".join(line for line in lines if line))


def clean_unit(unit: str) -> str:
    """'021001-霍邱县人民政府办公室' → '霍邱县人民政府办公室' (budget-system codes are not names)."""
    return re.sub(r"^\s*\d+\s*[-－—]\s*", "", unit or "")


def indicator_label(name: str) -> str:
    """A short name for prose: long 三级指标 (seed 002 lists seven items in one cell) are cut at the
    first item and marked 等, so the narrative stays readable and its sentences stay whole."""
    text = re.sub(r"\s+", "", name or "").rstrip("。；;")
    if not text:
        return "（未填写名称）"
    if len(text) <= MAX_LABEL and not re.search(r"[；;。“”\"]", text):
        return text
    text = re.sub(r"^[(（]?\d+[.、)）]", "", text)
    first = re.split(r"[；;。，,、：:“”\"]", text, maxsplit=1)[0]
    return first[:MAX_LABEL] + "等"


def unique_labels(names: list[str]) -> list[str]:
    """indicator_label of each name, a repeated one numbered （2）, （3） …; the report and
    check-report must number them alike, so both take them from here."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        label = indicator_label(name)
        seen[label] = seen.get(label, 0) + 1
        out.append(f"{label}（{seen[label]}）" if seen[label] > 1 else label)
    return out


def fund_amount(raw: Any) -> Decimal | None:
    """A 万元 amount read the way the scorer reads it (元 converted), None when absent or unreadable."""
    parsed = values.parse(raw)
    q = parsed.quantity
    if parsed.kind != "number" or q is None or parsed.direction:
        return None
    return values.in_wanyuan(q)


def year_prefix(name: str, year: str) -> str:
    """'2023年度' before a project name, or nothing when the name already starts with its year."""
    return f"{year}年度" if year and not name.startswith(year) else ""


def subject(name: str, year: str) -> str:
    """'2023年度“信息化项目建设项目”', or just the quoted name when it already starts with its year."""
    return f"{year_prefix(name, year)}“{name}”"


def grade_scale(grades: list[tuple[str, Decimal]]) -> str:
    """'90分及以上为优，80分（含）至90分为良，60分（含）至80分为中，60分以下为差' from the rule set."""
    parts = []
    for k, (name, floor) in enumerate(grades):
        if k == 0:
            parts.append(f"{fmt(floor)}分及以上为{name}")
        elif floor > 0:
            parts.append(f"{fmt(floor)}分（含）至{fmt(grades[k - 1][1])}分为{name}")
        else:
            parts.append(f"{fmt(grades[k - 1][1])}分以下为{name}")
    return "，".join(parts)


def rules_of(project: Project, result: ScoreResult):
    from evaltool.core.rules import load_rules

    try:
        return load_rules(project.rules or result.rule_id)
    except Exception:  # noqa: BLE001 - the result was scored with it; wording falls back to the national text
        return None


def common_context(project: Project, result: ScoreResult) -> dict[str, Any]:
    """What templates of both forms see alike: the project header, the form's errors, the clerk's
    报告素材 texts and the placeholder helpers; each builder adds what is its form's own."""
    name = raw_text(project.name) or "（未填写项目名称）"
    year = raw_text(project.year)
    material = {str(k): long_text(v) for k, v in (project.report or {}).items()}

    def text_or_placeholder(key: str, hint: str | None = None) -> str:
        value = (material.get(key) or "").strip()
        return value or placeholder(hint or MATERIAL_HINTS.get(key, key))

    return {
        "project": {
            "name": name,
            "year": year,
            "department": clean_unit(raw_text(project.department)),
            "unit": clean_unit(raw_text(project.unit) or raw_text(project.department)),
            "sheet": project.sheet or "",
            "subject": subject(name, year),
        },
        "errors": form_errors(result),
        "material": material,
        "text": text_or_placeholder,
        "placeholder": placeholder,
    }


def form_errors(result: ScoreResult) -> list[str]:
    """Errors of the form itself; contradictions in the 报告素材 texts are the clerk's to fix in the text."""
    return [f.message for f in result.findings if f.severity == "error" and not f.code.startswith("E-REPORT-")]


