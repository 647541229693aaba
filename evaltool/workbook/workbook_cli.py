"""CLI: evaltool new / check / score (workbooks) / export / template, and the demo workbook."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from evaltool.cli_base import EXIT_FINDINGS, EXIT_OK, check_output, friendly, main
from evaltool.console import console, err_console, esc
from evaltool.core.decimals import fmt
from evaltool.core.errors import InputError

if TYPE_CHECKING:
    from evaltool.core.model import Project, ScoreResult

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def evaluate_projects(projects: list[Project]) -> list[tuple[Project, ScoreResult]]:
    """Score each workbook project (cli.evaluate_all: its rule set and the 设置 sheet's 小数位, plus
    the feature checks), then settle its findings on the workbook (evaluate.settle)."""
    from evaltool.workbook import service

    return service.evaluate(projects)


def read_projects(file: str, rules: str | None = None) -> list[Project]:
    from evaltool.engines import engine
    from evaltool.workbook import service

    grids, notes = engine("openpyxl").read_noted(file)  # notes: what the reading policy tolerated
    from pathlib import Path

    # a rule file the 设置 sheet names by a relative path is found beside the workbook
    return service.read(grids, source=str(file), rules=rules, notes=notes, folder=Path(file).resolve().parent)


def _report(results, as_json: bool) -> None:
    from evaltool.console import print_result, to_json

    if as_json:
        click.echo(to_json(results))
    else:
        for p, r in results:
            print_result(p, r)


def _exit_code(results) -> int:
    return EXIT_FINDINGS if any(r.errors for _, r in results) else EXIT_OK


def score_and_write(file: str | Path, output: str | Path | None = None, rules: str | None = None,
                    quiet: bool = False, before_write=None):
    """Read, score, write the results into the workbook (or a safe new file). Returns
    (results, target path, reason it is not the source or None).

    before_write(results, target, reason), if given, runs before the file is replaced: whatever can
    fail in preparing what the clerk will be told fails while the file is still untouched."""
    from evaltool.workbook import service, xlsx_engine

    plan = service.plan_projects(read_projects(str(file), rules))  # the path the Excel buttons and the server take
    # The workbook's own parts patched (charts, images, macros kept), or a safe new file and why.
    target, reason, data = xlsx_engine.score_target(file, output, plan.writes, plan.sheet)
    if before_write is not None:
        before_write(plan.results, target, reason)
    service.write(plan, "openpyxl", file, target, prepared=data)
    return plan.results, target, reason


def rendered(out, fn) -> str:
    """What fn prints on the console out, rendered now (markup, tables) and shown later by emit."""
    with out.capture() as cap:
        fn()
    return cap.get()


def emit(out, text: str) -> None:
    if text:
        out.file.write(text)
        out.file.flush()


def score_workbook(file: str, output: str | None = None, rules: str | None = None, as_json: bool = False) -> int:
    """evaltool score FILE for workbooks (called by cli.score_cmd); returns the exit code."""

    _check_suffix(file)
    if output:  # only an unchanged results copy of this same file is replaced, never a form
        check_output(output, "xlsx", source=file,
                     purpose=(f"计分结果:{Path(file).name}", f"{Path(file).name} 的计分结果副本"))
    texts: dict[str, str] = {}

    def prepare(results, target, reason) -> None:
        # Rendered before the workbook is replaced: a crash here leaves it untouched.
        from evaltool.console import to_json

        texts["out"] = to_json(results) + "\n" if as_json else rendered(console, lambda: _report(results, False))
        out = err_console if as_json else console

        from evaltool.workbook.writer import results_name, results_note

        def tail() -> None:
            if reason:
                out.print(f"[yellow]注意：[/]{esc(reason)}")
            if results_note(results):  # the clerk's own sheet of that name is kept
                out.print(f"[yellow]注意：[/]{esc(results_note(results))}")
            out.print(f"计分结果已写入 {esc(target)}（“{esc(results_name(results))}”工作表列出全部问题）。")

        texts["tail"] = rendered(out, tail)

    results, target, reason = score_and_write(file, output, rules, before_write=prepare)
    emit(console, texts["out"])
    emit(err_console if as_json else console, texts["tail"])
    return _exit_code(results)


def _check_suffix(file: str) -> None:
    suffix = Path(file).suffix.lower()
    if suffix not in WORKBOOK_SUFFIXES:
        from evaltool.workbook.xlsx_engine import check_file

        check_file(file)  # gives the precise message for .xls, encrypted, junk …
        if suffix not in WORKBOOK_SUFFIXES:
            raise InputError(f"{Path(file).name} 不是 .xlsx 工作簿。请提供 .xlsx 文件或 .yaml 案例文件。")


@main.command("check")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="输出机器可读的 JSON")
@click.option("--rules", "rules", default=None, help="规则集编号或规则文件路径（默认取“设置”工作表）")
@click.option("--targets", "targets", default=None, type=click.Path(dir_okay=False),
              help="申报时的绩效目标表（.xlsx）：指出自评表中改动、删去或新增的指标")
@friendly
def check_cmd(file: str, as_json: bool, rules: str | None, targets: str | None) -> None:
    """校验工作簿（或案例文件）并计分，只显示结果，不修改文件。"""
    filed = None
    if targets:
        from evaltool.kinds.targets.compare import load_targets

        filed = load_targets(targets)
    if Path(file).suffix.lower() in (".yaml", ".yml"):
        from evaltool.workbook import service

        projects = service.load(file, rules)
        _attach_targets(projects, filed, targets)
        results = service.score(projects)
    else:
        _check_suffix(file)
        projects = read_projects(file, rules)
        _attach_targets(projects, filed, targets)
        results = evaluate_projects(projects)
    _report(results, as_json)
    sys.exit(_exit_code(results))


def _kind_names() -> str:
    """The registered kinds for --help, from the registry's names (no kind module is imported)."""
    from evaltool.core.kinds import names

    return "、".join(names())


