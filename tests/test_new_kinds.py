"""`evaltool new --kind` / `template --kind` for every registered kind, and the ribbons' 新建 menu
through Excel's entry point (xlwings remote engine) and the server's /api/new the WPS add-in uses."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
import xlwings as xw
from click.testing import CliRunner

from evaltool.cli import main
from evaltool.core import kinds
from evaltool.excel import entry
from evaltool.server.app import Settings
from evaltool.workbook import service, template, xlsx_engine

from conftest import case_files
from serverkit import free_port, post, running
from test_excel import book_from_file, filled_file

ROOT = Path(__file__).resolve().parents[1]
KINDS = kinds.names()


def run(*args, cwd: Path):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, [str(a) for a in args])
    finally:
        os.chdir(old)


@pytest.mark.parametrize("name", KINDS)
def test_new_kind_writes_the_kinds_blank_template_which_reads_back_as_that_kind(tmp_path, name):
    kind = kinds.kind_named(name)
    res = run("new", "--kind", name, cwd=tmp_path)
    assert res.exit_code == 0, res.output
    path = tmp_path / f"{kind.title}.xlsx"
    assert path.exists() and f"已生成空白{kind.title}" in res.output  # the form's own name, not the --kind word
    assert openpyxl.load_workbook(path).sheetnames == kind.build_workbook(None, None).sheetnames
    assert [p.kind for p in service.load(str(path))] == [name]
    # template --kind writes the very same bytes
    out = tmp_path / "模板.xlsx"
    res = run("template", "--kind", name, "-o", out, cwd=tmp_path)
    assert res.exit_code == 0, res.output
    assert unstamped(out) == unstamped(path)  # (-o stamps its output as evaltool's own: core/provenance)
    # and never over a file that exists
    res = run("new", "--kind", name, cwd=tmp_path)
    assert res.exit_code == 2 and "已存在" in res.output


def test_new_without_kind_is_still_the_selfeval_template(tmp_path):
    res = run("new", "a.xlsx", cwd=tmp_path)
    assert res.exit_code == 0, res.output
    assert (tmp_path / "a.xlsx").read_bytes() == template.template_bytes()


def test_unknown_kind_is_a_chinese_message_listing_the_kinds(tmp_path):
    for args in (["new", "--kind", "预算表"], ["template", "--kind", "预算表", "-o", "t.xlsx"]):
        res = run(*args, cwd=tmp_path)
        assert res.exit_code == 2
        assert "没有名为“预算表”的表格类型" in res.output and "、".join(KINDS) in res.output
        assert "Traceback" not in res.output
    assert list(tmp_path.iterdir()) == []


def test_case_of_another_kind_than_kind_is_refused_before_any_file(tmp_path):
    case = case_files("自评表")[0]
    res = run("new", "x.xlsx", "--kind", "评分表", "--from", case, cwd=tmp_path)
    assert res.exit_code == 2 and "不能生成 --kind 评分表" in res.output
    assert not (tmp_path / "x.xlsx").exists()


def test_new_help_lists_the_kinds_without_importing_any_kind():
    probe = ("import contextlib, io, json, sys\n"
             "sys.argv = ['evaltool', 'new', '--help']\nout = io.StringIO()\n"
             "try:\n    with contextlib.redirect_stdout(out):\n        from evaltool.cli import main\n        main()\n"
             "except SystemExit:\n    pass\n"
             "print(json.dumps({'out': out.getvalue(), 'modules': sorted(sys.modules)}))")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    got = json.loads(done.stdout.splitlines()[-1])
    assert "、".join(KINDS) in got["out"].replace("\n", "").replace(" ", "")
    # a kind's package may add commands (its *_cli module); its FormKind is imported only when used
    assert [m for m in got["modules"] if m.startswith("evaltool.kinds.") and m.endswith(".kind")] == []
    assert "evaltool.core.kinds" in got["modules"]


# ---- the ribbon's 新建 menu: Excel (remote engine) ------------------------------------------------
@pytest.mark.parametrize("name", KINDS)
def test_excel_new_menu_item_adds_the_kinds_form_sheet(tmp_path, name):
    from evaltool.core.caseio import load_case

    book, _ = book_from_file(filled_file(tmp_path, load_case(case_files("自评表")[0])))
    before = [s.name for s in book.sheets]
    kind = kinds.kind_named(name)
    blank = kind.build_workbook(None, None)
    sheet = entry.press("new_sheet:" + name, xw.__version__, book=book)
    actions = book.json()["actions"]
    added = [a["args"][1] for a in actions if a["func"] == "addSheet"]
    assert added[0] == sheet and sheet.startswith(blank.worksheets[0].title)
    assert sheet not in before
    # the sheets that go with the form, only those the workbook lacks
    assert added[1:] == [t for t in blank.sheetnames[1:] if t not in before]
    grid = xlsx_engine.grids_from_workbook(blank)[0]
    values = next(a["values"] for a in actions if a["func"] == "setValues")
    assert values[0][0] == grid.values[0][0] and len(values) == grid.nrows
    alerts = [a["args"][0] for a in actions if a["func"] == "alert"]
    assert alerts == [f"已新建空白{name}“{sheet}”。白色单元格由您填写，灰色单元格由“计分”自动填写。"]


def test_excel_new_menu_with_a_kind_it_does_not_know_says_so(tmp_path):
    from evaltool.core.caseio import load_case

    book, _ = book_from_file(filled_file(tmp_path, load_case(case_files("自评表")[0])))
    assert entry.press("new_sheet:预算表", xw.__version__, book=book) is None
    actions = book.json()["actions"]
    assert not [a for a in actions if a["func"] == "addSheet"]
    (alert,) = [a["args"][0] for a in actions if a["func"] == "alert"]
    assert "没有“预算表”这种表格" in alert and "、".join(KINDS) in alert


# ---- the server's /api/new (the WPS add-in's 新建 menu) ----------------------------------------
@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running(Settings(port=free_port(), log_dir=str(tmp_path_factory.mktemp("log")))) as base:
        yield base


@pytest.mark.parametrize("name", KINDS)
def test_api_new_kind_is_the_cli_template_and_its_grids(server, tmp_path, name):
    status, _, body = post(server, "/api/new", {"format": "xlsx", "kind": name}, raw=True)
    assert status == 200
    res = run("new", "x.xlsx", "--kind", name, cwd=tmp_path)
    assert res.exit_code == 0 and body == (tmp_path / "x.xlsx").read_bytes()
    blank = kinds.kind_named(name).build_workbook(None, None)
    status, _, got = post(server, "/api/new", {"format": "grids", "kind": name, "existing": ["Sheet1", "说明"]})
    assert status == 200, got
    assert got["sheet"]["name"] == blank.worksheets[0].title and got["sheet"]["rows"]
    assert [s["name"] for s in got["extra"]] == [t for t in blank.sheetnames[1:] if t != "说明"]


def test_api_new_unknown_kind_is_refused_in_chinese(server):
    status, _, got = post(server, "/api/new", {"format": "grids", "kind": "预算表"})
    assert status == 422 and "“kind”应为表格类型之一" in got["error"]


def unstamped(path) -> dict:
    """Every part of a package, the core properties without evaltool's output stamp (dc:identifier)."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as zf:
        return {n: re.sub(rb"<dc:identifier[^>]*>evaltool-[0-9a-f]{64}</dc:identifier>", b"", zf.read(n))
                for n in zf.namelist()}
