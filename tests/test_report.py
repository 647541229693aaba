"""Report generation: the Word file a clerk gets, opened with python-docx and read back."""
from __future__ import annotations

import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import docx
import pytest
import yaml
from click.testing import CliRunner
from docx.enum.text import WD_COLOR_INDEX
from docx.oxml.ns import qn

from evaltool.cli import evaluate_all, load_projects, main
from evaltool.core.caseio import case_from_dict
from evaltool.core.errors import InputError
from evaltool.report.consistency import analyze, find_mentions
from evaltool.report.generate import build_report, write_report
from evaltool.report.reading import read_report_texts
from tests.conftest import CASES_DIR, case_files

SEVEN = ["一、基本情况", "二、绩效评价工作开展情况", "三、综合评价情况及评价结论", "四、绩效评价指标分析",
         "五、主要经验及做法、存在的问题及原因分析", "六、有关建议", "七、其他需要说明的问题"]
SELF_CASES = case_files("自评表")


def scored(path):
    (p, r), = evaluate_all(load_projects(str(path)))
    return p, r


def scored_dict(data: dict):
    (p, r), = evaluate_all([case_from_dict(data, "测试案例")])
    return p, r


def body_paragraphs(document) -> list:
    """Paragraphs of the narrative (before the attached form)."""
    out = []
    for p in document.paragraphs:
        if p.style.name == "Heading 1" and p.text.strip() == "附表":
            break
        out.append(p)
    return out


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, tuple[Path, object, object]]:
    folder = tmp_path_factory.mktemp("reports")
    out = {}
    for case in SELF_CASES:
        p, r = scored(case)
        path = write_report(p, r, folder / f"{case.stem}.docx")
        out[case.stem] = (path, p, r)
    return out


def test_there_are_self_evaluation_cases():
    assert len(SELF_CASES) >= 5


@pytest.mark.parametrize("case", SELF_CASES, ids=lambda c: c.stem)
def test_report_has_the_seven_headings_in_order_and_the_form(reports, case):
    path, project, result = reports[case.stem]
    document = docx.Document(str(path))
    level1 = [p.text.strip() for p in document.paragraphs if p.style.name == "Heading 1"]
    assert level1[:7] == SEVEN
    assert level1[7] == "附表"
    level2 = [p.text.strip() for p in document.paragraphs if p.style.name == "Heading 2"]
    for sub in ("（一）项目概况", "（二）项目绩效目标", "（一）项目决策情况", "（二）项目过程情况", "（三）项目产出情况",
                "（四）项目效益情况"):
        assert sub in level2
    assert "3.资金投入和使用情况" in [p.text for p in document.paragraphs if p.style.name == "Heading 3"]
    # The attached form: the project part, then one table holding every indicator (its header row
    # repeats on every page), the computed 执行率 and 总分.
    assert len(document.tables) == 2
    top, table = document.tables
    assert table.rows[0]._tr.xpath("./w:trPr/w:tblHeader")
    cells = [c.text for t in (top, table) for row in t.rows for c in row.cells]
    for ind in project.indicators:
        assert str(ind.level3).strip() in cells
    expected = project.expected
    assert f"{Decimal(str(expected['执行率'])) * 100:.2f}%" in cells
    total_row = [c.text for c in table.rows[-1].cells]
    assert total_row[0] == "总分"
    assert Decimal(total_row[7]) == Decimal(str(expected["总分"]))
    assert total_row[8] == f"评价等次：{expected['等次']}"


def _statement(texts: str, pattern: str) -> str:
    m = re.search(pattern, texts)
    assert m, f"report does not say {pattern}"
    return m.group(1)


