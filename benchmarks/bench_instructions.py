"""Instructions per file (valgrind's callgrind counts them: the same count whatever else the machine
is doing, unlike CPU time on a shared machine) of collect's per-file work against python-calamine
reading the same files.

    python benchmarks/bench_instructions.py [--small 20] [--large 120] [--folder DIR]

Baseline: python-calamine reads every value of every sheet of each file (bench_collect's
calamine_read). Subject: what a collect worker does per file (worker.process_file: read, pre-flight,
calamine, reader, scoring, the 汇总 row and findings). Both in 1 process, one after the other, each
run under `valgrind --tool=callgrind` at two file counts; per file = (count at large - count at
small) / (large - small), so Python's start and the imports cancel out. The same two scripts are
also run without valgrind over every file of the folder (best of 3) for CPU and wall per file,
which vary with the machine's load.
Not counted here: the main process's share of collect (the 汇总 workbook, ~0.1 ms CPU per file, see
bench_collect).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

RUN = r"""
import sys
sys.path.insert(0, {bench!r})
import evaltool
assert evaltool.__file__.startswith({repo!r}), evaltool.__file__
import json
paths = json.load(open({paths!r}, encoding="utf-8"))
if {subject!r} == "calamine":
    import bench_collect
    bench_collect.calamine_read(paths[:1])  # imports and first-call set-up, at both counts
    bench_collect.calamine_read(paths[1:])
else:
    from evaltool.collect.worker import process_file, warm
    warm()
    for p in paths:
        process_file(p, p)
"""


def native(subject: str, paths: list[str], repo: Path = ROOT) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of the same script run without valgrind (best of 3)."""
    import resource
    import time

    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(repo), os.environ.get("PYTHONPATH")])))
    best = (float("inf"), float("inf"))
    with tempfile.TemporaryDirectory() as tmp:
        script = _script(subject, paths, repo, Path(tmp))
        for _ in range(3):
            before, w0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
            subprocess.run([sys.executable, "-c", script], check=True, cwd=tmp, env=env, stdout=subprocess.DEVNULL)
            after, wall = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter() - w0
            cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
            best = (min(best[0], cpu), min(best[1], wall))
    return best


def _script(subject: str, paths: list[str], repo: Path, tmp: Path) -> str:
    listed = tmp / "paths.json"  # (a file: a thousand paths are longer than one argument may be)
    listed.write_text(json.dumps(paths, ensure_ascii=False), "utf-8")
    return RUN.format(bench=str(Path(__file__).resolve().parent), paths=str(listed), subject=subject, repo=str(repo))


def instructions(subject: str, paths: list[str], repo: Path = ROOT) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        script = _script(subject, paths, repo, Path(tmp))
        out = Path(tmp) / "cg.out"
        proc = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable, "-c", script],
                              capture_output=True, text=True, cwd=tmp,  # (not a checkout: `-c` puts the folder first)
                              env=dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(repo), os.environ.get("PYTHONPATH")]))))
        m = re.search(r"Collected : (\d+)", proc.stderr)
        if proc.returncode != 0 or m is None:
            raise SystemExit(f"valgrind failed: {proc.stderr[-2000:]}")
        return int(m.group(1))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--small", type=int, default=20)
    ap.add_argument("--large", type=int, default=120)
    ap.add_argument("--folder", default="/tmp/evaltool-bench/wb1000", help="workbooks (bench_collect generates them)")
    ap.add_argument("--repo", default=str(ROOT), help="checkout whose evaltool is measured (e.g. an export of main) for a before/after")
    args = ap.parse_args()
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (apt-get install valgrind)")
        return 1
    from evaltool.collect.run import find_files

    paths = [str(p) for p, _ in find_files([args.folder])]
    every = [p for p in paths if "damaged" not in p and not p.endswith(".xls")]
    paths = every[: args.large]
    print(f"repo {args.repo}; {len(paths)} files from {args.folder}; 1 process each; valgrind --tool=callgrind")
    per: dict[str, float] = {}
    cpu: dict[str, float] = {}
    wall: dict[str, float] = {}
    for subject, label in (("calamine", "baseline: python-calamine read"), ("collect", "subject: collect worker per file")):
        small, large = (instructions(subject, paths[: args.small], Path(args.repo)),
                        instructions(subject, paths, Path(args.repo)))
        per[subject] = (large - small) / (len(paths) - args.small)
        # (natively over every file of the folder: a difference of two short runs is lost in the noise)
        (c_small, w_small), (c_large, w_large) = native(subject, every[: args.small], Path(args.repo)), \
            native(subject, every, Path(args.repo))
        n = len(every) - args.small
        cpu[subject], wall[subject] = (c_large - c_small) / n, (w_large - w_small) / n
        print(f"{label:34s} {small / 1e6:9.1f} M at {args.small} files, {large / 1e6:9.1f} M at {len(paths)}: "
              f"{per[subject] / 1e6:6.2f} M instructions per file | without valgrind ({len(every)} files, best of 3): "
              f"CPU {cpu[subject] * 1000:.2f} ms, wall {wall[subject] * 1000:.2f} ms per file")
    print(f"ratio collect ÷ calamine per file: instructions {per['collect'] / per['calamine']:.2f}×, "
          f"CPU {cpu['collect'] / cpu['calamine']:.2f}×, wall {wall['collect'] / wall['calamine']:.2f}×  "
          "(1 process each; issue 14 target ≤ 1.2×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
