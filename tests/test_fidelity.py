"""Fidelity leftovers: what a clerk or a bureau is told must match what the file holds — on real .xlsx
files written here (openpyxl), through the CLI as a clerk runs it, for every form kind it applies to."""
from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from evaltool.cli import main

CASES = Path(__file__).parent / "cases"
SELF_CASE = CASES / "seed002-各项工作运转经费.yaml"
SCORE_CASE = CASES / "seed001-信息系统运维项目-评分表.yaml"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def _case_text(kind: str, tmp_path: Path) -> str:
    if kind in ("自评表", "评分表"):
        return (SELF_CASE if kind == "自评表" else SCORE_CASE).read_text("utf-8")
    from tests import test_dept, test_monitor, test_targets

    if kind == "绩效目标表":
        return test_targets.case_file(tmp_path).read_text("utf-8")  # with its indicators
    return {"部门整体": test_dept, "运行监控表": test_monitor}[kind].CASE


KINDS = ["自评表", "评分表", "部门整体", "运行监控表", "绩效目标表"]


def filled_form(tmp_path: Path, kind: str, name: str = "表.xlsx") -> Path:
    """A workbook of the kind, filled from its case file by `new --from` (as a clerk would start)."""
    case = tmp_path / f"{kind}-完整.yaml"
    case.write_text(_case_text(kind, tmp_path).split("\n期望:")[0] + "\n", "utf-8")
    book = tmp_path / name
    res = run("new", "--from", case, "-o", book)
    assert book.exists(), res.output
    return book


def unnamed_case(tmp_path: Path, kind: str) -> Path:
    """A case file of the kind with its name left empty (so its form has an E-REQUIRED error)."""
    text = re.sub(r"(?m)^(项目名称|部门名称): .*$", r'\1: ""', _case_text(kind, tmp_path))
    text = text.split("\n期望:")[0] + "\n"
    path = tmp_path / f"{kind}.yaml"
    path.write_text(text, "utf-8")
    return path


# ---- (4) no stray punctuation where the name is empty ---------------------------------------------
@pytest.mark.parametrize("kind", ["自评表", "评分表", "部门整体"])
def test_new_from_an_unnamed_case_has_no_stray_punctuation(tmp_path, kind):
    out = tmp_path / "out.xlsx"
    res = run("new", "--from", unnamed_case(tmp_path, kind), "-o", out)
    assert out.exists(), res.output
    line = next(x for x in res.output.splitlines() if x.startswith("已生成"))
    assert "：，" not in line and "，，" not in line, line
    assert re.match(r"已生成 \S*out\.xlsx：(总分|无法计分)", line), line


def test_new_from_a_named_case_names_it(tmp_path):
    res = run("new", "--from", SELF_CASE, "-o", tmp_path / "ok.xlsx")
    assert "：各项工作运转经费，总分 100.00，等次 优，0 个错误。" in res.output, res.output


# ---- (5) new --from exits as check does ------------------------------------------------------------
@pytest.mark.parametrize("kind", ["自评表", "评分表", "部门整体", "运行监控表", "绩效目标表"])
def test_new_from_a_case_with_errors_exits_1_like_check(tmp_path, kind):
    out = tmp_path / "out.xlsx"
    res = run("new", "--from", unnamed_case(tmp_path, kind), "-o", out)
    assert out.exists() and "个错误" in res.output, res.output
    checked = run("check", out)
    assert checked.exit_code == 1, checked.output  # the empty name is an error…
    assert res.exit_code == 1, res.output  # …and new, which reported it, says so by its exit code too


def test_new_from_a_clean_case_and_a_year_start_form_exit_0(tmp_path):
    assert run("new", "--from", SELF_CASE, "-o", tmp_path / "ok.xlsx").exit_code == 0
    from tests import test_targets

    made = test_targets.filled(tmp_path)  # a clean 目标表 (new --from: exit 0)
    # A 自评表 made from a 目标表 has no actuals yet: those errors are the year end's blanks, not mistakes.
    res = run("new", "--from-targets", made, "-o", tmp_path / "自评表.xlsx")
    assert res.exit_code == 0 and "个错误" in res.output, res.output


