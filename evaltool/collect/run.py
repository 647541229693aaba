"""Driver: find the submitted files, read them on all cores, stream the results into the 汇总 workbook.

Memory stays bounded whatever the number of files: only a few chunks are in flight at once, each
project is reduced to one small row dict inside its worker, and findings are streamed into the
output's write-only 问题清单 sheet (which spools to disk) as they arrive.
"""
from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, ContextManager, Iterable, Iterator

if TYPE_CHECKING:  # imported where a pool is made: a run of one file needs none (nor multiprocessing)
    from concurrent.futures import ProcessPoolExecutor

from evaltool.collect.worker import SUMMARY_SHEETS, FileOutcome, process_chunk, warm
from evaltool.core.kinds import added
from evaltool.core.errors import InputError

EXTENSIONS = (".xlsx", ".xlsm")
# Other spreadsheet formats met in a folder are listed as unreadable, so the bureau knows a unit
# sent the wrong format; reports (.docx, .pdf) sitting next to the workbooks are not submissions.
NEAR_MISSES = (".xls", ".et", ".ods")
WAITING_MAX = 20_000  # findings held in memory while openpyxl is still being imported
INLINE_MAX_FILES = 8  # up to this many files (workers not asked for): one worker process

Progress = Callable[[int, int, str], None]  # (files done, files total, last file)


@dataclass
class CollectSummary:
    """What a consolidation did; the CLI prints it and the 汇总 button shows message()."""

    output: str
    files: int = 0  # files looked at
    read: int = 0  # files read as 自评表 workbooks
    projects: int = 0  # rows in the 汇总 sheet
    errors: int = 0  # findings of level 错误, all projects
    warnings: int = 0
    projects_with_errors: int = 0
    grades: dict[str, int] = field(default_factory=dict)
    grade_names: tuple[str, ...] = ()  # the 等次 columns, highest first (output.grade_names)
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    macro_files: list[str] = field(default_factory=list)
    duplicates: int = 0  # projects sent more than once (same 单位, 项目, 年度)
    earlier_summaries: list[str] = field(default_factory=list)  # earlier 汇总 workbooks, skipped
    public_copies: list[str] = field(default_factory=list)  # publish's …-公开.xlsx copies, skipped
    # (file, kinds) read but not summarised: forms of a kind collect has no 汇总 row for (评分表)
    not_summarised: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    review: dict | None = None  # collect --review: the 抽查's summary (collect/review.py ReviewPack.as_dict)

    def message(self) -> str:
        parts = [f"已汇总 {self.read} 个工作簿、{self.projects} 个项目"]
        if self.grades:
            parts.append("等次：" + "、".join(f"{k} {v}" for k, v in self.grades.items()))
        if self.projects_with_errors:
            parts.append(f"{self.projects_with_errors} 个项目有错误（见“问题清单”）")
        if self.not_summarised:
            parts.append(f"{len(self.not_summarised)} 个文件是不参与汇总的表格（"
                         + "、".join(dict.fromkeys(k for _, k in self.not_summarised)) + "），已读取、未汇总")
        if self.unreadable:
            parts.append(f"{len(self.unreadable)} 个文件无法读取（见“无法读取的文件”）")
        if self.macro_files:
            parts.append(f"{len(self.macro_files)} 个文件含宏（未运行）")
        if self.duplicates:
            parts.append(f"{self.duplicates} 个项目重复提交（见“问题清单”）")
        return "；".join(parts) + f"。结果已保存到 {self.output}"

    def as_dict(self) -> dict:
        return {
            "输出文件": self.output, "文件数": self.files, "已读取": self.read, "项目数": self.projects,
            "错误数": self.errors, "警告数": self.warnings, "有错误的项目数": self.projects_with_errors,
            "等次分布": dict(self.grades),
            "无法读取": [{"文件": f, "原因": r} for f, r in self.unreadable],
            "含宏文件": list(self.macro_files), "重复提交": self.duplicates,
            "跳过的汇总表": list(self.earlier_summaries), "跳过的公开版": list(self.public_copies),
            "未汇总的表格": [{"文件": f, "表格": k} for f, k in self.not_summarised], "用时秒": round(self.seconds, 2),
            **({"抽查": self.review} if self.review is not None else {}),
        }


