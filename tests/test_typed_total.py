"""SWEEP S52: a hand-made 自评表 whose typed 总分 (99) differs from the computed one (94.70). The note
W-TYPED-DIFFERS was made only while writing the 校验结果 sheet, so check, score's console, --json,
collect's 问题清单, --review's 填报得分不符 and the Excel/WPS alert never said it. Now every front end
lists the same findings, and the sheet's heading counts the rows under it."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from evaltool.cli import main
from evaltool.workbook import service
from evaltool.workbook.reader import read_workbook_projects, sheet_info

sys.path.insert(0, str(Path(__file__).parent / "layouts"))
import forms  # noqa: E402


def run(*args, ok=(0, 1)):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code in ok, (result.exit_code, result.output, result.exception)
    return result


def claimed(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "手工表.xlsx"
    forms.national(path)
    info = sheet_info(read_workbook_projects(path)[0])
    cell = info.out["总分"].cell
    wb = openpyxl.load_workbook(path)
    wb.active[cell] = 99
    wb.save(path)
    return path, cell


def test_a_typed_total_that_differs_is_reported_by_every_front_end(tmp_path):
    path, cell = claimed(tmp_path)
    said = "evaltool 计算的总分为 95.20，与本单元格手工填写的“99”不同"
    check = run("check", path)
    assert f"自评表!{cell} {said}" in check.output and "W-TYPED-DIFFERS" in check.output, check.output
    assert "0 个错误、2 个警告" in check.output, check.output
    data = json.loads(run("check", path, "--json").output)
    problems = data["标记"]
    assert any(x["代码"] == "W-TYPED-DIFFERS" and said in x["说明"] for x in problems), problems
    scored = tmp_path / "计分.xlsx"
    score = run("score", path, "-o", scored)
    assert said in score.output, score.output
    assert openpyxl.load_workbook(scored).active[cell].value == 99  # typed: kept
    rows = list(openpyxl.load_workbook(scored)["校验结果"].iter_rows(values_only=True))
    head = next(r[0] for r in rows if isinstance(r[0], str) and r[0].startswith("校验结果："))
    listed = [r for r in rows if isinstance(r[0], int)]
    assert f"共 {len(listed)} 条" in head, (head, len(listed))
    assert sum(r[4] == "W-TYPED-DIFFERS" for r in listed) == 1
    out = tmp_path / "汇总.xlsx"
    run("collect", path, "-o", out, "--review")
    wb = openpyxl.load_workbook(out)
    assert any("W-TYPED-DIFFERS" in r for r in wb["问题清单"].iter_rows(values_only=True))
    reasons = " ".join(str(r[10]) for r in wb["抽查"].iter_rows(min_row=2, values_only=True))
    assert f"总分（自评表!{cell}）填报 99、按规则为 95.20" in reasons and "I-RISK-TYPED" in reasons, reasons
    # the Excel/WPS 校验 and 计分 alerts count it (service.summary over the shared plan)
    alert = service.summary(service.evaluate(service.load(str(path))), "校验")
    assert "0 个错误、2 个警告" in alert, alert


def test_a_value_typed_into_a_grey_cell_of_the_template_is_said_by_command(tmp_path):
    """SWEEP S46: on evaltool's own template a typed 得分 (14 for a computed 15) and 执行率得分 were
    replaced by score without a word, while the 监控表 said so. Now the 自评表 says it too: check and collect
    "计分时将改为", score "已按本次计算改为"; after scoring, check is clean. (Grey cells that still add up
    as evaltool left them are an earlier run's values, stale after an edit elsewhere: replaced silently.)"""
    path = tmp_path / "模板.xlsx"
    run("new", "--from", Path(__file__).parent / "cases" / "seed002-电子政务各项专项经费.yaml", "-o", path)
    p = read_workbook_projects(path)[0]
    cell = sheet_info(p).indicator_out[0].cell
    wb = openpyxl.load_workbook(path)
    ws = wb[p.sheet]
    computed = ws[cell].value
    ws[cell] = computed - 1
    wb.save(path)
    check = " ".join(run("check", path).output.split())
    assert f"{p.sheet}!{cell} 本单元格原为“{computed - 1}”，evaltool 计分时将改为" in check, check
    out = tmp_path / "汇总.xlsx"
    run("collect", path, "-o", out)
    listed = [r for r in openpyxl.load_workbook(out)["问题清单"].iter_rows(values_only=True) if "I-FILLED" in r]
    assert listed and "计分时将改为" in " ".join(map(str, listed[0])), listed
    score = " ".join(run("score", path).output.split())
    assert "evaltool 已按本次计算改为" in score and "将改为" not in score, score
    assert openpyxl.load_workbook(path)[p.sheet][cell].value == computed
    assert "本单元格原为" not in run("check", path).output
