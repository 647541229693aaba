"""The built add-in: reproducible, readable by olevba and LibreOffice, shaped like Excel's own."""
from __future__ import annotations

import io
import random
import re
import shutil
import struct
import subprocess
import zipfile

import olefile
import pytest
from click.testing import CliRunner
from oletools.olevba import VBA_Parser, decompress_stream

from evaltool.addin import builder, cfb, vba
from evaltool.cli import main

XLWINGS = builder.XLWINGS_DIR


@pytest.fixture(scope="module")
def xlam_bytes() -> bytes:
    return builder.build_bytes()


@pytest.fixture(scope="module")
def vba_bin(xlam_bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(xlam_bytes)) as zf:
        return zf.read("xl/vbaProject.bin")


def expected_sources() -> dict[str, str]:
    """Module name -> source text the add-in must carry (CRLF, as the VBA editor stores it)."""
    out = {}
    for p in sorted(builder.MACROS.glob("*.bas")):
        text = vba.crlf(p.read_text("ascii"))
        out[text.split('"')[1]] = text
    xl = (XLWINGS / "xlwings_custom_addin.bas").read_text("latin-1")
    out["xlwings"] = vba.crlf(xl.replace('PROJECT_NAME As String = "myaddin"', 'PROJECT_NAME As String = "evaltool"'))
    return out


# ---- reproducibility ---------------------------------------------------------------------------
def test_committed_addin_matches_fresh_build(xlam_bytes):
    committed = builder.OUTPUT.read_bytes()
    assert committed == xlam_bytes, "workbook_templates/evaltool.xlam is stale: run `evaltool addin build`"
    assert builder.build_bytes() == xlam_bytes