@pytest.mark.parametrize("case", SELF_CASES, ids=lambda c: c.stem)
def test_every_number_in_the_report_equals_the_table(reports, case):
    path, project, result = reports[case.stem]
    raw = yaml.safe_load(case.read_text("utf-8"))
    expected = raw["期望"]
    texts, locations = read_report_texts(path)
    body = "\n".join(texts.values())
    # The headline figures, parsed back and compared with the case file (not with the generator).
    funds = raw["项目资金"]["年度资金总额"]
    assert Decimal(_statement(body, r"全年预算数([\d.]+)万元")) == Decimal(str(funds["全年预算数"]))
    assert Decimal(_statement(body, r"全年执行数([\d.]+)万元")) == Decimal(str(funds["全年执行数"]))
    assert Decimal(_statement(body, r"预算执行率([\d.]+)%")) == Decimal(str(expected["执行率"])) * 100
    assert Decimal(_statement(body, r"预算执行率得分([\d.]+)分")) == Decimal(str(expected["执行率得分"]))
    assert Decimal(_statement(body, r"自评总分([\d.]+)分")) == Decimal(str(expected["总分"]))
    assert _statement(body, r"评价等次为“(.)”") == expected["等次"]
    for item in raw["绩效指标"]:
        label_match = re.search(r"“([^”]+)”：年度指标值为?“([^”]*)”，(?:实际完成值|完成情况为)“([^”]*)”，得分([\d.]+)分（分值([\d.]+)分）",
                                body)
        assert label_match
    lines = re.findall(r"“([^”]+)”：年度指标值为?“([^”]*)”，(?:实际完成值|完成情况为)“([^”]*)”，得分([\d.]+)分（分值([\d.]+)分）",
                       body)
    assert len(lines) == len(raw["绩效指标"])
    for (label, target, actual, score, weight), item in zip(lines, raw["绩效指标"]):
        assert str(item["三级指标"]).startswith(label.rstrip("等")) or label.rstrip("等") in str(item["三级指标"])
        assert target == str(item["年度指标值"]).replace(" ", "")
        assert Decimal(weight) == Decimal(str(item["分值"]))
        if "得分" in item:
            assert Decimal(score) == Decimal(str(item["得分"])) or case.stem.startswith("seed000")
    # Every number with a unit the report states is read back by the checker as a fact of the form
    # and agrees with it; the only unattributed figures are those the clerk typed in the form's texts.
    findings, attributions = analyze(project, result, texts, locations, include_table_texts=False)
    assert findings == []
    clerk_texts = " ".join(str(v) for v in (raw.get("年度总体目标") or {}).values())
    clerk_texts += " ".join(str(v) for v in (raw.get("报告素材") or {}).values())
    clerk_figures = {(m.value, m.unit) for m in find_mentions(clerk_texts.replace(" ", ""))}
    for a in attributions:
        if a.fact is None:
            assert (a.mention.value, a.mention.unit) in clerk_figures, a.sentence.text
        else:
            assert a.consistent, a.sentence.text
    assert sum(a.fact is not None for a in attributions) >= 20


def test_gb9704_styles_fonts_margins_and_page_numbers(reports):
    path, _, _ = reports[SELF_CASES[0].stem]
    document = docx.Document(str(path))

    def east_asia(style_name):
        fonts = document.styles[style_name].element.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:asciiTheme")) is None and fonts.get(qn("w:eastAsiaTheme")) is None
        return fonts.get(qn("w:eastAsia")), document.styles[style_name].font.size.pt

    assert east_asia("公文标题") == ("方正小标宋简体", 22)
    assert east_asia("Normal") == ("仿宋_GB2312", 16)
    assert east_asia("Heading 1") == ("黑体", 16)
    assert east_asia("Heading 2") == ("楷体_GB2312", 16)
    assert east_asia("Heading 3") == ("仿宋_GB2312", 16)
    assert document.styles["Heading 3"].font.bold is True
    for name in ("Heading 1", "Heading 2"):
        assert document.styles[name].font.bold is False
        assert document.styles[name].element.rPr.find(qn("w:color")) is None
    title = document.paragraphs[0]
    assert title.style.name == "公文标题" and title.text.endswith("绩效评价报告")
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(x.mm) for x in (section.top_margin, section.bottom_margin, section.left_margin,
                                  section.right_margin)] == [37, 35, 28, 26]
    assert document.settings.odd_and_even_pages_header_footer
    for footer in (section.footer, section.even_page_footer):
        xml = footer.paragraphs[0]._p.xml
        assert "PAGE" in xml and footer.paragraphs[0].text.startswith("— ")
    # Fallback fonts are named in the font table for machines without the GB2312 fonts.
    font_table = next(p for p in document.part.package.parts if str(p.partname) == "/word/fontTable.xml").blob
    text = font_table.decode("utf-8")
    assert 'w:name="仿宋_GB2312"' in text and 'w:val="仿宋"' in text and 'w:val="楷体"' in text
    # The attached form is on a landscape page.
    assert document.sections[-1].page_width > document.sections[-1].page_height


