"""One workbook holding forms of two kinds (SWEEP S10): every form is read by its own kind, per
sheet, and checked, scored, collected and published with its own findings; none is ignored.

Each workbook is a real .xlsx: the blank template of kind A (`evaltool new --kind A`) with the form
sheets of kind B's blank template copied in with openpyxl (values and merged ranges, as a clerk's
copy-paste of the sheet keeps them), and one error planted in each form: text typed into its first
money (or score) cell, which every kind flags on that cell."""
from __future__ import annotations

import itertools
import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.cell.cell import MergedCell

from evaltool.cli import main
from evaltool.core.kinds import kind_named

KINDS = ["运行监控表", "部门整体", "自评表", "评分表", "绩效目标表"]
PAIRS = list(itertools.combinations(KINDS, 2))
SHARED = {"设置", "说明", "报告素材", "项目基本信息", "部门报告素材", "校验结果"}
PLANTED = "六百万"


def run(*args, ok=(0, 1)):
    res = CliRunner().invoke(main, [str(a) for a in args])
    assert res.exit_code in ok, (res.exit_code, res.output, res.exception)
    return res


def _find(ws, pred):
    return next((c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and pred(c.value.strip())), None)


def plant(ws) -> str:
    """Text into the form's first money cell (the 年度资金总额 row's 全年预算数, or the first value
    right of the label) or, on a 评分表, the first indicator's 得分; returns its address."""
    row = _find(ws, lambda s: "资金总额" in s) or _find(ws, lambda s: s == "立项依据充分性")
    col = _find(ws, lambda s: s.startswith("全年预算数")) or _find(ws, lambda s: s == "得分")
    if col is not None and col.row < row.row:
        cell = ws.cell(row.row, col.column)
    else:
        n = row.column + 1
        while isinstance(ws.cell(row.row, n), MergedCell):
            n += 1
        cell = ws.cell(row.row, n)
    cell.value = PLANTED
    return cell.coordinate


