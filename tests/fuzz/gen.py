"""Generators of damaged and hostile inputs, built the way a fuzzer would from a real filled form.

Each generator yields (name, bytes) for workbooks, reports or case files. Workbook damage is made
on the zip members of a form written by `evaltool new --from` (a real .xlsx), so every input is one
mutation away from a file a clerk could send.
"""
from __future__ import annotations

import io
import random
import re
import zipfile
import zlib
from pathlib import Path

SHEET = "xl/worksheets/sheet1.xml"
BOMB_DTD = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
            + b"".join(b'<!ENTITY %s "%s">' % (bytes([98 + i]), (b"&" + bytes([97 + i]) + b";") * 10) for i in range(8))
            + b"]>")
EXTERNAL_DTD = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {i.filename: zf.read(i.filename) for i in zf.infolist()}


def pack(parts: dict[str, bytes] | list[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    items = parts.items() if isinstance(parts, dict) else parts
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, body in items:
            zf.writestr(name, body)
    return buf.getvalue()


def set_cell(parts: dict[str, bytes], ref: str, xml: str, part: str = SHEET) -> dict[str, bytes]:
    out = dict(parts)
    text = out[part].decode("utf-8")
    new = re.sub(r'<c r="%s"[^>]*?(?:/>|>.*?</c>)' % ref, xml.replace("\\", "\\\\"), text, count=1)
    assert new != text, ref
    out[part] = new.encode("utf-8")
    return out


def with_bomb(body: bytes, external: bool = False) -> bytes:
    """The part with a DTD declaring nested entities (or an external one) used in its root element."""
    dtd = EXTERNAL_DTD if external else BOMB_DTD
    body = re.sub(rb"^\s*<\?xml[^>]*\?>", b"", body)
    ref = b"&x;" if external else b"&i;"
    return dtd + re.sub(rb"(<[A-Za-z][^>]*?)(/?)>", lambda m: m.group(1) + b">" + ref + (b"</" + m.group(1)[1:].split()[0] + b">" if m.group(2) else b""), body, count=1)


# ---- damaged containers -------------------------------------------------------------------------------
def containers(base: bytes, rng: random.Random, full: bool) -> list[tuple[str, bytes]]:
    parts = members(base)
    names = list(parts)
    out: list[tuple[str, bytes]] = []
    cuts = sorted(set([1, 4, 22, 30, 100, len(base) // 2, len(base) - 22, len(base) - 1]
                      + [rng.randrange(1, len(base)) for _ in range(40 if full else 4)]))
    for n in cuts:
        out.append((f"截断{n}.xlsx", base[:n]))
    for name in names if full else [SHEET, "xl/styles.xml", "docProps/core.xml", "xl/workbook.xml",
                                    "[Content_Types].xml", "xl/_rels/workbook.xml.rels"]:
        safe = re.sub(r"[^0-9A-Za-z]", "_", name)
        out.append((f"缺少{safe}.xlsx", pack({k: v for k, v in parts.items() if k != name})))
        out.append((f"乱码{safe}.xlsx", pack({**parts, name: bytes(rng.randrange(256) for _ in range(200))})))
        if name.endswith((".xml", ".rels")):
            out.append((f"实体炸弹{safe}.xlsx", pack({**parts, name: with_bomb(parts[name])})))
            out.append((f"外部实体{safe}.xlsx", pack({**parts, name: with_bomb(parts[name], external=True)})))
            half = parts[name][: len(parts[name]) // 2]
            out.append((f"半截{safe}.xlsx", pack({**parts, name: half})))
    # Unsupported compression: method 14 (LZMA) announced for a member whose bytes are deflate.
    for victim in (SHEET, "docProps/app.xml"):
        data = bytearray(pack(parts))
        raw = bytes(data)
        name_b = victim.encode()
        for sig in (b"PK\x03\x04", b"PK\x01\x02"):
            pos = 0
            while True:
                pos = raw.find(sig, pos)
                if pos < 0:
                    break
                off = 30 if sig == b"PK\x03\x04" else 46
                nlen_at = 26 if sig == b"PK\x03\x04" else 28
                nlen = int.from_bytes(raw[pos + nlen_at:pos + nlen_at + 2], "little")
                if raw[pos + off:pos + off + nlen] == name_b:
                    meth_at = pos + (8 if sig == b"PK\x03\x04" else 10)
                    data[meth_at:meth_at + 2] = (14).to_bytes(2, "little")
                pos += 4
        out.append((f"压缩方式{re.sub(r'[^0-9A-Za-z]', '_', victim)}.xlsx", bytes(data)))
    dup_items = list(parts.items()) + [(SHEET, b"<worksheet/>"), ("docProps/core.xml", b"<x/>")]
    out.append(("重复条目.xlsx", pack(dup_items)))
    out.append(("重复属性.xlsx", pack(list(parts.items()) + [("docProps/core.xml", b"garbage")])))
    for evil in ("../逃逸.txt", "/绝对路径.txt", "..\\反斜杠.txt", "xl/../../上级.xml", "C:/盘符.txt"):
        out.append((f"路径{len(out)}.xlsx", pack(list(parts.items()) + [(evil, b"x")])))
    out.append(("存储不压缩.xlsx", pack(parts, zipfile.ZIP_STORED)))
    out.append(("非zip.xlsx", b"\x00" * 100))
    out.append(("全零zip头.xlsx", b"PK\x03\x04" + b"\x00" * 200))
    if full:
        for _ in range(30):  # random byte flips
            data = bytearray(base)
            for _ in range(rng.randrange(1, 8)):
                data[rng.randrange(len(data))] = rng.randrange(256)
            out.append((f"翻转{len(out)}.xlsx", bytes(data)))
        for name in names:  # flips inside one member's (decompressed) XML
            if name.endswith(".xml"):
                body = bytearray(parts[name])
                for _ in range(5):
                    body[rng.randrange(len(body))] = rng.choice(b"<>&\"'\x00/=")
                safe = re.sub(r"[^0-9A-Za-z]", "_", name)
                out.append((f"XML翻转{safe}.xlsx", pack({**parts, name: bytes(body)})))
    return out


# ---- hostile cell content -----------------------------------------------------------------------------
HOSTILE_NUMBERS = ["NaN", "INF", "-INF", "1e30", "1e308", "-1e308", "4.9e-324", "-0", "1e-30", "-35", "0",
                   "99999999999999999999", "abc", "", " ", "1.#INF", "0x10", "1_000"]
HOSTILE_TEXT = ["123456789012345678901234567890", "长" * 100_000, "\x01\x02\x1b[31m红\x1b[0m", "[bold]粗[/]",
                "<script>alert(1)</script>", "=1+1", "=HYPERLINK(\"http://x\",\"点\")", "@SUM(A1)", "+1", "-1",
                "\t制表", "\r回车", "{{ 7*7 }}", "{% for x in range(10**9) %}{% endfor %}", "1e30万元",
                "≥1e308%", "9" * 5000, "０.５", "¥35", "2023-02-30", "12月99日前", "✓", "\u202e反向",
                "\ud7ff", "％" * 50]
TARGET_CELLS = ["E6", "F6", "G6", "J6", "G13", "E13", "F13", "J17", "C3", "C4", "D13"]


def hostile_cells(base: bytes, rng: random.Random, full: bool) -> list[tuple[str, bytes]]:
    parts = members(base)
    out: list[tuple[str, bytes]] = []
    cells = ["E6", "G13", "F13", "C3"] if full else ["E6", "G13", "F13"]
    for ref in cells:
        for i, v in enumerate(HOSTILE_NUMBERS if full else HOSTILE_NUMBERS[:8]):
            out.append((f"数{ref}_{i}.xlsx", pack(set_cell(parts, ref, f'<c r="{ref}" t="n"><v>{v}</v></c>'))))
        texts = HOSTILE_TEXT if full else HOSTILE_TEXT[:4] + HOSTILE_TEXT[5:8]
        for i, v in enumerate(texts):
            esc = (v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
            esc = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", lambda m: "_x%04X_" % ord(m.group()), esc)
            out.append((f"文{ref}_{i}.xlsx",
                        pack(set_cell(parts, ref, f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{esc}</t></is></c>'))))
        out.append((f"布尔{ref}.xlsx", pack(set_cell(parts, ref, f'<c r="{ref}" t="b"><v>1</v></c>'))))
        out.append((f"错误值{ref}.xlsx", pack(set_cell(parts, ref, f'<c r="{ref}" t="e"><v>#DIV/0!</v></c>'))))
        out.append((f"日期{ref}.xlsx", pack(set_cell(parts, ref, f'<c r="{ref}" t="d"><v>2023-01-05T00:00:00</v></c>'))))
        out.append((f"坏日期{ref}.xlsx", pack(set_cell(parts, ref, f'<c r="{ref}" t="d"><v>不是日期</v></c>'))))
        out.append((f"坏共享{ref}.xlsx", pack(set_cell(parts, ref, f'<c r="{ref}" t="s"><v>99999</v></c>'))))
        out.append((f"坏样式{ref}.xlsx", pack(set_cell(parts, ref, f'<c r="{ref}" s="999" t="n"><v>35</v></c>'))))
        out.append((f"公式{ref}.xlsx", pack(set_cell(parts, ref, f'<c r="{ref}"><f>1/0</f><v>#DIV/0!</v></c>'))))
        out.append((f"小写{ref}.xlsx", pack(set_cell(parts, ref, f'<c r="{ref.lower()}" t="n"><v>35</v></c>'))))
        out.append((f"美元{ref}.xlsx", pack(set_cell(parts, ref, f'<c r="${ref[0]}${ref[1:]}" t="n"><v>35</v></c>'))))
        out.append((f"怪地址{ref}.xlsx", pack(set_cell(parts, ref, f'<c r="XFD1048576" t="n"><v>35</v></c>'))))
        out.append((f"未知类型{ref}.xlsx", pack(set_cell(parts, ref, f'<c r="{ref}" t="zz"><v>35</v></c>'))))
    sheet = parts[SHEET]
    out.append(("无地址.xlsx", pack({**parts, SHEET: re.sub(rb' r="[A-Z]+[0-9]+"', b"", sheet)})))
    out.append(("行号乱序.xlsx", pack({**parts, SHEET: re.sub(rb'<row r="6"', b'<row r="2"', sheet)})))
    out.append(("无样式部件.xlsx", pack({k: v for k, v in parts.items() if k != "xl/styles.xml"})))
    rows = b"".join(b'<row r="%d" s="1" customFormat="1"><c r="A%d" s="1"/></row>' % (r, r) for r in range(100, 200_100 if full else 30_100))
    bomb = sheet.replace(b"</sheetData>", rows + b"</sheetData>")
    out.append(("百万样式行.xlsx", pack({**parts, SHEET: bomb})))
    return out


# ---- hostile YAML case files ----------------------------------------------------------------------------
def hostile_yaml(base_yaml: str, rng: random.Random, full: bool) -> list[tuple[str, bytes]]:
    out: list[tuple[str, bytes]] = []
    laughs = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))
    out.append(("锚点炸弹.yaml", laughs.encode()))
    out.append(("锚点炸弹2.yaml", (base_yaml + "\n项目基本信息: *x\n" if False else laughs + "项目名称: *i\n").encode()))
    out.append(("二进制.yaml", bytes(rng.randrange(256) for _ in range(500))))
    out.append(("UTF16.yaml", base_yaml.encode("utf-16")))
    out.append(("空.yaml", b""))
    out.append(("列表.yaml", b"- 1\n- 2\n"))
    out.append(("标量.yaml", b"42\n"))
    out.append(("深嵌套.yaml", (b"[" * 5000) + (b"]" * 5000)))
    out.append(("python标签.yaml", b"!!python/object/apply:os.system ['echo hi']\n"))
    out.append(("重复键.yaml", (base_yaml + "\n项目名称: 第二个\n").encode()))
    swaps = [("全年预算数: ", "全年预算数: [1, 2]\n  x: "), ("分值: ", "分值: {a: 1}\n  y: "),
             ("项目名称: ", "项目名称: 2023-01-01\n#"), ("全年预算数: ", "全年预算数: .nan\n  z: "),
             ("全年预算数: ", "全年预算数: .inf\n  z: "), ("全年预算数: ", "全年预算数: 1e400\n  z: "),
             ("分值: ", "分值: -5\n  q: "), ("分值: ", "分值: true\n  q: "), ("年度指标值: ", "年度指标值: 2023-12-31\n  q: "),
             ("全年执行数: ", "全年执行数: 123456789012345678901234567890\n  q: ")]
    for i, (old, new) in enumerate(swaps if full else swaps[:5]):
        if old in base_yaml:
            out.append((f"类型{i}.yaml", base_yaml.replace(old, new, 1).encode()))
    for n in range(3 if full else 1):
        lines = base_yaml.splitlines()
        rng.shuffle(lines)
        out.append((f"打乱{n}.yaml", "\n".join(lines).encode()))
    return out


# ---- reports for check-report ---------------------------------------------------------------------------
def hostile_reports(good_docx: bytes, rng: random.Random, full: bool) -> list[tuple[str, bytes]]:
    parts = members(good_docx)
    doc = "word/document.xml"
    out: list[tuple[str, bytes]] = [("截断.docx", good_docx[: len(good_docx) // 2]), ("非zip.docx", b"%PDF-1.4")]
    out.append(("实体炸弹.docx", pack({**parts, doc: with_bomb(parts[doc])})))
    out.append(("缺正文.docx", pack({k: v for k, v in parts.items() if k != doc})))
    out.append(("乱码正文.docx", pack({**parts, doc: b"<<<garbage"})))
    body = parts[doc]
    many = b"<w:p><w:r><w:t>\xe9\xa2\x84\xe7\xae\x97 35 \xe4\xb8\x87\xe5\x85\x83</w:t></w:r></w:p>" * (200_000 if full else 50_000)
    out.append(("二十万段.docx", pack({**parts, doc: body.replace(b"</w:body>", many + b"</w:body>") if b"</w:body>" in body
                                      else body})))
    return out


# ---- inputs at the bounds ---------------------------------------------------------------------------------
def _styled_rows(first: int, last: int, cols: list[str] | None = None) -> bytes:
    if cols is None:
        return b"".join(b'<row r="%d" s="1" customFormat="1"><c r="A%d" s="1"/></row>' % (r, r) for r in range(first, last))
    return b"".join(b'<row r="%d">' % r + b"".join(b'<c r="%s%d" s="1"/>' % (c.encode(), r) for c in cols) + b"</row>"
                    for r in range(first, last))


def bombs(base: bytes, full: bool) -> list[tuple[str, bytes]]:
    """Small files that make a reader build millions of objects: rows and cells up to the part size
    limit, one merge over a million cells, thousands of merges, data validations, conditional
    formats and sheets, a styles part of 400,000 formats, a value far down and right. Each must stay
    within the issue's bounds (10 s, 1 GB) in every command."""
    from evaltool.core.seam import col_letter

    parts = members(base)
    sheet = parts[SHEET]

    def with_sheet(extra_rows: bytes = b"", tail: bytes = b"") -> bytes:
        body = sheet.replace(b"</sheetData>", extra_rows + b"</sheetData>")
        if tail:
            body = body.replace(b"</mergeCells>", b"</mergeCells>" + tail, 1)
        return pack({**parts, SHEET: body})

    out = [
        ("宽样式区.xlsx", with_sheet(_styled_rows(100, 4900 if full else 1100, [col_letter(c) for c in range(1, 101)]))),
        ("远角单元格.xlsx", with_sheet(b'<row r="3900"><c r="IR3900" t="n"><v>1</v></c></row>')),
        ("巨大合并.xlsx", pack({**parts, SHEET: sheet.replace(b"</mergeCells>", b'<mergeCell ref="A100:IV5000"/></mergeCells>')})),
        ("万个合并.xlsx", pack({**parts, SHEET: sheet.replace(b"</mergeCells>", b"".join(
            b'<mergeCell ref="A%d:B%d"/>' % (r, r) for r in range(100, 10_100 if full else 3_100)) + b"</mergeCells>")})),
        ("十万有效性.xlsx", with_sheet(tail=b"<dataValidations>" + b"".join(
            b'<dataValidation type="list" sqref="K%d"><formula1>"a,b"</formula1></dataValidation>' % r
            for r in range(1, 100_000 if full else 5_000)) + b"</dataValidations>")),
        ("万条条件格式.xlsx", with_sheet(tail=b"".join(
            b'<conditionalFormatting sqref="K%d"><cfRule type="cellIs" priority="%d" operator="equal"><formula>1</formula>'
            b'</cfRule></conditionalFormatting>' % (r, r) for r in range(1, 20_000 if full else 3_000)))),
    ]
    st = parts["xl/styles.xml"]
    xfs = b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' * (400_000 if full else 30_000)
    out.append(("四十万格式.xlsx", pack({**parts, "xl/styles.xml": re.sub(rb"(<cellXfs[^>]*>)", lambda m: m.group(1) + xfs, st, count=1)})))
    fonts = b'<font><sz val="11"/><name val="Calibri"/></font>' * (50_000 if full else 15_000)
    out.append(("五万字体.xlsx", pack({**parts, "xl/styles.xml": re.sub(rb"(<fonts[^>]*>)", lambda m: m.group(1) + fonts, st, count=1)})))
    # lists cell formats only point into, and defined names: openpyxl builds each (300,000 took 14-23 s)
    k = 300_000 if full else 15_000
    dxfs = b"<dxf><font><b/></font></dxf>" * k
    st_dxf = (re.sub(rb"<dxfs[^>]*>", b"<dxfs>" + dxfs, st, count=1) if b"<dxfs" in st
              else st.replace(b"<tableStyles", b"<dxfs>" + dxfs + b"</dxfs><tableStyles", 1))
    out.append(("三十万条件样式.xlsx", pack({**parts, "xl/styles.xml": st_dxf})))
    base_xfs = b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>' * k
    out.append(("三十万基础样式.xlsx", pack({**parts, "xl/styles.xml": re.sub(
        rb"(<cellStyleXfs[^>]*>)", lambda m: m.group(1) + base_xfs, st, count=1)})))
    fmts = b"".join(b'<numFmt numFmtId="%d" formatCode="0.%s"/>' % (200 + i, b"0" * (i % 5 + 1)) for i in range(k))
    st_fmt = (re.sub(rb"<numFmts[^>]*>", lambda m: b"<numFmts>" + fmts, st, count=1) if b"<numFmts" in st
              else re.sub(rb"(<fonts\b)", lambda m: b"<numFmts>" + fmts + b"</numFmts>" + m.group(1), st, count=1))
    out.append(("三十万数字格式.xlsx", pack({**parts, "xl/styles.xml": st_fmt})))
    names = b"".join(b'<definedName name="n%d">Sheet1!$A$1</definedName>' % i for i in range(k))
    wbx = parts["xl/workbook.xml"]
    wbx = (wbx.replace(b"<definedNames>", b"<definedNames>" + names, 1) if b"<definedNames>" in wbx
           else wbx.replace(b"</sheets>", b"</sheets><definedNames>" + names + b"</definedNames>", 1))
    out.append(("三十万名称.xlsx", pack({**parts, "xl/workbook.xml": wbx})))
    rels_name = SHEET.replace("worksheets/", "worksheets/_rels/") + ".rels"
    rel = (b'<Relationship Id="rIdBomb" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
           b'comments" Target="../commentsBomb.xml"/>')
    sheet_rels = (parts[rels_name].replace(b"</Relationships>", rel + b"</Relationships>") if rels_name in parts else
                  b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                  b'package/2006/relationships">' + rel + b"</Relationships>")
    notes = b"".join(b'<comment ref="Z%d" authorId="0"><text><t>x</t></text></comment>' % (i + 1)
                     for i in range(200_000 if full else 12_000))
    out.append(("二十万批注.xlsx", pack({
        **parts, rels_name: sheet_rels,
        "[Content_Types].xml": parts["[Content_Types].xml"].replace(b"</Types>", (
            b'<Override PartName="/xl/commentsBomb.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            b'spreadsheetml.comments+xml"/></Types>')),
        "xl/commentsBomb.xml": b'<?xml version="1.0" encoding="UTF-8"?><comments xmlns="http://schemas.openxmlformats.org/'
                               b'spreadsheetml/2006/main"><authors><author>a</author></authors><commentList>' + notes
                               + b"</commentList></comments>"})))
    n = 3000 if full else 400
    wb, rels, ct = (parts[k].decode() for k in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml"))
    r_ns = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    small = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>')
    many = {**parts,
            "xl/workbook.xml": wb.replace("</sheets>", "".join(
                f'<sheet xmlns:r="{r_ns}" name="附{i}" sheetId="{1000 + i}" r:id="rIdX{i}"/>' for i in range(n)) + "</sheets>").encode(),
            "xl/_rels/workbook.xml.rels": rels.replace("</Relationships>", "".join(
                f'<Relationship Id="rIdX{i}" Type="{r_ns}/worksheet" Target="worksheets/x{i}.xml"/>' for i in range(n))
                + "</Relationships>").encode(),
            "[Content_Types].xml": ct.replace("</Types>", "".join(
                f'<Override PartName="/xl/worksheets/x{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                'spreadsheetml.worksheet+xml"/>' for i in range(n)) + "</Types>").encode()}
    many.update({f"xl/worksheets/x{i}.xml": small for i in range(n)})
    out.append(("三千张表.xlsx", pack(many)))
    if full:  # 41 MB of formatted rows (just under the part limit) in 3 MB of file
        out.append(("分部件上限样式行.xlsx", with_sheet(_styled_rows(100, 620_100))))
    return out