def chosen_kind(name: str | None):
    """The kind --kind names (None: the default kind); InputError listing the kinds otherwise."""
    from evaltool.core.kinds import DEFAULT_KIND, kind_named, names

    name = (name or DEFAULT_KIND).strip()
    if name in names():
        return kind_named(name)
    # What clerks call the forms: the full title (项目支出绩效目标表) or a part of it or of the name
    # (目标表, 监控表, 部门) that only one kind has.
    fits = [k for k in (kind_named(n) for n in names()) if name and (name in k.title or name in k.name)]
    if len(fits) == 1:
        return fits[0]
    raise InputError(f"没有名为“{name}”的表格类型。可用的类型：{_kind_names()}。"
                     f"例如：evaltool new --kind {names()[0]}")


# Files `evaltool new` can fill a new workbook from, beyond --from (a case file): option -> (parameter
# name, help, "module:function"). The function takes (path, --kind or None) and returns the Project
# to lay into the new workbook (InputError in Chinese when the file will not do). A new source is one
# entry here: its option, the check that only one source is given, and the default file name follow.
NEW_SOURCES: dict[str, tuple[str, str, str]] = {
    "--from-targets": ("from_targets", "用申报时填报的绩效目标表（.xlsx）预先填好自评表：指标、年度指标值、预期目标和年初预算数",
                       "evaltool.kinds.targets.carry:selfeval_from_targets"),
}


def _with_sources(fn):
    for option, (dest, help_text, _) in reversed(NEW_SOURCES.items()):
        fn = click.option(option, dest, default=None, type=click.Path(dir_okay=False), help=help_text)(fn)
    return fn


def _load_source(option: str, path: str, kind: str | None, sheet: str | None = None) -> Project:
    import importlib

    module, _, attr = NEW_SOURCES[option][2].partition(":")
    loader = getattr(importlib.import_module(module), attr)
    return loader(path, kind, sheet=sheet) if sheet else loader(path, kind)


