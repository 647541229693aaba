"""Layout conformance: each published 自评表 layout (forms.py), as a real .xlsx file, gives its hand-computed
numbers through every command — check, score (written into the workbook and read back), report (the
.docx opened) and collect (the 汇总 row) — or, for a form that truly lacks a needed column, no 总分 and
no 等次 with a finding that names the missing label."""
from __future__ import annotations

import json
import re
import shutil
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner

import forms
from evaltool.cli import main
from evaltool.collect import collect
from evaltool.workbook.reader import read_workbook_projects, sheet_info

GRADED = [k for k, v in forms.LAYOUTS.items() if "无法计分" not in v[2]]
UNGRADED = [k for k, v in forms.LAYOUTS.items() if "无法计分" in v[2]]


def D(x) -> Decimal:
    return Decimal(str(x))


def q2(x) -> Decimal:
    return D(x).quantize(Decimal("0.01"))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("layouts")
    out = {}
    for lid, (build, _, _) in forms.LAYOUTS.items():
        path = folder / f"{lid}.xlsx"
        build(path)
        out[lid] = path
    return out


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def rules_args(lid: str) -> list[str]:
    rules = forms.LAYOUTS[lid][1]
    return ["--rules", rules] if rules else []


def test_there_are_at_least_twelve_published_layouts():
    assert len(GRADED) >= 12 and UNGRADED


@pytest.mark.parametrize("lid", GRADED)
def test_check_gives_the_hand_computed_numbers(built, lid):
    exp = forms.LAYOUTS[lid][2]
    code, out = run("check", str(built[lid]), "--json", *rules_args(lid))
    data = json.loads(out)
    assert D(data["执行率"]) == D(exp["执行率"])
    assert q2(data["执行率得分"]) == D(exp["执行率得分"])
    assert [q2(i["得分"]) for i in data["指标"]] == [D(x) for x in forms.expected_scores(exp)]
    assert [i["三级指标"].removeprefix("指标1") for i in data["指标"]] == [i[2] for i in forms.INDICATORS]
    for name, value in forms.expected_subtotals(exp).items():
        assert q2(data["小计"][name]) == D(value), name
    assert q2(data["总分"]) == D(exp["总分"]) and data["等次"] == exp["等次"]
    codes = [f["代码"] for f in data["标记"]]
    assert not [c for c in codes if c.startswith("E-")], data["标记"]


@pytest.mark.parametrize("lid", GRADED)
def test_score_writes_the_numbers_into_the_workbook(built, lid, tmp_path):
    exp = forms.LAYOUTS[lid][2]
    path = tmp_path / built[lid].name
    shutil.copy(built[lid], path)
    run("score", str(path), *rules_args(lid))
    # Read the written cells back (found by their labels, as any reader would).
    (project,) = read_workbook_projects(path)
    info = sheet_info(project)
    assert q2(info.out_values["执行率得分"]) == D(exp["执行率得分"])
    assert q2(info.out_values["总分"]) == D(exp["总分"])
    assert [q2(v) for v in info.indicator_out_values] == [D(x) for x in forms.expected_scores(exp)]
    if "执行率" in info.out_values:
        assert D(info.out_values["执行率"]).quantize(Decimal("0.0001")) == D(exp["执行率"])
    # Nothing the clerk typed changed: every input cell reads as before.
    before = openpyxl.load_workbook(built[lid])
    after = openpyxl.load_workbook(path)
    for ws in before.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None and cell.coordinate in info.inputs:
                    assert after[ws.title][cell.coordinate].value == cell.value, cell.coordinate


@pytest.mark.parametrize("lid", GRADED)
def test_report_states_the_total_and_grade(built, lid, tmp_path):
    exp = forms.LAYOUTS[lid][2]
    out = tmp_path / f"{lid}.docx"
    run("report", str(built[lid]), "-o", str(out), *rules_args(lid))
    document = docx.Document(str(out))
    body = "\n".join(p.text for p in document.paragraphs)
    total = re.search(r"自评总分([\d.]+)分", body)
    assert total and D(total.group(1)) == D(exp["总分"])
    assert re.search(r"评价等次为“(.)”", body).group(1) == exp["等次"]
    rate = re.search(r"预算执行率([\d.]+)%", body)
    assert rate and D(rate.group(1)) == D(exp["执行率"]) * 100


def _summary(path: Path) -> dict[str, dict]:
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = list(wb["汇总"].iter_rows(values_only=True))
    wb.close()
    header = rows[0]
    return {Path(r[header.index("文件")]).stem: dict(zip(header, r)) for r in rows[1:] if r[header.index("文件")]}


@pytest.fixture(scope="module")
def summary(built, tmp_path_factory) -> dict[str, dict]:
    """The 汇总 rows: one run per rule set, as a bureau would run collect --rules for its own forms."""
    rows: dict[str, dict] = {}
    for rules in {forms.LAYOUTS[k][1] for k in forms.LAYOUTS}:
        folder = tmp_path_factory.mktemp("collect")
        for lid, path in built.items():
            if forms.LAYOUTS[lid][1] == rules:
                shutil.copy(path, folder / path.name)
        out = folder.parent / f"{folder.name}-汇总.xlsx"
        collect([folder], out, rules=rules, workers=1)
        rows.update(_summary(out))
    return rows


