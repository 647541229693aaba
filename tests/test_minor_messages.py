"""SWEEP S54 ([lead] items): small wording and file-handling faults, each on real files."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from evaltool.cli import main
from evaltool.workbook import service
from tests.test_dept import CASE as DEPT_CASE
from tests.test_monitor import CASE as MONITOR_CASE

sys.path.insert(0, str(Path(__file__).parent / "layouts"))
import forms  # noqa: E402

CASES = Path(__file__).parent / "cases"


def run(*args, ok=(0, 1)):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code in ok, (result.exit_code, result.output, result.exception)
    return result


def from_case(tmp_path: Path, text: str, name: str) -> Path:
    case = tmp_path / f"{name}.yaml"
    case.write_text(text, "utf-8")
    out = tmp_path / f"{name}.xlsx"
    run("new", out, "--from", case)
    case.unlink()
    return out


def test_the_draft_joins_sentences_once_and_counts_every_form(tmp_path):
    """"下年提前摸底。；偏远乡镇…" and "根据 2 张表格生成" for 2 自评表 + 1 部门整体."""
    inbox = tmp_path / "收件"
    inbox.mkdir()
    forms.national(inbox / "甲.xlsx")
    forms.national(inbox / "乙.xlsx")
    from_case(inbox, DEPT_CASE, "部门")
    run("publish", inbox, "-o", tmp_path / "公开", "--no-pdf")
    draft = (tmp_path / "公开" / "预算绩效情况说明（草稿）.md").read_text("utf-8")
    assert "。；" not in draft and "下年提前摸底；偏远乡镇覆盖不足，下年增设教学点。" in draft, draft
    assert "根据 3 张表格生成" in draft, draft


def test_the_button_refusal_names_no_command_line_flag(tmp_path):
    from evaltool.publish.run import publish

    src = tmp_path / "有错.xlsx"
    run("new", src, "--from", next(CASES.glob("seed000-*.yaml")))
    said = publish([str(src)], tmp_path / "公开", pdf=False, button=True).outcomes[0].refused
    assert said and "--allow-errors" not in said and "“公开”" in said and "。；" not in said, said
    said = publish([str(src)], tmp_path / "公开2", pdf=False).outcomes[0].refused
    assert said and "--allow-errors" in said  # the command line still says how


def test_the_score_alert_of_an_ungraded_kind_says_so(tmp_path):
    book = from_case(tmp_path, MONITOR_CASE, "监控")
    alert = service.summary(service.evaluate(service.load(str(book))), "计分")
    assert "总分 —" not in alert and "等次 —" not in alert and "不计分" in alert, alert


def test_monitor_deadline_is_written_as_a_chinese_date(tmp_path):
    book = from_case(tmp_path, MONITOR_CASE, "监控")
    out = run("check", book).output + run("report", book, "-o", tmp_path / "说明.docx").output
    import docx

    text = out + "\n".join(p.text for p in docx.Document(str(tmp_path / "说明.docx")).paragraphs)
    assert "2026-11-30" not in text and "2026年11月30日" in text, text


def test_check_report_names_cells_not_internal_keys(tmp_path):
    from evaltool.report.consistency import check_texts

    path = tmp_path / "表.xlsx"
    forms.national(path)
    (p, r), = service.evaluate(service.load(str(path)))
    f, = [f for f in check_texts(p, r, {"问题": "尚有25万元预算未执行。"}) if f.code == "E-REPORT-NUMBER"]
    assert "项目资金." not in f.message and "（自评表!" in f.message, f.message


def test_new_from_a_workbook_says_what_from_takes(tmp_path):
    src = tmp_path / "表.xlsx"
    forms.national(src)
    res = run("new", tmp_path / "新.xlsx", "--from", src, ok=(2,))
    assert "UTF-8" not in res.output and "案例文件" in res.output and "--from-targets" in res.output, res.output


def test_score_in_place_on_a_link_scores_the_file_it_points_at(tmp_path):
    real = tmp_path / "real.xlsx"
    forms.national(real)
    link = tmp_path / "link.xlsx"
    os.symlink(real.name, link)
    run("score", link)
    assert link.is_symlink() and os.readlink(link) == real.name
    assert "校验结果" in openpyxl.load_workbook(real).sheetnames


def test_links_to_a_sheet_named_with_an_apostrophe_double_it(tmp_path):
    """校验结果's links to "自评'表 (1)" read '自评'表 (1)'!F13 — a reference Excel calls invalid."""
    src = tmp_path / "表.xlsx"
    forms.national(src)
    wb = openpyxl.load_workbook(src)
    wb.active.title = "自评'表 (1)"
    wb.save(src)
    out = tmp_path / "计分.xlsx"
    run("score", src, "-o", out)
    run("score", src)  # in place: the patching writer
    for book in (out, src):
        links = [c.hyperlink.location for row in openpyxl.load_workbook(book)["校验结果"].iter_rows() for c in row
                 if c.hyperlink is not None and c.hyperlink.location]
        assert links and all(x.startswith("'自评''表 (1)'!") for x in links), links
