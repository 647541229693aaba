"""`evaltool score` in place against openpyxl load + save of the same workbook (issue 14 item 1).

    python benchmarks/bench_score.py [--runs 7] [--rows 10 100 1000]
    EVALTOOL_CODE=/work/main python benchmarks/bench_score.py     # the same measurement on other code

Baseline: openpyxl.load_workbook(book).save(copy) — the floor of any tool that rewrites the file
through openpyxl. Subject: score_and_write(book, book) — read the values, score, write the results
into the same file (what `evaltool score 表.xlsx` does, without printing). Same workbook (a filled
template with N indicator rows, already scored once, as on the second click), same process, one
process each (no pool), measured alternately; best of --runs, CPU (process_time) and wall
(perf_counter). Prints both and their ratio per row count.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODE = Path(os.environ.get("EVALTOOL_CODE", str(ROOT))).resolve()
sys.path.insert(0, str(CODE))


def make_book(folder: Path, rows: int) -> Path:
    from evaltool.core.caseio import load_case
    from evaltool.core.fileio import atomic_write_bytes
    from evaltool.core.model import Indicator
    from evaltool.kinds.selfeval.template import build_workbook
    from evaltool.workbook.template import deterministic_bytes

    p = load_case(ROOT / "tests" / "cases" / "seed002-电子政务各项专项经费.yaml")
    base = list(p.indicators)
    while len(p.indicators) < rows:
        src = base[len(p.indicators) % len(base)]
        p.indicators.append(Indicator(src.level1, src.level2, f"{src.level3}-{len(p.indicators)}", src.target,
                                      src.actual, src.weight))
    del p.indicators[rows:]
    path = folder / f"book{rows}.xlsx"
    atomic_write_bytes(path, deterministic_bytes(build_workbook(p)))
    return path


def best(fn, prepare, runs: int) -> tuple[float, float]:
    """(best CPU seconds, best wall seconds) of fn over runs, prepare() untimed before each."""
    cpu, wall = [], []
    for _ in range(runs):
        prepare()
        c, w = time.process_time(), time.perf_counter()
        fn()
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
    return min(cpu), min(wall)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--rows", type=int, nargs="+", default=[10, 100, 1000])
    args = ap.parse_args()

    import openpyxl

    try:
        from evaltool.workbook.workbook_cli import score_and_write
    except ImportError:  # code from before the issue-13 renames
        from evaltool.workbook.commands import score_and_write

    print(f"code: {CODE}   processes: 1 (baseline and subject alike)   best of {args.runs} runs")
    print(f"{'rows':>5} {'KB':>5} | {'baseline openpyxl load+save':>28} | {'subject evaltool score in place':>32} | "
          f"{'ratio':>11}")
    print(f"{'':>5} {'':>5} | {'CPU ms':>13} {'wall ms':>14} | {'CPU ms':>15} {'wall ms':>16} | {'CPU':>5} {'wall':>5}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for rows in args.rows:
            book = make_book(folder, rows)
            score_and_write(book, book)  # a scored workbook, as on the second click
            work, copy = folder / "work.xlsx", folder / "copy.xlsx"

            def fresh() -> None:
                shutil.copyfile(book, work)

            def baseline() -> None:
                openpyxl.load_workbook(work).save(copy)

            def subject() -> None:
                score_and_write(work, work)

            fresh()
            subject()  # warm-up: imports, rule sets, caches of both paths
            baseline()
            b_cpu = b_wall = s_cpu = s_wall = float("inf")
            for _ in range(2):  # alternate, so drift on a shared machine hits both alike
                c, w = best(baseline, fresh, (args.runs + 1) // 2)
                b_cpu, b_wall = min(b_cpu, c), min(b_wall, w)
                c, w = best(subject, fresh, (args.runs + 1) // 2)
                s_cpu, s_wall = min(s_cpu, c), min(s_wall, w)
            print(f"{rows:>5} {book.stat().st_size // 1024:>5} | {b_cpu * 1000:>13.1f} {b_wall * 1000:>14.1f} | "
                  f"{s_cpu * 1000:>15.1f} {s_wall * 1000:>16.1f} | {s_cpu / b_cpu:>5.2f} {s_wall / b_wall:>5.2f}")


if __name__ == "__main__":
    main()
