"""Parts met again (issue 14): the files of a consolidation are copies of one template, so the
pre-flight keeps a part whose compressed bytes it has met before, with what it judged of them, and
neither inflates nor judges it again. Every test compares the verdict with the one given with
nothing kept (every refusal, note, repair and the bytes handed to the readers): hostile files are
caught whatever was met before, and a file let through is one the full judgement lets through."""
from __future__ import annotations

import hashlib
import io
import random
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from evaltool import cli
from evaltool.workbook import container as C
from fuzz import gen

CASE = next((Path(__file__).parent / "cases").glob("seed000-*.yaml"))


@pytest.fixture(scope="module")
def form(tmp_path_factory) -> bytes:
    book = tmp_path_factory.mktemp("recurring") / "表.xlsx"
    assert CliRunner().invoke(cli.main, ["new", "--from", str(CASE), "-o", str(book)]).exit_code in (0, 1)  # 1: seed000 has an error
    return book.read_bytes()


def _digest(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:  # (a rebuilt package carries the time it was made)
        return hashlib.sha256(repr([(i.filename, zf.read(i)) for i in zf.infolist()]).encode()).hexdigest()


def verdict(data: bytes, deep: bool = False) -> tuple:
    try:
        pkg = C.preflight(data, deep=deep, stored=True)
    except C.Refused as exc:
        return ("refused", str(exc))
    return ("read", [(n.code, n.message, n.sheet, n.cell, n.part) for n in pkg.notes], pkg.repaired, pkg.macro,
            pkg.repairs, _digest(pkg.data) if pkg.repaired else hashlib.sha256(pkg.data).hexdigest(),
            pkg.stored and hashlib.sha256(pkg.stored).hexdigest())


def cold(data: bytes, deep: bool = False) -> tuple:
    C._PARTS.clear()
    C._SEEN.clear()
    return verdict(data, deep)


def warm(data: bytes, *before: bytes) -> tuple:
    """The verdict on `data` after the files `before` (each twice: then their parts are kept and
    judged) and `data` itself were met twice."""
    for other in (*before, data):
        verdict(other)
        verdict(other)
    return verdict(data)


def _variants(form: bytes) -> dict[str, bytes]:
    parts = gen.members(form)
    sheet = parts[gen.SHEET]
    merges = b"".join(b'<mergeCell ref="K%d:L%d"/>' % (r, r) for r in range(100, 1300))
    return {
        "entity bomb in the form sheet": gen.pack({**parts, gen.SHEET: gen.with_bomb(sheet)}),
        "entity bomb in the properties": gen.pack({**parts, "docProps/core.xml": gen.with_bomb(parts["docProps/core.xml"])}),
        "external entity in the styles": gen.pack({**parts, "xl/styles.xml": gen.with_bomb(parts["xl/styles.xml"], True)}),
        "entity bomb in the workbook": gen.pack({**parts, "xl/workbook.xml": gen.with_bomb(parts["xl/workbook.xml"])}),
        "NaN in a cell": gen.pack(gen.set_cell(parts, "E6", '<c r="E6" t="n"><v>NaN</v></c>')),
        "a style index past the list": gen.pack(gen.set_cell(parts, "E6", '<c r="E6" s="999" t="n"><v>35</v></c>')),
        "$E$6": gen.pack(gen.set_cell(parts, "E6", '<c r="$E$6" t="n"><v>35</v></c>')),
        "1,200 merges": gen.pack({**parts, gen.SHEET: sheet.replace(b"</mergeCells>", merges + b"</mergeCells>")}),
        "one merge of a million cells": gen.pack({**parts, gen.SHEET: sheet.replace(
            b"</mergeCells>", b'<mergeCell ref="A100:IV5000"/></mergeCells>')}),
        "rows past the limit": gen.pack({**parts, gen.SHEET: sheet.replace(b"</sheetData>", b"".join(
            b'<row r="%d"><c r="A%d" s="1"/></row>' % (r, r) for r in range(100, 5200)) + b"</sheetData>")}),
        "a sheet that is not XML": gen.pack({**parts, gen.SHEET: sheet[: len(sheet) // 2]}),
        "no styles": gen.pack({k: v for k, v in parts.items() if k != "xl/styles.xml"}),
        "a listed sheet missing": gen.pack({k: v for k, v in parts.items() if k != "xl/worksheets/sheet2.xml"}),
        "stored, not deflated": gen.pack(parts, zipfile.ZIP_STORED),
    }


def _lying_size(data: bytes, member: str, size: int) -> bytes:
    """The package with `member`'s uncompressed size given as `size` in both of its headers (a zip
    bomb's lie: the bytes inflate to more than declared)."""
    out = bytearray(data)
    name = member.encode()
    for sig, at_size, at_name, fixed in ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)):
        pos = out.find(sig)
        while pos >= 0:
            n = int.from_bytes(out[pos + at_name:pos + at_name + 2], "little")
            if out[pos + fixed:pos + fixed + n] == name:
                out[pos + at_size:pos + at_size + 4] = size.to_bytes(4, "little")
            pos = out.find(sig, pos + 4)
    return bytes(out)


def test_bombs_are_caught_whatever_was_met_before(form):
    """Zip bombs with lying sizes, and the small files that make readers build millions of objects
    (fuzz/gen.py bombs: rows, cells, merges, validations, 30,000 formats, 15,000 names, notes…)."""
    lying = _lying_size(form, gen.SHEET, 1000)
    expected = cold(lying)
    assert expected[0] == "refused" and "已损坏" in expected[1]
    assert warm(lying, form) == expected
    lying_docprops = _lying_size(form, "xl/styles.xml", 100)
    assert warm(lying_docprops, form) == cold(lying_docprops)
    for name, data in gen.bombs(form, full=False):
        expected = cold(data)
        assert warm(data, form) == expected and warm(data) == expected, name


def test_every_verdict_is_the_one_given_with_nothing_kept(form):
    variants = _variants(form)
    for name, data in variants.items():
        expected = cold(data)
        assert warm(data) == expected, name  # its own parts met before
        assert warm(data, form) == expected, name  # the template's parts met before
        others = [v for k, v in variants.items() if k != name]
        assert warm(data, *random.Random(name).sample(others, 4)) == expected, name
    assert cold(form)[:2] == ("read", []) and warm(form, *variants.values()) == cold(form)


def test_a_part_with_the_crc_and_sizes_of_one_met_before_but_other_bytes_is_judged_afresh(form):
    """The central directory's CRC and sizes are what a forger controls: only the same bytes count."""
    data = gen.pack(gen.members(form), zipfile.ZIP_STORED)  # stored: bytes can change, sizes stay
    good = b'<c r="E6" s="'
    at = data.find(good)
    assert at > 0
    forged = data[:at] + b'<c r="E7" s="' + data[at + len(good):]  # same length, CRC not updated
    expected = cold(forged)
    assert expected[0] == "refused" and "已损坏" in expected[1]  # the member fails its CRC check
    assert warm(forged, data) == expected


def _merged_cells(data: bytes) -> int:
    """Cells the merged ranges of the workbook's sheets cover (what they take from the budget)."""
    rd = C._Reader(data)
    rd.unpack()
    rd.workbook()
    budget = rd.merge_budget
    rd.sheets(rd.styles(), rd.shared_strings())
    return budget - rd.merge_budget


def test_merged_cells_are_taken_from_the_workbook_wide_budget_whatever_was_met_before(form, monkeypatch):
    parts = gen.members(form)
    merge = b'<mergeCell ref="K100:L599"/>'  # 1,000 cells

    def merged(body: bytes) -> bytes:
        return (body.replace(b"</mergeCells>", merge + b"</mergeCells>") if b"</mergeCells>" in body
                else body.replace(b"</sheetData>", b'</sheetData><mergeCells count="1">' + merge + b"</mergeCells>"))

    second = "xl/worksheets/sheet2.xml"
    alone = gen.pack({**parts, second: merged(parts[second])})  # the second sheet's merge fits
    both = gen.pack({**parts, gen.SHEET: merged(parts[gen.SHEET]), second: merged(parts[second])})
    monkeypatch.setenv("EVALTOOL_LIMIT_MERGED_CELLS", str(_merged_cells(form) + 1500))
    assert cold(alone)[:2] == ("read", [])
    expected = cold(both)  # after the first sheet's, the second sheet's merge does not fit
    assert any(n[0] == "W-READ-LIMIT" and "合并" in n[1] for n in expected[1])
    assert warm(both, alone) == expected and warm(both) == expected and warm(both, form) == expected
    monkeypatch.setenv("EVALTOOL_LIMIT_MERGED_CELLS", str(_merged_cells(form) + 2000))  # both fit
    assert warm(both, alone) == cold(both) and not cold(both)[1]


@pytest.mark.parametrize("limit, value", [("ROWS", "10"), ("COLUMNS", "3"), ("SHEETS", "2"), ("LIST_ENTRIES", "2"),
                                          ("STYLES", "5")])
def test_a_limit_changed_between_files_is_applied_to_parts_met_before(form, monkeypatch, limit, value):
    monkeypatch.setenv(f"EVALTOOL_LIMIT_{limit}", value)
    expected = cold(form)
    assert expected[0] == "read" and expected[1]  # the lower limit is hit, and said
    monkeypatch.delenv(f"EVALTOOL_LIMIT_{limit}")
    assert warm(form)[:2] == ("read", [])  # kept and judged under the usual limits
    monkeypatch.setenv(f"EVALTOOL_LIMIT_{limit}", value)
    assert verdict(form) == expected


def test_what_is_let_through_unread_in_full_the_full_judgement_lets_through_too(form, tmp_path):
    """Files the quick path accepts without a note are accepted without a note when every part is
    parsed and judged in full (preflight(deep=True))."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import gen_workbooks

    folder = gen_workbooks.generate(12, tmp_path / "wb", broken=False, jobs=1, quiet=True)
    files = sorted(folder.rglob("*.xlsx"))
    assert len(files) >= 10
    for p in [*files, *files]:  # (the second time: the parts are kept and judged)
        data = p.read_bytes()
        quick = verdict(data)
        assert quick[:3] == ("read", [], False), p
        assert cold(data, deep=True)[:3] == ("read", [], False), p


def test_what_is_kept_is_bounded_and_used(form):
    C._PARTS.clear()
    C._SEEN.clear()
    parts = gen.members(form)
    for i in range(3 * C._PARTS_MAX):  # every file with a sheet of its own
        verdict(gen.pack({**parts, "xl/worksheets/sheet3.xml": parts["xl/worksheets/sheet3.xml"]
                          .replace(b"</worksheet>", b" " * (i + 1) + b"</worksheet>", 1)}))
        assert len(C._PARTS) <= C._PARTS_MAX
    assert all(len(p.body) <= C._PART_BYTES_MAX for p in C._PARTS.values())
    for _ in range(3):
        rd = C._Reader(form)
        rd.unpack()
    assert gen.SHEET in rd.recurring and rd.parts[gen.SHEET] is rd.recurring[gen.SHEET].body
