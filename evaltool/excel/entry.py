"""What the ribbon buttons run (through RunPython, see macros/EvaltoolRibbon.bas).

Each entry acts on the workbook the clerk has open (xw.Book.caller()), reads every sheet in one
bulk call, runs the same core and the same writer as the command line, then writes back with
grouped calls (evaltool.excel.xlwings_engine). Everything is computed before the first write, so
a failure leaves the workbook as it was. The clerk only ever sees Chinese dialogs and status-bar
text: a Python exception becomes a message and a log file, never a traceback.

Every entry takes an optional `book` (tests pass an xw.Book built from a JSON payload, which
runs this code on xlwings' remote engine) and optional paths where Excel would ask with a dialog.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import functools
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Callable

from evaltool.core.errors import InputError

TITLE = "evaltool 绩效自评"
LOG_DIR = Path.home() / ".evaltool"


# ---- plumbing -----------------------------------------------------------------------------------
class _State:
    writing = False  # set once anything may have been written: the workbook may have changed since


def _caller():
    import xlwings as xw

    return xw.Book.caller()


def _alert(book, text: str, mode: str = "info") -> None:
    if book is None:
        print(text, file=sys.stderr)  # no workbook at all: the console is all there is
        return
    try:
        book.app.alert(text, title=TITLE, mode=mode)
    except Exception:  # noqa: BLE001 - a message must never become an error of its own
        print(text, file=sys.stderr)


def _status(book, text: str | None) -> None:
    """Status-bar text where the engine has a status bar (desktop Excel); silently nothing elsewhere."""
    try:
        book.app.status_bar = text if text else False
    except Exception:  # noqa: BLE001
        pass


def _log(exc: BaseException) -> Path | None:
    from evaltool.support import log_exception

    return log_exception(exc, "evaltool-excel.log", LOG_DIR)


def entry(fn: Callable) -> Callable:
    """Runs fn(book, ...) for the caller's workbook; turns every failure into a Chinese dialog."""

    @functools.wraps(fn)
    def wrapper(*args, book=None, **kwargs):
        state = _State()
        try:
            book = book if book is not None else _caller()
        except Exception as exc:  # noqa: BLE001
            _log(exc)
            _alert(None, "evaltool 只能从 Excel 中的“绩效自评”选项卡启动（没有找到调用它的工作簿）。")
            return None
        try:
            return fn(book, state, *args, **kwargs)
        except InputError as exc:
            _alert(book, f"无法处理：{exc}", mode="critical")
        except MemoryError:
            _alert(book, "无法处理：工作簿过大，内存不足。", mode="critical")
        except Exception as exc:  # noqa: BLE001
            if os.environ.get("EVALTOOL_DEBUG"):
                raise
            log = _log(exc)
            where = f"详细信息已记录在 {log}，" if log else ""
            safe = ("写入结果时出错，部分结果可能已经写入，请检查后重新计分；您填写的内容不会被改动。"
                    if state.writing else "您的工作簿没有被修改。")
            from evaltool.core.messages import exception_text

            _alert(book, f"程序内部错误（{exception_text(exc)}）。{safe}{where}"
                         "请把该文件和工作簿发给技术支持。", mode="critical")
        finally:
            _status(book, None)
        return None

    return wrapper


@contextlib.contextmanager
def _writing(book, state: _State, sheets: list[str]):
    """Screen updating off and protection lifted (desktop Excel) while evaltool writes."""
    state.writing = True
    app = book.app
    with contextlib.suppress(Exception):
        app.screen_updating = False
    restore = []
    for name in sheets:
        with contextlib.suppress(Exception):
            api = book.sheets[name].api
            if getattr(api, "ProtectContents", False):
                p = api.Protection
                opts = dict(DrawingObjects=bool(api.ProtectDrawingObjects), Contents=True,
                            Scenarios=bool(api.ProtectScenarios),
                            AllowFormattingCells=p.AllowFormattingCells,
                            AllowFormattingColumns=p.AllowFormattingColumns,
                            AllowFormattingRows=p.AllowFormattingRows,
                            AllowInsertingRows=p.AllowInsertingRows, AllowDeletingRows=p.AllowDeletingRows)
                api.Unprotect()
                restore.append((api, opts))
    try:
        yield
    finally:
        for api, opts in restore:
            with contextlib.suppress(Exception):
                api.Protect(**opts)
        with contextlib.suppress(Exception):
            app.screen_updating = True


