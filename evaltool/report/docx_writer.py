"""Report markup → Word (.docx) in the style of GB/T 9704 official documents.

Title 方正小标宋简体 二号; body 仿宋_GB2312 三号 with a two-character first-line indent; level-1
headings 黑体, level-2 楷体_GB2312, level-3 仿宋 bold; A4 with margins 37/35/28/26 mm (top, bottom,
left, right); page numbers "— 1 —" in 宋体 四号 on the outer side. East-Asian font names go into
w:eastAsia (Word picks the CJK font from there, not from the Latin name), and the font table
names installed fallbacks (仿宋, 楷体, 宋体 …) for machines without the GB2312 fonts.
"""
from __future__ import annotations

import io
import math
import re
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import nsdecls, qn
from docx.oxml.parser import element_class_lookup
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph
from lxml import etree

from evaltool.core.fileio import atomic_path
from evaltool.report.context import PLACEHOLDER_RE

# GB/T 9704 fonts, and what to fall back to where they are not installed.
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
H1_FONT = "黑体"
H2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"
FALLBACKS = {
    "方正小标宋简体": ("华文中宋", "roman"),
    "仿宋_GB2312": ("仿宋", "modern"),
    "楷体_GB2312": ("楷体", "script"),
    "黑体": ("SimHei", "modern"),
    "宋体": ("SimSun", "auto"),
}

SIZE_2 = Pt(22)  # 二号
SIZE_3 = Pt(16)  # 三号
SIZE_4 = Pt(14)  # 四号
SIZE_TABLE = Pt(10.5)  # 五号, for the attached form
LINE = Pt(29)  # 22 lines on the 225 mm type area
TABLE_LINE = Pt(15)


