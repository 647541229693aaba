"""The reading policy: what a submitted workbook is, judged from its bytes before any spreadsheet
library opens it, and what is read, tolerated (with a warning naming the cell or part) or refused
(naming the part). Every command goes through preflight(): check, score, report, export,
check-report, the Excel entry points (through the openpyxl engine) and collect (in its workers),
so each file gets the same verdict and the same Chinese message whichever command reads it.

Tolerated as Excel and LibreOffice tolerate it, by repairing a copy in memory (the file itself is
never touched): a NaN/INF or garbled number in a cell (read as its text), a style index that does
not exist, a missing or broken styles part, cell references spelled oddly (e1, $E$1, missing r=),
rows and columns beyond the limits, a broken or entity-bearing part nothing needs (document
properties, theme, comments, drawings…), duplicate or path-escaping zip entries. Refused: what
cannot be read at all, or an essential part (workbook, sheet, shared strings) that is damaged or
declares XML entities. XML entities and external references are never expanded: parts are parsed
with lxml (resolve_entities=False, no_network=True) and a part that declares a DTD is not parsed.
"""
from __future__ import annotations

import functools
import io
import os
import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field

from evaltool.core import limits
from evaltool.core.seam import col_letter

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Office 97-2003 files, and encrypted .xlsx packages
ZIP_MAGIC = b"PK\x03\x04"
MAX_UNZIPPED = 400 * 1024 * 1024  # default of limits UNPACKED_MB (kept for callers that import it)
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")

SAVE_AGAIN = "请在 Excel 或 WPS 中打开并另存为 .xlsx 后再试；若打不开，请重新获取文件（例如从原始邮件重新下载）。"

# One message per reason a file is refused: the CLI, the Excel buttons and the 汇总 all say this.
MSG = {
    "empty": "文件是空的（0 字节，空文件），可能没有下载或保存完整。" + SAVE_AGAIN,
    "encrypted": "文件设置了打开密码（已加密），evaltool 无法读取。请在 Excel 或 WPS 中打开，在“文件 → 信息 → "
                 "保护工作簿 → 用密码进行加密”中删除密码后另存，再试一次。",
    "ole": "这是旧版 Excel 97-2003 格式（.xls）或其他 Office 二进制文件，evaltool 只能读取 .xlsx。请在 Excel 或 WPS "
           "中打开，“另存为 → Excel 工作簿（*.xlsx）”后再试。",
    "zip_damaged": "文件已损坏或不完整（工作簿的压缩结构无法读取），可能是邮件附件没有下载完整。" + SAVE_AGAIN,
}


class Refused(Exception):
    """The file cannot be read; str() is the Chinese reason (naming the part when one is to blame)."""


@dataclass
class Note:
    """Something tolerated while reading: becomes a warning finding on the project."""

    code: str
    message: str
    sheet: str | None = None
    cell: str | None = None
    part: str | None = None


@dataclass
class Package:
    data: bytes  # what the spreadsheet libraries read: the original bytes, or a repaired copy
    notes: list[Note] = field(default_factory=list)
    repaired: bool = False
    macro: bool = False
    repairs: list[str] = field(default_factory=list)  # Chinese, what the copy changed (for score's message)
    # preflight(stored=True): the same package with the parts the pre-flight inflated stored
    # uncompressed, for python-calamine (it then need not inflate them a second time); None when
    # not asked for, or when the package is unusual (then `data` is read).
    stored: bytes | None = field(default=None, repr=False)


def is_encrypted_ole(data: bytes) -> bool:
    """An OLE file holding a password-protected Office package (what Excel writes for an .xlsx
    with an opening password)."""
    try:
        import olefile

        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            if ole.exists("EncryptionInfo") or ole.exists("EncryptedPackage"):
                return True
    except Exception:  # noqa: BLE001 - a damaged directory: look for the stream's name instead
        pass
    return _ENCRYPTED_STREAM in data[:1_000_000] or _ENCRYPTED_STREAM in data[-1_000_000:]


def sniff(data: bytes, suffix: str = ".xlsx") -> None:
    """Refuse what is not a zip package at all, saying what it is instead."""
    if not data:
        raise Refused(MSG["empty"])
    if data.startswith(OLE_MAGIC):
        raise Refused(MSG["encrypted"] if is_encrypted_ole(data) else MSG["ole"])
    if not data.startswith(ZIP_MAGIC) and not (data.startswith(b"PK") and b"PK\x05\x06" in data[-65_557:]):
        head = data[:8].lstrip()
        if head.startswith(b"%PDF"):
            kind = "PDF 文件"
        elif head[:1] == b"<":
            kind = "网页或 XML 文本"
        else:
            kind = "无法识别的内容"
        raise Refused(f"这不是 Excel 工作簿（.xlsx），文件内容是{kind}，也可能已损坏。请确认提交的是自评表的 .xlsx "
                      "文件，能在 Excel 或 WPS 中打开。")


# ---- parts ---------------------------------------------------------------------------------------
NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_M = "{%s}" % NS_MAIN
CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
REL_STYLES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"

# What a clerk would call a part evaltool had to leave out.
_PART_WORDS = (
    ("docProps/", "文档属性"), ("xl/theme/", "主题（配色和字体）"), ("xl/comments", "批注"),
    ("xl/threadedComments/", "新式批注"), ("xl/drawings/", "图形或批注框"), ("xl/media/", "图片"),
    ("xl/charts/", "图表"), ("xl/printerSettings/", "打印机设置"), ("customXml/", "自定义数据"),
    ("xl/calcChain", "计算顺序记录"), ("xl/externalLinks/", "外部链接"), ("xl/tables/", "表格（列表）"),
    ("xl/pivot", "数据透视表"), ("xl/persons/", "批注人员"), ("xl/connections", "数据连接"),
    ("xl/queryTables/", "查询表"), ("xl/ctrlProps/", "表单控件"), ("xl/vbaProject", "宏"),
)
_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_UNPARSED = ("xl/theme/", "xl/drawings/vmlDrawing", "xl/printerSettings/", "xl/media/", "customXml/item")


def _part_word(name: str) -> str:
    for prefix, word in _PART_WORDS:
        if name.startswith(prefix):
            return f"{word}（{name}）"
    return name


def _parser():
    from lxml import etree

    # Entities are never expanded, nothing is fetched, no DTD is loaded: a part declaring a DTD
    # is refused before it gets here anyway.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                           remove_comments=False)


def declares_dtd(data: bytes) -> bool:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            return False
    return b"<!DOCTYPE" in data or b"<!ENTITY" in data


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


@functools.lru_cache(maxsize=1024)
def _resolve(source_part: str, target: str) -> str:
    """A relationship's target as a part name (targets are relative to the owning part's folder).
    Memoised: the same few targets recur in every file of a consolidation."""
    if target.startswith("/"):
        return posixpath.normpath(target).lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target)).lstrip("/")


def _rels_owner(rels_part: str) -> str:
    """xl/_rels/workbook.xml.rels -> xl/workbook.xml; _rels/.rels -> '' (the package)."""
    folder = posixpath.dirname(posixpath.dirname(rels_part))
    name = posixpath.basename(rels_part)[: -len(".rels")]
    return posixpath.join(folder, name) if name else ""


MINIMAL_STYLES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    b'<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    b'<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    b'<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    b'<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    b'<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    b'</styleSheet>'
)