# ---- finding the files -----------------------------------------------------------------------
def _is_candidate_name(name: str) -> bool:
    # Excel / WPS lock files and hidden files are not submissions.
    return not (name.startswith("~$") or name.startswith(".~") or name.startswith("."))


def find_files(paths: Iterable[str | os.PathLike], exclude: Iterable[Path] = ()) -> list[tuple[Path, str]]:
    """(path, display name) for every workbook under the given files and folders, sorted, deduplicated.

    Display names are relative to the folder given, so two units' "自评表.xlsx" stay distinguishable.
    Explicitly named files are taken whatever their extension (a wrong one is then reported);
    in folders, only Excel-like files are taken.
    """
    excluded = {str(_resolved(p)) for p in exclude}
    seen: set[str] = set()  # resolved paths, as text
    out: list[tuple[Path, str]] = []
    for raw in paths:
        root = Path(raw)
        if root.is_dir():
            # Below the resolved root only a linked file needs resolving of its own (linked folders
            # are not entered, as os.walk does); text, not Paths, until the end: a bureau's folder
            # holds thousands of files.
            real_root = str(_resolved(root))
            found = sorted(_walk(str(root)), key=lambda f: [os.path.normcase(part) for part in f[0]])
            for parts, path, linked in found:
                key = str(_resolved(Path(path))) if linked else os.path.join(real_root, *parts)
                if key not in seen and key not in excluded:
                    seen.add(key)
                    out.append((Path(path), "/".join(parts)))
        elif root.exists():
            key = str(_resolved(root))
            if key not in seen and key not in excluded:
                seen.add(key)
                out.append((root, root.name))
        else:
            raise InputError(f"找不到文件或文件夹：{raw}。请检查路径是否正确。")
    return out


def _walk(top: str) -> Iterator[tuple[tuple[str, ...], str, bool]]:
    """(relative path parts, path, is a link) of every candidate workbook below top; hidden and
    linked folders are not entered. Sorting the parts gives os.walk's sorted order."""
    stack: list[tuple[str, tuple[str, ...]]] = [(top, ())]
    suffixes = EXTENSIONS + NEAR_MISSES
    while stack:
        folder, rel = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue  # an unreadable folder holds nothing we can read
        for e in entries:
            name = e.name
            try:
                is_dir = e.is_dir()
                linked = e.is_symlink()
            except OSError:
                continue
            if is_dir:
                if not linked and not name.startswith("."):
                    stack.append((e.path, rel + (name,)))
            elif _is_candidate_name(name) and os.path.splitext(name)[1].lower() in suffixes:
                yield rel + (name,), e.path, linked


def _resolved(p: Path) -> Path:
    try:
        return Path(p).resolve()
    except OSError:
        return Path(os.path.abspath(p))


