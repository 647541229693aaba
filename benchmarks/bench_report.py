"""Median time to generate one 绩效评价报告 (.docx), against python-docx writing a blank document.

    python benchmarks/bench_report.py [--runs 30]

Reported as a ratio to the baseline measured in the same run, so it means the same on any machine.
Also times the consistency check of the generated report (read back + check_texts).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def timed(fn, runs: int) -> list[float]:
    fn()  # warm-up: imports, template compilation caches
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--case", default=str(ROOT / "tests" / "cases" / "seed003-信息化项目建设.yaml"))
    args = parser.parse_args()

    import docx

    from evaltool.cli import evaluate_all, load_projects
    from evaltool.report.consistency import check_texts
    from evaltool.report.generate import write_report
    from evaltool.report.reading import read_report_texts

    (project, result), = evaluate_all(load_projects(args.case))
    with tempfile.TemporaryDirectory() as tmp:
        blank = Path(tmp) / "blank.docx"
        report = Path(tmp) / "report.docx"

        def baseline():
            doc = docx.Document()
            doc.add_paragraph("")
            doc.save(str(blank))

        def generate():
            write_report(project, result, report)

        def score_and_generate():
            (p, r), = evaluate_all(load_projects(args.case))
            write_report(p, r, report)

        def check():
            texts, locations = read_report_texts(report)
            check_texts(project, result, texts, locations)

        base = timed(baseline, args.runs)
        gen = timed(generate, args.runs)
        full = timed(score_and_generate, args.runs)
        chk = timed(check, args.runs)
        pages = len(docx.Document(str(report)).paragraphs)

    b = statistics.median(base)
    rows = [("python-docx blank document (baseline)", b), ("report from scored project", statistics.median(gen)),
            ("load + score + report", statistics.median(full)), ("check-report (read back + check)", statistics.median(chk))]
    print(f"case: {Path(args.case).name}  runs: {args.runs}  report paragraphs: {pages}")
    for name, med in rows:
        print(f"{name:40s} median {med * 1000:8.1f} ms   {med / b:6.1f}× baseline")
    return 0


if __name__ == "__main__":
    sys.exit(main())
