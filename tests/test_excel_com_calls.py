"""The Excel engine's calls on Windows (issue 14): row heights and merged areas in a number of calls
that does not grow with the indicator rows. No Excel here, so the sheet is an object that answers
as Excel's does (a span of rows of different heights has no single height; a multi-area range sets
each area) and counts every call; merges_from_xml_spreadsheet reads what Range.Value(11) gives."""
from __future__ import annotations

import pytest

from evaltool.excel import xlwings_engine as X


class Rows:
    def __init__(self, sheet, address: str):
        self.sheet, self.address = sheet, address
        sheet.calls += 1

    def _rows(self):
        for area in self.address.split(","):
            a, _, b = area.partition(":")
            yield from range(int(a), int(b or a) + 1)

    @property
    def row_height(self):
        self.sheet.calls += 1
        heights = {self.sheet.heights.get(r, 15.0) for r in self._rows()}
        return heights.pop() if len(heights) == 1 else None

    @row_height.setter
    def row_height(self, h):
        self.sheet.calls += 1
        assert len(self.address) <= X.MAX_AREA_ADDRESS
        for r in self._rows():
            self.sheet.heights[r] = h


class Sheet:
    def __init__(self, heights=None):
        self.heights = dict(heights or {})
        self.calls = 0

    def range(self, address):
        return Rows(self, address)


@pytest.fixture(autouse=True)
def com(monkeypatch):
    monkeypatch.setattr(X, "_is_com", lambda sheet: True)


def _needed(n: int) -> dict[int, float]:
    # indicator rows from row 13, every third one's text needing two lines, every fifth three
    return {13 + i: 45.0 if i % 5 == 0 else 30.0 if i % 3 == 0 else 15.0 for i in range(n)}


def test_rows_the_clerk_has_not_resized_cost_the_same_calls_at_any_size():
    calls = {}
    for n in (10, 100, 1000):
        sheet = Sheet()
        assert X.grow_rows(sheet, _needed(n))
        assert all(sheet.heights.get(r, 15.0) == h for r, h in _needed(n).items())
        calls[n] = sheet.calls
    # one read; per height needed, one write per 255-character address (1,000 rows need a few)
    assert calls[10] == calls[100] == 2 + 2 * 2, calls
    assert calls[1000] <= 2 + 2 * 2 * 12, calls


def test_rows_only_grow_and_resized_rows_cost_a_read_per_span():
    needed = _needed(100)
    taller = {20: 60.0, 21: 60.0, 50: 90.0}  # the clerk made these taller
    sheet = Sheet(taller)
    assert X.grow_rows(sheet, needed)
    for r, h in needed.items():
        assert sheet.heights.get(r, 15.0) == max(h, taller.get(r, 15.0))
    assert sheet.calls < 2 * 8 * 7 + 10  # a read per span of equal heights, halving (log 100 each)


def test_an_engine_that_cannot_read_row_heights_is_asked_once():
    class Remote(Sheet):
        def range(self, address):
            self.calls += 1
            raise NotImplementedError

    sheet = Remote()
    assert X.grow_rows(sheet, _needed(1000)) is False and sheet.calls == 1


XML = """<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"
 xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="自评表"><Table>
<Row><Cell ss:MergeAcross="8"><Data ss:Type="String">项目支出绩效自评表</Data></Cell></Row>
<Row ss:Index="3"><Cell><Data ss:Type="String">项目名称</Data></Cell><Cell ss:MergeAcross="1"/><Cell ss:Index="6"/></Row>
<Row><Cell ss:MergeDown="2"><Data ss:Type="String">产出指标</Data></Cell><Cell ss:MergeDown="1"/><Cell/></Row>
<Row><Cell ss:Index="3" ss:MergeAcross="1"/></Row>
<Row><Cell ss:Index="2"/><Cell/></Row>
<Row/>
</Table></Worksheet></Workbook>"""


def test_merged_areas_are_read_from_the_xml_spreadsheet_text():
    assert X.merges_from_xml_spreadsheet(XML, 1, 1) == [(1, 1, 1, 9), (3, 2, 3, 3), (4, 1, 6, 1), (4, 2, 5, 2), (5, 3, 5, 4)]
    # the used range starting at B2: every area moves with it
    assert X.merges_from_xml_spreadsheet(XML, 2, 2)[0] == (2, 2, 2, 10)
    assert X.merges_from_xml_spreadsheet("not a table", 1, 1) is None


def test_merged_areas_on_com_cost_one_read_whatever_their_number():
    class Used:
        Row, Column = 1, 1

        def __init__(self, counter):
            self.counter = counter

        def Value(self, kind):  # noqa: N802 - Excel's name
            self.counter.append(kind)
            return XML

    class Api:
        def __init__(self):
            self.reads = []
            self.UsedRange = Used(self.reads)

    class ComSheet:
        api = Api()

    sheet = ComSheet()
    assert X._com_merged(sheet) == X.merges_from_xml_spreadsheet(XML)
    assert sheet.api.reads == [11]
