"""The fuzz suite (issue 12): damaged containers, hostile cell content, hostile case files and
reports, run through every command in-process. Every run must end with exit code 0, 1 or 2, print
no traceback and no English exception name, leave its input's bytes unchanged when it fails (and
whenever it only reads), stay within a time bound, and `check` and `collect` must give each file the
same verdict (read or refused).

A CI-sized, seeded sample always runs; EVALTOOL_FUZZ_FULL=1 runs the full set (with gen.bombs) and, with
EVALTOOL_FUZZ_REPORT=path, writes its counts to path.<test>.json; tests/fuzz/summary.py path adds them up.
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import re
import time
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from evaltool import cli
from fuzz import gen

FULL = bool(os.environ.get("EVALTOOL_FUZZ_FULL"))
SEED = 20261203
# Far above what any input takes on an idle machine (the 10 s bound is measured by the benchmark
# and the closing note); this catches runaway work without making CI flaky on a shared machine.
RUN_SECONDS = 60 if FULL else 40
# The bounds of issue 12 (any command, any input of at most 10 MB): counted in the report; the full
# set also fails on them (the CI sample, on shared runners, only on RUN_SECONDS).
BOUND_SECONDS, BOUND_BYTES = 10.0, 1024 ** 3
ENGLISH = re.compile(r"Traceback|\b[A-Z][A-Za-z]*(?:Error|Exception|Warning)\b|\bErrno\b|File \"")
CASE = next((Path(__file__).parent / "cases").glob("seed000-*.yaml"))


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz-base")
    book = folder / "基础.xlsx"
    runner = CliRunner()
    assert runner.invoke(cli.main, ["new", "--from", str(CASE), "-o", str(book)]).exit_code in (0, 1)  # 1: the form has errors (seed000)
    report = folder / "基础-报告.docx"
    assert runner.invoke(cli.main, ["report", str(book), "-o", str(report)]).exit_code in (0, 1)
    return {"xlsx": book.read_bytes(), "docx": report.read_bytes(), "yaml": CASE.read_text("utf-8")}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else ""


def _rss(pid: int | str = "self", tree: bool = False) -> int:
    """Resident memory of a process (with tree: summed over it and all its descendants)."""
    try:
        with open(f"/proc/{pid}/statm") as fh:
            total = int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        if tree:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as fh:
                    total += sum(_rss(child, True) for child in fh.read().split())
    except (OSError, ValueError):
        return 0
    return total


class PeakRss:
    """Peak resident memory of this process while a command runs (sampled every 10 ms): the test
    process's own memory is included, so the figure is an upper bound of what the command needs."""

    def __init__(self, tree: bool = False):
        import threading

        self.tree = tree
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, _rss(tree=self.tree))
            self._stop.wait(0.01)

    def __enter__(self):
        self.peak = _rss()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss())


