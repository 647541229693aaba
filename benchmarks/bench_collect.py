"""Benchmark `evaltool collect` against python-calamine merely reading the same files, at the same
process count, in the same run.

    python benchmarks/bench_collect.py -n 1000 --no-openpyxl --repeat 3   # speed
    python benchmarks/bench_collect.py -n 10000 --small --memory-only   # peak memory

Baseline: python-calamine reads every value of every sheet of every file (nothing else), in P
worker processes. Subject: evaltool collect on the folder, with P worker processes (-j P). Both
at P = 1 and at P = collect's default (all cores); CPU is summed over this process and every
worker, wall is the elapsed time; the ratio of the medians is printed per P. Then: collect's
per-file CPU by stage in one process, a naive openpyxl load (unless --no-openpyxl), and the CLI in
a new process (start-up included) with its peak memory summed over all its processes.
Workbooks are generated (and reused) under /tmp by gen_workbooks.py; every pass reads from a warm
file cache (one untimed read first).
"""
from __future__ import annotations

import argparse
import functools
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import gen_workbooks  # noqa: E402


# ---- the floor and the naive baseline --------------------------------------------------------------
def calamine_read(paths: list[str]) -> int:
    """Read every value of every sheet, nothing else (broken files are skipped)."""
    from python_calamine import CalamineWorkbook

    cells = 0
    for p in paths:
        try:
            wb = CalamineWorkbook.from_path(p)
            for i in range(len(wb.sheet_names)):
                cells += sum(len(r) for r in wb.get_sheet_by_index(i).to_python())
            wb.close()
        except Exception:  # noqa: BLE001
            pass
    return cells


def openpyxl_read(paths: list[str]) -> int:
    """What a simple tool does: openpyxl.load_workbook, then every cell's value."""
    import openpyxl

    cells = 0
    for p in paths:
        try:
            wb = openpyxl.load_workbook(p, data_only=True)
            for ws in wb.worksheets:
                for row in ws.iter_rows(values_only=True):
                    cells += len(row)
        except Exception:  # noqa: BLE001
            pass
    return cells


def parallel(fn, paths: list[str], workers: int) -> int:
    chunks = [paths[i::workers] for i in range(workers)]
    with ProcessPoolExecutor(workers) as pool:
        return sum(pool.map(fn, chunks))


def timed(fn, *args) -> float:
    t = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t


def measured(fn, *args) -> tuple[float, float]:
    """(CPU seconds of this process and of every worker it started and reaped, wall seconds)."""
    c0, k0, w0 = time.process_time(), resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    fn(*args)
    wall = time.perf_counter() - w0
    k1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() - c0 + (k1.ru_utime - k0.ru_utime) + (k1.ru_stime - k0.ru_stime), wall


def med(samples: list[tuple[float, float]]) -> tuple[float, float]:
    import statistics

    return statistics.median(c for c, _ in samples), statistics.median(w for _, w in samples)


def stage_breakdown(paths: list[str], sample: int = 300) -> dict[str, float]:
    """CPU ms per file of each stage of collect's per-file work, in this one process."""
    from evaltool.collect import worker as W
    from evaltool.core.kinds import evaluate
    from evaltool.workbook.evaluate import rule_set_for
    from evaltool.workbook.reader import projects_from_grids

    totals = {"read": 0.0, "pre-flight": 0.0, "calamine→grids": 0.0, "reader": 0.0, "evaluate": 0.0, "row": 0.0}
    n = 0
    skip = W._unread_sheets()
    for p in paths[:sample]:
        tr = time.process_time()
        try:
            data = Path(p).read_bytes()
            t0 = time.process_time()
            pkg = W.preflight(data, Path(p).suffix.lower(), stored=True)  # the reading policy's pre-flight
            t1 = time.process_time()
            grids, _ = W.read_package(pkg, data, skip)
            t2 = time.process_time()
            projects = projects_from_grids(grids)
        except Exception:  # noqa: BLE001 - broken files are not part of the per-stage cost
            continue
        t3 = time.process_time()
        results = [(pr, evaluate(pr, rule_set_for(pr))) for pr in projects]
        t4 = time.process_time()
        for pr, r in results:
            W.project_row(pr, r, p)
        t5 = time.process_time()
        for k, dt in zip(totals, (t0 - tr, t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4)):
            totals[k] += dt
        n += 1
    return {k: v * 1000 / max(n, 1) for k, v in totals.items()}


