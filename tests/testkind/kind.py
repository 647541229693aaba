"""The 测试表 behind core.kinds.FormKind: case file, workbook sheet, scoring, writes, report, 汇总 row."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from evaltool.core.caseio import CaseError
from evaltool.core.decimals import fmt, plain_number
from evaltool.core.kinds import FormKind, ReportFacts
from evaltool.core.model import IndicatorResult, Location, Project, ScoreResult
from evaltool.core.reading import Collector, read_number
from evaltool.core.seam import CellWrite

NAME = "测试表"
BLOCK = "测试指标"
HEADER = ("名称", "分值", "得分")
LABELS = {"项目名称": "name", "年度": "year", "主管部门": "department", "实施单位": "unit"}
FIRST_ROW = 8  # the item rows start here on the sheet: row 7 holds HEADER


class TestKind(FormKind):
    name = NAME
    title = "测试表"
    summarised = True
    case_keys = (BLOCK,)
    report_template = "report-test.md.j2"
    template_dir = str(Path(__file__).parent / "templates")

    # -- reading: a sheet whose A1 says 测试表 --
    def read_views(self, views, context) -> list[Project]:
        out = []
        for v in views:
            g = v.grid
            if g.get(1, 1) != NAME:
                continue
            p = Project(kind=NAME, sheet=g.sheet)
            for r in range(2, 6):
                attr = LABELS.get(g.get(r, 1))
                if attr:
                    setattr(p, attr, g.get(r, 2))
                    p.cells[g.get(r, 1)] = Location(sheet=g.sheet, cell=f"B{r}")
            items = []
            r = FIRST_ROW
            while g.get(r, 1) not in (None, "总分"):
                items.append({"名称": g.get(r, 1), "分值": g.get(r, 2), "得分": g.get(r, 3)})
                for key, col in (("分值", "B"), ("得分", "C")):
                    p.cells[f"{BLOCK}[{len(items)}].{key}"] = Location(sheet=g.sheet, cell=f"{col}{r}")
                r += 1
            p.extra[BLOCK] = items
            p.cells["总分"] = Location(sheet=g.sheet, cell=f"B{r}")
            out.append(p)
        return out

    def case_from_dict(self, project: Project, data: dict, name: str) -> None:
        items = data.get(BLOCK)
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise CaseError(f"{name} 的“{BLOCK}”应是列表，每项写成 {{名称: …, 分值: …, 得分: …}}。")
        for n in range(1, len(items) + 1):
            for key in ("分值", "得分"):
                project.cells[f"{BLOCK}[{n}].{key}"] = Location(path=f"{BLOCK}[{n}].{key}")

    # -- scoring --
    def evaluate(self, project: Project, rules) -> ScoreResult:
        out = Collector()
        out.findings.extend(project.read_findings)
        rows, total = [], Decimal(0)
        for n, item in enumerate(project.extra.get(BLOCK, []), start=1):
            weight = read_number(item.get("分值"), project.where(f"{BLOCK}[{n}].分值"), "分值", out)
            score = read_number(item.get("得分"), project.where(f"{BLOCK}[{n}].得分"), "得分", out)
            if weight is not None and score is not None and score > weight:
                out.add("E-TEST-OVER", "error", f"“{item.get('名称')}”的得分 {fmt(score)} 超过分值 {fmt(weight)}，"
                        "请改为不超过分值的数。", "得分", project.where(f"{BLOCK}[{n}].得分"), n - 1)
                score = None
            rows.append(IndicatorResult(n - 1, BLOCK, "", str(item.get("名称") or ""), weight, score, "测试",
                                        "按填报得分" if score is not None else "未计分：得分无法使用"))
            total = None if total is None or score is None else total + score
        ungraded = None if total is not None and rows else "有测试指标未能计分"
        if not rows:
            ungraded = "没有测试指标"
        grade = None if ungraded else rules.grade_for_total(total)
        if ungraded:
            out.add("E-UNGRADED", "error", f"无法计分：{ungraded}。", "总分", project.where("总分"))
        return ScoreResult(rule_id=rules.id, rule_name=rules.name, rate=None, rate_display=None, rate_weight=None,
                           rate_score=None, rate_explanation="", indicators=rows,
                           subtotals={BLOCK: total} if not ungraded else {}, total=None if ungraded else total,
                           grade=grade, findings=out.findings, ungraded=ungraded)

    def result_dict(self, project: Project, result: ScoreResult) -> dict[str, Any]:
        return {"类型": NAME, "项目名称": project.name, "工作表": project.sheet, "总分": plain_number(result.total),
                "等次": result.grade, "无法计分原因": result.ungraded, "标记": [f.as_dict() for f in result.findings]}

    # -- writing: the total, and each finding on its cell --
    def cell_writes(self, project: Project, result: ScoreResult) -> list[CellWrite]:
        loc = project.where("总分")
        writes = [CellWrite(project.sheet or NAME, loc.cell or "B9",
                            value="无法计分" if result.ungraded else plain_number(result.total), style="computed")]
        for f in result.findings:
            if f.location.cell and f.location.sheet == project.sheet:
                writes.append(CellWrite(f.location.sheet, f.location.cell, style=f.severity,
                                        note=f.message, keep_value=True))
        return writes

    def build_workbook(self, project: Project | None, rules: str | None):
        import openpyxl

        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = NAME
        ws["A1"] = NAME
        for r, (label, attr) in enumerate(LABELS.items(), start=2):
            ws.cell(r, 1, label)
            ws.cell(r, 2, getattr(project, attr) if project else None)
        for c, label in enumerate(HEADER, start=1):
            ws.cell(FIRST_ROW - 1, c, label)
        items = project.extra.get(BLOCK, []) if project else []
        for r, item in enumerate(items, start=FIRST_ROW):
            for c, key in enumerate(HEADER, start=1):
                ws.cell(r, c, item.get(key))
        ws.cell(FIRST_ROW + len(items), 1, "总分")
        return wb

    # -- report --
    def report_context(self, project: Project, result: ScoreResult) -> dict[str, Any]:
        name = str(project.name or "")
        return {"kind": NAME, "project": {"name": name, "year": str(project.year or ""),
                                          "unit": str(project.unit or ""), "subject": f"“{name}”"},
                "total": fmt(result.total, 2), "grade": result.grade or "", "ungraded": result.ungraded or "",
                "title_suffix": "测试评价报告"}

    def write_form_table(self, doc, project: Project, result: ScoreResult, context: dict) -> None:
        doc.add_paragraph("附表：测试表")
        table = doc.add_table(rows=1 + len(result.indicators), cols=3)
        for c, label in enumerate(HEADER):
            table.cell(0, c).text = label
        for r, ind in enumerate(result.indicators, start=1):
            table.cell(r, 0).text = ind.level3
            table.cell(r, 1).text = fmt(ind.weight)
            table.cell(r, 2).text = fmt(ind.score) if ind.score is not None else "未计分"

    def report_facts(self, project: Project, result: ScoreResult) -> ReportFacts:
        return ReportFacts(form=NAME, rate_label="", rate=None, total=result.total, grade=result.grade)

    # -- consolidation and console --
    def summary_row(self, project: Project, result: ScoreResult, file: str) -> dict[str, Any]:
        return {"主管部门": project.department, "单位": project.unit, "项目": project.name, "年度": project.year,
                "总分": plain_number(result.total), "等次": "无法计分" if result.ungraded else result.grade,
                "无法计分原因": result.ungraded,
                "错误数": sum(f.severity == "error" for f in result.findings),
                "警告数": sum(f.severity == "warning" for f in result.findings),
                "规则": result.rule_name, "文件": file, "工作表": project.sheet}

    def print_result(self, project: Project, result: ScoreResult) -> None:
        from evaltool.console import console, esc, print_findings, print_total

        console.rule(f"{esc(project.name or '')}  {NAME}")
        for ind in result.indicators:
            console.print(f"{esc(ind.level3)}  {fmt(ind.weight)}  {fmt(ind.score) if ind.score is not None else '—'}")
        print_total(result)
        print_findings(result)


KIND = TestKind()
