"""Spreadsheet engines behind one declared interface, in one registry.

An engine moves a workbook across the seam (core/seam.py): read() gives every sheet as a Grid,
write() puts CellWrites and the 校验结果 sheet back. Everything between is engine-free, so the
same form scores the same whichever engine read it (tests/test_engines.py checks that over every
engine on the same workbooks). Every front end reads through here: check/score/report and `new`
(openpyxl), collect (calamine, openpyxl where calamine fails), the Excel buttons (xlwings) and
`evaltool serve` (json: the sheets the WPS add-in posts).

- openpyxl (workbook/xlsx_engine.py): .xlsx files; reads number formats (Percent), writes atomically.
- calamine (engines/calamine_engine.py): .xlsx/.xlsm bytes, read-only and fast (collect, fallback).
- xlwings (excel/xlwings_engine.py): the workbook open in Excel (or xlwings' remote engine).
- json (server/payload.py): a workbook's sheets as the WPS add-in posts them to `evaltool serve`.

The engine modules are imported only when an engine is first used (xlwings is slow to import).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from evaltool.core.seam import CellWrite, Grid
    from evaltool.workbook.container import Note, Package


@dataclass
class Preflighted:
    """A file the reading policy accepted already (collect pre-flights each file once, for its macro
    flag too): the package to read, the file's own bytes (a fallback's deeper pre-flight starts
    from them) and the sheets not to read."""

    package: Package
    data: bytes
    skip: frozenset[str] = frozenset()


class Engine:
    """The declared interface. `source` is what the engine reads: a path (or a Preflighted file)
    for the file engines, an xlwings Book for xlwings, the posted mapping for json."""

    name: str = ""
    writes: bool = False  # whether write() is supported

    def read(self, source: Any) -> list[Grid]:
        """Every sheet of source as a Grid (cached values, merged ranges)."""
        return self.read_noted(source)[0]

    def read_noted(self, source: Any) -> tuple[list[Grid], list[Note]]:
        """read(), and the reading policy's notes: what was tolerated, naming the cell or part
        (an engine that has no policy gives none)."""
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

    def read_noted(self, source: Any) -> tuple[list[Grid], list[Note]]:
        """source: a path, a Preflighted file, or an openpyxl Workbook (one built in memory)."""
        from evaltool.workbook import xlsx_engine

        if isinstance(source, Preflighted):
            return self._preflighted(source)
        if hasattr(source, "worksheets"):  # an openpyxl Workbook
            notes: list[Note] = []
            return xlsx_engine.grids_from_workbook(source, notes), notes
        return xlsx_engine.read_noted(source)

    def _preflighted(self, source: Preflighted) -> tuple[list[Grid], list[Note]]:
        """The accepted package through openpyxl; where openpyxl fails on it, the deeper pre-flight
        (every part parsed, broken ones left out) — the repairs-and-fallbacks `evaltool check` uses."""
        from evaltool.core import limits
        from evaltool.core.errors import InputError
        from evaltool.engines.sheetxml import formula_notes
        from evaltool.workbook import xlsx_engine as X
        from evaltool.workbook.container import SAVE_AGAIN, Refused, preflight

        for candidate in (source.package, None):
            if candidate is None:
                try:
                    candidate = preflight(source.data, deep=True)
                except Refused as exc:
                    raise InputError(str(exc)) from None
            notes = list(candidate.notes)
            try:
                wb = X.open_package(candidate, data_only=True)
                grids = X.grids_from_workbook(wb, notes)
            except MemoryError:
                raise InputError("文件过大，读取时内存不足，已跳过。") from None
            except InputError:  # a limit, worded as `evaltool check` words it
                raise
            except Exception:  # noqa: BLE001 - try the deeper repair, then give up
                continue
            grids = [g for g in grids if g.sheet not in source.skip]
            notes += formula_notes(candidate.data, [g.sheet for g in grids])
            max_text = limits.get("TEXT_CHARS")
            for g in grids:
                X.cut_long_text(g.sheet, g.values, max_text, notes)
            return grids, notes
        raise InputError("工作簿的内容已损坏，无法读取。" + SAVE_AGAIN)

    def write(self, source, writes, results_sheet, ours=None, target=None, prepared=None) -> None:
        from evaltool.workbook import xlsx_engine

        xlsx_engine.write_results_file(source, target or source, writes, results_sheet, prepared)


class CalamineEngine(Engine):
    name = "calamine"
    writes = False

    def read_noted(self, source: Any) -> tuple[list[Grid], list[Note]]:
        """The file's grids as collect reads them: the reading policy's pre-flight (done already for
        a Preflighted file), then python-calamine (fast); where calamine fails, the openpyxl engine,
        so the 汇总 and check give every file the same verdict."""
        from pathlib import Path

        from evaltool.core import limits
        from evaltool.engines.calamine_engine import EarlierSummary, calamine_grids
        from evaltool.workbook.container import preflight

        if not isinstance(source, Preflighted):
            from evaltool.workbook.xlsx_engine import cut_long_text

            data = Path(source).read_bytes()
            pkg = preflight(data, Path(source).suffix.lower())
            notes = list(pkg.notes)
            grids = calamine_grids(pkg.data, notes=notes)
            for g in grids:
                cut_long_text(g.sheet, g.values, limits.get("TEXT_CHARS"), notes)
            return grids, notes
        long_text: list[str] = []  # the sheets whose texts may be too long
        formulas: list[Note] = []  # formula cells without a saved result (W-READ-FORMULA)
        try:
            # the parts already inflated by the pre-flight, stored (preflight(stored=True)), when given
            grids = calamine_grids(source.package.stored or source.package.data, source.skip, long_text, formulas)
        except EarlierSummary:
            raise
        except BaseException as exc:  # noqa: BLE001 - pyo3 turns a Rust panic into a BaseException
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            return ENGINES["openpyxl"].read_noted(source)
        notes = list(source.package.notes) + formulas
        if long_text:  # (the openpyxl engine's module, with what it imports, only for such a file)
            from evaltool.workbook.xlsx_engine import cut_long_text

            max_text = limits.get("TEXT_CHARS")
            for g in grids:
                if g.sheet in long_text:
                    cut_long_text(g.sheet, g.values, max_text, notes)
        return grids, notes


class XlwingsEngine(Engine):
    name = "xlwings"
    writes = True

    def read_noted(self, source: Any) -> tuple[list[Grid], list[Note]]:
        from evaltool.excel import xlwings_engine

        return xlwings_engine.read_grids(source), []

    def write(self, source, writes, results_sheet, ours=None, target=None, prepared=None) -> None:
        from evaltool.excel import xlwings_engine

        xlwings_engine.apply_writes(source, writes, ours)
        xlwings_engine.write_results(source, results_sheet)


class JsonEngine(Engine):
    """The sheets the WPS add-in posts to `evaltool serve` (server/payload.py checks every value and
    the size limits); the server answers with the writes, so this engine only reads."""

    name = "json"
    writes = False

    def read_noted(self, source: Any) -> tuple[list[Grid], list[Note]]:
        """source: server.payload.Posted (the posted mapping and the server's limits)."""
        from evaltool.server.payload import grids

        return grids(source.data, source.limits), []


ENGINES: dict[str, Engine] = {e.name: e for e in (OpenpyxlEngine(), CalamineEngine(), XlwingsEngine(), JsonEngine())}


def engine(name: str) -> Engine:
    """The engine registered under name (openpyxl, calamine, xlwings, json)."""
    return ENGINES[name]


def register(e: Engine) -> None:
    ENGINES[e.name] = e


__all__ = ["Engine", "ENGINES", "Preflighted", "engine", "register", "OpenpyxlEngine", "CalamineEngine", "XlwingsEngine",
           "JsonEngine"]
