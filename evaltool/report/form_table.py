"""The attached 附表: the filled 项目支出绩效自评表 as a Word table, with the computed 执行率,
scores and 总分 in place (the same numbers the narrative states)."""
from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import nsdecls
from docx.shared import Emu, Mm, Pt
from lxml import etree

from evaltool.core.decimals import fmt
from evaltool.core.model import FUND_ROWS, Project, ScoreResult
from evaltool.report.context import build_context, raw_text
from evaltool.report.docx_writer import (XML_PARSER, cell_text, landscape_section, rich_text_xml, set_style_id, style_id,
                                         xml_attr)

# Column widths (mm) on the 225 mm landscape type area.
WIDTHS = (18, 18, 22, 45, 27, 27, 13, 21, 34)
FUND_LABELS = {"年度资金总额": "年度资金总额", "本年财政拨款": "其中：本年财政拨款",
               "上年结转资金": "上年结转资金", "其他资金": "其他资金"}
LEFT = WD_ALIGN_PARAGRAPH.LEFT
CENTER = WD_ALIGN_PARAGRAPH.CENTER


class TableXml:
    """A Word table written as WordprocessingML text and parsed once, merges included.

    The same puts and merges as Grid (python-docx cells merged one by one), which cost most of a
    report: python-docx re-walks the table grid for every merge and every property it sets. The
    markup is what python-docx writes for the same calls (tests/test_report_table.py compares the
    two), so the document reads, prints and merges as before.
    """

    def __init__(self, nrows: int, widths: list[int], cell_style: str | None, table_style: str,
                 fixed: bool = True, narrow: bool = True):
        self.nrows = nrows
        self.widths = widths  # twips, one per grid column (w:gridCol and each w:tcW)
        self.cols = len(widths)
        self.style = cell_style
        self.table_style = table_style
        self.fixed = fixed
        self.narrow = narrow
        self.cells: dict[tuple[int, int], tuple[str, bool, object]] = {}
        self.merges: list[tuple[int, int, int, int]] = []
        self.row_props: dict[int, list[str]] = {}

    def put(self, r: int, c: int, text: str, bold: bool = False, align=CENTER, to: int | None = None,
            down: int | None = None) -> None:
        if (r, c) in self.cells:
            raise ValueError(f"cell ({r}, {c}) written twice")
        self.cells[r, c] = (text, bold, align)
        r2 = down if down is not None else r
        c2 = to if to is not None else c
        if r2 < r or c2 < c or r2 >= self.nrows or c2 >= self.cols:
            raise ValueError(f"merge ({r}, {c})–({r2}, {c2}) outside the table")
        if (r2, c2) != (r, c):
            self.merges.append((r, c, r2, c2))

    def no_split(self, r: int) -> None:
        self.row_props.setdefault(r, []).append("<w:cantSplit/>")

    def repeat_header(self, r: int) -> None:
        """The row is the table's header: Word and LibreOffice repeat it at the top of every page."""
        self.row_props.setdefault(r, []).append("<w:tblHeader/>")

    def _paragraphs(self, text, bold: bool, align) -> str:
        ppr = ((f'<w:pStyle w:val="{xml_attr(self.style)}"/>' if self.style is not None else "")
               + f'<w:jc w:val="{WD_ALIGN_PARAGRAPH.to_xml(align)}"/>')
        lines = str(text).split("\n") if text else [""]  # as cell_text: one paragraph per line
        return "".join(f"<w:p><w:pPr>{ppr}</w:pPr>{rich_text_xml(line, bold)}</w:p>" for line in lines)

    def xml(self) -> str:
        span: dict[tuple[int, int], tuple[int, str]] = {}  # first cell of a merge row: (columns, vMerge)
        hidden: set[tuple[int, int]] = set()  # cells a gridSpan swallows
        for r1, c1, r2, c2 in self.merges:
            for r in range(r1, r2 + 1):
                if (r, c1) in span or any((r, c) in hidden or (r, c) in span for c in range(c1 + 1, c2 + 1)):
                    raise ValueError(f"merges overlap at row {r}")
                vmerge = "" if r1 == r2 else '<w:vMerge w:val="restart"/>' if r == r1 else "<w:vMerge/>"
                span[r, c1] = (c2 - c1 + 1, vmerge)
                hidden.update((r, c) for c in range(c1 + 1, c2 + 1))
        for r, c in self.cells:
            if (r, c) in hidden or (r, c) in span and span[r, c][1] == "<w:vMerge/>":
                raise ValueError(f"cell ({r}, {c}) written inside a merge")
        widths = self.widths
        out = [f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblStyle w:val="{xml_attr(self.table_style)}"/>'
               '<w:tblW w:type="auto" w:w="0"/><w:jc w:val="center"/>',
               '<w:tblLayout w:type="fixed"/>' if self.fixed else "",
               '<w:tblLook w:firstColumn="1" w:firstRow="1" w:lastColumn="0" w:lastRow="0" w:noHBand="0" '
               'w:noVBand="1" w:val="04A0"/>',
               # after tblLook, where narrow_margins has always appended it
               '<w:tblCellMar><w:left w:w="%d" w:type="dxa"/><w:right w:w="%d" w:type="dxa"/></w:tblCellMar>'
               % ((int(1.0 * 56.7),) * 2) if self.narrow else "",
               "</w:tblPr><w:tblGrid>", "".join(f'<w:gridCol w:w="{w}"/>' for w in widths), "</w:tblGrid>"]
        cells = self.cells
        for r in range(self.nrows):
            props = self.row_props.get(r)
            out.append(f"<w:tr><w:trPr>{''.join(props)}</w:trPr>" if props else "<w:tr>")
            for c in range(self.cols):
                if (r, c) in hidden:
                    continue
                n, vmerge = span.get((r, c), (1, ""))
                tcpr = f'<w:tcW w:type="dxa" w:w="{sum(widths[c:c + n])}"/>'
                if n > 1:
                    tcpr += f'<w:gridSpan w:val="{n}"/>'
                tcpr += vmerge
                put = cells.get((r, c))
                if put is None:
                    out.append(f"<w:tc><w:tcPr>{tcpr}</w:tcPr><w:p/></w:tc>")
                else:
                    out.append(f'<w:tc><w:tcPr>{tcpr}<w:vAlign w:val="center"/></w:tcPr>'
                               f"{self._paragraphs(*put)}</w:tc>")
            out.append("</w:tr>")
        out.append("</w:tbl>")
        return "".join(out)

    def add_to(self, doc):
        """Append the table at the end of the document body (before its last section's properties)."""
        tbl = etree.fromstring(self.xml(), XML_PARSER)
        doc.element.body._insert_tbl(tbl)
        return tbl


