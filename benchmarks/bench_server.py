"""Load test of `evaltool serve` on 127.0.0.1: C concurrent clients × N requests each of /api/score
with a real filled form (the template with a shared case), against a server started as users start
it (python -m evaltool serve, one process). Reports throughput, p50/p95/max latency, the server's
peak memory, errors, and — as the baseline measured in the same run — the same scoring done
in-process without HTTP (workbook.service.plan on the same grids), so the ratio is what HTTP, JSON
and the thread hand-off cost. Bounded in count and time; only loopback traffic.

    python benchmarks/bench_server.py [--clients 50] [--requests 20] [--endpoint score]
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--requests", type=int, default=20)
    ap.add_argument("--endpoint", default="score", choices=["score", "check"])
    ap.add_argument("--time-limit", type=float, default=600, help="stop sending after this many seconds")
    args = ap.parse_args()

    from evaltool.core.caseio import load_case
    from evaltool.kinds.selfeval.template import build_workbook
    from evaltool.workbook import service, template, xlsx_engine
    from serverkit import free_port, payload_from_file

    case = sorted((ROOT / "tests" / "cases").glob("seed000*.yaml"))[0]
    tmp = Path(tempfile.mkdtemp(prefix="bench-server-"))
    src = tmp / "自评.xlsx"
    src.write_bytes(template.deterministic_bytes(build_workbook(load_case(case))))
    body = json.dumps(payload_from_file(src), ensure_ascii=False).encode("utf-8")

    # Baseline: the same scoring, in this process, no HTTP (best of 3 rounds of 20).
    grids = xlsx_engine.read_grids(src)
    service.plan(grids)  # warm caches, as the server's first request does
    base = []
    for _ in range(3):
        t0 = time.perf_counter()
        for _ in range(20):
            service.plan(grids, marks_only=args.endpoint == "check")
        base.append((time.perf_counter() - t0) / 20)
    baseline = min(base)

    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "evaltool", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                c.request("GET", "/api/about")
                c.getresponse().read()
                c.close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    print("server did not start:", proc.stderr.read().decode() if proc.stderr else "")
                    return 1
                time.sleep(0.2)
        rss_idle = peak_rss_mb(proc.pid)

        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        stop_at = time.monotonic() + args.time_limit
        path = f"/api/{args.endpoint}"

        def client():
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            for _ in range(args.requests):
                if time.monotonic() > stop_at:
                    break
                t0 = time.perf_counter()
                try:
                    conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
                    resp = conn.getresponse()
                    data = resp.read()
                    ok = resp.status == 200 and b'"results"' in data
                except (OSError, http.client.HTTPException) as exc:
                    ok, data = False, repr(exc).encode()
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                took = time.perf_counter() - t0
                with lock:
                    latencies.append(took)
                    if not ok:
                        errors.append(data[:200].decode("utf-8", "replace"))
            conn.close()

        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        t0 = time.perf_counter()
        cpu0 = os.times()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
        rss_peak = peak_rss_mb(proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()

    n = len(latencies)
    q = statistics.quantiles(latencies, n=100) if n >= 2 else [latencies[0]] * 99
    per_request = wall / n if n else float("nan")
    print(f"evaltool serve load test: {args.clients} clients × {args.requests} requests to {path} "
          f"(payload {len(body) / 1024:.0f} KB, one server process, {os.cpu_count()} CPUs)")
    print(f"  requests: {n}, errors: {len(errors)}, wall: {wall:.2f} s, throughput: {n / wall:.1f} req/s")
    print(f"  latency: p50 {q[49] * 1000:.0f} ms, p95 {q[94] * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms")
    print(f"  server memory: {rss_idle:.0f} MB idle, {rss_peak:.0f} MB peak (VmHWM)")
    print(f"  baseline (same scoring in-process, no HTTP): {baseline * 1000:.1f} ms per form; "
          f"served: {per_request * 1000:.1f} ms of wall per request → ratio {per_request / baseline:.2f}")
    if errors:
        print("  first errors:", errors[:3])
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