# ---- (6) a reading limit's warning names its sheet once ----------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_a_sheet_cut_at_the_row_limit_is_named_once(tmp_path, monkeypatch, kind):
    import json

    book = filled_form(tmp_path, kind)
    wb = openpyxl.load_workbook(book)
    ws = wb.create_sheet("附件")
    for r in range(1, 81):
        ws.cell(r, 1, f"第{r}行")
    wb.save(book)
    monkeypatch.setenv("EVALTOOL_LIMIT_ROWS", "60")
    res = run("check", book)
    line = next(x for x in res.output.splitlines() if "W-READ-LIMIT" in x)
    assert line.count("附件") == 1 and "警告 工作表“附件”超过 60 行" in line, line
    found = [f for f in json.loads(run("check", book, "--json").output)["标记"] if f["代码"] == "W-READ-LIMIT"]
    assert found and found[0]["工作表"] == "附件" and "附件" not in found[0]["位置"], found
    run("score", book)
    rows = [r for r in openpyxl.load_workbook(book)["校验结果"].iter_rows(values_only=True) if "W-READ-LIMIT" in r]
    assert rows and sum(str(v).count("附件") for v in rows[0]) == 2, rows  # the 工作表 column and the message


# ---- (8) collect without -o keeps an earlier 汇总.xlsx -------------------------------------------------
def test_collect_without_output_keeps_the_earlier_summary_and_writes_the_next_free_name(tmp_path, monkeypatch):
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    filled_form(inbox, "自评表", "甲.xlsx")
    filled_form(inbox, "部门整体", "乙.xlsx")
    monkeypatch.chdir(tmp_path)
    first = run("collect", inbox, "-j", "1", "-q")
    assert first.exit_code in (0, 1) and (tmp_path / "汇总.xlsx").exists(), first.output
    wb = openpyxl.load_workbook(tmp_path / "汇总.xlsx")  # the bureau wrote its remarks into last run's 汇总
    wb["汇总"]["A30"] = "已报局长审阅"
    wb.save(tmp_path / "汇总.xlsx")
    earlier = (tmp_path / "汇总.xlsx").read_bytes()
    second = run("collect", inbox, "-j", "1", "-q")
    assert (tmp_path / "汇总.xlsx").read_bytes() == earlier  # kept as it was
    assert (tmp_path / "汇总(2).xlsx").exists(), second.output
    assert "已有 汇总.xlsx，没有覆盖它" in second.output and "汇总(2).xlsx" in second.output
    run("collect", inbox, "-j", "1", "-q")
    assert (tmp_path / "汇总(3).xlsx").exists() and (tmp_path / "汇总.xlsx").read_bytes() == earlier
    rows = list(openpyxl.load_workbook(tmp_path / "汇总(2).xlsx")["汇总"].iter_rows(values_only=True))
    assert len(rows) >= 3  # both forms summarised
    # Naming the file is a choice: -o 汇总.xlsx replaces the earlier 汇总 (as before).
    again = run("collect", inbox, "-o", "汇总.xlsx", "-j", "1", "-q")
    assert again.exit_code in (0, 1) and "没有覆盖" not in again.output
    assert (tmp_path / "汇总.xlsx").read_bytes() != earlier and not (tmp_path / "汇总(4).xlsx").exists()


def test_the_summary_button_keeps_an_earlier_summary_too(tmp_path):
    from evaltool.collect.run import collect_folder

    filled_form(tmp_path, "自评表", "甲.xlsx")
    one = collect_folder(tmp_path, workers=1)
    two = collect_folder(tmp_path, workers=1)
    assert Path(one.output).name == "汇总.xlsx" and Path(two.output).name == "汇总(2).xlsx"
    assert two.read == 1  # the earlier 汇总 in the folder is no input


