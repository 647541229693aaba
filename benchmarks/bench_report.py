"""Time to generate one 绩效评价报告 (.docx), against python-docx writing a blank document.

    python benchmarks/bench_report.py [--runs 30] [--case tests/cases/seed003-信息化项目建设.yaml]

Baseline and subject run in this one process, one after the other, the same number of times:
  baseline  python-docx: Document() + one empty paragraph + save (the least any .docx costs)
  subject   write_report for the scored seed case (markup, narrative, 附表 tables, save)
Each line gives median and best of the runs, in CPU time (this process) and wall time, and the
ratio of the medians to the baseline's. Ratios mean the same on any machine; wall time on a shared
machine is noisy, CPU time less so. Also shown: the report when the process has not yet made one
(the one-time document set-up included, imports excluded), score + report, and check-report.
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


def timed(fn, runs: int, before=None) -> tuple[list[float], list[float]]:
    fn()  # warm-up: imports, template compilation caches
    cpu, wall = [], []
    for _ in range(runs):
        if before is not None:
            before()
        c0, w0 = time.process_time(), time.perf_counter()
        fn()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    return cpu, wall


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--case", default=str(ROOT / "tests" / "cases" / "seed003-信息化项目建设.yaml"))
    args = parser.parse_args()

    import docx

    from evaltool.cli import evaluate_all, load_projects
    from evaltool.report import docx_writer
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

        rows = [("baseline: python-docx blank document", timed(baseline, args.runs)),
                ("subject: report from scored project", timed(generate, args.runs)),
                ("report, first in its process", timed(generate, args.runs, before=getattr(docx_writer, "_PREPARED", []).clear)),
                ("load + score + report", timed(score_and_generate, args.runs)),
                ("check-report (read back + check)", timed(check, args.runs))]
        paragraphs = len(docx.Document(str(report)).paragraphs)

    base_cpu, base_wall = (statistics.median(x) for x in rows[0][1])
    print(f"case: {Path(args.case).name}  runs: {args.runs} each  processes: 1 (baseline and subject alike)  "
          f"report paragraphs: {paragraphs}")
    for name, (cpu, wall) in rows:
        mc, mw = statistics.median(cpu), statistics.median(wall)
        print(f"{name:38s} CPU median {mc * 1000:6.1f} ms best {min(cpu) * 1000:6.1f} ms | "
              f"wall median {mw * 1000:6.1f} ms best {min(wall) * 1000:6.1f} ms | "
              f"ratio CPU {mc / base_cpu:4.2f}× wall {mw / base_wall:4.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
