"""Behaviour snapshot for a structural change (issue 13): what the clerk sees, captured from a checkout.

For every case file (tests/cases/) and every layout (tests/layouts/forms.py): `check --json`,
`score --json` (of a copy), the report's full text (python-docx: every paragraph and every table
cell, nested tables too) — for the case file itself and for the workbook `new --from` builds from
it — and `evaltool collect` over all those workbooks (every sheet's cell values of the 汇总 file).
Each command runs as `python3 -m evaltool` in a fresh process with PYTHONPATH set to the checkout,
so the same script measures an old and a new tree alike.

    python3 tools/snapshot.py --repo /path/to/checkout -o before.json
    python3 tools/snapshot.py --repo . -o after.json --compare before.json   # exit 1 on a difference

Paths of the temporary folder are replaced by <DIR> so two runs compare.
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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


def run(repo: Path, args: list[str], cwd: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(repo), EVALTOOL_DEMO_NO_FILES="1", COLUMNS="160")
    p = subprocess.run([sys.executable, "-m", "evaltool", *args], cwd=cwd, env=env, capture_output=True,
                       text=True, timeout=600)
    return {"rc": p.returncode, "out": p.stdout, "err": p.stderr}


def docx_text(path: Path) -> list[str]:
    import docx

    doc = docx.Document(str(path))
    out: list[str] = []

    def table(t, depth: int) -> None:
        for row in t.rows:
            out.append("\t" * depth + " | ".join(c.text for c in row.cells))
            for c in row.cells:
                for inner in c.tables:
                    table(inner, depth + 1)

    body = doc.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            out.append("".join(t.text or "" for t in child.iter() if t.tag.endswith("}t")))
        elif tag == "tbl":
            from docx.table import Table

            table(Table(child, doc), 0)
    return out


def xlsx_values(path: Path) -> dict:
    import openpyxl

    wb = openpyxl.load_workbook(path, data_only=False)
    return {ws.title: [[None if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)]
            for ws in wb.worksheets}


def build_inputs(repo: Path, work: Path) -> tuple[list[Path], list[Path]]:
    """(case files, workbooks) in work/: the cases copied, a workbook per case, one per layout."""
    cases = sorted((repo / "tests" / "cases").glob("*.yaml"))
    books = work / "books"
    books.mkdir()
    copied = []
    for c in cases:
        dst = work / c.name
        shutil.copy(c, dst)
        copied.append(dst)
    sys.path.insert(0, str(repo / "tests" / "layouts"))
    sys.path.insert(0, str(repo))
    from forms import LAYOUTS  # noqa: E402 - the layouts module of the checkout measured

    made = []
    for name, (builder, _rules, _exp) in sorted(LAYOUTS.items()):
        path = books / f"layout-{name}.xlsx"
        builder(path)
        made.append(path)
    for c in copied:
        path = books / f"case-{c.stem}.xlsx"
        r = run(repo, ["new", str(path), "--from", str(c)], work)
        if r["rc"] in (0, 1) and path.exists():
            made.append(path)
    return copied, made


def layout_rules(repo: Path) -> dict[str, str]:
    from forms import LAYOUTS

    return {f"layout-{n}.xlsx": r for n, (_b, r, _e) in LAYOUTS.items() if r}


def snapshot(repo: Path) -> dict:
    work = Path(tempfile.mkdtemp(prefix="evaltool-snap-"))
    try:
        cases, books = build_inputs(repo, work)
        rules = layout_rules(repo)
        jobs = []
        for f in cases + books:
            extra = ["--rules", rules[f.name]] if f.name in rules else []
            jobs.append((f.name, "check", ["check", str(f), "--json", *extra]))
            jobs.append((f.name, "report", ["report", str(f), "-o", str(work / "reports" / f"{f.stem}.docx"), *extra]))
            if f.suffix == ".xlsx":
                copy = work / "scored" / f.name
                jobs.append((f.name, "score", ["score", str(f), "--json", "-o", str(copy), *extra]))
            else:
                jobs.append((f.name, "score", ["score", str(f), "--json", *extra]))
        (work / "reports").mkdir()
        (work / "scored").mkdir()
        with ThreadPoolExecutor(2) as pool:
            done = list(pool.map(lambda j: (j, run(repo, j[2], work)), jobs))
        out: dict = {"files": {}}
        for (name, what, _args), res in done:
            entry = out["files"].setdefault(name, {})
            entry[what] = res
            if what == "report":
                docx = work / "reports" / f"{Path(name).stem}.docx"
                entry["report_text"] = docx_text(docx) if docx.exists() else None
                res["out"] = ""  # names the temporary path; the text is compared instead
            if what == "score" and name.endswith(".xlsx"):
                copy = work / "scored" / name
                entry["scored_cells"] = xlsx_values(copy) if copy.exists() else None
        summary = work / "汇总.xlsx"
        res = run(repo, ["collect", str(work / "books"), "-o", str(summary), "-j", "1"], work)
        out["collect"] = {"rc": res["rc"], "sheets": xlsx_values(summary) if summary.exists() else None}
        text = json.dumps(out, ensure_ascii=False, indent=1, sort_keys=True)
        text = re.sub(r"20\d\d-\d\d-\d\d \d\d:\d\d", "<TIME>", text.replace(str(work), "<DIR>"))  # collect's 说明
        return json.loads(text)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def diff(a: dict, b: dict, path: str = "") -> list[str]:
    if type(a) is not type(b):
        return [f"{path}: {a!r} != {b!r}"[:400]]
    if isinstance(a, dict):
        out = []
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                out.append(f"{path}/{k}: only in {'after' if k not in a else 'before'}")
            else:
                out.extend(diff(a[k], b[k], f"{path}/{k}"))
        return out
    if isinstance(a, list):
        if len(a) != len(b):
            return [f"{path}: length {len(a)} != {len(b)}"] + diff(a[:min(len(a), len(b))], b[:min(len(a), len(b))], path)
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in diff(x, y, f"{path}[{i}]")]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"[:400]]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", default=str(Path(__file__).resolve().parents[1]))
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--compare", default=None, help="an earlier snapshot: exit 1 and list every difference")
    args = ap.parse_args()
    snap = snapshot(Path(args.repo).resolve())
    Path(args.output).write_text(json.dumps(snap, ensure_ascii=False, indent=1, sort_keys=True), "utf-8")
    n = len(snap["files"])
    print(f"{n} inputs, collect rc {snap['collect']['rc']} -> {args.output}")
    if args.compare:
        before = json.loads(Path(args.compare).read_text("utf-8"))
        diffs = diff(before, snap)
        for d in diffs[:200]:
            print(d)
        print("identical" if not diffs else f"{len(diffs)} differences")
        return 1 if diffs else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
