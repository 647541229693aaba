"""What a workbook's own sheet XML says about a cell that a value-only reader loses.

python-calamine gives neither number formats (0.85 in a cell formatted 0% is what the clerk sees as
85%), nor Excel's error values (#DIV/0!, #N/A, #REF! come out as empty cells), nor whether an empty
cell is a formula whose result was never saved (a generator wrote the formula, nobody opened the
file in Excel); openpyxl, reading saved values, loses the last one too. The byte scans here find
those cells, so every engine hands the core the same grid and the same reading notes: what `check`
says of a file, `collect` says too.

Only cells spelled as the writers spell them are recognised (`<c r="B3" s="4" t="e">`: r first, then
s, then t — Excel, WPS, LibreOffice, openpyxl); a sheet with none of the markers is not scanned
cell by cell at all (one substring search each).
"""
from __future__ import annotations

import html
import re
import struct
import zlib
from typing import Any

from evaltool.core import formulacells, limits

# Excel's built-in number formats that are percentages (ECMA-376 18.8.30): 9 "0%", 10 "0.00%".
BUILTIN_PERCENT = {9: "0%", 10: "0.00%"}
# How many unsaved formula cells one sheet reports (a generated sheet may hold thousands).
MAX_UNSAVED = formulacells.MAX_NOTED

Span = tuple[bytes, int, int]  # a part's bytes: (data, start, end)
_EMPTY: Span = (b"", 0, 0)
_PERCENT_CACHE: dict[bytes, dict[int, Any]] = {}
_INDEX_CACHE: dict[tuple[bytes, bytes], tuple[dict[str, str], str]] = {}
_SHEET = re.compile(rb"<(?:\w+:)?sheet\b([^>]*)>")
_ATTR = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"')
_REL = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)>")
_NUMFMT = re.compile(rb"<(?:\w+:)?numFmt\b([^>]*)>")
_CELLXFS = re.compile(rb"<(?:\w+:)?cellXfs\b[^>]*>(.*?)</(?:\w+:)?cellXfs>", re.S)
_XF = re.compile(rb"<(?:\w+:)?xf\b([^>]*)>")
_REF = rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"'
_FORMULA = rb'(?:<f\b[^>]*/>|<f\b[^>]*>[^<]*</f>)'
# An error cell: its cached text. A formula cell with no saved result: no <v>, or an empty one that
# is not an empty text result (t="str" with <v></v> is a formula whose result is "").
_CELL_START = re.compile(_REF)
# (two scans, each led by a literal: a regex led by an alternation tries every byte of the sheet)
_NO_VALUE = re.compile(rb'</f>(?:<v\s*/>|<v>\s*</v>)?</c>')
_NO_VALUE_SHORT = re.compile(rb'/>(?:<v\s*/>|<v>\s*</v>)?</c>')  # <f t="shared" si="0"/>, rare
_ERROR = re.compile(_REF + rb'(?: s="[0-9]+")? t="e"[^>]*>(?:' + _FORMULA + rb')?<v>([^<]*)</v>')
_UNSAVED = re.compile(_REF + rb'(?: s="[0-9]+")?(?: t="([a-zA-Z]+)")?(?: [^>]*)?>' + _FORMULA
                      + rb'(<v\s*/>|<v>\s*</v>)?</c>')


def _attrs(raw: bytes) -> dict[str, str]:
    """A start tag's attributes, names as written (r:id keeps its prefix), values unescaped."""
    out = {}
    for k, v in _ATTR.findall(raw):
        text = v.decode("utf-8", "replace")
        out[k.decode("ascii", "replace")] = html.unescape(text) if "&" in text else text
    return out


