"""vbaProject.bin from plain-text VBA sources, following [MS-OVBA].

The project is written version-independent: _VBA_PROJECT holds no performance cache and every
module stream is only the compressed source (MODULEOFFSET 0), so Excel compiles the project from
source when it opens the file, whatever its version or bitness. Records, references and module
types follow what Excel wrote into the add-ins shipped with xlwings (xlwings/addin/xlwings.xlam,
xlwings/quickstart_addin_ribbon.xlam); values the specification leaves free (project GUID,
version, encryption seed) are fixed so that the build is reproducible.
"""
from __future__ import annotations

import struct
import uuid
from dataclasses import dataclass

from evaltool.addin import cfb

CODEPAGE = 1252  # the sources are ASCII; Chinese text lives in Python and the ribbon XML
LCID = 0x0409
SYSKIND_WIN64 = 3  # what Excel writes on 64-bit Windows (xlwings.xlam); recompiled anyway

# References every new Excel VBA project carries (stdole, Office); Office defines IRibbonControl.
REFERENCES = (
    ("stdole", "*\\G{00020430-0000-0000-C000-000000000046}#2.0#0#"
               "C:\\Windows\\System32\\stdole2.tlb#OLE Automation"),
    ("Office", "*\\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#"
               "C:\\Program Files\\Common Files\\Microsoft Shared\\OFFICE16\\MSO.DLL"
               "#Microsoft Office 16.0 Object Library"),
)

# Attribute headers Excel stores for document modules and class modules.
WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"
WORKSHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"
CLASS_BASE = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"


@dataclass
class Module:
    name: str
    kind: str  # "standard" | "class" | "document"
    source: str  # as stored in the module stream: Attribute lines first, CRLF line ends
    docstring: str = ""


def document_module(name: str, base: str) -> Module:
    lines = [f'Attribute VB_Name = "{name}"', f'Attribute VB_Base = "{base}"',
             "Attribute VB_GlobalNameSpace = False", "Attribute VB_Creatable = False",
             "Attribute VB_PredeclaredId = True", "Attribute VB_Exposed = True",
             "Attribute VB_TemplateDerived = False", "Attribute VB_Customizable = True"]
    return Module(name, "document", "\r\n".join(lines) + "\r\n")


def crlf(text: str) -> str:
    """Normalise line ends to CRLF, as the VBA editor stores them."""
    return "\r\n".join(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))


def standard_module(text: str) -> Module:
    """A .bas file as exported by the VBA editor (first line: Attribute VB_Name = "...")."""
    text = crlf(text)
    first = text.split("\r\n", 1)[0]
    if not first.startswith('Attribute VB_Name = "'):
        raise ValueError("a .bas source must start with Attribute VB_Name")
    return Module(first.split('"')[1], "standard", text)


def class_module(text: str) -> Module:
    """A .cls file as exported by the VBA editor, turned into the stored form Excel writes.

    Import drops the VERSION/BEGIN..END block and adds VB_Base, VB_TemplateDerived and
    VB_Customizable next to the exported attributes (compare Dictionary in
    quickstart_addin_ribbon.xlam with xlwings/addin/Dictionary.cls).
    """
    lines = crlf(text).split("\r\n")
    if lines and lines[0].startswith("VERSION "):
        end = lines.index("END")
        lines = lines[end + 1:]
    attrs = []
    while lines and lines[0].startswith("Attribute VB_") and "VB_Description" not in lines[0] \
            and not lines[0].startswith("Attribute VB_Ext_KEY"):
        attrs.append(lines.pop(0))
    values = {a.split("=", 1)[0].split()[1]: a.split("=", 1)[1].strip() for a in attrs}
    name = values["VB_Name"].strip('"')
    order = [("VB_Name", f'"{name}"'), ("VB_Base", f'"{CLASS_BASE}"'),
             ("VB_GlobalNameSpace", values.get("VB_GlobalNameSpace", "False")),
             ("VB_Creatable", values.get("VB_Creatable", "False")),
             ("VB_PredeclaredId", values.get("VB_PredeclaredId", "False")),
             ("VB_Exposed", values.get("VB_Exposed", "False")),
             ("VB_TemplateDerived", "False"), ("VB_Customizable", "False")]
    head = [f"Attribute {k} = {v}" for k, v in order]
    doc = ""
    if lines and lines[0].startswith("Attribute VB_Description = "):
        raw = lines[0].split("=", 1)[1].strip()[1:-1]
        doc = raw.replace("\\r\\n", "\r\n")
    return Module(name, "class", "\r\n".join(head + lines), docstring=doc)