class Tally:
    def __init__(self):
        self.counts: Counter = Counter()
        self.violations: list[str] = []
        self.slowest = (0.0, "")
        self.per_command: dict[str, dict] = {}

    def run(self, args: list[str], inputs: list[Path], label: str, reads_only: bool = True) -> int:
        before = {p: _sha(p) for p in inputs}
        started = time.perf_counter()
        with PeakRss() as mem:
            res = CliRunner().invoke(cli.main, [str(a) for a in args])
        took = time.perf_counter() - started
        out = res.output or ""
        self.counts["runs"] += 1
        self.counts[f"exit {res.exit_code}"] += 1
        if took > self.slowest[0]:
            self.slowest = (took, label)
        command = str(args[0]) + (" -o" if str(args[0]) == "score" and "-o" in map(str, args) else "")
        stats = self.per_command.setdefault(command, {"runs": 0, "max_seconds": 0.0, "max_seconds_input": "",
                                                      "max_rss_mb": 0, "max_rss_input": ""})
        stats["runs"] += 1
        if took > stats["max_seconds"]:
            stats["max_seconds"], stats["max_seconds_input"] = round(took, 2), label
        if mem.peak / 2**20 > stats["max_rss_mb"]:
            stats["max_rss_mb"], stats["max_rss_input"] = round(mem.peak / 2**20), label
        if took > BOUND_SECONDS:
            self.counts["over 10 s"] += 1
            if FULL:
                self.violations.append(f"{label}: took {took:.1f} s (bound {BOUND_SECONDS:.0f} s)")
        if mem.peak > BOUND_BYTES:
            self.counts["over 1 GB"] += 1
            self.violations.append(f"{label}: peak memory {mem.peak / 2**20:.0f} MB")
        if res.exit_code not in (0, 1, 2):
            self.violations.append(f"{label}: exit {res.exit_code} {out[-300:]!r} {res.exception!r}")
            self.counts["bad exit"] += 1
        if ENGLISH.search(out) or res.exception is not None and not isinstance(res.exception, SystemExit):
            self.violations.append(f"{label}: English/traceback in output {out[-300:]!r} {res.exception!r}")
            self.counts["traceback or English"] += 1
        changed = [p for p in inputs if _sha(p) != before[p]]
        if changed and (reads_only or res.exit_code not in (0, 1)):
            self.violations.append(f"{label}: input changed {changed}")
            self.counts["input changed on failure"] += 1
        if "没有被修改" in out and changed:
            self.violations.append(f"{label}: said 没有被修改 but the file changed")
            self.counts["false 没有被修改"] += 1
        if took > RUN_SECONDS:
            self.violations.append(f"{label}: took {took:.1f} s")
            self.counts["over the time bound"] += 1
        return res.exit_code


def _sample(items: list, n: int, rng: random.Random) -> list:
    return items if FULL or len(items) <= n else rng.sample(items, n)


def _record(name: str, tally: Tally) -> None:
    path = os.environ.get("EVALTOOL_FUZZ_REPORT")
    if not path:
        return
    # One file per test (pytest -n runs them side by side): <path>.<name>.json
    out = Path(f"{path}.{re.sub(r'[^0-9A-Za-z]+', '_', name)}.json")
    zero = {k: 0 for k in ("bad exit", "traceback or English", "input changed on failure", "false 没有被修改",
                           "over the time bound", "over 10 s", "over 1 GB", "check/collect verdicts differ")}
    out.write_text(json.dumps({name: {**zero, **tally.counts, "slowest_seconds": round(tally.slowest[0], 2),
                                      "slowest": tally.slowest[1], "per_command": tally.per_command,
                                      "violations": tally.violations[:50]}},
                              ensure_ascii=False, indent=2), "utf-8")


SHARDS = 4 if FULL else 1  # the full set in parallel-able parts (pytest -n), each with its own 汇总