# ---- shared steps ------------------------------------------------------------------------------------
def _read(book, grids=None):
    """Grids of every sheet (one bulk read each) -> projects, as the CLI reads a file."""
    from evaltool.engines import engine
    from evaltool.workbook import service

    if grids is None:
        grids = engine("xlwings").read(book)
    try:  # the saved file on disk: a rule file 设置 names is found beside it
        full = Path(book.fullname)
        folder = full.parent if full.is_file() else None
    except Exception:  # noqa: BLE001 - an unsaved or remote book has no folder
        folder = None
    return service.read(grids, source=book.name, folder=folder)


def plan(book, marks_only: bool = False, grids=None):
    """Everything to write, computed before the first write: (results, writes, 校验结果 content, ours),
    by the same service.plan_projects the command line and `evaltool serve` use."""
    from evaltool.workbook import service

    return service.plan_projects(_read(book, grids), marks_only=marks_only).as_tuple()


def _write(book, state, writes, rs, ours) -> None:
    from evaltool.engines import engine

    sheets = sorted({w.sheet for w in writes})
    with _writing(book, state, sheets):
        engine("xlwings").write(book, writes, rs, ours)


def _summary(results, verb: str) -> str:
    from evaltool.workbook.service import summary

    return summary(results, verb)


def _book_dir(book) -> Path:
    full = str(book.fullname or "")
    if os.path.isabs(full) and Path(full).parent.is_dir():
        return Path(full).parent
    raise InputError("这个工作簿还没有保存到电脑上（或保存在网盘中）。请先“另存为”到本机文件夹，再点此按钮。")


def _ask_open_file(book, what: str, pattern: str) -> Path | None:
    """Windows Excel's own file dialog; None when the clerk cancels."""
    try:
        got = book.app.api.GetOpenFilename(f"{what} ({pattern}),{pattern}", 1, f"选择{what}")
    except Exception:  # noqa: BLE001
        raise InputError(f"此处无法弹出选择{what}的对话框。请用命令行：evaltool new --from 案例.yaml") from None
    return Path(got) if isinstance(got, str) and got else None


def _ask_folder(book, what: str) -> Path | None:
    try:
        dialog = book.app.api.FileDialog(4)  # msoFileDialogFolderPicker
        dialog.Title = what
        if dialog.Show() != -1:
            return None
        return Path(dialog.SelectedItems(1))
    except Exception:  # noqa: BLE001
        raise InputError("此处无法弹出选择文件夹的对话框。请用命令行：evaltool collect 文件夹 -o 汇总.xlsx") from None


def _open(path: Path) -> None:
    """Open a produced file with its usual program (Word for the report)."""
    with contextlib.suppress(Exception):
        if sys.platform.startswith("win"):
            os.startfile(str(path))  # type: ignore[attr-defined]
        elif sys.platform == "darwin":
            import subprocess

            subprocess.Popen(["open", str(path)])


# ---- the buttons -----------------------------------------------------------------------------------
@entry
def check(book, state):
    """校验: mark problems in place and list them in 校验结果; entered values are left alone."""
    _status(book, "evaltool：正在校验……")
    results, writes, rs, ours = plan(book, marks_only=True)
    _write(book, state, writes, rs, ours)
    _alert(book, _summary(results, "校验"))
    return results


def _score(book, state, grids=None):
    results, writes, rs, ours = plan(book, grids=grids)
    _write(book, state, writes, rs, ours)
    return results


@entry
def score(book, state):
    """计分: computed values into computed cells, marks, 校验结果 — exactly what `evaltool score` writes."""
    _status(book, "evaltool：正在计分……")
    results = _score(book, state)
    _alert(book, _summary(results, "计分"))
    return results


