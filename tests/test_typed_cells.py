"""Issue 11 item 4: what clerks type in Excel and WPS — on real .xlsx files built from the template.

- "=7个" typed as a formula (the cell then shows #NAME?) and every other error value get their own
  finding naming the cell and the fix, instead of a vague "无法识别";
- the template formats the target and actual columns as text, so "=7个" stays text;
- 0.93 in a percent-formatted cell is the 93% the clerk sees: in the score, the report and the 附表,
  with no "按小数理解" note;
- a clerk-typed score below its weight without a 偏差原因 is flagged like a computed one.
"""
from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from evaltool.cli import main
from evaltool.core.caseio import load_case, parse_case
from evaltool.core.kinds import evaluate
from evaltool.workbook.reader import read_workbook_projects
from evaltool.kinds.selfeval.template import build_workbook
from evaltool.workbook.template import TEMPLATE_PATH, deterministic_bytes

CASE = Path(__file__).parent / "cases" / "seed002-电子政务各项专项经费.yaml"


def run(*args, ok=(0, 1)):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code in ok, (result.exit_code, result.output, result.exception)
    return result


def form(path: Path, project=None) -> Path:
    path.write_bytes(deterministic_bytes(build_workbook(project or load_case(CASE))))
    return path


def cells_of(path: Path):
    p = read_workbook_projects(path)[0]
    return p


def with_formula(path: Path, cell: str, formula: str) -> None:
    """Give an error cell the formula Excel saved with it (<f>7个</f><v>#NAME?</v>), as Excel/WPS do."""
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    name = "xl/worksheets/sheet1.xml"
    xml = members[name].decode("utf-8")
    pattern = re.compile(rf'(<c r="{cell}"[^>]*t="e"[^>]*>)(<v>)')
    assert pattern.search(xml), cell
    members[name] = pattern.sub(rf"\1<f>{formula}</f>\2", xml, count=1).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, data in members.items():
            zf.writestr(n, data)


def findings(path) -> list[dict]:
    return json.loads(run("check", path, "--json").stdout)["标记"]


# ---- error values ---------------------------------------------------------------------------------
def test_a_target_typed_as_a_formula_gets_its_own_message(tmp_path):
    path = form(tmp_path / "公式.xlsx")
    target = cells_of(path).indicators[0].cells["年度指标值"].cell  # "=7个"
    wb = openpyxl.load_workbook(path)
    wb["自评表"][target].value = "#NAME?"  # what Excel/WPS keep as the value of the formula =7个
    wb.save(path)
    with_formula(path, target, "7个")
    marks = findings(path)
    mine = [m for m in marks if m["单元格"] == target]
    assert [m["代码"] for m in mine] == ["E-CELL-ERROR"], mine  # one precise finding, no vague E-PARSE
    text = mine[0]["说明"]
    assert "#NAME?" in text and "＝7个" in text and "'=7个" in text and target in text, text
    assert mine[0]["字段"] == "年度指标值" and "文本" in text
    data = json.loads(run("check", path, "--json").stdout)
    assert data["总分"] is None and "未能计分" in data["无法计分原因"]  # never scored on a guess


@pytest.mark.parametrize("where, code, words", [
    ("分值", "#DIV/0!", ("除以了 0", "直接填写数字")),
    ("全年预算数", "#REF!", ("已被删除", "直接填写数字")),
    ("实际完成值", "#N/A", ("查找不到值", "直接填写内容")),
    ("三级指标", "#VALUE!", ("值类型不对", "直接填写内容")),
])
def test_every_error_value_names_its_cell_and_the_fix(tmp_path, where, code, words):
    path = form(tmp_path / "错误值.xlsx")
    p = cells_of(path)
    cell = (p.funds["年度资金总额"].cells[where] if where == "全年预算数" else p.indicators[1].cells[where]).cell
    wb = openpyxl.load_workbook(path)
    wb["自评表"][cell].value = code
    wb.save(path)
    marks = [m for m in findings(path) if m["单元格"] == cell]
    assert [m["代码"] for m in marks] == ["E-CELL-ERROR"], marks
    assert code in marks[0]["说明"] and cell in marks[0]["说明"]
    for w in words:
        assert w in marks[0]["说明"], marks[0]["说明"]
    # evaltool score marks the cell and leaves the clerk's value alone.
    out = tmp_path / "计分.xlsx"
    run("score", path, "-o", out)
    ws = openpyxl.load_workbook(out)["自评表"]
    assert ws[cell].value == code and "显示错误值" in ws[cell].comment.text


def test_error_values_in_a_case_file_too():
    data = yaml.safe_load(CASE.read_text("utf-8"))
    data["绩效指标"][0]["年度指标值"] = "#NAME?"
    result = evaluate(parse_case(yaml.safe_dump(data, allow_unicode=True), "x.yaml"))
    codes = [(f.code, f.location.path) for f in result.findings if f.indicator == 0]
    assert ("E-CELL-ERROR", "绩效指标[1].年度指标值") in codes and not any(c == "E-PARSE" for c, _ in codes)


