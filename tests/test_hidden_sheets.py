"""SWEEP S40: a hidden sheet holding a form (a clerk's copy of last year's form, hidden) is not read by
any front end — check, score, collect, publish, the Excel buttons and the server — and each names it
with W-HIDDEN-FORM; a workbook whose only form is hidden is refused with what to do. Before, check
and collect scored and summed the hidden 2024 form while publish silently dropped it."""
from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
import xlwings as xw
from click.testing import CliRunner

from conftest import case_files
from evaltool.cli import main
from evaltool.excel import entry
from evaltool.server.app import Settings
from evaltool.workbook import xlsx_engine
from serverkit import free_port, payload_from_file, post, running
from test_excel import payload_from_grids

CASE = next(c for c in case_files("自评表") if "seed003" in c.name)
LAST_YEAR = "自评表(2024)"


def run(*args, ok=(0, 1)):
    res = CliRunner().invoke(main, [str(a) for a in args])
    assert res.exit_code in ok, res.output
    return res


@pytest.fixture(params=["hidden", "veryHidden"])
def workbook(request, tmp_path) -> Path:
    src = tmp_path / "填报.xlsx"
    run("new", "--from", CASE, "-o", src, ok=(0,))
    wb = openpyxl.load_workbook(src)
    copy = wb.copy_worksheet(wb.worksheets[0])
    copy.title = LAST_YEAR
    copy["B3"] = "上年的项目"  # (whatever it holds: it must not reach any result)
    copy.sheet_state = request.param
    wb.save(src)
    return src


def hidden_warnings(findings) -> list:
    return [f for f in findings if f["代码"] == "W-HIDDEN-FORM"]


def test_check_and_score_read_only_the_visible_form_and_name_the_hidden_one(workbook):
    data = json.loads(run("check", workbook, "--json").output)
    projects = data if isinstance(data, list) else [data]
    assert len(projects) == 1 and str(projects[0]["总分"]) == "99.98"
    warned = hidden_warnings(projects[0]["标记"])
    assert len(warned) == 1 and warned[0]["工作表"] == LAST_YEAR and "取消隐藏" in warned[0]["说明"]
    before = {ws.title: [[c.value for c in r] for r in ws.iter_rows()] for ws in openpyxl.load_workbook(workbook)
              if ws.title == LAST_YEAR}
    out = run("score", workbook).output
    assert "W-HIDDEN-FORM" in out
    after = {ws.title: [[c.value for c in r] for r in ws.iter_rows()] for ws in openpyxl.load_workbook(workbook)
             if ws.title == LAST_YEAR}
    assert after == before  # the hidden form is not written to either


def test_collect_sums_only_the_visible_form(workbook, tmp_path):
    inbox = workbook.parent
    res = run("collect", inbox, "-o", tmp_path / "汇总.xlsx", "--json", "-j", "1")
    data = json.loads(res.output)
    assert data["项目数"] == 1 and data["重复提交"] == 0
    wb = openpyxl.load_workbook(tmp_path / "汇总.xlsx")
    issues = [[c.value for c in r] for r in wb["问题清单"].iter_rows(min_row=2)]
    assert any("W-HIDDEN-FORM" in row and LAST_YEAR in row for row in issues), issues


def test_only_hidden_forms_are_refused_with_what_to_do(tmp_path):
    src = tmp_path / "只有隐藏.xlsx"
    run("new", "--from", CASE, "-o", src, ok=(0,))
    wb = openpyxl.load_workbook(src)
    wb.active = 1
    wb.worksheets[0].sheet_state = "hidden"
    wb.save(src)
    res = run("check", src, ok=(2,))
    assert "隐藏的工作表" in res.output and "“自评表”" in res.output and "取消隐藏" in res.output
    assert "Traceback" not in res.output


def test_the_excel_button_and_the_server_skip_the_hidden_form_too(workbook, tmp_path):
    grids = xlsx_engine.read_grids(workbook)
    assert [g.hidden for g in grids if g.sheet == LAST_YEAR] == [True]
    payload = payload_from_grids(grids, name=workbook.name)
    for sheet, grid in zip(payload["sheets"], grids):
        sheet["visibility"] = "Hidden" if grid.hidden else "Visible"  # as Office.js reports it
    results = entry.check(book=xw.Book(json=payload))
    assert [p.sheet for p, _ in results] == ["自评表"]
    assert any(f.code == "W-HIDDEN-FORM" and f.location.sheet == LAST_YEAR for _, r in results for f in r.findings)

    body = payload_from_file(workbook)
    for sheet, grid in zip(body["sheets"], grids):
        sheet["hidden"] = grid.hidden  # as the WPS add-in sends it (ws.Visible)
    with running(Settings(port=free_port(), log_dir=str(tmp_path / "log"))) as base:
        status, _, got = post(base, "/api/check", body)
    assert status == 200, got
    assert got["results"] == [json.loads(run("check", workbook, "--json").output)]


def test_publish_and_check_count_the_same_forms(workbook, tmp_path):
    out = tmp_path / "公开"
    run("publish", workbook, "-o", out, "--no-pdf")
    draft = (out / "预算绩效情况说明（草稿）.md").read_text("utf-8")
    assert "上年的项目" not in draft
