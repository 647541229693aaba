"""Hostile cell content in the other kinds' forms (绩效目标表, 运行监控表, 部门整体), through every command.

tests/test_fuzz.py mutates a filled 自评表; these start from each kind's blank template (`evaltool new
--kind`), written by openpyxl as a clerk's tool would, and put text where numbers go, numbers past the
bounds, formula-looking text in name and text cells, clear or rename the form sheet, insert a row, merge
a header cell, or add another kind's form to the workbook. Every command must end with exit 0, 1 or 2,
print no traceback or English exception name, leave the input unchanged, and every .xlsx evaltool writes
(score -o, publish) must keep the formula-looking text as text (cell type string, never a formula).
Cells are found by their label, so a template whose rows move still gets the same mutations.
"""
from __future__ import annotations

import random
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.cell.cell import MergedCell
from test_fuzz import FULL, SEED, Tally

from evaltool import cli

KINDS = ("绩效目标表", "运行监控表", "部门整体")
INJECTIONS = ("=cmd|' /C calc'!A0", "+1+1", "@SUM(A1:A2)", "-2+3", '=HYPERLINK("http://x","点我")')
NAME_LABELS = ("项目名称", "部门（单位）名称", "主管部门", "实施单位")
TEXT_LABELS = ("年度总体目标", "预期目标", "全年预期目标")
MONEY_LABELS = ("年度资金总额", "其中：财政拨款", "其中：本年财政拨款", "其中：基本支出")
HOSTILE_NUMBERS = ("六百万", -5, 1e308, "1e309", "12,3,4万元", "　")