def _col(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _target(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    parts = base.split("/")[:-1] + target.split("/")
    out: list[str] = []
    for p in parts:
        if p == "..":
            if out:
                out.pop()
        elif p and p != ".":
            out.append(p)
    return "/".join(out)


class SheetXml:
    """A workbook's parts as a value-only reader needs them: the part of each worksheet by name and
    which cell styles are percentages. Built from the package's bytes (the pre-flight's copy, which
    the readers judged already: whatever this scan cannot read, it leaves alone)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.members: dict[str, tuple[int, int, int]] = {}  # name -> (local header, method, size)
        self.parts: dict[str, str] = {}
        self.percent: dict[int, Any] = {}
        try:
            self._directory()
            self._index()
        except Exception:  # noqa: BLE001 - a package this scan does not understand: nothing to add
            self.members, self.parts, self.percent = {}, {}, {}

    def _directory(self) -> None:
        """The zip's central directory, read lean (zipfile builds an object per member: a form
        has twenty, and collect reads hundreds of forms)."""
        data = self.data
        eocd = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
        if eocd < 0:
            return
        count, size, at = struct.unpack_from("<HII", data, eocd + 10)
        end = at + size
        while at + 46 <= end and data[at:at + 4] == b"PK\x01\x02" and len(self.members) < count:
            flags, method = struct.unpack_from("<HH", data, at + 8)
            csize = struct.unpack_from("<I", data, at + 20)[0]
            n, m, k = struct.unpack_from("<HHH", data, at + 28)
            head = struct.unpack_from("<I", data, at + 42)[0]
            name = data[at + 46:at + 46 + n].decode("utf-8" if flags & 0x800 else "cp437", "replace")
            if not flags & 1:  # (an encrypted member is never read)
                self.members[name] = (head, method, csize)
            at += 46 + n + m + k

    def _index(self) -> None:
        book = self._read("xl/workbook.xml")
        rels = self._read("xl/_rels/workbook.xml.rels")
        known = _INDEX_CACHE.get((book, rels))  # forms from one template share both parts
        if known is None:
            if len(_INDEX_CACHE) > 64:
                _INDEX_CACHE.clear()
            known = _INDEX_CACHE[(book, rels)] = self._parts(book, rels)
        self.parts, styles_part = known
        styles = self._read(styles_part)
        percent = _PERCENT_CACHE.get(styles)  # and their styles part
        if percent is None:
            if len(_PERCENT_CACHE) > 64:
                _PERCENT_CACHE.clear()
            percent = _PERCENT_CACHE[styles] = self._percent_styles(styles)
        self.percent = percent

    @staticmethod
    def _parts(book: bytes, rels: bytes) -> tuple[dict[str, str], str]:
        """(sheet name -> its part, the styles part) from the workbook part and its relationships."""
        parts: dict[str, str] = {}
        targets: dict[str, tuple[str, str]] = {}
        for raw in _REL.findall(rels):
            a = _attrs(raw)
            targets[a.get("Id", "")] = (a.get("Type", ""), _target("xl/workbook.xml", a.get("Target", "")))
        for raw in _SHEET.findall(book):
            a = _attrs(raw)
            rid = next((v for k, v in a.items() if k.endswith(":id")), "")  # the relationships prefix varies
            target = targets.get(rid)
            if "name" in a and target:
                parts[a["name"]] = target[1]
        return parts, next((t for kind, t in targets.values() if kind.endswith("/styles")), "xl/styles.xml")

    def _span(self, name: str) -> Span:
        """Where a member's bytes are: (bytes, start, end). A stored member (collect's pre-flighted
        copy stores the sheets) is searched where it lies, never copied; a deflated one is inflated."""
        member = self.members.get(name)
        if member is None:
            return _EMPTY
        head, method, size = member
        data = self.data
        if data[head:head + 4] != b"PK\x03\x04":
            return _EMPTY
        n, m = struct.unpack_from("<HH", data, head + 26)
        start = head + 30 + n + m
        if method == 0:
            return (data, start, min(start + size, len(data)))
        if method != 8:
            return _EMPTY
        try:
            raw = zlib.decompressobj(-15).decompress(data[start:start + size], limits.get("PART_MB") * 1024 * 1024)
        except zlib.error:
            return _EMPTY
        return (raw, 0, len(raw))

    def public_copy(self) -> bool:
        """Whether the package is a public copy written by publish (its core properties say so)."""
        from evaltool.core.provenance import PUBLIC_COPY

        return PUBLIC_COPY.encode("utf-8") in self._read("docProps/core.xml")

    def _read(self, name: str) -> bytes:
        data, start, end = self._span(name)
        return data[start:end]

    @staticmethod
    def _percent_styles(styles: bytes) -> dict[int, Any]:
        """cell style index -> seam.Percent / PercentLiteral, for the styles whose number format is one."""
        from evaltool.core.seam import percent_format

        if not styles or (b"%" not in styles and not re.search(rb'numFmtId="(?:9|10)"', styles)):
            return {}
        formats: dict[int, str] = dict(BUILTIN_PERCENT)
        for raw in _NUMFMT.findall(styles):
            a = _attrs(raw)
            if a.get("numFmtId", "").isdigit():
                formats[int(a["numFmtId"])] = a.get("formatCode", "")
        block = _CELLXFS.search(styles)
        out: dict[int, Any] = {}
        if block is None:
            return out
        for i, raw in enumerate(_XF.findall(block.group(1))):
            fid = _attrs(raw).get("numFmtId", "0")
            kind = percent_format(formats.get(int(fid))) if fid.isdigit() else None
            if kind is not None:
                out[i] = kind
        return out

    def body(self, sheet: str) -> Span:
        part = self.parts.get(sheet)
        return self._span(part) if part else _EMPTY

    def close(self) -> None:
        self.data = b""


def _put(values: list[list[Any]], r: int, c: int, value: Any) -> None:
    # Only inside what the reader read (calamine's range holds its error cells; rows past the ROWS
    # limit were not read and stay so).
    if r <= len(values) and c <= len(values[r - 1]):
        values[r - 1][c - 1] = value


def restore(book: SheetXml, sheet: str, values: list[list[Any]], body: Span | None = None) -> None:
    """In place: numbers in percent-formatted cells become seam.Percent (what the openpyxl engine
    gives), error cells their error text (#DIV/0!: what openpyxl gives), for one sheet's grid values
    as a value-only reader read them (1-based rows and columns from A1)."""
    data, start, end = body if body is not None else book.body(sheet)
    if start >= end:
        return
    for sid, kind in book.percent.items():
        mark = b' s="%d"' % sid  # a literal search: the few percent cells, not every cell
        at = data.find(mark, start, end)
        while at >= 0:
            cell = data.rfind(b"<c ", max(start, at - 32), at)  # the start tag is right before: `<c r="AB12"`
            m = _CELL_START.match(data, cell) if cell >= 0 else None
            if m is not None and m.end() == at:
                r, c = int(m.group(2)), _col(m.group(1))
                if r <= len(values) and c <= len(values[r - 1]):
                    v = values[r - 1][c - 1]
                    if type(v) in (int, float):
                        values[r - 1][c - 1] = kind(v)
            at = data.find(mark, at + len(mark), end)
    if data.find(b't="e"', start, end) >= 0:
        for m in _ERROR.finditer(data, start, end):
            _put(values, int(m.group(2)), _col(m.group(1)), html.unescape(m.group(3).decode("utf-8", "replace")))


def unsaved_formulas(body: Span, most: int = MAX_UNSAVED) -> list[str]:
    """The A1 addresses of formula cells whose result the file does not hold (up to `most`): found
    where a formula ends and its cell closes with no value, then read from the cell's start tag."""
    data, start, end = body
    out: list[str] = []
    if data.find(b"</f>", start, end) < 0:  # (a shared formula's other cells, <f .../>, come with its first)
        return out
    closes = [_NO_VALUE.finditer(data, start, end)]
    if data.find(b"/></c>", start, end) >= 0:
        closes.append(_NO_VALUE_SHORT.finditer(data, start, end))
    seen = 0
    for found in closes:
        for close in found:
            seen += 1
            if seen > 20 * most or len(out) >= most:
                return sorted(out, key=_order)  # (a sheet built to make this scan long: what was found)
            # the cell's start tag is before its formula, which Excel caps at 8,192 characters
            cell = data.rfind(b"<c ", max(start, close.start() - 65_536), close.start())
            m = _UNSAVED.match(data, cell) if cell >= 0 else None
            if m is None or m.end() != close.end():
                continue
            kind, value = m.group(3), m.group(4)
            if value is not None and kind in (b"str", b"inlineStr"):
                continue  # a saved empty text result
            ref = (m.group(1) + m.group(2)).decode("ascii")
            if ref not in out:
                out.append(ref)
    return sorted(out, key=_order)


def _order(ref: str) -> tuple[int, int]:
    """A1 address -> (row, column): cells in sheet order."""
    letters = ref.rstrip("0123456789")
    return int(ref[len(letters):]), _col(letters.encode())


def unsaved_notes(book: SheetXml, sheets: list[str], bodies: dict[str, Span] | None = None) -> list:
    """W-READ-FORMULA notes, one per formula cell without a saved result in the given sheets."""
    notes: list = []
    for sheet in sheets:
        body = bodies.get(sheet) if bodies is not None else None
        cells = unsaved_formulas(body if body is not None else book.body(sheet), MAX_UNSAVED - len(notes))
        if cells:
            from evaltool.workbook.container import Note

            notes += [Note(UNSAVED_CODE, UNSAVED_TEXT, sheet, cell) for cell in cells]
        if len(notes) >= MAX_UNSAVED:
            break
    return notes


UNSAVED_CODE = formulacells.CODE
UNSAVED_TEXT = "单元格是公式，文件中没有保存它的计算结果，按空白读取。"


def formula_notes(data: bytes, sheets: list[str]) -> list:
    """unsaved_notes for a package's bytes (what the openpyxl engine, which reads saved values,
    adds to its notes)."""
    book = SheetXml(data)
    try:
        return unsaved_notes(book, sheets)
    finally:
        book.close()


__all__ = ["SheetXml", "restore", "unsaved_formulas", "unsaved_notes", "formula_notes",
           "UNSAVED_CODE", "UNSAVED_TEXT"]