def preflight_vs_calamine(paths: list[str], repeat: int) -> dict[str, float]:
    """CPU ms per file of the reading policy's pre-flight alone and of python-calamine reading
    every sheet, both on the same bytes in memory, in this one process; interleaved passes, the
    best of each (the pre-flight's share of what the floor costs)."""
    import io

    from python_calamine import CalamineWorkbook

    from evaltool.workbook.container import Refused, preflight

    datas = [(Path(p).read_bytes(), Path(p).suffix.lower()) for p in paths]

    def pre():
        for data, suffix in datas:
            try:
                preflight(data, suffix)
            except Refused:
                pass

    def cal():
        for data, _ in datas:
            try:
                wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
                for i in range(len(wb.sheet_names)):
                    wb.get_sheet_by_index(i).to_python()
                wb.close()
            except Exception:  # noqa: BLE001
                pass

    best = {"pre-flight": float("inf"), "calamine": float("inf")}
    for _ in range(repeat):
        for name, fn in (("pre-flight", pre), ("calamine", cal)):
            t = time.process_time()
            fn()
            best[name] = min(best[name], (time.process_time() - t) * 1000 / len(datas))
    return {"preflight_cpu_ms_per_file": best["pre-flight"], "calamine_read_cpu_ms_per_file": best["calamine"],
            "ratio_preflight_over_calamine": best["pre-flight"] / best["calamine"]}


# ---- memory --------------------------------------------------------------------------------------
class TreeMemory:
    """Peak of (sum of RSS) and (sum of PSS) over a process and all its descendants, sampled."""

    def __init__(self, root: int, interval: float = 0.02):
        self.root, self.interval = root, interval
        self.peak_rss = self.peak_pss = 0
        self.peak_procs = 0
        self.cpu: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    TICK = os.sysconf("SC_CLK_TCK")

    @property
    def cpu_seconds(self) -> float:
        """CPU time (user + system) of every process of the tree, as last seen."""
        return sum(self.cpu.values()) / self.TICK

    def _tree(self) -> list[int]:
        children: dict[int, list[int]] = {}
        ticks: dict[int, int] = {}
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    with open(f"/proc/{d}/stat", "rb") as fh:
                        fields = fh.read().rsplit(b")", 1)[1].split()
                    ppid = int(fields[1])
                    children.setdefault(ppid, []).append(int(d))
                    ticks[int(d)] = int(fields[11]) + int(fields[12])  # utime + stime
                except (OSError, IndexError, ValueError):
                    pass
        out, todo = [], [self.root]
        while todo:
            pid = todo.pop()
            out.append(pid)
            todo.extend(children.get(pid, []))
            if pid in ticks:
                self.cpu[pid] = max(self.cpu.get(pid, 0), ticks[pid])
        return out

    @staticmethod
    def _mem(pid: int) -> tuple[int, int]:
        rss = pss = 0
        try:
            with open(f"/proc/{pid}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Rss:"):
                        rss = int(line.split()[1]) * 1024
                    elif line.startswith("Pss:"):
                        pss = int(line.split()[1]) * 1024
        except OSError:
            pass
        return rss, pss

    def _run(self) -> None:
        while not self._stop.is_set():
            pids = self._tree()
            mems = [self._mem(p) for p in pids]
            self.peak_rss = max(self.peak_rss, sum(m[0] for m in mems))
            self.peak_pss = max(self.peak_pss, sum(m[1] for m in mems))
            self.peak_procs = max(self.peak_procs, len(pids))
            self._stop.wait(self.interval)


def collect_in_subprocess(folder: Path, out: Path, jobs: int | None) -> dict:
    """Run the real CLI as a user would, measuring the whole process tree's memory."""
    cmd = [sys.executable, "-m", "evaltool", "collect", str(folder), "-o", str(out), "--json", "-q"]
    if jobs:
        cmd += ["-j", str(jobs)]
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=str(ROOT))
    with TreeMemory(proc.pid) as mem:
        stdout, stderr = proc.communicate()
    seconds = time.perf_counter() - t
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"collect failed ({proc.returncode}): {stderr.decode()[-2000:]}")
    return {"seconds": seconds, "cpu_seconds": mem.cpu_seconds, "summary": json.loads(stdout),
            "peak_rss_sum": mem.peak_rss,
            "peak_pss_sum": mem.peak_pss, "max_processes": mem.peak_procs,
            "largest_child_maxrss": usage.ru_maxrss * 1024}