# ---- running ---------------------------------------------------------------------------------
def _mp_context(fork: bool = False):
    # fork: the fastest start (workers inherit everything imported and warmed here), safe only
    # while this process runs no other thread. forkserver otherwise: workers fork from a small
    # clean process (no threads, no pandas), once it has warmed itself up.
    import multiprocessing

    if sys.platform.startswith("linux"):
        if fork:
            return multiprocessing.get_context("fork")
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["evaltool.collect.preload"])
        return ctx
    return multiprocessing.get_context("spawn")


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def start_pool(workers: int) -> ProcessPoolExecutor | None:
    """A worker pool whose processes start now (before any thread of this process), forked straight from
    this process when it runs no other thread yet; None where processes cannot be started."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    fork = sys.platform.startswith("linux") and threading.active_count() == 1
    try:
        if fork:
            warm(workers > 1)  # here, once: every worker inherits it (one worker: only what it will surely use)
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=_mp_context(fork))
        for _ in range(workers):
            pool.submit(warm, workers > 1)  # each submit starts one more process until all are up; cheap there
        return pool
    except (OSError, RuntimeError, BrokenProcessPool, ValueError):
        return None


CRASHED = ("读取这个文件时，读取程序异常退出（文件内容可能已损坏，或大得超出了读取程序的能力），已跳过此文件。"
           "请在 Excel 或 WPS 中打开并另存为 .xlsx 后重新提交。")


def iter_outcomes(items: list[tuple[Path, str]], rules: str | None = None, workers: int | None = None,
                  chunk: int | None = None, pool: ProcessPoolExecutor | None = None,
                  review: bool = False) -> Iterator[FileOutcome]:
    """Outcomes in input order, computed on `workers` processes with a bounded number in flight.
    A pool given is used (and left to the caller to shut down); otherwise one is made here.

    Files are never read in this process while worker processes can run: a file that makes a
    reader library abort (a native panic) would take the whole consolidation with it. When a
    worker dies, the chunks it may have been reading are read again file by file, each in a
    fresh process, so only the culprit is lost (as 无法读取的文件, with CRASHED as its reason)."""
    from concurrent.futures.process import BrokenProcessPool

    pairs = [(str(p), name) for p, name in items]
    workers = workers or default_workers()
    # Chunks amortise the per-task pickling cost; small enough that every core stays busy to the end.
    chunk = chunk or max(1, min(32, len(pairs) // (workers * 8)))
    # Chunks shrink towards the end, so the workers run out of work at nearly the same moment.
    chunks, i = [], 0
    while i < len(pairs):
        size = max(1, min(chunk, (len(pairs) - i) // (workers * 4)))
        chunks.append(pairs[i:i + size])
        i += size
    window = workers * 3
    handed = 0
    owned: list[ProcessPoolExecutor] = []
    try:
        if pool is None:
            pool = _new_pool(workers, owned)
        while handed < len(chunks):
            if pool is None:  # worker processes cannot run on this host at all: read here
                for c in chunks[handed:]:
                    yield from process_chunk(c, rules, added_kinds=added(), review=review)
                return
            futures: dict[int, Any] = {}
            broken = False
            try:
                while handed < len(chunks):
                    while len(futures) < window and handed + len(futures) < len(chunks):
                        k = handed + len(futures)
                        futures[k] = pool.submit(process_chunk, chunks[k], rules, "calamine", added(), review)
                    done = futures.pop(handed).result()
                    handed += 1
                    yield from done
            except BrokenProcessPool:
                broken = True
            if not broken:
                break
            # A worker died. Chunks that finished before it are kept; the others (the one being
            # waited for and every one in flight) are read again in isolation.
            finished: dict[int, list[FileOutcome]] = {}
            for k in range(handed, handed + len(futures) + 1):
                fut = futures.get(k)
                if fut is not None and fut.done() and not fut.cancelled() and fut.exception() is None:
                    finished[k] = fut.result()
            last = max([handed, *futures]) if futures else handed
            for k in range(handed, min(last + 1, len(chunks))):
                if k in finished:
                    yield from finished[k]
                else:
                    for pair in chunks[k]:
                        yield _isolated(pair, rules, review)
                handed = k + 1
            pool = _new_pool(workers, owned)
    finally:
        for p in owned:
            p.shutdown(wait=True, cancel_futures=True)


def _new_pool(workers: int, owned: list) -> ProcessPoolExecutor | None:
    """A fresh worker pool (forked from the forkserver), or None where processes cannot run."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    try:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=_mp_context())
        pool.submit(warm).result(timeout=120)
    except (OSError, RuntimeError, BrokenProcessPool, ValueError, TimeoutError):
        return None
    owned.append(pool)
    return pool


