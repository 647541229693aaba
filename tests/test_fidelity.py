"""Fidelity leftovers: what a clerk or a bureau is told must match what the file holds — on real .xlsx
files written here (openpyxl), through the CLI as a clerk runs it, for every form kind it applies to."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from evaltool.cli import main

CASES = Path(__file__).parent / "cases"
SELF_CASE = CASES / "seed002-各项工作运转经费.yaml"
SCORE_CASE = CASES / "seed001-信息系统运维项目-评分表.yaml"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def _dept_case() -> str:
    from tests.test_dept import CASE

    return CASE


def unnamed_case(tmp_path: Path, kind: str) -> Path:
    """A case file of the kind with its name left empty (so its form has an E-REQUIRED error)."""
    if kind == "部门整体":
        text = re.sub(r"(?m)^部门名称: .*$", '部门名称: ""', _dept_case())
    else:
        text = (SELF_CASE if kind == "自评表" else SCORE_CASE).read_text("utf-8")
        text = re.sub(r"(?m)^项目名称: .*$", '项目名称: ""', text)
    text = text.split("\n期望:")[0] + "\n"
    path = tmp_path / f"{kind}.yaml"
    path.write_text(text, "utf-8")
    return path


# ---- (4) no stray punctuation where the name is empty ---------------------------------------------
@pytest.mark.parametrize("kind", ["自评表", "评分表", "部门整体"])
def test_new_from_an_unnamed_case_has_no_stray_punctuation(tmp_path, kind):
    out = tmp_path / "out.xlsx"
    res = run("new", "--from", unnamed_case(tmp_path, kind), "-o", out)
    assert out.exists(), res.output
    line = next(x for x in res.output.splitlines() if x.startswith("已生成"))
    assert "：，" not in line and "，，" not in line, line
    assert re.match(r"已生成 \S*out\.xlsx：(总分|无法计分)", line), line


def test_new_from_a_named_case_names_it(tmp_path):
    res = run("new", "--from", SELF_CASE, "-o", tmp_path / "ok.xlsx")
    assert "：各项工作运转经费，总分 100.00，等次 优，0 个错误。" in res.output, res.output
