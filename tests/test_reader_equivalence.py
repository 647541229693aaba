"""The reader's and checks' fast paths give what the plain definitions give (issue 14: reading and
scoring made cheaper with output unchanged). Each compares with a reference written the plain way."""
from __future__ import annotations

import random
import unicodedata

from evaltool.core import values
from evaltool.core.seam import Grid, address
from evaltool.workbook import layout as L
from evaltool.workbook.reader import View


def _reference_anchor(merged):
    """The per-cell anchor map as the reader built it before (the range listed last wins a cell)."""
    anchor = {}
    for r1, c1, r2, c2 in merged:
        if (r2 - r1 + 1) * (c2 - c1 + 1) > 5000:
            r2, c2 = min(r2, r1 + 200), min(c2, c1 + 50)
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                anchor[(r, c)] = (r1, c1)
    return anchor


def _random_grid(rng: random.Random) -> Grid:
    nrows, ncols = rng.randint(1, 12), rng.randint(1, 8)
    texts = ["项目名称", "一级指标", " ", "", "得分", "年度指标值", "实际完成值", "总分"]
    values_ = [[rng.choice([None, None, 1, 2.5, rng.choice(texts)]) for _ in range(rng.randint(0, ncols))]
               for _ in range(nrows)]
    merged = []
    for _ in range(rng.randint(0, 6)):  # overlapping ranges too: only a damaged file has them
        r1, c1 = rng.randint(1, nrows), rng.randint(1, ncols)
        merged.append((r1, c1, rng.randint(r1, nrows + 1), rng.randint(c1, ncols + 1)))
    if rng.random() < 0.1:
        merged.append((1, 1, 300, 40))  # larger than the whole-column bound
    return Grid("表", values_, merged)


def test_merged_cells_read_as_the_per_cell_anchor_map_says():
    rng = random.Random(14)
    for _ in range(1500):
        grid = _random_grid(rng)
        v = View(grid)
        anchor = _reference_anchor(grid.merged)
        assert v.anchor == anchor
        cols = list(range(1, v.ncols + 3))
        items = [(f"c{c}", c) for c in cols]
        for r in range(0, v.nrows + 3):
            for c in cols:
                a = anchor.get((r, c), (r, c))
                assert v.home(r, c) == a
                assert v.loc(r, c).cell == address(*a)
                for vertical in (True, False):
                    want = a if a != (r, c) and (vertical or a[0] == r) else (r, c)
                    assert v.value(r, c, vertical) == v.raw(*want)
            got = v.row_values(r, items, frozenset({"c2", "c3"}))
            assert got == {name: v.value(r, c, vertical=name in ("c2", "c3")) for name, c in items}
            assert v.row_locs(r, cols) == [v.loc(r, c) for c in cols]


def test_label_index_skips_only_cells_under_a_merge():
    rng = random.Random(7)
    for _ in range(1000):
        grid = _random_grid(rng)
        v = View(grid)
        anchor = _reference_anchor(grid.merged)
        want: dict[str, list] = {}
        for r, row in enumerate(grid.values, start=1):
            for c, x in enumerate(row, start=1):
                if isinstance(x, str) and x.strip() and anchor.get((r, c), (r, c)) == (r, c):
                    if L.label_key(x):
                        want.setdefault(L.label_key(x), []).append((r, c))
        assert v.labels == want


def test_is_empty_text_is_parse_saying_empty():
    rng = random.Random(3)
    alphabet = list("无-—/ \u3000\t，。,.%％≧0123456789一项目名称資金Ａab\u0301\u200b\ufeff\u00a0¨⑴㎡\uf900\u2f00")
    samples = ["", " ", "无", " 无 ", "—", "／", "-", "无无", "项目名称", "㈠", "\u2f46", "\uf9b2"]
    samples += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6))) for _ in range(20000)]
    samples += [chr(cp) + "无" for cp in range(0x2e80, 0xa000, 7)]
    for text in samples:
        assert values.is_empty_text(text) == (values.parse(text).kind == "empty"), repr(text)
    # the premise: CJK unified ideographs are left alone by NFKC
    assert all(unicodedata.normalize("NFKC", chr(cp)) == chr(cp) for cp in range(0x4E00, 0xA000))