@pytest.mark.parametrize("shard", range(SHARDS))
def test_damaged_and_hostile_workbooks_through_every_command(base, tmp_path, shard):
    rng = random.Random(SEED)
    inputs = gen.containers(base["xlsx"], rng, FULL) + gen.hostile_cells(base["xlsx"], rng, FULL)
    inputs = _sample(inputs, 16, rng)
    if FULL:
        inputs += gen.bombs(base["xlsx"], FULL)
    inputs = inputs[shard::SHARDS]
    folder = tmp_path / "收件"
    folder.mkdir()
    tally = Tally()
    verdict_check: dict[str, bool] = {}
    for i, (name, data) in enumerate(inputs):
        name = f"{i:04d}-{name}"
        path = folder / name
        path.write_bytes(data)
        code = tally.run(["check", path], [path], f"check {name}")
        verdict_check[name] = code == 2
        work = tmp_path / "work" / name
        work.parent.mkdir(exist_ok=True)
        work.write_bytes(data)
        tally.run(["score", work], [work], f"score {name}", reads_only=False)
        tally.run(["score", path, "-o", tmp_path / f"{i}-out.xlsx"], [path], f"score -o {name}")
        if code != 2:  # what cannot be read fails the same way in every command; the rest goes further
            tally.run(["export", path, "-o", tmp_path / f"{i}.yaml"], [path], f"export {name}")
            tally.run(["report", path, "-o", tmp_path / f"{i}.docx"], [path], f"report {name}")
    out = tmp_path / "汇总.xlsx"
    from evaltool.collect import collect

    before = {p: _sha(p) for p in folder.iterdir()}
    started = time.perf_counter()
    with PeakRss(tree=True) as mem:  # the worker processes too
        summary = collect([folder], out, workers=2)
    tally.counts["collect seconds"] = round(time.perf_counter() - started, 1)
    tally.per_command["collect (whole folder, 2 workers)"] = {
        "runs": 1, "files": len(verdict_check), "seconds": tally.counts["collect seconds"],
        "max_rss_mb_all_processes": round(mem.peak / 2**20)}
    if mem.peak > BOUND_BYTES:
        tally.counts["over 1 GB"] += 1
        tally.violations.append(f"collect: peak memory {mem.peak / 2**20:.0f} MB")
    assert {p: _sha(p) for p in folder.iterdir()} == before
    refused_by_collect = {f for f, _ in summary.unreadable} | set(summary.earlier_summaries)
    for name, refused in verdict_check.items():
        tally.counts["files"] += 1
        tally.counts["refused" if refused else "read"] += 1
        if refused != (name in refused_by_collect):
            tally.violations.append(f"verdict differs for {name}: check refused={refused}, collect refused="
                                    f"{name in refused_by_collect}")
            tally.counts["check/collect verdicts differ"] += 1
    for _, reason in summary.unreadable:
        if ENGLISH.search(reason):
            tally.violations.append(f"collect reason in English: {reason}")
            tally.counts["traceback or English"] += 1
    _record(f"workbooks (part {shard + 1} of {SHARDS})", tally)
    assert not tally.violations, "\n".join(tally.violations[:20])


def test_hostile_case_files_through_every_command(base, tmp_path):
    rng = random.Random(SEED + 1)
    inputs = gen.hostile_yaml(base["yaml"], rng, FULL)
    tally = Tally()
    for i, (name, data) in enumerate(inputs):
        path = tmp_path / f"{i:03d}-{name}"
        path.write_bytes(data)
        tally.run(["check", path], [path], f"check {name}")
        tally.run(["score", path], [path], f"score {name}")
        tally.run(["report", path, "-o", tmp_path / f"{i}.docx"], [path], f"report {name}")
        tally.run(["new", "--from", path, "-o", tmp_path / f"{i}-new.xlsx"], [path], f"new --from {name}")
    _record("case files", tally)
    assert not tally.violations, "\n".join(tally.violations[:20])


def test_hostile_reports_and_workbooks_through_check_report(base, tmp_path):
    rng = random.Random(SEED + 2)
    book = tmp_path / "表.xlsx"
    book.write_bytes(base["xlsx"])
    good = tmp_path / "好报告.docx"
    good.write_bytes(base["docx"])
    tally = Tally()
    for i, (name, data) in enumerate(gen.hostile_reports(base["docx"], rng, FULL)):
        path = tmp_path / f"{i:03d}-{name}"
        path.write_bytes(data)
        tally.run(["check-report", path, book], [path, book], f"check-report {name}")
    books = _sample(gen.containers(base["xlsx"], rng, FULL) + gen.hostile_cells(base["xlsx"], rng, FULL), 6, rng)
    for i, (name, data) in enumerate(books):
        path = tmp_path / f"b{i:03d}-{name}"
        path.write_bytes(data)
        tally.run(["check-report", good, path], [good, path], f"check-report (workbook) {name}")
    _record("check-report", tally)
    assert not tally.violations, "\n".join(tally.violations[:20])
