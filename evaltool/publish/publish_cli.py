"""`evaltool publish`: the 信息公开 pack of the forms (clean .xlsx and PDF, draft 预算绩效情况说明)."""
from __future__ import annotations

import sys

import click

from evaltool.cli_base import EXIT_FINDINGS, EXIT_OK, friendly, main
from evaltool.console import console, esc

MAX_CELLS = 5  # cells named in a 去掉了 line


@main.command("publish")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", "folder", default="公开", show_default=True, help="公开目录（文件夹）")
@click.option("--rules", default=None, help="统一使用的规则集编号或规则文件（默认取各表中的设置）")
@click.option("--allow-errors", is_flag=True, help="有未改正错误的表格也按现状公开（默认不公开，并说明原因）")
@click.option("--no-pdf", is_flag=True, help="不生成 PDF（不需要 LibreOffice）")
@click.option("--check", "draft", default=None, type=click.Path(dir_okay=False),
              help="只核对已修改的情况说明（.md 或 .docx）中的数字，不写出任何文件")
@friendly
def publish_cmd(paths: tuple[str, ...], folder: str, rules: str | None, allow_errors: bool, no_pdf: bool,
                draft: str | None) -> None:
    """信息公开：把表格（文件或文件夹）整理成可公开的版本。

    每个表格文件写出一份干净的 .xlsx（只含表格本身：没有 evaltool 的标色和批注、没有“校验结果”
    “设置”“说明”“报告素材”“项目基本信息”和隐藏的工作表、没有作者等文档信息和指向文件或网址的超链接，公式换成数值，
    打印设置保留）和它的 PDF；另写出《预算绩效情况说明》草稿（.md 和 .docx，供部门决算使用），
    其中的数字取自表格并已核对。有未改正错误的表格不公开（确需按现状公开时见下面的选项）。
    原文件只读取，不会被修改。
    """
    if draft:
        _check(draft, paths, rules, allow_errors)
        return
    from evaltool.publish.run import publish

    done = publish(paths, folder, rules=rules, allow_errors=allow_errors, pdf=not no_pdf)
    for o in done.outcomes:
        if o.refused:
            # every refusal names its file (a reader's message may not: "这个工作簿不是…")
            said = o.refused if o.file and o.refused.startswith(o.file) else f"{o.file}：{o.refused}"
            console.print(f"[red]未公开[/] {esc(said)}")
            continue
        c = o.cleaned
        parts = [f"已公开 [bold]{esc(o.file)}[/] → {esc(o.xlsx)}" + (f"、{esc(o.pdf.name)}" if o.pdf else "")]
        if c is not None:
            left = [f"工作表 {'、'.join(map(esc, c.removed))}"] if c.removed else []
            left += [f"批注 {c.notes} 条"] if c.notes else []
            left += [f"隐藏行列中的内容 {c.hidden_cells} 个单元格"] if c.hidden_cells else []
            left += [f"填报人、联系电话等个人信息 {c.personal} 处"] if c.personal else []
            if c.numbers:  # inside free text: named, so the clerk can see what the public reads there
                cells = "、".join(map(esc, c.number_cells[:MAX_CELLS])) + ("等" if len(c.number_cells) > MAX_CELLS else "")
                left += [f"文字中的电话号码、身份证号 {c.numbers} 处（{cells}；情况说明草稿引用时同样删去）"]
            left += [f"公式 {c.formulas} 个（已换成数值）"] if c.formulas else []
            left += [f"名称或外部链接 {c.names + c.links} 个"] if c.names + c.links else []
            left += [f"超链接 {c.hyperlinks} 个（指向文件、共享文件夹或网址）"] if c.hyperlinks else []
            if left:
                parts.append("  去掉了：" + "；".join(left))
            if c.lost:
                parts.append("  [yellow]公开版不含：" + "、".join(map(esc, c.lost)) + "[/]")
        if o.published_errors:
            parts.append(f"  [yellow]注意：按 --allow-errors 公开，表格仍有 {o.published_errors} 个未改正的错误[/]")
        console.print("\n".join(parts))
    if done.skipped:
        console.print("已跳过以前生成的公开版：" + "、".join(map(esc, done.skipped[:5]))
                      + ("……" if len(done.skipped) > 5 else ""))
    if done.pdf_error:
        console.print(f"[yellow]没有生成 PDF：{esc(done.pdf_error)}[/]")
    if done.not_in_draft:
        shown = "、".join(f"{esc(r.file)}（{esc(r.form)}）" for r in done.not_in_draft[:5])
        console.print(f"已公开但不计入情况说明（表格没有总分和等次，不是绩效自评结果）：{shown}"
                      + ("……" if len(done.not_in_draft) > 5 else ""))
    if done.drafts:
        console.print("情况说明草稿：" + "、".join(esc(p) for p in done.drafts))
        _print_findings(done.draft_findings)
    else:
        console.print("[yellow]没有可以写入情况说明的绩效自评结果，未生成情况说明。[/]" if done.rows else
                      "[red]没有可以公开的表格，未生成情况说明。[/]")
    console.print(f"公开目录：[bold]{esc(done.folder.resolve())}[/]")
    bad = done.refused or done.pdf_error or any(f.severity == "error" for f in done.draft_findings)
    sys.exit(EXIT_FINDINGS if bad else EXIT_OK)


def _print_findings(findings) -> None:
    if not findings:
        console.print("情况说明中的数字已与表格逐一核对，没有发现不一致。")
        return
    for f in findings:
        style = "red" if f.severity == "error" else "yellow"
        label = "错误" if f.severity == "error" else "警告"
        console.print(f"[{style}]{label}[/] {esc(f.location.path or '')}：{esc(f.message)}")


def _check(draft: str, paths, rules: str | None, allow_errors: bool) -> None:
    from evaltool.publish.run import check_file

    findings, outcomes = check_file(draft, paths, rules, allow_errors)
    for o in outcomes:
        if o.refused:
            console.print(f"[yellow]未用于核对[/] {esc(o.refused)}")
    console.rule(f"情况说明 {esc(draft)} 对照 {sum(len(o.rows) for o in outcomes)} 张表格")
    _print_findings(findings)
    sys.exit(EXIT_FINDINGS if any(f.severity == "error" for f in findings) else EXIT_OK)