# ---- [MS-OVBA] 2.4.1 compression -------------------------------------------------------------
def compress(data: bytes) -> bytes:
    out = bytearray(b"\x01")
    for start in range(0, len(data), 4096):
        out += _compress_chunk(data[start:start + 4096])
    return bytes(out)


def _compress_chunk(chunk: bytes) -> bytes:
    body = bytearray()
    pos, n = 0, len(chunk)
    heads: dict[bytes, list[int]] = {}
    while pos < n:
        flag_at = len(body)
        body.append(0)
        flags = 0
        for bit in range(8):
            if pos >= n:
                break
            # Offset/length split of a copy token depends on how far into the chunk we are.
            bits = max((pos - 1).bit_length(), 4) if pos > 0 else 4
            max_len = (0xFFFF >> bits) + 3
            best_len, best_off = 0, 0
            if pos > 0 and pos + 3 <= n:
                # Newest 64 candidates only: bounded time on indentation-heavy sources.
                for cand in reversed(heads.get(chunk[pos:pos + 3], ())[-64:]):
                    length = 0
                    limit = min(max_len, n - pos)
                    while length < limit and chunk[cand + length] == chunk[pos + length]:
                        length += 1
                    if length > best_len:
                        best_len, best_off = length, pos - cand
                        if length == limit:
                            break
            if best_len >= 3:
                token = ((best_off - 1) << (16 - bits)) | (best_len - 3)
                body += struct.pack("<H", token)
                flags |= 1 << bit
                step = best_len
            else:
                body.append(chunk[pos])
                step = 1
            for p in range(pos, pos + step):
                if p + 3 <= n:
                    heads.setdefault(chunk[p:p + 3], []).append(p)
            pos += step
        body[flag_at] = flags
    if len(body) > 4096:
        # Raw chunk ([MS-OVBA] 2.4.1.3.10): exactly 4096 bytes, flag clear. A shorter
        # incompressible tail has no exact encoding; text sources never get there.
        if len(chunk) != 4096:
            raise ValueError("incompressible final chunk")
        return struct.pack("<H", 0x3000 | 0x0FFF) + chunk.ljust(4096, b"\0")
    return struct.pack("<H", 0xB000 | (len(body) + 2 - 3)) + bytes(body)


# ---- [MS-OVBA] 2.4.3 data encryption (CMG / DPB / GC in the PROJECT stream) -------------------
def encrypt(data: bytes, project_id: str, seed: int, ignored_bytes: bytes | None = None) -> str:
    """[MS-OVBA] 2.4.3.2; the ignored bytes are free (zeros unless given)."""
    proj_key = sum(project_id.encode("ascii")) & 0xFF
    version = 2
    out = bytearray([seed, seed ^ version, seed ^ proj_key])
    unenc1, enc1, enc2 = proj_key, seed ^ proj_key, seed ^ version
    ignored = (seed & 6) // 2
    payload = (ignored_bytes or bytes(ignored))[:ignored].ljust(ignored, b"\0") + struct.pack("<I", len(data)) + data
    for byte in payload:
        enc = ((enc2 + unenc1) & 0xFF) ^ byte
        out.append(enc)
        enc2, enc1, unenc1 = enc1, enc, byte
    return out.hex().upper()


def decrypt(text: str) -> bytes:
    """Inverse of encrypt(); used by the tests to check CMG/DPB/GC."""
    raw = bytes.fromhex(text)
    seed, ver_enc, key_enc = raw[0], raw[1], raw[2]
    if seed ^ ver_enc != 2:
        raise ValueError("bad version")
    proj_key = seed ^ key_enc
    unenc1, enc1, enc2 = proj_key, key_enc, ver_enc
    plain = bytearray()
    for enc in raw[3:]:
        byte = enc ^ ((enc2 + unenc1) & 0xFF)
        plain.append(byte)
        enc2, enc1, unenc1 = enc1, enc, byte
    ignored = (seed & 6) // 2
    length = struct.unpack_from("<I", plain, ignored)[0]
    return bytes(plain[ignored + 4:ignored + 4 + length])


# ---- streams -----------------------------------------------------------------------------------
def _rec(rid: int, data: bytes) -> bytes:
    return struct.pack("<HI", rid, len(data)) + data


def _mbcs(text: str) -> bytes:
    return text.encode("cp1252")


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-le")


