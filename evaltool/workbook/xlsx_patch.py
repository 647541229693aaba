"""Score in place by patching the workbook's own XML: only what evaltool owns is rewritten.

Entry point: patch_workbook(data, writes, results) -> bytes, or Unpatchable(reason in Chinese).

What evaltool owns and rewrites: the written cells (<c> of the sheets written to), their rows'
heights and the print setup of a sheet whose rows it grew, the cell formats it needs (appended to
styles.xml, never rewriting existing ones), the notes (comments part, its legacy VML drawing, rels,
content types), the 校验结果 sheet (its part, workbook.xml, workbook.xml.rels, [Content_Types].xml,
docProps/app.xml titles) and calcChain.xml (dropped when a formula cell is overwritten: Excel
rebuilds it). Every other zip entry is copied byte for byte — its compressed bytes, in the same
order with the same method — so charts, images, pivot tables, macros, custom XML and whatever
evaltool does not understand stay exactly as they were.

The XML evaltool edits is parsed with lxml without expanding entities or loading DTDs; a part with
a DTD, in Strict Open XML, or holding something a cell write would break (a shared or array
formula's first cell) is not patched: the caller falls back to saving a new file and says why.
"""
from __future__ import annotations

import datetime as _dt
import math
import posixpath
import re
import struct
import zipfile
import zlib
from bisect import bisect_left
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from lxml import etree

from evaltool.core.seam import CellWrite, address, col_letter, parse_address, quoted_sheet
from evaltool.workbook.cellvalue import looks_like_formula, xml_safe

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
XML_NS = "http://www.w3.org/XML/1998/namespace"
V_NS, O_NS, X_NS = ("urn:schemas-microsoft-com:vml", "urn:schemas-microsoft-com:office:office",
                    "urn:schemas-microsoft-com:office:excel")
EP_NS = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"

REL_SHEET = R_NS + "/worksheet"
REL_COMMENTS = R_NS + "/comments"
REL_VML = R_NS + "/vmlDrawing"
REL_CALC = R_NS + "/calcChain"
REL_OFFICE = R_NS + "/officeDocument"
REL_THREADED = "http://schemas.microsoft.com/office/2017/10/relationships/threadedComment"
CT_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
CT_RELS = "application/vnd.openxmlformats-package.relationships+xml"

# CT_Worksheet's child order: a new child goes before the first existing one that follows it.
SHEET_ORDER = ["sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr",
               "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState", "dataConsolidate",
               "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting", "dataValidations",
               "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter", "rowBreaks", "colBreaks",
               "customProperties", "cellWatches", "ignoredErrors", "smartTags", "drawing", "legacyDrawing",
               "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems", "tableParts",
               "extLst"]
BOOK_ORDER = ["fileVersion", "fileSharing", "workbookPr", "workbookProtection", "bookViews", "sheets",
              "functionGroups", "externalReferences", "definedNames", "calcPr", "oleSize", "customWorkbookViews",
              "pivotCaches", "smartTagPr", "smartTagTypes", "webPublishing", "fileRecoveryPr", "webPublishObjects",
              "extLst"]
STYLE_ORDER = ["numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs",
               "tableStyles", "colors", "extLst"]
XF_CHILD_ORDER = ["alignment", "protection", "extLst"]


class Unpatchable(Exception):
    """The package cannot be patched safely; str(exc) says why, in Chinese, for the clerk."""



def _q(tag: str, ns: str = NS) -> str:
    return f"{{{ns}}}{tag}"


def _local(el) -> str:
    tag = el.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                          huge_tree=True, remove_blank_text=False)


def parse_xml(data: bytes, part: str):
    """A part's root element; Unpatchable for what cannot be parsed, or declares a DTD (entities
    are never expanded: a DTD in a part evaltool rewrites is not carried over)."""
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError:
        raise Unpatchable(f"部件 {part} 无法解析") from None
    if root.getroottree().docinfo.internalDTD is not None or b"<!DOCTYPE" in data[:4096]:
        raise Unpatchable(f"部件 {part} 含有文档类型声明（DTD）")
    return root


def to_xml(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _insert_ordered(parent, child, order: list[str]) -> None:
    """Insert child among parent's children at the place its schema sequence gives it."""
    rank = order.index(_local(child))
    for i, existing in enumerate(parent):
        n = _local(existing)
        if n == "AlternateContent":  # ranks as what it wraps (Excel puts <controls> in one)
            inner = next((g for c in existing for g in c if isinstance(g.tag, str)), None)
            n = _local(inner) if inner is not None else ""
        if n in order and order.index(n) > rank:
            parent.insert(i, child)
            return
    parent.append(child)


def _child(parent, tag: str, order: list[str], ns: str = NS, create: bool = True):
    el = parent.find(_q(tag, ns))
    if el is None and create:
        el = etree.Element(_q(tag, ns))
        _insert_ordered(parent, el, order)
    return el


def _num_text(v: float) -> str:
    return str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else repr(float(v))


# ---- the zip container: raw copies, new entries --------------------------------------------------------------
@dataclass
class Entry:
    name: str
    raw: bytes | None  # compressed bytes copied as they are (None: data is new)
    data: bytes | None
    method: int
    crc: int
    csize: int
    usize: int
    date_time: tuple
    flag: int
    external_attr: int
    create_system: int
    create_version: int
    extract_version: int


class Zip:
    """The package's entries in their order; read() decompresses, set() replaces, copies stay raw."""

    def __init__(self, data: bytes):
        import io

        self.data = data
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, ValueError, OSError):
            raise Unpatchable("工作簿的压缩结构无法读取") from None
        self.zf = zf
        self.entries: list[Entry] = []
        self.index: dict[str, int] = {}
        for info in zf.infolist():
            if info.flag_bits & 0x1:
                raise Unpatchable("工作簿中有加密的部件")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise Unpatchable(f"部件 {info.filename} 的压缩方式不常见")
            if info.filename in self.index:
                raise Unpatchable(f"工作簿中有重名的部件 {info.filename}")
            off = info.header_offset
            head = data[off:off + 30]
            if len(head) < 30 or head[:4] != b"PK\x03\x04":
                raise Unpatchable("工作簿的压缩结构不完整")
            nlen, xlen = struct.unpack("<HH", head[26:30])
            start = off + 30 + nlen + xlen
            raw = data[start:start + info.compress_size]
            if len(raw) != info.compress_size:
                raise Unpatchable("工作簿的压缩结构不完整")
            self.index[info.filename] = len(self.entries)
            self.entries.append(Entry(info.filename, raw, None, info.compress_type, info.CRC, info.compress_size,
                                      info.file_size, info.date_time, info.flag_bits & 0x800, info.external_attr,
                                      info.create_system, info.create_version, info.extract_version))
        self.written: set[str] = set()  # names evaltool wrote (new or replaced)
        self.removed: set[str] = set()

    def names(self) -> list[str]:
        return [e.name for e in self.entries]

    def has(self, name: str) -> bool:
        return name in self.index

    def read(self, name: str) -> bytes:
        e = self.entries[self.index[name]]
        if e.data is not None:
            return e.data
        try:
            return self.zf.read(name)
        except Exception:  # noqa: BLE001 - a damaged member
            raise Unpatchable(f"部件 {name} 无法解压") from None

    def set(self, name: str, data: bytes) -> None:
        now = _dt.datetime.now().timetuple()[:6]
        if name in self.index:
            e = self.entries[self.index[name]]
            if e.data is None and self.read(name) == data:
                return  # unchanged: keep the original bytes
            e.raw, e.data, e.date_time = None, data, now
        else:
            self.index[name] = len(self.entries)
            self.entries.append(Entry(name, None, data, zipfile.ZIP_DEFLATED, 0, 0, 0, now, 0, 0o600 << 16,
                                      3, 20, 20))
        self.written.add(name)
        self.removed.discard(name)

    def remove(self, name: str) -> None:
        if name in self.index:
            i = self.index.pop(name)
            self.entries[i] = None  # type: ignore[call-overload]
            self.written.discard(name)
            self.removed.add(name)

    def build(self) -> bytes:
        out = bytearray()
        central = bytearray()
        count = 0
        for e in self.entries:
            if e is None:
                continue
            if e.raw is None:
                data = e.data or b""
                e.crc, e.usize = zlib.crc32(data), len(data)
                if e.method == zipfile.ZIP_DEFLATED:
                    co = zlib.compressobj(6, zlib.DEFLATED, -15)
                    e.raw = co.compress(data) + co.flush()
                else:
                    e.raw = data
                e.csize = len(e.raw)
                e.extract_version = max(e.extract_version, 20 if e.method == zipfile.ZIP_DEFLATED else 10)
            flag = e.flag
            try:
                name = e.name.encode("ascii")
            except UnicodeEncodeError:
                name, flag = e.name.encode("utf-8"), flag | 0x800
            if flag & 0x800:
                name = e.name.encode("utf-8")
            offset = len(out)
            if max(offset, e.csize, e.usize) >= 0xFFFFFFFF:
                raise Unpatchable("工作簿太大，超出了普通压缩格式的范围")
            y, mo, d, h, mi, s = e.date_time
            dostime = (h << 11) | (mi << 5) | (s // 2)
            dosdate = ((max(y, 1980) - 1980) << 9) | (mo << 5) | d
            out += struct.pack("<4s5H3L2H", b"PK\x03\x04", e.extract_version, flag, e.method, dostime, dosdate,
                               e.crc, e.csize, e.usize, len(name), 0)
            out += name
            out += e.raw
            central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", (e.create_system << 8) | e.create_version,
                                   e.extract_version, flag, e.method, dostime, dosdate, e.crc, e.csize, e.usize,
                                   len(name), 0, 0, 0, 0, e.external_attr & 0xFFFFFFFF, offset)
            central += name
            count += 1
        if count >= 0xFFFF or len(out) + len(central) >= 0xFFFFFFFF:
            raise Unpatchable("工作簿的部件太多，超出了普通压缩格式的范围")
        start = len(out)
        out += central
        out += struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(central), start, 0)
        return bytes(out)


