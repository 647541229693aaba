"""A fixed problem's 【evaltool】 text leaves a comment the clerk also wrote in, on re-score; the
clerk's own text stays (SWEEP S44). Shared by every engine (layout.note_after); real files here."""
import openpyxl
from click.testing import CliRunner
from openpyxl.comments import Comment

from evaltool.cli import main
from evaltool.workbook import layout as L

from conftest import case_files


def _actual_cell(ws, value):
    return next(c for row in ws.iter_rows() for c in row if c.value == value and c.column > 3)


def test_rescore_strips_evaltools_part_of_a_clerks_comment(tmp_path):
    case = next(p for p in case_files() if "电子政务" in p.name)
    src = tmp_path / "form.xlsx"
    assert CliRunner().invoke(main, ["new", str(src), "--from", str(case)]).exit_code == 0
    wb = openpyxl.load_workbook(src)
    ws = wb.worksheets[0]
    cell = _actual_cell(ws, "7")
    at, right = cell.coordinate, cell.value
    ws[at] = "七个"  # not a number: an error on this cell
    ws[at].comment = Comment("填报人备注：含线上培训12人", "张三")
    wb.save(src)
    CliRunner().invoke(main, ["score", str(src)])
    note = openpyxl.load_workbook(src).worksheets[0][at].comment.text
    assert note.startswith("填报人备注：含线上培训12人\n" + L.NOTE_PREFIX)
    wb = openpyxl.load_workbook(src)
    wb.worksheets[0][at] = right  # the clerk fixes it
    wb.save(src)
    for _ in range(2):
        assert CliRunner().invoke(main, ["score", str(src)]).exit_code == 0
        assert openpyxl.load_workbook(src).worksheets[0][at].comment.text == "填报人备注：含线上培训12人"


def test_note_after_keeps_only_the_clerks_part():
    clerk, ours = "填报人备注", L.NOTE_PREFIX + "错误：……"
    assert L.note_after(True, clerk + "\n" + ours, "") == clerk
    assert L.note_after(True, clerk, "") is None  # nothing of evaltool's in it: left alone
