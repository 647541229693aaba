"""A run of one file (issue 14's fixed cost): read in a child forked for it, no worker pool, no
multiprocessing imported; a child that dies costs only that file, as in a pool."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from evaltool import cli

ROOT = Path(__file__).resolve().parents[1]
CASE = next((Path(__file__).parent / "cases").glob("seed000-*.yaml"))

PROBE = """
import json, sys
from evaltool.collect import collect
s = collect([sys.argv[1]], sys.argv[2], workers=2)
print(json.dumps({"read": s.read, "projects": s.projects, "unreadable": s.unreadable,
                  "modules": sorted(m for m in sys.modules if m.startswith(("multiprocessing", "concurrent")))}))
"""


def _probe(folder: Path, out: Path, env_extra: dict | None = None) -> dict:
    env = {**os.environ, **(env_extra or {}), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", PROBE, str(folder), str(out)], env=env, capture_output=True,
                          text=True, timeout=300, cwd=str(ROOT))
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.splitlines()[-1])


def _form(folder: Path, name: str) -> Path:
    book = folder / name
    assert CliRunner().invoke(cli.main, ["new", "--from", str(CASE), "-o", str(book)]).exit_code in (0, 1)  # 1: the form has errors (seed000)
    return book


def test_one_file_is_read_in_a_forked_child_without_a_pool(tmp_path):
    folder = tmp_path / "收件"
    folder.mkdir()
    _form(folder, "表.xlsx")
    result = _probe(folder, tmp_path / "汇总.xlsx")
    assert result["read"] == 1 and result["projects"] == 1 and not result["unreadable"]
    if sys.platform.startswith("linux"):
        assert result["modules"] == [], result["modules"]


def test_a_single_file_that_kills_its_reader_is_listed_and_the_summary_written(tmp_path):
    folder = tmp_path / "收件"
    folder.mkdir()
    _form(folder, "致命.xlsx")
    out = tmp_path / "汇总.xlsx"
    result = _probe(folder, out, {"EVALTOOL_TEST_ABORT_ON": "致命"})
    (name, reason), = result["unreadable"]
    assert name == "致命.xlsx" and "异常退出" in reason and result["read"] == 0 and out.exists()
