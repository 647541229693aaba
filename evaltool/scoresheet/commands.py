"""CLI glue for the 评分表: how `evaltool score` prints one, and the `评分表` helper command."""
from __future__ import annotations

import click
from rich.table import Table

from evaltool.core.decimals import fmt, fmt_percent
from evaltool.core.model import Project


def print_sheet_result(project: Project, result) -> None:
    from evaltool.cli import console, print_findings

    title = f"{project.name or '（未填项目名称）'}  {project.year or ''}年度  评分表"
    if project.sheet:
        title += f"  [dim]（工作表：{project.sheet}）[/]"
    console.rule(title)
    console.print(f"规则集：{result.rule_name}    框架：{result.framework}")
    console.print(f"计划投资额 {fmt(result.planned)} 万元，实际到位 {fmt(result.arrived)} 万元，实际使用 "
                  f"{fmt(result.used)} 万元；资金到位率 {fmt_percent(result.arrival_rate)}，"
                  f"资金使用率 {fmt_percent(result.use_rate)}")
    table = Table(header_style="bold")
    for col in ("一级指标", "二级指标", "三级指标", "分值", "得分", "计分说明"):
        table.add_column(col, overflow="fold", justify="right" if col in ("分值", "得分") else "left")
    for r in result.indicators:
        table.add_row(r.level1, r.level2, r.level3, fmt(r.weight),
                      fmt(r.score, 2) if r.score is not None else "—", r.explanation)
    console.print(table)
    console.print("小计：" + "  ".join(f"{k} {fmt(v, 2)}/{fmt(result.level1_weights.get(k))}"
                                     for k, v in result.subtotals.items()))
    if result.evaluators:
        people = "、".join(f"{n} {fmt(s)}" for n, s in result.evaluators)
        console.print(f"评价人员：{people}；平均得分 {fmt(result.average, 2)}")
    for t in result.targets:
        console.print(f"绩效目标“{t.name}”：{t.tier or '未定级'}（{t.explanation}）")
    console.print(f"[bold]总分 {fmt(result.total, 2)}    等次 {result.grade}[/]")
    print_findings(result)


def _register() -> None:
    from evaltool.cli import friendly, main

    @main.command("frameworks")
    @click.option("--rules", "rules", default=None, help="规则集编号或规则文件路径")
    @friendly
    def frameworks_cmd(rules: str | None) -> None:
        """列出评分表的指标框架（一级、二级、三级指标及参考分值）。"""
        from evaltool.cli import console
        from evaltool.core.rules import load_rules
        from evaltool.scoresheet.framework import sheet_rules

        sr = sheet_rules(load_rules(rules))
        for fw in sr.frameworks.values():
            mark = "（默认）" if fw.name == sr.default else ""
            console.rule(f"{fw.name}{mark}  合计 {fmt(fw.total_weight)} 分")
            console.print(fw.description)
            for l1 in fw.level1.values():
                console.print(f"[bold]{l1.name} {fmt(l1.weight)}[/]")
                for l2, l3s in l1.level2.items():
                    items = "、".join(f"{k} {fmt(v)}" + ("（公式）" if fw.formula_of(k) else "") for k, v in l3s.items())
                    console.print(f"  {l2}：{items}")
        console.print(f"评价人员平均得分与总分允许偏差 {fmt(sr.average_tolerance)} 分；"
                      f"个人评分与总分允许偏差 {fmt(sr.personal_tolerance)} 分。")


_register()