def dir_stream(project_name: str, modules: list[Module], version: tuple[int, int]) -> bytes:
    d = bytearray()
    d += _rec(0x01, struct.pack("<I", SYSKIND_WIN64))
    d += _rec(0x02, struct.pack("<I", LCID))
    d += _rec(0x14, struct.pack("<I", LCID))
    d += _rec(0x03, struct.pack("<H", CODEPAGE))
    d += _rec(0x04, _mbcs(project_name))
    d += _rec(0x05, b"") + _rec(0x40, b"")  # docstring
    d += _rec(0x06, b"") + _rec(0x3D, b"")  # help file
    d += _rec(0x07, struct.pack("<I", 0))  # help context
    d += _rec(0x08, struct.pack("<I", 0))  # lib flags
    # PROJECTVERSION: Reserved (=4) stands where a size would be, then major (4) and minor (2).
    d += struct.pack("<HIIH", 0x09, 4, version[0], version[1])
    d += _rec(0x0C, b"") + _rec(0x3C, b"")  # conditional compilation constants
    for name, libid in REFERENCES:
        d += _rec(0x16, _mbcs(name)) + _rec(0x3E, _utf16(name))
        lib = _mbcs(libid)
        d += _rec(0x0D, struct.pack("<I", len(lib)) + lib + struct.pack("<IH", 0, 0))
    d += _rec(0x0F, struct.pack("<H", len(modules)))
    d += _rec(0x13, struct.pack("<H", 0xFFFF))  # PROJECTCOOKIE: "MUST be 0xFFFF on write"
    for m in modules:
        d += _rec(0x19, _mbcs(m.name)) + _rec(0x47, _utf16(m.name))
        d += _rec(0x1A, _mbcs(m.name)) + _rec(0x32, _utf16(m.name))
        d += _rec(0x1C, _mbcs(m.docstring)) + _rec(0x48, _utf16(m.docstring))
        d += _rec(0x31, struct.pack("<I", 0))  # MODULEOFFSET 0: no performance cache
        d += _rec(0x1E, struct.pack("<I", 0))
        d += _rec(0x2C, struct.pack("<H", 0xFFFF))  # MODULECOOKIE: "MUST be 0xFFFF on write"
        d += _rec(0x21 if m.kind == "standard" else 0x22, b"")
        d += _rec(0x2B, b"")
    d += _rec(0x10, b"")
    return bytes(d)


def project_stream(project_id: str, project_name: str, modules: list[Module], seed: int) -> bytes:
    lines = [f'ID="{project_id}"']
    for m in modules:
        if m.kind == "document":
            lines.append(f"Document={m.name}/&H00000000")
        elif m.kind == "class":
            lines.append(f"Class={m.name}")
        else:
            lines.append(f"Module={m.name}")
    lines += [
        f'Name="{project_name}"',
        'HelpContextID="0"',
        'VersionCompatible32="393222000"',
        # Not protected, no password, visible ([MS-OVBA] 2.3.1.15-17).
        'CMG="' + encrypt(struct.pack("<I", 0), project_id, seed) + '"',
        'DPB="' + encrypt(b"\x00", project_id, seed) + '"',
        'GC="' + encrypt(b"\xff", project_id, seed) + '"',
        "",
        "[Host Extender Info]",
        "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000",
        "",
        "[Workspace]",
    ]
    lines += [f"{m.name}=0, 0, 0, 0, C" for m in modules]
    return _mbcs("\r\n".join(lines) + "\r\n")


def projectwm_stream(modules: list[Module]) -> bytes:
    out = bytearray()
    for m in modules:
        out += _mbcs(m.name) + b"\0" + _utf16(m.name) + b"\0\0"
    return bytes(out + b"\0\0")


def build_vba_project(project_name: str, modules: list[Module]) -> bytes:
    """The vbaProject.bin bytes for the given modules (documents first, as Excel lists them)."""
    for m in modules:
        if any(ord(ch) > 127 for ch in m.source + m.name):
            raise ValueError(f"VBA module {m.name} must be ASCII (code page {CODEPAGE})")
    project_id = "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, "evaltool:" + project_name)).upper() + "}"
    seed = 0x5D  # any byte is allowed; fixed for reproducible builds
    streams = {
        "PROJECT": project_stream(project_id, project_name, modules, seed),
        "PROJECTwm": projectwm_stream(modules),
        # Reserved1 0x61CC, Version 0xFFFF (= version-independent, no cache), Reserved2/3.
        "VBA/_VBA_PROJECT": bytes([0xCC, 0x61, 0xFF, 0xFF, 0x00, 0x01, 0x00]),
        "VBA/dir": compress(dir_stream(project_name, modules, (1, 0))),
    }
    for m in modules:
        streams["VBA/" + m.name] = compress(_mbcs(m.source))
    return cfb.build(streams)
