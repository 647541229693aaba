"""The full fuzz set's counts in one file: python tests/fuzz/summary.py PREFIX reads the per-test files
PREFIX.<test>.json that tests/test_fuzz.py writes (EVALTOOL_FUZZ_REPORT=PREFIX) and writes PREFIX with the
totals (every violation count, runs, exits, files read/refused), the per-command longest run and peak
memory, and the violations."""
import json
import glob
import sys
prefix = sys.argv[1]
total = {}
per = {}
viol = []
keys = ("bad exit", "traceback or English", "input changed on failure", "false 没有被修改", "over the time bound",
        "over 10 s", "over 1 GB", "check/collect verdicts differ")
for f in sorted(glob.glob(prefix + ".*.json")):
    for name, v in json.load(open(f)).items():
        for k in keys + ("runs", "files", "read", "refused"):
            total[k] = total.get(k, 0) + v.get(k, 0)
        for k, val in v.items():
            if k.startswith("exit "):
                total[k] = total.get(k, 0) + val
        viol += v["violations"]
        for c, s in v["per_command"].items():
            p = per.setdefault(c, {"runs": 0, "max_seconds": 0, "max_rss_mb": 0})
            p["runs"] += s.get("runs", 0)
            secs = s.get("max_seconds", s.get("seconds", 0))
            if secs > p["max_seconds"]:
                p["max_seconds"], p["slowest"] = secs, s.get("max_seconds_input", name)
            rss = s.get("max_rss_mb", s.get("max_rss_mb_all_processes", 0))
            if rss > p["max_rss_mb"]:
                p["max_rss_mb"], p["largest"] = rss, s.get("max_rss_input", name)
out = {"totals": total, "per_command": per, "violations": viol, "parts": sorted(glob.glob(prefix + ".*.json"))}
json.dump(out, open(prefix, "w"), ensure_ascii=False, indent=2)
print(json.dumps(out, ensure_ascii=False, indent=1))
