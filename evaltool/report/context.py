"""What a report template sees: the scored form as plain, pre-formatted values.

Every number a template can print is formatted here, from the same Decimals the scorer produced,
so the narrative cannot drift from the table. Empty free texts become a visible 【待填写：…】 marker.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from evaltool.core import values
from evaltool.core.decimals import fmt, fmt_percent, round_half_up, to_decimal
from evaltool.core.model import FUND_ROWS, Project, ScoreResult
from evaltool.core.results import UNGRADED_LABEL
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


def _actual_text(ind: Any) -> str:
    """The 实际完成值 as the report states it: as typed, except a bare fraction under a percent
    target, which scoring reads as a percentage (0.93 under ≥90% is 93%), so the text says 93%."""
    if ind is None:
        return ""
    raw = getattr(ind, "actual", None)
    if not isinstance(raw, Percent) and isinstance(raw, (int, float, Decimal, str)) and not isinstance(raw, bool):
        target, actual = values.parse(getattr(ind, "target", None)), values.parse(raw)
        compared = values.actual_as_compared(target, actual)
        if compared is not None and actual.quantity is not None and compared.unit != actual.quantity.unit:
            return compared.text()
    return raw_text(raw)


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


@dataclass
class IndicatorView:
    index: int  # 0-based position on the form
    level1: str
    level2: str
    name: str  # 三级指标 as typed
    label: str  # short form for prose (unique within the report)
    target: str
    actual: str
    weight: str
    score: str
    weight_value: Decimal | None
    score_value: Decimal | None
    method: str
    explanation: str
    qualitative: bool
    full: bool  # scored its whole weight
    scored: bool
    deviation: str  # 偏差原因分析及改进措施 as typed ("" when empty)
    deviation_or_placeholder: str
    far_above: bool = False  # the result far exceeds the target: the target may have been set too low


class _Shortfalls:
    """shortfalls and unscored of a level's items, worded once for 一级 and 二级 alike."""

    items: list[IndicatorView]

    @property
    def shortfalls(self) -> list[IndicatorView]:
        return [i for i in self.items if i.scored and not i.full]

    @property
    def unscored(self) -> list[IndicatorView]:
        return [i for i in self.items if not i.scored]


@dataclass
class Level2View(_Shortfalls):
    name: str
    weight: str
    score: str
    items: list[IndicatorView] = field(default_factory=list)


@dataclass
class Level1View(_Shortfalls):
    name: str
    weight: str
    score: str
    groups: list[Level2View] = field(default_factory=list)

    @property
    def items(self) -> list[IndicatorView]:
        return [i for g in self.groups for i in g.items]


@dataclass
class FundView:
    label: str
    initial: str
    budget: str
    actual: str
    has_initial: bool
    nonzero: bool


def _sum(values_: list[Decimal | None]) -> Decimal | None:
    present = [v for v in values_ if v is not None]
    return sum(present, Decimal(0)) if present else None


def fund_amount(raw: Any) -> Decimal | None:
    """A 万元 amount read the way the scorer reads it (元 converted), None when absent or unreadable."""
    parsed = values.parse(raw)
    q = parsed.quantity
    if parsed.kind != "number" or q is None or parsed.direction:
        return None
    return values.in_wanyuan(q)


def build_levels(project: Project, result: ScoreResult) -> list[Level1View]:
    places = 2
    levels: dict[str, Level1View] = {}
    raw_by_index = {i: ind for i, ind in enumerate(project.indicators)}
    far_above = {f.indicator for f in result.findings if f.code == "W-FAR-ABOVE" and f.indicator is not None}
    level_sums: dict[str, list[Decimal]] = {}
    group_sums: dict[tuple[str, str], list[Decimal]] = {}
    labels = unique_labels([r.level3 for r in result.indicators])
    for r, label in zip(result.indicators, labels):
        ind = raw_by_index.get(r.index)
        l1 = r.level1 or "（未填一级指标）"
        l2 = r.level2 or "（未填二级指标）"
        deviation = raw_text(getattr(ind, "deviation", None)) if ind is not None else ""
        scored = r.score is not None and r.weight is not None
        full = scored and r.score >= r.weight
        hint = (f"“{label}”得分低于分值，请在自评表“偏差原因分析及改进措施”栏说明未完成的原因和改进措施"
                if scored and not full else f"“{label}”的偏差原因")
        view = IndicatorView(
            index=r.index, level1=escape_markup(l1), level2=escape_markup(l2), name=escape_markup(r.level3),
            label=escape_markup(label),
            target=raw_text(getattr(ind, "target", None)) if ind is not None else "",
            actual=_actual_text(ind),
            weight=score_text(r.weight, places), score=score_text(r.score, places),
            weight_value=r.weight, score_value=r.score, method=r.method, explanation=r.explanation,
            qualitative=r.method == "定性", full=full, scored=scored,
            deviation=deviation, deviation_or_placeholder=deviation or placeholder(hint),
            far_above=r.index in far_above,
        )
        lv = levels.setdefault(l1, Level1View(l1, "", ""))
        group = next((g for g in lv.groups if g.name == l2), None)
        if group is None:
            group = Level2View(l2, "", "")
            lv.groups.append(group)
        group.items.append(view)
        level_sums.setdefault(l1, [Decimal(0), Decimal(0)])
        group_sums.setdefault((l1, l2), [Decimal(0), Decimal(0)])
        for sums in (level_sums[l1], group_sums[(l1, l2)]):
            sums[0] += r.weight or Decimal(0)
            sums[1] += r.score or Decimal(0)
    for l1, lv in levels.items():
        lv.weight = score_text(level_sums[l1][0])
        # The 一级 subtotal is the scorer's own (rounded once, as on the form).
        lv.score = score_text(result.subtotals.get(l1, level_sums[l1][1]))
        for g in lv.groups:
            g.weight = score_text(group_sums[(l1, g.name)][0])
            g.score = score_text(group_sums[(l1, g.name)][1])
    return list(levels.values())


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