# ---- low-level helpers --------------------------------------------------------------------------
def set_fonts(rpr_owner: Any, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Set Latin and East-Asian font names on a style or run, dropping theme fonts that override them."""
    rpr = rpr_owner.get_or_add_rPr() if hasattr(rpr_owner, "get_or_add_rPr") else rpr_owner
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:hint"), "eastAsia")


def _style(doc, name: str, base: str | None = None):
    from docx.enum.style import WD_STYLE_TYPE

    styles = doc.styles
    try:
        return styles[name]
    except KeyError:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        if base:
            style.base_style = styles[base]
        return style


def _plain_style(style, east_asia: str, size, bold: bool = False, latin: str = LATIN_FONT) -> None:
    rpr = style.element.get_or_add_rPr()
    for tag in ("w:color", "w:b", "w:bCs", "w:i", "w:iCs", "w:u", "w:caps", "w:spacing", "w:kern"):
        for el in rpr.findall(qn(tag)):
            rpr.remove(el)
    set_fonts(rpr, east_asia, latin)
    style.font.size = size
    style.font.bold = bold
    style.font.italic = False
    pf = style.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = LINE
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)


def _register_fallbacks(doc) -> None:
    """Name fallbacks in the font table (w:altName), which Word and LibreOffice consult."""
    font_part = next((p for p in doc.part.package.parts if str(p.partname) == "/word/fontTable.xml"), None)
    if font_part is None:
        return
    from lxml import etree

    root = etree.fromstring(font_part.blob)
    existing = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
    for name, (alt, family) in FALLBACKS.items():
        if name in existing:
            continue
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        alt_el = etree.SubElement(font, qn("w:altName"))
        alt_el.set(qn("w:val"), alt)
        charset = etree.SubElement(font, qn("w:charset"))
        charset.set(qn("w:val"), "86")  # GB2312
        fam = etree.SubElement(font, qn("w:family"))
        fam.set(qn("w:val"), family)
        pitch = etree.SubElement(font, qn("w:pitch"))
        pitch.set(qn("w:val"), "variable")
    font_part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def setup_document(doc) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.orientation = WD_ORIENT.PORTRAIT
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(20)

    # Document defaults, so every run (tables, footers) has an East-Asian font.
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
        if rpr is not None:
            set_fonts(rpr, BODY_FONT)

    normal = doc.styles["Normal"]
    _plain_style(normal, BODY_FONT, SIZE_3)
    normal.paragraph_format.first_line_indent = Pt(32)
    normal.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    normal.paragraph_format.widow_control = True

    title = _style(doc, "公文标题", "Normal")
    _plain_style(title, TITLE_FONT, SIZE_2)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.first_line_indent = Pt(0)
    title.paragraph_format.line_spacing = Pt(36)
    title.paragraph_format.space_after = Pt(29)

    for name, font, bold in (("Heading 1", H1_FONT, False), ("Heading 2", H2_FONT, False),
                             ("Heading 3", BODY_FONT, True)):
        style = doc.styles[name]
        _plain_style(style, font, SIZE_3, bold=bold)
        style.paragraph_format.first_line_indent = Pt(32)
        style.paragraph_format.keep_with_next = True
        style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT

    for name in ("Header", "Footer"):
        _plain_style(doc.styles[name], PAGE_NUMBER_FONT, SIZE_4, latin=PAGE_NUMBER_FONT)
        doc.styles[name].paragraph_format.first_line_indent = Pt(0)

    cell = _style(doc, "表格文字", "Normal")
    _plain_style(cell, BODY_FONT, SIZE_TABLE)
    cell.paragraph_format.first_line_indent = Pt(0)
    cell.paragraph_format.line_spacing = TABLE_LINE
    cell.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

    _page_numbers(doc)
    _register_fallbacks(doc)


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE) as fldChar begin/instr/separate/end runs."""
    def run_with(el):
        run = paragraph.add_run()
        run._r.append(el)
        return run

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run_with(instr)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run_with(sep)
    paragraph.add_run("1")
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def _page_numbers(doc) -> None:
    """GB/T 9704: "— 1 —", odd pages right and even pages left, one character in from the edge."""
    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    for footer, align, indent in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right"),
                                  (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left")):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        p.style = doc.styles["Footer"]
        p.alignment = align
        if indent == "right":
            p.paragraph_format.right_indent = Pt(14)
        else:
            p.paragraph_format.left_indent = Pt(14)
        p.add_run("— ")
        _field(p, "PAGE")
        p.add_run(" —")


# ---- content ------------------------------------------------------------------------------------
_INLINE = re.compile(r"(\*\*.+?\*\*|" + PLACEHOLDER_RE.pattern + ")")


_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def rich_pieces(text: str, bold: bool = False):
    """(text, bold, highlighted) of each run of a text with **bold** spans and 【待填写：…】 markers."""
    text = _XML_INVALID.sub("", text)  # Excel cells can carry control characters Word rejects
    for piece in _INLINE.split(text):
        if not piece:
            continue
        if piece.startswith("**") and piece.endswith("**") and len(piece) > 4:
            yield piece[2:-2], True, False
        elif PLACEHOLDER_RE.fullmatch(piece):
            yield piece, True, True
        else:
            yield piece, bold, False


def add_rich_text(paragraph, text: str, bold: bool = False) -> None:
    """Text with **bold** spans and highlighted 【待填写：…】 markers."""
    for piece, strong, marked in rich_pieces(text, bold):
        run = paragraph.add_run(piece)
        if strong:
            run.bold = True
        if marked:
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def _text_xml(text: str) -> str:
    """A run's content as python-docx writes it (run.text): tabs and line breaks become w:tab and
    w:br, the rest w:t, space-preserving when it starts or ends with white space."""
    out = []
    for n, chunk in enumerate(_RUN_SPECIAL.split(text)):
        if n % 2:
            out.append("<w:tab/>" if chunk == "\t" else "<w:br/>")
        elif chunk:
            space = ' xml:space="preserve"' if len(chunk.strip()) < len(chunk) else ""
            out.append(f"<w:t{space}>{_escape(chunk)}</w:t>")
    return "".join(out)


_RUN_SPECIAL = re.compile(r"([\t\r\n])")


def rich_text_xml(text: str, bold: bool = False) -> str:
    """The runs add_rich_text appends, as WordprocessingML text (for tables built as XML)."""
    out = []
    for piece, strong, marked in rich_pieces(text, bold):
        props = ("<w:b/>" if strong else "") + ('<w:highlight w:val="yellow"/>' if marked else "")
        out.append(f"<w:r>{'<w:rPr>' + props + '</w:rPr>' if props else ''}{_text_xml(piece)}</w:r>")
    return "".join(out)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xml_attr(value) -> str:
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")


TITLE_CHARS_PER_LINE = 20  # 二号 on the 156 mm type area
_TITLE_BREAK_AFTER = ("年度", "及", "和", "与", "暨", "、", "办公室", "局", "厅", "委", "中心", "平台", "系统", "建设",
                      "运维", "经费", "工作", "网站", "媒体", "服务", "管理", "专项")
_TITLE_BREAK_BEFORE = ("项目支出", "支出绩效", "绩效评价报告", "绩效自评报告", "绩效运行监控", "绩效目标审核", "部门整体",
                       "运行监控情况说明", "情况说明", "审核意见")
# Words of the report names a line must not split (回行时词意完整): "养护项 / 目绩效…" reads as nonsense.
_TITLE_WORDS = ("项目", "绩效", "支出", "评价", "报告", "自评", "运行", "监控", "情况", "说明", "目标", "审核", "意见",
                "部门", "整体", "年度")
_TITLE_SPLIT_PENALTY = 6  # more than any bonus: a balanced line is never worth a split word


def _splits_word(head: str, tail: str) -> bool:
    return any(head.endswith(word[:i]) and tail.startswith(word[i:]) for word in _TITLE_WORDS
               for i in range(1, len(word)))


def _break_before() -> tuple[str, ...]:
    """_TITLE_BREAK_BEFORE and every registered kind's report name (绩效目标审核意见 …): a title
    breaks before its report's name rather than inside the project's name."""
    from evaltool.core.kinds import kinds

    return _TITLE_BREAK_BEFORE + tuple(k.report_name for k in kinds() if k.report_name)


# Printed width in 二号 ems, with a safety margin: Word and LibreOffice put a quarter-em gap between a CJK
# character and a digit or letter ("2025 年度"), and the fallback fonts' digits are wider than half an
# em — a title measured at exactly 20 by halves wrapped as "…评价报 / 告" (SWEEP S63).
_LATIN_EM = 0.6
_AUTOSPACE_EM = 0.25


def _widths(text: str) -> list[float]:
    """The width of each prefix text[:1], text[:2] … (one pass: the autospace depends on the neighbour)."""
    out: list[float] = []
    acc, prev_wide, prev_alnum = 0.0, None, False
    for ch in text:
        wide = ord(ch) >= 0x2E80
        alnum = ch.isascii() and ch.isalnum()
        acc += 1.0 if wide else _LATIN_EM
        if prev_wide is not None and ((wide and prev_alnum) or (alnum and prev_wide)):
            acc += _AUTOSPACE_EM
        prev_wide, prev_alnum = wide, alnum
        out.append(acc)
    return out


def _width(text: str) -> float:
    return _widths(text)[-1] if text else 0.0


def title_lines(title: str, per_line: int = TITLE_CHARS_PER_LINE) -> list[str]:
    """Balanced title lines (GB/T 9704: 回行时词意完整、排列对称): no one-character last line.

    A U+2028 in the title (after the issuing unit) is the preferred first break; otherwise breaks go
    near equal widths, preferring spots after 年度/及/机关名 or before 项目支出… when one is close.
    """
    parts = title.split("\u2028")
    whole = "".join(parts)
    before = _break_before()
    if _width(whole) <= per_line:
        return [whole]
    lines: list[str] = []
    if len(parts) > 1 and _width(parts[0]) <= per_line:
        lines.append(parts[0])
        rest = "".join(parts[1:])
    else:
        rest = whole
    remaining = _width(rest)
    n = max(1, math.ceil(remaining / per_line))
    while n > 1:
        target = remaining / n
        candidates = []
        for k, acc in enumerate(_widths(rest[:-1]), start=1):
            if acc > per_line:  # no break point further on fits the line (and a long title is O(n²))
                break
            head, tail = rest[:k], rest[k:]
            bonus = (2.5 if head.endswith(_TITLE_BREAK_AFTER) else 0) + (3 if tail.startswith(before) else 0)
            if _splits_word(head, tail):
                bonus -= _TITLE_SPLIT_PENALTY
            if acc <= per_line:
                candidates.append((abs(acc - target) - bonus, k))
        k = min(candidates)[1] if candidates else len(rest) // n
        lines.append(rest[:k])
        rest = rest[k:]
        remaining = _width(rest)
        n -= 1
    lines.append(rest)
    return lines


_CJK = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’"
_LOOSE_SPACE = re.compile(rf"(?<=[{_CJK}])[ \t]+(?=[\d.+\-=≥≤<>])|(?<=[\d%])[ \t]+(?=[{_CJK}])")


def tighten(text: str) -> str:
    """Chinese typesetting puts no spaces between figures and characters ("265.69万元"); spaces
    there would be stretched by justification into visible gaps."""
    return _LOOSE_SPACE.sub("", text)


_PREPARED: list = []  # how many set up so far; from the second: the saved blank document and its style ids


def new_document():
    """A blank document with the report's styles, page and page numbers (setup_document).

    Setting up costs more than the rest of a report (python-docx scans the template's 438 KB of
    styles for every style it touches). A process making more than one report saves the set-up
    document once and opens the later ones from it: the same parts, so the same document.
    """
    if len(_PREPARED) == 2:
        blob, ids = _PREPARED
        doc = Document(io.BytesIO(blob))
        doc.__dict__["_evaltool_style_ids"] = dict(ids)  # same styles part, same ids
        return doc
    doc = Document()
    setup_document(doc)
    for name in REPORT_STYLES:
        style_id(doc, name)
    if not _PREPARED:
        _PREPARED.append(1)  # a one-report process (the CLI) does not pay for the saved copy
        return doc
    buffer = io.BytesIO()
    doc.save(buffer)
    _PREPARED[:] = [buffer.getvalue(), dict(doc.__dict__["_evaltool_style_ids"])]
    return doc


REPORT_STYLES = ("Heading 1", "Heading 2", "Heading 3", "公文标题", "表格文字", "Table Grid")


XML_PARSER = etree.XMLParser(resolve_entities=False)  # python-docx's element classes, every text node kept
XML_PARSER.set_element_class_lookup(element_class_lookup)


def add_xml_paragraph(doc, inner: str) -> Paragraph:
    """Append a paragraph given as WordprocessingML (its pPr and runs), as python-docx would add it."""
    p = etree.fromstring(f"<w:p {nsdecls('w')}>{inner}</w:p>", XML_PARSER)
    doc.element.body._insert_p(p)
    return Paragraph(p, doc._body)


def build_document(markup: str, form_writer=None, title: str | None = None, author: str | None = None):
    doc = new_document()
    ids = {name: style_id(doc, name) for name in ("Heading 1", "Heading 2", "Heading 3", "公文标题")}

    def styled(style_name: str, runs: str) -> Paragraph:
        # the markup python-docx writes for add_paragraph + set_style_id + add_rich_text, in one parse
        return add_xml_paragraph(doc, f'<w:pPr><w:pStyle w:val="{xml_attr(ids[style_name])}"/></w:pPr>{runs}')

    body_started = False
    signature = False
    last = None
    for raw in markup.split("\n"):  # not splitlines(): U+2028 marks a title break
        line = tighten(raw.strip())
        if not line:
            continue
        if line == "[[附表]]":
            if form_writer is not None:
                form_writer(doc)
            continue
        if line == "[[分页]]":
            add_xml_paragraph(doc, '<w:r><w:br w:type="page"/></w:r>')
            continue
        if line.startswith("#### "):
            p = styled("Heading 3", rich_text_xml(line[5:].strip()))
        elif line.startswith("### "):
            p = styled("Heading 2", rich_text_xml(line[4:].strip()))
        elif line.startswith("## "):
            p = styled("Heading 1", rich_text_xml(line[3:].strip()))
        elif line.startswith("# ") and not body_started:
            styled("公文标题", "<w:r><w:br/></w:r>".join(rich_text_xml(t) for t in title_lines(line[2:].strip())))
            continue
        elif line.startswith(">>"):
            # GB/T 9704 落款: a blank line above, kept on the page of the last paragraph.
            if last is not None and not signature:
                last.paragraph_format.keep_with_next = True
            p = doc.add_paragraph()
            p.paragraph_format.keep_with_next = True
            if not signature:
                p.paragraph_format.space_before = LINE
            signature = True
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            p.paragraph_format.first_line_indent = Pt(0)
            p.paragraph_format.right_indent = Pt(64)  # 落款 sits four characters in from the right
            add_rich_text(p, line[2:].strip())
        else:
            # justifying a lone marker spreads its characters: it is set flush left
            left = '<w:pPr><w:jc w:val="left"/></w:pPr>' if PLACEHOLDER_RE.fullmatch(line) else ""
            p = add_xml_paragraph(doc, left + rich_text_xml(line))
            signature = False
        body_started = True
        last = p
    props = doc.core_properties
    # Word's core properties hold at most 255 characters (python-docx refuses more).
    if title:
        props.title = title.replace("\u2028", "")[:255]
    # python-docx's own template says "python-docx" (shown in Word as 作者): the unit, or nothing
    props.author = str(author or "")[:255]
    props.last_modified_by = str(author or "")[:255]
    props.comments = "由 evaltool 根据项目支出绩效自评表生成"
    return doc


def landscape_section(doc):
    """A new landscape page for the attached form (nine columns need the width)."""
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(28), Mm(26)
    section.left_margin, section.right_margin = Mm(37), Mm(35)
    return section


def set_style_id(paragraph, style_id: str) -> None:
    """Set a paragraph style by id: python-docx's by-name lookup scans all styles on every call."""
    paragraph._p.style = style_id


def style_id(doc, name: str) -> str:
    """A style's id by name, remembered on the document: each python-docx lookup searches all of
    the template's styles (a tenth of a millisecond apiece, a dozen per report)."""
    ids = doc.__dict__.setdefault("_evaltool_style_ids", {})
    if name not in ids:
        ids[name] = doc.styles[name].style_id
    return ids[name]


def cell_text(cell, text: str, bold: bool = False, align=WD_ALIGN_PARAGRAPH.CENTER,
              style: str = "表格文字") -> None:
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    paragraph = cell.paragraphs[0]
    set_style_id(paragraph, style)
    paragraph.alignment = align
    lines = str(text).split("\n") if text else [""]
    for n, line in enumerate(lines):
        if n:
            paragraph = cell.add_paragraph()
            set_style_id(paragraph, style)
            paragraph.alignment = align
        add_rich_text(paragraph, line, bold=bold)


def no_split(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))


def save_atomic(doc, path: Path) -> None:
    """Write next to the target and rename, so a failed save never leaves half a report."""
    with atomic_path(path, busy_hint="Word 或 WPS") as tmp:
        doc.save(str(tmp))


__all__ = ["build_document", "setup_document", "landscape_section", "cell_text", "no_split", "set_fonts",
           "save_atomic", "add_rich_text", "set_style_id", "style_id", "tighten"]