# ---- (7) 部门整体: every score with the rule set's 小数位 -------------------------------------------------
@pytest.mark.parametrize("places", [2, 1])
def test_dept_scores_are_shown_with_the_rule_sets_places_in_console_and_report_table(tmp_path, places):
    import docx

    from tests.test_dept import CASE

    own = tmp_path / "本地.yaml"
    own.write_text(f"继承: 部门整体\n编号: 本地\n小数位: {places}\n", "utf-8")
    case = tmp_path / "部门.yaml"
    case.write_text(CASE.replace("规则: 部门整体", f"规则: {own}"), "utf-8")
    book = tmp_path / "部门.xlsx"
    assert run("new", "--from", case, "-o", book).exit_code == 0
    shown = re.compile(r"^\d+\.\d{%d}$" % places)

    def columns(lines: list[str], head: str) -> list[str]:
        """The cells under `head` in every console table that has it (rich draws │ between cells)."""
        rows = []
        for start, x in enumerate(lines):
            if "┃" not in x or head not in [c.strip() for c in x.split("┃")]:
                continue
            at = [c.strip() for c in x.split("┃")].index(head)
            for row in lines[start + 2:]:
                if not row.startswith("│"):
                    break
                rows.append([c.strip() for c in row.split("│")][at])
        return [r for r in rows if r not in ("", "/")]  # the 其中 rows and the 合计 row have none

    lines = run("check", book).output.splitlines()
    scores = columns(lines, "得分") + columns(lines, "自评得分")
    assert len(scores) == 1 + 4 + 2 and all(shown.match(s) for s in scores), scores
    assert scores[2] == ("20.00" if places == 2 else "20.0")  # it was "20" beside "9.5"

    report = tmp_path / "报告.docx"
    assert run("report", book, "-o", report).exit_code == 0
    doc = docx.Document(str(report))
    indicators, projects = doc.tables[-2], doc.tables[-1]
    head = [c.text for c in indicators.rows[0].cells]
    table_scores = [r.cells[head.index("得分")].text for r in indicators.rows[1:-2]]
    total = indicators.rows[-2].cells[head.index("得分")].text
    head = [c.text for c in projects.rows[0].cells]
    project_scores = [r.cells[head.index("自评得分")].text for r in projects.rows[1:-1]]
    budget = doc.tables[-3]
    rate_score = next(r.cells[-1].text for r in budget.rows if r.cells[1].text == "年度资金总额")
    got = [*table_scores, total, *project_scores, rate_score]
    assert all(shown.match(s) for s in got), got
    assert total == ("96.50" if places == 2 else "96.5") and project_scores == (
        ["88.20", "95.00"] if places == 2 else ["88.2", "95.0"])
    # the report's prose keeps the 自评表's way of writing a score in a sentence
    assert "自评总分96.5分" in "\n".join(p.text for p in doc.paragraphs)


# ---- (1) a formula whose result the file does not hold is said to be one -----------------------------
def _case_name(tmp_path: Path, kind: str) -> str:
    return re.search(r"(?m)^(?:项目名称|部门名称): (.+)$", _case_text(kind, tmp_path)).group(1).strip()


def _formula_over(book: Path, text: str) -> tuple[str, str]:
    """The form's cell holding `text` becomes a formula giving it, written by openpyxl: no saved result
    (as any generator writes one). (sheet, cell)."""
    wb = openpyxl.load_workbook(book)
    ws = wb.worksheets[0]  # a kind's first sheet is its form
    cell = next(c for row in ws.iter_rows() for c in row if c.value == text)
    cell.value = f'="{text}"'
    wb.save(book)
    return ws.title, cell.coordinate


