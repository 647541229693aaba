"""SWEEP S66: a rule file the 设置 sheet names by a relative path ("某市2025.yaml") is found beside the
workbook, whatever folder check or collect is started from (it was looked up from the current folder:
the clerk's check worked, the bureau's collect called the file unreadable); missing, the message names
the 设置 cell and the folders looked in."""
from __future__ import annotations

import json

import openpyxl
from click.testing import CliRunner

from conftest import case_files
from evaltool.cli import main

CASE = next(c for c in case_files("自评表") if "seed003" in c.name)
RULES = "编号: 某市2025\n继承: 国家标准\n标签:\n  指标列:\n    实际完成值: [实际达成值]\n"


def run(*args, ok=(0, 1)):
    res = CliRunner().invoke(main, [str(a) for a in args])
    assert res.exit_code in ok, res.output
    return res


def unit_folder(tmp_path, with_rules=True):
    """单位A/填报.xlsx whose 设置 names 某市2025.yaml and whose 实际完成值 header is that file's label."""
    folder = tmp_path / "收件" / "单位A"
    folder.mkdir(parents=True)
    book = folder / "填报.xlsx"
    run("new", "--from", CASE, "-o", book)
    wb = openpyxl.load_workbook(book)
    ws = wb["自评表"]
    header = next(c for row in ws.iter_rows() for c in row if c.value == "实际完成值")
    header.value = "实际达成值"  # only the rule file's 标签 makes this column readable
    settings = wb["设置"]
    label = next(c for row in settings.iter_rows() for c in row if c.value == "规则集")
    named = settings.cell(label.row, label.column + 1)
    named.value = "某市2025.yaml"
    wb.save(book)
    if with_rules:
        (folder / "某市2025.yaml").write_text(RULES, "utf-8")
    return book, named.coordinate


def test_check_and_collect_find_the_rule_file_beside_the_workbook(tmp_path, monkeypatch):
    book, _ = unit_folder(tmp_path)
    elsewhere = tmp_path / "别处"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the bureau's folder, not the clerk's
    data = json.loads(run("check", book, "--json").output)
    assert data["规则"] == "某市2025" and str(data["总分"]) == "99.98"
    res = run("collect", tmp_path / "收件", "-o", elsewhere / "汇总.xlsx", "--json", "-j", "1")
    summary = json.loads(res.output)
    assert summary["无法读取"] == [] and summary["项目数"] == 1


def test_a_missing_rule_file_names_the_settings_cell_and_the_folders(tmp_path, monkeypatch):
    book, cell = unit_folder(tmp_path, with_rules=False)
    monkeypatch.chdir(tmp_path)
    res = run("check", book, ok=(2,))
    text = res.output.replace("\n", "")
    assert f"“设置”工作表{cell}指定的规则文件“某市2025.yaml”找不到" in text
    assert str(book.parent) in text and "Traceback" not in text
