"""The 附表 tables are written as WordprocessingML in one piece (TableXml); python-docx's own cell
merges (Grid) are the reference: the same puts give the same table markup, merges included."""
from __future__ import annotations

import random

import docx
import pytest
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm
from lxml import etree

from evaltool.report.docx_writer import no_split, setup_document, style_id
from evaltool.report.form_table import Grid, TableXml, new_table, narrow_margins, repeat_header

TEXTS = ["项目名称", "", "a\tb", "x\ry", "  前导空格", "尾随空格  ", "\u3000全角空格", "【待填写：原因】",
         "**加粗**其余", "<&>\"'", "控制\x0b字符", "多\n行\n文字", "**", "【待核实：数】后", "0", 0, 12.5]


def reference(doc, nrows, widths, narrow, puts, rows):
    """The table as python-docx builds it: add_table, widths per cell, text, then merges."""
    table = doc.add_table(rows=nrows, cols=len(widths))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    if narrow:
        narrow_margins(table)
    grid = Grid(table, len(widths), style_id(doc, "表格文字"))
    for k, width in enumerate(widths):
        table.columns[k].width = Mm(width)
        for r in range(nrows):
            grid.cell(r, k).width = Mm(width)
    for r, what in rows:
        (no_split if what == "cantSplit" else repeat_header)(table.rows[r])
    for args, kwargs in puts:
        grid.put(*args, **kwargs)
    grid.merge_all()
    return table._tbl


def built(doc, nrows, widths, narrow, puts, rows):
    grid = new_table(doc, nrows, widths, narrow=narrow)
    for r, what in rows:
        (grid.no_split if what == "cantSplit" else grid.repeat_header)(r)
    for args, kwargs in puts:
        grid.put(*args, **kwargs)
    return grid.add_to(doc)


def layout(seed: int, nrows: int, ncols: int):
    """Random non-overlapping merges (rows, columns and rectangles) with odd texts in their first cells."""
    rnd = random.Random(seed)
    taken: set = set()
    puts, rows = [], []
    for r in range(nrows):
        for c in range(ncols):
            if (r, c) in taken or rnd.random() < 0.15:
                continue
            down, to = r, c
            if rnd.random() < 0.3:
                down = min(nrows - 1, r + rnd.randrange(1, 4))
            if rnd.random() < 0.3:
                to = min(ncols - 1, c + rnd.randrange(1, 3))
            while any((rr, cc) in taken for rr in range(r, down + 1) for cc in range(c, to + 1)):
                down, to = max(r, down - 1), max(c, to - 1)
            taken.update((rr, cc) for rr in range(r, down + 1) for cc in range(c, to + 1))
            kwargs = {"bold": rnd.random() < 0.3, "align": rnd.choice([WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.CENTER])}
            if down != r:
                kwargs["down"] = down
            if to != c:
                kwargs["to"] = to
            puts.append(((r, c, rnd.choice(TEXTS)), kwargs))
    for r in range(nrows):
        if rnd.random() < 0.5:
            rows.append((r, "cantSplit"))
    rows.append((0, "tblHeader"))
    return puts, rows


def xml(el) -> bytes:
    return etree.tostring(el, encoding="UTF-8")


@pytest.mark.parametrize("seed", range(12))
def test_table_markup_equals_python_docx_merges(seed):
    doc = docx.Document()
    setup_document(doc)
    widths = (18, 18, 22, 45, 27, 27, 13, 21, 34)[: 3 + seed % 7]
    nrows = 2 + seed * 3
    puts, rows = layout(seed, nrows, len(widths))
    narrow = seed % 2 == 0
    want = reference(doc, nrows, widths, narrow, puts, rows)
    got = built(doc, nrows, widths, narrow, puts, rows)
    assert xml(got) == xml(want)
    # the parsed table is python-docx's own element class, so Document.tables reads it as before
    assert [c.text for c in doc.tables[-1].rows[0].cells] == [c.text for c in doc.tables[-2].rows[0].cells]


def test_a_thousand_row_span_is_one_merged_cell_and_saves_as_python_docx_would(tmp_path):
    doc = docx.Document()
    setup_document(doc)
    puts = [((0, 0, "一级"), {"down": 999}), ((0, 1, "二级"), {"down": 499}), ((500, 1, "二级乙"), {"down": 999})]
    puts += [((r, 2, f"指标{r}"), {"align": WD_ALIGN_PARAGRAPH.LEFT}) for r in range(1000)]
    tbl = built(doc, 1000, (20, 20, 40), True, puts, [])
    path = tmp_path / "t.docx"
    doc.save(str(path))
    table = docx.Document(str(path)).tables[0]
    cells = table._cells  # python-docx's grid: a vertically merged cell is one object on every row
    assert all(cells[3 * r] is cells[0] for r in range(1000)) and cells[0].text == "一级"
    assert cells[3 * 499 + 1] is cells[1] and cells[3 * 500 + 1] is cells[3 * 999 + 1] is not cells[1]
    assert cells[3 * 999 + 1].text == "二级乙" and cells[3 * 3 + 2].text == "指标3"
    assert len(tbl.xpath(".//w:vMerge[@w:val='restart']")) == 3


def test_writing_into_a_merged_cell_or_overlapping_merges_is_refused():
    grid = TableXml(3, [100, 100, 100], None, "TableGrid")
    grid.put(0, 0, "a", to=1, down=1)
    grid.put(1, 1, "inside")
    with pytest.raises(ValueError):
        grid.xml()
    grid = TableXml(3, [100, 100, 100], None, "TableGrid")
    grid.put(0, 0, "a", down=2)
    grid.put(1, 0 + 1, "b", to=2)
    grid.xml()  # beside the span: fine
    with pytest.raises(ValueError):
        grid.put(0, 2, "c", down=5)  # below the table
    with pytest.raises(ValueError):
        grid.put(0, 0, "again")
