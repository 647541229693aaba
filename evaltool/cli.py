"""Command line: the same core the Excel buttons use, for people without Excel."""
from __future__ import annotations

import functools
import json
import os
import re
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from evaltool.core.decimals import fmt, fmt_percent
from evaltool.core.errors import InputError
from evaltool.core.model import SEVERITY_LABEL, Project, ScoreResult

EXIT_OK, EXIT_FINDINGS, EXIT_UNUSABLE = 0, 1, 2
# Piped output (files, CI logs) gets a wide fixed width so explanations are not folded into slivers.
console = Console(highlight=False, width=None if sys.stdout.isatty() else 160, soft_wrap=not sys.stdout.isatty())
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def friendly(fn):
    """No traceback ever reaches a clerk: input problems exit 2 with the Chinese message."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except InputError as exc:
            err_console.print(f"[bold red]无法处理：[/]{exc}")
            sys.exit(EXIT_UNUSABLE)
        except (click.exceptions.Exit, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except MemoryError:
            err_console.print("[bold red]无法处理：[/]文件过大，内存不足。")
            sys.exit(EXIT_UNUSABLE)
        except Exception as exc:  # noqa: BLE001
            if os.environ.get("EVALTOOL_DEBUG"):
                raise
            from evaltool.support import log_exception

            log = log_exception(exc, "evaltool-cli.log")
            where = f"详细信息已记录在 {log}" if log else "设置环境变量 EVALTOOL_DEBUG=1 后重新运行可看到详细信息"
            err_console.print(f"[bold red]程序内部错误[/]（{type(exc).__name__}）。您的文件没有被修改。\n"
                              f"{where}，请把它和您的文件发给技术支持。")
            sys.exit(3)

    return wrapper


# click's usage errors, as a clerk reads them (click ships no Chinese catalogue), most specific
# first; text that matches none is shown as click wrote it.
_USAGE_ZH = [(re.compile(pattern), zh) for pattern, zh in [
    (r"Missing argument '([^']+)'\.", r"缺少参数 \1。"),
    (r"Missing option '([^']+)'\.", r"缺少选项 \1。"),
    (r"No such command '([^']+)'\.", r"没有“\1”这个命令。"),
    (r"No such option: (\S+)", r"没有选项 \1。"),
    (r"No such option '([^']+)'\.", r"没有选项 \1。"),
    (r"Did you mean '([^']+)'\?", r"您要输入的是不是 \1？"),
    (r"\(Possible options: ([^)]+)\)", r"（可用的选项：\1）"),
    (r"Got unexpected extra arguments? \((.+)\)", r"多余的参数：\1。"),
    (r"Option '([^']+)' requires an argument\.", r"选项 \1 后面要写一个值。"),
    (r"Invalid value for (.+?): (?:File|Path|Directory) '(.+)' does not exist\.", r"\1：找不到“\2”。"),
    (r"Invalid value for (.+?): (?:File|Path) '(.+)' is a directory\.", r"\1：“\2”是文件夹，请给出文件。"),
    (r"Invalid value for (.+?): (?:Directory|Path) '(.+)' is a file\.", r"\1：“\2”是文件，请给出文件夹。"),
    (r"Invalid value for (.+?): (\S+) is not in the range x>=(\S+)\.", r"\1：\2 太小，应不小于 \3。"),
    (r"Invalid value for (.+?): '(.+)' is not a valid integer( range)?\.", r"\1：“\2”不是整数。"),
    (r"Invalid value for (.+?): ", r"\1 的值无效："),
]]


def _usage_zh(message: str) -> str:
    for pattern, zh in _USAGE_ZH:
        message = pattern.sub(zh, message)
    message = message.replace("。 ", "。")
    return re.sub(r"'([^'\s]+)'", r"“\1”", message)  # click quotes names: 'FILE', '-j' / '--jobs'


class ZhUsageError(click.UsageError):
    """click's usage error, shown in Chinese (same exit code 2)."""

    def __init__(self, original: click.UsageError):
        super().__init__(original.format_message(), original.ctx)

    def show(self, file=None) -> None:
        ctx = self.ctx
        if ctx is not None:
            err_console.print(ctx.get_usage(), markup=False)
            err_console.print(f"运行“{ctx.command_path} --help”查看说明。", markup=False)
        err_console.print(f"[bold red]错误：[/]{_usage_zh(self.format_message())}")