# ---- main ----------------------------------------------------------------------------------------
def mb(n: float) -> str:
    return f"{n / 1024 / 1024:.0f} MB"


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=1000, help="number of generated workbooks")
    ap.add_argument("--small", action="store_true", help="minimal workbooks (for the 10,000-file memory run)")
    ap.add_argument("--folder", default=None, help="collect this folder instead of generating one")
    ap.add_argument("-j", "--jobs", type=int, default=None, help="collect's worker processes (default: all cores)")
    ap.add_argument("--repeat", type=int, default=5, help="timed passes; the best is reported")
    ap.add_argument("--no-openpyxl", action="store_true", help="skip the (slow) naive openpyxl baseline")
    ap.add_argument("--memory-only", action="store_true", help="only the subprocess memory run")
    ap.add_argument("--json", dest="json_out", default=None, help="also write the results to this JSON file")
    args = ap.parse_args(argv)

    from evaltool.collect.run import default_workers, find_files
    from evaltool.collect import collect

    folder = Path(args.folder) if args.folder else gen_workbooks.generate(
        args.n, Path(f"/tmp/evaltool-bench/wb{args.n}{'-small' if args.small else ''}"), small=args.small)
    work = Path(tempfile.mkdtemp(prefix="evaltool-bench-out-"))
    paths = [str(p) for p, _ in find_files([folder])]
    workers = args.jobs or default_workers()
    res: dict = {"files": len(paths), "folder": str(folder), "cores": default_workers(), "collect_workers": workers}
    print(f"{len(paths)} files in {folder}; {default_workers()} cores; collect uses {workers} workers")
    calamine_read(paths)  # warm the file cache for every pass below

    if not args.memory_only:
        # The same work at the same process count: baseline and subject each read every file in
        # P worker processes (P = 1 and P = collect's default), CPU summed over all processes.
        # Interleaved passes: a machine shared with other jobs slows passes at random; median and
        # best of each are printed.
        counts = sorted({1, workers})
        rows: dict[tuple[str, int], list[tuple[float, float]]] = {}
        for k in range(args.repeat):
            for procs in counts:
                rows.setdefault(("calamine", procs), []).append(measured(parallel, calamine_read, paths, procs))
                out = work / f"汇总{k}-{procs}.xlsx"
                rows.setdefault(("collect", procs), []).append(measured(collect, [folder], out, None, procs))
        inline = [measured(calamine_read, paths) for _ in range(args.repeat)]
        summary = collect([folder], work / "汇总.xlsx", workers=workers)
        floor = min(w for _, w in inline)
        res["calamine_read_s"] = floor
        res["calamine_read_cpu_s"] = min(c for c, _ in inline)
        res["passes"] = {f"{name}_{procs}": v for (name, procs), v in rows.items()}
        res.update({"projects": summary.projects, "unreadable": len(summary.unreadable)})
        print(f"{'':44s} {'CPU (all processes)':>28s}   {'wall':>26s}")
        for procs in counts:
            (bc, bw), (sc, sw) = (med(rows[("calamine", procs)]), med(rows[("collect", procs)]))
            for name, label in (("calamine", "baseline: python-calamine read"), ("collect", "subject: evaltool collect")):
                c, w = med(rows[(name, procs)])
                bestc, bestw = (min(x[i] for x in rows[(name, procs)]) for i in (0, 1))
                print(f"{label:31s} {procs} worker{'s' if procs > 1 else ' '} "
                      f"median {c:7.2f} s best {bestc:7.2f} s | median {w:7.2f} s best {bestw:7.2f} s")
            res[f"ratio_cpu_{procs}"], res[f"ratio_wall_{procs}"] = sc / bc, sw / bw
            print(f"  ratio collect ÷ calamine at {procs} worker{'s' if procs > 1 else ''}: CPU {sc / bc:5.2f}×  "
                  f"wall {sw / bw:5.2f}×   (medians; issue 14 target ≤ 1.2×)")
        print(f"calamine read in this process (no worker): {floor:.2f} s best, "
              f"{floor / len(paths) * 1000:.2f} ms/file -> {summary.projects} projects, "
              f"{len(summary.unreadable)} unreadable")
        pf = preflight_vs_calamine(paths, args.repeat)
        res.update(pf)
        print(f"pre-flight alone (CPU, 1 process, best of {args.repeat}) {pf['preflight_cpu_ms_per_file']:.3f} ms/file; "
              f"calamine reading the same bytes {pf['calamine_read_cpu_ms_per_file']:.3f} ms/file; "
              f"ratio {pf['ratio_preflight_over_calamine']:.2f}")
        # Fixed cost: the CLI collecting one file in a new process (Python start, imports, worker
        # start, rule sets, the 汇总 written), CPU of every process; and Python starting alone.
        one = Path(tempfile.mkdtemp(prefix="evaltool-bench-one-"))
        (one / "a.xlsx").write_bytes(Path(paths[0]).read_bytes())
        cli = [sys.executable, "-m", "evaltool", "collect", str(one), "-o", str(work / "汇总-one.xlsx"), "-q", "-j", "1"]
        # As installed (pip compiles the bytecode): a bytecode cache in a temp folder, filled by an
        # untimed first run; PYTHONDONTWRITEBYTECODE (set in some shells) would compile every module
        # at every start and measure the compiler instead.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="evaltool-bench-pyc-")
        quiet = functools.partial(subprocess.run, stdout=subprocess.DEVNULL, cwd=str(ROOT), env=env)
        quiet(cli)
        fixed = [measured(quiet, cli) for _ in range(args.repeat)]
        bare = [measured(functools.partial(subprocess.run, env=env), [sys.executable, "-c", "pass"]) for _ in range(args.repeat)]
        res["one_file_cpu_s"], res["one_file_wall_s"] = med(fixed)
        res["python_start_cpu_s"] = med(bare)[0]
        print(f"fixed cost: CLI collect of 1 file in a new process (median of {args.repeat}): CPU {res['one_file_cpu_s']:.2f} s, "
              f"wall {res['one_file_wall_s']:.2f} s; `python -c pass` alone CPU {res['python_start_cpu_s']:.2f} s "
              "(issue 14 target < 0.3 s)")
        stages = stage_breakdown(paths)
        res["stage_cpu_ms_per_file"] = stages
        print("per-file CPU by stage (one process): " + ", ".join(f"{k} {v:.2f} ms" for k, v in stages.items())
              + f"; calamine read alone {res['calamine_read_cpu_s'] / len(paths) * 1000:.2f} ms")
        if not args.no_openpyxl:
            naive = timed(openpyxl_read, paths)
            res.update({"openpyxl_load_s": naive, "ratio_openpyxl_over_calamine": naive / floor})
            print(f"openpyxl naive load (this process, no worker) {naive:8.2f} s wall; "
                  f"÷ calamine read in this process {naive / floor:.2f}×")

    mem = collect_in_subprocess(folder, work / "汇总-mem.xlsx", args.jobs)
    res.update({"cli_seconds": mem["seconds"], "cli_cpu_seconds": mem["cpu_seconds"], "peak_rss_sum_bytes": mem["peak_rss_sum"],
                "peak_pss_sum_bytes": mem["peak_pss_sum"], "max_processes": mem["max_processes"],
                "largest_child_maxrss_bytes": mem["largest_child_maxrss"]})
    if "calamine_read_s" in res:
        res["ratio_cli_over_calamine"] = mem["seconds"] / res["calamine_read_s"]
        print(f"CLI run in a new process (Python start, imports, {workers} workers) {mem['seconds']:.2f} s wall "
              f"÷ calamine read in this process {res['ratio_cli_over_calamine']:.2f}×")
    if "calamine_read_cpu_s" in res:
        res["ratio_cpu_collect_over_calamine"] = mem["cpu_seconds"] / res["calamine_read_cpu_s"]
        print(f"CPU, all processes: CLI collect (new process, {workers} workers) {mem['cpu_seconds']:.2f} s vs "
              f"calamine read (this process) {res['calamine_read_cpu_s']:.2f} s = "
              f"{res['ratio_cpu_collect_over_calamine']:.2f}×")
    print(f"CLI run (new process, {mem['max_processes']} processes at peak): {mem['seconds']:.2f} s; "
          f"peak memory, sum over all processes: RSS {mb(mem['peak_rss_sum'])}, PSS {mb(mem['peak_pss_sum'])} "
          f"(target < 500 MB); largest single process {mb(mem['largest_child_maxrss'])}")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(res, ensure_ascii=False, indent=2), "utf-8")
    print(f"outputs in {work}")


if __name__ == "__main__":
    main()
