"""Every ribbon entry point, run through xlwings' remote engine (xw.Book(json=...), no Excel needed).

Payloads are built from the real template filled with the shared cases; the actions the entry
points send back are replayed into a cell model and compared with what `evaltool score` writes
into an .xlsx through openpyxl.
"""
from __future__ import annotations

import collections
import copy
import datetime as dt
import decimal
import functools
import inspect
from pathlib import Path

import openpyxl
import pytest
import xlwings as xw
from click.testing import CliRunner

from evaltool.cli import main
from evaltool.core.caseio import load_case
from evaltool.core.model import Indicator
from evaltool.core.seam import parse_address
from evaltool.excel import entry, xlwings_engine
from evaltool.workbook import layout as L
from evaltool.kinds.selfeval.template import build_workbook
from evaltool.workbook import template, xlsx_engine

from conftest import case_files

CASES = case_files("自评表")


# ---- payloads and replay -------------------------------------------------------------------------
def _json_value(v):
    if v is None:
        return ""
    if isinstance(v, (dt.datetime, dt.date)):
        return v.isoformat()
    if isinstance(v, decimal.Decimal):
        return float(v)
    return v


def payload_from_grids(grids, name="自评.xlsx", notes=None):
    """What xlwings' Office.js client sends: book, names, and per sheet its values from A1."""
    sheets = []
    for g in grids:
        width = max(g.ncols, 1)
        values = [[_json_value(v) for v in list(r) + [None] * (width - len(r))] for r in g.values] or [[""]]
        sheets.append({"name": g.sheet, "values": values, "pictures": [], "tables": [],
                       "notes": [{"address": a} for a in (notes or {}).get(g.sheet, [])]})
    return {"client": "Office.js", "version": xw.__version__,
            "book": {"name": name, "active_sheet_index": 0, "selection": "A1"},
            "names": [], "sheets": sheets}


def book_from_file(path: Path, monkeypatch=None, **kw):
    """The file as a remote-engine book. With monkeypatch, the merged ranges the engine asks for are
    the file's, as Excel on Windows reports them (Find with MergeCells); the remote engine itself
    cannot report merged cells."""
    grids = xlsx_engine.read_grids(path)
    if monkeypatch is not None:
        merges = {g.sheet: g.merged for g in grids}
        monkeypatch.setattr(xlwings_engine, "merged_ranges", lambda sheet, values: merges.get(sheet.name, []))
    return xw.Book(json=payload_from_grids(grids, name=path.name, **kw)), grids


