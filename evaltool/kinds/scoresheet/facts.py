"""What the narrative report needs from a 评分表, and a check of report text against it.

scoresheet_facts(project) gives the figures sections 三 (综合评价) and 四 (指标分析) state, already
formatted; check_report_text(project, text) flags sentences whose figures disagree with the table
(seed 001 writes 87.44 of 195.01 as "占44.83%"; the table gives 44.84%). Pure: no report library.
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from evaltool.core import values
from evaltool.core.decimals import HUNDRED, fmt, round_half_up, to_decimal
from evaltool.core.model import Finding, Location, Project
from evaltool.core.rules import RuleSet, load_rules
from evaltool.kinds.scoresheet.model import sheet_from_project
from evaltool.kinds.scoresheet.scoring import DIRECTION_WORDS, SheetResult, evaluate_sheet


def pct_text(rate: Decimal | None, places: int = 2) -> str:
    """1 -> '100%', 0.448387 -> '44.84%': whole percentages without zeros, others to `places`."""
    if rate is None:
        return "—"
    value = round_half_up(rate * HUNDRED, places)
    if value == value.to_integral_value():
        return f"{int(value)}%"
    return f"{value:.{places}f}%"


def scoresheet_facts(project: Project, rules: RuleSet | None = None,
                     result: SheetResult | None = None) -> dict[str, Any]:
    """Facts for the report of a 评分表 project; numbers as Decimal, texts ready to print."""
    rules = rules or load_rules(project.rules)
    result = result or evaluate_sheet(project, rules)
    sheet = sheet_from_project(project)
    basis_by_index = {row.n - 1: row.basis for row in sheet.rows}
    level1: list[dict[str, Any]] = []
    for name, score in result.subtotals.items():
        weight = result.level1_weights.get(name)
        level2 = [{"名称": l2, "分值": w, "得分": s, "扣分": w - s}
                  for (l1, l2), (w, s) in result.level2.items() if l1 == name]
        level1.append({"名称": name, "分值": weight, "得分": score,
                       "扣分": (weight - score) if weight is not None and score is not None else None,
                       "二级指标": level2})
    deductions = [{"一级指标": r.level1, "二级指标": r.level2, "三级指标": r.level3, "分值": r.weight, "得分": r.score,
                   "扣分": r.weight - r.score, "评分依据": basis_by_index.get(r.index) or ""}
                  for r in result.indicators if r.weight is not None and r.score is not None and r.score < r.weight]
    arrival, use = pct_text(result.arrival_rate), pct_text(result.use_rate)
    final = None if result.ungraded else (result.average if result.average is not None else result.total)
    sentences = {
        "资金到位": (f"项目计划投资{fmt(result.planned)}万元，实际到位{fmt(result.arrived)}万元，资金到位率{arrival}。"
                  if result.arrival_rate is not None else ""),
        "资金使用": (f"实际使用{fmt(result.used)}万元，占实际到位资金的{use}（资金使用率{use}）。"
                  if result.use_rate is not None else ""),
        "综合评价": (f"从{'、'.join(result.subtotals)}等{len(result.subtotals)}个方面对项目进行评价，"
                  + (f"评分表有内容无法读取或计算，无法计分（{result.ungraded}），不给出总分和评价等次。"
                     if result.ungraded else
                     f"评分表总分{fmt(result.total)}分"
                     + (f"，{len(result.evaluators)}位评价人员平均得分{fmt(result.average)}分" if result.average is not None else "")
                     + f"，评价等次为“{result.grade}”。")),
        "指标得分": "；".join(f"{x['名称']}{fmt(x['分值'])}分，" + (f"得{fmt(x['得分'])}分" if x["得分"] is not None
                                                                else "无法计分") for x in level1) + "。",
    }
    return {
        "类型": "评分表",
        "框架": result.framework,
        "指标分析": analysis_sections(result, rules, deductions),
        "计划投资额": result.planned,
        "实际到位资金": result.arrived,
        "实际使用情况": result.used,
        "资金到位率": result.arrival_display,
        "资金到位率文本": arrival,
        "资金使用率": result.use_display,
        "资金使用率文本": use,
        "预算执行率": result.use_display,
        "预算执行率文本": use,
        "总分": result.total,
        "评价人员平均得分": result.average,
        "最终得分": final,
        "等次": result.grade,
        "评价人员": [{"姓名": n, "项目评分": s} for n, s in result.evaluators],
        "一级指标": level1,
        "扣分指标": deductions,
        "绩效目标": [{"指标名称": t.name, "指标类型": t.kind, "方向": DIRECTION_WORDS.get(t.direction or ""),
                  "实际完成值": t.actual, "等级": t.tier, "说明": t.explanation} for t in result.targets],
        "句子": sentences,
        "标记": result.findings,
    }


def analysis_sections(result: SheetResult, rules: RuleSet, deductions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Section 四 (绩效评价指标分析) of the national outline: 项目决策, 项目过程, 项目产出, 项目效益,
    each mapped to the framework's 一级 (or 一级/二级) indicators by the rule set's 报告章节."""
    from evaltool.kinds.scoresheet.framework import sheet_rules

    fw = sheet_rules(rules).framework(result.framework)
    out = []
    for title, parts in fw.sections.items():
        weight = score = Decimal(0)
        for r in result.indicators:
            if any(r.level1 == l1 and (l2 is None or r.level2 == l2) for l1, l2 in parts):
                weight += r.weight or Decimal(0)
                score += r.score or Decimal(0)
        lost = [d for d in deductions if any(d["一级指标"] == l1 and (l2 is None or d["二级指标"] == l2)
                                             for l1, l2 in parts)]
        share = score / weight if weight else None
        text = f"{title}类指标共{fmt(weight)}分，得{fmt(score)}分" + (f"，得分率{pct_text(share)}" if share is not None else "")
        if lost:
            text += "。其中" + "，".join(f"“{d['三级指标']}”扣{fmt(d['扣分'])}分" + (f"（{d['评分依据']}）" if d["评分依据"] else "")
                                      for d in lost)
        else:
            text += "，未扣分"
        out.append({"章节": title, "指标": ["/".join(x for x in part if x) for part in parts], "分值": weight,
                    "得分": score, "得分率": share, "扣分指标": lost, "句子": text + "。"})
    return out