def _isolated(pair: tuple[str, str], rules: str | None, review: bool = False) -> FileOutcome:
    """One file read alone in a fresh process; if that process dies too, once more without
    python-calamine (openpyxl, as `evaltool check` reads it), and if that dies as well the file is
    unreadable. Never in this process."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    for engine in ("calamine", "openpyxl"):
        try:
            with ProcessPoolExecutor(max_workers=1, mp_context=_mp_context()) as solo:
                return solo.submit(process_chunk, [pair], rules, engine, added(), review).result()[0]
        except BrokenProcessPool:
            continue
        except (OSError, RuntimeError, ValueError):
            break  # no process could be started: the file is not read here either
    return FileOutcome(file=pair[1], problem=CRASHED)


def collect(paths: Iterable[str | os.PathLike], output: str | os.PathLike, rules: str | None = None,
            workers: int | None = None, progress: Progress | None = None,
            display: ContextManager | None = None, review: bool = False) -> CollectSummary:
    """Consolidate every 自评表 workbook under `paths` into the 汇总 workbook `output`.

    `display` (a progress bar, say) is entered once the worker processes have started: worker
    processes are best started before any thread, and displays run one.

    review: also the 抽查 and 复核意见 sheets (collect/review.py).

    Inputs are only read. The output is written atomically (a temporary file renamed into place).
    Raises InputError (Chinese) when nothing can be collected at all; unreadable files are listed,
    never raised.
    """
    started = time.perf_counter()
    output = Path(output)
    if output.suffix.lower() != ".xlsx":
        raise InputError(f"汇总结果应保存为 .xlsx 文件，现在是“{output.name}”。例如：-o 汇总.xlsx")
    if output.parent and not output.parent.exists():
        raise InputError(f"保存汇总结果的文件夹不存在：{output.parent}")
    import evaltool.workbook.reader  # noqa: F401 - fail here once, not in every worker for every file

    paths = list(paths)
    if any(_resolved(Path(p)) == _resolved(output) for p in paths):
        raise InputError(f"输出文件“{output.name}”是要汇总的文件之一。请换一个输出文件名，例如 -o 汇总.xlsx。")
    _refuse_foreign_output(output)
    # The files are listed first (a scan of the folders: milliseconds for thousands of files), so
    # that no more worker processes start than there are files.
    items = find_files(paths, exclude=[output])
    if not items:
        raise InputError("没有找到要汇总的 Excel 工作簿（.xlsx / .xlsm）。请选择存放自评表的文件夹。")
    if workers is None and len(items) <= INLINE_MAX_FILES:
        workers = 1  # a handful of files: a second process costs more CPU than it saves time
    workers = min(workers or default_workers(), len(items))
    # Even one file is read in another process (never here): a reader that aborts on a file must
    # cost only that file. The processes start before any thread (the progress display, the
    # background import) starts in this process; one file is read in a child forked for it alone.
    pool: Any = None
    if len(items) == 1 and sys.platform.startswith("linux") and threading.active_count() == 1:
        _import_shared()
        pool = _ForkedOne((str(items[0][0]), items[0][1]), rules, review)
    if pool is None or pool.pid is None:
        pool = start_pool(workers)
    try:
        with display if display is not None else contextlib.nullcontext():
            return _collect(items, output, rules, workers, progress, pool, started, review)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _import_shared() -> None:
    """What both this process (writing the 汇总) and the child reading the one file import, imported
    once before the fork instead of once in each (~15 ms of CPU): lxml (the pre-flight parses with
    it, openpyxl writes with it), pickle (the outcome crosses the pipe) and the registered kinds."""
    try:
        import pickle  # noqa: F401
        import lxml.etree  # noqa: F401

        from evaltool.core.kinds import kinds

        kinds()
    except Exception:  # noqa: BLE001 - only a head start: whoever needs them imports them again
        pass


class _ForkedOne:
    """One file read in a child forked for it before any thread starts: what a run of one file
    needs, without a pool (and without importing multiprocessing). The child sends its outcome,
    pickled, through a pipe; if it dies, the file is read as any crashed file is (_isolated)."""

    def __init__(self, pair: tuple[str, str], rules: str | None, review: bool = False):
        self.pair, self.rules, self.review = pair, rules, review
        self.pid: int | None = None
        self.fd: int | None = None
        try:
            read_fd, write_fd = os.pipe()
            pid = os.fork()
        except OSError:
            return  # (pid None: the caller starts a pool instead)
        if pid == 0:  # the child: read the file, send the outcome, leave without running anything else
            code = 1
            try:
                os.close(read_fd)
                import pickle

                data = pickle.dumps(process_chunk([pair], rules, "calamine", added(), review)[0])
                with os.fdopen(write_fd, "wb") as fh:
                    fh.write(data)
                code = 0
            finally:
                os._exit(code)
        os.close(write_fd)
        self.pid, self.fd = pid, read_fd

    def outcomes(self) -> Iterator[FileOutcome]:
        import pickle

        assert self.fd is not None and self.pid is not None
        with os.fdopen(self.fd, "rb") as fh:
            self.fd = None
            data = fh.read()
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        outcome = None
        if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0 and data:
            try:
                outcome = pickle.loads(data)
            except Exception:  # noqa: BLE001 - a truncated message: read again, as a crashed file is
                outcome = None
        yield outcome if isinstance(outcome, FileOutcome) else _isolated(self.pair, self.rules, self.review)

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        if self.fd is not None:  # not read (the run failed): the child's write ends, and so does it
            os.close(self.fd)
            self.fd = None
        if self.pid is not None:
            try:
                os.waitpid(self.pid, 0)
            except ChildProcessError:
                pass
            self.pid = None


def _collect(items: list[tuple[Path, str]], output: Path, rules: str | None, workers: int,
             progress: Progress | None, pool: Any, started: float, review: bool = False) -> CollectSummary:
    from evaltool.collect.output import counts_in_totals

    summary = CollectSummary(output=str(output), files=len(items))
    rows: list[dict] = []
    grades: Counter = Counter()
    if progress:
        progress(0, len(items), "")
    # openpyxl takes a moment to import; do it while the workers read.
    if "numpy" not in sys.modules:
        # The 汇总 does no linear algebra: without this, numpy's OpenBLAS starts a thread per core
        # that spins for a while (~0.1 s of CPU taken from the workers reading the files).
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    importer = threading.Thread(target=_import_writer, daemon=True)
    importer.start()
    # Findings are written into the output's 问题清单 sheet as they arrive, while the workers read;
    # until openpyxl has been imported (in the background) they wait in a short list.
    writer = None
    waiting: list[tuple] = []
    try:
        outcomes = (pool.outcomes() if isinstance(pool, _ForkedOne)
                    else iter_outcomes(items, rules, workers, pool=pool, review=review))
        for done, outcome in enumerate(outcomes, start=1):
            if outcome.earlier_summary:
                (summary.public_copies if outcome.public_copy else summary.earlier_summaries).append(outcome.file)
            elif outcome.not_summarised:
                summary.not_summarised.append((outcome.file, outcome.not_summarised))
            elif outcome.problem:
                summary.unreadable.append((outcome.file, outcome.problem))
            else:
                summary.read += 1
            if outcome.macro:
                summary.macro_files.append(outcome.file)
            for row in outcome.rows:
                rows.append(row)
                # a kind without grades (运行监控表) is not in the grade count, nor a form kept out
                # of the totals (绩效目标表, 部门整体: as 图表 counts them)
                if "等次" in row and counts_in_totals(row):
                    grades[row.get("等次") or "无法计分"] += 1
                summary.errors += row.get("错误数") or 0
                summary.warnings += row.get("警告数") or 0
                summary.projects_with_errors += bool(row.get("错误数"))
            if outcome.findings:
                waiting.extend(outcome.findings)
                if writer is None and (not importer.is_alive() or len(waiting) > WAITING_MAX):
                    writer = _start_writer(importer)
                if writer is not None:
                    writer.add_findings(waiting)
                    waiting.clear()
            if progress:
                progress(done, len(items), outcome.file)
        summary.projects = len(rows)
        if writer is None:
            writer = _start_writer(importer)
        dups = duplicate_findings(rows)
        summary.duplicates = len(dups)
        writer.add_findings(waiting + dups)
        from evaltool.collect.output import UNGRADED, grade_names

        summary.grade_names = grade_names(grades, rules)
        summary.grades = {g: grades[g] for g in summary.grade_names + (UNGRADED,) if grades[g]}
        if progress:
            progress(len(items), len(items), "正在写入汇总工作簿……")
        extra = None
        if review:
            from evaltool.collect.review import build_review

            pack = build_review(rows, rules)  # rules: the bureau's 复核结论 choices
            summary.review = pack.as_dict()
            extra = pack.write
        writer.finish(output, rows, summary, extra)
    except BaseException:
        if writer is not None:
            writer.discard()  # no half-written sheets left behind, no noise when they are dropped
        raise
    summary.seconds = time.perf_counter() - started
    return summary


OUTPUT_SHEETS = SUMMARY_SHEETS
DEFAULT_OUTPUT = "汇总.xlsx"


def unused_output(path: str | os.PathLike) -> Path:
    """Where a 汇总 goes when the clerk named no output file: the default name, or — when a file of
    that name is there already (last week's 汇总, which someone may have annotated) — the first free
    汇总(2).xlsx, 汇总(3).xlsx …, as Windows names a second download. The old file is kept as it is."""
    path = Path(path)
    n = 1
    target = path
    while target.exists() or target.is_symlink():
        n += 1
        target = path.with_name(f"{path.stem}({n}){path.suffix}")
    return target


SUMMARY_PURPOSE = "汇总"


def _refuse_foreign_output(output: Path) -> None:
    """Only an earlier 汇总 evaltool wrote, unchanged since, may be replaced (core/provenance): a
    clerk's workbook that carries the output's name, or a 汇总 whose 复核意见 the bureau has typed
    (saved in Excel/WPS), must never be overwritten."""
    from evaltool.core import provenance

    if output.exists() and not provenance.is_own(output, SUMMARY_PURPOSE):
        raise InputError(f"“{output}”已存在，且不是 evaltool 生成的汇总表（或是别人的工作簿，或生成后在 Excel/WPS 中"
                         "修改保存过，例如已填写复核意见）。为免覆盖其中的内容，evaltool 没有改动它；"
                         "请换一个输出文件名（例如 -o 汇总2.xlsx），或先把该文件移走。")
    provenance.claim(output, SUMMARY_PURPOSE)


def duplicate_findings(rows: list[dict]) -> list[tuple]:
    """The same project (单位, 项目名称, 年度) sent more than once: every copy after the first."""
    from evaltool.core.names import name_key

    first: dict[tuple, dict] = {}
    out = []
    for row in rows:
        if not row.get("项目"):
            continue
        # compared as one name whatever the brackets' width or the spaces (core/names, S62)
        key = (name_key(row.get("单位")), name_key(row["项目"]), name_key(row.get("年度")),
               row.get("类型"))  # a project's 目标表, 运行监控表 and 自评表 are no duplicates
        if key in first:
            seen = first[key]
            out.append((row["文件"], row.get("工作表") or "", "", "警告",
                        f"与“{seen['文件']}”工作表“{seen.get('工作表') or ''}”中的项目重复（实施单位、项目名称、"
                        "年度相同），汇总表中两行都已列出；请确认是否重复提交。", "W-DUPLICATE", row["项目"]))
        else:
            first[key] = row
    return out


def _import_writer() -> None:
    # openpyxl imports numpy when it can (~0.15 s of CPU) only to recognise numpy numbers, and the
    # 汇总 writes none: where nothing has imported numpy yet, openpyxl is imported without it (numpy
    # stays importable afterwards).
    block = "numpy" not in sys.modules and "openpyxl" not in sys.modules
    if block:
        sys.modules["numpy"] = None  # type: ignore[assignment]
    try:
        import evaltool.collect.output  # noqa: F401
        import openpyxl.chart  # noqa: F401
        import openpyxl.writer.excel  # noqa: F401
    except Exception:  # noqa: BLE001 - the real import after the join reports any problem
        pass
    finally:
        if block and sys.modules.get("numpy", 0) is None:
            del sys.modules["numpy"]


def _start_writer(warm: threading.Thread):
    warm.join()
    from evaltool.collect.output import CollectionWriter

    return CollectionWriter()


def collect_folder(folder: str | os.PathLike, output: str | os.PathLike | None = None,
                   progress: Progress | None = None, workers: int | None = None) -> CollectSummary:
    """The 汇总 button: every workbook in `folder` (recursively) into `output`
    (default: 汇总.xlsx inside the folder, or 汇总(2).xlsx … when one is there: never replaced; later
    runs skip them as inputs).

    Returns a CollectSummary; summary.message() is a one-paragraph Chinese result for a message box.
    Raises InputError (Chinese message) when the folder holds no workbook at all."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"请选择一个文件夹：{folder} 不是文件夹。")
    return collect([folder], output or unused_output(folder / DEFAULT_OUTPUT), progress=progress, workers=workers)
