"""Engine parity (issue 13): every registered engine reads the same workbooks into grids from which the
one service layer computes the same scores, findings and cell writes. openpyxl and calamine read the
real .xlsx files; xlwings reads them through its remote engine (xw.Book(json=...)), as tests/test_excel.py
does, with the file's merged ranges reported as Excel on Windows reports them."""
from __future__ import annotations

import shutil

import pytest
import xlwings as xw
from click.testing import CliRunner

from evaltool.cli import main
from evaltool.core.results import result_dict
from evaltool.engines import ENGINES, Engine, engine
from evaltool.excel import xlwings_engine
from evaltool.workbook import service

from conftest import case_files
from serverkit import payload_from_file
from test_excel import payload_from_grids

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "layouts"))
from forms import LAYOUTS  # noqa: E402


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory) -> list[Path]:
    """Every published layout, and a workbook per shared case (自评表 and 评分表) made by `evaltool new`."""
    folder = tmp_path_factory.mktemp("engines")
    books = []
    for name, (build, _rules, _exp) in sorted(LAYOUTS.items()):
        path = folder / f"{name}.xlsx"
        build(path)
        books.append(path)
    for case in case_files(None):
        path = folder / f"{case.stem}.xlsx"
        assert CliRunner().invoke(main, ["new", str(path), "--from", str(case)]).exit_code in (0, 1)  # 1: the form has errors (seed000)
        books.append(path)
    return books


def read_with(name: str, path: Path, monkeypatch) -> list:
    if name == "json":  # the sheets as the WPS add-in posts them to `evaltool serve`
        from evaltool.server.payload import Limits, Posted

        return engine("json").read(Posted(payload_from_file(path), Limits()))
    if name != "xlwings":
        return engine(name).read(path)
    grids = engine("openpyxl").read(path)
    merges = {g.sheet: g.merged for g in grids}
    monkeypatch.setattr(xlwings_engine, "merged_ranges", lambda sheet, values: merges.get(sheet.name, []))
    return engine("xlwings").read(xw.Book(json=payload_from_grids(grids, name=path.name)))


def outcome(grids, name: str):
    plan = service.plan(grids, source=name)
    return ([result_dict(p, r) for p, r in plan.results],
            sorted((w.sheet, w.cell, repr(w.value), w.style, w.note, w.keep_value) for w in plan.writes),
            plan.sheet.rows)


def test_every_engine_is_registered_behind_the_interface():
    assert sorted(ENGINES) == ["calamine", "json", "openpyxl", "xlwings"]
    assert all(isinstance(e, Engine) for e in ENGINES.values())
    assert [n for n, e in sorted(ENGINES.items()) if e.writes] == ["openpyxl", "xlwings"]


def test_the_same_workbook_scores_the_same_through_every_engine(workbooks, monkeypatch):
    assert len(workbooks) > 20
    for path in workbooks:
        base = outcome(read_with("openpyxl", path, monkeypatch), path.name)
        assert base[0], path.name
        for name in ("calamine", "xlwings", "json"):
            assert outcome(read_with(name, path, monkeypatch), path.name) == base, (name, path.name)


def test_a_read_only_engine_says_so(workbooks, tmp_path):
    copy = tmp_path / "x.xlsx"
    shutil.copy(workbooks[0], copy)
    with pytest.raises(NotImplementedError, match="只能读取"):
        engine("calamine").write(copy, [], None)
