"""SWEEP S49: a report evaltool wrote fails check-report whenever one of its numbers taken from the form
is edited — the 部门整体's 基本支出/项目支出 rows, the project list's sums and each listed project
(预算数, 执行数, 执行率, 自评得分), and the 监控情况说明's 1-N月执行数 and light counts. Before, those
sentences were left alone ("项目支出全年预算数950.00万元" against 900 passed)."""
from __future__ import annotations

import re
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from evaltool.cli import main
from evaltool.report.consistency import find_mentions
from tests.test_dept import CASE as DEPT_CASE
from tests.test_monitor import CASE as MONITOR_CASE


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def made(tmp_path: Path, case: str) -> tuple[Path, Path]:
    src = tmp_path / "案例.yaml"
    src.write_text(case, "utf-8")
    book = tmp_path / "表.xlsx"
    assert run("new", book, "--from", src).exit_code in (0, 1)
    report = tmp_path / "报告.docx"
    res = run("report", book, "-o", report)
    assert res.exit_code in (0, 1), res.output
    assert run("check-report", report, book).exit_code == 0  # evaltool's own report passes
    return book, report


def bumped(text: str) -> str:
    """The number +1 in its last place, as a clerk's edit: 950.00 -> 951.00? no: 950.00 -> 950.01."""
    places = len(text.split(".")[1]) if "." in text else 0
    step = 10 ** -places
    return f"{float(text) + step:.{places}f}"


def edits(report: Path, wanted) -> list[tuple[int, str, str]]:
    """(paragraph, number as written, edited number) for every figure in the paragraphs `wanted` picks."""
    out = []
    for n, para in enumerate(docx.Document(str(report)).paragraphs):
        if not wanted(para.text):
            continue
        for m in find_mentions(para.text):
            number = re.match(r"\d+(?:\.\d+)?", m.text)
            if number:
                out.append((n, number.group(0), m.text))
    return out


def edited(report: Path, n: int, number: str, mention: str, out: Path) -> Path:
    doc = docx.Document(str(report))
    para = doc.paragraphs[n]
    new = mention.replace(number, bumped(number), 1)
    text = para.text.replace(mention, new, 1)
    for r in para.runs[1:]:
        r.text = ""
    para.runs[0].text = text
    doc.save(str(out))
    return out


@pytest.mark.parametrize("kind, case, words, at_least", [
    ("dept", DEPT_CASE, ("基本支出", "项目支出全年", "项目清单", "该项目"), 10),
    ("monitor", MONITOR_CASE, ("月执行", "预计能够完成"), 2),
], ids=["dept", "monitor"])
def test_every_figure_of_the_forms_parts_is_checked(tmp_path, kind, case, words, at_least):
    book, report = made(tmp_path, case)
    todo = edits(report, lambda t: any(w in t for w in words))
    todo = [x for x in todo if not x[2].endswith("个百分点")]
    assert len(todo) >= at_least, todo
    missed = []
    for i, (n, number, mention) in enumerate(todo):
        bad = edited(report, n, number, mention, tmp_path / f"改{i}.docx")
        res = run("check-report", bad, book)
        said = " ".join(res.output.split())
        if res.exit_code != 1 or bumped(number) not in said or not re.search(r"[A-Z]+\d+）", said):
            missed.append((mention, bumped(number), res.exit_code, said[said.find('发现'):][:400]))
    assert not missed, missed