def _rules_of(project: Project, result: ScoreResult):
    from evaltool.core.rules import load_rules

    try:
        return load_rules(project.rules or result.rule_id)
    except Exception:  # noqa: BLE001 - the result was scored with it; wording falls back to the national text
        return None


def _common_context(project: Project, result: ScoreResult) -> dict[str, Any]:
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


def build_context(project: Project, result: ScoreResult) -> dict[str, Any]:
    """The template context for one scored 自评表 (_common_context's keys, plus its own)."""
    rules = _rules_of(project, result)
    rows: list[FundView] = []
    amounts: dict[str, dict[str, Decimal | None]] = {}
    for label in FUND_ROWS:
        row = project.funds.get(label)
        a = {k: fund_amount(getattr(row, attr)) if row else None
             for k, attr in (("initial", "initial"), ("budget", "budget"), ("actual", "actual"))}
        amounts[label] = a
        rows.append(FundView(label, money(a["initial"]), money(a["budget"]), money(a["actual"]),
                             a["initial"] is not None,
                             any(v not in (None, Decimal(0)) for v in a.values())))
    total = amounts["年度资金总额"]
    budget, actual, initial = total["budget"], total["actual"], total["initial"]
    unexecuted = budget - actual if budget is not None and actual is not None else None
    levels = build_levels(project, result)
    indicators = [i for lv in levels for i in lv.items]
    shortfalls = [i for i in indicators if i.scored and not i.full]
    unscored = [i for i in indicators if not i.scored]
    output_levels = [lv for lv in levels if "产出" in lv.name]
    other_levels = [lv for lv in levels if "产出" not in lv.name]
    rate_display = result.rate_display
    ctx = _common_context(project, result)
    ctx["project"]["subject_project"] = ctx["project"]["subject"] + (
        "" if raw_text(project.name).endswith("项目") else "项目")
    ctx.update({
        "rule_name": escape_markup(result.rule_name),
        "grade_scale": grade_scale(rules.grades) if rules else "90分及以上为优，80分（含）至90分为良，60分（含）至80分为中，60分以下为差",
        "qualitative_bands": [b.name for b in rules.qual_bands] if rules else
        ["达成预期指标", "部分达成预期指标并具有一定效果", "未达成预期指标且效果较差"],
        "rate_method": rules.rate_method if rules else "比例",
        "funds": {
            "rows": rows,
            "parts": [r for r in rows[1:] if r.nonzero],
            "budget": money(budget),
            "initial": money(initial),
            "has_initial": initial is not None,
            "initial_differs": initial is not None and budget is not None and initial != budget,
            "actual": money(actual),
            "unexecuted": money(unexecuted),
            "over": unexecuted is not None and unexecuted < 0,
            "overspent": money(-unexecuted) if unexecuted is not None and unexecuted < 0 else "",
            "rate": percent_text(rate_display),
            "rate_form": fmt_percent(rate_display),  # as on the form: 100.00%
            "rate_score_form": fmt(result.rate_score, 2),
            "rate_known": rate_display is not None,
            "rate_full": rate_display is not None and rate_display >= 1,
            "rate_weight": score_text(result.rate_weight),
            "rate_score": score_text(result.rate_score),
            "rate_explanation": result.rate_explanation,
        },
        "goal": {
            "expected": long_text(project.goal_expected).replace("\n", "") or placeholder("年度总体目标的预期目标（自评表“年度总体目标”栏）"),
            "actual": long_text(project.goal_actual).replace("\n", "") or placeholder("年度总体目标的实际完成情况（自评表“年度总体目标”栏）"),
        },
        "levels": levels,
        "output_levels": output_levels,
        "other_levels": other_levels,
        "indicators": indicators,
        "indicator_count": len(indicators),
        "full_count": sum(1 for i in indicators if i.full),
        "shortfalls": shortfalls,
        "unscored": unscored,
        "subtotals": [(name, score_text(value)) for name, value in result.subtotals.items()],
        # Ungraded: every place a template prints the 总分 or 等次 reads 无法计分, never a number.
        "total": UNGRADED_LABEL if result.ungraded else score_text(result.total),
        "total_form": UNGRADED_LABEL if result.ungraded else fmt(result.total, 2),
        "total_weight": score_text(sum((i.weight_value or Decimal(0) for i in indicators),
                                       result.rate_weight or Decimal(0))),
        "grade": UNGRADED_LABEL if result.ungraded else (result.grade or "—"),
        "ungraded": escape_markup(result.ungraded or ""),  # the reason; "" when graded
    })
    return ctx