class _Reader:
    """One pre-flight: the package's parts, what had to be changed, and the notes about it."""

    def __init__(self, data: bytes, deep: bool = False):
        self.data = data
        self.deep = deep  # also parse every part a reader might parse (after a reader failed)
        self.zf: zipfile.ZipFile | None = None  # zipfile's view, made only where needed (_zip)
        self.infos: list | None = None  # the members, as the central directory lists them (unpack)
        self.lazy: dict[str, zipfile.ZipInfo] = {}  # parts not read yet (not needed to judge the file)
        self.parts: dict[str, bytes] = {}
        self.order: list[str] = []
        self.notes: list[Note] = []
        self.repairs: list[str] = []
        self.changed = False
        self.styles_replaced = False
        self.max_rows, self.max_cols = limits.get("ROWS"), limits.get("COLUMNS")
        self.sheet_names: dict[str, str] = {}  # worksheet part -> its name
        self.cell_allow: dict[str, int] = {}  # worksheet part -> cells it may keep (STORED_CELLS)
        self.merge_budget = limits.get("MERGED_CELLS")  # cells merged ranges may cover, workbook-wide
        self.recurring: dict[str, _Part] = {}  # parts whose bytes an earlier file had too (_PARTS)
        self.noted = 0  # notes made (also those past the 200 kept)

    # -- notes ------------------------------------------------------------------------------------
    def note(self, code: str, message: str, sheet: str | None = None, cell: str | None = None,
             part: str | None = None, repair: str | None = None) -> None:
        self.noted += 1
        if len(self.notes) < 200:  # one damaged sheet must not bury the real findings
            self.notes.append(Note(code, message, sheet, cell, part))
        if repair and repair not in self.repairs:
            self.repairs.append(repair)

    def drop(self, name: str, why: str, say: bool = True) -> None:
        """Leave out a part nothing essential needs, and every relationship pointing at it."""
        self.parts.pop(name, None)
        self.lazy.pop(name, None)
        self.changed = True
        word = _part_word(name)
        if say:
            self.note("W-READ-PART", f"工作簿中的{word}{why}，已略过（不影响自评表的内容）。", part=name,
                      repair=f"略过了{word}")
        self._unlink(name)

    def drop_sheet(self, part: str, why: str) -> None:
        """Leave out a worksheet whose XML cannot be parsed (as Excel's repair does), naming it; the
        file is refused only when no sheet is left. Whether the form itself was lost is the reader's
        verdict (no 自评表 found), the same for check and collect."""
        from lxml import etree

        name = self.sheet_names.pop(part, None) or part
        root = etree.fromstring(self.parts["xl/workbook.xml"], _parser())
        rels = etree.fromstring(self.parts["xl/_rels/workbook.xml.rels"], _parser())
        targets = {el.get("Id"): _resolve("xl/workbook.xml", el.get("Target") or "") for el in rels}
        sheets = root.find(_M + "sheets")
        index = None
        for i, el in enumerate(list(sheets)):
            if targets.get(el.get("{%s}id" % NS_REL)) == part:
                sheets.remove(el)
                index = i
        if len(sheets) == 0:
            raise Refused(f"工作簿中的“{self._named(part)}”{why}，工作簿中没有其他可读取的工作表。" + SAVE_AGAIN)
        names = root.find(_M + "definedNames")
        if index is not None and names is not None:  # sheet-local names follow the sheets' positions
            for dn in list(names):
                local = dn.get("localSheetId")
                if local is not None and local.isdigit():
                    if int(local) == index:
                        names.remove(dn)
                    elif int(local) > index:
                        dn.set("localSheetId", str(int(local) - 1))
        self.parts["xl/workbook.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        self.drop(part, why, say=False)
        self.note("W-READ-PART", f"工作表“{name[:40]}”{why}，没有读取（Excel 打开时也会提示修复并去掉它）。",
                  sheet=name[:40], repair=f"略过了已损坏的工作表“{name[:40]}”")

    def _unlink(self, name: str | set[str]) -> None:
        from lxml import etree

        names = {name} if isinstance(name, str) else name
        for rels in [n for n in self.parts if n.endswith(".rels")]:
            try:
                root = etree.fromstring(self.parts[rels], _parser())
            except etree.XMLSyntaxError:
                continue
            owner = _rels_owner(rels)
            gone = [el for el in root if el.get("TargetMode") != "External"
                    and _resolve(owner or "x", el.get("Target") or "") in names]
            if gone:
                for el in gone:
                    root.remove(el)
                self.parts[rels] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        ct = self.parts.get("[Content_Types].xml")
        if ct and any(("/" + n).encode() in ct for n in names):
            try:
                root = etree.fromstring(ct, _parser())
                for el in list(root):
                    if (el.get("PartName") or "")[1:] in names:
                        root.remove(el)
                self.parts["[Content_Types].xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                                                   standalone=True)
            except etree.XMLSyntaxError:
                pass

    # -- the container ------------------------------------------------------------------------------
    def _zip(self) -> zipfile.ZipFile:
        """zipfile's view of the package (made only when needed: _plain_directory read it already)."""
        if self.zf is None:
            self.zf = zipfile.ZipFile(io.BytesIO(self.data))
        return self.zf

    def unpack(self) -> None:
        infos: list = _plain_directory(self.data)
        if not infos:
            try:
                infos = self._zip().infolist()
            except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError, IndexError,
                    NotImplementedError, RuntimeError):
                raise Refused(MSG["zip_damaged"]) from None
        self.infos = infos
        total = sum(i.file_size for i in infos)
        if total > limits.unpacked_bytes():
            raise Refused(f"工作簿解压后超过 {limits.get('UNPACKED_MB')} MB，远大于一般自评表，没有读取"
                          f"（{limits.describe('UNPACKED_MB')}）。请检查是否选错了文件，或删除无关的工作表后另存再试。")
        names = [i.filename for i in infos]
        lowered = {n.lower() for n in names}
        if "xl/workbook.xml" not in lowered:
            if any(n.startswith("word/") for n in names):
                what = "这是 Word 文档（.docx），只是扩展名被改成了 .xlsx"
            elif "content.xml" in names:
                what = "这是 OpenDocument（.ods / .odt）文件，不是 Excel 工作簿"
            elif any(n.startswith("ppt/") for n in names):
                what = "这是 PowerPoint 演示文稿，只是扩展名被改成了 .xlsx"
            else:
                what = "这是一个压缩包，里面没有 Excel 工作簿（不是 .xlsx）"
            raise Refused(f"{what}。请提交表格（自评表、目标表等）的 Excel 工作簿（.xlsx）。")
        seen: set[str] = set()
        part_bytes = limits.part_bytes()
        for info in infos:
            name = info.filename
            if name.endswith("/"):
                continue
            clean = name.replace("\\", "/")
            if clean.startswith("/") or ".." in clean.split("/") or clean[1:2] == ":" and clean[:1].isascii() \
                    and clean[:1].isalpha():
                self.changed = True
                self.note("W-READ-PART", f"工作簿中有一个不属于工作簿的条目“{name[:80]}”（路径指向工作簿之外），已略过。",
                          part=name[:80], repair="略过了路径异常的条目")
                continue
            if name in seen:
                if self._essential(name):
                    raise Refused(f"工作簿中的“{name}”出现了不止一次，无法确定哪一份是真的。" + SAVE_AGAIN)
                self.changed = True
                self.note("W-READ-PART", f"工作簿中的{_part_word(name)}出现了不止一次，只读取了第一份。", part=name,
                          repair="去掉了重复的条目")
                continue
            seen.add(name)
            if info.file_size > part_bytes:
                if self._essential(name):
                    raise Refused(f"工作簿中的“{self._named(name)}”解压后有 {info.file_size // 1024 // 1024} MB，"
                                  f"超过了{limits.describe('PART_MB')}。请删除多余的行列或内容后另存再试。")
                self.drop(name, "过大")
                continue
            self.order.append(name)
            if self.deep or _critical(name):
                self._load(name, info)
            else:
                self.lazy[name] = info  # read only if the package has to be rebuilt

    def _load(self, name: str, info) -> bool:
        try:
            fast = _fast_member(self.data, info)
            if fast is None:  # (a member zipfile reads: by its own ZipInfo)
                self.parts[name] = self._zip().read(self._zip().infolist()[info.index] if isinstance(info, _Info)
                                                    else info)
            else:
                self.parts[name], part = fast
                if part is not None:
                    self.recurring[name] = part
            return True
        except NotImplementedError:
            self._broken(name, "使用了不支持的压缩方式")
        except (zipfile.BadZipFile, zlib.error, struct.error, EOFError, OSError, ValueError, RuntimeError,
                KeyError, OverflowError, IndexError):
            self._broken(name, "已损坏（无法解压）")
        return False

    def _memo(self, name: str) -> dict | None:
        """What was judged of this part's bytes in earlier files (None: a part not met before, or
        one this pre-flight has changed): every judgement stored there depends on the bytes alone
        (and on the limits, which are part of its key)."""
        part = self.recurring.get(name)
        return part.memo if part is not None and self.parts.get(name) is part.body else None

    def _judged(self, name: str, what: str, judge):
        memo = self._memo(name)
        if memo is None:
            return judge()
        value = memo.get(what)
        if value is None:
            value = memo[what] = judge()
        return value

    def _essential(self, name: str) -> bool:
        return (name in ("[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/sharedStrings.xml")
                or name.startswith("xl/worksheets/sheet") and name.endswith(".xml"))

    def _named(self, name: str) -> str:
        if not self.sheet_names:
            try:
                self._map_sheets()
            except Exception:  # noqa: BLE001 - only for the message: the part name will do
                pass
        sheet = self.sheet_names.get(name)
        return f"工作表“{sheet}”（{name}）" if sheet else name

    def _broken(self, name: str, why: str) -> None:
        if name in ("xl/styles.xml", "[Content_Types].xml"):
            self.parts.pop(name, None)
            return  # replaced by minimal styles / a regenerated list (styles(), content_types())
        if self._essential(name):
            raise Refused(f"工作簿中的“{self._named(name)}”{why}，无法读取。" + SAVE_AGAIN)
        self.drop(name, why)

    # -- the parts ----------------------------------------------------------------------------------
    def check_xml(self) -> None:
        """Every XML part: a DTD (entities) or malformed XML in an essential part refuses the file;
        elsewhere the part is left out."""
        for name in list(self.parts):
            if not name.lower().endswith(_XML_SUFFIXES) or name not in self.parts:
                continue
            body = self.parts[name]
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                continue  # checked (and parsed, with the same parser) with their cells, by name
            if self._judged(name, "dtd", functools.partial(declares_dtd, body)):
                self._dtd(name)
                continue
            if name.startswith(_UNPARSED) or not self.deep:
                # Kept as bytes by both readers (theme, VML…), or not judged unless a reader failed:
                # then preflight(deep=True) parses every part and leaves out the broken ones.
                continue
            from lxml import etree

            try:
                etree.fromstring(body, _parser())
            except (etree.XMLSyntaxError, ValueError):
                if name in self.parts:
                    self._broken(name, "内容已损坏（不是有效的 XML）")

    def _dtd(self, name: str) -> None:
        why = "含有 XML 实体声明（DTD）。Excel 不会写出这种内容，出于安全考虑 evaltool 不展开它"
        if name in ("xl/styles.xml", "[Content_Types].xml"):
            self.parts.pop(name, None)
            return
        if self._essential(name):
            raise Refused(f"工作簿中的“{self._named(name)}”{why}，因此不读取这个文件。" + SAVE_AGAIN)
        self.drop(name, why)

    def content_types(self) -> None:
        if "[Content_Types].xml" in self.parts:
            return
        parts = "".join(
            f'<Override PartName="/{n}" ContentType="{ct}"/>' for n, ct in self._guess_types())
        self.parts["[Content_Types].xml"] = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<Types xmlns="{NS_CT}"><Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/>{parts}</Types>').encode()
        self.order.insert(0, "[Content_Types].xml")
        self.changed = True
        self.note("W-READ-PART", "工作簿的内容类型清单（[Content_Types].xml）缺失或已损坏，已按各部件的名称读取。",
                  part="[Content_Types].xml", repair="补上了内容类型清单")

    def _guess_types(self):
        base = "application/vnd.openxmlformats-officedocument.spreadsheetml."
        for n in self.parts:
            if n == "xl/workbook.xml":
                yield n, base + "sheet.main+xml"
            elif n.startswith("xl/worksheets/") and n.endswith(".xml"):
                yield n, base + "worksheet+xml"
            elif n == "xl/sharedStrings.xml":
                yield n, base + "sharedStrings+xml"
            elif n == "xl/styles.xml":
                yield n, CT_STYLES

    def _map_sheets(self) -> None:
        from lxml import etree

        rels = etree.fromstring(self.parts["xl/_rels/workbook.xml.rels"], _parser())
        targets = {el.get("Id"): _resolve("xl/workbook.xml", el.get("Target") or "") for el in rels}
        root = etree.fromstring(self.parts["xl/workbook.xml"], _parser())
        for el in root.iter(_M + "sheet"):
            target = targets.get(el.get("{%s}id" % NS_REL))
            if target:
                self.sheet_names.setdefault(target, el.get("name") or "")

    def workbook(self) -> None:
        """Which worksheet part is which sheet; a sheet whose part is missing is dropped."""
        from lxml import etree

        wb_name = "xl/workbook.xml"
        if wb_name not in self.parts:
            raise Refused("工作簿的目录部件（xl/workbook.xml）已损坏，无法读取。" + SAVE_AGAIN)
        rels_name = "xl/_rels/workbook.xml.rels"
        # What both parts say, judged once for the bytes (a consolidation meets the same ones in
        # file after file): when nothing is to change, that is all; else the parts are worked on.
        targets = (self._judged(rels_name, "targets", functools.partial(_targets_of, self.parts[rels_name]))
                   if rels_name in self.parts else None)
        listed = self._judged(wb_name, "sheets", functools.partial(_sheets_of, self.parts[wb_name]))
        if targets and listed and self._sheets_found(listed, targets):
            return
        try:
            rels = etree.fromstring(self.parts[rels_name], _parser()) if rels_name in self.parts else None
        except etree.XMLSyntaxError:
            rels = None
        targets = {}
        if rels is not None:
            for el in rels:
                targets[el.get("Id")] = _resolve("xl/workbook.xml", el.get("Target") or "")
        root = etree.fromstring(self.parts[wb_name], _parser())
        sheets = root.find(_M + "sheets")
        if sheets is None:
            raise Refused("工作簿的目录部件（xl/workbook.xml）中没有工作表清单，无法读取。" + SAVE_AGAIN)
        changed = False
        for el in list(sheets):
            target = targets.get(el.get("{%s}id" % NS_REL))
            name = el.get("name") or ""
            if target is not None and (target in self.parts or target in self.lazy):
                if target.startswith("xl/worksheets/"):
                    self.sheet_names[target] = name
                continue
            sheets.remove(el)
            changed = True
            self.note("W-READ-PART", f"工作表“{name[:40]}”的内容在工作簿中找不到，没有读取。", sheet=name[:40] or None,
                      repair=f"略过了找不到内容的工作表“{name[:40]}”")
        if len(sheets) == 0:
            raise Refused("工作簿中没有可读取的工作表。" + SAVE_AGAIN)
        most = limits.get("SHEETS")
        if len(sheets) > most:  # each sheet costs every reader time: the first ones are read
            extra = list(sheets)[most:]
            gone = set()
            for el in extra:
                sheets.remove(el)
                target = targets.get(el.get("{%s}id" % NS_REL))
                if target is not None and target.startswith("xl/worksheets/"):
                    self.sheet_names.pop(target, None)
                    gone.add(target)
            names = root.find(_M + "definedNames")
            for dn in list(names) if names is not None else ():
                local = dn.get("localSheetId")
                if local is not None and local.isdigit() and int(local) >= most:
                    names.remove(dn)
            for target in gone:
                self.parts.pop(target, None)
                self.lazy.pop(target, None)
            self._unlink(gone)
            changed = True
            self.note("W-READ-LIMIT", f"工作簿有 {most + len(extra)} 张工作表，只读取了前 {most} 张，其后的 {len(extra)} 张"
                      f"（从“{(extra[0].get('name') or '')[:40]}”起）没有读取（{limits.describe('SHEETS')}）。",
                      repair="工作表数超过上限")
        names = root.find(_M + "definedNames")
        cap = limits.get("LIST_ENTRIES")
        if names is not None and len(names) > cap:  # openpyxl builds and checks each (300,000 took check 18 s)
            listed = list(names)
            # Excel's own names (print area, titles, filter ranges) first: they shape the printed form
            keep = sorted(listed, key=lambda dn: not (dn.get("name") or "").startswith("_xlnm."))[:cap]
            kept = set(map(id, keep))
            for dn in listed:
                if id(dn) not in kept:
                    names.remove(dn)
            changed = True
            self.note("W-READ-LIMIT", f"工作簿有 {len(listed)} 个定义的名称，超过了上限 {cap} 个（可用环境变量 "
                      "EVALTOOL_LIMIT_LIST_ENTRIES 调整），只读取了其中 "
                      f"{cap} 个（打印区域等 Excel 自带的名称优先）；自评表的读取不依赖名称。",
                      part=wb_name, repair="定义的名称数超过上限")
        if changed:
            self.parts[wb_name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            self.changed = True
        if rels_name not in self.parts or rels is None:
            raise Refused("工作簿的关系部件（xl/_rels/workbook.xml.rels）缺失或已损坏，无法找到各工作表。" + SAVE_AGAIN)

    def _sheets_found(self, listed: tuple, targets: dict) -> bool:
        """Whether every sheet listed has its part and the lists are within the limits (then
        workbook() changes nothing); if so, which worksheet part is which sheet."""
        sheets, n_names = listed
        if not sheets or len(sheets) > limits.get("SHEETS") or n_names > limits.get("LIST_ENTRIES"):
            return False
        parts, lazy = self.parts, self.lazy
        found = []
        for rid, name in sheets:
            target = targets.get(rid)
            if target is None or target not in parts and target not in lazy:
                return False
            if target.startswith("xl/worksheets/"):
                found.append((target, name))
        self.sheet_names.update(found)
        return True

    def styles(self) -> int:
        """The number of cell formats (cellXfs) usable by cells; a missing or broken styles part is
        replaced by the minimal one (cells then read without number formats or colours)."""
        from lxml import etree

        body = self.parts.get("xl/styles.xml")
        if body is not None and not self.deep and len(body) <= 20 * limits.get("STYLES"):
            n = self._judged("xl/styles.xml", "xfs", functools.partial(_count_xfs, body))
            if n:  # judged in full only after a reader failed (preflight(deep=True)), or when large
                return n
        reason = None
        root = None
        pruned = False
        if body is not None and len(body) > 20 * limits.get("STYLES"):
            body, pruned = self._prune_xfs(body)
        if body is None:
            reason = "缺失或已损坏"
        else:
            try:
                root = etree.fromstring(body, _parser())
            except etree.XMLSyntaxError:
                reason = "已损坏"
        if root is not None and not self._styles_consistent(root):
            if self._fix_styles(root):
                self.parts["xl/styles.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                                             standalone=True)
                self.changed = True
                self.note("W-READ-STYLE", "工作簿的格式部件（xl/styles.xml）中有引用了不存在的字体、填充或边框的格式，"
                          "这些格式按常规格式读取。", part="xl/styles.xml", repair="修正了格式部件中无效的引用")
            else:
                root, reason = None, "无法使用"
        if root is None:
            self.styles_replaced = True
            self.parts["xl/styles.xml"] = MINIMAL_STYLES
            self._link_styles()
            self.changed = True
            self.note("W-READ-STYLE", f"工作簿的格式部件（xl/styles.xml）{reason}，已按常规格式读取（数字格式、颜色"
                      "不读取：日期和百分比可能显示为普通数字）。", part="xl/styles.xml",
                      repair="格式部件缺失或损坏，按常规格式读取")
            return 1
        self._prune_styles(root, pruned)
        xfs = root.find(_M + "cellXfs")
        return len(xfs) if xfs is not None else 0

    def _prune_xfs(self, body: bytes) -> tuple[bytes, bool]:
        """More cell formats than the STYLES limit: only those the cells and rows use are kept,
        renumbered (on the bytes: a tree of 400,000 formats alone took 600 MB)."""
        most = limits.get("STYLES")
        m = re.search(rb"<cellXfs\b[^>]*>(.*?)</cellXfs>", body, re.S)
        if m is None:
            return body, False
        items = _XF.findall(m.group(1))
        n = len(items)
        if n <= most:
            return body, False
        used = {0}
        sheets = [p for p in self.sheet_names if p in self.parts]
        for part in sheets:
            used.update(int(x) for x in _STYLE_REF.findall(self.parts[part]) if int(x) < n)
        keep = sorted(used)[:most]
        new = {old: i for i, old in enumerate(keep)}

        def renumber(m):  # an index no format had stays invalid (judged, and warned of, as before)
            old = int(m.group(2))
            return m.group(1) + str(new.get(old, len(keep) + old if old >= n else 0)).encode() + b'"'

        for part in sheets:
            self.parts[part] = _STYLE_ATTR.sub(renumber, self.parts[part])
        block = b'<cellXfs count="%d">' % len(keep) + b"".join(items[i] for i in keep) + b"</cellXfs>"
        return body[:m.start()] + block + body[m.end():], True

    def _prune_styles(self, root, pruned: bool = False) -> None:
        """A styles part with more formats, fonts, fills or borders than the STYLES limit (openpyxl
        builds an object for each: 400,000 formats took check 37 s and score 100 s and 1 GB) keeps
        only those the cells use, renumbered: what the clerk sees is unchanged."""
        from lxml import etree

        most = limits.get("STYLES")
        lists = {tag: root.find(_M + tag) for tag in ("cellXfs", "cellStyleXfs", "fonts", "fills", "borders")}
        extra = {tag: root.find(_M + tag) for tag in ("dxfs", "numFmts", "cellStyles")}
        if not pruned and all(g is None or len(g) <= most for g in (*lists.values(), *extra.values())):
            return
        self._prune_named_styles(root, lists, extra, most)
        for tag, attr in (("fonts", "fontId"), ("fills", "fillId"), ("borders", "borderId")):
            group = lists[tag]
            if group is None or len(group) <= most:
                continue
            refs = [xf for g in (lists["cellXfs"], lists["cellStyleXfs"]) if g is not None for xf in g]
            used = sorted({0} | {int(xf.get(attr)) for xf in refs if (xf.get(attr) or "").isdigit()
                                 and int(xf.get(attr)) < len(group)})[:most]
            if tag == "fills":
                used = sorted(set(used) | {1} & set(range(len(group))))  # fill 1 is Excel's reserved gray125
            new = _keep_only(group, used)
            for xf in refs:
                if (xf.get(attr) or "").isdigit():
                    xf.set(attr, str(new.get(int(xf.get(attr)), 0)))
        self.parts["xl/styles.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        self.changed = True
        self.note("W-READ-STYLE", f"工作簿的格式部件（xl/styles.xml）太大（{limits.describe('STYLES')}），只读取了单元格"
                  "用到的格式、字体、填充和边框（显示效果不变）。", part="xl/styles.xml", repair="精简了过多的格式")

    def _prune_named_styles(self, root, lists, extra, most: int) -> None:
        """Past the STYLES limit, the lists cell formats only point into (cell styles and the formats
        they are based on, conditional-format styles, number formats) keep what is used, renumbered:
        openpyxl builds objects for all of them (300,000 conditional-format styles took check 23 s)."""
        base, named = lists["cellStyleXfs"], extra["cellStyles"]
        if base is not None and len(base) > most:
            xfs = [xf for xf in (lists["cellXfs"] if lists["cellXfs"] is not None else ())]
            used = sorted({0} | {int(xf.get("xfId")) for xf in xfs if (xf.get("xfId") or "").isdigit()
                                 and int(xf.get("xfId")) < len(base)})[:most]
            new = _keep_only(base, used)
            for xf in xfs:
                if (xf.get("xfId") or "").isdigit():
                    xf.set("xfId", str(new.get(int(xf.get("xfId")), 0)))
            if named is not None:
                for cs in list(named):
                    x = cs.get("xfId") or ""
                    if x.isdigit() and int(x) in new:
                        cs.set("xfId", str(new[int(x)]))
                    else:
                        named.remove(cs)
        if named is not None and len(named) > most:
            for cs in list(named)[most:]:
                named.remove(cs)
        if named is not None:
            named.set("count", str(len(named)))
        dxfs = extra["dxfs"]
        if dxfs is not None and len(dxfs) > most:
            # only the conditional formats still read (LIST_ENTRIES per sheet) can use a dxf
            sheets = [p for p in self.sheet_names if p in self.parts]
            used = sorted({int(x) for p in sheets for x in _DXF_REF.findall(self.parts[p])
                           if int(x) < len(dxfs)})[:most]
            new = _keep_only(dxfs, used)

            def renumber(m):  # a rule whose style was not kept is drawn unformatted
                new_id = new.get(int(m.group(1)))
                return b'' if new_id is None else b' dxfId="%d"' % new_id

            for p in sheets:
                self.parts[p] = _DXF_ATTR.sub(renumber, self.parts[p])
            for el in root.iter(_M + "tableStyleElement"):
                x = el.get("dxfId") or ""
                if x.isdigit():
                    if int(x) in new:
                        el.set("dxfId", str(new[int(x)]))
                    else:
                        del el.attrib["dxfId"]
        fmts = extra["numFmts"]
        if fmts is not None and len(fmts) > most:
            refs = {xf.get("numFmtId") for g in (lists["cellXfs"], base) if g is not None for xf in g}
            kept = [el for el in fmts if el.get("numFmtId") in refs][:most]
            for el in list(fmts):
                fmts.remove(el)
            for el in kept:
                fmts.append(el)
            fmts.set("count", str(len(kept)))
            keep_ids = {el.get("numFmtId") for el in kept}
            for g in (lists["cellXfs"], base):
                for xf in g if g is not None else ():
                    n = xf.get("numFmtId") or "0"
                    if n.isdigit() and int(n) >= 164 and n not in keep_ids:
                        xf.set("numFmtId", "0")

    @staticmethod
    def _counts(root):
        out = {}
        for tag in ("fonts", "fills", "borders", "cellStyleXfs"):
            el = root.find(_M + tag)
            out[tag] = len(el) if el is not None else 0
        return out

    def _styles_consistent(self, root) -> bool:
        xfs = root.find(_M + "cellXfs")
        return xfs is not None and len(xfs) > 0 and not self._bad_refs(root, fix=False)

    def _fix_styles(self, root) -> bool:
        counts = self._counts(root)
        if min(counts["fonts"], counts["fills"], counts["borders"]) == 0:
            return False
        xfs = root.find(_M + "cellXfs")
        if xfs is None or len(xfs) == 0:
            return False
        self._bad_refs(root, fix=True)
        return True

    def _bad_refs(self, root, fix: bool) -> bool:
        """Whether some xf points past the fonts/fills/borders/cellStyleXfs it names; with fix, such
        references are set to the first entry (or dropped, for xfId) — what Excel does on opening."""
        counts = self._counts(root)
        bad = False
        for tag in ("cellXfs", "cellStyleXfs"):
            group = root.find(_M + tag)
            for xf in group if group is not None else ():
                for attr, key in (("fontId", "fonts"), ("fillId", "fills"), ("borderId", "borders")):
                    if not _index_ok(xf.get(attr), counts[key], absent_ok=True):
                        bad = True
                        if fix:
                            xf.set(attr, "0")
                if tag == "cellXfs" and not _index_ok(xf.get("xfId"), counts["cellStyleXfs"], absent_ok=True):
                    bad = True
                    if fix and "xfId" in xf.attrib:
                        del xf.attrib["xfId"]
                if not _index_ok(xf.get("numFmtId"), 10**6, absent_ok=True):
                    bad = True
                    if fix:
                        xf.set("numFmtId", "0")
                if bad and not fix:
                    return True
        return bad

    def _link_styles(self) -> None:
        from lxml import etree

        rels_name = "xl/_rels/workbook.xml.rels"
        try:
            rels = etree.fromstring(self.parts[rels_name], _parser())
        except (KeyError, etree.XMLSyntaxError):
            return
        if not any(el.get("Type") == REL_STYLES for el in rels):
            ids = {el.get("Id") for el in rels}
            n = 1
            while f"rIdStyles{n}" in ids:
                n += 1
            el = etree.SubElement(rels, "{%s}Relationship" % NS_PKG_REL)
            el.set("Id", f"rIdStyles{n}")
            el.set("Type", REL_STYLES)
            el.set("Target", "styles.xml")
            self.parts[rels_name] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8", standalone=True)
        ct = self.parts.get("[Content_Types].xml")
        if ct is not None and b"/xl/styles.xml" not in ct:
            try:
                root = etree.fromstring(ct, _parser())
                el = etree.SubElement(root, "{%s}Override" % NS_CT)
                el.set("PartName", "/xl/styles.xml")
                el.set("ContentType", CT_STYLES)
                self.parts["[Content_Types].xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                                                   standalone=True)
            except etree.XMLSyntaxError:
                pass
        if "xl/styles.xml" not in self.order:
            self.order.append("xl/styles.xml")

    def shared_strings(self) -> int:
        from lxml import etree

        body = self.parts.get("xl/sharedStrings.xml")
        if body is None:
            return 0
        if len(body) > 8 * limits.get("STORED_CELLS"):  # a string takes 8 bytes at least (<si/> + ...)
            body = self._prune_strings(body)
        if not self.deep:
            return self._judged("xl/sharedStrings.xml", "strings", functools.partial(_count_strings, body))
        root = etree.fromstring(body, _parser())  # well-formed: check_xml refused it otherwise
        return len(root)

    def _prune_strings(self, body: bytes) -> bytes:
        """More shared strings than the STORED_CELLS limit (no more cells can use them): only the ones
        cells use are kept, renumbered on the bytes (1,500,000 strings in an 80 KB file took check 27 s)."""
        most = limits.get("STORED_CELLS")
        items = list(_SI.finditer(body))
        if len(items) <= most:
            return body
        sheets = [p for p in self.sheet_names if p in self.parts]
        refs = {p: _S_CELL.findall(self.parts[p]) for p in sheets}
        if any(len(refs[p]) != len(_S_TYPE.findall(self.parts[p])) for p in sheets):
            return body  # a string cell written another way: renumbering could point it at another text
        used = sorted({int(r[2]) for p in sheets for r in refs[p] if int(r[2]) < len(items)})
        new = {old: i for i, old in enumerate(used)}

        def renumber(m):  # an index no string had stays invalid (judged, and warned of, as before)
            old = int(m.group(3))
            return m.group(1) + m.group(2) + str(new.get(old, len(used) + old)).encode() + m.group(4)

        for p in sheets:
            self.parts[p] = _S_CELL.sub(renumber, self.parts[p])
        head = re.sub(rb'\s(?:count|uniqueCount)="[0-9]*"', b"", body[:items[0].start()])
        body = head + b"".join(items[i].group(0) for i in used) + body[items[-1].end():]
        self.parts["xl/sharedStrings.xml"] = body
        self.changed = True
        self.note("W-READ-LIMIT", f"工作簿的共享文字部件（xl/sharedStrings.xml）有 {len(items)} 条文字，超过了"
                  f"{limits.describe('STORED_CELLS')}，只读取了单元格用到的 {len(used)} 条（显示不变）。",
                  part="xl/sharedStrings.xml", repair="精简了过多的共享文字")
        return body

    def sheets(self, n_xfs: int, n_strings: int) -> None:
        self.cell_allow = self._cell_budget()
        for part in list(self.sheet_names):
            self._sheet(part, n_xfs, n_strings)

    def comments(self) -> None:
        """A notes part with more notes than the LIST_ENTRIES limit keeps its first ones: openpyxl makes
        a cell for each (200,000 notes down column Z took check 12 s, then was refused as too big)."""
        cap = limits.get("LIST_ENTRIES")
        for name in [n for n in (*self.parts, *self.lazy) if _COMMENTS_PART.match(n)]:
            size = self.lazy[name].file_size if name in self.lazy else len(self.parts[name])
            if size <= cap * 40:  # a note takes 40 bytes at least
                continue
            if name in self.lazy and not self._load(name, self.lazy.pop(name)):
                continue
            body = self.parts[name]
            if declares_dtd(body):
                self._dtd(name)
                continue
            found = list(_COMMENT.finditer(body))
            if len(found) <= cap:
                continue
            self.parts[name] = body[:found[cap].start()] + body[found[-1].end():]
            self.changed = True
            self.note("W-READ-LIMIT", f"工作簿的批注部件（{name}）有 {len(found)} 条批注，超过了上限 {cap} 条（可用环境变量 "
                      "EVALTOOL_LIMIT_LIST_ENTRIES 调整），只读取了前 "
                      f"{cap} 条；自评表的读取不依赖批注。", part=name, repair="批注条数超过上限")

    def _cell_budget(self) -> dict[str, int]:
        """How many cells each sheet over its share may keep, when the workbook stores more than the
        STORED_CELLS limit (each cell costs every reader time, a formatted empty one too): small
        sheets keep all theirs, the largest share what is left, so the form survives a huge sheet."""
        budget = limits.get("STORED_CELLS")
        bodies = {p: self.parts[p] for p in self.sheet_names if p in self.parts}
        if sum(len(b) for b in bodies.values()) <= budget * 4:  # a cell takes 4 bytes at least (<c/>)
            return {}
        counts = {p: _count_cells(b) for p, b in bodies.items()}
        if sum(counts.values()) <= budget:
            return {}
        allow: dict[str, int] = {}
        order = sorted(counts, key=counts.get)
        for i, p in enumerate(order):
            share = min(counts[p], budget // (len(order) - i))
            budget -= share
            if share < counts[p]:
                allow[p] = share
        return allow

    def _sheet(self, part: str, n_xfs: int, n_strings: int) -> None:
        """Cell references, style indexes, numbers and the row/column limits of one worksheet."""
        from lxml import etree

        body = self.parts[part]
        quick = not self.deep and part not in self.cell_allow  # (deep: every sheet parsed — a reader
        # failed, perhaps on a truncated sheet)
        memo = self._memo(part) if quick else None
        key = ("sheet", n_xfs, n_strings, self.max_rows, self.max_cols, limits.get("LIST_ENTRIES"))
        if memo is not None:
            merged = memo.get(key)
            if merged is not None and merged <= self.merge_budget:
                self.merge_budget -= merged  # these bytes passed the checks below in an earlier file
                return
        budget, noted, given = self.merge_budget, self.noted, body
        sheet = self.sheet_names.get(part) or part
        if declares_dtd(body):
            self._dtd(part)
        body = self._lists(part, sheet, body)
        if quick and _fast_ok(body, n_xfs, n_strings, self.max_rows, self.max_cols):
            if memo is not None and body is given and self.noted == noted:
                memo[key] = budget - self.merge_budget  # nothing to change, and this much merged
            return
        # Rows past the limit are cut from the bytes before anything is parsed: a sheet of a million
        # styled rows (a zip bomb) costs a byte scan, not a tree of a million elements.
        allow = self.cell_allow.get(part)
        short, cut_rows, kept_rows, by_cells = _cut_rows(body, self.max_rows, allow)
        root = None
        if cut_rows:
            try:
                root = etree.fromstring(short, _parser())
            except (etree.XMLSyntaxError, ValueError):
                # The cut fell inside an element (a row nested oddly): judge the whole sheet, and
                # cut by cells only after the parse.
                cut_rows, by_cells = 0, False
        if root is None:
            try:
                root = etree.fromstring(body, _parser())
            except (etree.XMLSyntaxError, ValueError):
                self.drop_sheet(part, "的内容已损坏（不是有效的 XML）")
                return
        data = root.find(_M + "sheetData")
        if data is None:
            return
        max_rows, max_cols = self.max_rows, self.max_cols
        changed = bool(cut_rows)
        odd_refs: list[str] = []
        bad_styles: list[str] = []
        cut_cols = 0
        expected_row = 0
        for row in list(data):
            if row.tag != _M + "row":
                data.remove(row)
                changed = True
                continue
            r_attr = row.get("r")
            if r_attr is not None and r_attr.isdigit() and 0 < int(r_attr) <= 1_048_576 and int(r_attr) > expected_row:
                r = int(r_attr)
            else:
                r = expected_row + 1
                row.set("r", str(r))
                changed = True
            expected_row = r
            if r > max_rows:
                data.remove(row)
                cut_rows += 1
                changed = True
                continue
            if not _index_ok(row.get("s"), n_xfs, absent_ok=True):
                del row.attrib["s"]
                changed = True
            if row.get("spans") is not None:
                del row.attrib["spans"]  # recomputed by readers; an odd one trips some
            expected_col = 0
            for c in list(row):
                if c.tag != _M + "c":
                    row.remove(c)
                    changed = True
                    continue
                ref = c.get("r")
                m = _REF.match(ref) if ref is not None else None
                col = _col_number(m.group(1)) if m else 0
                ref_row = int(m.group(2)) if m else 0
                if not m or ref_row != r or col <= expected_col or col > 16384:
                    col = expected_col + 1
                    good = f"{col_letter(col)}{r}"
                    odd_refs.append(f"{(ref or '无地址')[:12]}→{good}")
                    c.set("r", good)
                    changed = True
                elif ref != f"{m.group(1).upper()}{ref_row}":
                    good = f"{m.group(1).upper()}{ref_row}"
                    odd_refs.append(f"{ref[:12]}→{good}")
                    c.set("r", good)
                    changed = True
                expected_col = col
                if col > max_cols:
                    row.remove(c)
                    cut_cols += 1
                    changed = True
                    continue
                cell = c.get("r")
                if not _index_ok(c.get("s"), n_xfs, absent_ok=True):
                    del c.attrib["s"]
                    changed = True
                    bad_styles.append(cell)
                if self._value(c, sheet, cell, n_strings):
                    changed = True
        if bad_styles and not self.styles_replaced:
            if len(bad_styles) <= 3:
                for cell in bad_styles:
                    self.note("W-READ-STYLE", "单元格的格式编号无效（格式部件中没有这个格式），已按常规格式读取。",
                              sheet=sheet, cell=cell, repair="格式编号无效的单元格按常规格式读取")
            else:
                self.note("W-READ-STYLE", f"工作表“{sheet}”中有 {len(bad_styles)} 个单元格的格式编号无效（"
                          f"{'、'.join(bad_styles[:5])}等），已按常规格式读取。", sheet=sheet,
                          repair="格式编号无效的单元格按常规格式读取")
        if odd_refs:
            shown = "、".join(odd_refs[:5]) + ("等" if len(odd_refs) > 5 else "")
            self.note("W-READ-REF", f"工作表“{sheet}”中有 {len(odd_refs)} 个单元格的地址写法不规范（{shown}），已按其位置读取。",
                      sheet=sheet, repair=f"工作表“{sheet}”的单元格地址写法不规范")
        if by_cells:
            self.note("W-READ-LIMIT", f"工作表“{sheet}”存储的单元格（包括只设了格式的空单元格）太多，只读取了前 "
                      f"{kept_rows} 行，其后的 {cut_rows} 行没有读取（{limits.describe('STORED_CELLS')}）。",
                      sheet=sheet, repair=f"工作表“{sheet}”单元格数超过上限")
        elif cut_rows:
            self.note("W-READ-LIMIT", f"工作表“{sheet}”超过 {max_rows} 行，第 {max_rows} 行以后的 {cut_rows} 行没有读取"
                      f"（{limits.describe('ROWS')}）。", sheet=sheet, repair=f"工作表“{sheet}”行数超过上限")
        if cut_cols:
            self.note("W-READ-LIMIT", f"工作表“{sheet}”超过 {max_cols} 列，其后 {cut_cols} 个单元格没有读取"
                      f"（{limits.describe('COLUMNS')}）。", sheet=sheet, repair=f"工作表“{sheet}”列数超过上限")
        dim = root.find(_M + "dimension")
        if changed and dim is not None:
            root.remove(dim)  # a stale used range would make readers walk empty rows
        if changed:
            self.parts[part] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            self.changed = True

    def _lists(self, part: str, sheet: str, body: bytes) -> bytes:
        """Merged ranges, data validations, conditional formats and hyperlinks beyond the limits are
        left out of the copy, with a warning: readers build an object per entry (and per merged
        cell), so a sheet of 100,000 validations or one merge of a million cells took minutes. Only
        the parts of the sheet outside sheetData are looked at (a few KB in a form)."""
        start, end = body.find(b"<sheetData"), body.rfind(b"</sheetData>")
        if start < 0 or end < start:
            return body
        # (judged in place: a form's head and tail are not copied out first)
        small = start < 20_000 and len(body) - end < 20_000
        if small and body.find(b"<mergeCell ", end) < 0:
            return body  # a form: nothing to bound (20 KB holds fewer entries than the limits)
        most = limits.get("LIST_ENTRIES")
        if small and self._merges_fit(body, end, most):
            return body  # a form's few merges, within the budget (counted without a Python object each)
        head, tail = body[:start], body[end:]
        new_head, new_tail = head, tail
        merges = _MERGE.findall(tail)
        if merges:
            kept, dropped = [], []
            for el, c1, r1, c2, r2 in merges:
                cells = ((abs(int(r2) - int(r1)) + 1) * (abs(_col_number(c2.decode()) - _col_number(c1.decode())) + 1)
                         if r1 and r2 else 0)
                if len(kept) < most and self.merge_budget - cells >= 0:
                    self.merge_budget -= cells
                    kept.append(el)
                else:
                    dropped.append(el)
            if dropped:
                shown = "、".join(_MERGE_REF.search(el).group(1).decode("ascii", "replace")[:20]
                                 for el in dropped[:3] if _MERGE_REF.search(el))
                new_tail = _MERGE_BLOCK.sub(
                    (b'<mergeCells count="%d">' % len(kept) + b"".join(kept) + b"</mergeCells>") if kept else b"",
                    new_tail, count=1)
                self.note("W-READ-LIMIT", f"工作表“{sheet}”的合并单元格太多或合并区域太大，其中 {len(dropped)} 个（{shown}"
                          f"{'等' if len(dropped) > 3 else ''}）没有按合并读取（{limits.describe('LIST_ENTRIES')}；"
                          f"{limits.describe('MERGED_CELLS')}）。", sheet=sheet, repair=f"工作表“{sheet}”的合并单元格超过上限")
        for tag, entry, word in ((b"dataValidations", b"<dataValidation ", "数据有效性（下拉列表）规则"),
                                 (b"conditionalFormatting", b"<cfRule ", "条件格式规则"),
                                 (b"hyperlinks", b"<hyperlink ", "超链接")):
            n = new_head.count(entry) + new_tail.count(entry)
            if n > most:
                block = re.compile(b"<" + tag + rb"\b[^>]*?(?:/>|>.*?</" + tag + b">)", re.S)
                new_head, new_tail = block.sub(b"", new_head), block.sub(b"", new_tail)
                self.note("W-READ-LIMIT", f"工作表“{sheet}”有 {n} 条{word}，超过了{limits.describe('LIST_ENTRIES')}，"
                          "没有读取（不影响单元格中的内容）。", sheet=sheet, repair=f"工作表“{sheet}”的{word}超过上限")
        if new_head is head and new_tail is tail:
            return body
        body = new_head + body[start:end] + new_tail
        self.parts[part] = body
        self.changed = True
        return body

    def _merges_fit(self, body: bytes, end: int, most: int) -> bool:
        """Whether the merged ranges after `end` (the sheet's tail), all written as writers write them
        (ref="A1:B2"), are within the LIST_ENTRIES and MERGED_CELLS limits; if so they are taken
        from the budget."""
        refs = _MERGE_PLAIN.findall(body, end)
        if len(refs) != body.count(b"<mergeCell ", end) or len(refs) > most:
            return False
        cols = _COLUMNS
        cells = 0
        try:
            for c1, r1, c2, r2 in refs:
                rows, width = int(r2) - int(r1), cols[c2] - cols[c1]
                if rows < 0 or width < 0:
                    return False  # a range written backwards: judged one by one
                cells += (rows + 1) * (width + 1)
        except KeyError:  # three-letter columns: judged one by one
            return False
        if cells > self.merge_budget:
            return False
        self.merge_budget -= cells
        return True

    def _value(self, c, sheet: str, cell: str, n_strings: int) -> bool:
        """A cell value no reader would take (NaN, INF, an index past the shared strings…) becomes
        its text, with a warning naming the cell; returns whether the cell was changed."""
        t = c.get("t", "n")
        v = c.find(_M + "v")
        text = v.text if v is not None else None
        if t in ("inlineStr", "str", "e"):
            return False
        if text is None or text == "":
            if v is not None and t in ("n", "s", "b", "d"):
                c.remove(v)
                return True
            return False
        problem = None
        if t == "n":
            try:
                f = float(text)
                if f != f or f in (float("inf"), float("-inf")):
                    problem = "不是有效的数值"
            except ValueError:
                problem = "不是有效的数值"
        elif t == "s":
            if not (text.strip().isdigit() and int(text) < n_strings):
                problem = "引用了不存在的文字"
        elif t == "b":
            if text.strip() not in ("0", "1"):
                problem = "不是有效的逻辑值"
        elif t == "d":
            if not re.match(r"^\d{4}-\d{2}-\d{2}", text.strip()):
                problem = "不是有效的日期"
        else:
            problem = "类型无法识别"
        if problem is None:
            return False
        shown = text[:40]
        self.note("W-READ-CELL", f"单元格中保存的值“{shown}”{problem}（Excel 不会写出这样的值），已按文字读取。", sheet=sheet,
                  cell=cell, repair=f"单元格 {sheet}!{cell} 的值无效，按文字读取")
        from lxml import etree

        for child in list(c):
            c.remove(child)
        c.set("t", "inlineStr")
        is_ = etree.SubElement(c, _M + "is")
        etree.SubElement(is_, _M + "t").text = text[: limits.get("TEXT_CHARS")]
        return True

    def stored_copy(self) -> bytes | None:
        """The package again, member for member in the same order, with every part read so far
        written uncompressed (its CRC and size as the archive gives them, already checked) and the
        other members' compressed bytes copied as they are. None for anything unusual."""
        infos = self.infos
        if infos is None:
            return None
        local, central = [], []
        offset = 0
        data = self.data
        if len(infos) != len(self.order) or len(infos) > 0xFFFF:
            return None
        for info in infos:
            name = info.filename
            body = self.parts.get(name)
            method = zipfile.ZIP_STORED
            if body is None:
                if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                    return None
                off = info.header_offset
                if off < 0 or off + 30 > len(data):
                    return None
                sig, *_, name_len, extra_len = _LOCAL.unpack_from(data, off)
                if sig != b"PK\x03\x04":
                    return None
                start = off + 30 + name_len + extra_len
                body = data[start:start + info.compress_size]
                if len(body) != info.compress_size:
                    return None
                method = info.compress_type
            elif len(body) != info.file_size:
                return None  # (a part the pre-flight rewrote: never without marking the package changed)
            if max(len(body), info.file_size, offset) >= 0xFFFFFFFF:
                return None
            head, entry = _headers(name, info.date_time, method, info.CRC, len(body), info.file_size)
            local.append(head)
            local.append(body)
            central.append(entry[0])
            central.append(offset.to_bytes(4, "little"))
            central.append(entry[1])
            offset += len(head) + len(body)
        directory = b"".join(central)
        local.append(directory)
        local.append(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(infos), len(infos), len(directory), offset, 0))
        return b"".join(local)

    def pack(self) -> bytes:
        for name, info in list(self.lazy.items()):
            del self.lazy[name]
            if self._load(name, info) and declares_dtd(self.parts[name]) and name.lower().endswith(_XML_SUFFIXES):
                self._dtd(name)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
            for name in dict.fromkeys(self.order + list(self.parts)):
                if name in self.parts:
                    zf.writestr(name, self.parts[name])
        return buf.getvalue()


_LOCAL = struct.Struct("<4s5H3I2H")  # a local file header's fixed 30 bytes
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")  # a central directory entry's fixed 46 bytes (zipfile's structCentralDir)
_END = struct.Struct("<4s4H2LH")  # the end of central directory record (zipfile's structEndArchive)


class _Info:
    """What the pre-flight needs of a member, as zipfile.ZipInfo names it."""

    __slots__ = ("filename", "flag_bits", "compress_type", "date_time", "CRC", "compress_size", "file_size",
                 "header_offset", "index")


def _plain_directory(data: bytes) -> list[_Info] | None:
    """The members of a package as zipfile would list them, read from the central directory in one
    pass, for the package every writer writes: the directory right before its end record, no archive
    comment, no ZIP64, no extra fields, stored or deflated, not encrypted. None for anything else
    (zipfile then reads the directory, and judges it): whatever this lists, zipfile lists alike."""
    n = len(data)
    if os.sep != "/" or n < 64 or data[n - 22:n - 18] != b"PK\x05\x06" or data[n - 2:] != b"\x00\x00" \
            or data[n - 42:n - 38] == b"PK\x06\x07":  # (a ZIP64 locator before the end record)
        return None
    _, _, _, _, count, size_cd, offset_cd, _ = _END.unpack_from(data, n - 22)
    if offset_cd + size_cd != n - 22 or count == 0 or count == 0xFFFF or offset_cd == 0xFFFFFFFF:
        return None  # (data before the package, or a directory not where its end record says)
    out = []
    pos, end = offset_cd, n - 22
    unpack = _CENTRAL.unpack_from
    for index in range(count):
        if pos + 46 > end:
            return None
        (sig, _, _, version, _, flags, method, t, d, crc, csize, size, name_len, extra_len, comment_len,
         _, _, _, offset) = unpack(data, pos)
        if sig != b"PK\x01\x02" or extra_len or flags & 0x1 or method not in (0, 8) or version > 63 \
                or 0xFFFFFFFF in (csize, size, offset):
            return None
        raw = data[pos + 46:pos + 46 + name_len]
        try:
            name = raw.decode("utf-8") if flags & 0x800 else raw.decode("cp437")
        except UnicodeDecodeError:
            return None
        if "\x00" in name or len(raw) != name_len:
            return None
        info = _Info()
        info.filename, info.flag_bits, info.compress_type, info.CRC = name, flags, method, crc
        info.compress_size, info.file_size, info.header_offset, info.index = csize, size, offset, index
        info.date_time = ((d >> 9) + 1980, (d >> 5) & 0xF, d & 0x1F, t >> 11, (t >> 5) & 0x3F, (t & 0x1F) * 2)
        out.append(info)
        pos += 46 + name_len + comment_len
    return out if pos == end else None
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_CENTRAL_HEADER = struct.Struct("<4s6H3L5H2L")


class _Part:
    """A part whose compressed bytes were met in an earlier file: its bytes, and what was judged of
    them (_Reader._memo)."""

    __slots__ = ("raw", "body", "memo")

    def __init__(self, raw: bytes, body: bytes):
        self.raw, self.body, self.memo = raw, body, {}


# The files of a consolidation are copies of one template: their theme, styles, relationships, help
# sheets… are byte for byte the same in file after file. A part met a second time is kept (its
# compressed bytes, compared in full before use: a CRC alone could be forged), so it is neither
# inflated nor judged again. Bounded: 48 parts of at most 128 KB (8 MB at most, a form's are ~100 KB).
_PARTS: dict[tuple, _Part] = {}
_SEEN: dict[tuple, None] = {}
_PARTS_MAX, _PART_BYTES_MAX, _SEEN_MAX = 48, 128 * 1024, 4096


def _recurring(key: tuple, data: bytes, start: int) -> _Part | None:
    part = _PARTS.pop(key, None)  # (put back last: the least recently used are the first to go)
    if part is None:
        return None
    _PARTS[key] = part
    return part if data.startswith(part.raw, start) else None


def _remember(key: tuple, data: bytes, start: int, size: int, body: bytes) -> _Part | None:
    if len(body) > _PART_BYTES_MAX:
        return None
    if key not in _SEEN:  # met once: only noted (most parts of a form are met once only)
        if len(_SEEN) >= _SEEN_MAX:
            _SEEN.clear()
        _SEEN[key] = None
        return None
    part = _PARTS[key] = _Part(data[start:start + size], body)
    try:
        while len(_PARTS) > _PARTS_MAX:
            del _PARTS[next(iter(_PARTS))]
    except (KeyError, RuntimeError, StopIteration):  # (another thread trimmed it meanwhile)
        pass
    return part


@functools.lru_cache(maxsize=512)
def _headers(name: str, date_time: tuple, method: int, crc: int, size: int, file_size: int) -> tuple[bytes, tuple[bytes, bytes]]:
    """A stored copy's local header of one member, and its central directory entry before and after
    the member's offset (the same members recur in file after file of a consolidation)."""
    raw_name = name.encode("utf-8")
    dostime = (date_time[3] << 11 | date_time[4] << 5 | date_time[5] // 2) & 0xFFFF
    dosdate = ((date_time[0] - 1980) << 9 | date_time[1] << 5 | date_time[2]) & 0xFFFF
    fixed = (20, 0x800, method, dostime, dosdate, crc, size, file_size, len(raw_name))
    central = _CENTRAL_HEADER.pack(b"PK\x01\x02", 20, *fixed, 0, 0, 0, 0, 0, 0)
    return _LOCAL_HEADER.pack(b"PK\x03\x04", *fixed, 0) + raw_name, (central[:-4], raw_name)


def _fast_member(data: bytes, info: zipfile.ZipInfo) -> tuple[bytes, _Part | None] | None:
    """A stored or deflated member's bytes straight from the archive (zipfile's reader costs several
    times more per member, which counts over thousands of files); CRC and size checked as zipfile
    does; and the _Part if its bytes were met before. None for anything unusual (encryption, ZIP64,
    another method): zipfile then reads it."""
    if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return None
    off = info.header_offset
    if off < 0 or off + 30 > len(data):  # a damaged central directory: zipfile judges it
        return None
    sig, _, _, method, _, _, _, _, _, name_len, extra_len = _LOCAL.unpack_from(data, off)
    if sig != b"PK\x03\x04" or method != info.compress_type:
        return None
    start = off + 30 + name_len + extra_len
    size = info.compress_size
    if start + size > len(data):
        raise zipfile.BadZipFile("truncated")
    key = (info.CRC, info.file_size, size, method)
    part = _recurring(key, data, start)
    if part is not None:
        return part.body, part  # (the same compressed bytes: inflated and checked before)
    if method == zipfile.ZIP_STORED:
        out = data[start:start + size]
    else:  # (inflated from a view: the compressed bytes are not copied first)
        out = zlib.decompressobj(-15).decompress(memoryview(data)[start:start + size], info.file_size + 1)
        # (never more than the declared size, +1 to notice a member that lies about it)
    if len(out) != info.file_size or zlib.crc32(out) != info.CRC:
        raise zipfile.BadZipFile("bad size or CRC")
    return out, _remember(key, data, start, size, out)


# Markup that can hide a "<row" (comments, CDATA, processing instructions), a row's start tag and
# the end of sheetData, with or without a namespace prefix.
_ROW_SCAN = re.compile(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<(?:[A-Za-z_][\w.-]*:)?(row)[\s/>]"
                       rb"|</(?:[A-Za-z_][\w.-]*:)?(sheetData)\s*>", re.S)
_SHEET_DATA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheetData[\s/>]")
_DATA_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?sheetData\s*>")
_ROW_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")


_XF = re.compile(rb"<xf\b[^>]*?(?:/>|>.*?</xf>)", re.S)
_STYLE_REF = re.compile(rb'<(?:c|row)\b[^>]*? s="([0-9]{1,9})"')
_COMMENTS_PART = re.compile(r"xl/comments[^/]*\.xml$", re.I)
_COMMENT = re.compile(rb"<(?:\w+:)?comment\b[^>]*?(?:/>|>.*?</(?:\w+:)?comment>)", re.S)
_SI = re.compile(rb"<si\b[^>]*?(?:/>|>.*?</si>)", re.S)
_S_CELL = re.compile(rb'(<c\b[^>]*?\bt="s"[^>]*>)(<v>)([0-9]{1,10})(</v>)')
_S_TYPE = re.compile(rb'<c\b[^>]*?\bt="s"')
def _keep_only(group, used: list[int]) -> dict[int, int]:
    """Keep the children of one styles list at the positions used (in order); old index → new index."""
    children = list(group)
    for el in children:
        group.remove(el)
    for old in used:
        group.append(children[old])
    group.set("count", str(len(used)))
    return {old: i for i, old in enumerate(used)}


_DXF_REF = re.compile(rb'<cfRule\b[^>]*? dxfId="([0-9]{1,9})"')
_DXF_ATTR = re.compile(rb' dxfId="([0-9]{1,9})"')
_STYLE_ATTR = re.compile(rb'(<(?:c|row)\b[^>]*? s=")([0-9]{1,9})"')
_MERGE = re.compile(rb'(<mergeCell\b[^>]*?\bref="\$?([A-Za-z]{1,3})\$?([0-9]{1,7})(?::\$?([A-Za-z]{1,3})\$?([0-9]{1,7}))?"'
                    rb'[^>]*?(?:/>|>.*?</mergeCell>))', re.S)
_MERGE_REF = re.compile(rb'ref="([^"]*)"')
_MERGE_PLAIN = re.compile(rb'<mergeCell ref="([A-Z]{1,2})([0-9]{1,7}):([A-Z]{1,2})([0-9]{1,7})"/>')
_COLUMNS = {(a + b).encode(): _col_number(a + b) for a in ["", *map(chr, range(65, 91))] for b in map(chr, range(65, 91))}
_MERGE_BLOCK = re.compile(rb"<mergeCells\b[^>]*?(?:/>|>.*?</mergeCells>)", re.S)
_CELL_SCAN = re.compile(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<(?:[A-Za-z_][\w.-]*:)?(c)[\s/>]"
                        rb"|</(?:[A-Za-z_][\w.-]*:)?(sheetData)\s*>", re.S)


def _count_cells(body: bytes) -> int:
    """How many cells a sheet stores (an upper bound: a <c> in a comment counts too)."""
    n = sum(body.count(b"<c" + ch) for ch in (b" ", b">", b"/", b"\t", b"\n", b"\r"))
    if b":c" in body:  # prefixed cells
        n += len(re.findall(rb"<[A-Za-z_][\w.-]*:c[\s/>]", body))
    return n


def _nth_cell(body: bytes, start: int, n: int) -> int | None:
    """Where the n-th cell after start begins (None: fewer cells before the end of sheetData)."""
    seen = 0
    for t in _CELL_SCAN.finditer(body, start):
        if t.group(1):
            seen += 1
            if seen == n:
                return t.start()
        elif t.group(2):
            return None
    return None


def _cut_rows(body: bytes, max_rows: int, max_cells: int | None = None) -> tuple[bytes, int, int, bool]:
    """(the sheet without its rows after the first max_rows — or, with max_cells, from the row
    holding cell max_cells + 1 on —, how many rows were cut, how many kept, whether the cells bound
    cut first): what the parse of the whole sheet would cut (row k always lands at r >= k, so every
    row after the first max_rows is past the limit), found by a byte scan. (body, 0, 0, False) when
    there is nothing to cut."""
    nothing = (body, 0, 0, False)
    if max_cells is None and body.count(b"row") <= max_rows:  # every row's start tag says "row"
        return nothing
    m = _SHEET_DATA.search(body)
    if m is None:
        return nothing
    cell_at = _nth_cell(body, m.end(), max_cells + 1) if max_cells is not None else None
    seen = 0
    cut = prev = None
    by_cells = False
    for t in _ROW_SCAN.finditer(body, m.end()):
        if t.group(1):
            if cell_at is not None and t.start() > cell_at:  # the cell is in the row before
                cut, by_cells = (prev if prev is not None else t.start()), True
                seen = max(seen - 1, 0)
                break
            seen += 1
            if seen == max_rows + 1:
                cut, seen = t.start(), max_rows
                break
            prev = t.start()
        elif t.group(2):
            if cell_at is not None and cell_at < t.start() and prev is not None:  # in the last row
                cut, by_cells, seen = prev, True, seen - 1
                break
            return nothing
    if cut is None:
        return nothing
    kept = seen
    if body.find(b"<!", cut) < 0 and body.find(b"<?", cut) < 0:  # nothing can hide a tag: count fast
        end = _DATA_END.search(body, cut)
        if end is None:
            return nothing  # no end of sheetData: the parse judges the damage
        stop = end.start()
        if body.find(b":row", cut, stop) < 0:  # no prefixed rows: counted in C, not match by match
            n = sum(body.count(b"<row" + ch, cut, stop) for ch in (b" ", b">", b"/", b"\t", b"\n", b"\r"))
        else:
            n = len(_ROW_START.findall(body, cut, stop))
        return body[:cut] + body[stop:], n, kept, by_cells
    n = 0
    for t in _ROW_SCAN.finditer(body, cut):
        if t.group(1):
            n += 1
        elif t.group(2):
            return body[:cut] + body[t.start():], n, kept, by_cells
    return nothing


def _targets_of(rels: bytes) -> dict | bool:
    """A workbook's relationships: id -> part name (False: not parseable)."""
    from lxml import etree

    try:
        root = etree.fromstring(rels, _parser())
    except etree.XMLSyntaxError:
        return False
    return {el.get("Id"): _resolve("xl/workbook.xml", el.get("Target") or "") for el in root}


def _sheets_of(workbook: bytes) -> tuple | bool:
    """((relationship id, name) of each sheet listed, number of defined names) of the workbook
    part (False: no list of sheets); raises what lxml raises on a part that is not XML."""
    from lxml import etree

    root = etree.fromstring(workbook, _parser())
    sheets = root.find(_M + "sheets")
    if sheets is None:
        return False
    names = root.find(_M + "definedNames")
    return (tuple((el.get("{%s}id" % NS_REL), el.get("name") or "") for el in sheets),
            len(names) if names is not None else 0)


def _count_strings(body: bytes) -> int:
    return body.count(b"<si>") + body.count(b"<si ") + body.count(b"<si/>")


def _count_xfs(body: bytes) -> int:
    start = body.find(b"<cellXfs")
    end = body.find(b"</cellXfs>", start)
    if start < 0 or end < 0:
        return 0
    part = body[start:end]
    return part.count(b"<xf ") + part.count(b"<xf>") + part.count(b"<xf/")


def _critical(name: str) -> bool:
    """Parts every reader parses to get the values: read and judged for every file."""
    return (name in ("[Content_Types].xml", "xl/workbook.xml", "xl/styles.xml", "xl/sharedStrings.xml")
            or name.endswith(".rels") or name.startswith("xl/worksheets/") and name.endswith(".xml"))


def _index_ok(raw: str | None, count: int, absent_ok: bool) -> bool:
    if raw is None:
        return absent_ok
    raw = raw.strip()
    return raw.isdigit() and int(raw) < count


# Used to skip the full parse for the sheets that need no repair (almost all of them): byte scans
# of the whole sheet, no per-cell Python. The cell scan spells out the cells every writer (Excel,
# WPS, LibreOffice, openpyxl) writes — r, s, t in that order, a value that fits the type — and
# finds the first cell that is anything else; such a sheet (a date cell, an unusual attribute, a
# reference or type the full check would judge) is parsed and judged in full. None of the scans
# depends on the workbook's counts of formats or strings: those change from file to file, and
# compiling a scan costs a quarter of a millisecond.
_CELL_SCANS: dict[tuple, re.Pattern] = {}
_F = r'(?:<f>[^<]*</f>|<f [^>]*/>|<f [^>]*>[^<]*</f>)?'  # a formula, before a cached value


def _cell_scan(max_cols: int, styles: int | None, strings: bool) -> re.Pattern:
    """The scan for the first cell that is not spelled as writers spell cells, with a style index
    below `styles` (None: any number), and a shared-string index (any number) only if the workbook
    has shared strings."""
    key = (max_cols, styles, strings)
    hit = _CELL_SCANS.get(key)
    if hit is None:
        if max_cols >= 702:
            letters = "[A-Z]{1,2}"
        else:  # the column letters that are good, spelled out (for 256: A-Z, AA-HZ, IA-IV)
            alts = [f"[A-{chr(64 + min(max_cols, 26))}]"]
            full = min(26, (max_cols - 26) // 26)  # first letters with all 26 second letters
            if full >= 1:
                alts.append(f"[A-{chr(64 + full)}][A-Z]")
            top = max_cols - 26 * (full + 1)
            if full < 26 and top >= 1:
                alts.append(f"{chr(65 + full)}[A-{chr(64 + top)}]")
            letters = "(?:" + "|".join(alts) + ")"
        style = "[0-9]{1,9}" if styles is None else ("(?!" + _at_least(styles) + '")[0-9]{1,9}' if styles else "(?!)")
        good = (r'r="' + letters + r'[1-9][0-9]{0,6}"(?: s="' + style + '")?'
                # (an empty cached value, as openpyxl writes after a formula, is left as it is)
                r'(?:(?: t="n")?(?:/>|>' + _F + r'(?:<v>(?:-?[0-9.]+(?:[eE][+\-]?[0-9]+)?)?</v>)?</c>)'
                + (r'| t="s"><v>[0-9]{1,10}</v></c>' if strings else "") +
                r'| t="(?:inlineStr|str|e)"/?>'
                r'| t="b">' + _F + r'<v>[01]?</v></c>)')
        hit = re.compile(("<c(?:[>/]|\\s(?!" + good + "))").encode())
        if len(_CELL_SCANS) > 256:
            _CELL_SCANS.clear()
        _CELL_SCANS[key] = hit
    return hit


_ROW_TAG = re.compile(rb'<row(?: r="([1-9][0-9]{0,6})"(?=[\s>/])|(?=[\s>/]))([^>]*)')
_ROW_STYLE = re.compile(rb' s="([^"]*)"')
_INDEX_SCANS: dict[int, re.Pattern] = {}
_MAIN_DEFAULT = b'xmlns="' + NS_MAIN.encode() + b'"'


def _at_least(n: int) -> str:
    """A regex for the decimal integers >= n (and any with a leading zero, which no writer uses)."""
    d = str(n)
    alts = [f"[1-9][0-9]{{{len(d)},}}", "0[0-9]+", d]
    for i, ch in enumerate(d):
        if ch != "9":
            lo = int(ch) + 1 if i else max(int(ch) + 1, 1)
            rest = len(d) - i - 1
            alts.append(f"{d[:i]}[{lo}-9][0-9]{{{rest}}}")
    return "(?:" + "|".join(alts) + ")"


def _index_ok_bytes(x: bytes, count: int) -> bool:
    return x.isdigit() and (x == b"0" or x[:1] != b"0") and int(x) < count


def _low(count: int) -> int:
    """count rounded down to two significant digits: a handful of scans serve every workbook."""
    d = str(count)
    return int(d[:2] + "0" * max(len(d) - 2, 0)) if count >= 10 else 0


def _strings_ok(body: bytes, count: int, start: int = 0, end: int | None = None) -> bool:
    """Whether every shared-string index in the sheet (between start and end) is below count: the
    indexes at or above count rounded down to two significant digits are found, and those are
    compared."""
    low = _low(count)
    hit = _INDEX_SCANS.get(low)
    if hit is None:
        hit = re.compile((r't="s"><v>(' + (_at_least(low) if low else "[0-9]+") + ")</v>").encode())
        if len(_INDEX_SCANS) > 256:
            _INDEX_SCANS.clear()
        _INDEX_SCANS[low] = hit
    return all(_index_ok_bytes(x, count) for x in hit.findall(body, start, len(body) if end is None else end))


# What any of the scans below looks at: a cell or row start tag, a shared-string value.
_SCANNED = re.compile(rb"<(?:c|row)[\s/>]")
_STRING_VALUE = b't="s"><v>'


def _fast_ok(body: bytes, n_xfs: int, n_strings: int, max_rows: int, max_cols: int) -> bool:
    """True when byte scans show nothing the full check would change (a few passes over the bytes,
    no Python per cell: this runs on every sheet of every file a bureau consolidates)."""
    if body.count(NS_MAIN.encode()) != 1 or _MAIN_DEFAULT not in body:
        return False  # the namespace under a prefix, an unusual shape: the parser judges
    start = body.find(b"<sheetData>")
    if start < 0:
        return False  # an empty sheet (<sheetData/>) or an unusual shape
    if len(body) > 6 * max_rows and body.count(b"<row") > max_rows:  # (<row/> takes 6 bytes)
        return False  # rows to cut (before any scan of a sheet that may be huge)
    # The scans look only from the first <sheetData> to the last </sheetData> (a form's column
    # widths, validations and print settings are 40% of its bytes) when nothing they would find
    # lies outside: then they find what a scan of the whole sheet finds.
    end = body.rfind(b"</sheetData>")
    if (end < start or _SCANNED.search(body, 0, start) or _SCANNED.search(body, end)
            or n_strings and (body.find(_STRING_VALUE, 0, start) >= 0 or body.find(_STRING_VALUE, end) >= 0)):
        start, end = 0, len(body)
    # Style indexes are checked exactly in the scan (its pattern then depends on the count of
    # formats, which few workbooks push past 1,000); past that, a scan for any number first.
    exact = n_xfs < 1000
    if _cell_scan(max_cols, n_xfs if exact else None, n_strings > 0).search(body, start, end):
        return False
    last = 0
    for r, rest in _ROW_TAG.findall(body, start, end):
        if not r:
            return False
        r = int(r)
        if r <= last:
            return False
        last = r
        if b" s=" in rest:
            m = _ROW_STYLE.search(rest)
            if m is None or not _index_ok_bytes(m.group(1), n_xfs):
                return False
    if last > max_rows:
        return False
    if not exact and not all(_index_ok_bytes(x, n_xfs) for x in _CELL_STYLE.findall(body, start, end)):
        return False
    return n_strings == 0 or _strings_ok(body, n_strings, start, end)


_CELL_STYLE = re.compile(rb'<c [^>]*? s="([0-9]*)"')


def preflight(data: bytes, suffix: str = ".xlsx", deep: bool = False, stored: bool = False) -> Package:
    """The verdict on one file's bytes: a Package to read (possibly repaired, with notes), or
    Refused (Chinese, naming the part). Never anything else: unexpected trouble in a part is
    treated as that part being damaged. stored: also give Package.stored (for python-calamine)."""
    if len(data) > limits.file_bytes():
        raise Refused(f"文件有 {len(data) / 1024 / 1024:.0f} MB，超过了{limits.describe('FILE_MB')}；自评表通常不到 1 MB。"
                      "请检查是否选错了文件，或删除其中的大图片、无关工作表后另存再试。")
    sniff(data, suffix)
    rd = _Reader(data, deep)
    rd.unpack()
    try:
        rd.check_xml()
        rd.content_types()
        rd.workbook()
        n_xfs = rd.styles()
        n_strings = rd.shared_strings()
        rd.sheets(n_xfs, n_strings)
        rd.comments()
    except Refused:
        raise
    except RecursionError:
        raise Refused("工作簿的内容嵌套层次过深，无法读取。" + SAVE_AGAIN) from None
    except Exception:  # noqa: BLE001 - a part shaped like nothing Excel writes
        raise Refused("工作簿的内容已损坏，无法读取。" + SAVE_AGAIN) from None
    macro = any(n.lower().endswith("vbaproject.bin") for n in rd.parts)
    if not rd.changed:
        return Package(data, rd.notes, False, macro, rd.repairs, rd.stored_copy() if stored else None)
    return Package(rd.pack(), rd.notes, True, macro, rd.repairs)


def read_file(path) -> bytes:
    """A submitted file's bytes (read once, never written), or Refused with the one Chinese message
    every command gives for a file that cannot be read (check, score, collect's workers…)."""
    import errno
    from pathlib import Path

    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError:
        raise Refused("文件不存在（可能已被移动或删除）。") from None
    if size > limits.file_bytes():
        raise Refused(f"文件有 {size / 1024 / 1024:.0f} MB，超过了{limits.describe('FILE_MB')}；自评表通常不到 1 MB。"
                      "请检查是否选错了文件，或删除其中的大图片、无关工作表后另存再试。")
    try:
        return path.read_bytes()
    except PermissionError:
        raise Refused("没有读取此文件的权限（可能正被其他程序占用）。") from None
    except IsADirectoryError:
        raise Refused("这是一个文件夹，不是工作簿文件。") from None
    except FileNotFoundError:  # strerror would be the C library's English text
        raise Refused("文件不存在（可能已被移动或删除）。") from None
    except OSError as exc:
        reason = {"EIO": "磁盘读写出错", "EBUSY": "文件正被其他程序使用", "ENAMETOOLONG": "文件名太长",
                  "ELOOP": "文件链接指向了自身"}.get(errno.errorcode.get(exc.errno or 0, ""), "系统拒绝读取")
        raise Refused(f"无法读取文件（{reason}）。") from None


def package_of(path) -> Package:
    """preflight() of a file on disk (read once, never written)."""
    from pathlib import Path

    return preflight(read_file(path), Path(path).suffix.lower())
