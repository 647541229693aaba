"""Whatever a clerk does to a filled form — delete rows, blank cells, retype numbers as text,
drop merges — reading and scoring end in numbers or findings (or a Chinese InputError), never a crash,
and every finding that names a cell names one that exists on the sheet."""
from __future__ import annotations

import copy

from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import case_files
from evaltool.core.caseio import load_case
from evaltool.core.errors import InputError
from evaltool.core.kinds import evaluate
from evaltool.core.seam import Grid, parse_address
from evaltool.workbook.reader import projects_from_grids
from evaltool.kinds.selfeval.template import build_workbook
from evaltool.workbook.xlsx_engine import grids_from_workbook
from evaltool.workbook.writer import cell_writes

BASE = [grids_from_workbook(build_workbook(load_case(p))) for p in case_files("自评表")]


def mutate(grids: list[Grid], ops) -> list[Grid]:
    out = copy.deepcopy(grids)
    g = out[0]
    for op, a, b, text in ops:
        if not g.values:
            break
        r = a % len(g.values)
        row = g.values[r]
        c = b % max(1, len(row))
        if op == "delete_row":
            del g.values[r]
            g.merged = [m for m in g.merged if m[2] < r + 1] + [
                (m[0] - 1, m[1], m[2] - 1, m[3]) for m in g.merged if m[0] > r + 1]
        elif op == "insert_row":
            g.values.insert(r, [None] * len(row))
            g.merged = [m if m[2] < r + 1 else (m[0] + (m[0] >= r + 1), m[1], m[2] + 1, m[3]) for m in g.merged]
        elif op == "blank" and row:
            row[c] = None
        elif op == "as_text" and row and isinstance(row[c], (int, float)):
            row[c] = f" {row[c]} "
        elif op == "type" and row:
            row[c] = text
        elif op == "unmerge":
            g.merged = []
    return out


ops = st.lists(st.tuples(st.sampled_from(["delete_row", "insert_row", "blank", "as_text", "type", "unmerge"]),
                         st.integers(0, 200), st.integers(0, 20),
                         st.sampled_from(["", "≥", "abc", "35 万元", "达成预期指标", "=1+1", "产出指标", "总分",
                                          "三级指标", "１２３", "2022年12月31日前", "-5", "无"])),
               max_size=8)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(BASE) - 1), ops)
def test_mutated_forms_never_crash(which, operations):
    grids = mutate(BASE[which], operations)
    try:
        projects = projects_from_grids(grids)
    except InputError as exc:
        assert str(exc)  # a Chinese message, never an empty one
        return
    sizes = {g.sheet: (g.nrows, g.ncols) for g in grids}
    for p in projects:
        result = evaluate(p)
        # A mutation that removes a block the score needs leaves no grade, with the reason (issue 11).
        assert (result.total is None) == (result.grade is None) == bool(result.ungraded)
        assert result.total is None or 0 <= result.total <= 100
        for f in result.findings:
            assert f.message
        for w in cell_writes(p, result):
            row, col = parse_address(w.cell)
            assert row >= 1 and col >= 1
            if w.sheet in sizes:
                assert row <= sizes[w.sheet][0] + 10, (w.cell, sizes[w.sheet])