def form_errors(result: ScoreResult) -> list[str]:
    """Errors of the form itself; contradictions in the 报告素材 texts are the clerk's to fix in the text."""
    return [f.message for f in result.findings if f.severity == "error" and not f.code.startswith("E-REPORT-")]


# ---- 评分表 (evaluation scoring table) ----------------------------------------------------------------
def build_scoresheet_context(project: Project, result: ScoreResult) -> dict[str, Any]:
    """The template context for a scored 评分表 (seed 001 shape), from evaltool.kinds.scoresheet's facts
    (_common_context's keys, plus its own)."""
    from evaltool.kinds.scoresheet.facts import scoresheet_facts
    from evaltool.kinds.scoresheet.model import sheet_from_project

    facts = scoresheet_facts(project, result=result)
    sheet = sheet_from_project(project)
    rules = _rules_of(project, result)
    sentences = {k: escape_markup(v) for k, v in facts["句子"].items()}
    targets = []
    for row, t in zip(sheet.targets, facts["绩效目标"]):
        targets.append({
            "name": raw_text(row.name), "kind": raw_text(row.kind), "goal": raw_text(row.goal),
            "actual": raw_text(row.actual), "tier": t.get("等级") or "", "explanation": escape_markup(t.get("说明") or ""),
            "tiers": [(k, raw_text(v)) for k, v in row.tiers.items()],
        })
    sections = [{"title": s["章节"], "sentence": escape_markup(s["句子"]), "weight": score_text(s["分值"]),
                 "score": score_text(s["得分"])} for s in facts["指标分析"]]
    deductions = [{"label": indicator_label(str(d["三级指标"])), "level1": d["一级指标"], "level2": d["二级指标"],
                   "weight": score_text(d["分值"]), "score": score_text(d["得分"]), "lost": score_text(d["扣分"]),
                   "basis": raw_text(d["评分依据"])} for d in facts["扣分指标"]]
    level1 = [{"name": x["名称"], "weight": score_text(x["分值"]), "score": score_text(x["得分"]),
               "groups": [{"name": g["名称"], "weight": score_text(g["分值"]), "score": score_text(g["得分"])}
                          for g in x["二级指标"]]} for x in facts["一级指标"]]
    evaluators = [{"name": raw_text(e.name), "title": raw_text(e.title), "unit": raw_text(e.unit),
                   "score": raw_text(e.score)} for e in sheet.evaluators]
    ctx = _common_context(project, result)
    ctx["project"]["type"] = raw_text(project.basic_info.get("项目类型"))
    ctx.update({
        "kind": "评分表",
        "rule_name": escape_markup(result.rule_name),
        "framework": escape_markup(facts["框架"] or ""),
        "grade_scale": grade_scale(rules.grades) if rules else "",
        "funds": {
            "planned": money(facts["计划投资额"]), "arrived": money(facts["实际到位资金"]), "used": money(facts["实际使用情况"]),
            "arrival_rate": facts["资金到位率文本"], "use_rate": facts["资金使用率文本"],
            "known": facts["计划投资额"] is not None,
        },
        "sentences": sentences,
        "targets": targets,
        "sections": sections,
        "deductions": deductions,
        "levels": level1,
        "evaluators": evaluators,
        "average": score_text(facts["评价人员平均得分"]),
        "total": UNGRADED_LABEL if result.ungraded else score_text(facts["总分"]),
        "final": UNGRADED_LABEL if result.ungraded else score_text(facts["最终得分"]),
        "grade": UNGRADED_LABEL if result.ungraded else (facts["等次"] or "—"),
        "ungraded": escape_markup(result.ungraded or ""),
    })
    return ctx
