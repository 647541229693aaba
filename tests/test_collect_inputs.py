"""evaltool collect: which files are taken, and what a clerk is told about files that are not workbooks."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from evaltool.collect import collect
from evaltool.collect.run import find_files
from evaltool.collect.worker import process_file
from evaltool.core.errors import InputError

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000


def test_folder_scan_takes_workbooks_recursively_and_skips_lock_files_and_reports(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    for name in ("a/一.xlsx", "a/b/二.XLSX", "三.xlsm", "旧.xls", "~$一.xlsx", ".~lock.一.xlsx#", "报告.docx",
                 "报告.pdf", ".hidden.xlsx"):
        (tmp_path / name).write_bytes(b"x")
    names = [name for _, name in find_files([tmp_path])]
    assert names == ["a/b/二.XLSX", "a/一.xlsx", "三.xlsm", "旧.xls"]
    # The same file named twice (folder and file) is taken once; an explicit file is always taken.
    (tmp_path / "说明.txt").write_bytes(b"x")
    both = find_files([tmp_path, tmp_path / "三.xlsm", tmp_path / "说明.txt"])
    assert [n for _, n in both] == names + ["说明.txt"]
    # The output is never an input.
    assert "三.xlsm" not in [n for _, n in find_files([tmp_path], exclude=[tmp_path / "三.xlsm"])]


def test_folder_scan_order_links_and_hidden_folders(tmp_path):
    root = tmp_path / "收件"
    for name in ("a/b.xlsx", "a-b/c.xlsx", "a/z/d.xlsx", ".git/e.xlsx", "B/f.xlsx", "g.xlsx"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(b"x")
    elsewhere = tmp_path / "别处"
    elsewhere.mkdir()
    (elsewhere / "外.xlsx").write_bytes(b"x")
    (root / "链接目录").symlink_to(elsewhere, target_is_directory=True)  # not entered, as os.walk
    (root / "链接.xlsx").symlink_to(elsewhere / "外.xlsx")  # a linked file is taken
    (root / "同一个.xlsx").symlink_to(root / "g.xlsx")  # ... but the same file only once
    names = [name for _, name in find_files([root])]
    # Sorted by path parts (folder by folder), as a sorted os.walk gives them.
    assert names == ["B/f.xlsx", "a/b.xlsx", "a/z/d.xlsx", "a-b/c.xlsx", "g.xlsx", "链接.xlsx"]
    assert all(p.exists() for p, _ in find_files([root]))


@pytest.mark.parametrize("name, data, words", [
    ("旧格式.xls", OLE, ["97-2003", "另存为"]),
    ("改名的旧表.xlsx", OLE, [".xls", "另存为"]),
    ("加密.xlsx", OLE[:600] + "EncryptedPackage".encode("utf-16-le") + OLE[600:], ["密码"]),
    ("扫描件.xlsx", b"%PDF-1.7\n...", ["PDF"]),
    ("网页.xlsx", b"<html><body>", ["网页"]),
    ("半截.xlsx", b"PK\x03\x04\x14\x00\x00\x00", ["损坏或不完整"]),
    ("空.xlsx", b"", ["空的"]),
])
def test_non_workbooks_are_explained_in_chinese(tmp_path, name, data, words):
    path = tmp_path / name
    path.write_bytes(data)
    out = process_file(str(path), name)
    assert out.rows == [] and out.problem, out
    for w in words:
        assert w in out.problem, out.problem
    assert "Traceback" not in out.problem and "Error" not in out.problem


def _zip(members: dict[str, bytes], **kw) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, **kw) as zf:
        zf.comment = b"a comment after the directory"
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize("kw", [{}, {"allowZip64": True}])
def test_preflight_reads_plain_and_zip64_packages(kw):
    """The pre-flight reads members straight from the archive where it can; ZIP64 goes through zipfile."""
    from evaltool.workbook.container import Refused, preflight

    data = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>", "xl/vbaProject.bin": b"\0" * 10}, **kw)
    # Not a readable workbook (no sheets), but judged as one: the reason names the workbook part.
    with pytest.raises(Refused, match="xl/"):
        preflight(data)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        with zf.open("xl/workbook.xml", "w", force_zip64=True) as fh:
            fh.write(b"<w/>")
    with pytest.raises(Refused) as exc:
        preflight(buf.getvalue())
    assert "Error" not in str(exc.value)


def test_workbook_that_unpacks_too_large_is_skipped(tmp_path, monkeypatch):
    data = _zip({"xl/workbook.xml": b"<w/>", "xl/worksheets/sheet1.xml": b"<row/>" * 400_000})
    monkeypatch.setenv("EVALTOOL_LIMIT_UNPACKED_MB", "2")  # a real bomb would be 400 MB
    (tmp_path / "炸弹.xlsx").write_bytes(data)
    out = process_file(str(tmp_path / "炸弹.xlsx"), "炸弹.xlsx")
    assert "解压后超过 2 MB" in out.problem and "EVALTOOL_LIMIT_UNPACKED_MB" in out.problem and out.rows == []


def test_missing_file_is_reported_not_raised(tmp_path):
    out = process_file(str(tmp_path / "不存在.xlsx"), "不存在.xlsx")
    assert "不存在" in out.problem


def test_unusable_requests_raise_input_error(tmp_path):
    (tmp_path / "x.xlsx").write_bytes(b"")
    with pytest.raises(InputError, match="找不到文件或文件夹"):
        collect([tmp_path / "nope"], tmp_path / "汇总.xlsx")
    with pytest.raises(InputError, match=r"\.xlsx"):
        collect([tmp_path], tmp_path / "汇总.csv")
    with pytest.raises(InputError, match="文件夹不存在"):
        collect([tmp_path], tmp_path / "no" / "汇总.xlsx")
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "报告.docx").write_bytes(b"x")
    with pytest.raises(InputError, match="没有找到要汇总的 Excel 工作簿"):
        collect([empty], tmp_path / "汇总.xlsx")


def test_a_folder_of_only_broken_files_still_gives_a_workbook_listing_them(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "坏.xlsx").write_bytes(b"PK\x03\x04broken")
    (folder / "旧.xls").write_bytes(OLE)
    summary = collect([folder], tmp_path / "汇总.xlsx", workers=1)
    assert summary.projects == 0 and [f for f, _ in summary.unreadable] == ["坏.xlsx", "旧.xls"]
    assert Path(summary.output).exists()


@pytest.mark.parametrize("breaks_at", [1, 4, 9])
def test_a_pool_that_breaks_loses_no_file(tmp_path, breaks_at):
    """Workers that die (memory pressure, a host that kills them): the rest is read in this
    process, every file once and in order, whether submit() or result() reports the break."""
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    from evaltool.collect.run import iter_outcomes

    class Breaking:
        def __init__(self):
            self.calls = 0

        def submit(self, fn, *args):
            self.calls += 1
            if self.calls > breaks_at + 2:
                raise BrokenProcessPool("gone")
            fut = Future()
            if self.calls > breaks_at:
                fut.set_exception(BrokenProcessPool("died"))
            else:
                fut.set_result(fn(*args))
            return fut

    items = []
    for i in range(40):
        (tmp_path / f"{i:02d}.xlsx").write_bytes(b"")  # unreadable, quick: an outcome each all the same
        items.append((tmp_path / f"{i:02d}.xlsx", f"{i:02d}.xlsx"))
    got = [o.file for o in iter_outcomes(items, workers=2, chunk=3, pool=Breaking())]
    assert got == [name for _, name in items]

