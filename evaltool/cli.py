"""Command line: the same core the Excel buttons use, for people without Excel."""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from typing import TYPE_CHECKING

import click

from evaltool.cli_base import (EXIT_FINDINGS, EXIT_OK, EXIT_UNUSABLE, OUTPUT_KINDS, ZhCommand, ZhGroup,  # noqa: F401
                               check_output, friendly, main)
from evaltool.console import (CONTROL_RE, SEVERITY_STYLE, console, err_console, esc, exit_code,  # noqa: F401
                              json_text, print_findings, print_result, print_total, to_json, visible_char)
from evaltool.core.decimals import fmt

if TYPE_CHECKING:  # the model (dataclasses) loads with the first command that reads a project
    from evaltool.core.model import Project, ScoreResult

# Earlier names of the console's control-character filter (tests/test_security.py uses them).
_CONTROL_RE, _visible = CONTROL_RE, visible_char


# ---- loading and scoring: the service layer (workbook/service.py), under the names the commands use
def load_projects(path: str, rules: str | None = None) -> list[Project]:
    """Projects in a case file (.yaml) or a workbook (.xlsx, one per 自评表 sheet)."""
    from evaltool.workbook import service

    return service.load(path, rules)


def evaluate_all(projects: list[Project], rule_set=None) -> list[tuple[Project, ScoreResult]]:
    """Score each project with its rule set (or rule_set) and the 报告素材 text check."""
    from evaltool.workbook import service

    return service.score(projects, rule_set)


# ---- commands --------------------------------------------------------------------------------
@main.command("score")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="输出机器可读的 JSON（含全部校验结果）")
@click.option("--rules", "rules", default=None, help="规则集编号或规则文件路径（默认取文件中的设置）")
@click.option("-o", "--output", default=None, help="（工作簿）把计分结果写入另一个文件")
@friendly
def score_cmd(file: str, as_json: bool, rules: str | None, output: str | None) -> None:
    """计分：计算执行率、各指标得分、小计、总分和等次。"""
    if Path(file).suffix.lower() not in (".yaml", ".yml"):
        from evaltool.workbook.workbook_cli import score_workbook

        sys.exit(score_workbook(file, output=output, rules=rules, as_json=as_json))
    results = evaluate_all(load_projects(file, rules))
    if as_json:
        click.echo(to_json(results))
    else:
        for p, r in results:
            print_result(p, r)
    sys.exit(exit_code(results))


@main.command("rules")
@click.argument("rule_id", required=False)
@friendly
def rules_cmd(rule_id: str | None) -> None:
    """列出内置规则集，或显示一个规则集（编号或文件路径）。"""
    import evaltool.core.kinds  # noqa: F401 - hands in every kind's check of its own rule-file section
    from evaltool.core.rules import DEFAULT_RULES, builtin_ids, load_rules

    if not rule_id:
        from rich.table import Table

        table = Table(header_style="bold")
        for col in ("编号", "名称", "执行率/一级指标分值", "说明"):
            table.add_column(col, overflow="fold")
        for rid in builtin_ids():
            rs = load_rules(rid)
            weights = f"执行率 {fmt(rs.rate_weight)}，" + "，".join(f"{k} {fmt(v)}" for k, v in rs.level1_weights.items())
            table.add_row(esc(rid + ("（默认）" if rid == DEFAULT_RULES else "")), esc(rs.name), esc(weights),
                          esc(rs.description))
        console.print(table)
        console.print("查看某个规则集：evaltool rules 国家标准；自定义规则集的写法见 README。")
        return
    import yaml

    rs = load_rules(rule_id)
    console.print(f"[bold]{esc(rs.name)}[/]（{esc(rs.source)}，继承已展开）")
    click.echo(yaml.safe_dump(rs.raw, allow_unicode=True, sort_keys=False, width=1000))


@main.command("demo")
@click.option("-o", "--outdir", default=None, help="示例输出文件夹（默认：系统临时文件夹下的 evaltool-demo）")
@friendly
def demo_cmd(outdir: str | None) -> None:
    """演示：对内置示例项目计分并输出结果。"""
    from importlib import resources

    sample = resources.files("evaltool") / "samples" / "示例-电子政务各项专项经费.yaml"
    from evaltool.core.caseio import parse_case

    project = parse_case(sample.read_text("utf-8"), sample.name)
    results = evaluate_all([project])
    for p, r in results:
        print_result(p, r)
    extra = os.environ.get("EVALTOOL_DEMO_NO_FILES")
    if not extra:
        # Never into the current folder (a clone would then show evaltool-demo/ as untracked).
        folder = Path(outdir) if outdir else Path(tempfile.gettempdir()) / "evaltool-demo"
        from evaltool.report.report_cli import demo_report
        from evaltool.workbook.workbook_cli import demo_workbook

        for step in (demo_workbook, demo_report):
            step(project, folder)
        console.print(f"示例文件已写入文件夹：{esc(folder.resolve())}")


# The commands of each feature: imported here, so each *_cli module imports only cli_base (no cycle).
from evaltool.addin import addin_cli  # noqa: E402,F401
from evaltool.collect import collect_cli  # noqa: E402,F401
from evaltool.kinds.scoresheet import scoresheet_cli  # noqa: E402,F401
from evaltool.publish import publish_cli  # noqa: E402,F401
from evaltool.report import report_cli  # noqa: E402,F401
from evaltool.server import server_cli  # noqa: E402,F401
from evaltool.workbook import workbook_cli  # noqa: E402,F401