def test_empty_free_texts_are_marked_and_given_texts_are_used(tmp_path):
    data = yaml.safe_load(next(c for c in SELF_CASES if "seed003" in c.name).read_text("utf-8"))
    p, r = scored_dict(data)
    document = build_report(p, r)
    paragraphs = body_paragraphs(document)
    text = "\n".join(x.text for x in paragraphs)
    # Given texts appear verbatim; missing ones are asked for, never invented.
    assert data["报告素材"]["主要经验及做法"] in text
    assert data["报告素材"]["有关建议"] in text
    assert "【待填写：项目背景和立项依据（文件名称、文号）】" in text
    assert "【待填写：其他需要说明的问题（如没有，请填写“无”）】" in text
    marked = [run for x in paragraphs for run in x.runs if run.text.startswith("【待填写")]
    assert marked and all(run.font.highlight_color == WD_COLOR_INDEX.YELLOW and run.bold for run in marked)
    for praise in ("取得了良好成效", "圆满完成", "成效显著"):
        assert praise not in text


def test_shortfalls_are_analysed_with_their_reasons():
    data = yaml.safe_load(next(c for c in SELF_CASES if "seed003" in c.name).read_text("utf-8"))
    data["绩效指标"][1]["实际完成值"] = "12个"  # 政务公开专区建设 12 of 14
    data["绩效指标"][1]["偏差原因分析及改进措施"] = "两个乡镇专区因场地调整延至次年建设。"
    data["绩效指标"][6]["实际完成值"] = "560个"  # 网站服务单位 560 of 700, no reason given
    p, r = scored_dict(data)
    document = build_report(p, r)
    text = "\n".join(x.text for x in body_paragraphs(document))
    assert "“政务公开专区建设数量”：年度指标值“≥14个”，实际完成值“12个”，得分8.57分（分值10分），未达到年度指标值。" in text
    assert "偏差原因及改进措施：两个乡镇专区因场地调整延至次年建设。" in text
    assert "【待填写：“网站服务单位数”得分低于分值" in text
    assert "9个三级指标中，得满分的7个，未得满分的2个：“政务公开专区建设数量”、“网站服务单位数”" in text
    assert "项目自评总分96.55分" in text and "效益指标得分28分（分值30分）" in text
    assert "产出指标得分48.57分（分值50分）" in text
    assert "1.数量指标（分值20分，得分18.57分）" in text
    # And the narrative still agrees with the table by the checker's reading.
    texts = {"正文": text}
    findings, _ = analyze(p, r, texts, include_table_texts=False)
    assert findings == []


def test_clerk_text_cannot_inject_layout():
    data = yaml.safe_load(next(c for c in SELF_CASES if "seed003" in c.name).read_text("utf-8"))
    data["报告素材"]["有关建议"] = "## 假标题\n[[附表]]\n>> 伪落款\n第二段建议。"
    p, r = scored_dict(data)
    document = build_report(p, r)
    headings = [x.text for x in document.paragraphs if x.style.name.startswith("Heading")]
    assert "假标题" not in " ".join(headings)
    assert len(document.tables) == 2  # the 附表 only (its two parts)
    text = [x.text for x in document.paragraphs]
    assert "＃# 假标题" in text and "［［附表］］" in text and "第二段建议。" in text


def _template_dir(tmp_path: Path, body: str) -> Path:
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "report.md.j2").write_text(body, "utf-8")
    return folder


@pytest.mark.parametrize("body, words", [
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "不允许"),
    ("{{ project.__class__ }}", "不允许"),
    ("{{ text.__globals__ }}", "不允许"),
    ("{{ levels[0].__dict__ }}", "不允许"),
    ("{% include '../../../../etc/passwd' %}", "不在模板目录内"),
    ("{% include '/etc/passwd' %}", "不在模板目录内"),
    ("{% import 'os' as os %}", "不在模板目录内"),
    ("{{ no_such_variable }}", "不存在的变量"),
    ("{{ 'x' * 1000000000 }}", "不允许"),
    ("{{ 9 ** 9 ** 9 }}", "不允许"),
    ("{% for i in range(10 ** 8) %}{{ i }}{% endfor %}", "运行出错"),
    ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "递归"),
    ("{% for x in %}", "语法错误"),
])
def test_hostile_or_broken_templates_fail_with_a_clear_message(tmp_path, body, words):
    p, r = scored(SELF_CASES[0])
    folder = _template_dir(tmp_path, "# 标题\n" + body + "\n")
    with pytest.raises(InputError) as err:
        build_report(p, r, template_dir=folder)
    assert words in str(err.value)
    assert "report.md.j2" in str(err.value) or "passwd" in str(err.value) or "os" in str(err.value)