# ---- relationships and content types ------------------------------------------------------------------------
def rels_name(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def resolve(base_part: str, target: str) -> str:
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(base_part), target))


def relative(base_part: str, target_part: str) -> str:
    return posixpath.relpath(target_part, posixpath.dirname(base_part) or ".")


class Rels:
    def __init__(self, pkg: "Package", part: str):
        self.pkg, self.part, self.name = pkg, part, rels_name(part)
        if pkg.zip.has(self.name):
            self.root = parse_xml(pkg.zip.read(self.name), self.name)
        else:
            self.root = etree.Element(_q("Relationships", PKG_REL_NS), nsmap={None: PKG_REL_NS})
        self.dirty = False
        self._ids: dict | None = None

    def items(self):
        for r in self.root:
            if _local(r) == "Relationship":
                yield r

    def by_id(self, rid: str):
        # indexed once per change: a workbook of thousands of sheets asks for each (it was quadratic)
        if self._ids is None:
            self._ids = {}
            for r in self.items():
                self._ids.setdefault(r.get("Id"), r)
        return self._ids.get(rid)

    def by_type(self, rtype: str):
        return [r for r in self.items() if r.get("Type") == rtype]

    def target(self, r) -> str | None:
        if r.get("TargetMode") == "External":
            return None
        return resolve(self.part, r.get("Target", ""))

    def add(self, rtype: str, target_part: str) -> str:
        ids = {r.get("Id") for r in self.items()}
        n = 1
        while f"rId{n}" in ids:
            n += 1
        rid = f"rId{n}"
        el = etree.SubElement(self.root, _q("Relationship", PKG_REL_NS))
        el.set("Id", rid)
        el.set("Type", rtype)
        el.set("Target", relative(self.part, target_part))
        self.dirty = True
        self._ids = None
        return rid

    def drop(self, r) -> None:
        self.root.remove(r)
        self.dirty = True
        self._ids = None

    def save(self) -> None:
        if not self.dirty:
            return
        if len(list(self.items())) == 0 and not any(True for _ in self.root):
            self.pkg.zip.remove(self.name)
        else:
            self.pkg.zip.set(self.name, to_xml(self.root))


class ContentTypes:
    NAME = "[Content_Types].xml"

    def __init__(self, pkg: "Package"):
        self.pkg = pkg
        if not pkg.zip.has(self.NAME):
            raise Unpatchable("缺少部件 [Content_Types].xml")
        self.root = parse_xml(pkg.zip.read(self.NAME), self.NAME)
        self.dirty = False

    def _defaults(self):
        return {d.get("Extension", "").lower(): d for d in self.root if _local(d) == "Default"}

    def _override(self, part: str):
        return next((o for o in self.root if _local(o) == "Override" and o.get("PartName", "").lower()
                     == "/" + part.lower()), None)

    def of(self, part: str) -> str | None:
        o = self._override(part)
        if o is not None:
            return o.get("ContentType")
        d = self._defaults().get(posixpath.splitext(part)[1][1:].lower())
        return d.get("ContentType") if d is not None else None

    def add(self, part: str, ctype: str, default_ext: bool = False) -> None:
        if self.of(part) == ctype:
            return
        if default_ext:
            ext = posixpath.splitext(part)[1][1:]
            if ext.lower() not in self._defaults():
                el = etree.Element(_q("Default", CT_NS))
                el.set("Extension", ext)
                el.set("ContentType", ctype)
                self.root.insert(0, el)
                self.dirty = True
                return
        o = self._override(part)
        if o is None:
            o = etree.SubElement(self.root, _q("Override", CT_NS))
            o.set("PartName", "/" + part)
        o.set("ContentType", ctype)
        self.dirty = True

    def drop(self, part: str) -> None:
        o = self._override(part)
        if o is not None:
            self.root.remove(o)
            self.dirty = True

    def save(self) -> None:
        if self.dirty:
            self.pkg.zip.set(self.NAME, to_xml(self.root))


# ---- styles: cell formats are added, never changed ----------------------------------------------------------
def _key(el) -> tuple:
    """A structural identity of an element (attribute order and whitespace do not count)."""
    return (_local(el), tuple(sorted((k, v) for k, v in el.attrib.items())),
            tuple(_key(c) for c in el if isinstance(c.tag, str)))


