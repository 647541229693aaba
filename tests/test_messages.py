"""Every message evaltool prints is plain Chinese: no English words except codes, file names, units,
command and option names. Plus the specific messages issue 15 names."""
from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from conftest import case_files
from evaltool.cli import main
from evaltool.workbook import layout as L

# ASCII words a Chinese message may contain: formats, products, codes and command/option names.
ALLOWED = {"evaltool", "Excel", "WPS", "LibreOffice", "Word", "PDF", "YAML", "JSON", "UTF", "XML", "VBA", "OA",
           "xlsx", "xlsm", "xls", "docx", "yaml", "yml", "csv", "json", "pdf", "ods", "et", "CPU", "Alt", "Enter",
           "Tab", "GB", "MB", "KB", "ActiveX", "jinja2", "soffice", "https", "zh", "cn", "org", "libreoffice",
           "EVALTOOL_DEBUG", "DEBUG", "B", "A", "ID", "COM", "Office", "Microsoft", "macOS", "Windows", "Linux",
           "Ctrl", "Shift", "Unicode", "ASCII", "Calc", "Writer", "xlwings", "Python", "xlam", "macros",
           "CORS", "HTTP", "HTTPS", "URL", "API", "null", "Origin", "localhost", "Node"}


def english_words(text: str) -> list[str]:
    """ASCII words that are not codes (E-…), options (--json), paths, units, numbers or allowed names."""
    text = re.sub(r"“[^”]*”", "", text)  # what the clerk typed, quoted back
    text = re.sub(r"\b[EWI]-[A-Z0-9-]+\b", "", text)  # finding codes
    text = re.sub(r"\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b", "", text)  # environment variables (EVALTOOL_…)
    text = re.sub(r"(?<![\w])--?[a-z][\w-]*", "", text)  # options
    text = re.sub(r"\S+\.(xlsx|xlsm|xls|docx|yaml|yml|pdf|csv|json|log|j2|md|txt|ods|et)\b", "", text)  # files
    text = re.sub(r"(/[\w.\-\u4e00-\u9fff]+)+/?", "", text)  # paths
    text = re.sub(r"\b[A-Z]{1,3}\d+(:[A-Z]{1,3}\d+)?\b", "", text)  # cell addresses
    text = re.sub(r"evaltool [a-z-]+", "evaltool", text)  # command names
    words = re.findall(r"[A-Za-z][A-Za-z_]+", text)
    commands = {part for c in COMMANDS for part in c.split("-")} | {"build", "install", "uninstall"}
    return [w for w in words if w not in ALLOWED and w not in commands]


def run(*args, ok=(0, 1, 2)):
    result = CliRunner().invoke(main, [str(a) for a in args], prog_name="evaltool")
    assert result.exit_code in ok, (result.exit_code, result.output, result.exception)
    return result.output


COMMANDS = sorted(main.commands)  # every command registered, including later ones (serve…)


def test_help_of_every_command_is_chinese():
    for cmd in [[]] + [[c] for c in COMMANDS]:
        out = run(*cmd, "--help", ok=(0,))
        assert not english_words(out), (cmd, english_words(out))
        assert not re.search(r"\b(TEXT|FILE|PATHS|INTEGER|DIRECTORY|RULE_ID)\b|\[default:|\[x>=", out), (cmd, out)


def test_usage_errors_are_chinese(tmp_path):
    outs = [run("check"), run("score", "a", "b"), run("collect", "-j", "0", tmp_path), run("nosuch"),
            run("check", "--nosuch", "x"), run("report", "x.yaml", "--sheet")]
    for out in outs:
        assert not english_words(out), (out, english_words(out))
    assert "引号" in outs[1]  # an unquoted path with spaces: put it in quotes


def test_finding_catalogue_is_chinese(tmp_path):
    """Every finding evaltool gives for the seed cases and their broken variants."""
    texts = []
    for case in case_files(None):
        texts.append(run("check", case))
        data = yaml.safe_load(case.read_text("utf-8"))
        for ind in data.get("绩效指标", [])[:3] if isinstance(data.get("绩效指标"), list) else []:
            if isinstance(ind, dict):
                ind["实际完成值"], ind["分值"] = "很多", "五"
        broken = tmp_path / f"broken-{case.name}"
        broken.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
        texts.append(run("check", broken))
    for out in texts:
        bad = english_words(out)
        assert not bad, (bad, out[:2000])