def filled_file(tmp_path: Path, project, name="自评.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(template.deterministic_bytes(build_workbook(project)))
    return path


class Replay:
    """The workbook as the actions leave it: per sheet, cell -> value / fill / font colour / note."""

    def __init__(self, payload: dict, actions: list[dict]):
        self.names = [s["name"] for s in payload["sheets"]]
        self.cells: dict[str, dict[tuple[int, int], dict]] = {n: {} for n in self.names}
        self.funcs = [a["func"] for a in actions]
        self.alerts = [a["args"][0] for a in actions if a["func"] == "alert"]
        for a in actions:
            self._apply(a)

    def _cells(self, a):
        r0, c0 = a["start_row"] + 1, a["start_column"] + 1
        for r in range(r0, r0 + a["row_count"]):
            for c in range(c0, c0 + a["column_count"]):
                yield r, c

    def _apply(self, a):
        f = a["func"]
        if f == "addSheet":
            ix, name = a["args"]
            self.names.insert(ix, name)
            self.cells[name] = {}
            return
        if a["sheet_position"] is None:
            return
        sheet = self.cells[self.names[a["sheet_position"]]]
        if f == "sheetClear":
            sheet.clear()
        elif f == "setValues":
            r0, c0 = a["start_row"] + 1, a["start_column"] + 1
            for i, row in enumerate(a["values"]):
                for j, v in enumerate(row):
                    sheet.setdefault((r0 + i, c0 + j), {})["value"] = v
        elif f == "setRangeColor":
            for rc in self._cells(a):
                sheet.setdefault(rc, {})["fill"] = a["args"][0]
        elif f == "setFontProperty" and a["args"][0] == "color":
            for rc in self._cells(a):
                sheet.setdefault(rc, {})["font"] = a["args"][1]
        elif f in ("addNote", "setNoteText"):
            sheet.setdefault(parse_address(a["args"][0]), {})["note"] = a["args"][1]
        elif f == "deleteNote":
            sheet.setdefault(parse_address(a["args"][0]), {})["note"] = None
        elif f == "addHyperlink":
            sheet.setdefault((a["start_row"] + 1, a["start_column"] + 1), {})["link"] = a["args"][0]

    def get(self, sheet, a1, key):
        return self.cells[sheet].get(parse_address(a1), {}).get(key, "untouched")


def _rgb(cell) -> str | None:
    fill = cell.fill
    if fill is None or fill.fill_type != "solid":
        return None
    return "#" + str(fill.start_color.rgb)[-6:].upper()


def cli_score(tmp_path: Path, src: Path) -> openpyxl.Workbook:
    out = tmp_path / ("cli-" + src.name)
    res = CliRunner().invoke(main, ["score", str(src), "-o", str(out)])
    assert res.exit_code in (0, 1), res.output
    return openpyxl.load_workbook(out)


@pytest.fixture(autouse=True)
def _quiet_log(tmp_path, monkeypatch):
    monkeypatch.setattr(entry, "LOG_DIR", tmp_path / "log")


# ---- 计分 / 校验: the same cells, values and marks as the CLI ------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_score_writes_what_the_cli_writes(tmp_path, case, monkeypatch):
    src = filled_file(tmp_path, load_case(case))
    book, grids = book_from_file(src, monkeypatch)
    payload = copy.deepcopy(book.api)
    results, writes, rs, _ = entry.plan(book)
    assert writes, "a scored template always gets computed values"
    assert entry.score(book=book) is not None
    got = Replay({"sheets": payload["sheets"]}, book.json()["actions"])
    want = cli_score(tmp_path, src)
    for w in writes:
        cell = want[w.sheet][w.cell]
        if not w.keep_value:
            assert got.get(w.sheet, w.cell, "value") == cell.value, (w.sheet, w.cell)
        if w.style:
            assert got.get(w.sheet, w.cell, "fill") == _rgb(cell), (w.sheet, w.cell, w.style)
        if w.note:
            assert got.get(w.sheet, w.cell, "note") == cell.comment.text, (w.sheet, w.cell)
    # the 校验结果 sheet has the CLI's rows, cell for cell, and links to the marked cells
    cli_rows = [[c.value for c in row] for row in want[L.SHEET_RESULTS].iter_rows()]
    for r, row in enumerate(cli_rows, start=1):
        for c, value in enumerate(row, start=1):
            mine = got.get(L.SHEET_RESULTS, f"{openpyxl.utils.get_column_letter(c)}{r}", "value")
            assert (None if mine in ("untouched", "") else mine) == value, (r, c)
    links = {a1: cell.hyperlink.location or cell.hyperlink.target
             for row in want[L.SHEET_RESULTS].iter_rows() for cell in row if cell.hyperlink
             for a1 in [cell.coordinate]}
    for a1, target in links.items():
        assert got.get(L.SHEET_RESULTS, a1, "link").lstrip("#") == target.lstrip("#")
    assert any("计分完成" in a for a in got.alerts)
    assert "Traceback" not in "".join(got.alerts)


def test_check_marks_problems_without_touching_values(tmp_path, monkeypatch):
    project = load_case(CASES[0])  # seed000: the clerk's 执行率得分 9 against 9.86 computed
    src = filled_file(tmp_path, project)
    book, _ = book_from_file(src, monkeypatch)
    payload = copy.deepcopy(book.api)
    results = entry.check(book=book)
    got = Replay({"sheets": payload["sheets"]}, book.json()["actions"])
    form_writes = [a for a in book.json()["actions"] if a["func"] == "setValues" and a["sheet_position"] == 0]
    assert form_writes == [], "校验 never writes a value into the form"
    want = cli_score(tmp_path, src)
    marked = [f for _, r in results for f in r.findings if f.location.cell]
    assert marked
    for f in marked:
        cell = want[f.location.sheet][f.location.cell]
        assert got.get(f.location.sheet, f.location.cell, "fill") == _rgb(cell)
        assert got.get(f.location.sheet, f.location.cell, "note") == cell.comment.text
    assert any("校验完成" in a and "1 个错误" in a for a in got.alerts)


def _scaled(project, n: int):
    """The project with n indicator rows (distinct names; per-一级 weights kept, so no new findings)."""
    p = copy.deepcopy(project)
    kinds = [("产出指标", "数量指标", "≥10次", "10次", 50), ("效益指标", "社会效益指标", "≥90%", "95%", 30),
             ("满意度指标", "服务对象满意度指标", "≥90%", "96%", 10)]
    shares = {"产出指标": n // 2, "效益指标": n * 3 // 10, "满意度指标": n - n // 2 - n * 3 // 10}
    p.indicators = []
    for level1, level2, target, actual, weight in kinds:
        k = shares[level1]
        for i in range(k):
            p.indicators.append(Indicator(level1=level1, level2=level2, level3=f"{level2}{i + 1}",
                                          target=target, actual=actual,
                                          weight=decimal.Decimal(weight) / k))
    return p


@pytest.mark.parametrize("action", ["score", "check"])
def test_number_of_write_actions_does_not_grow_with_indicator_rows(tmp_path, action, monkeypatch):
    base = load_case(CASES[0])
    counts, findings = {}, {}
    for n in (10, 100):
        src = filled_file(tmp_path, _scaled(base, n), name=f"n{n}.xlsx")
        book, _ = book_from_file(src, monkeypatch)
        results = getattr(entry, action)(book=book)
        assert len(results[0][1].indicators) == n
        findings[n] = sorted(f.code for _, r in results for f in r.findings)
        counts[n] = len(book.json()["actions"])
    assert findings[10] == findings[100]  # same problems, so the same marks
    assert counts[10] == counts[100], counts


def remote_engine_calls(monkeypatch) -> collections.Counter:
    """Counts every call on xlwings' remote-engine objects from here on: each object made, each
    method called, each property read or set, on every class of xlwings/pro/_xlremote.py (Book,
    Sheet, Range, Note, Font, ...). Each is an Excel round trip on the desktop engines."""
    import xlwings.pro._xlremote as remote

    counts: collections.Counter = collections.Counter()

    def counted(fn, key):
        if fn is None:
            return None

        @functools.wraps(fn)
        def call(*args, **kwargs):
            counts[key] += 1
            return fn(*args, **kwargs)
        return call

    kept = {"__init__", "__call__", "__len__", "__iter__", "__getitem__", "__contains__"}
    for cname, cls in vars(remote).items():
        if not inspect.isclass(cls) or cls.__module__ != remote.__name__:
            continue
        for name, attr in list(vars(cls).items()):
            if name.startswith("__") and name not in kept:
                continue
            key = f"{cname}.{name}"
            if isinstance(attr, property):
                wrapped = property(counted(attr.fget, key), counted(attr.fset, key + " ="),
                                   counted(attr.fdel, key + " del"))
            elif inspect.isfunction(attr):
                wrapped = counted(attr, key)
            else:
                continue
            monkeypatch.setattr(cls, name, wrapped)
    return counts


@pytest.mark.parametrize("action,merged,noted", [("score", True, False), ("score", False, False),
                                                 ("score", True, True), ("check", True, True)])
def test_engine_calls_do_not_grow_with_indicator_rows(tmp_path, monkeypatch, action, merged, noted):
    """Reads included: the bulk reads, merged areas, notes, row heights, values, looks, 校验结果."""
    base = load_case(CASES[0])
    calls, per_kind = {}, {}
    counts = remote_engine_calls(monkeypatch)
    for n in (10, 100, 1000):
        src = filled_file(tmp_path, _scaled(base, n), name=f"n{n}.xlsx")
        grids = xlsx_engine.read_grids(src)
        if merged:  # as Excel on Windows reports them
            merges = {g.sheet: g.merged for g in grids}
            monkeypatch.setattr(xlwings_engine, "merged_ranges", lambda sheet, values: merges.get(sheet.name, []))
        # notes already there (the clerk's, or evaltool's from the last run) on the title, the
        # 执行率得分 cell and the first indicator's 得分 cell, which are the same cells at every size
        notes = {"自评表": ["A1", "J6", "H13"]} if noted else None
        book = xw.Book(json=payload_from_grids(grids, name=src.name, notes=notes))
        counts.clear()
        results = getattr(entry, action)(book=book)
        assert len(results[0][1].indicators) == n
        calls[n] = sum(counts.values())
        per_kind[n] = dict(counts)
    grown = {k: [per_kind[n].get(k, 0) for n in calls] for k in set().union(*per_kind.values())
             if len({per_kind[n].get(k, 0) for n in calls}) > 1}
    assert calls[10] == calls[100] == calls[1000], (calls, grown)


def test_second_run_clears_fixed_marks_and_only_evaltools_notes(tmp_path):
    project = load_case(CASES[0])
    src = filled_file(tmp_path, project)
    first = tmp_path / "first.xlsx"
    CliRunner().invoke(main, ["score", str(src), "-o", str(first)])
    # the clerk fixes the entered score: 9 -> 9.86 (J6 carries evaltool's note from the first run)
    wb = openpyxl.load_workbook(first)
    marked = [c for row in wb["自评表"].iter_rows() for c in row
              if c.comment is not None and "执行率得分：填报 9" in c.comment.text]
    assert marked
    cell = marked[0]
    cell.value = 9.86
    wb.save(first)
    grids = xlsx_engine.read_grids(first)
    book = xw.Book(json=payload_from_grids(grids, notes={"自评表": [cell.coordinate]}))
    results = entry.score(book=book)
    assert not results[0][1].errors
    actions = book.json()["actions"]
    assert {"func": "deleteNote", "address": f"${cell.column_letter}${cell.row}"} in [
        {"func": a["func"], "address": a["args"][0]} for a in actions if a["func"] == "deleteNote"]


def test_score_without_merge_info_matches_cli(tmp_path):
    src = filled_file(tmp_path, load_case(CASES[0]))
    book, _ = book_from_file(src)  # pure remote engine: no merged ranges
    results, writes, _, _ = entry.plan(book)
    want = cli_score(tmp_path, src)
    for w in writes:
        if not w.keep_value:
            assert want[w.sheet][w.cell].value == w.value, w.cell


# ---- the other buttons -----------------------------------------------------------------------------
def test_report_writes_docx_beside_the_workbook(tmp_path):
    import docx

    src = filled_file(tmp_path, load_case(CASES[0]))
    book, _ = book_from_file(src)
    paths = entry.report(book=book, folder=tmp_path, open_after=False)
    assert paths and paths[0].name == "自评-绩效评价报告.docx"
    text = "\n".join(p.text for p in docx.Document(paths[0]).paragraphs)
    assert "政府网站及政务新媒体日常安全运维" in text
    alerts = [a["args"][0] for a in book.json()["actions"] if a["func"] == "alert"]
    assert any("已生成绩效评价报告" in a for a in alerts)
    # Pressed again after the clerk edited the report in Word: the edited file is kept.
    edited = paths[0].read_bytes() + b"edited"
    paths[0].write_bytes(edited)
    again = entry.report(book=book, folder=tmp_path, open_after=False)
    assert again[0].name == "自评-绩效评价报告（2）.docx" and paths[0].read_bytes() == edited


def test_report_needs_a_saved_workbook(tmp_path):
    book, _ = book_from_file(filled_file(tmp_path, load_case(CASES[0])))
    assert entry.report(book=book, open_after=False) is None  # remote book: no folder on disk
    alerts = [a["args"][0] for a in book.json()["actions"] if a["func"] == "alert"]
    assert any("另存为" in a for a in alerts)


def test_new_sheet_lays_down_the_template(tmp_path):
    book, _ = book_from_file(filled_file(tmp_path, load_case(CASES[0])))
    name = entry.new_sheet(book=book)
    assert name == "自评表2"
    actions = book.json()["actions"]
    assert [a["args"] for a in actions if a["func"] == "addSheet"] == [[5, "自评表2"]]
    blank = xlsx_engine.grids_from_workbook(build_workbook(None))[0]
    values = next(a["values"] for a in actions if a["func"] == "setValues")
    assert values[0][0] == blank.values[0][0] and len(values) == blank.nrows
    assert sum(a["func"] == "rangeMerge" for a in actions) == len(blank.merged)


def test_import_case_adds_a_scored_sheet(tmp_path):
    book, _ = book_from_file(filled_file(tmp_path, load_case(CASES[0])))
    case = CASES[1]
    name, results = entry.import_case(book=book, path=case)
    project = load_case(case)
    assert name == str(project.name)[:25]
    mine = [r for p, r in results if p.sheet == name][0]
    assert mine.total == decimal.Decimal(str(project.expected["总分"]))
    assert mine.grade == project.expected["等次"]
    got = Replay(book.api, book.json()["actions"])
    assert name in got.names
    alerts = got.alerts
    assert any(f"导入到工作表“{name}”" in a for a in alerts)


def test_imported_case_text_that_looks_like_a_formula_stays_text(tmp_path):
    book, _ = book_from_file(filled_file(tmp_path, load_case(CASES[0])))
    case = next(c for c in CASES if "=0起" in Path(c).read_text("utf-8"))
    entry.import_case(book=book, path=case)
    laid = [v for a in book.json()["actions"] if a["func"] == "setValues" for row in a["values"] for v in row]
    assert "'=0起" in laid and not any(isinstance(v, str) and v.startswith("=") for v in laid)


def test_export_case_round_trips(tmp_path):
    project = load_case(CASES[0])
    book, _ = book_from_file(filled_file(tmp_path, project))
    paths = entry.export_case(book=book, folder=tmp_path)
    back = load_case(paths[0])
    assert back.name == project.name
    assert [i.level3 for i in back.indicators] == [i.level3 for i in project.indicators]


def test_collect_a_folder(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for i, case in enumerate(CASES[:3]):
        filled_file(folder, load_case(case), name=f"{i}.xlsx")
    book, _ = book_from_file(filled_file(tmp_path, load_case(CASES[0])))
    out = tmp_path / "汇总.xlsx"
    summary = entry.collect(book=book, folder=folder, output=out, open_after=False)
    assert summary.read == 3 and out.exists()
    alerts = [a["args"][0] for a in book.json()["actions"] if a["func"] == "alert"]
    assert any("已汇总 3 个工作簿" in a for a in alerts)


def test_about(tmp_path):
    book, _ = book_from_file(filled_file(tmp_path, load_case(CASES[0])))
    text = entry.about(book=book)
    assert "evaltool" in text and "xlwings" in text
    assert [a["func"] for a in book.json()["actions"]] == ["alert"]


# ---- never a traceback -----------------------------------------------------------------------------
def test_not_a_form_gives_a_chinese_dialog_and_writes_nothing():
    g = [xlsx_engine.Grid("Sheet1", [["姓名", "电话"], ["张三", "123"]])]
    book = xw.Book(json=payload_from_grids(g))
    assert entry.score(book=book) is None
    actions = book.json()["actions"]
    assert [a["func"] for a in actions] == ["alert"]
    assert actions[0]["args"][0].startswith("无法处理：这个工作簿不是项目支出绩效自评表")


@pytest.fixture
def broken_book(tmp_path, monkeypatch):
    """A workbook whose scoring fails with an internal error (not the clerk's input)."""
    import evaltool.workbook.service as service

    def boom(projects, rule_set=None):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(service, "evaluate", boom)
    monkeypatch.delenv("EVALTOOL_DEBUG", raising=False)
    book, _ = book_from_file(filled_file(tmp_path, load_case(CASES[0])))
    return book


def test_internal_error_becomes_a_dialog_and_a_log(tmp_path, broken_book):
    book = broken_book
    assert entry.score(book=book) is None
    actions = book.json()["actions"]
    assert [a["func"] for a in actions] == ["alert"]
    msg = actions[0]["args"][0]
    assert "程序内部错误（计算时除数为 0）" in msg and "没有被修改" in msg and "Traceback" not in msg
    assert "ZeroDivisionError" in (tmp_path / "log" / "evaltool-excel.log").read_text("utf-8")


def test_failure_after_a_sheet_was_added_does_not_claim_the_workbook_is_untouched(broken_book):
    book = broken_book
    assert entry.import_case(book=book, path=CASES[1]) is None  # the sheet is added, scoring fails
    actions = book.json()["actions"]
    assert any(a["func"] == "addSheet" for a in actions)
    msg = [a["args"][0] for a in actions if a["func"] == "alert"][-1]
    assert "程序内部错误" in msg and "没有被修改" not in msg and "部分结果可能已经写入" in msg


def test_without_excel_there_is_a_message_not_a_traceback(capsys):
    assert entry.check() is None
    assert "只能从 Excel" in capsys.readouterr().err


def test_check_marks_a_computed_cell_without_writing_its_value(tmp_path, monkeypatch):
    project = _scaled(load_case(CASES[0]), 10)
    project.indicators[0].weight = decimal.Decimal(12)  # 分值 now add up to 102
    src = filled_file(tmp_path, project)
    book, _ = book_from_file(src, monkeypatch)
    payload = copy.deepcopy(book.api)
    results = entry.check(book=book)
    found = [f for _, r in results for f in r.findings if f.code == "E-WEIGHT-TOTAL"]
    assert found
    _, writes, _, _ = entry.plan(xw.Book(json=payload), marks_only=True)
    marked = [w for w in writes if w.style == "error"]
    assert marked and all(w.keep_value for w in writes)
    got = Replay({"sheets": payload["sheets"]}, book.json()["actions"])
    for w in marked:
        assert got.get(w.sheet, w.cell, "fill") == "#FFC7CE"
        assert got.get(w.sheet, w.cell, "value") == "untouched"


# ---- the engine's grouping ---------------------------------------------------------------------------
def test_rectangles_cover_exactly():
    import random

    rnd = random.Random(5)
    for _ in range(200):
        cells = {(rnd.randint(1, 30), rnd.randint(1, 8)) for _ in range(rnd.randint(1, 60))}
        rects = xlwings_engine.rectangles(cells)
        covered = [(r, c) for r1, c1, r2, c2 in rects for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]
        assert sorted(covered) == sorted(cells)  # every cell once, nothing else
    column = {(r, 8) for r in range(13, 113)}  # a 得分 column of 100 indicators
    assert xlwings_engine.rectangles(column) == [(13, 8, 112, 8)]


def test_text_that_looks_like_a_formula_stays_text():
    g = [xlsx_engine.Grid("S", [["a"]])]
    book = xw.Book(json=payload_from_grids(g))
    from evaltool.core.seam import CellWrite

    xlwings_engine.apply_writes(book, [CellWrite("S", "B2", value="=0起"), CellWrite("S", "B3", value=5)])
    values = [a["values"] for a in book.json()["actions"] if a["func"] == "setValues"]
    assert values == [[["'=0起"], [5]]]


def test_bulk_read_through_xlwings_calamine_engine_matches_openpyxl(tmp_path):
    """read_grids on a real file opened by another xlwings engine: the same values as the openpyxl
    engine reads (up to trailing empty cells, which a Grid treats as empty anyway)."""
    src = filled_file(tmp_path, load_case(CASES[0]))
    book = xw.Book(src, mode="r")
    assert book.app.engine.name == "calamine"

    def trimmed(grid):
        rows = [list(r) for r in grid.values]
        for r in rows:
            while r and r[-1] is None:
                r.pop()
        return rows

    mine = xlwings_engine.read_grids(book)
    want = xlsx_engine.read_grids(src)
    assert [g.sheet for g in mine] == [g.sheet for g in want]
    for a, b in zip(mine, want):
        assert trimmed(a) == trimmed(b), a.sheet


def test_press_with_another_xlwings_says_what_to_run_and_writes_nothing(tmp_path):
    book, _ = book_from_file(filled_file(tmp_path, load_case(CASES[0])))
    assert entry.press("score", "0.1.0", book=book) is None
    actions = book.json()["actions"]
    assert [a["func"] for a in actions] == ["alert"]
    text = actions[0]["args"][0]
    assert "0.1.0" in text and xw.__version__ in text and "-m evaltool addin install" in text


def test_press_runs_the_button_and_about_checks_the_install(tmp_path):
    book, _ = book_from_file(filled_file(tmp_path, load_case(CASES[0])))
    assert entry.press("check", xw.__version__, book=book)
    book2, _ = book_from_file(filled_file(tmp_path, load_case(CASES[0]), "b.xlsx"))
    text = entry.press("about", xw.__version__, book=book2)
    assert f"加载项按 xlwings {xw.__version__} 生成" in text and "安装检查：未发现问题" in text
