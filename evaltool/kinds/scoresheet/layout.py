"""The 评分表 workbook: labels (one place), grids -> Project, results -> CellWrites. Engine-free.

Sheets: 评分表 (一、项目基本情况; 二、绩效评价指标评分 with 总分/等次; 三、评价人员 with 平均得分),
绩效目标表 (优/良/中/差 standards and the achieved tier). Blocks are found by their labels, so a
hand-made sheet in the seed's own shape (seed 001's 项目基本信息表) reads too.
"""
from __future__ import annotations

from typing import Any

from evaltool.core.decimals import fmt, plain_number as _num
from evaltool.core.model import Location, Project
from evaltool.core.seam import CellWrite, Grid, address
from evaltool.kinds.scoresheet.model import KIND, TIERS
from evaltool.workbook import layout as WL
from evaltool.workbook.reader import View, value_right
from evaltool.workbook.writer import mark_write

SHEET_SCORES = "评分表"
SHEET_TARGETS = "绩效目标表"
TITLE_SCORES = "项目支出绩效评价评分表"
TITLE_TARGETS = "项目绩效目标表"
SEC_BASIC = "一、项目基本情况"
SEC_SCORES = "二、绩效评价指标评分"
SEC_PEOPLE = "三、评价人员"
L_NAME, L_DEPT, L_UNIT, L_YEAR = WL.L_NAME, WL.L_DEPT, WL.L_UNIT, WL.L_YEAR
L_TYPE = "项目类型"
FUND_LABELS = {"计划投资额": "计划投资额（万元）", "实际到位资金": "实际到位资金（万元）", "实际使用情况": "实际使用情况（万元）"}
L_SOURCES = WL.BASIC_SOURCE_LABEL
SOURCE_LABELS = WL.BASIC_SOURCES
RATE_LABELS = {"资金到位率": "资金到位率", "资金使用率": "资金使用率（预算执行率）"}
# Score table columns as printed: key -> header.
SCORE_HEADERS = {
    "一级指标": "一级指标", "一级分值": "分值", "二级指标": "二级指标", "二级分值": "分值", "三级指标": "三级指标",
    "分值": "分值", "得分": "得分", "评分依据": "评分依据", "计分说明": "计分说明",
}
L_TOTAL, L_GRADE, L_SUBTOTALS = WL.L_TOTAL, WL.L_GRADE, WL.L_SUBTOTALS
PEOPLE_HEADERS = {"姓名": "姓名", "职务": "职务/职称", "单位": "单位", "项目评分": "项目评分", "签字": "签字"}
L_AVERAGE = "平均得分"
TARGET_HEADERS = {"指标类型": "指标类型", "指标名称": "指标名称", "绩效目标": "绩效目标", "优": "优", "良": "良",
                  "中": "中", "差": "差", "实际完成值": "实际完成值", "分值": "分值", "达到等级": "达到等级",
                  "说明": "定级说明"}
# A cell reading as one of these labels ends the search for a value right of a label: it was left empty.
BASIC_KEYS = frozenset(WL.label_key(lab) for lab in (
    L_NAME, L_DEPT, L_UNIT, L_YEAR, L_TYPE, "项目实施单位", *FUND_LABELS.values(), *RATE_LABELS.values()))
SOURCE_KEYS = frozenset(WL.label_key(lab) for lab in (*SOURCE_LABELS, "其他"))
FOOTNOTE = ("注：浅灰色单元格（分值合计、资金到位率、资金使用率、计分说明、总分、评价等次、平均得分）由 evaltool "
            "计分后自动填写；公式指标（如到位率）的得分可不填，由 evaltool 按资金到位率计算，评价人员另有判断时可填写并说明依据。")


def _text(v: View, r: int, c: int) -> str:
    return WL.norm(v.value(r, c))


def _find(v: View, label: str, rows: range | None = None) -> tuple[int, int] | None:
    return v.find(label, rows or range(1, v.nrows + 1))


# ---- finding the blocks ------------------------------------------------------------------------
_SCORE_NAMES = ("一级指标", "二级指标", "三级指标", "得分")