def test_the_template_formats_targets_and_actuals_as_text(tmp_path):
    for path in (TEMPLATE_PATH, form(tmp_path / "填好.xlsx")):
        p = cells_of(path)
        wb = openpyxl.load_workbook(path)
        ws = wb["自评表"]
        if p.indicators:
            rows = [ind.cells["年度指标值"] for ind in p.indicators] + [ind.cells["实际完成值"] for ind in p.indicators]
        else:  # the blank template: the header's columns, on the pre-grouped rows under it
            head = next(c for row in ws.iter_rows() for c in row if c.value == "年度指标值")
            actual = next(c for row in ws.iter_rows() for c in row if c.value == "实际完成值")
            rows = [ws.cell(head.row + k, col.column) for k in (1, 2, 3) for col in (head, actual)]
        for loc in rows:
            cell = ws[loc.cell] if hasattr(loc, "cell") and isinstance(loc.cell, str) else loc
            assert cell.number_format == "@", (path.name, cell.coordinate, cell.number_format)
    # "=7个" written into the built form stays text, read back exactly as typed.
    p = cells_of(tmp_path / "填好.xlsx")
    assert p.indicators[0].target == "=7个"


# ---- percent-formatted cells ------------------------------------------------------------------------
def _percent_project():
    data = yaml.safe_load(CASE.read_text("utf-8"))
    data.pop("期望")
    data["绩效指标"][1].update(年度指标值="≥90%", 实际完成值=0.5, 得分=None)
    data["绩效指标"][1].pop("得分")
    return parse_case(yaml.safe_dump(data, allow_unicode=True), "x.yaml")


def test_a_percent_formatted_cell_is_read_as_the_clerk_sees_it(tmp_path):
    path = form(tmp_path / "百分比.xlsx", _percent_project())
    cell = cells_of(path).indicators[1].cells["实际完成值"].cell
    wb = openpyxl.load_workbook(path)
    ws = wb["自评表"]
    ws[cell].value = 0.93
    ws[cell].number_format = "0%"  # the clerk typed 93% in Excel: stored 0.93, shown 93%
    wb.save(path)
    data = json.loads(run("check", path, "--json").stdout)
    ind = data["指标"][1]
    assert ind["得分"] == 20 and "93" in ind["说明"], ind
    assert not any("按小数理解" in m["说明"] for m in data["标记"]), [m["说明"] for m in data["标记"]]
    assert not any(m["代码"] == "I-UNIT" and m["单元格"] == cell for m in data["标记"])

    out = tmp_path / "报告.docx"
    run("report", path, "-o", out)
    document = docx.Document(str(out))
    body = "\n".join(p.text for p in document.paragraphs)
    assert "实际完成值“93%”" in body and "0.93" not in body
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "93%" in cells and "0.93" not in cells  # the 附表

    # Exported to a case file it keeps what the clerk saw.
    case = tmp_path / "导出.yaml"
    run("export", path, "-o", case)
    assert yaml.safe_load(case.read_text("utf-8"))["绩效指标"][1]["实际完成值"] == "93%"


def test_a_bare_fraction_without_percent_format_still_gets_its_note(tmp_path):
    path = form(tmp_path / "小数.xlsx", _percent_project())
    cell = cells_of(path).indicators[1].cells["实际完成值"].cell
    wb = openpyxl.load_workbook(path)
    wb["自评表"][cell].value = 0.93
    wb["自评表"][cell].number_format = "General"
    wb.save(path)
    assert any("按小数理解" in m["说明"] for m in findings(path))


def test_percent_formats_are_told_apart():
    from evaltool.core.seam import Percent, PercentLiteral, percent_format

    assert percent_format("0.00%") is Percent and percent_format("0%;[Red]-0%") is Percent
    assert percent_format('0"%"') is PercentLiteral and percent_format("0\\%") is PercentLiteral
    assert percent_format("General") is None and percent_format("@") is None and percent_format(None) is None
    assert Percent(0.9345).text == "93.45%" and PercentLiteral(93).text == "93%" and Percent(1).text == "100%"


# ---- typed score below weight -------------------------------------------------------------------------
def test_a_typed_score_below_its_weight_needs_a_deviation_reason(tmp_path):
    data = yaml.safe_load(CASE.read_text("utf-8"))
    data.pop("期望")
    data["绩效指标"][0]["得分"] = 12  # computed 15 (7 of 7), typed 12, no 偏差原因
    result = evaluate(parse_case(yaml.safe_dump(data, allow_unicode=True), "x.yaml"))
    codes = [f.code for f in result.findings if f.indicator == 0]
    assert "E-SCORE-MISMATCH" in codes and "E-DEVIATION" in codes
    msg = next(f.message for f in result.findings if f.code == "E-DEVIATION" and f.indicator == 0)
    assert "填报的得分 12" in msg and "偏差原因" in msg
    data["绩效指标"][0]["偏差原因分析及改进措施"] = "年底一项任务延期。"
    result = evaluate(parse_case(yaml.safe_dump(data, allow_unicode=True), "x.yaml"))
    assert "E-DEVIATION" not in [f.code for f in result.findings if f.indicator == 0]

    # On the template: 12 typed in 自评得分 for a quantitative indicator scored 15.
    path = form(tmp_path / "自评得分.xlsx")
    cell = cells_of(path).indicators[0].cells["得分"].cell
    wb = openpyxl.load_workbook(path)
    wb["自评表"][cell].value = 12
    wb.save(path)
    dev = cells_of(path).indicators[0].cells["偏差原因分析及改进措施"].cell
    assert any(m["代码"] == "E-DEVIATION" and m["单元格"] == dev for m in findings(path))
