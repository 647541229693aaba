"""What a 评分表 report's template sees (seed 001 shape), on top of report/context.py's common_context."""
from __future__ import annotations

from typing import Any, cast

from evaltool.core.model import Project, ScoreResult
from evaltool.kinds.scoresheet.scoring import SheetResult
from evaltool.core.results import UNGRADED_LABEL
from evaltool.report.context import (common_context, escape_markup, grade_scale, indicator_label, money, raw_text,
                                     rules_of, score_text)


def build_scoresheet_context(project: Project, result: ScoreResult) -> dict[str, Any]:
    """The template context for a scored 评分表 (seed 001 shape), from evaltool.kinds.scoresheet's facts
    (common_context's keys, plus its own)."""
    from evaltool.kinds.scoresheet.facts import scoresheet_facts
    from evaltool.kinds.scoresheet.model import sheet_from_project

    facts = scoresheet_facts(project, result=cast(SheetResult, result))  # the 评分表's scorer made it
    sheet = sheet_from_project(project)
    rules = rules_of(project, result)
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
    ctx = common_context(project, result)
    ctx["project"]["type"] = raw_text(project.basic_info.get("项目类型"))
    ctx.update({
        "kind": "评分表",
        "title_suffix": "绩效评价报告",
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
