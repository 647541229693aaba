"""CPU per file of collect's read path, stage by stage, in one process (time.process_time, best of N
interleaved passes), against python-calamine reading the same bytes.

    python benchmarks/gen_workbooks.py -n 200 -o /tmp/wb200 --no-broken
    python benchmarks/bench_preflight.py /tmp/wb200 [--repeat 3]
    (cp benchmarks/bench_preflight.py OTHER/benchmarks/ and run it there for another checkout)

Stages: read_file (the file's bytes), the pre-flight as collect runs it (preflight(stored=True):
the reading policy's verdict and the stored copy handed to calamine), the same with nothing kept
from earlier files (every part inflated and judged: a folder whose files share no part), the
calamine engine reading the accepted package (read_package), and python-calamine alone reading
every sheet of the original bytes (the floor).
"""
from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    from python_calamine import CalamineWorkbook

    from evaltool.collect import worker as W
    from evaltool.collect.run import find_files
    from evaltool.workbook import container as C

    paths = [p for p, _ in find_files([args.folder])]
    W.warm(False)
    skip = W._unread_sheets()
    datas, packages = [], []
    for p in paths:
        try:
            data = C.read_file(p)
            packages.append(C.preflight(data, p.suffix.lower(), stored=True))
            datas.append((p, data))
        except C.Refused:
            pass

    def read():
        for p, _ in datas:
            C.read_file(p)

    def pre():
        for p, data in datas:
            C.preflight(data, p.suffix.lower(), stored=True)

    def pre_alone():
        for p, data in datas:
            for kept in (getattr(C, "_PARTS", None), getattr(C, "_SEEN", None)):  # (an older tree keeps none)
                if kept is not None:
                    kept.clear()
            C.preflight(data, p.suffix.lower(), stored=True)

    def engine():
        for (_, data), pkg in zip(datas, packages):
            W.read_package(pkg, data, skip)

    def floor():
        for _, data in datas:
            wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
            for i in range(len(wb.sheet_names)):
                wb.get_sheet_by_index(i).to_python()
            wb.close()

    stages = {"read_file": read, "pre-flight (as collect runs it)": pre,
              "pre-flight, nothing kept from earlier files": pre_alone, "calamine engine on the package": engine,
              "baseline: python-calamine alone": floor}
    best = dict.fromkeys(stages, float("inf"))
    for _ in range(args.repeat):
        for name, fn in stages.items():
            t = time.process_time()
            fn()
            best[name] = min(best[name], time.process_time() - t)
    print(f"{len(datas)} files from {args.folder}; 1 process; CPU per file, best of {args.repeat}")
    for name, seconds in best.items():
        ms = seconds * 1000 / max(len(datas), 1)
        print(f"  {name:44s} {ms:7.3f} ms  ({ms / (best['baseline: python-calamine alone'] * 1000 / len(datas)):.2f}× calamine)")


if __name__ == "__main__":
    main()