class ZhHelpFormatter(click.HelpFormatter):
    """click's help layout with Chinese headings."""

    SECTIONS = {"Options": "选项", "Commands": "命令", "Arguments": "参数"}
    WORDS = {"[OPTIONS]": "[选项]", "COMMAND [ARGS]...": "命令 [参数]..."}

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        for en, zh in self.WORDS.items():
            args = args.replace(en, zh)
        super().write_usage(prog, args, prefix="用法：")

    def section(self, name: str):
        return super().section(self.SECTIONS.get(name, name))

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}：\n")


class ZhContext(click.Context):
    formatter_class = ZhHelpFormatter


class _ChineseHelp:
    """Clerks read the help and the usage errors: both in Chinese."""

    context_class = ZhContext

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "显示本帮助并退出"
        return option

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as exc:  # missing or extra arguments, bad option values
            raise exc if isinstance(exc, ZhUsageError) else ZhUsageError(exc) from None


class ZhCommand(_ChineseHelp, click.Command):
    pass


class ZhGroup(_ChineseHelp, click.Group):
    command_class = ZhCommand

    def resolve_command(self, ctx, args):
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as exc:  # a mistyped command name
            raise exc if isinstance(exc, ZhUsageError) else ZhUsageError(exc) from None


ZhGroup.group_class = ZhGroup


@click.group(cls=ZhGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="evaltool", message="evaltool %(version)s", help="显示版本号并退出")
def main() -> None:
    """evaltool：项目支出绩效自评表的填报、校验、计分和绩效评价报告生成。"""


# ---- loading ---------------------------------------------------------------------------------
def load_projects(path: str, rules: str | None = None) -> list[Project]:
    """Projects in a case file (.yaml) or a workbook (.xlsx, one per 自评表 sheet)."""
    from evaltool.core.caseio import load_case

    suffix = Path(path).suffix.lower()
    if suffix in (".yaml", ".yml"):
        projects = [load_case(path)]
    else:
        try:
            from evaltool.workbook.reader import read_workbook_projects
        except ImportError:
            raise InputError(f"无法识别的文件类型：{Path(path).name}。请提供 .yaml 案例文件。") from None
        projects = read_workbook_projects(path)
    if rules:
        for p in projects:
            p.rules = rules
    return projects


def evaluate_all(projects: list[Project]) -> list[tuple[Project, ScoreResult]]:
    from evaltool.core.scoring import evaluate
    from evaltool.workbook.evaluate import rule_set_for

    out = []
    for p in projects:
        result = evaluate(p, rule_set_for(p))  # a workbook's 设置 sheet may override the decimals
        for hook in RESULT_HOOKS:  # feature checks of a scored project, e.g. 报告素材 texts vs the table
            result.findings.extend(hook(p, result))
        out.append((p, result))
    return out


