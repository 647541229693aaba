"""Issue 11: never grade what could not be read.

Real forms built from the template (and case files) with one block removed at a time: the fund
block, the 年度资金总额 row, the 全年预算数 / 全年执行数 values and column, the indicator table, a 分值.
For each, no command shows a 总分 or 等次: check, score (--json and the workbook's cells), report
and collect all say 无法计分 with the reason.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import docx
import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from evaltool.cli import main
from evaltool.collect import collect
from evaltool.core.caseio import load_case, parse_case
from evaltool.core.kinds import evaluate
from evaltool.workbook.reader import read_workbook_projects, sheet_info
from evaltool.kinds.selfeval.template import build_workbook
from evaltool.workbook.template import deterministic_bytes

CASE = Path(__file__).parent / "cases" / "seed002-电子政务各项专项经费.yaml"  # 95.16 优 when whole


def run(*args, ok=(0, 1)):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code in ok, (result.exit_code, result.output, result.exception)
    return result


def fresh_form(path: Path) -> Path:
    path.write_bytes(deterministic_bytes(build_workbook(load_case(CASE))))
    return path


def _cell(path: Path, which: str) -> tuple[str, str]:
    p = read_workbook_projects(path)[0]
    total = p.funds["年度资金总额"]
    if which in ("全年预算数", "全年执行数"):
        loc = total.cells[which]
    elif which == "分值":
        loc = p.indicators[2].cells["分值"]
    else:
        raise KeyError(which)
    return loc.sheet, loc.cell


def _rows_labelled(ws, text: str) -> list[int]:
    return [c.row for row in ws.iter_rows() for c in row if isinstance(c.value, str) and text in c.value]


def remove(path: Path, what: str) -> None:
    """Remove one block from a filled template form, as a clerk or a provincial layout might."""
    wb = openpyxl.load_workbook(path)
    ws = wb["自评表"]
    if what in ("全年预算数", "全年执行数", "分值"):
        sheet, cell = _cell(path, what)
        wb[sheet][cell].value = None
    elif what == "年度资金总额行":
        row = _rows_labelled(ws, "年度资金总额")[0]
        for c in ws[row]:
            try:
                c.value = None
            except AttributeError:  # a covered merged cell
                pass
    elif what == "项目资金":  # the whole block: header and rows
        head = min(_rows_labelled(ws, "全年预算数"))
        for r in range(head, head + 5):
            for c in ws[r]:
                if c.coordinate not in ws.merged_cells or c.value is not None:
                    try:
                        c.value = None
                    except AttributeError:  # a covered merged cell
                        pass
        for label in ("项目资金", "年度资金总额", "本年财政拨款", "上年结转资金", "其他资金"):
            for r in _rows_labelled(ws, label):
                for c in ws[r]:
                    if isinstance(c.value, str) and label in c.value:
                        c.value = None
    elif what == "全年预算数列":  # the column's header says something else
        for r in _rows_labelled(ws, "全年预算数"):
            for c in ws[r]:
                if isinstance(c.value, str) and "全年预算数" in c.value:
                    c.value = "预算（万元）"
    elif what == "绩效指标":  # every indicator row emptied
        p = read_workbook_projects(path)[0]
        for ind in p.indicators:
            for key, loc in ind.cells.items():
                if key in ("一级指标", "二级指标"):
                    continue
                try:
                    ws[loc.cell].value = None
                except AttributeError:
                    pass
    else:
        raise KeyError(what)
    wb.save(path)


REMOVALS = ["项目资金", "年度资金总额行", "全年预算数", "全年执行数", "全年预算数列", "绩效指标", "分值"]


@pytest.fixture(scope="module")
def broken_forms(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("ungraded")
    out = {}
    for what in REMOVALS:
        path = fresh_form(folder / f"缺{what}.xlsx")
        remove(path, what)
        out[what] = path
    return out


def test_the_whole_form_is_graded(tmp_path):
    data = json.loads(run("check", fresh_form(tmp_path / "完整.xlsx"), "--json").stdout)
    assert data["总分"] == 95.16 and data["等次"] == "优" and data["无法计分原因"] is None


@pytest.mark.parametrize("what", REMOVALS)
def test_check_and_score_give_no_grade_for_a_removed_block(broken_forms, what, tmp_path):
    path = broken_forms[what]
    check = json.loads(run("check", path, "--json").stdout)
    assert check["总分"] is None and check["等次"] is None, (what, check["总分"], check["等次"])
    assert check["无法计分原因"], what
    codes = [m["代码"] for m in check["标记"]]
    assert "E-UNGRADED" in codes
    # ... and the finding that names the cause, on its cell.
    assert any(c.startswith("E-UNREAD-") or c in ("E-FUND-TOTAL-EMPTY", "E-REQUIRED") for c in codes), codes

    text = run("check", path).stdout
    assert "无法计分" in text
    assert not re.search(r"总分 \d", text) and not re.search(r"等次 [优良中差]", text), text

    target = tmp_path / "计分.xlsx"
    scored = json.loads(run("score", path, "-o", target, "--json").stdout)
    assert scored["总分"] is None and scored["等次"] is None
    p = read_workbook_projects(target)[0]
    info = sheet_info(p)
    wb = openpyxl.load_workbook(target)
    for name in ("总分", "等次"):
        loc = info.out[name]
        assert wb[loc.sheet][loc.cell].value == "无法计分", (what, name)
    # The 总分 cell says why, and so does the 校验结果 sheet.
    note = wb[info.out["总分"].sheet][info.out["总分"].cell].comment
    assert note is not None and "无法计分：" in note.text
    results = [str(c.value) for row in wb["校验结果"].iter_rows() for c in row if c.value is not None]
    assert any(t.startswith("“自评表”无法计分：") for t in results)
    assert any("E-UNGRADED" == t for t in results)


@pytest.mark.parametrize("what", ["年度资金总额行", "全年执行数", "绩效指标", "分值"])
def test_report_states_no_grade(broken_forms, what, tmp_path):
    out = tmp_path / "报告.docx"
    run("report", broken_forms[what], "-o", out)
    body = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "本项目无法计分" in body and "无法计分：" in body
    assert not re.search(r"自评总分\s*[\d.]+\s*分", body) and "评价等次为" not in body
    # The attached form (附表) says 无法计分 too, not a number.
    cells = [c.text for t in docx.Document(str(out)).tables for row in t.rows for c in row.cells]
    assert "评价等次：无法计分" in cells


def test_collect_lists_them_without_a_grade(broken_forms, tmp_path):
    out = tmp_path / "汇总.xlsx"
    collect(list(broken_forms.values()), out, workers=1)
    wb = openpyxl.load_workbook(out, read_only=True)
    rows = list(wb["汇总"].iter_rows(values_only=True))
    header = rows[0]
    data = [dict(zip(header, r)) for r in rows[1:] if any(v is not None for v in r)]
    assert len(data) == len(REMOVALS)
    for row in data:
        assert row["总分"] is None and row["等次"] == "无法计分", row
        assert row["无法计分原因"], row
    # The 等次 distribution counts them apart, never as 差.
    chart = {r[0]: r[1] for r in wb["图表"].iter_rows(values_only=True) if r and r[0] in ("优", "良", "中", "差", "无法计分")}
    assert chart["差"] == 0 and chart["无法计分"] == len(REMOVALS)
    dept = [dict(zip(r0, r)) for r0 in [next(wb["主管部门汇总"].iter_rows(values_only=True))]
            for r in list(wb["主管部门汇总"].iter_rows(values_only=True))[1:]]
    assert all(d["差"] == 0 for d in dept) and dept[-1]["无法计分"] == len(REMOVALS)


def test_a_stale_grade_is_replaced(tmp_path):
    """A form scored when whole, then broken and scored again: the old 95.16 优 does not stay."""
    path = fresh_form(tmp_path / "表.xlsx")
    run("score", path)
    remove(path, "全年预算数")
    run("score", path)
    p = read_workbook_projects(path)[0]
    info = sheet_info(p)
    wb = openpyxl.load_workbook(path)
    assert wb[info.out["总分"].sheet][info.out["总分"].cell].value == "无法计分"
    assert wb[info.out["执行率"].sheet][info.out["执行率"].cell].value is None
    assert wb[info.out["执行率得分"].sheet][info.out["执行率得分"].cell].value is None


# ---- case files, each block removed in turn ----------------------------------------------------------
def _case(mutate) -> dict:
    data = yaml.safe_load(CASE.read_text("utf-8"))
    data.pop("期望")
    mutate(data)
    return data


def _drop(keys):
    def mutate(d):
        node = d
        for k in keys[:-1]:
            node = node[k]
        node.pop(keys[-1])
    return mutate


def _set(keys, value):
    def mutate(d):
        node = d
        for k in keys[:-1]:
            node = node[k]
        node[keys[-1]] = value
    return mutate


def test_a_case_file_without_its_fund_block_is_refused(tmp_path):
    path = tmp_path / "案例.yaml"
    path.write_text(yaml.safe_dump(_case(_drop(["项目资金"])), allow_unicode=True), "utf-8")
    for command in ("check", "score"):
        res = run(command, path, ok=(2,))
        assert "缺少“项目资金”" in res.output and "总分" not in res.output


CASE_REMOVALS = {
    "项目资金为空": (_set(["项目资金"], {"分值": 10}), "年度资金总额"),
    "年度资金总额": (_drop(["项目资金", "年度资金总额"]), "年度资金总额"),
    "全年预算数": (_drop(["项目资金", "年度资金总额", "全年预算数"]), "全年预算数"),
    "全年执行数": (_drop(["项目资金", "年度资金总额", "全年执行数"]), "全年执行数"),
    "预算为0": (_set(["项目资金", "年度资金总额", "全年预算数"], 0), "为 0"),
    "预算不是金额": (_set(["项目资金", "年度资金总额", "全年预算数"], "待定"), "全年预算数"),
    "资金分值无法识别": (_set(["项目资金", "分值"], "十分"), "分值"),
    "绩效指标": (_set(["绩效指标"], []), "绩效指标"),
    "一个分值": (lambda d: d["绩效指标"][3].pop("分值"), "分值"),
    "一个分值无法识别": (lambda d: d["绩效指标"][3].update(分值="五分"), "分值"),
    "一个实际完成值": (lambda d: d["绩效指标"][0].pop("实际完成值"), "未能计分"),
}


@pytest.mark.parametrize("name", CASE_REMOVALS)
def test_case_files_with_a_block_removed_are_not_graded(name, tmp_path):
    mutate, word = CASE_REMOVALS[name]
    path = tmp_path / "案例.yaml"
    path.write_text(yaml.safe_dump(_case(mutate), allow_unicode=True), "utf-8")
    for command in ("check", "score"):
        data = json.loads(run(command, path, "--json").stdout)
        assert data["总分"] is None and data["等次"] is None, (name, data["总分"])
        assert word in data["无法计分原因"], (name, data["无法计分原因"])
        assert data["错误数"] >= 1
    text = run("score", path).stdout
    assert "总分 无法计分" in text and not re.search(r"总分 \d", text)


def test_subtotals_that_cannot_be_computed_are_none_not_zero():
    data = _case(lambda d: d["绩效指标"][0].pop("实际完成值"))
    result = evaluate(parse_case(yaml.safe_dump(data, allow_unicode=True), "x.yaml"))
    assert result.subtotals["产出指标"] is None  # its first indicator could not be scored
    assert result.subtotals["效益指标"] == 30 and result.subtotals["预算执行率"] is not None
    assert result.total is None and result.grade is None and "未能计分" in result.ungraded


def test_reader_findings_stop_the_grade():
    """The CONTRACT: an E-UNREAD-* finding the reader put in read_findings leaves no grade."""
    from evaltool.core.model import Finding, Location

    project = load_case(CASE)
    assert evaluate(project).grade == "优"
    project.read_findings.append(Finding(
        "E-UNREAD-COLUMN", "error", "找到“全年执行数（B）”列，但没有“全年预算数”列。请补上该列。", "全年预算数",
        Location(sheet="自评表", cell="C5")))
    result = evaluate(project)
    assert result.total is None and result.grade is None
    assert "没有“全年预算数”列" in result.ungraded and "自评表!C5" in result.ungraded
    assert result.findings[0].code == "E-UNREAD-COLUMN"  # the reader's own finding is kept


def test_a_zero_total_row_with_filled_parts_is_flagged_not_used():
    def zero(d):
        d["项目资金"]["年度资金总额"].update(全年预算数=0, 全年执行数=0)
    result = evaluate(parse_case(yaml.safe_dump(_case(zero), allow_unicode=True), "x.yaml"))
    codes = [f.code for f in result.findings]
    assert codes.count("E-FUND-TOTAL-EMPTY") == 2
    flagged = [f for f in result.findings if f.code == "E-FUND-TOTAL-EMPTY"]
    assert "265.69" in flagged[0].message and "137" in flagged[1].message
    assert result.rate is None and result.total is None and result.grade is None

    def blank(d):
        d["项目资金"]["年度资金总额"] = {"年初预算数": 265.69}
    result = evaluate(parse_case(yaml.safe_dump(_case(blank), allow_unicode=True), "x.yaml"))
    assert [f.code for f in result.findings].count("E-FUND-TOTAL-EMPTY") == 2 and result.total is None

    def nothing_spent(d):  # 0 spent everywhere is a real 0% execution, graded
        for row in d["项目资金"].values():
            if isinstance(row, dict):
                row["全年执行数"] = 0
    result = evaluate(parse_case(yaml.safe_dump(_case(nothing_spent), allow_unicode=True), "x.yaml"))
    assert result.rate == 0 and result.total is not None and "E-FUND-TOTAL-EMPTY" not in [f.code for f in result.findings]


# ---- the 评分表 follows the same rule -------------------------------------------------------------------
SEED001 = Path(__file__).parent / "cases" / "seed001-信息系统运维项目-评分表.yaml"


@pytest.mark.parametrize("mutate, word", [
    (lambda d: d["评分指标"][1].pop("得分"), "未能计分"),
    (lambda d: d["评分指标"][2].update(分值="三分"), "未能计分"),
    (lambda d: d.update(评分指标=[]), "没有读到任何指标行"),
])
def test_a_scoresheet_that_cannot_be_scored_has_no_grade(mutate, word, tmp_path):
    data = yaml.safe_load(SEED001.read_text("utf-8"))
    data.pop("期望", None)
    mutate(data)
    path = tmp_path / "评分表.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    out = json.loads(run("score", path, "--json").stdout)
    assert out["总分"] is None and out["等次"] is None and word in out["无法计分原因"]
    assert "E-UNGRADED" in [m["代码"] for m in out["标记"]]
    text = run("check", path).stdout
    assert "总分 无法计分" in text and not re.search(r"等次 [优良中差]", text)
    report = tmp_path / "报告.docx"
    run("report", path, "-o", report)
    body = "\n".join(p.text for p in docx.Document(str(report)).paragraphs)
    assert "无法计分" in body and "评价等次为“" not in body


def test_the_excel_score_button_shows_no_grade(broken_forms, tmp_path, monkeypatch):
    """The 计分 button (xlwings, through its remote engine): 总分/等次 cells get 无法计分, the dialog says why."""
    import copy

    from test_excel import Replay, book_from_file

    from evaltool.excel import entry

    monkeypatch.setenv("HOME", str(tmp_path))  # the add-in's log stays in the test's folder
    book, _ = book_from_file(broken_forms["全年预算数"], monkeypatch)
    payload = copy.deepcopy(book.api)
    assert entry.score(book=book) is not None
    got = Replay({"sheets": payload["sheets"]}, book.json()["actions"])
    p = read_workbook_projects(broken_forms["全年预算数"])[0]
    info = sheet_info(p)
    for name in ("总分", "等次"):
        assert got.get(info.out[name].sheet, info.out[name].cell, "value") == "无法计分"
    alert = next(a for a in got.alerts if "计分完成" in a)
    assert "无法计分" in alert and "全年预算数" in alert and "总分 " not in alert
