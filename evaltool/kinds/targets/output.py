"""What the commands show and write for a 绩效目标表: --json, the marks on its cells, the console,
the 汇总 row, and the 绩效目标审核 report's context and 附表."""
from __future__ import annotations

from typing import Any

from evaltool.core.decimals import fmt, plain_number
from evaltool.core.model import Project, ScoreResult
from evaltool.core.seam import CellWrite
from evaltool.kinds.targets import layout as T

NOT_SCORED = "不计分"  # a 目标表 is filed, not graded: what its 等次 cells and rows say


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def result_dict(project: Project, result: ScoreResult) -> dict[str, Any]:
    return {
        "类型": T.NAME,
        "项目名称": project.name,
        "主管部门": project.department,
        "实施单位": project.unit,
        "年度": project.year,
        "工作表": project.sheet,
        "规则": result.rule_id,
        "年度资金总额": plain_number(result.budget),
        "年度总体目标": project.goal_expected,
        "指标": [{"序号": r.index + 1, "一级指标": r.level1, "二级指标": r.level2, "三级指标": r.level3,
                "指标值": project.indicators[r.index].target, "权重": plain_number(r.weight), "类别": r.method,
                "说明": r.explanation} for r in result.indicators],
        "权重小计": {k: plain_number(v) for k, v in result.subtotals.items()},
        "总分": None,
        "等次": None,
        "无法计分原因": None,
        "错误数": sum(f.severity == "error" for f in result.findings),
        "警告数": sum(f.severity == "warning" for f in result.findings),
        "标记": [f.as_dict() for f in result.findings],
    }


def cell_writes(project: Project, result: ScoreResult) -> list[CellWrite]:
    """A mark and note on every cell a finding names; the marks of the last run that no finding
    names any more are cleared. Nothing the clerk typed is written over (keep_value)."""
    from evaltool.workbook.writer import mark_write

    sheet = project.sheet or T.SHEET
    marked: dict[tuple[str, str], list] = {}
    for f in result.findings:
        if f.location.cell:
            marked.setdefault((f.location.sheet or sheet, f.location.cell), []).append(f)
    info = project.extra.get("目标表") or {}
    writes = [CellWrite(sheet, cell, style="input", note="", keep_value=True)
              for cell in sorted(info.get("marked") or ()) if (sheet, cell) not in marked]
    writes += [mark_write(s, c, fs) for (s, c), fs in marked.items()]
    year = _year(project.year)
    if info.get("title_year") and year:
        # the title's "（    年度）" placeholder (template text, not the clerk's) shows the 年度 typed
        # below it, as the 自评表's title does: a printed or published form never has a blank year
        writes.append(CellWrite(sheet, info["title_year"], value=f"（{year}年度）"))
    return writes


def _year(value: Any) -> int | None:
    from evaltool.core.decimals import to_decimal

    d = to_decimal(value) if not isinstance(value, str) else to_decimal(value.strip().removesuffix("年"))
    return int(d) if d is not None and d == int(d) and 1900 <= d <= 2100 else None


def print_result(project: Project, result: ScoreResult) -> None:
    from rich.table import Table

    from evaltool.console import console, esc, print_findings

    title = f"{esc(project.name or '（未填项目名称）')}  {esc(project.year or '')}年度  {T.NAME}"
    if project.sheet:
        title += f"  [dim]（工作表：{esc(project.sheet)}）[/]"
    console.rule(title)
    console.print(f"规则集：{esc(result.rule_name)}    年度资金总额 {fmt(result.budget) if result.budget is not None else '—'} 万元")
    table = Table(header_style="bold")
    for col in ("一级指标", "二级指标", "三级指标", "指标值", "权重", "类别"):
        table.add_column(col, overflow="fold", justify="right" if col == "权重" else "left")
    for r in result.indicators:
        table.add_row(esc(r.level1), esc(r.level2), esc(r.level3), esc(_text(project.indicators[r.index].target)),
                      fmt(r.weight) if r.weight is not None else "—", esc(r.method))
    console.print(table)
    if result.subtotals:
        console.print("权重小计：" + "  ".join(f"{esc(k)} {fmt(v)}" for k, v in result.subtotals.items()))
    console.print(f"[bold]绩效目标表不计分：共 {len(result.indicators)} 个三级指标。[/]")
    print_findings(result)


def summary_row(project: Project, result: ScoreResult, file: str) -> dict[str, Any]:
    from evaltool.core.results import text_or_none

    return {
        "主管部门": text_or_none(project.department), "单位": text_or_none(project.unit),
        "项目": text_or_none(project.name), "年度": text_or_none(project.year),
        "预算数": plain_number(result.budget),
        "等次": NOT_SCORED, "无法计分原因": None,
        "错误数": sum(f.severity == "error" for f in result.findings),
        "警告数": sum(f.severity == "warning" for f in result.findings),
        "规则": result.rule_name, "文件": file, "工作表": project.sheet,
    }


def report_context(project: Project, result: ScoreResult) -> dict[str, Any]:
    name = _text(project.name)
    problems = [f for f in result.findings if f.severity in ("error", "warning")]
    vague = [f for f in result.findings if f.code in ("E-TG-VAGUE", "E-TG-DIRECTION")]
    return {
        "kind": T.NAME,
        "project": {"name": name, "year": _text(project.year), "unit": _text(project.unit),
                    "department": _text(project.department), "subject": f"“{name}”"},
        "budget": fmt(result.budget) if result.budget is not None else "未填写",
        "goal": _text(project.goal_expected) or "【待填写】",
        "count": len(result.indicators),
        "quantified": sum(r.method in ("正向", "反向", "等于", "时效") for r in result.indicators),
        "vague": len(vague),
        "problems": [{"where": str(f.location), "message": f.message, "level": "错误" if f.severity == "error" else "警告"}
                     for f in problems],
        "subtotals": [{"name": k, "weight": fmt(v)} for k, v in result.subtotals.items()],
        "total": "", "grade": "", "ungraded": "",
        "title_suffix": T.REPORT_NAME,
    }


def write_form_table(doc, project: Project, result: ScoreResult, context: dict) -> None:
    doc.add_paragraph(f"附表：{T.TITLE}（{context['project']['year']}年度）")
    headers = ("一级指标", "二级指标", "三级指标", "指标值", "权重")
    table = doc.add_table(rows=1 + len(result.indicators), cols=len(headers))
    table.style = "Table Grid" if "Table Grid" in [s.name for s in doc.styles] else None
    for c, label in enumerate(headers):
        table.cell(0, c).text = label
    for r, ind in enumerate(result.indicators, start=1):
        cells = (ind.level1, ind.level2, ind.level3, _text(project.indicators[ind.index].target),
                 fmt(ind.weight) if ind.weight is not None else "")
        for c, text in enumerate(cells):
            table.cell(r, c).text = str(text or "")
