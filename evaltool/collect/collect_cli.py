"""`evaltool collect`: the finance bureau's consolidation of many filled workbooks."""
from __future__ import annotations

import sys

import click

from evaltool.cli_base import EXIT_FINDINGS, EXIT_OK, friendly, main
from evaltool.console import console, err_console, esc, json_text


@main.command("collect")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", default=None,
              help="汇总结果工作簿（.xlsx）。默认 汇总.xlsx；已有这个文件时另存为 汇总(2).xlsx 等，不覆盖原文件")
@click.option("--rules", default=None, help="统一使用的规则集编号或规则文件（默认取各表中的设置）")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="同时使用的进程数（默认：全部 CPU 核心）")
@click.option("--json", "as_json", is_flag=True, help="在屏幕上输出机器可读的汇总摘要")
@click.option("-q", "--quiet", is_flag=True, help="不显示进度条")
@click.option("--review", is_flag=True,
              help="同时生成抽查表：按风险排序的“抽查”工作表（附理由和建议的结果应用）与待填写的“复核意见”工作表")
@friendly
def collect_cmd(paths: tuple[str, ...], output: str | None, rules: str | None, jobs: int | None, as_json: bool,
                quiet: bool, review: bool) -> None:
    """汇总：把多个自评表工作簿（文件或文件夹，含子文件夹）汇总成一个工作簿。

    每个项目一行（执行率、各一级指标小计、总分、等次、错误/警告数），另有主管部门汇总、
    图表、问题清单和无法读取的文件清单。被汇总的文件只读取，不会被修改；其中的宏不会运行。
    """
    from evaltool.collect.run import DEFAULT_OUTPUT, collect, unused_output
    from evaltool.core.fileio import check_target

    kept = None  # no -o: an earlier 汇总.xlsx is kept, this run's goes beside it (-o 汇总.xlsx replaces it)
    if output is None:
        output = str(unused_output(DEFAULT_OUTPUT))
        kept = DEFAULT_OUTPUT if output != DEFAULT_OUTPUT else None
    check_target(output)  # a folder, a read-only file or folder: refused before any file is read
    show_bar = not quiet and not as_json and err_console.is_terminal
    if show_bar:
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                                   TimeRemainingColumn)

        bar = Progress(TextColumn("汇总中"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                       TextColumn("剩余"), TimeRemainingColumn(), TextColumn("[dim]{task.fields[file]}"),
                       console=err_console, transient=True)
        task = bar.add_task("collect", total=None, file="")

        def progress(done: int, total: int, file: str) -> None:
            bar.update(task, completed=done, total=total, file=esc(file[-40:]))

        summary = collect(paths, output, rules=rules, workers=jobs, progress=progress, display=bar, review=review)
    else:
        summary = collect(paths, output, rules=rules, workers=jobs, review=review)

    if as_json:
        import json

        click.echo(json_text(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2)))
    else:
        _print_summary(summary, kept)
    _leave(EXIT_FINDINGS if summary.unreadable or summary.projects_with_errors else EXIT_OK)


def _leave(code: int) -> None:
    """The end of a consolidation run as the command-line program: once the 汇总 is saved and all is
    printed, the process ends without Python tearing down every module's objects one by one (openpyxl's
    and lxml's: 30-60 ms of CPU, a fifth of a run over one file); the exit handlers still run (logging,
    temporary files). Where the command runs inside another program (tests, an embedding), it exits
    as every command does."""
    import os
    import threading

    main = sys.modules.get("__main__")
    started_as = getattr(getattr(main, "__spec__", None), "name", None) or os.path.basename(sys.argv[0] or "")
    if (started_as in ("evaltool.__main__", "evaltool", "evaltool.exe", "evaltool-script.py")
            and sys.stdout is sys.__stdout__ and sys.stderr is sys.__stderr__ and threading.active_count() == 1):
        import atexit

        atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(code)
    sys.exit(code)


def _print_summary(summary, kept: str | None = None) -> None:
    console.print(f"[bold]已汇总 {summary.read} / {summary.files} 个工作簿，共 {summary.projects} 个项目[/]"
                  f"（用时 {summary.seconds:.1f} 秒）")
    if summary.grades:
        console.print("等次分布：" + "  ".join(f"{esc(k)} {v}" for k, v in summary.grades.items()))
    if summary.projects_with_errors:
        console.print(f"[red]{summary.projects_with_errors} 个项目有错误[/]（共 {summary.errors} 个错误、"
                      f"{summary.warnings} 个警告，详见“问题清单”工作表）")
    if summary.macro_files:
        console.print(f"[yellow]{len(summary.macro_files)} 个文件含宏[/]（未运行、未复制）："
                      + "、".join(map(esc, summary.macro_files[:5])) + ("……" if len(summary.macro_files) > 5 else ""))
    if summary.duplicates:
        console.print(f"[yellow]{summary.duplicates} 个项目重复提交[/]（实施单位、项目名称、年度相同，见“问题清单”）")
    if summary.earlier_summaries:
        console.print("已跳过以前生成的汇总表：" + "、".join(map(esc, summary.earlier_summaries[:5]))
                      + ("……" if len(summary.earlier_summaries) > 5 else ""))
    if summary.public_copies:
        console.print("已跳过 evaltool 写出的公开版（其表格按原文件汇总）：" + "、".join(map(esc, summary.public_copies[:5]))
                      + ("……" if len(summary.public_copies) > 5 else ""))
    if summary.not_summarised:
        console.print("未汇总（这些表格不参与汇总，文件已读取）：" + "、".join(
            f"{esc(f)}（{esc(k)}）" for f, k in summary.not_summarised[:5]) + ("……" if len(summary.not_summarised) > 5 else ""))
    if summary.unreadable:
        console.print(f"[red]{len(summary.unreadable)} 个文件无法读取：[/]")
        for file, reason in summary.unreadable[:20]:
            console.print(f"  [bold]{esc(file)}[/]：{esc(reason)}")
        if len(summary.unreadable) > 20:
            console.print(f"  ……其余 {len(summary.unreadable) - 20} 个见“无法读取的文件”工作表")
    if summary.review is not None:
        console.print(f"抽查：{summary.review['有风险的项目数']} 个项目发现风险，按风险分排序见“抽查”工作表，"
                      "复核结论填在“复核意见”工作表")
    if kept:
        console.print(f"已有 {esc(kept)}，没有覆盖它；本次结果另存为新文件。")
    console.print(f"结果已保存到：[bold]{esc(summary.output)}[/]")
