"""The report's 附表 as Word tables: the table writer every kind's 附表 uses (TableXml, Grid) and the
附表's heading. Each kind lays out its own (kinds/<name>/form_table.py)."""
from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import nsdecls
from docx.shared import Mm, Pt
from lxml import etree

from evaltool.report.docx_writer import (XML_PARSER, cell_text, rich_text_xml, set_style_id, style_id,
                                         xml_attr)

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


def new_table(doc, nrows: int, widths, narrow: bool = True) -> TableXml:
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


def runs(keys: list) -> list[tuple[int, int]]:
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


def heading(doc, text: str, title: str, sub: str | None = None) -> None:
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


