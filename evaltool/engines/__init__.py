"""Spreadsheet engines behind one declared interface, in one registry.

An engine moves a workbook across the seam (core/seam.py): read() gives every sheet as a Grid,
write() puts CellWrites and the 校验结果 sheet back. Everything between is engine-free, so the
same form scores the same whichever engine read it (tests/test_engines.py checks that over every
engine on the same workbooks).

- openpyxl (workbook/xlsx_engine.py): .xlsx files; reads number formats (Percent), writes atomically.
- calamine (engines/calamine_engine.py): .xlsx/.xlsm bytes, read-only and fast (collect, fallback).
- xlwings (excel/xlwings_engine.py): the workbook open in Excel (or xlwings' remote engine).

The engine modules are imported only when an engine is first used (xlwings is slow to import).
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from evaltool.core.seam import CellWrite, Grid


class Engine:
    """The declared interface. `source` is what the engine reads: a path for the file engines, an
    xlwings Book for xlwings."""

    name: str = ""
    writes: bool = False  # whether write() is supported

    def read(self, source: Any) -> list[Grid]:
        raise NotImplementedError

    def write(self, source: Any, writes: list[CellWrite], results_sheet: Any,
              ours: set[tuple[str, str]] | None = None, target: str | os.PathLike | None = None,
              prepared: bytes | None = None) -> None:
        """Apply writes and the 校验结果 sheet: into the open book (xlwings), or into target (a file
        engine: a new file or the source itself, saved atomically; `prepared`: the bytes to save when
        the engine made them already, e.g. the source's own parts patched)."""
        raise NotImplementedError(f"{self.name} 引擎只能读取。")


class OpenpyxlEngine(Engine):
    name = "openpyxl"
    writes = True

    def read(self, source: Any) -> list[Grid]:
        from evaltool.workbook import xlsx_engine

        return xlsx_engine.read_grids(source)

    def write(self, source, writes, results_sheet, ours=None, target=None, prepared=None) -> None:
        from evaltool.workbook import xlsx_engine

        xlsx_engine.write_results_file(source, target or source, writes, results_sheet, prepared)


class CalamineEngine(Engine):
    name = "calamine"
    writes = False

    def read(self, source: Any) -> list[Grid]:
        """The file's grids as collect reads them: the reading policy's pre-flight, then calamine."""
        from pathlib import Path

        from evaltool.core import limits
        from evaltool.engines.calamine_engine import calamine_grids
        from evaltool.workbook.container import preflight
        from evaltool.workbook.xlsx_engine import cut_long_text

        data = Path(source).read_bytes()
        pkg = preflight(data, Path(source).suffix.lower())
        grids = calamine_grids(pkg.data)
        for g in grids:
            cut_long_text(g.sheet, g.values, limits.get("TEXT_CHARS"), None)
        return grids


class XlwingsEngine(Engine):
    name = "xlwings"
    writes = True

    def read(self, source: Any) -> list[Grid]:
        from evaltool.excel import xlwings_engine

        return xlwings_engine.read_grids(source)

    def write(self, source, writes, results_sheet, ours=None, target=None, prepared=None) -> None:
        from evaltool.excel import xlwings_engine

        xlwings_engine.apply_writes(source, writes, ours)
        xlwings_engine.write_results(source, results_sheet)


ENGINES: dict[str, Engine] = {e.name: e for e in (OpenpyxlEngine(), CalamineEngine(), XlwingsEngine())}


def engine(name: str) -> Engine:
    """The engine registered under name (openpyxl, calamine, xlwings)."""
    return ENGINES[name]


def register(e: Engine) -> None:
    ENGINES[e.name] = e


__all__ = ["Engine", "ENGINES", "engine", "register", "OpenpyxlEngine", "CalamineEngine", "XlwingsEngine"]