class Styles:
    def __init__(self, pkg: "Package", part: str | None):
        self.pkg, self.part = pkg, part
        self.root = None
        self.cache: dict[tuple, int] = {}
        self.keys: dict[str, dict[tuple, int]] = {}

    def _load(self):
        if self.root is None:
            if self.part is None or not self.pkg.zip.has(self.part):
                raise Unpatchable("缺少样式部件（styles.xml）")
            self.root = parse_xml(self.pkg.zip.read(self.part), self.part)
        return self.root

    def _list(self, tag: str):
        root = self._load()
        el = root.find(_q(tag))
        if el is None:
            el = etree.Element(_q(tag))
            _insert_ordered(root, el, STYLE_ORDER)
        return el

    def _items(self, tag: str) -> list:
        return [c for c in self._list(tag) if isinstance(c.tag, str)]

    def _add(self, tag: str, el) -> int:
        """Index of an element equal to el in the list tag (cellXfs, fonts, fills), appended if new."""
        parent = self._list(tag)
        keys = self.keys.get(tag)
        if keys is None:
            keys = {}
            for i, c in enumerate(self._items(tag)):
                keys.setdefault(_key(c), i)
            self.keys[tag] = keys
        k = _key(el)
        if k in keys:
            return keys[k]
        n = len(self._items(tag))
        parent.append(el)
        parent.set("count", str(n + 1))
        keys[k] = n
        self.pkg.styles_dirty = True
        return n

    def xf(self, index: int):
        xfs = self._items("cellXfs")
        if not xfs:
            el = etree.SubElement(self._list("cellXfs"), _q("xf"))
            for a in ("numFmtId", "fontId", "fillId", "borderId", "xfId"):
                el.set(a, "0")
            self._list("cellXfs").set("count", "1")
            xfs = [el]
        return xfs[index] if 0 <= index < len(xfs) else xfs[0]

    def fill(self, rgb: str | None) -> int:
        if rgb is None:
            fills = self._items("fills")
            for i, f in enumerate(fills):
                p = f.find(_q("patternFill"))
                if p is not None and p.get("patternType", "none") == "none" and len(p) == 0:
                    return i
            el = etree.Element(_q("fill"))
            etree.SubElement(el, _q("patternFill"), patternType="none")
            return self._add("fills", el)
        el = etree.Element(_q("fill"))
        p = etree.SubElement(el, _q("patternFill"), patternType="solid")
        etree.SubElement(p, _q("fgColor"), rgb="FF" + rgb.upper())
        etree.SubElement(p, _q("bgColor"), rgb="FF" + rgb.upper())
        return self._add("fills", el)

    def font(self, name: str, size: float, bold: bool = False, color: str | None = None,
             underline: bool = False) -> int:
        el = etree.Element(_q("font"))
        if bold:
            etree.SubElement(el, _q("b"))
        if underline:
            etree.SubElement(el, _q("u"))
        etree.SubElement(el, _q("sz"), val=_num_text(size))
        if color:
            etree.SubElement(el, _q("color"), rgb="FF" + color)
        etree.SubElement(el, _q("name"), val=name)
        etree.SubElement(el, _q("charset"), val="134")  # GB2312: the face is a Chinese one
        return self._add("fonts", el)

    def variant(self, base: int, fill: Any = ..., quote: bool | None = None, valign: str | None = None) -> int:
        """A cell format like cellXfs[base] with another fill (rgb, or None for none), quotePrefix,
        or vertical alignment: an existing equal one is reused, else one is appended."""
        key = (base, fill, quote, valign)
        if key in self.cache:
            return self.cache[key]
        import copy

        el = copy.deepcopy(self.xf(base))
        if fill is not ...:
            fid = self.fill(fill)
            el.set("fillId", str(fid))
            el.set("applyFill", "1")
        if quote is not None:
            if quote:
                el.set("quotePrefix", "1")
            else:
                el.attrib.pop("quotePrefix", None)
        if valign is not None:
            al = el.find(_q("alignment"))
            if al is None:
                al = etree.Element(_q("alignment"))
                _insert_ordered(el, al, XF_CHILD_ORDER)
            al.set("vertical", valign)
            el.set("applyAlignment", "1")
        idx = self._add("cellXfs", el)
        self.cache[key] = idx
        return idx

    def quote_prefix(self, index: int) -> bool:
        return self.xf(index).get("quotePrefix") in ("1", "true")

    def new_xf(self, font: int, fill: int, wrap: bool, quote: bool) -> int:
        el = etree.Element(_q("xf"), numFmtId="0", fontId=str(font), fillId=str(fill), borderId="0", xfId="0")
        el.set("applyFont", "1")
        if fill:
            el.set("applyFill", "1")
        el.set("applyAlignment", "1")
        if quote:
            el.set("quotePrefix", "1")
        al = etree.SubElement(el, _q("alignment"), vertical="top")
        if wrap:
            al.set("wrapText", "1")
        return self._add("cellXfs", el)

    def save(self) -> None:
        if self.root is not None and self.pkg.styles_dirty:
            self.pkg.zip.set(self.part, to_xml(self.root))


# ---- a worksheet part ----------------------------------------------------------------------------------------
def _split_ref(ref: str) -> tuple[int, int, int, int]:
    a, _, b = ref.partition(":")
    r1, c1 = parse_address(a)
    r2, c2 = parse_address(b) if b else (r1, c1)
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


class Sheet:
    def __init__(self, pkg: "Package", name: str, part: str, index: int):
        self.pkg, self.name, self.part, self.index = pkg, name, part, index
        self.root = parse_xml(pkg.zip.read(part), part)
        if self.root.tag != _q("worksheet"):
            if self.root.tag == _q("worksheet", STRICT_NS):
                raise Unpatchable("工作簿是“严格 Open XML”格式")
            raise Unpatchable(f"工作表“{name}”不是普通工作表")
        self.data = self.root.find(_q("sheetData"))
        if self.data is None:
            self.data = etree.Element(_q("sheetData"))
            _insert_ordered(self.root, self.data, SHEET_ORDER)
        self.rows: dict[int, Any] = {}
        self.row_nums: list[int] = []
        self.cells: dict[tuple[int, int], Any] = {}
        self.row_cols: dict[int, list[int]] = {}
        last = 0
        for row in self.data:
            if _local(row) != "row":
                continue
            r = int(row.get("r") or last + 1)
            row.set("r", str(r))  # implied positions made explicit: inserting keeps them right
            last = r
            self.rows[r] = row
            cols: list[int] = []
            lastc = 0
            for c in row:
                if _local(c) != "c":
                    continue
                ref = c.get("r")
                col = parse_address(ref)[1] if ref else lastc + 1
                if not ref:
                    c.set("r", address(r, col))
                lastc = col
                self.cells[(r, col)] = c
                cols.append(col)
            self.row_cols[r] = sorted(cols)
        self.row_nums = sorted(self.rows)
        self.merged = []
        mc = self.root.find(_q("mergeCells"))
        if mc is not None:
            self.merged = [_split_ref(m.get("ref", "")) for m in mc if _local(m) == "mergeCell" and m.get("ref")]
        # Cells merged under another (writes there are skipped): a set while that is small.
        area = sum((r2 - r1 + 1) * (c2 - c1 + 1) for r1, c1, r2, c2 in self.merged)
        self._covered = {(r, c) for r1, c1, r2, c2 in self.merged for r in range(r1, r2 + 1)
                         for c in range(c1, c2 + 1) if (r, c) != (r1, c1)} if area <= 1_000_000 else None
        self._arrays: list[tuple[int, int, int, int]] | None = None
        self.comments: Comments | None = None
        self.resized = False
        self.grown: set[tuple[int, int]] = set()

    def covered(self, r: int, c: int) -> bool:
        if self._covered is not None:
            return (r, c) in self._covered
        return any(r1 <= r <= r2 and c1 <= c <= c2 and (r, c) != (r1, c1) for r1, c1, r2, c2 in self.merged)

    # -- rows and cells
    def row(self, r: int):
        row = self.rows.get(r)
        if row is None:
            row = etree.Element(_q("row"), r=str(r))
            i = bisect_left(self.row_nums, r)
            if i < len(self.row_nums):
                self.rows[self.row_nums[i]].addprevious(row)
            else:
                self.data.append(row)
            self.row_nums.insert(i, r)
            self.rows[r] = row
            self.row_cols[r] = []
        return row

    def cell(self, r: int, c: int, create: bool = True):
        el = self.cells.get((r, c))
        if el is None and create:
            row = self.row(r)
            el = etree.Element(_q("c"), r=address(r, c))
            style = self._implied_style(row, c)
            if style:
                el.set("s", str(style))
            cols = self.row_cols[r]
            i = bisect_left(cols, c)
            if i < len(cols):
                self.cells[(r, cols[i])].addprevious(el)
            else:
                row.append(el)
            cols.insert(i, c)
            self.cells[(r, c)] = el
            spans = row.get("spans")
            if spans and ":" in spans:
                a, b = spans.split(":", 1)
                try:
                    row.set("spans", f"{min(int(a), c)}:{max(int(b), c)}")
                except ValueError:
                    row.attrib.pop("spans", None)
            self.grown.add((r, c))
        return el

    def _implied_style(self, row, c: int) -> int:
        """What Excel shows an empty cell with: its row's format if the row has one, else its column's."""
        if row.get("customFormat") in ("1", "true") and row.get("s"):
            return int(row.get("s"))
        cols = self.root.find(_q("cols"))
        if cols is not None:
            for col in cols:
                try:
                    if int(col.get("min", 0)) <= c <= int(col.get("max", 0)) and col.get("style"):
                        return int(col.get("style"))
                except ValueError:
                    continue
        return 0

    def arrays(self) -> list[tuple[int, int, int, int]]:
        if self._arrays is None:
            self._arrays = []
            for f in self.data.iter(_q("f")):
                if f.get("t") in ("array", "dataTable") and f.get("ref") and ":" in f.get("ref"):
                    self._arrays.append(_split_ref(f.get("ref")))
        return self._arrays

    def set_value(self, r: int, c: int, value: Any) -> None:
        a1 = address(r, c)
        for r1, c1, r2, c2 in self.arrays():
            if r1 <= r <= r2 and c1 <= c <= c2:
                raise Unpatchable(f"工作表“{self.name}”的单元格 {a1} 属于数组公式或模拟运算表")
        el = self.cell(r, c)
        for child in list(el):
            n = _local(child)
            if n == "f":
                if child.get("t") == "shared" and child.get("ref") and ":" in child.get("ref", ""):
                    raise Unpatchable(f"工作表“{self.name}”的单元格 {a1} 是一组共享公式的首个单元格，"
                                      "改写它会破坏同组的公式")
                self.pkg.formula_overwritten = True
            if n in ("f", "v", "is"):
                el.remove(child)
        el.attrib.pop("t", None)
        el.attrib.pop("cm", None)
        el.attrib.pop("vm", None)
        if value is None or value == "":  # as openpyxl: an empty text is an empty cell
            return
        if isinstance(value, bool):
            el.set("t", "b")
            self._v(el, "1" if value else "0")
        elif isinstance(value, (int, float, Decimal)):
            f = float(value)
            if math.isnan(f) or math.isinf(f):
                return  # no cell can hold it: left empty, as "not computed"
            self._v(el, str(value) if isinstance(value, int) else _num_text(f) if isinstance(value, Decimal)
                    else repr(f))
        else:
            text = xml_safe(str(value))
            el.set("t", "inlineStr")
            is_ = etree.Element(_q("is"))
            t = etree.SubElement(is_, _q("t"))
            t.text = text
            if text != text.strip() or "\n" in text:
                t.set(_q("space", XML_NS), "preserve")
            self._place_value(el, is_)

    def _v(self, el, text: str) -> None:
        v = etree.Element(_q("v"))
        v.text = text
        self._place_value(el, v)

    @staticmethod
    def _place_value(el, child) -> None:
        ext = el.find(_q("extLst"))
        if ext is not None:
            ext.addprevious(child)
        else:
            el.append(child)

    def style_of(self, r: int, c: int) -> int:
        el = self.cells.get((r, c))
        if el is None:
            return self._implied_style(self.rows.get(r) if r in self.rows else etree.Element("x"), c)
        try:
            return int(el.get("s", "0"))
        except ValueError:
            return 0

    def set_style(self, r: int, c: int, index: int) -> None:
        el = self.cell(r, c)
        if index:
            el.set("s", str(index))
        else:
            el.attrib.pop("s", None)

    def set_height(self, r: int, height: float) -> None:
        row = self.row(r)
        row.set("ht", _num_text(height))
        row.set("customHeight", "1")
        self.resized = True

    # -- values, as repagination needs them
    def value(self, r: int, c: int) -> Any:
        el = self.cells.get((r, c))
        return self._value(el) if el is not None else None

    def _value(self, el) -> Any:
        t = el.get("t", "n")
        f = el.find(_q("f"))
        if f is not None and (f.text or ""):
            return "=" + f.text
        if t == "inlineStr":
            is_ = el.find(_q("is"))
            return _text_of(is_) if is_ is not None else None
        v = el.find(_q("v"))
        if v is None or v.text is None:
            return None
        if t == "s":
            try:
                return self.pkg.shared_strings()[int(v.text)]
            except (ValueError, IndexError):
                return None
        if t in ("str", "e"):
            return v.text
        return v.text  # a number or boolean: its text is enough to say it is there

    def save(self) -> None:
        dim = self.root.find(_q("dimension"))
        if dim is not None and self.grown:
            try:
                r1, c1, r2, c2 = _split_ref(dim.get("ref", "A1"))
                for r, c in self.grown:
                    r1, c1, r2, c2 = min(r1, r), min(c1, c), max(r2, r), max(c2, c)
                dim.set("ref", f"{address(r1, c1)}:{address(r2, c2)}")
            except (ValueError, IndexError):
                pass
        self.pkg.zip.set(self.part, to_xml(self.root))