def _saved_result(book: Path, sheet_xml_cell: str, text: str) -> None:
    """Give the formula in that cell the result Excel would have saved (t="str" + <v>)."""
    import shutil
    import zipfile

    tmp = book.with_suffix(".tmp")
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet1.xml"):
                data = re.sub(rb'<c r="' + sheet_xml_cell.encode() + rb'"([^>]*?)(?: t="\w+")?><f>(.*?)</f><v\s*/?>(?:</v>)?</c>',
                              lambda m: b'<c r="' + sheet_xml_cell.encode() + b'"' + m.group(1) + b' t="str"><f>' + m.group(2)
                              + b"</f><v>" + text.encode() + b"</v></c>", data)
            dst.writestr(item, data)
    shutil.move(tmp, book)


def _collected(tmp_path: Path, book: Path) -> list[tuple]:
    inbox = tmp_path / "收件"
    inbox.mkdir(exist_ok=True)
    import shutil

    shutil.copy(book, inbox / book.name)
    out = tmp_path / "汇总结果.xlsx"
    res = run("collect", inbox, "-o", out, "-j", "1", "-q")
    assert out.exists(), res.output
    return list(openpyxl.load_workbook(out)["问题清单"].iter_rows(values_only=True))


@pytest.mark.parametrize("kind", KINDS)
def test_a_formula_without_a_saved_result_is_said_to_be_one_in_check_and_collect(tmp_path, kind):
    import json

    book = filled_form(tmp_path, kind)
    sheet, cell = _formula_over(book, _case_name(tmp_path, kind))
    found = [f for f in json.loads(run("check", book, "--json").output)["标记"] if f["单元格"] == cell]
    assert found, found
    assert all("是公式" in f["说明"] and "没有保存它的计算结果" in f["说明"] and "Excel 或 WPS" in f["说明"]
               for f in found), found
    assert any(f["代码"] == "E-REQUIRED" for f in found), found  # still the error it is (no name)
    line = next(x for x in run("check", book).output.splitlines() if f"!{cell}" in x and "E-REQUIRED" in x)
    assert "未填写。" not in line, line
    from evaltool.core.kinds import kind_named

    if kind_named(kind).summarised:  # (collect has no 评分表 row)
        said = [r for r in _collected(tmp_path, book) if r[1] == sheet and r[2] == cell]
        assert said and all("是公式" in r[4] and "没有保存它的计算结果" in r[4] for r in said), said


def test_saved_formula_results_and_empty_cells_are_not_called_formulas(tmp_path):
    import json

    book = filled_form(tmp_path, "自评表")
    name = _case_name(tmp_path, "自评表")
    sheet, cell = _formula_over(book, name)
    _saved_result(book, cell, name)
    got = json.loads(run("check", book, "--json").output)
    assert got["项目名称"] == name and not any("公式" in f["说明"] for f in got["标记"]), got["标记"]
    assert not any("公式" in str(r[4]) for r in _collected(tmp_path, book))


def test_a_money_formula_and_a_formula_no_finding_names_are_said_too(tmp_path):
    import json

    book = filled_form(tmp_path, "自评表")
    wb = openpyxl.load_workbook(book)
    ws = wb.worksheets[0]
    actual = next(c for row in ws.iter_rows() for c in row if str(c.value or "").startswith("全年执行数"))
    money = ws.cell(actual.row + 1, actual.column)  # 年度资金总额's 全年执行数
    money.value = "=381.8"
    note = ws["K3"]  # a cell no finding is about (beside the form)
    note.value = '="备注"'
    wb.save(book)
    got = json.loads(run("check", book, "--json").output)
    by_cell = {f["单元格"]: f for f in got["标记"]}
    assert "是公式" in by_cell[money.coordinate]["说明"], got["标记"]
    assert got["总分"] is None and "是公式" in got["无法计分原因"], got.get("无法计分原因")
    assert by_cell["K3"]["代码"] == "W-READ-FORMULA" and "Excel 或 WPS" in by_cell["K3"]["说明"]
    assert sum(f["代码"] == "W-READ-FORMULA" for f in got["标记"]) == 1  # the money cell's is said by its error


