"""The end of `evaltool collect` as a program (issue 14's fixed cost): once the 汇总 is saved and
everything printed, the process ends without Python tearing down every module's objects (30-60 ms of
CPU of a one-file run); the exit handlers still run, the exit code and every line printed are kept.
Inside another program (CliRunner here) it exits as every command does."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from evaltool import cli

ROOT = Path(__file__).resolve().parents[1]
CASE = next((Path(__file__).parent / "cases").glob("seed000-*.yaml"))

# `python -m evaltool collect …` (runpy sets __main__ as -m does), with an exit handler and an object
# only the interpreter's teardown would delete.
RUN = """
import atexit, runpy, sys
marks = sys.argv.pop(1)

class Torn:
    def __del__(self, open=open, path=marks + ".teardown"):  # (builtins are gone by then)
        open(path, "w").close()

kept = Torn()
atexit.register(lambda: open(marks + ".atexit", "w").close())
sys.argv[0] = "evaltool"
runpy.run_module("evaltool", run_name="__main__", alter_sys=True)
"""


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", RUN, str(tmp_path / "mark"), *args], capture_output=True, text=True,
                          env=env, cwd=str(tmp_path), timeout=300)


def _folder(tmp_path: Path, unreadable: bool) -> Path:
    folder = tmp_path / "收件"
    folder.mkdir()
    assert CliRunner().invoke(cli.main, ["new", "--from", str(CASE), "-o", str(folder / "表.xlsx")]).exit_code in (0, 1)  # 1: seed000 has an error
    if unreadable:
        (folder / "坏.xlsx").write_bytes(b"not a workbook")
    return folder


def test_the_program_ends_without_the_teardown_keeping_code_output_and_exit_handlers(tmp_path):
    folder = _folder(tmp_path, unreadable=True)
    done = _run(tmp_path, "collect", str(folder), "-o", str(tmp_path / "汇总.xlsx"), "--json")
    assert done.returncode == 1, done.stderr[-2000:]  # an unreadable file: exit 1, as before
    summary = json.loads(done.stdout)  # every line printed, to the end, through a pipe
    assert summary["已读取"] == 1 and [u["文件"] for u in summary["无法读取"]] == ["坏.xlsx"]
    wb = openpyxl.load_workbook(tmp_path / "汇总.xlsx", read_only=True)
    assert {"汇总", "问题清单"} <= set(wb.sheetnames)
    assert (tmp_path / "mark.atexit").exists()  # exit handlers ran
    assert not (tmp_path / "mark.teardown").exists()  # the modules were not torn down one by one


def _took(text: str) -> str:
    import re

    return re.search(r"用时 [0-9.]+ 秒", text).group(0)


def test_a_run_exits_and_prints_as_the_command_inside_a_program_does(tmp_path):
    folder = _folder(tmp_path, unreadable=False)
    done = _run(tmp_path, "collect", str(folder), "-o", str(tmp_path / "汇总.xlsx"))
    inside = CliRunner().invoke(cli.main, ["collect", str(folder), "-o", str(tmp_path / "汇总2.xlsx")])
    assert done.returncode == inside.exit_code == 1, done.stderr[-2000:]  # (the seed case has an error)
    assert done.stdout == inside.output.replace("汇总2.xlsx", "汇总.xlsx").replace(
        _took(inside.output), _took(done.stdout))  # the same summary, line for line
    assert (tmp_path / "mark.atexit").exists() and not (tmp_path / "mark.teardown").exists()


def test_other_commands_and_collect_inside_another_program_exit_as_before(tmp_path):
    folder = _folder(tmp_path, unreadable=False)
    done = _run(tmp_path, "check", str(folder / "表.xlsx"))
    assert (tmp_path / "mark.teardown").exists()  # (check ends as every command does)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    result = CliRunner().invoke(cli.main, ["collect", str(folder), "-o", str(tmp_path / "汇总2.xlsx")])
    assert result.exit_code == 1 and "结果已保存到" in result.output  # (this test process goes on)
