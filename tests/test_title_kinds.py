"""Report titles of every kind break between words (GB/T 9704 回行时词意完整), read back from a real .docx.

The 监控情况说明 of "2026年农村道路养护项目" used to break as "2026年农村道路养护项 / 目绩效运行监控情况说明"
(SWEEP S3): the break-point words knew only the 自评表's titles.
"""
from __future__ import annotations

import docx
import openpyxl
import pytest
from click.testing import CliRunner

from evaltool import cli
from evaltool.report.docx_writer import title_lines

NAME = "2026年农村道路养护项目"


@pytest.mark.parametrize("title", [
    NAME + "绩效运行监控情况说明",
    NAME + "绩效目标审核意见",
    "某县交通运输局\u20282026年度部门整体支出绩效自评报告",
    "某县公路养护中心\u2028" + NAME + "支出绩效评价报告",
    "某县公路养护中心\u20282026年度农村公路危桥改造及安全生命防护工程项目支出绩效评价报告",
])
def test_title_lines_never_split_a_word(title):
    lines = title_lines(title)
    assert "".join(lines) == title.replace("\u2028", "")
    for a, b in zip(lines, lines[1:]):
        assert (a[-1] + b[0]) not in ("项目", "绩效", "年度", "部门", "支出", "报告", "监控", "说明", "意见"), lines


def test_monitor_report_title_keeps_the_project_name_whole(tmp_path):
    book = tmp_path / "监控表.xlsx"
    runner = CliRunner()
    assert runner.invoke(cli.main, ["new", "--kind", "运行监控表", str(book)]).exit_code == 0
    wb = openpyxl.load_workbook(book)
    ws = wb.worksheets[0]
    for row in ws.iter_rows():  # the input cell right of each label, found by label
        for c in row:
            if c.value in ("项目名称", "实施单位"):
                ws.cell(c.row, c.column + 1).value = NAME if c.value == "项目名称" else "某县公路养护中心"
    wb.save(book)
    out = tmp_path / "说明.docx"
    res = runner.invoke(cli.main, ["report", str(book), "-o", str(out)])
    assert res.exit_code in (0, 1), res.output
    title = docx.Document(out).paragraphs[0].text
    assert NAME + "\n" in title or title.endswith(NAME + "绩效运行监控情况说明"), repr(title)
    assert "项\n目" not in title