def test_build_command_writes_the_same_file(tmp_path, xlam_bytes):
    out = tmp_path / "a.xlam"
    res = CliRunner().invoke(main, ["addin", "build", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert out.read_bytes() == xlam_bytes


# ---- olevba --------------------------------------------------------------------------------------
def test_olevba_extracts_every_module_with_identical_source(tmp_path, xlam_bytes):
    path = tmp_path / "evaltool.xlam"
    path.write_bytes(xlam_bytes)
    parser = VBA_Parser(str(path))
    try:
        assert parser.detect_vba_macros()
        got = {name.rsplit(".", 1)[0]: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()
    assert set(got) == {"ThisWorkbook", "Sheet1", "EvaltoolRibbon", "xlwings", "Dictionary"}
    for name, source in expected_sources().items():
        assert got[name] == source, name
    assert 'Attribute VB_Base = "0{00020819-0000-0000-C000-000000000046}"' in got["ThisWorkbook"]
    assert 'Attribute VB_Base = "0{00020820-0000-0000-C000-000000000046}"' in got["Sheet1"]


def test_class_module_import_matches_what_excel_stored():
    """Dictionary.cls -> stored form equals the copy Excel saved in quickstart_addin_ribbon.xlam,
    except the identifier case the VBA editor normalises (err/Err)."""
    with zipfile.ZipFile(XLWINGS / "quickstart_addin_ribbon.xlam") as zf:
        ole = olefile.OleFileIO(zf.read("xl/vbaProject.bin"))
    offsets = module_offsets(ole)
    raw = ole.openstream("VBA/Dictionary").read()[offsets["Dictionary"]:]
    excel = bytes(decompress_stream(bytearray(raw))).decode("latin-1")
    ours = builder.dictionary_module().source
    norm = lambda text: re.sub(r"\berr\.", "Err.", text)  # noqa: E731
    assert norm(ours) == norm(excel)


# ---- LibreOffice ---------------------------------------------------------------------------------
def test_libreoffice_opens_addin_and_lists_the_same_modules(tmp_path, xlam_bytes):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) is not installed")
    src = tmp_path / "evaltool.xlam"
    src.write_bytes(xlam_bytes)
    subprocess.run([soffice, "--headless", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                    "--infilter=Calc MS Excel 2007 VBA XML", "--convert-to", "ods", "--outdir",
                    str(tmp_path / "out"), str(src)], check=True, capture_output=True, timeout=180)
    with zipfile.ZipFile(tmp_path / "out" / "evaltool.ods") as zf:
        names = zf.namelist()
        lib = sorted(n.split("/")[-1][:-4] for n in names
                     if n.startswith("Basic/evaltool/") and not n.endswith("script-lb.xml"))
        types = {n: zf.read(f"Basic/evaltool/{n}.xml").decode() for n in lib}
    assert lib == sorted(["Dictionary", "EvaltoolRibbon", "Sheet1", "ThisWorkbook", "xlwings"])
    kinds = {n: t.split('script:moduleType="')[1].split('"')[0] for n, t in types.items()}
    assert kinds == {"Dictionary": "class", "EvaltoolRibbon": "normal", "Sheet1": "document",
                     "ThisWorkbook": "document", "xlwings": "normal"}
    assert "Sub OnScore(control As IRibbonControl)" in types["EvaltoolRibbon"]


# ---- structure against the projects Excel wrote --------------------------------------------------
RECORD_NAMES = {0x01, 0x02, 0x14, 0x03, 0x04, 0x05, 0x40, 0x06, 0x3D, 0x07, 0x08, 0x09, 0x0C, 0x3C,
                0x16, 0x3E, 0x0D, 0x0F, 0x13, 0x19, 0x47, 0x1A, 0x32, 0x1C, 0x48, 0x31, 0x1E, 0x2C,
                0x21, 0x22, 0x2B, 0x10, 0x4A, 0x33, 0x2F, 0x30, 0x0E, 0x25, 0x28}


def dir_records(ole) -> list[tuple[int, bytes]]:
    data = bytes(decompress_stream(bytearray(ole.openstream("VBA/dir").read())))
    out, i = [], 0
    while i < len(data):
        rid, size = struct.unpack_from("<HI", data, i)
        assert rid in RECORD_NAMES, hex(rid)
        i += 6
        if rid == 0x09:  # PROJECTVERSION: the "size" is Reserved (4), then 6 bytes
            size = 6
        out.append((rid, data[i:i + size]))
        i += size
    assert i == len(data)
    return out


def module_offsets(ole) -> dict[str, int]:
    out, name = {}, None
    for rid, body in dir_records(ole):
        if rid == 0x19:
            name = body.decode("latin-1")
        elif rid == 0x31:
            out[name] = struct.unpack("<I", body)[0]
    return out


def test_dir_stream_has_excels_record_sequence(vba_bin):
    ours = dir_records(olefile.OleFileIO(vba_bin))
    with zipfile.ZipFile(XLWINGS / "addin" / "xlwings.xlam") as zf:
        ref = dir_records(olefile.OleFileIO(zf.read("xl/vbaProject.bin")))

    def head(recs):  # project information + references, up to PROJECTMODULES
        ids = [r for r, _ in recs]
        return ids[:ids.index(0x0F)]

    def module_shape(recs):
        ids = [r for r, _ in recs]
        start = ids.index(0x19)
        end = ids.index(0x2B, start)
        return [r if r not in (0x21, 0x22) else "type" for r in ids[start:end + 1]]

    assert head(ours) == head(ref)
    assert module_shape(ours) == module_shape(ref)
    # Same references as the xlwings add-in Excel saved: stdole and Office, same libids.
    refs = lambda recs: [b for r, b in recs if r == 0x0D]  # noqa: E731
    assert refs(ours) == refs(ref)
    assert [r for r, _ in ours][-1] == 0x10


def test_project_is_version_independent(vba_bin):
    ole = olefile.OleFileIO(vba_bin)
    assert ole.openstream("VBA/_VBA_PROJECT").read() == b"\xcc\x61\xff\xff\x00\x01\x00"
    offsets = module_offsets(ole)
    assert offsets and set(offsets.values()) == {0}
    for name in offsets:  # each module stream is only its compressed source
        raw = ole.openstream(f"VBA/{name}").read()
        assert raw[0] == 1
        assert bytes(decompress_stream(bytearray(raw))).startswith(f'Attribute VB_Name = "{name}"'.encode())
    assert not any(e[-1].startswith("__SRP_") for e in ole.listdir())


def test_project_stream_and_protection_state(vba_bin):
    ole = olefile.OleFileIO(vba_bin)
    text = ole.openstream("PROJECT").read().decode("cp1252")
    lines = text.split("\r\n")
    assert lines[0].startswith('ID="{') and text.endswith("\r\n")
    assert "Document=ThisWorkbook/&H00000000" in lines and "Document=Sheet1/&H00000000" in lines
    assert {"Module=EvaltoolRibbon", "Module=xlwings", "Class=Dictionary", 'Name="evaltool"'} <= set(lines)
    fields = dict(ln.split("=", 1) for ln in lines if ln.split("=", 1)[0] in ("CMG", "DPB", "GC"))
    assert vba.decrypt(fields["CMG"].strip('"')) == b"\0\0\0\0"  # not protected
    assert vba.decrypt(fields["DPB"].strip('"')) == b"\0"  # no password
    assert vba.decrypt(fields["GC"].strip('"')) == b"\xff"  # visible
    wm = ole.openstream("PROJECTwm").read()
    assert wm.endswith(b"\0\0") and b"EvaltoolRibbon\0" + "EvaltoolRibbon".encode("utf-16-le") in wm


def test_encryption_matches_excel():
    """CMG/DPB/GC of quickstart_addin_ribbon.xlam, re-created from its ID, seed and the two
    ignored bytes Excel chose (9B FF); decrypt reads Excel's values back."""
    pid = "{318BEE36-5BE1-492A-826D-473DB19B0F30}"
    excel = {"5D5F8AADDAA8DEA8DEA8DEA8DE": b"\0\0\0\0", "5D5F8AADDAADDBADDBAD": b"\0",
             "5D5F8AADDAADDBADDB52": b"\xff"}
    for text, plain in excel.items():
        assert vba.decrypt(text) == plain
        assert vba.encrypt(plain, pid, 0x5D, ignored_bytes=b"\x9b\xff") == text
        assert vba.decrypt(vba.encrypt(plain, pid, 0x5D)) == plain


def test_compression_round_trips_through_oletools():
    rnd = random.Random(7)
    samples = [b"", b"a", b"abc", b"a" * 5000, bytes(rnd.getrandbits(8) for _ in range(8192)),
               (XLWINGS / "xlwings.bas").read_bytes()]
    samples += [(b"    If x Then\r\n        y = 1\r\n    End If\r\n" * 300)[:n] for n in (4095, 4096, 4097, 9000)]
    for data in samples:
        assert bytes(decompress_stream(bytearray(vba.compress(data)))) == data
    # text compresses well below half
    assert len(vba.compress((XLWINGS / "xlwings.bas").read_bytes())) < 0.5 * len((XLWINGS / "xlwings.bas").read_bytes())


def test_cfb_writer_reads_back_with_olefile():
    rnd = random.Random(3)
    streams = {"a": b"x" * 10, "S/big": bytes(rnd.getrandbits(8) for _ in range(70000)),
               "S/small": b"y" * 4095, "S/edge": b"z" * 4096, "T/U/deep": b"d", "empty": b""}
    ole = olefile.OleFileIO(cfb.build(streams))
    for path, data in streams.items():
        assert ole.openstream(path).read() == data, path
    assert len(cfb.build(streams)) % 512 == 0


def test_vba_sources_must_be_ascii():
    with pytest.raises(ValueError):
        vba.build_vba_project("x", [vba.Module("M", "standard", 'Attribute VB_Name = "M"\r\nMsgBox "校验"')])


def test_package_parts_for_an_addin(xlam_bytes):
    with zipfile.ZipFile(io.BytesIO(xlam_bytes)) as zf:
        names = zf.namelist()
        ct = zf.read("[Content_Types].xml").decode()
        rels = zf.read("_rels/.rels").decode()
        wb = zf.read("xl/workbook.xml").decode()
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
        assert all(i.date_time == builder.ZIP_DATE for i in zf.infolist())
    assert names[0] == "[Content_Types].xml"
    assert "application/vnd.ms-excel.addin.macroEnabled.main+xml" in ct
    assert "application/vnd.ms-office.vbaProject" in ct
    assert 'Type="http://schemas.microsoft.com/office/2007/relationships/ui/extensibility" ' \
           'Target="customUI/customUI14.xml"' in rels
    assert 'Type="http://schemas.microsoft.com/office/2006/relationships/ui/extensibility" ' \
           'Target="customUI/customUI.xml"' in rels
    # document modules are tied to the workbook and sheet by code name
    assert 'codeName="ThisWorkbook"' in wb and 'codeName="Sheet1"' in sheet
    assert f'<sheet name="{builder.CONF_SHEET}" sheetId="1" r:id="rId1"/>' in wb
    assert '<workbookView visibility="hidden"/>' in wb
