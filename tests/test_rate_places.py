"""The 执行率 and the 小数位 as shown (SWEEP S53, S42): the 执行率得分 is computed from the rate as the form
shows it (执行率小数位, half-up) — in 分档 as in 比例, so 79.996% shown as 80.00% is in the 80% band and the
explanation's arithmetic is true as written; the 设置 sheet's 小数位 is 0–4, as E-PLACES says, and the
console, the JSON, the report and collect show the scores at that 小数位. Real .xlsx files from `evaltool new`."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import docx
import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from evaltool.cli import main

SAMPLE = Path(__file__).resolve().parents[1] / "evaltool" / "samples" / "示例-电子政务各项专项经费.yaml"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def banded(tmp_path: Path, actual: int, method: str = "分档示例") -> dict:
    data = yaml.safe_load(SAMPLE.read_text("utf-8"))
    data.pop("期望", None)
    data["规则"] = method
    for row in data["项目资金"].values():
        if isinstance(row, dict):
            row.update({"年初预算数": 0, "全年预算数": 0, "全年执行数": 0})
    data["项目资金"]["年度资金总额"] = {"年初预算数": 100000, "全年预算数": 100000, "全年执行数": actual}
    data["项目资金"]["本年财政拨款"] = {"年初预算数": 100000, "全年预算数": 100000, "全年执行数": actual}
    case = tmp_path / f"band{actual}.yaml"
    case.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return json.loads(run("check", case, "--json").output)


@pytest.mark.parametrize("actual, shown, points", [
    (79995, "80.00%", 6), (94996, "95.00%", 9), (99996, "100.00%", 10), (79994, "79.99%", 0)])
def test_bands_compare_the_rate_as_shown(tmp_path, actual, shown, points):
    got = banded(tmp_path, actual)
    assert got["执行率得分"] == points, got["执行率说明"]
    assert f"= {shown}，按分档计分" in got["执行率说明"]
    assert got["执行率说明"].endswith(f"= {points:.2f}")


def with_places(tmp_path: Path, places: object) -> Path:
    book = tmp_path / f"p{places}.xlsx"
    assert run("new", book, "--from", SAMPLE).exit_code in (0, 1)
    wb = openpyxl.load_workbook(book)
    ws = wb["设置"]
    cell = next(ws.cell(r, 2) for r in range(1, 20) if ws.cell(r, 1).value == "小数位")
    cell.value = places
    wb.save(book)
    return book


def test_three_places_everywhere(tmp_path):
    """10 × 51.56% = 5.156: the score, its explanation, the console, the report and collect agree."""
    book = with_places(tmp_path, 3)
    got = json.loads(run("check", book, "--json").output)
    assert (got["执行率得分"], got["总分"]) == (5.156, 95.156)
    assert got["执行率说明"].endswith("10 × 51.56% = 5.156")
    console = run("check", book).output
    assert "执行率得分：5.156 / 10" in console and "总分 95.156" in console and "95.16" not in console
    report = tmp_path / "r.docx"
    assert run("report", book, "-o", report).exit_code in (0, 1)
    text = "\n".join(p.text for p in docx.Document(str(report)).paragraphs)
    assert "95.156分" in text and "95.16分" not in text
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    book.rename(inbox / book.name)
    out = tmp_path / "汇总.xlsx"
    subprocess.run([sys.executable, "-m", "evaltool", "collect", str(inbox), "-o", str(out)], capture_output=True,
                   check=False, timeout=300)
    ws = openpyxl.load_workbook(out)["汇总"]
    head = [c.value for c in ws[1]]
    total = ws.cell(2, head.index("总分") + 1)
    assert total.value == 95.156 and total.number_format == "0.00##"  # Excel shows 95.156


@pytest.mark.parametrize("places", [5, 6, -1, "两位"])
def test_places_beyond_four_are_refused_as_the_message_says(tmp_path, places):
    got = json.loads(run("check", with_places(tmp_path, places), "--json").output)
    said = [f for f in got["标记"] if f["代码"] == "E-PLACES"]
    assert said and "0 到 4" in said[0]["说明"] and said[0]["单元格"]
    assert got["执行率得分"] == 5.16  # the rule set's 2 places, never 5 unannounced


def test_rule_set_places_beyond_four_are_refused(tmp_path):
    own = tmp_path / "本地.yaml"
    own.write_text("继承: 国家标准\n编号: 本地\n小数位: 5\n", "utf-8")
    res = run("check", SAMPLE, "--rules", own)
    assert res.exit_code == 2 and "小数位”应为 0 到 4 的整数" in res.output