@entry
def report(book, state, folder: str | os.PathLike | None = None, open_after: bool = True):
    """生成报告: a .docx per 自评表 beside the workbook, then open it."""
    from evaltool.report.generate import output_paths, write_report
    from evaltool.workbook.service import evaluate as evaluate_projects

    _status(book, "evaltool：正在生成报告……")
    target_dir = Path(folder) if folder else _book_dir(book)
    results = evaluate_projects(_read(book))
    # Named as the CLI names them; a report already there (the clerk may have edited it in Word)
    # is never replaced: the new one becomes …（2）.docx.
    targets = output_paths(str(target_dir / Path(book.name).name), [p for p, _ in results], None)
    paths = [write_report(p, r, target) for (p, r), target in zip(results, targets)]
    if open_after:
        for path in paths:
            _open(path)
    errors = sum(len(r.errors) for _, r in results)
    note = f"\n注意：表中还有 {errors} 个错误，报告中的相关数字可能不准确，请先点“校验”修正。" if errors else ""
    _alert(book, "已生成绩效评价报告：\n" + "\n".join(str(p) for p in paths) + note)
    return paths


def _paste_form(book, state, project=None, kind=None):
    """A new form sheet of a kind (blank, or filled from a case) at the end of the workbook, with the
    sheets that go with it (报告素材, 设置, 说明 …) where the workbook has none of that name.

    Desktop Excel copies the sheets from the template the kind builds, keeping every format,
    dropdown and protection; the remote engine cannot open files, so there the sheets are laid
    down from the same template's values and merged cells.
    """
    from evaltool.core.kinds import kind_of
    from evaltool.workbook.newsheet import new_form

    form = new_form(kind or kind_of(project), project, project.rules if project else None,
                    [s.name for s in book.sheets])
    state.writing = True
    if not _copy_from_file(book, form):
        _lay_down(book, form.grid, form.sheet)
        for grid, ws in form.extras:
            _lay_down(book, grid, ws)
    return form.name, form.grid


def _copy_from_file(book, form) -> bool:
    from evaltool.workbook.template import deterministic_bytes

    try:
        app = book.app
        if app.engine.name == "remote":
            return False
        tmp = Path(tempfile.mkdtemp(prefix="evaltool-")) / "template.xlsx"
        tmp.write_bytes(deterministic_bytes(form.workbook))
        src = app.books.open(str(tmp))
    except Exception:  # noqa: BLE001
        return False
    try:
        last = book.sheets[len(book.sheets) - 1]
        src.sheets[form.sheet.title].copy(after=last, name=form.name)
        for _, ws in form.extras:
            src.sheets[ws.title].copy(after=book.sheets[len(book.sheets) - 1])
    finally:
        with contextlib.suppress(Exception):
            src.close()
        shutil.rmtree(tmp.parent, ignore_errors=True)  # the copy lives on in the clerk's workbook
    return True


def _lay_down(book, grid, ws) -> None:
    from evaltool.excel.xlwings_engine import write_block

    sheet = book.sheets.add(grid.sheet, after=book.sheets[len(book.sheets) - 1])
    write_block(sheet, grid.values)  # a case's text such as "=0起" stays text, as in every write
    for r1, c1, r2, c2 in grid.merged:
        sheet.range((r1, c1), (r2, c2)).merge()
    for letter, dim in ws.column_dimensions.items():
        if dim.width:
            sheet.range(f"{letter}1").column_width = dim.width


@entry
def new_sheet(book, state, kind: str | None = None):
    """新建 (the ribbon's menu, one item per kind): a blank form of that kind (None: the 自评表)
    from its standard template, added to this workbook."""
    from evaltool.core.kinds import DEFAULT_KIND, kind_named, names

    name = kind or DEFAULT_KIND
    if name not in names():
        raise InputError(f"没有“{name}”这种表格。可以新建的有：{'、'.join(names())}。"
                         "请运行 evaltool addin install 重新安装加载项。")
    form = kind_named(name)
    sheet, _ = _paste_form(book, state, kind=form)
    _alert(book, f"已新建空白{form.name}“{sheet}”。白色单元格由您填写，灰色单元格由“计分”自动填写。")
    return sheet