def _attach_targets(projects: list[Project], filed, source: str | None) -> None:
    if filed is not None and source:
        from evaltool.kinds.targets.compare import attach

        attach(projects, filed, Path(source).name)


@main.command("new")
@click.argument("target", required=False, metavar="[文件名.xlsx]")
@click.option("-o", "--output", default=None, help="新工作簿的文件名（默认：表格名称.xlsx，如 项目支出绩效自评表.xlsx）")
@click.option("--kind", "kind", default=None, metavar="类型",
              help=f"表格类型：{_kind_names()}（默认：自评表）")
@click.option("--from", "case", default=None, type=click.Path(dir_okay=False), help="用案例文件（.yaml）预先填好")
@_with_sources
@click.option("--rules", "rules", default=None, help="规则集编号或规则文件路径")
@click.option("--monitor", "monitor", default=None, type=click.Path(dir_okay=False), metavar="监控表.xlsx",
              help="运行监控表：各指标的偏差原因、纠偏措施按三级指标名称带入新自评表的“偏差原因分析及改进措施”")
@click.option("--sheet", "sheet", default=None, metavar="工作表",
              help="预先填写所依据的文件中有几张表格时，用这个工作表中的那一张")
@friendly
def new_cmd(target: str | None, output: str | None, kind: str | None, case: str | None, rules: str | None,
            monitor: str | None = None, sheet: str | None = None, **sources: str | None) -> None:
    """新建工作簿：空白模板（--kind 选择表格类型），或用案例文件、申报的绩效目标表预先填好并计分。

    文件名可以直接写在命令后（evaltool new 自评表.xlsx），也可以用 -o 给出。
    """
    if target and output and target != output:
        raise InputError(f"给出了两个文件名（{target} 和 {output}），请只写一个。")
    given: dict[str, str] = {option: path for option, (dest, _, _) in NEW_SOURCES.items()
                             if (path := sources.get(dest))}
    if case and Path(case).suffix.lower() in (".xlsx", ".xlsm", ".xls", ".et"):
        # "不是 UTF-8 编码的文本文件" told the clerk nothing (SWEEP S54): say what --from takes
        raise InputError(f"--from 需要案例文件（.yaml，可用 evaltool export 表格.xlsx 导出），{Path(case).name} 是工作簿。"
                         f"由绩效目标表生成自评表请用 --from-targets {Path(case).name}；由运行监控表带入请用 --monitor "
                         f"{Path(case).name}；要计分或检查这份表格请用 evaltool score / evaltool check。")
    if case:
        given = {"--from": case, **given}
    if len(given) > 1:
        raise InputError(f"{' 和 '.join(given)} 只能选一个：新工作簿只从一个文件预先填写。")
    if sheet and not any(option != "--from" for option in given):
        raise InputError(f"工作表“{sheet}”用于从有几张表格的文件预先填写（如 --from-targets 目标表.xlsx），"
                         "单独使用没有作用：请去掉它，或同时给出要依据的文件。")
    project = None
    source = None
    for option, path in given.items():
        if option != "--from":
            project = _load_source(option, path, kind, sheet)
            source = case = path  # the default file name follows the file it was filled from
    carried = None
    if monitor:  # the year-end 自评表 with the 运行监控表's reasons carried in (onto --from or --from-targets)
        from evaltool.kinds.monitor.monitor_cli import carried_project

        carried = carried_project(monitor, None if project is not None else case, kind, base=project)
        project = carried.project
        code = new_workbook(target or output, case, rules, None, project=project,
                            from_source=source is not None)  # --from case --monitor: named as --from
    else:
        code = new_workbook(target or output, case, rules, kind, project)
    if source is not None and project is not None:
        console.print(f"已从 {esc(Path(source).name)} 带入 {len(project.indicators)} 个绩效指标及其年度指标值、预期目标和年初预算数；"
                      "年底请填写全年预算数、全年执行数和各指标的实际完成值后再计分。")
    if carried is not None and monitor:
        from evaltool.kinds.monitor.monitor_cli import print_carried

        print_carried(carried, monitor)
    sys.exit(code)