@pytest.mark.parametrize("text", ["项目名称: [a, b", "a: {x: 1", "a: b: c", "a:\n\t- 1", "a: 'open", "- a\nb: 1",
                                  "a: @x"])
def test_yaml_errors_say_line_and_column_in_chinese(tmp_path, text):
    path = tmp_path / "case.yaml"
    path.write_text(text, "utf-8")
    out = run("check", path, ok=(2,))
    assert re.search(r"第 \d+ 行第 \d+ 列：", out), out
    assert not english_words(out), out


def test_exception_names_become_chinese():
    from evaltool.core.messages import exception_text, yaml_problem

    assert exception_text(IndexError("list index out of range")) == "表格里缺少应有的行或列"
    assert exception_text(ValueError("Cannot detect file format")) == "无法识别的文件格式"
    assert not re.search(r"[A-Za-z]", exception_text(RuntimeError("boom")))
    import yaml as y

    with pytest.raises(y.YAMLError) as err:
        y.safe_load("[1, 2")
    assert re.fullmatch(r"第 1 行第 \d+ 列：方括号.*", yaml_problem(err.value))


def test_xlsx_renamed_to_xls_is_told_to_rename_it(tmp_path):
    src = Path(__file__).resolve().parents[1] / "workbook_templates" / L.TEMPLATE_FILENAME
    renamed = tmp_path / "自评表.xls"
    shutil.copy(src, renamed)
    out = run("check", renamed, ok=(2,))
    assert "改回" in out and "自评表.xlsx" in out and "另存为" not in out
    old = tmp_path / "旧表.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2048)
    out = run("check", old, ok=(2,))
    assert "另存为" in out
    assert zipfile.is_zipfile(renamed)  # untouched


def test_no_conversion_note_when_nothing_was_converted():
    from evaltool.core import values

    def q(text):
        return values.parse(text).quantity

    assert values.align(q("35万"), q("35万元")).note is None
    converted = values.align(q("35万元"), q("3500元"))
    assert converted.note and "换算" in converted.note


def test_check_report_names_the_paragraph_once(tmp_path):
    import docx

    case = next(c for c in case_files("自评表") if "seed002-各项工作运转经费" in c.name)
    out = tmp_path / "r.docx"
    run("report", case, "-o", out, ok=(0,))
    d = docx.Document(str(out))
    para = next(p for p in d.paragraphs if "执行率" in p.text)
    para.runs[0].text = "全年预算数 999 万元。" + para.runs[0].text
    d.save(str(out))
    text = run("check-report", out, case)
    line = next(x for x in text.splitlines() if "999" in x)
    assert len(re.findall(r"第 \d+ 段", line)) == 1, line


def test_report_text_mismatch_is_marked_in_place(tmp_path):
    book = tmp_path / "表.xlsx"
    case = next(c for c in case_files("自评表") if "seed000" in c.name)
    run("new", "--from", case, "-o", book)
    wb = openpyxl.load_workbook(book)
    ws = wb[L.SHEET_REPORT]
    cell = next(c for row in ws.iter_rows(min_col=1, max_col=1) for c in row if c.value == "预算执行偏差原因")
    target = ws.cell(cell.row, 2)
    before = "全年预算数 999 万元。"
    target.value = before
    wb.save(book)
    run("score", book)
    ws = openpyxl.load_workbook(book)[L.SHEET_REPORT]
    marked = ws.cell(cell.row, 2)
    assert marked.value == before  # the clerk's text is never changed
    assert marked.comment is not None and "999" in marked.comment.text
    assert marked.fill.fgColor.rgb.endswith(L.STYLES["error"]["fill"])
    # Fixed: the mark goes away on the next score.
    wb = openpyxl.load_workbook(book)
    wb[L.SHEET_REPORT].cell(cell.row, 2).value = "无偏差。"
    wb.save(book)
    run("score", book)
    ws = openpyxl.load_workbook(book)[L.SHEET_REPORT]
    assert ws.cell(cell.row, 2).comment is None


def test_demo_writes_outside_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    out = run("demo", ok=(0, 1))
    assert not (tmp_path / "evaltool-demo").exists()
    assert list((tmp_path / "tmp" / "evaltool-demo").glob("*.xlsx"))
    assert "evaltool-demo" in out
    mine = tmp_path / "我的演示"
    run("demo", "-o", mine, ok=(0, 1))
    assert list(mine.glob("*.xlsx"))
