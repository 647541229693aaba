"""A third form kind, registered only here with one line (issue 13): check, score, report and collect
handle the tests' 测试表 (tests/testkind/) with no edit anywhere else."""
from __future__ import annotations

import json

import docx
import openpyxl
import pytest
from click.testing import CliRunner

from evaltool.cli import main
from evaltool.core import kinds

CASE = """类型: 测试表
项目名称: 第三种表测试项目
年度: 2024
主管部门: 某县财政局
实施单位: 某县测试中心
测试指标:
  - {名称: 甲项, 分值: 60, 得分: 52}
  - {名称: 乙项, 分值: 40, 得分: 40}
"""


@pytest.fixture
def third_kind():
    kinds.register("测试表", "testkind.kind:KIND")  # the one registry line
    yield
    kinds.unregister("测试表")


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_check_and_score_a_case_file(third_kind, tmp_path):
    case = tmp_path / "测试.yaml"
    case.write_text(CASE, "utf-8")
    res = run("check", case, "--json")
    assert res.exit_code == 0, res.output
    got = json.loads(res.output)
    assert (got["类型"], got["总分"], got["等次"]) == ("测试表", 92, "优")
    bad = tmp_path / "超分.yaml"
    bad.write_text(CASE.replace("得分: 40", "得分: 45"), "utf-8")
    res = run("score", bad, "--json")
    got = json.loads(res.output)
    assert res.exit_code == 1 and got["总分"] is None and got["等次"] is None
    assert [f["代码"] for f in got["标记"]] == ["E-TEST-OVER", "E-UNGRADED"]


def test_workbook_new_check_score_report_and_collect(third_kind, tmp_path):
    case = tmp_path / "测试.yaml"
    case.write_text(CASE, "utf-8")
    folder = tmp_path / "收件箱"
    folder.mkdir()
    book = folder / "测试表.xlsx"
    assert run("new", book, "--from", case).exit_code == 0
    ws = openpyxl.load_workbook(book)["测试表"]
    assert ws["B10"].value == 92  # new --from scores it: the kind's cell writes
    assert "校验结果" in openpyxl.load_workbook(book).sheetnames

    res = run("check", book)
    assert res.exit_code == 0 and "第三种表测试项目" in res.output and "总分 92.00" in res.output

    ws.parent["测试表"]["C9"] = 50  # 乙项 50 > 40: an error, marked on its cell
    ws.parent.save(book)
    res = run("score", book)
    assert res.exit_code == 1, res.output
    scored = openpyxl.load_workbook(book)
    assert scored["测试表"]["B10"].value == "无法计分"
    assert "超过分值" in scored["测试表"]["C9"].comment.text

    scored["测试表"]["C9"] = 40
    scored.save(book)
    assert run("score", book).exit_code == 0
    report = tmp_path / "报告.docx"
    res = run("report", book, "-o", report)
    assert res.exit_code == 0, res.output
    doc = docx.Document(str(report))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "第三种表测试项目" in text and "测试评价报告" in text and "测试表总分92.00分" in text
    assert [c.text for c in doc.tables[0].rows[1].cells] == ["甲项", "60", "52"]

    out = tmp_path / "汇总.xlsx"
    res = run("collect", folder, "-o", out, "-j", "1")
    assert res.exit_code == 0, res.output
    rows = list(openpyxl.load_workbook(out)["汇总"].iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    row = dict(zip(header, next(r for r in rows[1:] if "第三种表测试项目" in r)))
    assert (row["总分"], row["等次"]) == (92, "优")


def test_without_its_registry_line_the_kind_is_unknown(tmp_path):
    case = tmp_path / "测试.yaml"
    case.write_text(CASE, "utf-8")
    res = run("check", case)
    listed = "或".join(f"“{k}”" for k in kinds.names())  # every registered kind, and not the 测试表
    assert res.exit_code == 2 and f"“类型”应为{listed}，现为“测试表”" in res.output