def new_target(output: str) -> Path:
    """Where a new workbook goes: an .xlsx that does not exist yet (never overwrite a filled form)."""
    target = Path(output)
    if target.suffix.lower() != ".xlsx":
        raise InputError(f"输出文件名应以 .xlsx 结尾：{target.name}")
    if target.exists():
        raise InputError(f"{target} 已存在。为避免覆盖已填写的内容，evaltool 没有改动它；请换一个新文件名，或先移走原文件。")
    if not target.parent.exists():
        raise InputError(f"文件夹不存在：{target.parent}")
    return target


def new_workbook(output: str | None, case: str | None, rules: str | None, kind: str | None = None,
                 project: Project | None = None, from_source: bool | None = None) -> int:
    """A new workbook of the kind --kind names: blank, filled from a case file (case), or from a
    project another source made (project; case then names the file it came from)."""
    from evaltool.core.caseio import load_case
    from evaltool.core.rules import load_rules
    from evaltool.core.fileio import atomic_write_bytes
    from evaltool.workbook import layout as L
    from evaltool.workbook.template import deterministic_bytes

    if from_source is None:  # made from another form (--from-targets …), not from the case file `case`
        from_source = project is not None
    form = chosen_kind(kind) if kind or project is None and not case else None
    if case and project is None:
        project = load_case(case)
    if project is not None:
        from evaltool.core.kinds import kind_of

        if form is not None and form.name != project.kind:
            raise InputError(f"{Path(case or '').name} 是{project.kind}，不能生成 --kind {form.name}；"
                             f"去掉 --kind，或改为 --kind {project.kind}。")
        form = kind_of(project)
    assert form is not None
    load_rules(rules or (project.rules if project else None))  # a bad rule set fails before any file exists
    if output is None:
        output = f"{Path(case).stem}.xlsx" if case else f"{form.title or form.name}.xlsx"
        if case and from_source:
            output = f"{Path(case).stem}-{form.name}.xlsx"  # beside the file it was filled from, never over it
    target = new_target(output)
    wb = form.build_workbook(project, rules)
    atomic_write_bytes(target, deterministic_bytes(wb))
    if project is None:
        help_note = f"填写方法见其中的“{L.SHEET_HELP}”工作表。" if L.SHEET_HELP in wb.sheetnames else ""
        console.print(f"已生成空白{esc(form.title or form.name)}：{esc(target)}。{help_note}")
        return EXIT_OK
    texts: list[str] = []
    errors: list[int] = []

    def prepare(results, _target, _reason) -> None:
        errors.extend(len(r.errors) for _, r in results)
        def lines() -> None:
            for p, r in results:
                if r.total is None and r.ungraded is None:  # a kind without a score (e.g. 绩效目标表)
                    score = "不计分"
                elif not r.ungraded:
                    score = f"总分 {fmt(r.total, 2)}，等次 {esc(r.grade or '—')}"
                else:
                    score = f"无法计分（{esc(r.ungraded)}）"
                # an unnamed form: no empty name and stray comma ("已生成 x.xlsx：，无法计分")
                said = "，".join(x for x in (esc(str(p.name or "").strip()), score, f"{len(r.errors)} 个错误") if x)
                console.print(f"已生成 {esc(target)}：{said}。计分结果见“{L.SHEET_RESULTS}”工作表。")
        texts.append(rendered(console, lines))

    from evaltool.core.fileio import allow_rewrite

    allow_rewrite(target)  # built above, scored in place now
    score_and_write(target, target, before_write=prepare)
    emit(console, texts[0])
    # A filled case file (--from) whose form has errors exits as `check` would (1). A form made from
    # another kind's (--from-targets, --monitor alone) is a year-start form: its errors are the
    # blanks the year end fills in.
    return EXIT_FINDINGS if any(errors) and case and not from_source else EXIT_OK