def test_a_bureau_template_replaces_the_builtin_one_and_reuses_its_macros(tmp_path):
    p, r = scored(SELF_CASES[0])
    folder = _template_dir(tmp_path, "{% import 'macros.md.j2' as m %}\n# 某市财政局绩效评价报告\n## 一、项目基本情况\n"
                                     "{{ m.funds_paragraph(funds) }}\n## 二、自评结论\n{{ m.conclusion(total, grade, funds, levels) }}\n[[附表]]\n")
    document = build_report(p, r, template_dir=folder)
    assert document.paragraphs[0].text == "某市财政局绩效评价报告"
    assert [x.text for x in document.paragraphs if x.style.name == "Heading 1"] == ["一、项目基本情况", "二、自评结论", "附表"]
    assert "预算执行率98.57%" in document.paragraphs[2].text
    assert len(document.tables) == 2  # the 附表 (its two parts)


def test_cli_report_check_report_and_demo(tmp_path, monkeypatch):
    runner = CliRunner()
    case = next(c for c in SELF_CASES if "seed003" in c.name)
    out = tmp_path / "报告.docx"
    res = runner.invoke(main, ["report", str(case), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert out.exists() and "已生成报告" in res.output
    res = runner.invoke(main, ["check-report", str(out), str(case)])
    assert res.exit_code == 0, res.output
    assert "没有发现问题" in res.output
    # A form with errors still gets its report, and the exit code says there is something to fix.
    res = runner.invoke(main, ["report", str(next(c for c in SELF_CASES if "seed000" in c.name)),
                               "-o", str(tmp_path / "s0.docx")])
    assert res.exit_code == 1 and (tmp_path / "s0.docx").exists() and "错误" in res.output
    res = runner.invoke(main, ["report", str(case), "-o", str(tmp_path / "x.pdf")])
    assert res.exit_code == 2 and ".docx" in res.output
    res = runner.invoke(main, ["report", str(case), "--template", str(tmp_path / "none")])
    assert res.exit_code == 2
    monkeypatch.delenv("EVALTOOL_DEMO_NO_FILES", raising=False)
    res = runner.invoke(main, ["demo", "-o", str(tmp_path / "demo")])
    assert res.exit_code == 0, res.output
    demo_report = tmp_path / "demo" / "示例-绩效评价报告.docx"
    assert demo_report.exists()
    assert [x.text for x in docx.Document(str(demo_report)).paragraphs if x.style.name == "Heading 1"][:7] == SEVEN


def test_pdf_without_libreoffice_says_so(tmp_path, monkeypatch):
    import evaltool.report.pdf as pdf

    monkeypatch.setattr(pdf, "find_soffice", lambda: None)
    case = SELF_CASES[0]
    res = CliRunner().invoke(main, ["report", str(case), "-o", str(tmp_path / "r.docx"), "--pdf"])
    assert res.exit_code == 2
    assert "未找到 LibreOffice" in res.output and (tmp_path / "r.docx").exists()


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice/poppler not installed")
def test_pdf_through_libreoffice_renders_the_report(tmp_path):
    case = next(c for c in SELF_CASES if "seed002-电子政务" in c.name)
    out = tmp_path / "报告.docx"
    res = CliRunner().invoke(main, ["report", str(case), "-o", str(out), "--pdf"])
    assert res.exit_code == 0, res.output
    pdf_path = out.with_suffix(".pdf")
    assert pdf_path.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-layout", str(pdf_path), "-"], capture_output=True, text=True,
                          check=True).stdout
    squashed = re.sub(r"\s+", "", text)
    for heading in SEVEN:
        assert heading in squashed
    assert "项目支出绩效自评表" in squashed and "95.16" in squashed and "51.56%" in squashed
    assert "—1—" in squashed  # page number footer
    pages = subprocess.run(["pdfinfo", str(pdf_path)], capture_output=True, text=True).stdout
    assert int(re.search(r"Pages:\s+(\d+)", pages).group(1)) >= 4


def test_report_from_a_filled_workbook(tmp_path):
    """The .xlsx path end to end: a workbook built by `evaltool new --from`, its 报告素材 sheet included."""
    data = yaml.safe_load(next(c for c in SELF_CASES if "seed002-电子政务" in c.name).read_text("utf-8"))
    data["报告素材"] = {
        "项目背景": "依据《霍邱县电子政务建设规划》安排本项目。",
        "主要内容及实施情况": "举办在线访谈 4 期、新闻发布会 14 场。",
        "主要经验及做法": "全年开展在线访谈 4 期，新闻发布会 15 期。",
    }
    case = tmp_path / "case.yaml"
    case.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    book = tmp_path / "自评表.xlsx"
    runner = CliRunner()
    res = runner.invoke(main, ["new", "--from", str(case), "-o", str(book)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(main, ["report", str(book)])
    assert res.exit_code == 0, res.output
    out = tmp_path / "自评表-绩效评价报告.docx"
    document = docx.Document(str(out))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "依据《霍邱县电子政务建设规划》安排本项目。" in text
    assert "项目自评总分95.16分" in text
    # The material contradicts itself (14 场 / 15 期): the clerk is told when the report is made.
    squashed = " ".join(res.output.split())
    assert "报告素材中的数字与自评表不一致" in squashed and "新闻发布会" in squashed
    res = runner.invoke(main, ["report", str(book), "--sheet", "没有这个表"])
    assert res.exit_code == 2 and "没有名为“没有这个表”" in res.output


def test_scoring_table_report_follows_the_outline_and_agrees_with_its_table(tmp_path):
    """A 评分表 (seed 001 shape) gets the same seven-part report, its 附表 being the scoring table."""
    case = next(CASES_DIR.glob("seed001*.yaml"))
    p, r = scored(case)
    path = write_report(p, r, tmp_path / "评分表报告.docx")
    document = docx.Document(str(path))
    assert [x.text for x in document.paragraphs if x.style.name == "Heading 1"] == SEVEN + ["附表"]
    texts, locations = read_report_texts(path)
    body = "\n".join(texts.values())
    assert "项目计划投资195.01万元，实际到位195.01万元，资金到位率100%。实际使用87.44万元，占实际到位资金的44.84%" in body
    assert "评分表总分98.5分，2位评价人员平均得分98.5分，评价等次为“优”" in body
    assert "“分配结果”扣1分" in body and "“到位率”扣0.5分" in body
    assert "“2020年度信息系统运维项目”开展了绩效评价" in body
    findings, attributions = analyze(p, r, texts, locations, include_table_texts=False)
    assert findings == []
    assert all(a.consistent for a in attributions if a.fact is not None)
    scoring, evaluators = document.tables[1], document.tables[2]
    assert [c.text for c in scoring.rows[-1].cells][-1] == "98.5"
    assert [c.text for c in evaluators.rows[-1].cells][-1] == "98.5"


def test_a_form_with_errors_gets_a_report_that_says_so_and_claims_nothing():
    data = {"年度": 2023, "项目名称": "坏数据", "项目资金": {"年度资金总额": {"全年预算数": "abc", "全年执行数": 5}},
            "绩效指标": [{"一级指标": "产出指标", "二级指标": "数量指标", "三级指标": "甲", "年度指标值": "≥10个",
                      "实际完成值": "很多", "分值": 50}]}
    p, r = scored_dict(data)
    document = build_report(p, r)
    text = "\n".join(x.text for x in body_paragraphs(document))
    assert document.paragraphs[1].text.startswith("【待核实：自评表尚有")
    assert "全部得满分" not in text and "部分指标未能计分" in text
    assert "【待填写：以下指标未能计分，请先在自评表中改正后重新生成报告：甲】" in text
    assert [x.text for x in document.paragraphs if x.style.name == "Heading 1"][:7] == SEVEN


def test_long_titles_break_into_balanced_lines():
    from evaltool.report.docx_writer import title_lines

    assert title_lines("霍邱县人民政府办公室\u20282022年度电子政务各项专项经费项目支出绩效评价报告") == \
        ["霍邱县人民政府办公室", "2022年度电子政务各项专项经费", "项目支出绩效评价报告"]
    for title in ("淮南市人民政府办公室\u20282023年度政府网站及政务新媒体日常安全运维项目支出绩效评价报告",
                  "宜春市大数据发展管理局\u20282022年度电子政务外网及智慧办公平台运维工作经费项目支出绩效评价报告"):
        lines = title_lines(title)
        assert "".join(lines) == title.replace("\u2028", "")
        assert all(len(line) >= 6 and len(line) <= 20 for line in lines)
    assert title_lines("测试项目支出绩效评价报告") == ["测试项目支出绩效评价报告"]


def test_title_takes_the_unit_as_the_context_cleaned_it():
    from evaltool.report.context import clean_unit
    from evaltool.report.render import report_title

    unit = clean_unit("021001-021-某单位")  # cleaned once, as the context does
    title = report_title({"project": {"name": "测试项目", "year": "2023", "unit": unit}})
    assert title == "021-某单位\u20282023年度测试项目支出绩效评价报告"
    assert report_title({"project": {"name": "2023年测试", "year": "2023", "unit": ""}}) == "2023年测试项目支出绩效评价报告"