@pytest.mark.parametrize("lid", GRADED)
def test_collect_lists_the_hand_computed_numbers(summary, lid):
    exp = forms.LAYOUTS[lid][2]
    row = summary[lid]
    assert row["项目"] == forms.NAME
    assert D(row["执行率"]) == D(exp["执行率"])
    assert q2(row["执行率得分"]) == D(exp["执行率得分"])
    assert q2(row["总分"]) == D(exp["总分"]) and row["等次"] == exp["等次"]
    for name, value in forms.expected_subtotals(exp).items():
        assert q2(row[name]) == D(value), name


# ---- forms that truly lack a needed column ----------------------------------------------------------
@pytest.mark.parametrize("lid", UNGRADED)
def test_a_missing_column_is_named_and_never_graded(built, summary, lid, tmp_path):
    exp = forms.LAYOUTS[lid][2]
    (project,) = read_workbook_projects(built[lid])
    unread = [f for f in project.read_findings if f.code == exp["无法计分"]]
    assert unread, project.read_findings
    assert f"没有“{exp['缺少']}”列" in unread[0].message and unread[0].location.cell
    assert "找到“" in unread[0].message  # what was found, in the form's own words
    code, out = run("check", str(built[lid]), "--json", *rules_args(lid))
    data = json.loads(out)
    assert code != 0 and exp["无法计分"] in [f["代码"] for f in data["标记"]]
    assert data["总分"] is None and data["等次"] is None
    code, text = run("check", str(built[lid]))
    assert "无法计分" in text and f"没有“{exp['缺少']}”列" in text
    # score: the 总分 cell says so, nothing is graded
    path = tmp_path / built[lid].name
    shutil.copy(built[lid], path)
    run("score", str(path))
    (project,) = read_workbook_projects(path)
    assert sheet_info(project).out_values["总分"] == "无法计分"
    # report: no total, no grade, the reason
    out_docx = tmp_path / f"{lid}.docx"
    run("report", str(built[lid]), "-o", str(out_docx))
    body = "\n".join(p.text for p in docx.Document(str(out_docx)).paragraphs)
    assert "无法计分" in body and exp["缺少"] in body and not re.search(r"自评总分[\d.]+分", body)
    # collect: the 汇总 row
    row = summary[lid]
    assert row["总分"] is None and "无法计分" in str(row["等次"])


def test_the_a_column_used_as_budget_is_said(built):
    (project,) = read_workbook_projects(built["beijing"])
    note = [f for f in project.read_findings if f.code == "I-FUND-A"]
    assert note and "年初预算数（A）" in note[0].message and note[0].severity == "info"


def test_extra_columns_are_mentioned_once(built):
    (project,) = read_workbook_projects(built["shandong"])
    notes = [f for f in project.read_findings if f.code == "I-COLUMN-IGNORED"]
    assert len(notes) == 1
    for label in ("序号", "指标解释", "备注"):
        assert f"“{label}”" in notes[0].message
    (project,) = read_workbook_projects(built["hubei"])
    (note,) = [f for f in project.read_findings if f.code == "I-COLUMN-IGNORED"]
    assert "“指标解释”" in note.message and "“评分标准”" in note.message


def test_sichuan_fund_rows_add_up_to_the_total(built):
    (project,) = read_workbook_projects(built["sichuan"])
    other = project.funds["其他资金"]
    assert D(other.budget) == D("41.89") and D(other.actual) == D("39.30")
    assert D(project.funds["本年财政拨款"].budget) == 210
    assert D(project.fund_weight) == 10


def test_a_split_target_is_read_as_one(built):
    (project,) = read_workbook_projects(built["yunnan"])
    assert [i.target for i in project.indicators] == ["≥100人", "≥95%", "=100%", "≥90%", "≥90%"]
    assert project.indicators[0].cells["年度指标值"].cell == "F14"  # findings point at the 指标值 cell


def test_template_rows_left_blank_are_not_indicators(built):
    (project,) = read_workbook_projects(built["hebei"])
    assert len(project.indicators) == len(forms.INDICATORS)
    assert project.indicators[3].level2 == "社会效益\n指标" and project.indicators[3].level1 == "效益指标"


def test_a_split_target_in_a_percent_formatted_cell_reads_as_shown(tmp_path):
    """指标值 typed as 95% (a percent-formatted 0.95) beside 度量单位 “%” is ≥95%, not ≥0.95%."""
    path = tmp_path / "yunnan.xlsx"
    forms.yunnan(path)
    wb = openpyxl.load_workbook(path)
    ws = wb["自评表"]
    ws["F15"] = 0.95
    ws["F15"].number_format = "0%"
    wb.save(path)
    (project,) = read_workbook_projects(path)
    assert project.indicators[1].target == "≥95%"