def _score_header(v: View) -> tuple[int, dict[str, int]] | None:
    """The row of the 评分 table header: 一级/二级/三级指标 and 得分, no 年度指标值 (that is a 自评表)."""
    # Only rows whose own cells read as all four names can hold it (the label index holds the
    # label key, strip_paren(norm(text)), of every text cell not covered by a merge).
    spots = [v.labels.get(name, ()) for name in _SCORE_NAMES]
    if not all(spots):
        return None
    for r in sorted(set.intersection(*({r for r, _ in s} for s in spots))):
        texts = {c: WL.strip_paren(_text(v, r, c)) for c in range(1, v.ncols + 1) if v.home(r, c) == (r, c)}
        names = set(texts.values())
        if not {"一级指标", "二级指标", "三级指标", "得分"} <= names or "年度指标值" in names:
            continue
        cols: dict[str, int] = {}
        last_level = None
        for c in sorted(texts):
            t = texts[c]
            if t in ("一级指标", "二级指标", "三级指标"):
                cols[t] = c
                last_level = t
            elif t in ("分值", "权重") and last_level:
                cols[{"一级指标": "一级分值", "二级指标": "二级分值", "三级指标": "分值"}[last_level]] = c
            elif t == "得分" or t.startswith("评分依据") or t.startswith("计分说明"):
                cols[t[:4] if t != "得分" else t] = c
        if "分值" in cols:
            return r, cols
    return None


def _people_header(v: View, start: int) -> tuple[int, dict[str, int]] | None:
    for r in range(start, v.nrows + 1):
        cols = {}
        for c in range(1, v.ncols + 1):
            if v.home(r, c) != (r, c):
                continue
            t = WL.strip_paren(_text(v, r, c))
            if t == "姓名":
                cols["姓名"] = c
            elif t.startswith("职务") or t == "职称":
                cols["职务"] = c
            elif t == "单位":
                cols["单位"] = c
            elif t in ("项目评分", "评分", "得分"):
                cols["项目评分"] = c
        if "姓名" in cols and "项目评分" in cols:
            return r, cols
    return None


def _target_header(v: View) -> tuple[int, dict[str, int]] | None:
    for r in range(1, v.nrows + 1):
        cols = {}
        for c in range(1, v.ncols + 1):
            t = WL.strip_paren(_text(v, r, c))
            for key, label in TARGET_HEADERS.items():
                if t == label and key not in cols and v.home(r, c) == (r, c):
                    cols[key] = c
        # 优/良/中/差 often sit one row below a merged 绩效标准 header
        if "指标名称" in cols and not set(TIERS) <= set(cols) and r + 1 <= v.nrows:
            for c in range(1, v.ncols + 1):
                t = _text(v, r + 1, c)
                if t in TIERS and t not in cols:
                    cols[t] = c
            if set(TIERS) <= set(cols):
                return r + 1, cols
        if "指标名称" in cols and set(TIERS) <= set(cols):
            return r, cols
    return None


# ---- reading -----------------------------------------------------------------------------------
def project_from_grids(grids: list[Grid]) -> Project | None:
    """The 评分表 project in a workbook's sheets, or None when no sheet holds a 评分 table."""
    return project_from_views([View(g) for g in grids])


