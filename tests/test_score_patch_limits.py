"""Score in place when the reading policy cut rows of a sheet evaltool does not write.

The pre-flight reads at most STORED_CELLS cells (issue 12): a workbook with a big data sheet beside
the 自评表 is read with that sheet's last rows cut. Those rows are not needed to score; the patcher
works on the file's own bytes, so the results still go into the file, and every row stays.
"""
from __future__ import annotations

from pathlib import Path

import openpyxl
from click.testing import CliRunner

from evaltool.cli import main
from evaltool.workbook import layout as L

CASE = Path(__file__).parent / "cases" / "seed002-电子政务各项专项经费.yaml"
ROWS, COLS = 400, 10


def run(*args, ok=(0, 1)):
    r = CliRunner().invoke(main, [str(a) for a in args])
    assert r.exit_code in ok, (r.exit_code, r.output, r.exception)
    return r


def test_rows_cut_for_reading_on_another_sheet_are_kept_and_the_form_scored_in_place(tmp_path, monkeypatch):
    book = tmp_path / "表.xlsx"
    run("new", "--from", CASE, "-o", book, ok=(0, 1))
    wb = openpyxl.load_workbook(book)
    del wb[L.SHEET_RESULTS]
    data = wb.create_sheet("明细")
    for r in range(1, ROWS + 1):
        for c in range(1, COLS + 1):
            data.cell(r, c, r * 100 + c)
    wb.save(book)
    monkeypatch.setenv("EVALTOOL_LIMIT_STORED_CELLS", str(ROWS * COLS // 2))  # the 明细 sheet is cut to read

    res = run("score", book)
    assert "明细" in res.output  # the cut is said (W-READ-LIMIT)
    assert not list(tmp_path.glob("*计分结果*.xlsx")), res.output  # nothing diverted to a new file
    wb = openpyxl.load_workbook(book)
    assert L.SHEET_RESULTS in wb.sheetnames  # scored in place
    rows = [[c.value for c in row] for row in wb["明细"].iter_rows()]
    assert rows == [[r * 100 + c for c in range(1, COLS + 1)] for r in range(1, ROWS + 1)]  # every row kept
