"""How `evaltool check` / `score` print a 自评表 (rich, through evaltool.console)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from evaltool.console import console, esc, print_findings, print_total
from evaltool.core.decimals import fmt, fmt_percent

if TYPE_CHECKING:
    from evaltool.core.model import Project, ScoreResult


def print_form_result(project: Project, result: ScoreResult) -> None:
    """A scored 自评表."""
    title = f"{esc(project.name or '（未填项目名称）')}  {esc(project.year or '')}年度"
    if project.sheet:
        title += f"  [dim]（工作表：{esc(project.sheet)}）[/]"
    console.rule(title)
    from evaltool.workbook.evaluate import display_places

    places = display_places(project)  # the 设置 sheet's 小数位: as the JSON, the cells and the report
    console.print(f"规则集：{esc(result.rule_name)}    执行率：{fmt_percent(result.rate_display)}    "
                  f"执行率得分：{fmt(result.rate_score, places)} / {fmt(result.rate_weight)}")
    from rich.table import Table

    table = Table(show_lines=False, header_style="bold")
    for col in ("一级指标", "二级指标", "三级指标", "分值", "得分", "计分说明"):
        table.add_column(col, overflow="fold", justify="right" if col in ("分值", "得分") else "left")
    for r in result.indicators:
        table.add_row(esc(r.level1), esc(r.level2), esc((r.level3[:24] + "…") if len(r.level3) > 25 else r.level3),
                      fmt(r.weight), fmt(r.score, places) if r.score is not None else "—", esc(r.explanation))
    console.print(table)
    subs = "  ".join(f"{esc(k)} {fmt(v, places)}" for k, v in result.subtotals.items())
    console.print(f"小计：{subs}")
    for step in result.adjustments:  # the rule set's 超额扣分 / 总分上限, one line each
        console.print(f"[yellow]计分调整（{esc(step.kind)}）[/]：{esc(step.reason)}")
    print_total(result, places)
    print_findings(result)
