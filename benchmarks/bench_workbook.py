"""Time `evaltool score` on one filled 自评表 workbook against the floor of any openpyxl tool: loading
the same file and saving it unchanged. Both measured in the same run, reported as a ratio.

    python benchmarks/bench_workbook.py [--runs 20] [--rows 200]

Stages timed separately (median of runs): read (check + load values + grids), map (pure
projects_from_grids), score (core), writes (pure cell_writes + results sheet), write (load with
formulas, apply, atomic save). Target: whole score ÷ (openpyxl load + save) ≤ 2.5 — score must load
twice (cached values for reading, formulas kept for writing), so 2 is the natural floor.
--rows adds indicator rows to see how it scales (a real form has 10–30).
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def make_book(folder: Path, rows: int) -> Path:
    from evaltool.core.caseio import load_case
    from evaltool.core.model import Indicator
    from evaltool.kinds.selfeval.template import build_workbook
    from evaltool.workbook.template import atomic_write_bytes, deterministic_bytes

    case = next((ROOT / "tests" / "cases").glob("seed002-电子政务各项专项经费.yaml"))
    p = load_case(case)
    base = list(p.indicators)
    while len(p.indicators) < rows:
        src = base[len(p.indicators) % len(base)]
        p.indicators.append(Indicator(src.level1, src.level2, f"{src.level3}-{len(p.indicators)}", src.target,
                                      src.actual, src.weight))
    path = folder / "book.xlsx"
    atomic_write_bytes(path, deterministic_bytes(build_workbook(p)))
    return path


def median_time(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--rows", type=int, default=10)
    args = ap.parse_args()

    import openpyxl

    from evaltool.workbook import xlsx_engine
    from evaltool.workbook.workbook_cli import evaluate_projects, score_and_write
    from evaltool.workbook.reader import projects_from_grids
    from evaltool.workbook.writer import cell_writes, results_sheet

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        book = make_book(folder, args.rows)
        score_and_write(book, book)  # a scored workbook, as on the second click
        work = folder / "work.xlsx"
        shutil.copy(book, work)

        def baseline():
            openpyxl.load_workbook(work).save(folder / "plain.xlsx")

        grids = xlsx_engine.read_grids(work)
        projects = projects_from_grids(grids)
        results = evaluate_projects(projects)
        writes = [w for p, r in results for w in cell_writes(p, r)]
        sheet = results_sheet(results)
        stages = {
            "read": lambda: xlsx_engine.read_grids(work),
            "map": lambda: projects_from_grids(grids),
            "score": lambda: evaluate_projects(projects_from_grids(grids)),
            "writes": lambda: ([w for p, r in results for w in cell_writes(p, r)], results_sheet(results)),
            "write": lambda: xlsx_engine.write_results_file(work, work, writes, sheet),
        }
        base = median_time(baseline, args.runs)
        whole = median_time(lambda: score_and_write(work, work), args.runs)
        print(f"workbook: {args.rows} indicator rows, {book.stat().st_size // 1024} KB; median of {args.runs} runs")
        print(f"baseline  openpyxl load + save          {base * 1000:8.1f} ms   1.00")
        for name, fn in stages.items():
            t = median_time(fn, args.runs)
            print(f"stage     {name:<30}{t * 1000:8.1f} ms   {t / base:.2f}")
        print(f"evaltool  score (read, score, write)    {whole * 1000:8.1f} ms   {whole / base:.2f}  (target ≤ 2.5)")
        tracemalloc.start()
        score_and_write(work, work)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        tracemalloc.start()
        baseline()
        _, peak_base = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"peak Python memory: score {peak / 1e6:.1f} MB, baseline {peak_base / 1e6:.1f} MB, "
              f"ratio {peak / peak_base:.2f}")


if __name__ == "__main__":
    main()
