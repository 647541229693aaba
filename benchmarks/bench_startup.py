"""Start-up cost of `evaltool --help`, against starting Python itself.

    python benchmarks/bench_startup.py [--runs 21] [--repo PATH]

Baseline and subject are each one fresh interpreter per run (1 process at a time, alternating, so
both see the same machine load):
  baseline  python -c pass          (the interpreter, site and .pth files: what any command pays)
  subject   python -m evaltool --help   (what `evaltool --help` runs; the console script is the same)
Measured twice: with a bytecode cache (as after `pip install`, which compiles .pyc; here in a temp
PYTHONPYCACHEPREFIX so nothing is written into the source tree) and without one
(PYTHONDONTWRITEBYTECODE=1 and no cache: every evaltool module compiled at every start).
CPU is user+system time of the child (getrusage); wall is perf_counter around it. Ratios are of
the medians. --repo runs another checkout's evaltool (e.g. a copy of main) for a before/after.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def once(cmd: list[str], env: dict) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    w0 = time.perf_counter()
    # from a neutral folder: `python -m` puts the current folder first on sys.path
    subprocess.run(cmd, stdout=subprocess.DEVNULL, env=env, check=True, cwd=tempfile.gettempdir())
    wall = time.perf_counter() - w0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime), wall


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--repo", default=str(ROOT), help="checkout whose evaltool is started")
    args = parser.parse_args()

    base = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}
    base["PYTHONPATH"] = os.pathsep.join(p for p in (args.repo, os.environ.get("PYTHONPATH", "")) if p)
    commands = {"baseline: python -c pass": [sys.executable, "-c", "pass"],
                "subject: evaltool --help": [sys.executable, "-m", "evaltool", "--help"]}
    print(f"repo: {args.repo}  runs: {args.runs} each  processes: 1 at a time (baseline and subject alternate)")
    with tempfile.TemporaryDirectory() as cache:
        for mode, extra in (("with bytecode cache", {"PYTHONPYCACHEPREFIX": cache}),
                            ("no bytecode cache", {"PYTHONDONTWRITEBYTECODE": "1"})):
            env = dict(base, **extra)
            for cmd in commands.values():
                once(cmd, env)  # warm-up: fills the cache (when there is one) and the OS file cache
            cpu = {k: [] for k in commands}
            wall = {k: [] for k in commands}
            for _ in range(args.runs):
                for name, cmd in commands.items():
                    c, w = once(cmd, env)
                    cpu[name].append(c)
                    wall[name].append(w)
            b_cpu, b_wall = statistics.median(cpu["baseline: python -c pass"]), statistics.median(wall["baseline: python -c pass"])
            print(f"-- {mode}")
            for name in commands:
                mc, mw = statistics.median(cpu[name]), statistics.median(wall[name])
                print(f"{name:28s} CPU median {mc * 1000:6.1f} ms best {min(cpu[name]) * 1000:6.1f} ms | "
                      f"wall median {mw * 1000:6.1f} ms best {min(wall[name]) * 1000:6.1f} ms | "
                      f"ratio CPU {mc / b_cpu:4.2f}× wall {mw / b_wall:4.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