def project_from_views(views: list[View]) -> Project | None:
    """project_from_grids for sheets the workbook reader has already made Views of."""
    scores: tuple[View, tuple[int, dict[str, int]]] | None = None
    for view in views:
        header = _score_header(view)
        if header:
            scores = (view, header)
            break
    if scores is None:
        return None
    v, (h, cols) = scores
    p = Project(kind=KIND, sheet=v.sheet)
    info: dict[str, Any] = {"out": {}, "inputs": []}
    p.extra["_scoresheet"] = info

    def keep(path: str, loc: Location) -> None:
        p.cells[path] = loc

    top_rows = range(1, h)
    for label, attr in ((L_NAME, "name"), (L_DEPT, "department"), (L_UNIT, "unit"), ("项目实施单位", "unit"),
                        (L_YEAR, "year")):
        hit = _find(v, label, top_rows)
        if hit and getattr(p, attr) is None:
            value, loc = value_right(v, *hit, stop_keys=BASIC_KEYS)
            setattr(p, attr, value)
            keep(label if label != "项目实施单位" else L_UNIT, loc)
    if p.year is None:  # "（2020年度）" under the title
        for r in top_rows:
            text = _text(v, r, 1)
            if text.endswith("年度)") or text.endswith("年度"):
                digits = "".join(ch for ch in text if ch.isdigit())
                if len(digits) == 4:
                    p.year = int(digits)
                    keep(L_YEAR, v.loc(r, 1))
                    break
    for key, label in FUND_LABELS.items():
        hit = _find(v, label, top_rows) or _find(v, key, top_rows)
        if hit:
            value, loc = value_right(v, *hit, stop_keys=BASIC_KEYS)
            if value is not None:
                p.basic_info[key] = value
            keep(f"项目基本信息.{key}", loc)
    hit = _find(v, L_TYPE, top_rows)
    if hit:
        value, _ = value_right(v, *hit, stop_keys=BASIC_KEYS)
        if value is not None:
            p.basic_info[L_TYPE] = value
    hit = _find(v, L_SOURCES, top_rows) or _find(v, "资金来源", top_rows)
    if hit:
        src_rows = range(hit[0], min(h, v.below(*hit) + 1))
        sources = {}
        for label in SOURCE_LABELS:
            found = _find(v, label, src_rows) or (_find(v, "其他", src_rows) if label == "其他资金" else None)
            if found:
                value, loc = value_right(v, *found, stop_keys=SOURCE_KEYS)
                keep(f"项目基本信息.资金来源.{label}", loc)
                if value is not None:
                    sources[label] = value
        if sources:
            p.basic_info["资金来源"] = sources
    for key, label in RATE_LABELS.items():
        hit = _find(v, label, top_rows) or _find(v, key, top_rows)
        if hit:
            _, loc = value_right(v, *hit, stop_keys=BASIC_KEYS)
            info["out"][key] = loc

    rows: list[dict[str, Any]] = []
    row_cells: list[int] = []
    end = h + 1
    for r in range(h + 1, v.nrows + 1):
        first = _text(v, r, min(cols.values()))
        if first in (L_TOTAL, "合计") or first.startswith(L_TOTAL) or first in (L_GRADE, L_SUBTOTALS):
            end = r
            break
        if first.startswith("三、") or first == "姓名":
            end = r
            break
        end = r + 1
        item = {}
        for key in ("一级指标", "二级指标", "三级指标", "分值", "得分", "评分依据"):
            c = cols.get(key)
            if c is None:
                continue
            item[key] = v.value(r, c) if key in ("一级指标", "二级指标") else v.raw(r, c)
        if all(item.get(k) in (None, "") for k in ("三级指标", "分值", "得分")):
            continue
        rows.append({k: val for k, val in item.items() if val is not None})
        row_cells.append(r)
        n = len(rows)
        for key in ("一级指标", "二级指标", "三级指标", "分值", "得分", "评分依据"):
            if key in cols:
                loc = v.loc(r, cols[key])
                keep(f"评分指标[{n}].{key}", loc)
                if key in ("三级指标", "分值", "得分", "评分依据"):
                    info["inputs"].append(loc.cell)
        for key in ("一级分值", "二级分值", "计分说明"):
            if key in cols:
                info["out"][f"{key}[{n}]"] = v.loc(r, cols[key])
    p.extra["评分指标"] = rows
    for r in range(end, v.nrows + 1):
        first = _text(v, r, min(cols.values()))
        if first == L_TOTAL or first.startswith(L_TOTAL):
            info["out"]["总分"] = v.loc(r, cols["得分"])
            info["out"]["总分值"] = v.loc(r, cols["分值"])
            for key in ("一级分值", "二级分值"):
                if key in cols:
                    info["out"][f"{key}合计"] = v.loc(r, cols[key])
            keep("评分指标.总分", v.loc(r, cols["得分"]))
        elif first == L_GRADE:
            info["out"]["等次"] = Location(sheet=v.sheet, cell=address(*v.home(r, v.right_of(r, min(cols.values())))))
        elif first == L_SUBTOTALS:
            info["out"]["小计"] = Location(sheet=v.sheet, cell=address(*v.home(r, v.right_of(r, min(cols.values())))))
        if first.startswith("三、") or first == "姓名":
            break

    people: list[dict[str, Any]] = []
    ph = _people_header(v, end)
    if ph:
        pr, pcols = ph
        for r in range(pr + 1, v.nrows + 1):
            first = _text(v, r, pcols["姓名"])
            if first in ("合计", L_AVERAGE) or any(_text(v, r, c) == L_AVERAGE for c in range(1, v.ncols + 1)):
                for c in range(1, v.ncols + 1):
                    if _text(v, r, c) == L_AVERAGE:
                        info["out"]["平均得分"] = Location(sheet=v.sheet, cell=address(*v.home(r, v.right_of(r, c))))
                        keep("评价人员.平均得分", info["out"]["平均得分"])
                break
            item = {key: v.raw(r, c) for key, c in pcols.items()}
            if first.strip("…. ") == "" and item.get("项目评分") is None:
                continue  # "……" placeholder line or blank
            people.append({k: val for k, val in item.items() if val is not None and k != "签字"})
            n = len(people)
            for key, c in pcols.items():
                keep(f"评价人员[{n}].{key}", v.loc(r, c))
                info["inputs"].append(v.loc(r, c).cell)
        keep("评价人员", Location(sheet=v.sheet, cell=address(pr, pcols["姓名"])))
    p.extra["评价人员"] = people

    targets: list[dict[str, Any]] = []
    for tv in views:
        th = _target_header(tv)
        if not th:
            continue
        tr, tcols = th
        info["targets_sheet"] = tv.sheet
        for r in range(tr + 1, tv.nrows + 1):
            item = {key: tv.raw(r, c) for key, c in tcols.items() if key not in ("达到等级", "说明")}
            for key in ("指标类型",):
                if key in tcols:
                    item[key] = tv.value(r, tcols[key])
            if item.get("指标名称") is None:
                if all(val is None for k, val in item.items() if k != "指标类型"):
                    continue
            if isinstance(item.get("指标名称"), str) and item["指标名称"].strip().startswith("注"):
                break
            targets.append({k: val for k, val in item.items() if val is not None})
            n = len(targets)
            for key, c in tcols.items():
                if key in ("达到等级", "说明"):
                    info["out"][f"{key}[{n}]"] = tv.loc(r, c)
                else:
                    keep(f"绩效目标表[{n}].{key}", tv.loc(r, c))
                    info["inputs"].append(f"{tv.sheet}!{tv.loc(r, c).cell}")
        break
    p.extra["绩效目标表"] = targets
    return p


