"""CLI: `evaltool report` (narrative report from the form) and `evaltool check-report`."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from evaltool.cli_base import EXIT_FINDINGS, EXIT_OK, friendly, main
from evaltool.console import console, esc, json_text, print_findings
from evaltool.core.errors import InputError

if TYPE_CHECKING:
    from evaltool.core.model import Project


# The service layer and the report modules load with the command that uses them, not with
# `evaltool --help` (tests/test_startup.py).
def load_projects(file: str, rules: str | None = None) -> list[Project]:
    from evaltool.workbook.service import load

    return load(file, rules)


def evaluate_all(projects: list[Project], rule_set=None) -> list:
    from evaltool.workbook.service import score

    return score(projects, rule_set)


def output_paths(file: str, projects: list[Project], output: str | None) -> list[Path]:
    from evaltool.report import generate

    return generate.output_paths(file, projects, output)


def _material_findings(project: Project, result) -> list:
    """The 报告素材 ↔ table check (report/consistency.py) under its earlier name (tests use it)."""
    from evaltool.report.consistency import material_findings

    return material_findings(project, result)


def select_projects(file: str, sheet: str | None, rules: str | None) -> list[Project]:
    projects = load_projects(file, rules)
    if sheet:
        chosen = [p for p in projects if p.sheet == sheet]
        if not chosen:
            names = "、".join(p.sheet for p in projects if p.sheet) or "（无）"
            raise InputError(f"{Path(file).name} 中没有名为“{sheet}”的表格工作表。可用的工作表：{names}。")
        projects = chosen
    if not projects:
        raise InputError(f"{Path(file).name} 中没有找到 evaltool 认识的表格。")
    return projects


def generate_reports(file: str, output: str | None = None, sheet: str | None = None,
                     template_dir: str | None = None, rules: str | None = None):
    """Reports for every project in FILE (or the one on `sheet`): [(project, result, docx)].

    The same steps the ribbon's 生成报告 button needs; raises InputError (Chinese) on unusable input.
    """
    from evaltool.report.generate import write_report

    from evaltool.cli_base import check_output

    # Only an unchanged report evaltool wrote from this file is replaced (one edited in Word is not).
    purpose = (f"报告:{Path(file).name}", f"{Path(file).name} 的报告")
    if output:
        check_output(output, "docx", purpose=purpose)
    projects = select_projects(file, sheet, rules)
    paths = output_paths(file, projects, output)
    for path in paths:
        check_output(path, "docx", purpose=purpose)
    from evaltool.core import limits
    from evaltool.core.kinds import kind_of

    for project in projects:  # the 附表 repeats every indicator row: bounded (time grows with rows²)
        if len(project.indicators) > limits.get("INDICATORS"):
            form = kind_of(project).title or kind_of(project).name
            raise InputError(f"{Path(file).name} 的{form}有 {len(project.indicators)} 行绩效指标，超过"
                             f"{limits.describe('INDICATORS')}，无法生成报告。一张{form}通常只有几十个指标："
                             "请检查是否把其他表格粘贴进了绩效指标表。evaltool check 仍可校验和计分。")
    for project in projects:  # a kind whose rows are not Project.indicators (a 监控表's 监控指标) is bounded too
        kind = kind_of(project)
        if kind.indicator_rows(project) > limits.get("INDICATORS") >= len(project.indicators):
            form = kind.title or kind.name
            raise InputError(f"{Path(file).name} 的{form}有 {kind.indicator_rows(project)} 行绩效指标，超过"
                             f"{limits.describe('INDICATORS')}，无法生成报告。请检查是否把其他表格粘贴进了绩效指标表。")
    out = []
    for (project, result), path in zip(evaluate_all(projects), paths):
        write_report(project, result, path, template_dir)
        out.append((project, result, path))
    return out


@main.command("report")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("-o", "--output", default=None, help="报告文件名（.docx），默认与输入文件同名加“-绩效评价报告”")
@click.option("--sheet", default=None, help="只为这个工作表中的表格生成报告")
@click.option("--template", "template_dir", default=None, type=click.Path(file_okay=False),
              help="自定义报告模板目录（含 report.md.j2；缺少的文件取内置模板）")
@click.option("--pdf", "pdf", is_flag=True, help="同时用 LibreOffice 生成 PDF")
@click.option("--rules", default=None, help="规则集编号或规则文件路径（默认取文件中的设置）")
@friendly
def report_cmd(file: str, output: str | None, sheet: str | None, template_dir: str | None, pdf: bool,
               rules: str | None) -> None:
    """生成绩效评价报告（Word）：数字取自自评表，文字取自“报告素材”，空缺处以【待填写】标出。"""
    code = EXIT_OK
    # Word first, PDF after: a missing LibreOffice must not cost the clerk the Word report.
    done = generate_reports(file, output, sheet, template_dir, rules)
    from evaltool.core.kinds import kind_of

    for project, result, path in done:
        console.print(f"已生成报告：{esc(path)}")
        text_codes = ("E-REPORT-", "W-REPORT-", "I-REPORT-")
        form_errors = [f for f in result.errors if not f.code.startswith(text_codes)]
        text_findings = [f for f in result.findings if f.code.startswith(text_codes)]
        if form_errors:
            code = EXIT_FINDINGS
            kind = kind_of(project)
            recomputed = "，报告中的数字按规则重新计算" if kind.graded else ""  # a 目标表 is not scored
            console.print(f"[yellow]注意：{esc(kind.title or kind.name)}有 {len(form_errors)} 个错误{recomputed}；"
                          f"请用 evaltool check {esc(Path(file).name)} 查看并改正。[/]")
        if text_findings:
            form = kind_of(project).report_facts(project, result).form  # how the check's messages call it
            console.print(f"[yellow]报告素材中的数字与{esc(form)}不一致：[/]")
            for f in text_findings:
                console.print(f"  {esc(f.message)}")
    if pdf:
        from evaltool.report.pdf import docx_to_pdf

        for _, _, path in done:
            console.print(f"已生成 PDF：{esc(docx_to_pdf(path))}")
    sys.exit(code)


@main.command("check-report")
@click.argument("report", type=click.Path(dir_okay=False))
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--sheet", default=None, help="表格所在的工作表（工作簿有多张表格时）")
@click.option("--rules", default=None, help="规则集编号或规则文件路径")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@friendly
def check_report_cmd(report: str, file: str, sheet: str | None, rules: str | None, as_json: bool) -> None:
    """检查已有的绩效评价报告（.docx）：文中数字与自评表是否一致。"""
    import json

    from evaltool.report.consistency import check_texts
    from evaltool.report.reading import read_report_texts

    texts, locations = read_report_texts(report)
    projects = select_projects(file, sheet, rules)
    if len(projects) > 1:
        body = "\n".join(texts.values())
        named = [p for p in projects if p.name and str(p.name) in body]
        if len(named) != 1:
            sheets = "、".join(p.sheet or str(p.name) for p in projects)
            raise InputError(f"{Path(file).name} 中有多个项目（{sheets}），无法判断报告对应哪一个。请用 --sheet 指定。")
        projects = named
    (project, result), = evaluate_all(projects)
    findings = check_texts(project, result, texts, locations)
    if as_json:
        click.echo(json_text(json.dumps([f.as_dict() for f in findings], ensure_ascii=False, indent=2)))
    else:
        console.rule(f"报告 {esc(Path(report).name)} 对照 {esc(project.name or '')}")
        import dataclasses

        print_findings(dataclasses.replace(result, findings=findings))
    sys.exit(EXIT_FINDINGS if any(f.severity == "error" for f in findings) else EXIT_OK)


def demo_report(project: Project, outdir: Path) -> None:
    """`evaltool demo` also writes the sample's report."""
    from evaltool.report.generate import write_report

    outdir.mkdir(parents=True, exist_ok=True)
    (p, r), = evaluate_all([project])
    path = write_report(p, r, outdir / "示例-绩效评价报告.docx")
    console.print(f"示例报告：{esc(path)}")

