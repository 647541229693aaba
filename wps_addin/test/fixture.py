"""Test data for the Node tests: a shared case filled into the real template, as the add-in would
read it (payload), and what the CLI makes of the same workbook (results of `score --json`, every
cell of the scored file). Run: python3 fixture.py CASE.yaml OUTDIR -> prints JSON."""
import json
import shutil
import sys
from pathlib import Path

import openpyxl
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from evaltool.cli import main  # noqa: E402
from evaltool.core.caseio import load_case  # noqa: E402
from evaltool.kinds.selfeval.template import build_workbook  # noqa: E402
from evaltool.workbook import template  # noqa: E402
from serverkit import payload_from_file  # noqa: E402


def cells(path):
    out = {}
    for ws in openpyxl.load_workbook(path).worksheets:
        sheet = {}
        for row in ws.iter_rows():
            for c in row:
                f = c.fill
                fill = str(f.start_color.rgb)[-6:].upper() if f is not None and f.fill_type == "solid" else None
                note = c.comment.text if c.comment else None
                if c.value is not None or fill or note:
                    sheet[c.coordinate] = {"value": c.value, "fill": fill, "note": note}
        out[ws.title] = sheet
    return out


def main_(case, outdir):
    out = Path(outdir)
    src = out / "自评.xlsx"
    src.write_bytes(template.deterministic_bytes(build_workbook(load_case(case))))
    payload = payload_from_file(src)
    scored = out / "cli.xlsx"
    shutil.copy(src, scored)
    res = CliRunner().invoke(main, ["score", str(scored), "--json"])
    results = json.loads(res.stdout)
    print(json.dumps({"payload": payload, "results": results if isinstance(results, list) else [results],
                      "cells": cells(scored), "before": cells(src)}, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main_(sys.argv[1], sys.argv[2])
