"""Two columns of one header that both read as the same field (SWEEP S41): the column headed with the
standard name itself wins over a synonym, whichever comes first; two synonyms are an error naming both
cells, never silently the leftmost. Real .xlsx files (forms.national: 年度资金总额 200 / 200 / 180 -> 90.00%,
indicators 86.20, total 95.20) read and scored through the CLI."""
from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from click.testing import CliRunner

import forms
from evaltool.cli import main


def _form(path: Path, cells: dict[str, object]) -> Path:
    forms.national(path)
    wb = openpyxl.load_workbook(path)
    ws = wb["自评表"]
    for ref, value in cells.items():
        ws[ref] = value
    wb.save(path)
    return path


def _check(path: Path) -> dict:
    result = CliRunner().invoke(main, ["check", str(path), "--json"])
    assert "Traceback" not in result.output
    return json.loads(result.output)


def _findings(data: dict, code: str) -> list[dict]:
    return [f for f in data["标记"] if f["代码"] == code]


# 年初预算数 becomes an in-year adjustment (调整预算数, +20 万元) left of the real 全年预算数 column.
ADJUSTMENT = {"D5": "调整预算数", "D6": 20, "D7": 20, "D8": 0, "D9": 0}


def test_the_standard_budget_column_beats_a_synonym_left_of_it(tmp_path):
    data = _check(_form(tmp_path / "f.xlsx", {**ADJUSTMENT, "E5": "全年预算数（A）"}))
    assert data["执行率"] == 0.9 and data["总分"] == 95.2  # 180 ÷ 200, not 180 ÷ 20 = 900%
    (note,) = [f for f in _findings(data, "I-COLUMN-IGNORED") if f["单元格"] == "D5"]
    assert "调整预算数" in note["说明"] and "全年预算数（A）" in note["说明"] and "E5" in note["说明"]


def test_the_standard_budget_column_wins_also_when_it_comes_first(tmp_path):
    data = _check(_form(tmp_path / "f.xlsx", {"D5": "全年预算数", "D6": 200, "D7": 200, "E5": "调整预算数",
                                             "E6": 20, "E7": 20, "E8": 0, "E9": 0}))
    assert data["执行率"] == 0.9 and data["总分"] == 95.2


def test_a_column_marked_a_is_the_denominator_among_synonyms(tmp_path):
    data = _check(_form(tmp_path / "f.xlsx", {**ADJUSTMENT, "D5": "调整预算数", "E5": "调整后预算数（A）"}))
    assert data["执行率"] == 0.9 and data["总分"] == 95.2


def test_two_budget_synonyms_are_an_error_naming_both_cells(tmp_path):
    data = _check(_form(tmp_path / "f.xlsx", {**ADJUSTMENT, "E5": "调整后预算数"}))
    assert data["总分"] is None and data["等次"] is None
    (err,) = _findings(data, "E-UNREAD-BUDGET")
    assert "“调整预算数”（D5）" in err["说明"] and "“调整后预算数”（E5）" in err["说明"]
    assert not _findings(data, "I-FUND-A")


def test_two_target_synonyms_are_an_error_naming_both_cells(tmp_path):
    """年初目标值 | 调整后目标值 (targets adjusted in the year): which one the bureau scores is not guessed."""
    cells = {"E12": "年初目标值", "J12": "调整后目标值"}
    cells.update({f"J{13 + k}": forms.target(ind) for k, ind in enumerate(forms.INDICATORS)})
    data = _check(_form(tmp_path / "f.xlsx", cells))
    assert data["总分"] is None
    (err,) = _findings(data, "E-UNREAD-COLUMN")
    assert "“年初目标值”（E12）" in err["说明"] and "“调整后目标值”（J12）" in err["说明"]
    assert not [f for f in _findings(data, "E-REQUIRED") if "年度指标值" in f["说明"]]  # not "未填写" per row


def test_the_standard_target_column_beats_a_synonym_left_of_it(tmp_path):
    # E holds other targets under the synonym 目标值; J, headed 年度指标值, is the one scored.
    cells = {"E12": "目标值", "J12": "年度指标值"}
    cells.update({f"E{13 + k}": "≥1000人" for k in range(len(forms.INDICATORS))})
    cells.update({f"J{13 + k}": forms.target(ind) for k, ind in enumerate(forms.INDICATORS)})
    data = _check(_form(tmp_path / "f.xlsx", cells))
    assert data["总分"] == 95.2
    (note,) = [f for f in _findings(data, "I-COLUMN-IGNORED") if f["单元格"] == "E12"]
    assert "J12" in note["说明"]
