"""Property: relabelling any block, fund row or column with one of its vocabulary variants (written with
the noise clerks add: stray spaces of every kind, colons, （xx分） notes, 其中： prefixes, traditional
characters), or splitting the 绩效指标 header over two rows, changes no number evaltool computes.

The grids go through the real reader (projects_from_grids, as both engines feed it); a smaller run goes
through real .xlsx files written by openpyxl and read back by evaltool's own file reader."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings, strategies as st

import forms
from evaltool.core.kinds import evaluate
from evaltool.core.seam import Grid
from evaltool.workbook import layout as L
from evaltool.workbook.evaluate import rule_set_for
from evaltool.workbook.reader import projects_from_grids, read_workbook_projects

VOCAB = L.vocabulary()
TRAD = {v: k for k, v in (L._vocabulary_data()["繁简对照"] or {}).items()}
IND_COLS = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
FUND_COLS = ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
FUND_ROWS = ["年度资金总额", "本年财政拨款", "上年结转资金", "其他资金"]
BLOCKS = ["项目名称", "主管部门", "实施单位", "项目资金", "年度总体目标", "预期目标", "实际完成情况", "绩效指标", "总分"]
AMOUNTS = [(200, 200, 180), (150, 150, 135), (30, 30, 30), (20, 20, 15)]


def variants(section: str, name: str) -> list[str]:
    return list(VOCAB.variants[section][name])


@st.composite
def noisy(draw, word: str, row: bool = False) -> str:
    """The word as clerks and other programs leave it: every change here must read the same."""
    text = word
    if draw(st.booleans()):
        text = "".join(TRAD.get(ch, ch) for ch in text)
    if draw(st.booleans()):  # a space of some kind somewhere inside, or around
        pos = draw(st.integers(0, len(text)))
        text = text[:pos] + draw(st.sampled_from([" ", "\u00a0", "\u3000", "\u200b", "\n", "\t"])) + text[pos:]
    suffix = draw(st.sampled_from(["", "：", ":", "（万元）", "(10分)", "【注】"]))
    text += suffix
    if row and draw(st.booleans()):
        text = draw(st.sampled_from(["其中：", "其中:", "其中 "])) + text
    return text


@st.composite
def form_labels(draw) -> dict:
    labels = {}
    for name in BLOCKS:
        labels[("区块", name)] = draw(noisy(draw(st.sampled_from(variants("区块", name)))))
    for name in FUND_ROWS:
        labels[("资金行", name)] = draw(noisy(draw(st.sampled_from(variants("资金行", name))), row=name != "年度资金总额"))
    for name in FUND_COLS:
        labels[("资金列", name)] = draw(noisy(draw(st.sampled_from(variants("资金列", name)))))
    for name in IND_COLS:
        labels[("指标列", name)] = draw(noisy(draw(st.sampled_from(variants("指标列", name)))))
    return labels


CANONICAL = {**{("区块", n): {"项目资金": "项目资金（万元）"}.get(n, n) for n in BLOCKS},
             **{("资金行", n): n for n in FUND_ROWS}, **{("资金列", n): n for n in FUND_COLS},
             **{("指标列", n): n for n in IND_COLS}}

# A header label over two rows: top only, top merged down, bottom only, or split in two (top + bottom).
SPLITS = st.sampled_from(["top", "merged", "bottom", "split"])


class Cells:
    def __init__(self):
        self.values: dict[tuple[int, int], object] = {}
        self.merged: list[tuple[int, int, int, int]] = []

    def put(self, r, c, *vals):
        for i, v in enumerate(vals):
            if v is not None:
                self.values[(r, c + i)] = v

    def grid(self) -> Grid:
        nr = max(r for r, _ in self.values)
        nc = max(c for _, c in self.values)
        rows = [[self.values.get((r, c)) for c in range(1, nc + 1)] for r in range(1, nr + 1)]
        return Grid(sheet="自评表", values=rows, merged=list(self.merged))

    def xlsx(self, path: Path) -> None:
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "自评表"
        for (r, c), v in self.values.items():
            ws.cell(r, c, v)
        for r1, c1, r2, c2 in self.merged:
            ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
        wb.save(path)


def build(labels: dict, splits: list[str] | None = None, cut: list[int] | None = None) -> Cells:
    """The national form with the given labels; splits: per indicator column, how its header spans two rows."""
    s = Cells()
    s.put(1, 1, "项目支出绩效自评表")
    s.put(2, 1, "（2023年度）")
    s.put(3, 1, labels[("区块", "项目名称")], None, forms.NAME)
    s.put(4, 1, labels[("区块", "主管部门")], None, forms.DEPT, None, None, labels[("区块", "实施单位")], forms.UNIT)
    s.put(5, 1, labels[("区块", "项目资金")], None, None, *(labels[("资金列", n)] for n in FUND_COLS))
    s.merged.append((5, 1, 9, 2))
    for i, name in enumerate(FUND_ROWS):
        s.put(6 + i, 3, labels[("资金行", name)], *AMOUNTS[i])
    s.put(6, 7, 10)
    s.put(10, 1, labels[("区块", "年度总体目标")], None, labels[("区块", "预期目标")], None, None, None,
          labels[("区块", "实际完成情况")])
    s.merged.append((10, 1, 11, 2))
    s.put(11, 3, forms.GOAL_EXPECTED, None, None, None, forms.GOAL_ACTUAL)
    h = 12
    s.put(h, 1, labels[("区块", "绩效指标")])
    two = splits is not None
    for k, name in enumerate(IND_COLS):
        c, text = 2 + k, labels[("指标列", name)]
        mode = splits[k] if two else "top"
        if mode in ("top", "merged"):
            s.put(h, c, text)
            if mode == "merged":
                s.merged.append((h, c, h + 1, c))
        elif mode == "bottom":
            s.put(h + 1, c, text)
        else:
            at = max(1, min(len(text) - 1, cut[k] if cut else len(text) // 2))
            s.put(h, c, text[:at])
            s.put(h + 1, c, text[at:])
    first = h + (2 if two else 1)
    for k, ind in enumerate(forms.INDICATORS):
        s.put(first + k, 4, ind[2], forms.target(ind), ind[6], ind[7], None, ind[8])
    for k, ind in enumerate(forms.INDICATORS):
        if k == 0 or forms.INDICATORS[k - 1][0] != ind[0]:
            s.put(first + k, 2, ind[0])
        if k == 0 or forms.INDICATORS[k - 1][1] != ind[1]:
            s.put(first + k, 3, ind[1])
    s.merged.append((h, 1, first + len(forms.INDICATORS) - 1, 1))
    s.put(first + len(forms.INDICATORS), 1, labels[("区块", "总分")], None, None, None, None, None, 100)
    return s


def numbers(projects) -> tuple:
    (p,) = projects
    r = evaluate(p, rule_set_for(p))
    funds = {k: (str(f.initial), str(f.budget), str(f.actual)) for k, f in sorted(p.funds.items())}
    return (p.name, p.department, p.unit, p.goal_expected, p.goal_actual, str(p.fund_weight), funds,
            [(i.level1, i.level2, i.level3, i.target, i.actual, str(i.weight)) for i in p.indicators],
            r.rate_display, r.rate_score, [i.score for i in r.indicators], dict(r.subtotals), r.total, r.grade,
            sorted(f.code for f in r.findings if f.severity == "error"))


BASELINE = numbers(projects_from_grids([build(CANONICAL).grid()]))


def test_the_baseline_is_the_hand_computed_one():
    assert BASELINE[8] == Decimal("0.9000") and BASELINE[9] == Decimal("9.00")
    assert BASELINE[12] == Decimal("95.20") and BASELINE[13] == "优" and BASELINE[-1] == []


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(form_labels(), st.one_of(st.none(), st.lists(SPLITS, min_size=8, max_size=8)),
       st.lists(st.integers(1, 8), min_size=8, max_size=8))
def test_relabelled_or_split_headers_read_the_same(labels, splits, cut):
    # A header split over two rows still has some label whole in one of them (one broken everywhere,
    # 一/级指标, 三/级指标, 年/度指标值…, is no published form).
    if splits is not None and all(m == "split" for m in splits):
        splits = ["top"] + splits[1:]
    got = numbers(projects_from_grids([build(labels, splits, cut).grid()]))
    # The labels themselves differ; what is read under them and every number must not.
    assert got[:1] + got[1:] == BASELINE


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                HealthCheck.function_scoped_fixture])
@given(form_labels(), st.one_of(st.none(), st.lists(SPLITS, min_size=8, max_size=8)))
def test_the_same_through_real_xlsx_files(tmp_path, labels, splits):
    path = tmp_path / "form.xlsx"
    build(labels, splits).xlsx(path)
    assert numbers(read_workbook_projects(path)) == BASELINE
