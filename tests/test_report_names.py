"""Two forms stacked on one sheet get two reports under two names, never one file written twice
(SWEEP S43); a command never writes one path twice in a run (fileio.run_scope)."""
import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.utils import range_boundaries

from evaltool.cli import main
from evaltool.core import fileio
from evaltool.core.errors import InputError

from conftest import case_files


def _stacked(tmp_path):
    forms = []
    for n, case in enumerate(p for p in case_files() if "电子政务" in p.name or "各项工作运转" in p.name):
        path = tmp_path / f"f{n}.xlsx"
        CliRunner().invoke(main, ["new", str(path), "--from", str(case)])
        forms.append(openpyxl.load_workbook(path).worksheets[0])
    out = openpyxl.Workbook()
    ws = out.active
    ws.title = "自评表"
    off = 0
    for src in forms[:2]:
        for row in src.iter_rows():
            for c in row:
                if c.value is not None and not str(c.value).startswith("="):
                    ws.cell(c.row + off, c.column, c.value)
        for m in src.merged_cells.ranges:
            c1, r1, c2, r2 = range_boundaries(str(m))
            ws.merge_cells(start_row=r1 + off, start_column=c1, end_row=r2 + off, end_column=c2)
        off += src.max_row + 3
    path = tmp_path / "stacked.xlsx"
    out.save(path)
    return path


def test_two_forms_on_one_sheet_get_two_reports(tmp_path):
    src = _stacked(tmp_path)
    from evaltool.workbook.workbook_cli import read_projects

    assert [p.sheet for p in read_projects(str(src))] == ["自评表", "自评表"]
    for args in ([], ["-o", str(tmp_path / "out.docx")], ["--sheet", "自评表"]):
        res = CliRunner().invoke(main, ["report", str(src), *args])
        assert res.exit_code in (0, 1), res.output
        written = [line.split("：", 1)[1] for line in res.output.splitlines() if line.startswith("已生成报告：")]
        assert len(written) == 2 and len(set(written)) == 2, res.output
        texts = {"".join(p.text for p in __import__("docx").Document(w).paragraphs[:3]) for w in written}
        assert len(texts) == 2  # each report is its own project's


def test_a_run_never_writes_one_path_twice(tmp_path):
    target = tmp_path / "x.md"
    with fileio.run_scope():
        fileio.atomic_write_text(target, "一")
        with pytest.raises(InputError, match="本次运行已经写出过 x.md"):
            fileio.atomic_write_text(target, "二")
    assert target.read_text("utf-8") == "一"
    fileio.atomic_write_text(target, "三")  # outside a run (a long-running server): no scope