@main.command("export")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, help="案例文件（.yaml）；多个自评表时按项目另存为多个文件")
@friendly
def export_cmd(file: str, output: str) -> None:
    """把工作簿中的自评表导出为案例文件（.yaml）。"""
    from evaltool.core.caseio import save_case

    _check_suffix(file)
    out = Path(output)
    # -o names a case file: never write YAML over the workbook itself or any other kind of file.
    if out.suffix.lower() not in (".yaml", ".yml"):
        raise InputError(f"导出的案例文件名应以 .yaml 结尾：{out.name}。例如：evaltool export {Path(file).name} "
                         f"-o {Path(file).stem}.yaml")
    projects = read_projects(file)
    if len(projects) == 1:
        targets = [out]
    else:
        targets = [out.with_name(f"{out.stem}-{i + 1}{out.suffix}") for i in range(len(projects))]
    for t in targets:  # a hand-written case file, or another project's, is never replaced
        check_output(t, "case", source=file,
                     purpose=(f"案例:{Path(file).name}", f"{Path(file).name} 的案例文件"))
    lines = [rendered(console, lambda p=p, t=t: console.print(
        f"已导出 {esc(p.name or '（未填项目名称）')}（工作表 {esc(p.sheet)}）→ {esc(t)}")) for p, t in zip(projects, targets)]
    for p, t, line in zip(projects, targets, lines):
        save_case(p, t)
        emit(console, line)


@main.command("template")
@click.option("-o", "--output", default=None,
              help="输出文件（默认：workbook_templates/表格名称.xlsx，如 workbook_templates/项目支出绩效自评表.xlsx）")
@click.option("--kind", "kind", default=None, metavar="类型", help=f"表格类型：{_kind_names()}（默认：自评表）")
@friendly
def template_cmd(output: str | None, kind: str | None) -> None:
    """重新生成标准模板（默认 workbook_templates/项目支出绩效自评表.xlsx；--kind 选择表格类型）。"""
    from evaltool.core.fileio import atomic_write_bytes
    from evaltool.workbook.template import TEMPLATE_PATH, deterministic_bytes

    form = chosen_kind(kind)
    data = deterministic_bytes(form.build_workbook(None, None))
    if output:
        # Only a file that is this very blank template already (templates are byte-deterministic)
        # is replaced, never a filled or scored form (S67); the bytes stay those `new` writes.
        target = Path(output)
        if not (target.is_file() and target.read_bytes() == data):
            check_output(output, "xlsx", purpose=(f"模板:{form.name}", f"{form.name}空白模板"))
    path = Path(output) if output else TEMPLATE_PATH.with_name(f"{form.title or form.name}.xlsx")
    path.parent.mkdir(parents=True, exist_ok=True)
    from evaltool.core import provenance

    provenance.unclaim(path)  # not stamped: identical bytes are the proof
    atomic_write_bytes(path, data)
    console.print(f"已生成{esc(form.name)}模板：{esc(path)}")


def demo_workbook(project: Project, outdir: Path) -> Path:
    """Demo step: a filled, scored sample workbook in the demo folder."""
    from evaltool.core.fileio import atomic_write_bytes
    from evaltool.core.kinds import kind_of
    from evaltool.workbook.template import deterministic_bytes

    outdir.mkdir(parents=True, exist_ok=True)
    from evaltool.core.fileio import safe_filename

    target = outdir / f"示例-{safe_filename(project.name or '', '自评表')}.xlsx"
    atomic_write_bytes(target, deterministic_bytes(kind_of(project).build_workbook(project, None)))
    from evaltool.core.fileio import allow_rewrite

    allow_rewrite(target)  # built above, scored in place now
    score_and_write(target, target)
    console.print(f"示例工作簿（已填写并计分）：{esc(target)}")
    return target

