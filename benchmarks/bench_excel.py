"""A ribbon press (计分 / 校验) through xlwings' remote engine, at 10, 100 and 1,000 indicator rows.

    python benchmarks/bench_excel.py [--runs 5] [--action score|check]

Counts every call on the remote engine's objects (each object made, method called, property read
or set, on every class of xlwings/pro/_xlremote.py): on desktop Excel each is a round trip (1–5 ms
over COM). Baseline: the bulk read alone (read_grids: one used_range read per sheet), the least
any press costs. Subject: the whole press (read, score, write values/looks/notes, 校验结果).
One process; CPU (process_time) and wall, median of --runs; ratio of the medians to the baseline.
"""
from __future__ import annotations

import argparse
import collections
import contextlib
import copy
import decimal
import functools
import inspect
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")  # the remote engine's free licence, as in tests


@contextlib.contextmanager
def remote_calls():
    import xlwings.pro._xlremote as remote

    counts: collections.Counter = collections.Counter()
    saved = []

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
        if inspect.isclass(cls) and cls.__module__ == remote.__name__:
            for name, attr in list(vars(cls).items()):
                if name.startswith("__") and name not in kept:
                    continue
                key = f"{cname}.{name}"
                if isinstance(attr, property):
                    new = property(counted(attr.fget, key), counted(attr.fset, key), counted(attr.fdel, key))
                elif inspect.isfunction(attr):
                    new = counted(attr, key)
                else:
                    continue
                saved.append((cls, name, attr))
                setattr(cls, name, new)
    try:
        yield counts
    finally:
        for cls, name, attr in saved:
            setattr(cls, name, attr)


def scaled(project, n: int):
    """The project with n indicator rows in the national 50/30/10 split (as tests/test_excel.py)."""
    from evaltool.core.model import Indicator

    p = copy.deepcopy(project)
    kinds = [("产出指标", "数量指标", "≥10次", "10次", 50), ("效益指标", "社会效益指标", "≥90%", "95%", 30),
             ("满意度指标", "服务对象满意度指标", "≥90%", "96%", 10)]
    shares = {"产出指标": n // 2, "效益指标": n * 3 // 10, "满意度指标": n - n // 2 - n * 3 // 10}
    p.indicators = [Indicator(level1=l1, level2=l2, level3=f"{l2}{i + 1}", target=t, actual=a,
                              weight=decimal.Decimal(w) / shares[l1])
                    for l1, l2, t, a, w in kinds for i in range(shares[l1])]
    return p


def payload(grids, name: str) -> dict:
    import xlwings as xw

    def value(v):
        if v is None:
            return ""
        return float(v) if isinstance(v, decimal.Decimal) else v.isoformat() if hasattr(v, "isoformat") else v

    sheets = []
    for g in grids:
        width = max(g.ncols, 1)
        rows = [[value(v) for v in list(r) + [None] * (width - len(r))] for r in g.values] or [[""]]
        sheets.append({"name": g.sheet, "values": rows, "pictures": [], "tables": [], "notes": []})
    return {"client": "Office.js", "version": xw.__version__,
            "book": {"name": name, "active_sheet_index": 0, "selection": "A1"}, "names": [], "sheets": sheets}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--action", choices=("score", "check"), default="score")
    args = parser.parse_args()

    import xlwings as xw

    from evaltool.core.caseio import load_case
    from evaltool.excel import entry, xlwings_engine
    from evaltool.kinds.selfeval.template import build_workbook
    from evaltool.workbook import template, xlsx_engine

    base = load_case(ROOT / "tests" / "cases" / "seed000-政府网站及政务新媒体日常安全运维.yaml")
    tmp = Path(tempfile.mkdtemp(prefix="evaltool-bench-excel-"))
    entry.LOG_DIR = tmp / "log"
    print(f"press: {args.action}  engine: xlwings remote (xw.Book(json=...))  processes: 1  runs: {args.runs} each")
    for n in (10, 100, 1000):
        src = tmp / f"n{n}.xlsx"
        src.write_bytes(template.deterministic_bytes(build_workbook(scaled(base, n))))
        grids = xlsx_engine.read_grids(src)
        merges = {g.sheet: g.merged for g in grids}
        xlwings_engine.merged_ranges = lambda sheet, values, m=merges: m.get(sheet.name, [])  # as COM reports them
        data = payload(grids, src.name)
        results = {}
        for label, fn in (("baseline: bulk read", lambda b: xlwings_engine.read_grids(b)),
                          (f"subject: {args.action} press", lambda b: getattr(entry, args.action)(book=b))):
            cpu, wall, calls = [], [], 0
            for _ in range(args.runs + 1):
                book = xw.Book(json=copy.deepcopy(data))
                with remote_calls() as counts:
                    c0, w0 = time.process_time(), time.perf_counter()
                    fn(book)
                    cpu.append(time.process_time() - c0)
                    wall.append(time.perf_counter() - w0)
                calls = sum(counts.values())
                actions = len(book.json()["actions"])
            results[label] = (statistics.median(cpu[1:]), min(cpu[1:]), statistics.median(wall[1:]), min(wall[1:]),
                              calls, actions)
        b = results["baseline: bulk read"]
        for label, (mc, bc, mw, bw, calls, actions) in results.items():
            print(f"{n:5d} rows  {label:22s} engine calls {calls:6d}  write actions {actions:3d} | "
                  f"CPU median {mc * 1000:7.1f} ms best {bc * 1000:7.1f} ms | wall median {mw * 1000:7.1f} ms "
                  f"best {bw * 1000:7.1f} ms | ratio CPU {mc / b[0]:5.2f}× wall {mw / b[2]:5.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