# ---- (2) number formats and (3) error values: collect reads what check reads --------------------------
def _grid_cells(path: Path, name: str) -> dict[tuple[str, int, int], tuple[str, object]]:
    """Every non-empty cell an engine reads: (sheet, row, col) -> (type, value)."""
    from evaltool.engines import engine

    out = {}
    for g in engine(name).read(path):
        for r, row in enumerate(g.values, 1):
            for c, v in enumerate(row, 1):
                if v is not None:
                    out[(g.sheet, r, c)] = (type(v).__name__, v)
    return out


def _percent_numbers(book: Path) -> list[str]:
    """Every percentage the form holds as text ("95%") becomes what Excel stores when a clerk types
    95%: the number 0.95 formatted 0% (and one 0.0%, one 0"%" literal). The cells changed."""
    wb = openpyxl.load_workbook(book)
    ws = wb.worksheets[0]
    changed = []
    for row in ws.iter_rows():
        for c in row:
            m = re.fullmatch(r"(\d+(?:\.\d+)?)%", str(c.value or ""))
            if m and c.data_type == "s":
                c.value = float(m.group(1)) / 100
                c.number_format = "0.0%" if len(changed) == 1 else "0%"
                changed.append(c.coordinate)
    spare = ws.cell(ws.max_row + 2, 12)
    spare.value, spare.number_format = 85, '0"%"'
    wb.save(book)
    return changed


def _summary_row(rows: list[tuple]) -> dict:
    return dict(zip(rows[0], rows[1]))


def _check_and_collect(tmp_path: Path, book: Path) -> tuple[dict, list[tuple], dict]:
    import json
    import shutil

    checked = json.loads(run("check", book, "--json").output)
    inbox = tmp_path / f"收件-{book.stem}"
    inbox.mkdir()
    shutil.copy(book, inbox / book.name)
    out = tmp_path / f"{book.stem}-汇总.xlsx"
    run("collect", inbox, "-o", out, "-j", "1", "-q")
    wb = openpyxl.load_workbook(out)
    sheet = next(n for n in ("汇总", *wb.sheetnames) if n in wb.sheetnames and wb[n].max_row >= 2
                 and n not in ("问题清单", "无法读取的文件", "主管部门汇总", "图表"))
    return checked, list(wb["问题清单"].iter_rows(values_only=True))[1:], _summary_row(
        list(wb[sheet].iter_rows(values_only=True)))


@pytest.mark.parametrize("kind", KINDS)
def test_every_engine_reads_a_percent_formatted_number_as_check_does(tmp_path, kind):
    book = filled_form(tmp_path, kind)
    _percent_numbers(book)
    by_openpyxl, by_calamine = _grid_cells(book, "openpyxl"), _grid_cells(book, "calamine")
    percents = {k: v for k, v in by_openpyxl.items() if v[0].startswith("Percent")}
    assert percents and {k: by_calamine.get(k) for k in percents} == percents
    assert by_calamine == by_openpyxl


@pytest.mark.parametrize("kind", ["自评表", "部门整体", "运行监控表"])  # (the 目标表 has a 度量单位 column)
def test_collect_scores_a_percent_typed_in_excel_as_check_does(tmp_path, kind):
    if kind == "自评表":  # a case whose actuals are percentages
        book = tmp_path / "表.xlsx"
        assert run("new", "--from", CASES / "seed003-信息化项目建设.yaml", "-o", book).exit_code in (0, 1)
    else:
        book = filled_form(tmp_path, kind)
    assert _percent_numbers(book), "the case has percentages"
    checked, problems, row = _check_and_collect(tmp_path, book)
    assert row.get("总分") == checked.get("总分"), (row, checked.get("总分"))
    said = {(f["代码"], f["单元格"]) for f in checked["标记"]}
    assert not [p for p in problems if p[5] == "I-UNIT" and (p[5], p[2]) not in said], problems