@entry
def import_case(book, state, path: str | os.PathLike | None = None):
    """导入案例: a case file (.yaml) becomes a filled, scored 自评表 sheet in this workbook."""
    from evaltool.core.caseio import load_case
    from evaltool.core.rules import load_rules

    path = Path(path) if path else _ask_open_file(book, "案例文件", "*.yaml;*.yml")
    if path is None:
        return None
    project = load_case(path)
    from evaltool.core.kinds import kind_of

    if not kind_of(project).pasteable:
        raise InputError(f"{path.name} 是{project.kind}案例，这里只能导入项目支出绩效自评表。")
    load_rules(project.rules)  # a bad rule set fails before anything is written
    from evaltool.engines import engine

    before = engine("xlwings").read(book)
    name, grid = _paste_form(book, state, project)
    # Score from what was just laid down (the remote engine cannot re-read a sheet it added).
    grids = [g for g in before if g.sheet != name] + [grid]
    results = _score(book, state, grids=grids)
    _alert(book, f"已把 {path.name} 导入到工作表“{name}”。\n" + _summary(results, "计分"))
    return name, results


@entry
def new_from_targets(book, state):
    """由目标表生成自评表: the 绩效目标表 in this workbook becomes a pre-filled 自评表 sheet beside it
    (indicators, 年度指标值, 预期目标, 年初预算数), scored; from then on 校验 compares the two."""
    from evaltool.engines import engine
    from evaltool.kinds.targets.carry import from_grids

    before = engine("xlwings").read(book)
    project = from_grids(before)
    name, grid = _paste_form(book, state, project)
    # Score from what was just laid down (the remote engine cannot re-read a sheet it added).
    results = _score(book, state, grids=[g for g in before if g.sheet != name] + [grid])
    _alert(book, f"已由绩效目标表生成自评表“{name}”，带入 {len(project.indicators)} 个绩效指标及其年度指标值、预期目标和"
                 "年初预算数。年底请填写全年预算数、全年执行数和实际完成值后点“计分”；“校验”会指出与目标表不一致的指标。\n"
                 + _summary(results, "计分"))
    return name, results


def _own_or_free(path: Path, purpose: str) -> Path:
    """path, when it is free or evaltool's own unchanged output for purpose (core/provenance); else
    the next free name, …（2）: a button never replaces a file the clerk wrote or edited."""
    from evaltool.core import provenance

    n, out = 1, path
    while out.exists() and not provenance.is_own(out, purpose):
        n += 1
        out = path.with_name(f"{path.stem}（{n}）{path.suffix}")
    provenance.claim(out, purpose)
    return out


@entry
def export_case(book, state, folder: str | os.PathLike | None = None):
    """导出案例: each 自评表 of this workbook saved as a case file (.yaml) beside the workbook."""
    from evaltool.core.caseio import save_case

    target_dir = Path(folder) if folder else _book_dir(book)
    projects = _read(book)
    stem = Path(book.name).stem
    paths = []
    for p in projects:
        suffix = "" if len(projects) == 1 else f"-{p.sheet}"
        target = _own_or_free(target_dir / f"{stem}{suffix}.yaml", f"案例:{Path(book.name).name}")
        save_case(p, target)
        paths.append(target)
    _alert(book, "已导出案例文件：\n" + "\n".join(str(p) for p in paths))
    return paths


@entry
def collect(book, state, folder: str | os.PathLike | None = None, output: str | os.PathLike | None = None,
            open_after: bool = True):
    """汇总: every 自评表 workbook in a folder into one 汇总 workbook, which is then opened."""
    from evaltool.collect.run import collect as run_collect, unused_output

    folder = Path(folder) if folder else _ask_folder(book, "选择要汇总的自评表所在文件夹")
    if folder is None:
        return None
    # a second run on the same day keeps the first 汇总 (汇总-20261204(2).xlsx beside it)
    out = Path(output) if output else unused_output(folder / f"汇总-{_dt.date.today():%Y%m%d}.xlsx")
    _status(book, f"evaltool：正在汇总 {folder} ……")
    summary = run_collect([str(folder)], str(out), workers=1)
    if open_after:
        with contextlib.suppress(Exception):
            book.app.books.open(str(out))
    bad = f"，{len(summary.unreadable)} 个文件无法读取（见“无法读取的文件”工作表）" if summary.unreadable else ""
    _alert(book, f"已汇总 {summary.read} 个工作簿、{summary.projects} 个项目{bad}。\n结果：{out}")
    return summary


def _saved_file(book) -> Path:
    """The open workbook's file, as saved: what `evaltool publish` reads."""
    folder = _book_dir(book)
    try:
        saved = bool(book.api.Saved)
    except Exception:  # noqa: BLE001 - an engine that cannot tell (the remote one) has nothing unsaved
        saved = True
    if not saved:
        raise InputError("工作簿有未保存的修改。公开版按保存在电脑上的文件生成：请先保存，再点“公开”。")
    return folder / Path(str(book.fullname)).name