def out_cells(project: Project) -> dict[str, Location]:
    info = project.extra.get("_scoresheet")
    return dict(info["out"]) if isinstance(info, dict) else {}


# ---- writing -----------------------------------------------------------------------------------


def cell_writes(project: Project, result) -> list[CellWrite]:
    """Computed values into the grey cells, and a mark plus note on every cell a finding names.

    Input cells get only style/note changes (keep_value): nothing the evaluator typed is changed.
    """
    out = out_cells(project)
    writes: list[CellWrite] = []

    def put(key: str, value: Any, note: str | None = "") -> None:  # "": drop a note of an earlier run
        loc = out.get(key)
        if loc is not None and loc.cell:
            writes.append(CellWrite(loc.sheet or project.sheet or "", loc.cell, value, "computed", note))

    put("资金到位率", _num(result.arrival_display))
    put("资金使用率", _num(result.use_display))
    for r in result.indicators:
        n = r.index + 1
        put(f"一级分值[{n}]", _num(result.weight_sums.get(r.level1)))
        put(f"二级分值[{n}]", _num(result.level2.get((r.level1, r.level2), (None, None))[0]))
        put(f"计分说明[{n}]", r.explanation)
    put("总分值", _num(result.weight_total))
    put("一级分值合计", _num(result.weight_total))
    put("二级分值合计", _num(result.weight_total))
    ungraded = result.ungraded
    put("总分", "无法计分" if ungraded else _num(result.total))  # never 0, never an earlier run's value
    put("等次", "无法计分" if ungraded else result.grade)
    put("小计", "；".join(f"{k} {fmt(v) if v is not None else '无法计分'}/{fmt(result.level1_weights.get(k))}"
                        for k, v in result.subtotals.items()))
    put("平均得分", _num(result.average))
    for t in result.targets:
        put(f"达到等级[{t.n}]", t.tier)
        put(f"说明[{t.n}]", t.explanation)

    # Marks: clear evaltool's previous marks on inputs, then mark what the findings name.
    info = project.extra.get("_scoresheet") or {}
    marked: dict[tuple[str, str], list] = {}
    for f in result.findings:
        loc = f.location
        if loc.cell:
            marked.setdefault((loc.sheet or project.sheet or "", loc.cell), []).append(f)
    for ref in info.get("inputs", []):
        if not ref:
            continue
        sheet, cell = (ref.split("!", 1) if "!" in ref else (project.sheet or "", ref))
        if (sheet, cell) not in marked:
            writes.append(CellWrite(sheet, cell, style="input", note="", keep_value=True))
    writes += [mark_write(sheet, cell, fs) for (sheet, cell), fs in marked.items()]
    # One write per cell and kind: merged 分值 cells are named by every row of their run.
    seen: dict[tuple[str, str, bool], int] = {}
    for i, w in enumerate(writes):
        seen[(w.sheet, w.cell, w.keep_value)] = i
    return [w for i, w in enumerate(writes) if seen[(w.sheet, w.cell, w.keep_value)] == i]


__all__ = ["project_from_grids", "project_from_views", "cell_writes", "SHEET_SCORES", "SHEET_TARGETS"]
