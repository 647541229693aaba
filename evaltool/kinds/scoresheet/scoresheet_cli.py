"""CLI glue for the 评分表: how `evaltool score` prints one, and the `评分表` helper command."""
from __future__ import annotations

import click
from rich.table import Table

from evaltool.core.decimals import fmt, fmt_percent
from evaltool.core.model import Project


def print_sheet_result(project: Project, result) -> None:
    from evaltool.cli import console, esc, print_findings, print_total

    title = f"{esc(project.name or '（未填项目名称）')}  {esc(project.year or '')}年度  评分表"
    if project.sheet:
        title += f"  [dim]（工作表：{esc(project.sheet)}）[/]"
    console.rule(title)
    console.print(f"规则集：{esc(result.rule_name)}    框架：{esc(result.framework)}")
    console.print(f"计划投资额 {fmt(result.planned)} 万元，实际到位 {fmt(result.arrived)} 万元，实际使用 "
                  f"{fmt(result.used)} 万元；资金到位率 {fmt_percent(result.arrival_rate)}，"
                  f"资金使用率 {fmt_percent(result.use_rate)}")
    table = Table(header_style="bold")
    for col in ("一级指标", "二级指标", "三级指标", "分值", "得分", "计分说明"):
        table.add_column(col, overflow="fold", justify="right" if col in ("分值", "得分") else "left")
    for r in result.indicators:
        table.add_row(esc(r.level1), esc(r.level2), esc(r.level3), fmt(r.weight),
                      fmt(r.score, 2) if r.score is not None else "—", esc(r.explanation))
    console.print(table)
    console.print("小计：" + "  ".join(f"{esc(k)} {fmt(v, 2)}/{fmt(result.level1_weights.get(k))}"
                                     for k, v in result.subtotals.items()))
    if result.evaluators:
        people = "、".join(f"{esc(n)} {fmt(s)}" for n, s in result.evaluators)
        console.print(f"评价人员：{people}；平均得分 {fmt(result.average, 2)}")
    for t in result.targets:
        console.print(f"绩效目标“{esc(t.name)}”：{esc(t.tier or '未定级')}（{esc(t.explanation)}）")
    print_total(result)
    print_findings(result)


def _register() -> None:
    from evaltool.cli import friendly, main

    @main.command("frameworks")
    @click.option("--rules", "rules", default=None, help="规则集编号或规则文件路径")
    @friendly
    def frameworks_cmd(rules: str | None) -> None:
        """列出评分表的指标框架（一级、二级、三级指标及参考分值）。"""
        from evaltool.cli import console, esc
        from evaltool.core.rules import load_rules
        from evaltool.kinds.scoresheet.framework import sheet_rules

        sr = sheet_rules(load_rules(rules))
        for fw in sr.frameworks.values():
            mark = "（默认）" if fw.name == sr.default else ""
            console.rule(f"{esc(fw.name)}{mark}  合计 {fmt(fw.total_weight)} 分")
            console.print(esc(fw.description))
            for l1 in fw.level1.values():
                console.print(f"[bold]{esc(l1.name)} {fmt(l1.weight)}[/]")
                for l2, l3s in l1.level2.items():
                    items = "、".join(f"{esc(k)} {fmt(v)}" + ("（公式）" if fw.formula_of(k) else "") for k, v in l3s.items())
                    console.print(f"  {esc(l2)}：{items}")
        console.print(f"评价人员平均得分与总分允许偏差 {fmt(sr.average_tolerance)} 分；"
                      f"个人评分与总分允许偏差 {fmt(sr.personal_tolerance)} 分。")


_register()


def _register_new() -> None:
    from evaltool.cli import console, esc, friendly, main

    @main.command("new-scoresheet")
    @click.option("-o", "--output", default="项目支出绩效评价评分表.xlsx", show_default=True, help="新工作簿的文件名")
    @click.option("--rules", "rules", default=None, help="规则集编号或规则文件路径（决定默认框架）")
    @click.option("--framework", "framework", default=None, help="评分框架名称，如 四段式、三段式（evaltool frameworks 查看）")
    @friendly
    def new_scoresheet_cmd(output: str, rules: str | None, framework: str | None) -> None:
        """新建空白评分表工作簿（绩效评价指标评分、评价人员、绩效目标表）。用案例文件预填请用 evaltool new --from。"""
        from evaltool.kinds.scoresheet.template import write_scoresheet_workbook
        from evaltool.workbook.workbook_cli import new_target

        target = new_target(output)
        write_scoresheet_workbook(target, None, rules, framework)
        console.print(f"已生成空白评分表：{esc(target)}。填写方法见其中的“说明”工作表。")


_register_new()