@entry
def publish(book, state, path: str | os.PathLike | None = None, folder: str | os.PathLike | None = None,
            open_after: bool = True):
    """公开: the open workbook's saved file into the 公开 folder beside it (clean .xlsx, PDF, the draft
    预算绩效情况说明), as `evaltool publish` does; a form with unresolved 错误 is refused."""
    from evaltool.publish.run import publish as run_publish

    source = Path(path) if path else _saved_file(book)
    out = Path(folder) if folder else source.parent / "公开"
    _status(book, f"evaltool：正在生成 {source.name} 的公开版……")
    done = run_publish([str(source)], out, button=True)
    refused = [o.refused for o in done.outcomes if o.refused]
    if refused:
        _alert(book, "没有生成公开版：" + "\n".join(refused), mode="critical")
        return done
    made = [p.name for o in done.outcomes for p in (o.xlsx, o.pdf) if p is not None]
    text = f"已生成公开版：{'、'.join(made)}。\n情况说明草稿：{'、'.join(p.name for p in done.drafts)}。\n文件夹：{out}"
    if done.pdf_error:
        text += f"\n没有生成 PDF：{done.pdf_error}"
    problems = [f.message for f in done.draft_findings]
    text += ("\n情况说明中的数字已与表格核对。" if not problems else "\n请核对：" + "\n".join(problems[:5]))
    if open_after:
        _open(out)
    _alert(book, text)
    return done


@entry
def about(book, state, addin_xlwings: str | None = None):
    """关于/帮助: versions, the Python in use, and what is known to break real installs."""
    import xlwings

    from evaltool.addin.diagnose import wps_holds_excel, xlwings_mismatch
    from evaltool.core.rules import DEFAULT_RULES

    try:
        from importlib.metadata import version

        ver = version("evaltool")
    except Exception:  # noqa: BLE001
        ver = "开发版"
    text = (f"evaltool {ver}（xlwings {xlwings.__version__}"
            + (f"，加载项按 xlwings {addin_xlwings} 生成" if addin_xlwings else "") + "）\n"
            f"Python：{sys.executable}\n默认规则集：{DEFAULT_RULES}\n\n"
            "使用方法：在自评表中填写白色单元格，点“校验”查看问题，点“计分”填写得分和等次，"
            "点“生成报告”得到 Word 格式的绩效评价报告。\n"
            "填表说明见工作簿中的“说明”工作表；命令行用法：evaltool --help。")
    problems = [m for m in (xlwings_mismatch(addin_xlwings, xlwings.__version__, sys.executable),
                            wps_holds_excel()) if m]
    if problems:
        text += "\n\n发现的问题：\n" + "\n".join(problems)
    else:
        text += "\n\n安装检查：未发现问题。"
    _alert(book, text)
    return text


BUTTONS = {"check": check, "score": score, "report": report, "new_sheet": new_sheet, "import_case": import_case,
           "new_from_targets": new_from_targets,
           "export_case": export_case, "collect": collect, "publish": publish, "about": about}


def press(button: str, addin_xlwings: str | None = None, book=None):
    """What every ribbon callback runs (EvaltoolRibbon.bas): the add-in's xlwings version checked
    against this Python's before the button's work, so a mismatch is a clear message, not a
    failure somewhere inside xlwings."""
    import xlwings

    from evaltool.addin.diagnose import xlwings_mismatch

    # "new_sheet:<kind>": the 新建 menu's items share one callback; the kind comes from the item's tag.
    button, _, arg = button.partition(":")
    fn = BUTTONS.get(button)
    if arg and fn is new_sheet:
        fn = functools.partial(new_sheet, kind=arg)
    if button == "about":
        return about(book=book, addin_xlwings=addin_xlwings)
    problem = xlwings_mismatch(addin_xlwings, xlwings.__version__, sys.executable)
    if fn is None or problem:
        try:
            book = book if book is not None else _caller()
        except Exception:  # noqa: BLE001
            book = None
        _alert(book, problem or f"加载项调用了未知的按钮“{button}”。请运行 evaltool addin install 重新安装加载项。",
               mode="critical")
        return None
    return fn(book=book)