@pytest.fixture(scope="module")
def blanks(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kinds-blank")
    out = {}
    for kind in KINDS:
        path = folder / f"{kind}.xlsx"
        res = CliRunner().invoke(cli.main, ["new", "--kind", kind, str(path)])
        assert res.exit_code == 0, res.output
        out[kind] = path
    return out


def _cells(ws):
    for row in ws.iter_rows():
        for c in row:
            if not isinstance(c, MergedCell):
                yield c


def _right_of(ws, labels) -> list:
    """The first writable cell right of each cell whose text is one of labels (the template's input cell)."""
    found = []
    for c in list(_cells(ws)):
        if isinstance(c.value, str) and c.value.strip().rstrip("：:") in labels:
            for col in range(c.column + 1, min(c.column + 6, ws.max_column + 1)):
                cell = ws.cell(c.row, col)
                if not isinstance(cell, MergedCell) and cell.value in (None, ""):
                    found.append(cell)
                    break
    return found


def _below(ws, label: str) -> list:
    for c in list(_cells(ws)):
        if c.value == label:
            cell = ws.cell(c.row + 1, c.column)
            return [] if isinstance(cell, MergedCell) else [cell]
    return []


def _text(cell, value: str) -> None:
    cell.value = value
    cell.data_type = "s"  # what a clerk's '=… typed as text (or a CSV import) leaves: a string, not a formula


def _mutations(kind: str, blank: Path, other: Path):
    """(name, mutate(wb)) pairs; each is applied to a fresh copy of the blank form."""

    def inject(wb):
        ws = wb.worksheets[0]
        targets = _right_of(ws, NAME_LABELS) + _right_of(ws, TEXT_LABELS) + _below(ws, "三级指标")
        for i, cell in enumerate(targets):
            _text(cell, INJECTIONS[i % len(INJECTIONS)])

    def numbers(value):
        def mutate(wb):
            for cell in _right_of(wb.worksheets[0], MONEY_LABELS):
                cell.value = value
        return mutate

    def clear(wb):
        for c in _cells(wb.worksheets[0]):
            c.value = None

    def rename(wb):
        wb.worksheets[0].title = "Sheet1"

    def insert_row(wb):
        ws = wb.worksheets[0]
        merged = list(ws.merged_cells.ranges)
        for m in merged:
            ws.unmerge_cells(str(m))
        ws.insert_rows(4)
        for m in merged:
            if m.min_row >= 4:
                m.shift(0, 1)
            elif m.max_row >= 4:
                m.expand(down=1)
            ws.merge_cells(str(m))
        ws.cell(4, 1, "备注（填报单位插入的行）")

    def merge_header(wb):
        ws = wb.worksheets[0]
        for c in list(_cells(ws)):
            if c.value == "三级指标":
                right = ws.cell(c.row, c.column + 1)
                if not isinstance(right, MergedCell):
                    right.value = None
                    ws.merge_cells(start_row=c.row, start_column=c.column, end_row=c.row, end_column=c.column + 1)
                return

    def add_other_kind(wb):
        src = openpyxl.load_workbook(other).worksheets[0]
        dst = wb.create_sheet(src.title[:28] + "（另）")
        for c in _cells(src):
            if c.value is not None:
                dst[c.coordinate] = c.value
        for m in src.merged_cells.ranges:
            dst.merge_cells(str(m))

    yield "injection", inject
    for v in HOSTILE_NUMBERS:
        yield f"money-{v!r}", numbers(v)
    yield "cleared", clear
    yield "renamed", rename
    yield "row-inserted", insert_row
    yield "header-merged", merge_header
    yield "two-kinds", add_other_kind


def _formula_injections(path: Path) -> list[str]:
    wb = openpyxl.load_workbook(path)
    bad = []
    for ws in wb.worksheets:
        for c in _cells(ws):
            if c.data_type == "f" and any(s.lstrip("=") in str(c.value) for s in INJECTIONS):
                bad.append(f"{path.name} {ws.title}!{c.coordinate} = {c.value!r}")
    return bad


def test_other_kinds_hostile_cells_through_every_command(blanks, tmp_path):
    rng = random.Random(SEED + 3)
    inputs = []
    for i, kind in enumerate(KINDS):
        other = blanks[KINDS[(i + 1) % len(KINDS)]]
        for name, mutate in _mutations(kind, blanks[kind], other):
            wb = openpyxl.load_workbook(blanks[kind])
            mutate(wb)
            path = tmp_path / "收件" / f"{kind}-{len(inputs):02d}-{name}.xlsx".replace("'", "")
            path.parent.mkdir(exist_ok=True)
            wb.save(path)
            inputs.append((kind, name, path))
    if not FULL:  # CI: the injection case of every kind plus a seeded sample of the rest
        keep = [x for x in inputs if x[1] == "injection"]
        rest = [x for x in inputs if x[1] != "injection"]
        inputs = keep + rng.sample(rest, 6)
    tally = Tally()
    written: list[Path] = []
    for i, (kind, name, path) in enumerate(inputs):
        label = f"{kind} {name}"
        code = tally.run(["check", path], [path], f"check {label}")
        out = tmp_path / f"{i:02d}-scored.xlsx"
        tally.run(["score", path, "-o", out], [path], f"score -o {label}")
        if out.exists():
            written.append(out)
        work = tmp_path / "work" / path.name
        work.parent.mkdir(exist_ok=True)
        work.write_bytes(path.read_bytes())
        tally.run(["score", work], [work], f"score {label}", reads_only=False)
        if code != 2:
            tally.run(["report", path, "-o", tmp_path / f"{i:02d}.docx"], [path], f"report {label}")
            tally.run(["export", path, "-o", tmp_path / f"{i:02d}.yaml"], [path], f"export {label}")
    folder = tmp_path / "收件"
    kept = {p for _, _, p in inputs}
    for p in list(folder.iterdir()):
        if p not in kept:
            p.unlink()
    files = sorted(folder.iterdir())
    tally.run(["collect", folder, "-o", tmp_path / "汇总.xlsx", "--review"], files, "collect --review")
    tally.run(["publish", folder, "-o", tmp_path / "公开", "--no-pdf", "--allow-errors"], files, "publish")
    written += [p for p in [tmp_path / "汇总.xlsx"] if p.exists()]
    written += sorted((tmp_path / "公开").glob("*.xlsx")) if (tmp_path / "公开").is_dir() else []
    assert any(p.parent.name == "公开" for p in written), "publish wrote no public workbook"
    bad = [b for p in written for b in _formula_injections(p)]
    assert not bad, "formula-looking text became a formula:\n" + "\n".join(bad[:20])
    assert not tally.violations, "\n".join(tally.violations[:20])