@pytest.mark.parametrize("kind", KINDS)
def test_an_error_value_reads_as_itself_in_every_engine_and_collect_reports_it_as_check(tmp_path, kind):
    import shutil
    import zipfile

    book = filled_form(tmp_path, kind)
    wb = openpyxl.load_workbook(book)
    ws = wb.worksheets[0]
    # the form's first number the clerk typed (a money or score cell) now shows #DIV/0!, as a broken
    # formula's saved result does; a second cell #N/A
    numbers = [c for row in ws.iter_rows() for c in row if type(c.value) in (int, float) and c.row > 3]
    first, second = numbers[0], numbers[1]
    for cell, code in ((first, "#DIV/0!"), (second, "#N/A")):
        cell.value = code
        cell.data_type = "e"
    wb.save(book)
    with zipfile.ZipFile(book) as zf:  # (openpyxl writes them as error cells: t="e")
        assert b't="e"><v>#DIV/0!</v>' in zf.read("xl/worksheets/sheet1.xml")
    cells = {(ws.title, first.row, first.column): ("str", "#DIV/0!"), (ws.title, second.row, second.column): ("str", "#N/A")}
    by_openpyxl, by_calamine = _grid_cells(book, "openpyxl"), _grid_cells(book, "calamine")
    assert {k: by_calamine.get(k) for k in cells} == cells == {k: by_openpyxl.get(k) for k in cells}
    assert by_calamine == by_openpyxl
    from evaltool.core.kinds import kind_named

    if not kind_named(kind).summarised:
        return
    shutil.copy(book, tmp_path / "copy.xlsx")
    checked, problems, _ = _check_and_collect(tmp_path, tmp_path / "copy.xlsx")
    for cell in (first.coordinate, second.coordinate):
        in_check = sorted((f["代码"], f["说明"]) for f in checked["标记"] if f["单元格"] == cell)
        in_collect = sorted((p[5], p[4]) for p in problems if p[2] == cell)
        assert in_check and in_collect == in_check, (cell, in_check, in_collect)


def test_the_excel_check_button_reports_an_error_cell_as_check_does(tmp_path, monkeypatch):
    """The open workbook through xlwings (its remote engine: the values Excel hands over): an error
    cell is its error text, as in check and collect, not an empty cell."""
    import json

    from evaltool.excel import entry
    from tests.test_excel import book_from_file

    book = filled_form(tmp_path, "自评表")
    wb = openpyxl.load_workbook(book)
    ws = wb.worksheets[0]
    cell = next(c for row in ws.iter_rows() for c in row if type(c.value) in (int, float) and c.row > 3)
    cell.value, cell.data_type = "#DIV/0!", "e"
    wb.save(book)
    in_check = {(f["代码"], f["单元格"]) for f in json.loads(run("check", book, "--json").output)["标记"]}
    assert ("E-CELL-ERROR", cell.coordinate) in in_check
    xbook, _ = book_from_file(book, monkeypatch)
    results = entry.check(book=xbook)
    in_excel = {(f.code, f.location.cell) for _, r in results for f in r.findings}
    assert ("E-CELL-ERROR", cell.coordinate) in in_excel
    assert not any(code == "E-REQUIRED" and where == cell.coordinate for code, where in in_excel)


def test_a_sheet_of_many_formulas_without_results_is_one_bounded_warning(tmp_path):
    import json

    book = filled_form(tmp_path, "自评表")
    wb = openpyxl.load_workbook(book)
    ws = wb.worksheets[0]
    for r in range(1, 301):  # beside the form: 300 formulas no finding is about
        ws.cell(r, 20, f"=ROW()*{r}")
    wb.save(book)
    got = json.loads(run("check", book, "--json").output)["标记"]
    said = [f for f in got if f["代码"] == "W-READ-FORMULA"]
    assert len(said) == 1 and "等 200 个以上单元格" in said[0]["说明"] and said[0]["单元格"] == "T1", said
