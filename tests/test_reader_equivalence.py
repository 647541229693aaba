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


def test_label_text_normalised_as_nfkc_then_folded():
    """layout._norm_text (full-width forms replaced first, NFKC only when still needed) is NFKC, then the
    fold table, then no white space — for every character and the sequences NFKC composes."""
    new, plain = L._norm_text.__wrapped__, L._norm_text_plain
    tricky = [chr(c) for c in L._fold_table()] + [chr(c) for c in range(0xFF01, 0xFF5F)] + list(
        "\u3000\u0301\u0300\u0338\u0308\u1100\u1161\u11a8\uac00eaA=<>():：\u200b\u00ad\ufeff\uf900\u2f00¨ﾞｶﾟ\u3099か"
        "\u0b47\u0b3e㈠⑴㎡項目名称 \t\u00a010")
    for cp in range(0x20, 0x30000, 3):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        c = chr(cp)
        for text in (c, "项" + c, c + "\u0301", "e" + c + "\u0301", c + "\u3099", "\u1100" + c):
            assert new(text) == plain(text), repr(text)
    rng = random.Random(11)
    for _ in range(20000):
        text = "".join(rng.choice(tricky) for _ in range(rng.randint(1, 8)))
        assert new(text) == plain(text), repr(text)


def test_values_normalize_is_nfkc_first():
    """values.normalize skips NFKC only when the text is NFKC once its full-width forms are replaced:
    the same text as NFKC first, for every character and the sequences NFKC composes."""
    import re

    def plain(text: str) -> str:
        text = unicodedata.normalize("NFKC", text.replace("㎡", "平方米").replace("m²", "平方米").replace("㎢", "平方公里"))
        text = (text.replace("≧", "≥").replace("≦", "≤").replace("﹥", ">").replace("﹤", "<")
                .replace("％", "%").replace("，", ",").replace("。", "."))
        return values._THOUSANDS.sub(lambda m: m.group(1).replace(",", ""), re.sub(r"\s+", "", text))

    for cp in range(0x20, 0x30000, 3):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        c = chr(cp)
        for text in (c, "1" + c, c + "\u0301", "e" + c + "\u0301", c + "\u3099", "≥" + c + "％"):
            assert values.normalize(text) == plain(text), repr(text)
    tricky = [chr(c) for c in range(0xFF01, 0xFF5F)] + list("\u3000\u0301\u0338\u1100\u1161\uac00e=<>≧％，。,.："
                                                             "\u200b\uf900\u2f00¨ﾞｶﾟ\u3099㈠⑴㎡ \u00a00123456789万元%≥")
    rng = random.Random(12)
    for _ in range(20000):
        text = "".join(rng.choice(tricky) for _ in range(rng.randint(1, 9)))
        assert values.normalize(text) == plain(text), repr(text)