def _new_table(doc, nrows: int, widths, narrow: bool = True) -> TableXml:
    """A centred grid table with fixed column widths (Word honours cell widths, LibreOffice column ones)."""
    return TableXml(nrows, [Mm(w).twips for w in widths], style_id(doc, "表格文字"),
                    style_id(doc, "Table Grid"), narrow=narrow)


class Grid:
    """python-docx cells addressed once, text written first, merges applied last: the reference
    TableXml is tested against (it builds the same table markup without python-docx's merge cost).

    python-docx recomputes the whole cell grid on every table.cell() call, which made one report
    take seconds; the cell objects of an unmerged table stay valid through these merges because
    each merge only removes cells inside its own rectangle.
    """

    def __init__(self, table, cols: int, cell_style: str):
        self.cells = table._cells
        self.cols = cols
        self.style = cell_style
        self.merges: list[tuple[int, int, int, int]] = []

    def cell(self, r: int, c: int):
        return self.cells[r * self.cols + c]

    def put(self, r: int, c: int, text: str, bold: bool = False, align=CENTER, to: int | None = None,
            down: int | None = None) -> None:
        cell_text(self.cell(r, c), text, bold=bold, align=align, style=self.style)
        if (to is not None and to != c) or (down is not None and down != r):
            self.merges.append((r, c, down if down is not None else r, to if to is not None else c))

    def merge_all(self) -> None:
        import sys

        from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT

        # python-docx merges a span recursively, a few frames per row: a 一级指标 spanning 1,000
        # indicator rows needs more than Python's default depth (pure-Python frames, no C stack).
        depth = sys.getrecursionlimit()
        tallest = max((r2 - r1 for r1, _, r2, _ in self.merges), default=0)
        sys.setrecursionlimit(max(depth, 1000 + 20 * tallest))
        try:
            for r1, c1, r2, c2 in self.merges:
                merged = self.cell(r1, c1).merge(self.cell(r2, c2))
                merged.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        finally:
            sys.setrecursionlimit(depth)