# ---- checking report text ----------------------------------------------------------------------
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)%")
_SCORE = re.compile(r"(?:得分|评分|总分|综合得分)(?:为|是|:)?(\d+(?:\.\d+)?)分")
_GRADE = re.compile(r"(?:总体评价|评价等次|评价等级|评价结论|等次|等级)(?:为|是|:)?[\"“]?(优秀|优|良好|良|中等|中|合格|差)")
_GRADE_WORDS = {"优秀": "优", "良好": "良", "中等": "中", "合格": "中"}


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[。；;！!？?\n])", text) if s.strip()]


def _amount_in(sentence: str, amount: Decimal | None) -> bool:
    if amount is None:
        return False
    return any(to_decimal(m) == amount for m in re.findall(r"\d+(?:\.\d+)?", sentence))


def _agrees(written: Decimal, exact: Decimal) -> bool:
    """The written figure equals the exact one rounded half-up to as many places as were written."""
    exponent = written.as_tuple().exponent  # an int: a written figure is finite
    places = max(0, -exponent) if isinstance(exponent, int) else 0
    return round_half_up(exact, places) == written


def check_report_text(project: Project, text: str, rules: RuleSet | None = None,
                      result: SheetResult | None = None, where: str = "报告") -> list[Finding]:
    """Findings for sentences whose 资金到位率/资金使用率, score or 等次 disagree with the 评分表."""
    rules = rules or load_rules(project.rules)
    result = result or evaluate_sheet(project, rules)
    findings: list[Finding] = []

    def flag(code: str, sentence: str, message: str, field: str) -> None:
        quote = sentence.strip()
        quote = quote if len(quote) <= 60 else quote[:58] + "…"
        findings.append(Finding(code, "error", f"报告中“{quote}”{message}", field, Location(path=where)))

    for sentence in _sentences(text):
        norm = values.normalize(sentence)
        for match in _PERCENT.finditer(norm):
            written = Decimal(match.group(1))
            candidates: list[tuple[str, Any, Any, Any]] = []  # (what, rate, numerator, denominator)
            if result.use_rate is not None and (_amount_in(norm, result.used)
                                                or re.search(r"支出|使用|执行", norm) and "到位" not in norm):
                candidates.append(("资金使用率", *result.fund_rates["资金使用率"]))
                if result.planned is not None and result.planned > 0 and result.used is not None:
                    candidates.append(("实际使用占计划投资的比例", result.used / result.planned, result.used,
                                       result.planned))
            elif result.arrival_rate is not None and "到位" in norm:
                candidates.append(("资金到位率", *result.fund_rates["资金到位率"]))
            if not candidates or any(_agrees(written, rate * HUNDRED) for _, rate, _, _ in candidates):
                continue
            name, rate, num, den = candidates[0]
            flag("E-SS-REPORT-RATE", sentence,
                 f"写的是 {match.group(1)}%，评分表计算的{name}为 {pct_text(rate)}（{fmt(num)} ÷ {fmt(den)}）。"
                 f"请改为 {pct_text(rate)}。", name)
        for match in _SCORE.finditer(norm):
            written = Decimal(match.group(1))
            known = [v for v in (result.total, result.average) if v is not None]
            if known and written <= 100 and not any(_agrees(written, v) for v in known):
                final = result.average if result.average is not None else result.total
                flag("E-SS-REPORT-SCORE", sentence,
                     f"写的得分 {match.group(1)} 分与评分表不一致（总分 {fmt(result.total)} 分"
                     + (f"，评价人员平均 {fmt(result.average)} 分" if result.average is not None else "")
                     + f"）。请改为 {fmt(final)} 分。", "总分")
        for match in _GRADE.finditer(norm):
            grade = _GRADE_WORDS.get(match.group(1), match.group(1))
            if result.grade and grade != result.grade:
                flag("E-SS-REPORT-GRADE", sentence,
                     f"写的等次“{match.group(1)}”与评分表得出的“{result.grade}”不一致。", "等次")
    return findings


__all__ = ["scoresheet_facts", "check_report_text", "pct_text"]