def _text_of(el) -> str:
    """A string item's text (<t>, or its runs' <t>), phonetic guides left out."""
    t = el.find(_q("t"))
    if t is not None and len(el) == 1:
        return t.text or ""
    out = []
    for r in el:
        n = _local(r)
        if n == "t":
            out.append(r.text or "")
        elif n == "r":
            rt = r.find(_q("t"))
            if rt is not None:
                out.append(rt.text or "")
    return "".join(out)


# ---- notes: the comments part and its legacy VML drawing ----------------------------------------------------
_SHAPE_NUM = re.compile(r"_x0000_s(\d+)$")


class Comments:
    """A sheet's notes. Shapes for other cells (and form controls in the same drawing) are kept."""

    def __init__(self, sheet: Sheet):
        self.sheet, self.pkg = sheet, sheet.pkg
        self.rels = sheet_rels = sheet.pkg.rels(sheet.part)
        self.part = self.vml_part = None
        self.root = self.vml = None
        # Indexes built once per sheet: a lookup per written note made scoring O(notes²) (a 监控表 of
        # 400 indicators took 25 s). _by_ref: comment elements by cell; _shapes: note shapes by
        # (row, col) 0-based; _top: the highest shape number in the drawing.
        self._by_ref: dict[str, Any] | None = None
        self._shapes: dict[tuple[int, int], Any] | None = None
        self._top: int | None = None
        for r in sheet_rels.by_type(REL_COMMENTS):
            self.part = sheet_rels.target(r)
        ld = sheet.root.find(_q("legacyDrawing"))
        if ld is not None:
            rel = sheet_rels.by_id(ld.get(_q("id", R_NS), ""))
            if rel is not None:
                self.vml_part = sheet_rels.target(rel)
        if self.part and self.pkg.zip.has(self.part):
            self.root = parse_xml(self.pkg.zip.read(self.part), self.part)
        else:
            self.part = None
        if self.vml_part and self.pkg.zip.has(self.vml_part):
            try:
                self.vml = etree.fromstring(self.pkg.zip.read(self.vml_part), _PARSER)
            except etree.XMLSyntaxError:
                self.vml = None
                if self.part is None:
                    raise Unpatchable(f"工作表“{sheet.name}”的图形部件 {self.vml_part} 无法解析") from None
                # A drawing of notes only (Excel writes some that are not well-formed XML): redrawn.
                if re.search(rb'ObjectType="(?!Note")', self.pkg.zip.read(self.vml_part)):
                    raise Unpatchable(f"工作表“{sheet.name}”的图形部件 {self.vml_part} 无法解析") from None
                self.vml = self._new_vml()
                for ref in self.refs():
                    r, c = parse_address(ref)
                    self._add_shape(r, c, 80)
        else:
            self.vml_part = None
        self.threaded = set()
        for r in sheet_rels.by_type(REL_THREADED):
            part = sheet_rels.target(r)
            if part and self.pkg.zip.has(part):
                self.threaded |= {m.decode().upper() for m in re.findall(rb'\bref="([A-Za-z]+\d+)"',
                                                                          self.pkg.zip.read(part))}
        self.changed = False

    def refs(self) -> list[str]:
        if self.root is None:
            return []
        cl = self.root.find(_q("commentList"))
        return [c.get("ref", "").upper() for c in (cl if cl is not None else []) if _local(c) == "comment"]

    def _find(self, ref: str):
        if self.root is None:
            return None
        cl = self.root.find(_q("commentList"))
        if cl is None:
            return None
        if self._by_ref is None:
            self._by_ref = {}
            for c in cl:
                if _local(c) == "comment":
                    self._by_ref.setdefault(c.get("ref", "").upper(), c)
        el = self._by_ref.get(ref)
        return el if el is not None and el.getparent() is cl else None

    def text(self, ref: str) -> str | None:
        c = self._find(ref)
        if c is None:
            return None
        t = c.find(_q("text"))
        return _text_of(t) if t is not None else ""

    def exists(self, ref: str) -> bool:
        return self._find(ref) is not None

    def set(self, r: int, c: int, text: str) -> None:
        from evaltool.workbook import layout as L

        ref = address(r, c)
        if ref in self.threaded:
            raise Unpatchable(f"工作表“{self.sheet.name}”的单元格 {ref} 有新式批注（会话）")
        self.changed = True
        height = max(80, 18 * (text.count("\n") + 2 + len(text) // 24))
        if self.root is None:
            self.root = etree.Element(_q("comments"), nsmap={None: NS})
            etree.SubElement(self.root, _q("authors"))
            etree.SubElement(self.root, _q("commentList"))
        el = self._find(ref)
        if el is None:
            authors = self.root.find(_q("authors"))
            if authors is None:
                authors = etree.Element(_q("authors"))
                self.root.insert(0, authors)
            names = [a.text for a in authors]
            if L.NOTE_AUTHOR not in names:
                etree.SubElement(authors, _q("author")).text = L.NOTE_AUTHOR
                names.append(L.NOTE_AUTHOR)
            cl = self.root.find(_q("commentList"))
            if cl is None:
                cl = etree.SubElement(self.root, _q("commentList"))
            el = etree.Element(_q("comment"), ref=ref, authorId=str(names.index(L.NOTE_AUTHOR)), shapeId="0")
            # Cells come in order as a rule: past the last note, append without scanning every note.
            last = next((x for x in reversed(cl) if _local(x) == "comment"), None)
            later = last is not None and parse_address(last.get("ref", "A1")) > (r, c)
            after = [x for x in cl if _local(x) == "comment" and parse_address(x.get("ref", "A1")) > (r, c)] if later else []
            if after:
                after[0].addprevious(el)
            else:
                cl.append(el)
            if self._by_ref is not None:
                self._by_ref[ref] = el
        for child in list(el):
            if _local(child) == "text":
                el.remove(child)
        tx = etree.Element(_q("text"))
        t = etree.SubElement(tx, _q("t"))
        t.text = xml_safe(text)
        t.set(_q("space", XML_NS), "preserve")
        ext = el.find(_q("commentPr"))
        if ext is not None:
            ext.addprevious(tx)
        else:
            el.append(tx)
        shape = self._shape(r, c)
        if shape is None:
            self._add_shape(r, c, height)
        else:
            style = shape.get("style", "")
            style = re.sub(r"width:[^;]*", "width:320px", style) if "width:" in style else style + ";width:320px"
            style = re.sub(r"height:[^;]*", f"height:{height}px", style) if "height:" in style \
                else style + f";height:{height}px"
            shape.set("style", style)

    def delete(self, r: int, c: int) -> None:
        ref = address(r, c)
        if ref in self.threaded:
            raise Unpatchable(f"工作表“{self.sheet.name}”的单元格 {ref} 有新式批注（会话）")
        el = self._find(ref)
        if el is not None:
            el.getparent().remove(el)
            self.changed = True
        shape = self._shape(r, c)
        if shape is not None:
            shape.getparent().remove(shape)
            self._shape_index().pop((r - 1, c - 1), None)
            self.changed = True

    # -- VML
    def _new_vml(self):
        vml = etree.Element("xml", nsmap={"v": V_NS, "o": O_NS, "x": X_NS})
        lay = etree.SubElement(vml, _q("shapelayout", O_NS))
        lay.set(_q("ext", V_NS), "edit")
        idmap = etree.SubElement(lay, _q("idmap", O_NS))
        idmap.set(_q("ext", V_NS), "edit")
        idmap.set("data", str(self.pkg.next_vml_block()))
        return vml

    def _ensure_type(self) -> None:
        assert self.vml is not None  # _add_shape made it
        if any(st.get("id") == "_x0000_t202" for st in self.vml.iter(_q("shapetype", V_NS))):
            return
        st = etree.SubElement(self.vml, _q("shapetype", V_NS), id="_x0000_t202", coordsize="21600,21600",
                              path="m,l,21600r21600,l21600,xe")
        st.set(_q("spt", O_NS), "202")
        etree.SubElement(st, _q("stroke", V_NS), joinstyle="miter")
        p = etree.SubElement(st, _q("path", V_NS), gradientshapeok="t")
        p.set(_q("connecttype", O_NS), "rect")

    def _shape_index(self) -> dict[tuple[int, int], Any]:
        if self._shapes is None:
            self._shapes = {}
            for shape in self.vml.iter(_q("shape", V_NS)) if self.vml is not None else ():
                cd = shape.find(_q("ClientData", X_NS))
                if cd is None or cd.get("ObjectType") != "Note":
                    continue
                try:
                    row = int((cd.findtext(_q("Row", X_NS)) or "").strip())
                    col = int((cd.findtext(_q("Column", X_NS)) or "").strip())
                except ValueError:
                    continue
                self._shapes.setdefault((row, col), shape)  # the first, as the old scan found
        return self._shapes

    def _shape(self, r: int, c: int):
        if self.vml is None:
            return None
        shape = self._shape_index().get((r - 1, c - 1))
        return shape if shape is not None and shape.getparent() is not None else None

    def _add_shape(self, r: int, c: int, height: int) -> None:
        if self.vml is None:
            self.vml = self._new_vml()
        self._ensure_type()
        if self._top is None:
            used = [int(m.group(1)) for s in self.vml.iter() if isinstance(s.tag, str)
                    for m in [_SHAPE_NUM.search(s.get("id", "") or s.get(_q("spid", O_NS), "") or "")] if m]
            idmap = next(self.vml.iter(_q("idmap", O_NS)), None)
            try:
                block = int((idmap.get("data") or "1").split(",")[0]) if idmap is not None else 1
            except ValueError:
                block = 1
            self._top = max(used + [block * 1024])
        num = self._top = self._top + 1
        shape = etree.SubElement(self.vml, _q("shape", V_NS), id=f"_x0000_s{num}", type="#_x0000_t202",
                                 style=f"position:absolute;margin-left:59.25pt;margin-top:1.5pt;width:320px;"
                                       f"height:{height}px;z-index:1;visibility:hidden",
                                 fillcolor="#ffffe1")
        shape.set(_q("insetmode", O_NS), "auto")
        etree.SubElement(shape, _q("fill", V_NS), color2="#ffffe1")
        etree.SubElement(shape, _q("shadow", V_NS), color="black", obscured="t")
        p = etree.SubElement(shape, _q("path", V_NS))
        p.set(_q("connecttype", O_NS), "none")
        tb = etree.SubElement(shape, _q("textbox", V_NS), style="mso-direction-alt:auto")
        etree.SubElement(tb, "div", style="text-align:left")
        cd = etree.SubElement(shape, _q("ClientData", X_NS), ObjectType="Note")
        etree.SubElement(cd, _q("MoveWithCells", X_NS))
        etree.SubElement(cd, _q("SizeWithCells", X_NS))
        etree.SubElement(cd, _q("Anchor", X_NS)).text = f"{c}, 15, {max(r - 2, 0)}, 10, {c + 4}, 15, {r + 4}, 4"
        etree.SubElement(cd, _q("AutoFill", X_NS)).text = "False"
        etree.SubElement(cd, _q("Row", X_NS)).text = str(r - 1)
        etree.SubElement(cd, _q("Column", X_NS)).text = str(c - 1)
        self._shape_index()[(r - 1, c - 1)] = shape

    def save(self) -> None:
        if not self.changed:
            return
        pkg, sheet, rels = self.pkg, self.sheet, self.rels
        has_notes = bool(self.refs())
        if has_notes:
            if self.part is None:
                self.part = pkg.free_name("xl/comments{}.xml")
                rels.add(REL_COMMENTS, self.part)
            pkg.types.add(self.part, CT_COMMENTS)
            pkg.zip.set(self.part, to_xml(self.root))
        elif self.part is not None:
            for r in rels.by_type(REL_COMMENTS):
                rels.drop(r)
            pkg.zip.remove(self.part)
            pkg.types.drop(self.part)
        shapes = list(self.vml.iter(_q("shape", V_NS))) if self.vml is not None else []
        others = [s for s in self.vml.iter() if isinstance(s.tag, str) and _local(s) not in
                  ("xml", "shapelayout", "idmap", "shapetype", "stroke", "path")
                  and s.getparent() is self.vml] if self.vml is not None else []
        if shapes or others:
            if self.vml_part is None:
                self.vml_part = pkg.free_name("xl/drawings/vmlDrawing{}.vml")
                rid = rels.add(REL_VML, self.vml_part)
                ld = etree.Element(_q("legacyDrawing"))
                ld.set(_q("id", R_NS), rid)
                _insert_ordered(sheet.root, ld, SHEET_ORDER)
            pkg.types.add(self.vml_part, CT_VML, default_ext=True)
            pkg.zip.set(self.vml_part, etree.tostring(self.vml, encoding="UTF-8", xml_declaration=False))
        elif self.vml_part is not None:
            ld = sheet.root.find(_q("legacyDrawing"))
            if ld is not None:
                rel = rels.by_id(ld.get(_q("id", R_NS), ""))
                if rel is not None:
                    rels.drop(rel)
                sheet.root.remove(ld)
            pkg.zip.remove(self.vml_part)
            pkg.types.drop(self.vml_part)


# ---- the package ---------------------------------------------------------------------------------------------
class Package:
    def __init__(self, data: bytes):
        self.zip = Zip(data)
        self.types = ContentTypes(self)
        self._rels: dict[str, Rels] = {}
        root_rels = self.rels("")
        office = [r for r in root_rels.by_type(REL_OFFICE)]
        if not office:
            raise Unpatchable("找不到工作簿的主部件")
        self.book_part = root_rels.target(office[0]) or "xl/workbook.xml"
        if not self.zip.has(self.book_part):
            raise Unpatchable("找不到工作簿的主部件")
        self.book = parse_xml(self.zip.read(self.book_part), self.book_part)
        if self.book.tag == _q("workbook", STRICT_NS):
            raise Unpatchable("工作簿是“严格 Open XML”格式")
        if self.book.tag != _q("workbook"):
            raise Unpatchable("工作簿的主部件不是 Excel 工作簿")
        self.book_dirty = False
        self.book_rels = self.rels(self.book_part)
        self.sheet_parts: dict[str, tuple[str | None, int, Any]] = {}
        sheets = self.book.find(_q("sheets"))
        for i, s in enumerate(sheets if sheets is not None else []):
            rel = self.book_rels.by_id(s.get(_q("id", R_NS), ""))
            part = self.book_rels.target(rel) if rel is not None and rel.get("Type") == REL_SHEET else None
            self.sheet_parts[s.get("name", "")] = (part, i, s)
        styles = [self.book_rels.target(r) for r in self.book_rels.by_type(R_NS + "/styles")]
        self.styles = Styles(self, styles[0] if styles else None)
        self.styles_dirty = False
        self.sheets: dict[str, Sheet] = {}
        self._sst: list[str] | None = None
        self.formula_overwritten = False
        self.value_written = False

    def rels(self, part: str) -> Rels:
        if part not in self._rels:
            self._rels[part] = Rels(self, part)
        return self._rels[part]

    def sheet(self, name: str) -> Sheet | None:
        if name in self.sheets:
            return self.sheets[name]
        found = self.sheet_parts.get(name)
        if found is None or found[0] is None or not self.zip.has(found[0]):
            return None
        self.sheets[name] = Sheet(self, name, found[0], found[1])
        return self.sheets[name]

    def shared_strings(self) -> list[str]:
        if self._sst is None:
            self._sst = []
            for r in self.book_rels.by_type(R_NS + "/sharedStrings"):
                part = self.book_rels.target(r)
                if part and self.zip.has(part):
                    root = parse_xml(self.zip.read(part), part)
                    self._sst = [_text_of(si) for si in root if _local(si) == "si"]
        return self._sst

    def free_name(self, pattern: str) -> str:
        taken = {n.lower() for n in self.zip.names()} | {n.lower() for n in self.zip.removed}
        n = 1
        while pattern.format(n).lower() in taken:
            n += 1
        return pattern.format(n)

    def next_vml_block(self) -> int:
        blocks = [0]
        for name in self.zip.names():
            if name.lower().endswith(".vml"):
                for m in re.findall(rb'<o:idmap[^>]*\bdata="([\d,]+)"', self.zip.read(name)):
                    blocks += [int(x) for x in m.split(b",") if x]
        for s in self.sheets.values():
            if s.comments is not None and s.comments.vml is not None:
                for idmap in s.comments.vml.iter(_q("idmap", O_NS)):
                    blocks += [int(x) for x in (idmap.get("data") or "").split(",") if x.isdigit()]
        return max(blocks) + 1

    # -- workbook.xml
    def defined_text(self, name: str, local: int) -> str | None:
        dn = self.book.find(_q("definedNames"))
        for d in (dn if dn is not None else []):
            if _local(d) == "definedName" and d.get("name", "").lower() == name.lower() \
                    and d.get("localSheetId") == str(local):
                return d.text
        return None

    def defined_name(self, name: str, local: int, text: str) -> None:
        dn = _child(self.book, "definedNames", BOOK_ORDER)
        for d in dn:
            if _local(d) == "definedName" and d.get("name", "").lower() == name.lower() \
                    and d.get("localSheetId") == str(local):
                if d.text != text:
                    d.text = text
                    self.book_dirty = True
                return
        d = etree.SubElement(dn, _q("definedName"), name=name, localSheetId=str(local))
        d.text = text
        self.book_dirty = True

    def drop_calc_chain(self) -> None:
        for r in self.book_rels.by_type(REL_CALC):
            part = self.book_rels.target(r)
            self.book_rels.drop(r)
            if part:
                self.zip.remove(part)
                self.types.drop(part)

    def full_calc_on_load(self) -> None:
        calc = _child(self.book, "calcPr", BOOK_ORDER)
        if calc.get("fullCalcOnLoad") not in ("1", "true"):
            calc.set("fullCalcOnLoad", "1")
            self.book_dirty = True

    def add_sheet(self, name: str, data: bytes) -> None:
        part = self.free_name("xl/worksheets/sheet{}.xml")
        self.zip.set(part, data)
        self.types.add(part, CT_SHEET)
        rid = self.book_rels.add(REL_SHEET, part)
        sheets = _child(self.book, "sheets", BOOK_ORDER)
        ids = [int(s.get("sheetId")) for s in sheets if (s.get("sheetId") or "").isdigit()]
        s = etree.SubElement(sheets, _q("sheet"), name=name, sheetId=str(max(ids, default=0) + 1))
        s.set(_q("id", R_NS), rid)
        self.book_dirty = True
        self._app_title(name)

    def _app_title(self, name: str) -> None:
        """docProps/app.xml lists sheet names (TitlesOfParts) and counts them (HeadingPairs): kept true."""
        part = next((self.rels("").target(r) for r in self.rels("").by_type(R_NS + "/extended-properties")), None)
        if not part or not self.zip.has(part):
            return
        root = parse_xml(self.zip.read(part), part)
        titles = root.find(_q("TitlesOfParts", EP_NS))
        pairs = root.find(_q("HeadingPairs", EP_NS))
        if titles is None or pairs is None:
            return
        tv, pv = titles.find(_q("vector", VT_NS)), pairs.find(_q("vector", VT_NS))
        if tv is None or pv is None:
            return
        variants = list(pv)
        pos = 0
        for i in range(0, len(variants) - 1, 2):
            label = variants[i].findtext(_q("lpstr", VT_NS)) or ""
            count_el = variants[i + 1].find(_q("i4", VT_NS))
            if count_el is None:
                return
            count = int(count_el.text or 0)
            if label in ("Worksheets", "工作表"):
                lp = etree.Element(_q("lpstr", VT_NS))
                lp.text = name
                items = list(tv)
                if pos + count < len(items):
                    items[pos + count].addprevious(lp)
                else:
                    tv.append(lp)
                count_el.text = str(count + 1)
                tv.set("size", str(len(tv)))
                self.zip.set(part, to_xml(root))
                return
            pos += count

    def save(self) -> bytes:
        if self.formula_overwritten:
            self.drop_calc_chain()
        if self.value_written:
            self.full_calc_on_load()
        for s in self.sheets.values():
            if s.comments is not None:
                s.comments.save()
            s.save()
        self.styles.save()
        if self.book_dirty:
            self.zip.set(self.book_part, to_xml(self.book))
        for r in self._rels.values():
            r.save()
        self.types.save()
        return self.zip.build()


# ---- applying the writes -------------------------------------------------------------------------------------
def apply(pkg: Package, writes: list[CellWrite]) -> None:
    """What xlsx_engine.apply_writes does on an openpyxl workbook, done on the parts."""
    from evaltool.workbook import layout as L

    for w in writes:
        sheet = pkg.sheet(w.sheet)
        if sheet is None:
            continue
        r, c = parse_address(w.cell)
        if w.row_height is not None:
            sheet.set_height(r, w.row_height)
        if sheet.covered(r, c):  # should not happen (the reader gives anchors); as openpyxl: skipped
            continue
        base = sheet.style_of(r, c)
        quote = None
        if not w.keep_value:
            sheet.set_value(r, c, w.value)
            pkg.value_written = True
            q = isinstance(w.value, str) and looks_like_formula(xml_safe(w.value))
            if q or pkg.styles.quote_prefix(base):
                quote = q
        spec = L.STYLES.get(w.style) if w.style else None
        fill = spec.get("fill") if spec is not None else ...
        if fill is not ... or quote is not None:
            sheet.set_style(r, c, pkg.styles.variant(base, fill=fill, quote=quote))
        if w.note is not None:
            if sheet.comments is None:
                sheet.comments = Comments(sheet)
            cm = sheet.comments
            ref = address(r, c)
            exists = cm.exists(ref)
            text = L.note_after(exists, cm.text(ref) if exists else None, w.note)
            if text == "":
                cm.delete(r, c)
            elif text is not None:
                cm.set(r, c, text)
    for sheet in list(pkg.sheets.values()):
        if sheet.resized:
            repaginate(pkg, sheet)


# ---- print setup of a sheet whose rows grew (paper.repaginate_form on the parts) -----------------------------
def repaginate(pkg: Package, sheet: Sheet) -> list[int]:
    from evaltool.workbook import layout as L
    from evaltool.workbook import paper

    labels = tuple(L.IND_HEADERS[k] for k in ("一级指标", "二级指标", "三级指标"))
    found = None
    for r in [n for n in sheet.row_nums if n <= 60]:
        cols: dict[str, int] = {}
        for c in sheet.row_cols.get(r, []):
            v = sheet.value(r, c)
            if isinstance(v, str):
                cols[v.strip()] = c
        if all(lab in cols for lab in labels):
            found = (r, cols)
            break
    if found is None:
        return []
    header, cols = found
    last_col = cols.get(L.IND_HEADERS["偏差原因分析及改进措施"]) or max(cols.values())
    level1, level2 = cols[labels[0]], cols[labels[1]]
    landscape = True
    # the last used row in the printed columns
    last = 1
    for (r, c), el in sheet.cells.items():
        if c <= last_col and r > last and sheet._value(el) not in (None, ""):
            last = r
    for r1, c1, r2, c2 in sheet.merged:
        if c1 <= last_col and sheet.value(r1, c1) not in (None, ""):
            last = max(last, r2)
    quoted = quoted_sheet(sheet.name)
    pkg.defined_name("_xlnm.Print_Area", sheet.index, f"{quoted}!$A$1:${col_letter(last_col)}${last}")
    titles = f"{quoted}!${header}:${header}"
    old = pkg.defined_text("_xlnm.Print_Titles", sheet.index) or ""
    title_cols = [p for p in old.split(",") if re.search(r"!\$?[A-Za-z]+:\$?[A-Za-z]+$", p.strip())]
    pkg.defined_name("_xlnm.Print_Titles", sheet.index, ",".join(title_cols + [titles]))  # title columns kept
    root = sheet.root
    ps = _child(root, "pageSetup", SHEET_ORDER)
    ps.set("paperSize", "9")
    ps.set("orientation", "landscape" if landscape else "portrait")
    ps.set("fitToWidth", "1")
    ps.set("fitToHeight", "0")
    pr = _child(root, "sheetPr", SHEET_ORDER)
    psp = pr.find(_q("pageSetUpPr"))
    if psp is None:
        psp = etree.Element(_q("pageSetUpPr"))
        _insert_ordered(pr, psp, ["tabColor", "outlinePr", "pageSetUpPr"])
    psp.set("fitToPage", "1")
    po = _child(root, "printOptions", SHEET_ORDER)
    po.set("horizontalCentered", "1")
    pm = _child(root, "pageMargins", SHEET_ORDER)
    for k, v in (("left", paper.MARGIN_LR), ("right", paper.MARGIN_LR), ("top", paper.MARGIN_TB),
                 ("bottom", paper.MARGIN_TB), ("header", paper.MARGIN_HF), ("footer", paper.MARGIN_HF)):
        pm.set(k, _num_text(v))
    hf = _child(root, "headerFooter", SHEET_ORDER)
    of = hf.find(_q("oddFooter"))
    if of is None:
        of = etree.Element(_q("oddFooter"))
        _insert_ordered(hf, of, ["oddHeader", "oddFooter", "evenHeader", "evenFooter", "firstHeader", "firstFooter"])
    of.text = _with_center(of.text or "", "第 &P 页，共 &N 页")
    # heights and widths, as paper.paginate measures them
    fmt = root.find(_q("sheetFormatPr"))
    try:
        default_h = float(fmt.get("defaultRowHeight")) if fmt is not None and fmt.get("defaultRowHeight") else 0.0
    except ValueError:
        default_h = 0.0
    default_h = default_h or paper.DEFAULT_ROW_PT
    heights = {}
    for r in range(1, last + 1):
        row = sheet.rows.get(r)
        try:
            h = float(row.get("ht")) if row is not None and row.get("ht") else 0.0
        except ValueError:
            h = 0.0
        heights[r] = h or default_h
    widths = {}
    colsel = root.find(_q("cols"))
    for col in (colsel if colsel is not None else []):
        try:
            lo, hi, wd = int(col.get("min")), int(col.get("max")), float(col.get("width") or 0)
        except (TypeError, ValueError):
            continue
        for c in range(lo, min(hi, last_col) + 1):
            widths[c] = wd
    width_pt = sum(paper.column_points(widths.get(c) or 8.43) for c in range(1, last_col + 1))
    page_w = (paper.A4_LONG if landscape else paper.A4_SHORT) - 2 * 72 * paper.MARGIN_LR
    page_h = (paper.A4_SHORT if landscape else paper.A4_LONG) - 2 * 72 * paper.MARGIN_TB
    scale = min(1.0, page_w / max(width_pt, 1.0))
    page = page_h / scale * 0.97

    def vertical(col: int) -> list[tuple[int, int]]:
        return sorted((r1, r2) for r1, c1, r2, c2 in sheet.merged if c1 == col and r1 > header and r2 > r1)

    breaks = paper.break_rows(heights, 1, last, page, heights[header], vertical(level1), vertical(level2),
                              header=header)
    rb = root.find(_q("rowBreaks"))
    if rb is not None:
        root.remove(rb)
    if breaks:
        rb = etree.Element(_q("rowBreaks"), count=str(len(breaks)), manualBreakCount=str(len(breaks)))
        for r in breaks:
            etree.SubElement(rb, _q("brk"), id=str(r - 1), min="0", max="16383", man="1")
        _insert_ordered(root, rb, SHEET_ORDER)
    for r1, c1, r2, c2 in sheet.merged:
        if any(r1 < b <= r2 for b in breaks) and sheet.value(r1, c1) not in (None, ""):
            sheet.set_style(r1, c1, pkg.styles.variant(sheet.style_of(r1, c1), valign="top"))
    return breaks


def _with_center(text: str, center: str) -> str:
    """A header/footer text with its centre section (&C) replaced; left and right kept."""
    parts = {"L": "", "C": "", "R": ""}
    cur = "C"  # text before any section code is centred
    i = 0
    buf = ""
    while i < len(text):
        ch = text[i]
        if ch == "&" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt.upper() in "LCR" and nxt.isupper():
                parts[cur] += buf
                buf, cur = "", nxt
                i += 2
                continue
            buf += text[i:i + 2]
            i += 2
            continue
        buf += ch
        i += 1
    parts[cur] += buf
    parts["C"] = center
    return "".join(f"&{k}{v}" for k, v in parts.items() if v)


# ---- the 校验结果 sheet --------------------------------------------------------------------------------------
def results_xml(pkg: Package, rs) -> bytes:
    """The writer's ResultsSheet as a worksheet part, looking as xlsx_engine.write_results makes it."""
    from evaltool.workbook import layout as L

    st = pkg.styles
    font_body = st.font(L.FONT, 10.5)
    specs: dict[tuple[int, int], dict] = {}
    for r, row in enumerate(rs.rows, start=1):
        for c in range(1, len(row) + 1):
            specs[(r, c)] = {"font": font_body, "fill": None, "wrap": c in rs.wrap_cols}
    def spec(r, c):
        return specs.setdefault((r, c), {"font": font_body, "fill": None, "wrap": c in rs.wrap_cols})
    spec(rs.title_row, 1)["font"] = st.font(L.TITLE_FONT, 14, bold=True)
    for r in rs.header_rows:
        for c in range(1, len(rs.rows[r - 1]) + 1):
            s = spec(r, c)
            s["font"] = st.font(L.FONT, 10.5, bold=True)
            s["fill"] = "D9D9D9"
        if r >= 2:
            spec(r - 1, 1)["font"] = st.font(L.FONT, 11, bold=True)
    for r, severity in rs.severity_rows.items():
        spec(r, 4)["fill"] = L.STYLES[severity]["fill"]
    for (r, c) in rs.links:
        spec(r, c)["font"] = st.font(L.FONT, 10.5, color="0563C1", underline=True)
    xf_cache: dict[tuple, int] = {}

    def xf(s: dict, quote: bool) -> int:
        key = (s["font"], s["fill"], s["wrap"], quote)
        if key not in xf_cache:
            xf_cache[key] = st.new_xf(s["font"], st.fill(s["fill"]) if s["fill"] else 0, s["wrap"], quote)
        return xf_cache[key]

    nrows = max([r for r, _ in specs] + [len(rs.rows), 1])
    ncols = max([c for _, c in specs] + [len(rs.widths), 1])
    root = etree.Element(_q("worksheet"), nsmap={None: NS, "r": R_NS})
    pr = etree.SubElement(root, _q("sheetPr"))
    etree.SubElement(pr, _q("pageSetUpPr"), fitToPage="1")
    etree.SubElement(root, _q("dimension"), ref=f"A1:{address(nrows, ncols)}")
    views = etree.SubElement(root, _q("sheetViews"))
    view = etree.SubElement(views, _q("sheetView"), workbookViewId="0")
    etree.SubElement(view, _q("pane"), ySplit="1", topLeftCell="A2", activePane="bottomLeft", state="frozen")
    etree.SubElement(view, _q("selection"), pane="bottomLeft", activeCell="A2", sqref="A2")
    etree.SubElement(root, _q("sheetFormatPr"), defaultRowHeight="15")
    cols = etree.SubElement(root, _q("cols"))
    for i, width in enumerate(rs.widths, start=1):
        etree.SubElement(cols, _q("col"), min=str(i), max=str(i), width=_num_text(width), customWidth="1")
    data = etree.SubElement(root, _q("sheetData"))
    for r in range(1, nrows + 1):
        values = rs.rows[r - 1] if r <= len(rs.rows) else []
        row_cells = sorted(c for (rr, c) in specs if rr == r)
        height = rs.heights.get(r)
        if not row_cells and height is None:
            continue
        row = etree.SubElement(data, _q("row"), r=str(r))
        if height is not None:
            row.set("ht", _num_text(height))
            row.set("customHeight", "1")
        for c in row_cells:
            value = values[c - 1] if c <= len(values) else None
            el = etree.SubElement(row, _q("c"), r=address(r, c))
            quote = False
            if isinstance(value, str) and value:
                text = xml_safe(value)
                quote = looks_like_formula(text)
                el.set("t", "inlineStr")
                t = etree.SubElement(etree.SubElement(el, _q("is")), _q("t"))
                t.text = text
                if text != text.strip() or "\n" in text:
                    t.set(_q("space", XML_NS), "preserve")
            elif isinstance(value, bool):
                el.set("t", "b")
                etree.SubElement(el, _q("v")).text = "1" if value else "0"
            elif isinstance(value, (int, float, Decimal)) and not (isinstance(value, float) and
                                                                   (math.isnan(value) or math.isinf(value))):
                etree.SubElement(el, _q("v")).text = str(value) if isinstance(value, int) else repr(float(value))
            elif value is not None and value != "":
                el.set("t", "inlineStr")
                etree.SubElement(etree.SubElement(el, _q("is")), _q("t")).text = xml_safe(str(value))
            idx = xf(specs[(r, c)], quote)
            if idx:
                el.set("s", str(idx))
    if rs.links:
        hl = etree.SubElement(root, _q("hyperlinks"))
        for (r, c), (target, a1) in sorted(rs.links.items()):
            # An internal link (location, no relationship): Excel, WPS and LibreOffice all jump to the cell.
            etree.SubElement(hl, _q("hyperlink"), ref=address(r, c), location=f"{quoted_sheet(target)}!{a1}")
    etree.SubElement(root, _q("pageMargins"), left="0.75", right="0.75", top="1", bottom="1", header="0.5",
                     footer="0.5")
    etree.SubElement(root, _q("pageSetup"), orientation="landscape", paperSize="9", fitToHeight="0",
                     fitToWidth="1")
    return to_xml(root)


def put_results(pkg: Package, rs) -> None:
    """Replace the 校验结果 sheet's part (its place in the tab order kept), or add it as the last sheet."""
    data = results_xml(pkg, rs)
    found = pkg.sheet_parts.get(rs.name)
    if found is not None and found[0] is not None and pkg.zip.has(found[0]):
        part = found[0]
        ctype = pkg.types.of(part)
        if ctype != CT_SHEET:
            raise Unpatchable(f"“{rs.name}”不是普通工作表")
        if re.search(rb"<(?:\w+:)?f[\s>/]", pkg.zip.read(part)):
            pkg.formula_overwritten = True  # calcChain.xml may list its formulas: dropped, Excel rebuilds it
        pkg.zip.set(part, data)
        rels = rels_name(part)
        if pkg.zip.has(rels):  # what the old sheet pointed to (its notes, a drawing) went with it
            pkg.zip.remove(rels)
            pkg._rels.pop(part, None)
        return
    if found is not None:
        raise Unpatchable(f"“{rs.name}”不是普通工作表")
    pkg.add_sheet(rs.name, data)


def patch_workbook(data: bytes, writes: list[CellWrite], results) -> bytes:
    """The package `data` with the writes applied and the 校验结果 sheet `results` (writer.ResultsSheet)
    put in; every part evaltool does not own copied as it is. Unpatchable(reason) where that is not safe."""
    pkg = Package(data)
    apply(pkg, writes)
    if results is not None:
        put_results(pkg, results)
    return pkg.save()


def written_parts(before: bytes, after: bytes) -> set[str]:
    """Names of the entries whose bytes differ (or that exist in only one of the two packages)."""
    import io

    with zipfile.ZipFile(io.BytesIO(before)) as a, zipfile.ZipFile(io.BytesIO(after)) as b:
        na, nb = set(a.namelist()), set(b.namelist())
        return (na ^ nb) | {n for n in na & nb if a.read(n) != b.read(n)}


__all__ = ["patch_workbook", "Unpatchable", "written_parts"]
