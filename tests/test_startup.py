"""Start-up: a command imports what it uses and nothing else (a behaviour test, not a timing one;
benchmarks/bench_startup.py measures the time). Each run is a fresh interpreter."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "tests" / "cases" / "seed003-信息化项目建设.yaml"

# What a command may only load when it needs it.
HEAVY = ["rich", "multiprocessing", "concurrent.futures", "openpyxl", "docx", "jinja2", "yaml", "lxml",
         "python_calamine", "xlwings", "uvicorn", "starlette", "socket", "evaltool.collect.run",
         "evaltool.workbook.container", "evaltool.core.model", "evaltool.report.generate", "evaltool.server.app"]

PROBE = """
import contextlib, io, json, sys
sys.argv = ["evaltool"] + json.loads(sys.argv[1])
out = io.StringIO()
code = 0
try:
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        from evaltool.cli import main
        main()
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "out": out.getvalue(), "modules": sorted(sys.modules)}))
"""


def run(*args: str) -> dict:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps([str(a) for a in args])], env=env,
                          capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(done.stdout.splitlines()[-1])


def loaded(result: dict, names) -> list[str]:
    mods = set(result["modules"])
    return [n for n in names if n in mods]


def test_help_lists_every_command_and_loads_nothing_heavy():
    result = run("--help")
    assert result["code"] == 0
    for command in ("check", "score", "report", "collect", "serve", "addin", "new", "export", "check-report"):
        assert f"  {command} " in result["out"], command
    assert loaded(result, HEAVY) == []


@pytest.mark.parametrize("command", ["check", "score"])
def test_check_and_score_of_a_case_load_no_report_collect_server_or_workbook_code(command):
    result = run(command, CASE)
    assert result["code"] in (0, 1) and "总分" in result["out"]
    unused = ["multiprocessing", "concurrent.futures", "openpyxl", "docx", "jinja2", "python_calamine", "xlwings",
              "uvicorn", "starlette", "evaltool.collect.run", "evaltool.report.generate", "evaltool.server.app"]
    assert loaded(result, unused) == []


def test_report_loads_no_collect_server_or_excel_code(tmp_path):
    result = run("report", CASE, "-o", tmp_path / "r.docx")
    assert result["code"] in (0, 1) and (tmp_path / "r.docx").exists()
    assert loaded(result, ["docx", "jinja2"]) == ["docx", "jinja2"]
    assert loaded(result, ["multiprocessing", "concurrent.futures", "openpyxl", "python_calamine", "xlwings",
                           "uvicorn", "starlette", "evaltool.collect.run", "evaltool.server.app"]) == []
