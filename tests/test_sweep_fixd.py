"""SWEEP findings taken by helper fixd (S50, S69, S68, S45, S54/S64 [pre]): each test builds real
.xlsx files and runs what the clerk or the bureau runs."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from evaltool.cli import main
from evaltool.core.results import result_dict
from evaltool.engines import Preflighted, engine
from evaltool.workbook import service
from evaltool.workbook.container import preflight

CASES = Path(__file__).parent / "cases"


def _form(tmp_path: Path, name: str = "form.xlsx", case: str = "seed002-电子政务各项专项经费.yaml") -> Path:
    path = tmp_path / name
    assert CliRunner().invoke(main, ["new", str(path), "--from", str(CASES / case)]).exit_code in (0, 1)
    return path


def _rewrite(src: Path, dst: Path, edit) -> Path:
    """dst = src with each part's bytes passed through edit(name, data)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = edit(info.filename, zin.read(info))
            if data is not None:
                zout.writestr(info, data)
    return dst


def _outcome(grids, name: str):
    plan = service.plan(grids, source=name)
    return [result_dict(p, r) for p, r in plan.results]


# ---- S50: cells without r= (and values inside merged ranges): one verdict in check and collect ----
def _strip_refs(name: str, data: bytes) -> bytes:
    """No r= on rows and cells, and no empty (format-only) cells: as some writers save a sheet.
    Placed by position, values then land inside merged ranges (A3:B3 holds the project name)."""
    if name.startswith("xl/worksheets/sheet"):
        data = re.sub(rb'<c [^>]*/>', b"", data)
        return re.sub(rb'<(c|row)( [^>]*?)? r="[A-Z]*[0-9]+"', rb"<\1\2", data)
    return data


def _value_inside_merge(tmp_path: Path) -> tuple[Path, str]:
    """A form whose first sheet holds a stray value inside a merged range (not its top-left cell)."""
    path = _form(tmp_path, "m.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    rng = next(r for r in ws.merged_cells.ranges if r.max_col > r.min_col or r.max_row > r.min_row)
    interior = (rng.min_row, rng.max_col) if rng.max_col > rng.min_col else (rng.max_row, rng.min_col)
    wb.save(path)
    # openpyxl will not write a value into a merged range's interior: put it in the XML directly
    col = openpyxl.utils.get_column_letter(interior[1])
    ref = f"{col}{interior[0]}".encode()

    def edit(name, data):
        if name != "xl/worksheets/sheet1.xml":
            return data
        cell = b'<c r="' + ref + b'" t="inlineStr"><is><t>stray</t></is></c>'
        data = re.sub(rb'<c r="' + ref + rb'"[^>]*/>', b"", data)
        data = re.sub(rb'<c r="' + ref + rb'"[^>]*>.*?</c>', b"", data)
        row = re.search(rb'<row [^>]*r="' + str(interior[0]).encode() + rb'"[^>]*>', data)
        assert row
        return data[:row.end()] + cell + data[row.end():]
    return _rewrite(path, tmp_path / "m2.xlsx", edit), ref.decode()


def test_cells_without_addresses_get_the_same_verdict_in_check_and_collect(tmp_path):
    src = _form(tmp_path)
    noref = _rewrite(src, tmp_path / "noref.xlsx", _strip_refs)
    data = noref.read_bytes()
    base = _outcome(engine("openpyxl").read(noref), noref.name)
    assert _outcome(engine("calamine").read(noref), noref.name) == base
    pre = Preflighted(preflight(data, ".xlsx", stored=True), data)
    assert _outcome(engine("calamine").read(pre), noref.name) == base


def test_a_value_inside_a_merged_range_is_read_alike_by_both_engines(tmp_path):
    path, ref = _value_inside_merge(tmp_path)
    a = engine("openpyxl").read(path)[0].values
    b = engine("calamine").read(path)[0].values
    assert "stray" not in [v for row in a for v in row]
    assert "stray" not in [v for row in b for v in row]
    assert _outcome(engine("calamine").read(path), path.name) == _outcome(engine("openpyxl").read(path), path.name)
