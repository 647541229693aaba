"""-o never replaces what is not evaltool's own earlier output for the same purpose, unchanged since
(SWEEP S67): a form scored in place, another file's results, a filled template, a hand-written case
file, a report edited in Word, a 汇总 saved over in Excel. Real files, written by the commands."""
import shutil

import docx
import openpyxl
from click.testing import CliRunner

from evaltool import cli


def _run(*args):
    return CliRunner().invoke(cli.main, [str(a) for a in args])


def _form(tmp_path, cases_dir, name="A.xlsx"):
    case = next(cases_dir.glob("seed002-电子政务*.yaml"))
    path = tmp_path / name
    assert _run("new", path, "--from", case).exit_code == 0
    return path


def test_score_and_template_o_never_replace_a_scored_form(tmp_path, cases_dir):
    form = _form(tmp_path, cases_dir)
    assert _run("score", form).exit_code == 0  # scored in place: it has a 校验结果 sheet now
    before = form.read_bytes()
    res = _run("template", "-o", form)
    assert res.exit_code == 2 and "A.xlsx" in res.output and "没有改动它" in res.output
    other = shutil.copy(form, tmp_path / "B.xlsx")
    res = _run("score", other, "-o", form)
    assert res.exit_code == 2 and "换一个文件名" in res.output
    assert form.read_bytes() == before
    assert "Traceback" not in res.output


def test_o_replaces_its_own_unchanged_output_only(tmp_path, cases_dir):
    form = _form(tmp_path, cases_dir)
    copy = tmp_path / "结果.xlsx"
    assert _run("score", form, "-o", copy).exit_code == 0
    assert _run("score", form, "-o", copy).exit_code == 0  # its own earlier result: replaced
    other = shutil.copy(form, tmp_path / "另一个.xlsx")
    assert _run("score", other, "-o", copy).exit_code == 2  # another file's result: kept
    wb = openpyxl.load_workbook(copy)
    wb.active["A1"] = "我改过"  # saved over by the clerk
    wb.save(copy)
    before = copy.read_bytes()
    assert _run("score", form, "-o", copy).exit_code == 2
    assert copy.read_bytes() == before
    blank = tmp_path / "空白.xlsx"
    assert _run("template", "-o", blank).exit_code == 0
    assert _run("template", "-o", blank).exit_code == 0
    assert _run("template", "-o", blank, "--kind", "部门整体").exit_code == 2


def test_a_linked_o_target_is_stamped_through_the_link(tmp_path, cases_dir):
    """-o naming a symbolic link: the file it points at is written (fileio.atomic_path) and stamped as
    evaltool's own, so the next run may replace it again (the claim was keyed by the link's path, the
    write by the file's: export and collect refused their own output the second time)."""
    form = _form(tmp_path, cases_dir)
    shared = tmp_path / "共享"
    shared.mkdir()
    for command, name in (("export", "案例.yaml"), ("collect", "汇总.xlsx")):
        (tmp_path / name).symlink_to(shared / name)
        for _ in range(3):
            res = _run(command, form, "-o", tmp_path / name)
            assert res.exit_code in (0, 1) and (shared / name).exists(), res.output
        assert (tmp_path / name).is_symlink()


def test_export_o_keeps_a_hand_written_case(tmp_path, cases_dir):
    form = _form(tmp_path, cases_dir)
    hand = tmp_path / "hand.yaml"
    hand.write_text("# 我手工写的案例\n项目名称: 另一个项目\n", "utf-8")
    res = _run("export", form, "-o", hand)
    assert res.exit_code == 2 and "hand.yaml" in res.output
    assert hand.read_text("utf-8").startswith("# 我手工写的案例")
    out = tmp_path / "out.yaml"
    assert _run("export", form, "-o", out).exit_code == 0
    assert _run("export", form, "-o", out).exit_code == 0  # its own export: replaced
    assert _run("check", out).exit_code in (0, 1)  # the stamp is a YAML comment


def test_report_o_keeps_a_report_edited_in_word(tmp_path, cases_dir):
    form = _form(tmp_path, cases_dir)
    rep = tmp_path / "报告.docx"
    assert _run("report", form, "-o", rep).exit_code == 0
    assert _run("report", form, "-o", rep).exit_code == 0
    d = docx.Document(str(rep))
    d.add_paragraph("科长修改的段落")
    d.save(str(rep))
    before = rep.read_bytes()
    res = _run("report", form, "-o", rep)
    assert res.exit_code == 2 and "报告.docx" in res.output
    assert rep.read_bytes() == before


def test_collect_o_keeps_a_summary_the_bureau_worked_on(tmp_path, cases_dir):
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    _form(inbox, cases_dir)
    out = tmp_path / "汇总.xlsx"
    assert _run("collect", inbox, "-o", out).exit_code in (0, 1)
    assert _run("collect", inbox, "-o", out).exit_code in (0, 1)  # its own 汇总: replaced
    wb = openpyxl.load_workbook(out)
    wb["汇总"]["A1"] = "复核意见：已核"
    wb.save(out)
    before = out.read_bytes()
    res = _run("collect", inbox, "-o", out)
    assert res.exit_code == 2 and "汇总.xlsx" in res.output
    assert out.read_bytes() == before
