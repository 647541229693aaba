"""The report PDF made on Linux, read back: distinct Simplified-Chinese faces per heading level (never a
Japanese face), and the 附表 showing the form's numbers with its header row on every page."""
from __future__ import annotations

import json
import re
from decimal import Decimal
import subprocess
from pathlib import Path

import docx
import pytest
import yaml
from click.testing import CliRunner

from evaltool.cli import main
from pdfpages import flat, page_texts
from test_print import thirty_case


def run(*args, ok=(0, 1)):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code in ok, (result.exit_code, result.output, result.exception)
    return result


@pytest.fixture(scope="module")
def report(tmp_path_factory, soffice):
    """The 30-indicator case's report, converted by `evaltool report --pdf` (the clerk's path)."""
    del soffice  # only to require LibreOffice; `report --pdf` runs it itself, with evaltool's font map
    tmp = tmp_path_factory.mktemp("report")
    case = tmp / "thirty.yaml"
    case.write_text(yaml.safe_dump(thirty_case(short=False), allow_unicode=True), "utf-8")
    out = tmp / "报告.docx"
    run("report", case, "-o", out, "--pdf", ok=(0,))
    return out, out.with_suffix(".pdf"), case


def text_fonts(pdf: Path) -> list[tuple[str, str]]:
    """(text, font family) of every text line, from poppler's pdftohtml -xml."""
    xml = subprocess.run(["pdftohtml", "-xml", "-i", "-stdout", str(pdf)], capture_output=True, text=True,
                         check=True).stdout
    families = {m.group(1): m.group(2).split("+")[-1]
                for m in re.finditer(r'<fontspec id="(\d+)" size="[^"]*" family="([^"]+)"', xml)}
    return [(re.sub(r"<[^>]+>", "", m.group(2)), families[m.group(1)])
            for m in re.finditer(r'<text [^>]*font="(\d+)"[^>]*>(.*?)</text>', xml)]


def test_heading_levels_use_distinct_chinese_faces(report):
    docx_path, pdf, _ = report
    doc = docx.Document(str(docx_path))
    first = {}
    for p in doc.paragraphs:
        style = p.style.name
        if p.text.strip() and style in ("Heading 1", "Heading 2", "Normal") and style not in first \
                and "【" not in p.text:
            first[style] = p.text.strip()[:12]
    lines = text_fonts(pdf)

    def face(start: str) -> str:
        return next(f for t, f in lines if flat(t).startswith(flat(start)))

    faces = {style: face(text) for style, text in first.items()}
    assert len(set(faces.values())) == 3, faces  # 黑体, 楷体 and 仿宋 look different
    used = {f for _, f in lines}
    assert not [f for f in used if re.search(r"jp|JP|Japan|-J\b", f)], used
    # The official names stay in the .docx for Word.
    styles = doc.styles
    assert styles["Heading 1"].element.xpath("string(.//w:rFonts/@w:eastAsia)") == "黑体"
    assert styles["Heading 2"].element.xpath("string(.//w:rFonts/@w:eastAsia)") == "楷体_GB2312"
    assert styles["Normal"].element.xpath("string(.//w:rFonts/@w:eastAsia)") == "仿宋_GB2312"


def test_attached_form_numbers_and_header_on_every_page(report):
    _, pdf, case = report
    texts = [flat(t) for t in page_texts(pdf)]
    start = next(i for i, t in enumerate(texts) if t.startswith("附表") or "附表项目支出绩效自评表" in t)
    end = next(i for i in range(start, len(texts)) if "评价等次：" in texts[i])
    assert end > start, "the 30-indicator 附表 should run over more than one page"
    for i in range(start, end + 1):
        assert all(label in texts[i] for label in ("一级指标", "三级指标", "年度指标值", "实际完成值")), f"page {i + 1}"
    form = "".join(texts[start:end + 1])
    # Scores as the form's cells show them (0.00): 2.50, 5.00, the 总分 with two decimals.
    assert "2.50" in form and "5.00" in form
    total = json.loads(run("score", case, "--json").output)
    total = total[0] if isinstance(total, list) else total
    total = total.get("总分", total.get("total"))
    assert total is not None
    assert f"{Decimal(str(total)):.2f}" in form, (total, form[-300:])


TITLES_NEAR_A_LINE = ["2025年度职业技能培训项目支出绩效评价报告", "某县2025年度农村公路养护项目绩效评价报告",
                      "2026年度农村公路日常养护绩效运行监控情况说明", "2025年度电子政务外网运维项目绩效评价报告"]


def test_titles_near_a_full_line_are_broken_by_evaltool_not_by_the_printer(tmp_path, soffice):
    """SWEEP S63: "2025年度职业技能培训项目支出绩效评价报告" measured 20 by halves (TITLE_CHARS_PER_LINE) and stayed
    one line, but LibreOffice's CJK–digit gap and wider digits made it wrap as "…绩效评价报 / 告". Every
    title line title_lines gives must print as one line: the PDF's title lines are exactly those."""
    del soffice  # only to require LibreOffice
    from evaltool.report.docx_writer import build_document, save_atomic, title_lines
    from evaltool.report.pdf import docx_to_pdf

    for n, title in enumerate(TITLES_NEAR_A_LINE):
        out = tmp_path / f"t{n}.docx"
        save_atomic(build_document(f"# {title}\n\n正文。", title=title), out)
        first = page_texts(docx_to_pdf(out))[0]
        printed = [line.strip() for line in first.split("正文")[0].splitlines() if line.strip()]
        assert [flat(x) for x in printed] == title_lines(title), (title, printed)
        assert all(len(flat(x)) > 1 for x in printed), printed