# ---- printing --------------------------------------------------------------------------------
SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def print_result(project: Project, result: ScoreResult) -> None:
    if project.kind == "评分表":
        from evaltool.scoresheet.commands import print_sheet_result

        return print_sheet_result(project, result)
    title = f"{project.name or '（未填项目名称）'}  {project.year or ''}年度"
    if project.sheet:
        title += f"  [dim]（工作表：{project.sheet}）[/]"
    console.rule(title)
    console.print(f"规则集：{result.rule_name}    执行率：{fmt_percent(result.rate)}    "
                  f"执行率得分：{fmt(result.rate_score, 2)} / {fmt(result.rate_weight)}")
    table = Table(show_lines=False, header_style="bold")
    for col in ("一级指标", "二级指标", "三级指标", "分值", "得分", "计分说明"):
        table.add_column(col, overflow="fold", justify="right" if col in ("分值", "得分") else "left")
    for r in result.indicators:
        table.add_row(r.level1, r.level2, (r.level3[:24] + "…") if len(r.level3) > 25 else r.level3,
                      fmt(r.weight), fmt(r.score, 2) if r.score is not None else "—", r.explanation)
    console.print(table)
    subs = "  ".join(f"{k} {fmt(v, 2)}" for k, v in result.subtotals.items())
    console.print(f"小计：{subs}")
    console.print(f"[bold]总分 {fmt(result.total, 2)}    等次 {result.grade}[/]")
    print_findings(result)


def print_findings(result: ScoreResult) -> None:
    if not result.findings:
        console.print("[green]校验通过，没有发现问题。[/]")
        return
    counts = {s: sum(f.severity == s for f in result.findings) for s in SEVERITY_LABEL}
    console.print(f"发现 {counts['error']} 个错误、{counts['warning']} 个警告、{counts['info']} 个提示：")
    for f in result.findings:
        console.print(f"  [{SEVERITY_STYLE[f.severity]}]{SEVERITY_LABEL[f.severity]}[/] "
                      f"[dim]{f.location}[/] {f.message} [dim]({f.code})[/]")


def exit_code(results: list[tuple[Project, ScoreResult]]) -> int:
    return EXIT_FINDINGS if any(r.errors for _, r in results) else EXIT_OK


def to_json(results: list[tuple[Project, ScoreResult]]) -> str:
    from evaltool.core.results import result_dict

    data = [result_dict(p, r) for p, r in results]
    return json.dumps(data[0] if len(data) == 1 else data, ensure_ascii=False, indent=2)


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
        from evaltool.workbook.commands import score_workbook

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
    from evaltool.core.rules import DEFAULT_RULES, builtin_ids, load_rules

    if not rule_id:
        table = Table(header_style="bold")
        for col in ("编号", "名称", "执行率/一级指标分值", "说明"):
            table.add_column(col, overflow="fold")
        for rid in builtin_ids():
            rs = load_rules(rid)
            weights = f"执行率 {fmt(rs.rate_weight)}，" + "，".join(f"{k} {fmt(v)}" for k, v in rs.level1_weights.items())
            table.add_row(rid + ("（默认）" if rid == DEFAULT_RULES else ""), rs.name, weights, rs.description)
        console.print(table)
        console.print("查看某个规则集：evaltool rules 国家标准；自定义规则集的写法见 README。")
        return
    import yaml

    rs = load_rules(rule_id)
    console.print(f"[bold]{rs.name}[/]（{rs.source}，继承已展开）")
    click.echo(yaml.safe_dump(rs.raw, allow_unicode=True, sort_keys=False, width=1000))


@main.command("demo")
@click.option("-o", "--outdir", default="evaltool-demo", show_default=True, help="示例输出目录")
@friendly
def demo_cmd(outdir: str) -> None:
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
        for hook in DEMO_HOOKS:
            hook(project, Path(outdir))


# Later features (workbook, report) add their demo steps here; each takes (project, outdir).
DEMO_HOOKS: list = []
# Extra checks run on every scored project (check, score, Excel 校验); each takes (project, result) and
# returns a list of findings. The report feature adds the 报告素材 ↔ table consistency check here.
RESULT_HOOKS: list = []


def _register_plugins() -> None:
    """Feature modules attach their commands to the group; a missing one must not break the rest."""
    import importlib

    for name in ("evaltool.workbook.commands", "evaltool.report.commands", "evaltool.scoresheet.commands",
                 "evaltool.collect.commands", "evaltool.addin.commands"):
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and not name.startswith(exc.name):
                raise


_register_plugins()