@pytest.fixture(scope="module")
def blanks(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("blank")
    out = {}
    for kind in KINDS:
        out[kind] = folder / f"{kind}.xlsx"
        run("new", "--kind", kind, "-o", out[kind], ok=(0,))
    return out


def combine(blanks, a: str, b: str, path: Path) -> dict[str, tuple[str, str]]:
    """A's workbook with B's form sheets after A's; kind -> (form sheet, planted cell)."""
    wb = openpyxl.load_workbook(blanks[a])
    planted = {a: (wb.worksheets[0].title, plant(wb.worksheets[0]))}
    src = openpyxl.load_workbook(blanks[b])
    at = next(i for i, ws in enumerate(wb.worksheets) if ws.title in SHARED)  # B's forms right after A's
    for n, ws in enumerate(w for w in src.worksheets if w.title not in SHARED):
        title = ws.title if ws.title not in wb.sheetnames else f"申报{ws.title}"
        new = wb.create_sheet(title, at + n)
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None and not isinstance(c, MergedCell):
                    new[c.coordinate] = c.value
        for m in ws.merged_cells.ranges:
            new.merge_cells(str(m))
        if n == 0:
            planted[b] = (title, plant(new))
    wb.save(path)
    return planted


@pytest.fixture(scope="module")
def mixed(blanks, tmp_path_factory):
    folder = tmp_path_factory.mktemp("mixed")
    return {(a, b): (folder / f"{a}+{b}.xlsx", combine(blanks, a, b, folder / f"{a}+{b}.xlsx")) for a, b in PAIRS}


def as_list(text: str) -> list[dict]:
    data = json.loads(text)
    return data if isinstance(data, list) else [data]


def cells(result: dict) -> set[tuple[str, str, str]]:
    return {(m["代码"], m.get("工作表"), m.get("单元格")) for m in result["标记"]}


@pytest.mark.parametrize("pair", PAIRS, ids=["+".join(p) for p in PAIRS])
def test_check_reads_both_forms_each_by_its_kind(pair, mixed, blanks, tmp_path):
    path, planted = mixed[pair]
    res = run("check", path, "--json")
    assert res.exit_code == 1  # both forms carry errors
    results = as_list(res.output)
    assert [r["类型"] for r in results] == list(pair)  # sheet order: A's form first
    for r in results:
        sheet, cell = planted[r["类型"]]
        assert r["工作表"] == sheet
        assert any(m["单元格"] == cell and m["工作表"] == sheet and m["级别"] == "错误" for m in r["标记"]), r["标记"]
        assert r["错误数"] >= 1
        # The same findings as the form alone in its own kind's workbook (planted the same way).
        alone = tmp_path / f"{r['类型']}.xlsx"
        wb = openpyxl.load_workbook(blanks[r["类型"]])
        plant(wb.worksheets[0])
        wb.save(alone)
        own = as_list(run("check", alone, "--json").output)
        assert len(own) == 1
        rename = {own[0]["工作表"]: sheet}
        assert cells(r) == {(c, rename.get(s, s), a) for c, s, a in cells(own[0])}


@pytest.mark.parametrize("pair", [("部门整体", "自评表"), ("运行监控表", "绩效目标表"), ("自评表", "绩效目标表")],
                         ids=lambda p: "+".join(p))
def test_score_marks_each_form_on_its_own_sheet(pair, mixed, tmp_path):
    path, planted = mixed[pair]
    out = tmp_path / "scored.xlsx"
    res = run("score", path, "-o", out)
    assert res.exit_code == 1, res.output
    wb = openpyxl.load_workbook(out)
    for kind, (sheet, cell) in planted.items():
        assert wb[sheet][cell].value == PLANTED  # what the clerk typed stays
        assert wb[sheet][cell].comment is not None, (kind, sheet, cell)  # the finding's note on it
    listed = {(r[1], r[2]) for r in wb["校验结果"].iter_rows(values_only=True)}
    assert {planted[k] for k in pair} <= listed


def test_collect_lists_every_form_of_every_file(mixed, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for path, _ in mixed.values():
        (inbox / path.name).write_bytes(path.read_bytes())
    out = tmp_path / "汇总.xlsx"
    run("collect", inbox, "-o", out, "-q", "-j", "1")
    wb = openpyxl.load_workbook(out)
    problems = {(r[0], r[1], r[2]) for r in wb["问题清单"].iter_rows(min_row=2, values_only=True)}
    for path, planted in mixed.values():
        for kind, (sheet, cell) in planted.items():
            if kind_named(kind).summarised:  # the 评分表 (the evaluators' form) is not consolidated
                assert (path.name, sheet, cell) in problems, (path.name, kind)


def test_publish_refuses_a_workbook_whose_second_form_has_errors(blanks, tmp_path):
    """S10's case: a clean 部门整体 form (published alone before) beside a 自评表 with errors."""
    from test_dept import CASE

    case = tmp_path / "部门.yaml"
    case.write_text(CASE, "utf-8")
    clean = tmp_path / "部门.xlsx"
    run("new", "--from", case, "-o", clean, ok=(0,))
    assert run("check", clean).exit_code == 0
    wb = openpyxl.load_workbook(clean)
    src = openpyxl.load_workbook(blanks["自评表"])
    form = wb.create_sheet("自评表", 1)
    for row in src["自评表"].iter_rows():
        for c in row:
            if c.value is not None and not isinstance(c, MergedCell):
                form[c.coordinate] = c.value
    for m in src["自评表"].merged_cells.ranges:
        form.merge_cells(str(m))
    cell = plant(form)
    both = tmp_path / "两张表.xlsx"
    wb.save(both)
    checked = as_list(run("check", both, "--json").output)
    assert [r["类型"] for r in checked] == ["部门整体", "自评表"]
    assert checked[0]["错误数"] == 0 and checked[1]["错误数"] >= 1
    res = run("publish", both, "--no-pdf", "-o", tmp_path / "pub")
    assert "未公开" in res.output and f"“自评表”{cell}" in res.output
    assert not list((tmp_path / "pub").glob("*.xlsx"))
    run("publish", both, "--no-pdf", "--allow-errors", "-o", tmp_path / "pub2")
    public = next((tmp_path / "pub2").glob("*.xlsx"))
    names = openpyxl.load_workbook(public).sheetnames
    assert names == ["部门整体自评表", "自评表"]  # the 自评表 is a form: kept, not dropped as a scratch sheet


# ---- marks of the last run, for every kind ------------------------------------------------------------
# A value for the planted cell that no rule objects to: a score within its 分值; on a blank 目标表 the
# total left empty (600 would differ from its empty parts); elsewhere money.
FIXED = {"评分表": 3, "绩效目标表": None}


@pytest.mark.parametrize("action", ["check", "score"])
@pytest.mark.parametrize("pair", [("运行监控表", "绩效目标表"), ("部门整体", "评分表"), ("自评表", "绩效目标表")],
                         ids=lambda p: "+".join(p))
def test_rerun_in_excel_drops_last_runs_note_once_fixed_on_every_kinds_sheet(pair, action, mixed, tmp_path, monkeypatch):
    """Excel's remote engine cannot read a note's text: evaltool's own notes are the cells its last
    run listed in 校验结果, for every kind's sheet (not only the 自评表's)."""
    import xlwings as xw

    from evaltool.excel import entry
    from evaltool.workbook import xlsx_engine
    from test_excel import payload_from_grids

    monkeypatch.setattr(entry, "LOG_DIR", tmp_path / "log")
    src, planted = mixed[pair]
    first = tmp_path / "first.xlsx"
    run("score", src, "-o", first)
    wb = openpyxl.load_workbook(first)
    for kind, (sheet, cell) in planted.items():
        assert wb[sheet][cell].comment is not None, kind
        wb[sheet][cell].value = FIXED.get(kind, 600)
        wb[sheet][cell].comment = None  # what Excel's remote engine reports is only that a note is there
    wb.save(first)
    grids = xlsx_engine.read_grids(first)
    notes: dict[str, list[str]] = {}
    for sheet, cell in planted.values():
        notes.setdefault(sheet, []).append(cell)
    book = xw.Book(json=payload_from_grids(grids, name=first.name, notes=notes))
    getattr(entry, action)(book=book)
    deleted = {(a["args"][0]) for a in book.json()["actions"] if a["func"] == "deleteNote"}
    for kind, (sheet, cell) in planted.items():
        col = "".join(ch for ch in cell if ch.isalpha())
        assert f"${col}${cell[len(col):]}" in deleted, (kind, sheet, cell, deleted)


# ---- no form at all: the message names the kinds looked for (SWEEP S14 addendum) ------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_a_cleared_form_is_named_as_its_kind(kind, blanks, tmp_path):
    wb = openpyxl.load_workbook(blanks[kind])
    for ws in wb.worksheets:
        if ws.title not in SHARED:
            for row in ws.iter_rows():
                for c in row:
                    if not isinstance(c, MergedCell):
                        c.value = None
    path = tmp_path / "cleared.xlsx"
    wb.save(path)
    res = run("check", path, ok=(1, 2))
    assert "Traceback" not in res.output
    if res.exit_code == 1:  # a kind that reads its emptied form by its sheet's name, and lists what is missing
        assert "未填写" in res.output
        return
    title = kind_named(kind).title
    sheet = wb.worksheets[0].title
    assert f"工作表“{sheet}”像是{title}" in res.output
    assert all(kind_named(k).title in res.output for k in KINDS)
    assert "Traceback" not in res.output


def test_an_empty_workbook_lists_every_kind_looked_for(tmp_path):
    path = tmp_path / "空.xlsx"
    openpyxl.Workbook().save(path)
    res = run("check", path, ok=(2,))
    assert "“Sheet”" in res.output and "像是" not in res.output
    assert all(kind_named(k).title in res.output for k in KINDS) and "evaltool new --kind" in res.output


def test_collect_a_projects_targets_beside_its_selfeval_is_no_duplicate(tmp_path):
    """The 目标表 (spring) and the 自评表 (year end) of one project in one workbook are the year's
    flow, not a second submission (SWEEP S6, now that both forms are read); two copies of the same
    自评表 still are."""
    from test_targets import filled

    targets = filled(tmp_path)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    form = inbox / "自评表.xlsx"
    run("new", "--from-targets", targets, "-o", form)
    wb = openpyxl.load_workbook(form)
    src = openpyxl.load_workbook(targets).worksheets[0]
    new = wb.create_sheet("申报目标表", 1)
    for row in src.iter_rows():
        for c in row:
            if c.value is not None and not isinstance(c, MergedCell):
                new[c.coordinate] = c.value
    for m in src.merged_cells.ranges:
        new.merge_cells(str(m))
    wb.save(form)
    assert [r["类型"] for r in as_list(run("check", form, "--json").output)] == ["自评表", "绩效目标表"]
    out = tmp_path / "汇总.xlsx"
    run("collect", inbox, "-o", out, "-q", "-j", "1")
    codes = [r[5] for r in openpyxl.load_workbook(out)["问题清单"].iter_rows(min_row=2, values_only=True)]
    assert "W-DUPLICATE" not in codes
    (inbox / "自评表（再次提交）.xlsx").write_bytes(form.read_bytes())
    run("collect", inbox, "-o", tmp_path / "汇总2.xlsx", "-q", "-j", "1")
    codes = [r[5] for r in openpyxl.load_workbook(tmp_path / "汇总2.xlsx")["问题清单"].iter_rows(min_row=2, values_only=True)]
    assert codes.count("W-DUPLICATE") == 2  # the 自评表 and the 目标表 each sent twice


def test_each_form_keeps_its_own_report_texts(tmp_path):
    """A 自评表 (its texts on the shared 报告素材 sheet) and a 部门整体 form (its own 部门报告素材 sheet)
    in one workbook: each form's report is drafted from its own texts, neither takes the other's."""
    from conftest import CASES_DIR
    from evaltool.workbook import service
    from test_dept import CASE

    case = tmp_path / "部门.yaml"
    case.write_text(CASE, "utf-8")
    dept = tmp_path / "部门.xlsx"
    run("new", "--from", case, "-o", dept, ok=(0,))
    form = tmp_path / "自评表.xlsx"
    run("new", "--from", CASES_DIR / "seed003-信息化项目建设.yaml", "-o", form)
    alone = {p.kind: dict(p.report) for path in (dept, form) for p in service.load(str(path))}
    assert alone["自评表"] and alone["部门整体"] and alone["自评表"] != alone["部门整体"]
    wb = openpyxl.load_workbook(form)
    src = openpyxl.load_workbook(dept)
    for ws in src.worksheets:
        if ws.title in ("设置", "说明", "校验结果"):
            continue
        new = wb.create_sheet(ws.title)
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None and not isinstance(c, MergedCell):
                    new[c.coordinate] = c.value
        for m in ws.merged_cells.ranges:
            new.merge_cells(str(m))
    both = tmp_path / "两张表.xlsx"
    wb.save(both)
    read = {p.kind: dict(p.report) for p in service.load(str(both))}
    assert read == alone


# ---- --kind as clerks say it (SWEEP S27, [arch] part) -------------------------------------------------
@pytest.mark.parametrize("word, kind", [("目标表", "绩效目标表"), ("监控表", "运行监控表"), ("部门", "部门整体"),
                                        ("项目支出绩效评价评分表", "评分表"), ("自评表", "自评表")])
def test_kind_by_the_word_clerks_use(word, kind, tmp_path):
    out = tmp_path / "x.xlsx"
    res = run("new", "--kind", word, "-o", out, ok=(0,))
    assert f"已生成空白{kind_named(kind).title}" in res.output
    from evaltool.workbook import service

    assert [p.kind for p in service.load(str(out))] == [kind]


def test_an_ambiguous_kind_word_lists_the_kinds(tmp_path):
    res = run("new", "--kind", "绩效", "-o", tmp_path / "x.xlsx", ok=(2,))
    assert "没有名为“绩效”的表格类型" in res.output and all(k in res.output for k in KINDS)
    assert not (tmp_path / "x.xlsx").exists()