def narrow_margins(table, mm: float = 1.0) -> None:
    """Cell margins of 1 mm (Word's default is 1.9 mm): 达成预期指标 then fits its column on one line."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tbl_pr = table._tbl.tblPr
    mar = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(int(mm * 56.7)))
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    tbl_pr.append(mar)


def _runs(keys: list) -> list[tuple[int, int]]:
    """(first, last) index of each run of equal consecutive keys."""
    out, n = [], 0
    while n < len(keys):
        m = n
        while m + 1 < len(keys) and keys[m + 1] == keys[n]:
            m += 1
        out.append((n, m))
        n = m + 1
    return out


def repeat_header(row) -> None:
    """The row is the table's header: Word and LibreOffice repeat it at the top of every page."""
    from docx.oxml import OxmlElement

    row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))


def _form_places(project: Project) -> int:
    """Decimals of the form's 得分 cells (the rule set's, or the 设置 sheet's 小数位)."""
    from evaltool.core.errors import InputError
    from evaltool.workbook.evaluate import rule_set_for

    try:
        return rule_set_for(project).places
    except InputError:
        return 2


def write_form(doc, project: Project, result: ScoreResult, context: dict | None = None) -> None:
    ctx = context or build_context(project, result)
    landscape_section(doc)
    _heading(doc, "附表", "项目支出绩效自评表", f"（{ctx['project']['year']}年度）")
    places = _form_places(project)

    def form_score(value) -> str:
        """A score as its cell on the form shows it (number format 0.00 with the rule set's decimals)."""
        return "" if value is None else fmt(value, places)

    # Two tables drawn as one: the project part, then the indicators, whose header row repeats on
    # every page (w:tblHeader works only on a table's first rows).
    grid = _new_table(doc, 9, WIDTHS)
    for r in range(9):
        grid.no_split(r)
    put = grid.put

    # Header
    put(0, 0, "项目名称", bold=True)
    put(0, 1, raw_text(project.name), align=LEFT, to=8)
    put(1, 0, "主管部门", bold=True)
    put(1, 1, raw_text(project.department), align=LEFT, to=4)
    put(1, 5, "实施单位", bold=True)
    put(1, 6, raw_text(project.unit), align=LEFT, to=8)

    # 项目资金（万元）
    r0 = 2
    put(r0, 0, "项目资金\n（万元）", bold=True, down=r0 + 4)
    put(r0, 1, "", to=2)
    for c, label in zip(range(3, 9), ("年初预算数", "全年预算数（A）", "全年执行数（B）", "分值", "执行率\n（B/A）", "得分")):
        put(r0, c, label, bold=True)
    funds = ctx["funds"]
    for k, (label, view) in enumerate(zip(FUND_ROWS, funds["rows"])):
        r = r0 + 1 + k
        put(r, 1, FUND_LABELS[label], align=LEFT, to=2)
        put(r, 3, view.initial if view.has_initial else "")
        put(r, 4, view.budget)
        put(r, 5, view.actual)
        if label == "年度资金总额":
            put(r, 6, funds["rate_weight"])
            put(r, 7, funds["rate_form"])
            put(r, 8, form_score(result.rate_score) if result.rate_score is not None else funds["rate_score_form"])
        else:
            put(r, 6, "—")
            put(r, 7, "")
            put(r, 8, "")

    # 年度总体目标
    r0 = 7
    put(r0, 0, "年度总体目标", bold=True, down=r0 + 1)
    put(r0, 1, "预期目标", bold=True, to=4)
    put(r0, 5, "实际完成情况", bold=True, to=8)
    put(r0 + 1, 1, raw_text(project.goal_expected), align=LEFT, to=4)
    put(r0 + 1, 5, raw_text(project.goal_actual), align=LEFT, to=8)
    grid.add_to(doc)

    # A hairline paragraph keeps the two tables apart (adjacent tables are joined into one on import).
    gap = doc.add_paragraph()
    gap.paragraph_format.first_line_indent = Pt(0)
    gap.paragraph_format.space_before = gap.paragraph_format.space_after = Pt(0)
    gap.paragraph_format.line_spacing = Pt(1)
    gap.add_run().font.size = Pt(1)

    # 绩效指标: 一级/二级 merged vertically as on the paper form
    indicators = ctx["indicators"]
    grid = _new_table(doc, 1 + len(indicators) + 1, WIDTHS)
    put = grid.put
    grid.no_split(0)
    grid.repeat_header(0)
    # 绩效指标 stays in the header row: a merged cell reaching into the body stops LibreOffice
    # from repeating the header; the body's first column is merged blank beside the indicators.
    put(0, 0, "绩效指标", bold=True)
    if indicators:
        put(1, 0, "", down=len(indicators))
    for c, label in enumerate(("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                               "偏差原因分析及改进措施"), start=1):
        put(0, c, label, bold=True)
    for first, last in _runs([i.level1 for i in indicators]):
        put(1 + first, 1, indicators[first].level1, down=1 + last)
    for first, last in _runs([(i.level1, i.level2) for i in indicators]):
        put(1 + first, 2, indicators[first].level2, down=1 + last)
    for k, i in enumerate(indicators):
        r = 1 + k
        if len(i.name) + len(i.deviation) < 120:
            grid.no_split(r)  # only a very long row may break across pages
        put(r, 3, i.name, align=LEFT)
        put(r, 4, i.target)
        put(r, 5, i.actual)
        put(r, 6, i.weight)
        put(r, 7, form_score(i.score_value) if i.scored else "未计分")
        put(r, 8, i.deviation, align=LEFT)

    # 总分
    r = 1 + len(indicators)
    grid.no_split(r)
    put(r, 0, "总分", bold=True, to=5)
    put(r, 6, ctx["total_weight"], bold=True)
    total = ctx["total_form"] if result.ungraded or result.total is None else form_score(result.total)
    put(r, 7, total, bold=True)
    put(r, 8, f"评价等次：{ctx['grade']}", bold=True)
    grid.add_to(doc)


# ---- 评分表 --------------------------------------------------------------------------------------------
SHEET_WIDTHS = (26, 13, 28, 13, 46, 13, 17)  # 一级 分值 二级 分值 三级 分值 得分 on the 156 mm portrait type area


def _heading(doc, text: str, title: str, sub: str | None = None) -> None:
    heading = doc.add_paragraph()
    set_style_id(heading, style_id(doc, "Heading 1"))
    heading.add_run(text)
    heading.paragraph_format.first_line_indent = Pt(0)
    t = doc.add_paragraph()
    set_style_id(t, style_id(doc, "公文标题"))
    t.add_run(title)
    t.paragraph_format.space_after = Pt(0 if sub else 12)
    if sub:
        p = doc.add_paragraph()
        p.alignment = CENTER
        p.paragraph_format.first_line_indent = Pt(0)
        p.add_run(sub)


def write_scoresheet_form(doc, project: Project, result: ScoreResult, context: dict) -> None:
    """附表 of a 评分表 report: 项目基本信息 (funds), 绩效评价指标评分 and 评价人员, as in seed 001."""
    from docx.enum.section import WD_SECTION

    doc.add_section(WD_SECTION.NEW_PAGE)  # portrait, same margins as the report
    _heading(doc, "附表", "绩效评价指标评分表", f"（{context['project']['year']}年度）")
    funds = context["funds"]
    grid = _new_table(doc, 3, (26,) * 6, narrow=False)
    grid.put(0, 0, "项目名称", bold=True)
    grid.put(0, 1, raw_text(project.name), align=LEFT, to=5)
    grid.put(1, 0, "实施单位", bold=True)
    grid.put(1, 1, raw_text(project.unit), align=LEFT, to=2)
    grid.put(1, 3, "主管部门", bold=True)
    grid.put(1, 4, raw_text(project.department), align=LEFT, to=5)
    for c, (label, value) in enumerate((("计划投资额（万元）", funds["planned"]), ("实际到位资金（万元）", funds["arrived"]),
                                        ("实际使用情况（万元）", funds["used"]))):
        grid.put(2, 2 * c, label, bold=True)
        grid.put(2, 2 * c + 1, value)
    grid.add_to(doc)
    doc.add_paragraph()

    rows = list(result.indicators)
    grid = _new_table(doc, 2 + len(rows), SHEET_WIDTHS)
    for c, label in enumerate(("一级指标", "分值", "二级指标", "分值", "三级指标", "分值", "得分")):
        grid.put(0, c, label, bold=True)
    levels = {lv["name"]: lv for lv in context["levels"]}
    for first, last in _runs([r.level1 for r in rows]):
        name = rows[first].level1
        grid.put(1 + first, 0, name, down=1 + last)
        grid.put(1 + first, 1, levels.get(name, {}).get("weight", ""), down=1 + last)
    for first, last in _runs([(r.level1, r.level2) for r in rows]):
        lv = levels.get(rows[first].level1, {})
        group = next((g for g in lv.get("groups", []) if g["name"] == rows[first].level2), {})
        grid.put(1 + first, 2, rows[first].level2, down=1 + last)
        grid.put(1 + first, 3, group.get("weight", ""), down=1 + last)
    for k, r in enumerate(rows):
        grid.put(1 + k, 4, r.level3, align=LEFT)
        grid.put(1 + k, 5, raw_text(r.weight))
        grid.put(1 + k, 6, raw_text(r.score) if r.score is not None else "未计分")
    last_row = 1 + len(rows)
    grid.put(last_row, 0, "总分", bold=True)
    grid.put(last_row, 1, raw_text(sum((r.weight or 0 for r in rows), 0)), bold=True)
    grid.put(last_row, 2, f"评价等次：{context['grade']}", bold=True, to=5)
    grid.put(last_row, 6, context["total"], bold=True)
    grid.add_to(doc)

    if context["evaluators"]:
        doc.add_paragraph()
        # python-docx's add_table widths: the type area shared evenly, no fixed layout
        width = Emu(doc._block_width // 4).twips
        grid = TableXml(2 + len(context["evaluators"]), [width] * 4, style_id(doc, "表格文字"),
                        style_id(doc, "Table Grid"), fixed=False, narrow=False)
        for c, label in enumerate(("评价人员", "职务/职称", "单位", "项目评分")):
            grid.put(0, c, label, bold=True)
        for k, e in enumerate(context["evaluators"], start=1):
            for c, key in enumerate(("name", "title", "unit", "score")):
                grid.put(k, c, e[key])
        end = 1 + len(context["evaluators"])
        grid.put(end, 0, "平均得分", bold=True, to=2)
        grid.put(end, 3, context["average"], bold=True)
        grid.add_to(doc)
