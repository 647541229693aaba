"""The pre-flight's byte scans (issue 14): a sheet the scans pass is one the full check would not
change, for every cell shape below, and the uncompressed copy given to python-calamine reads the
same values as the file itself."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from evaltool import cli
from evaltool.engines.calamine_engine import calamine_grids
from evaltool.workbook import container as C
from fuzz import gen

CASE = next((Path(__file__).parent / "cases").glob("seed000-*.yaml"))

# Cells as writers spell them, and cells the scans leave to the full check (it repairs most of them).
GOOD = ['<c r="E6" s="1" t="n"><v>35</v></c>', '<c r="E6" s="1"/>', '<c r="E6" t="n"></c>',
        '<c r="E6" s="2"><f>SUM(A1:A2)</f><v>-1.5E+3</v></c>', '<c r="E6" t="b"><v>1</v></c>',
        '<c r="E6" t="e"><f>1/0</f><v>#DIV/0!</v></c>', '<c r="E6" t="str"><f>A1</f><v>x</v></c>',
        '<c r="E6" s="0" t="inlineStr"><is><t>文字</t></is></c>',
        '<c r="E6"><f t="shared" ref="E6:E7" si="0">A1</f><v>2</v></c>', '<c r="E6"><f>1+1</f><v></v></c>']
UNUSUAL = ['<c r="E6" t="n"><v>NaN</v></c>', '<c r="E6" t="n"><v>INF</v></c>', '<c r="E6" s="999" t="n"><v>1</v></c>',
            '<c r="$E$6" t="n"><v>1</v></c>', '<c r="e6" t="n"><v>1</v></c>', '<c t="n"><v>1</v></c>',
            '<c r="E6" t="s"><v>0</v></c>', '<c r="E6" t="d"><v>x</v></c>', '<c r="E6" t="x"><v>1</v></c>',
            '<c r="E6" t="b"><v>yes</v></c>', '<c r="E6" s="abc" t="n"><v>1</v></c>', '<c r="IW6" t="n"><v>1</v></c>',
            '<c r="E6" s="01" t="n"><v>1</v></c>']


@pytest.fixture(scope="module")
def form(tmp_path_factory):
    book = tmp_path_factory.mktemp("fast") / "表.xlsx"
    assert CliRunner().invoke(cli.main, ["new", "--from", str(CASE), "-o", str(book)]).exit_code in (0, 1)  # 1: the form has errors (seed000)
    return book.read_bytes()


def _judged(data: bytes) -> tuple[bool, bool]:
    """(the scans passed the form sheet, the full check changed it)."""
    rd = C._Reader(data)
    rd.unpack()
    rd.workbook()
    n_xfs, n_strings = rd.styles(), rd.shared_strings()
    body = rd.parts[gen.SHEET]
    fast = C._fast_ok(body, n_xfs, n_strings, rd.max_rows, rd.max_cols)
    full = C._Reader(data, deep=True)
    full.unpack()
    full.workbook()
    full._sheet(gen.SHEET, full.styles(), full.shared_strings())
    return fast, full.changed


@pytest.mark.parametrize("xml", GOOD)
def test_cells_as_writers_write_them_pass_the_scans_unchanged(form, xml):
    fast, changed = _judged(gen.pack(gen.set_cell(gen.members(form), "E6", xml)))
    assert fast and (not changed or "<v></v>" in xml)  # (see below for the empty cached value)


@pytest.mark.parametrize("xml", UNUSUAL)
def test_cells_the_full_check_may_repair_never_pass_the_scans(form, xml):
    assert not _judged(gen.pack(gen.set_cell(gen.members(form), "E6", xml)))[0]


def test_whatever_passes_the_scans_the_full_check_leaves_unchanged(form):
    import random

    rng = random.Random(14)
    # (not the order of the cells within a row, nor a cell's row against its row's: readers place
    # such a cell by its reference, with or without the scans)
    refs = ['r="E6"', 'r="E6"', 'r="$E6"', 'r="E06"', 'r="e6"', "", 'r="IW6"', 'r=""']
    styles = ["", ' s="0"', ' s="3"', ' s="99999"', ' s=""', ' s="-1"']
    types = ["", ' t="n"', ' t="s"', ' t="b"', ' t="e"', ' t="str"', ' t="d"', ' t="inlineStr"', ' t=""']
    values = ["", "<v>1</v>", "<v>0</v>", "<v>2</v>", "<v>NaN</v>", "<v>1e999</v>", "<v>-0.5</v>", "<v>x</v>", "<v></v>",
              "<f>A1</f><v>3</v>", "<is><t>a</t></is>"]
    parts = gen.members(form)
    for _ in range(150):
        xml = f"<c {rng.choice(refs)}{rng.choice(styles)}{rng.choice(types)}>{rng.choice(values)}</c>".replace("<c >", "<c>")
        fast, changed = _judged(gen.pack(gen.set_cell(parts, "E6", xml)))
        # (an empty cached value of a number, as openpyxl writes after a formula, is left as it is:
        # the full check would drop it, with the same value read either way)
        assert not (fast and changed) or "<v></v>" in xml and ' t="s"' not in xml, xml


@pytest.mark.parametrize("rows", ['<row r="7"', '<row r="0"', '<row spans="1:2"', '<row r="9999999"'])
def test_rows_out_of_order_or_unnumbered_never_pass_the_scans(form, rows):
    parts = gen.members(form)
    parts[gen.SHEET] = parts[gen.SHEET].replace(b'<row r="8"', rows.encode(), 1)
    assert not _judged(gen.pack(parts))[0]


def test_style_and_string_indexes_are_compared_exactly_whatever_the_counts():
    for count in (1, 9, 10, 47, 100, 147, 999, 1000, 12345):
        for index in (0, count - 1, count, count + 1, 10 * count):
            body = b'<x t="s"><v>%d</v></x>' % index
            assert C._strings_ok(body, count) == (index < count), (count, index)


def test_the_stored_copy_reads_the_same_values_and_is_not_compressed(form):
    pkg = C.preflight(form, stored=True)
    assert pkg.stored is not None and not pkg.repaired
    with zipfile.ZipFile(io.BytesIO(pkg.stored)) as zf:
        assert zf.testzip() is None
        methods = {i.filename: i.compress_type for i in zf.infolist()}
    assert methods[gen.SHEET] == zipfile.ZIP_STORED and methods["xl/workbook.xml"] == zipfile.ZIP_STORED
    assert zipfile.ZIP_DEFLATED in methods.values()  # the parts not read are copied as they were
    a, b = calamine_grids(pkg.data), calamine_grids(pkg.stored)
    assert [(g.sheet, g.values, g.merged) for g in a] == [(g.sheet, g.values, g.merged) for g in b]
    assert C.preflight(form).stored is None  # only when asked for


def test_the_central_directory_read_in_one_pass_lists_what_zipfile_lists(form):
    """For the packages writers write, the pre-flight reads the member list itself (zipfile costs ~30
    µs a file in Python); anything else, damaged containers included, is left to zipfile."""
    import random

    plain = 0
    variants = gen.containers(form, random.Random(5), True) + [("form", form)]
    for name, data in variants:
        mine = C._plain_directory(data)
        if mine is None:
            continue
        plain += 1
        theirs = zipfile.ZipFile(io.BytesIO(data)).infolist()  # (never raises where the one pass did not)
        fields = ("filename", "flag_bits", "compress_type", "date_time", "CRC", "compress_size", "file_size",
                  "header_offset")
        assert [[getattr(i, f) for f in fields] for i in mine] == [[getattr(i, f) for f in fields] for i in theirs], name
    assert plain >= len(variants) // 2  # (most damage is inside members: the directory is intact)
    assert C._plain_directory(form + b"x") is None and C._plain_directory(b"junk" + form) is None
    commented = bytearray(form)
    commented[-2:] = b"\x03\x00"
    assert C._plain_directory(bytes(commented) + b"abc") is None  # an archive comment: zipfile reads it
