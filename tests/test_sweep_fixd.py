"""SWEEP findings taken by helper fixd (S50, S69, S68, S45, S54/S64 [pre]): each test builds real
.xlsx files and runs what the clerk or the bureau runs."""
from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from evaltool.cli import main
from evaltool.core.results import result_dict
from evaltool.engines import Preflighted, engine
from evaltool.workbook import service
from evaltool.workbook.container import preflight

CASES = Path(__file__).parent / "cases"


def _form(tmp_path: Path, name: str = "form.xlsx", case: str = "seed002-电子政务各项专项经费.yaml") -> Path:
    path = tmp_path / name
    assert CliRunner().invoke(main, ["new", str(path), "--from", str(CASES / case)]).exit_code in (0, 1)
    return path


def _rewrite(src: Path, dst: Path, edit) -> Path:
    """dst = src with each part's bytes passed through edit(name, data)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = edit(info.filename, zin.read(info))
            if data is not None:
                zout.writestr(info, data)
    return dst


def _outcome(grids, name: str):
    plan = service.plan(grids, source=name)
    return [result_dict(p, r) for p, r in plan.results]


# ---- S50: cells without r= (and values inside merged ranges): one verdict in check and collect ----
def _strip_refs(name: str, data: bytes) -> bytes:
    """No r= on rows and cells, and no empty (format-only) cells: as some writers save a sheet.
    Placed by position, values then land inside merged ranges (A3:B3 holds the project name)."""
    if name.startswith("xl/worksheets/sheet"):
        data = re.sub(rb'<c [^>]*/>', b"", data)
        return re.sub(rb'<(c|row)( [^>]*?)? r="[A-Z]*[0-9]+"', rb"<\1\2", data)
    return data


def _value_inside_merge(tmp_path: Path) -> tuple[Path, str]:
    """A form whose first sheet holds a stray value inside a merged range (not its top-left cell)."""
    path = _form(tmp_path, "m.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    rng = next(r for r in ws.merged_cells.ranges if r.max_col > r.min_col or r.max_row > r.min_row)
    interior = (rng.min_row, rng.max_col) if rng.max_col > rng.min_col else (rng.max_row, rng.min_col)
    wb.save(path)
    # openpyxl will not write a value into a merged range's interior: put it in the XML directly
    col = openpyxl.utils.get_column_letter(interior[1])
    ref = f"{col}{interior[0]}".encode()

    def edit(name, data):
        if name != "xl/worksheets/sheet1.xml":
            return data
        cell = b'<c r="' + ref + b'" t="inlineStr"><is><t>stray</t></is></c>'
        data = re.sub(rb'<c r="' + ref + rb'"[^>]*/>', b"", data)
        data = re.sub(rb'<c r="' + ref + rb'"[^>]*>.*?</c>', b"", data)
        row = re.search(rb'<row [^>]*r="' + str(interior[0]).encode() + rb'"[^>]*>', data)
        assert row
        return data[:row.end()] + cell + data[row.end():]
    return _rewrite(path, tmp_path / "m2.xlsx", edit), ref.decode()


def test_cells_without_addresses_get_the_same_verdict_in_check_and_collect(tmp_path):
    src = _form(tmp_path)
    noref = _rewrite(src, tmp_path / "noref.xlsx", _strip_refs)
    data = noref.read_bytes()
    base = _outcome(engine("openpyxl").read(noref), noref.name)
    assert _outcome(engine("calamine").read(noref), noref.name) == base
    pre = Preflighted(preflight(data, ".xlsx", stored=True), data)
    assert _outcome(engine("calamine").read(pre), noref.name) == base


def test_a_value_inside_a_merged_range_is_read_alike_by_both_engines(tmp_path):
    path, ref = _value_inside_merge(tmp_path)
    a = engine("openpyxl").read(path)[0].values
    b = engine("calamine").read(path)[0].values
    assert "stray" not in [v for row in a for v in row]
    assert "stray" not in [v for row in b for v in row]
    assert _outcome(engine("calamine").read(path), path.name) == _outcome(engine("openpyxl").read(path), path.name)


# ---- S69: publish removes external cell hyperlinks and the document's working properties ----
def _unit_file(tmp_path: Path) -> Path:
    """A clean form as a unit's file carries it: links to the clerk's disk and the intranet on two
    cells, an internal link, and the properties a clerk's Office fills in."""
    from openpyxl.worksheet.hyperlink import Hyperlink

    folder = tmp_path / "in"
    folder.mkdir()
    path = _form(folder, "h.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    ws["K3"].value, ws["K3"].hyperlink = "合同", "file:///D:/内部资料/张三-合同.pdf"
    ws["K4"].value, ws["K4"].hyperlink = "共享", r"\\fileserver\财务\张三.xlsx"
    ws["K5"].value, ws["K5"].hyperlink = "OA", "https://intranet.local/oa/doc?id=123&token=abc"
    ws["K6"].value, ws["K6"].hyperlink = "政府网", "http://www.gov.cn/"
    ws["K7"].value = "表头"
    ws["K7"].hyperlink = Hyperlink(ref="K7", location=f"'{ws.title}'!A1")
    p = wb.properties
    p.title, p.subject, p.description, p.keywords = "内部草稿", "内部", "联系人王五13800000000", "内部"
    p.creator = p.lastModifiedBy = "张三"
    wb.save(path)
    return folder


def test_publish_removes_external_cell_hyperlinks_and_counts_them(tmp_path):
    folder = _unit_file(tmp_path)
    res = CliRunner().invoke(main, ["publish", str(folder), "-o", str(tmp_path / "out"), "--no-pdf"])
    assert res.exit_code == 0, res.output
    copy = tmp_path / "out" / "h-公开.xlsx"
    with zipfile.ZipFile(copy) as zf:
        parts = b"".join(zf.read(n) for n in zf.namelist())
    for target in ("D:/内部资料", "fileserver", "intranet.local", "www.gov.cn"):
        assert target.encode() not in parts, target
    ws = openpyxl.load_workbook(copy).worksheets[0]
    assert ws["K3"].value == "合同" and ws["K3"].hyperlink is None  # the clerk's text stays
    assert ws["K7"].hyperlink is not None and ws["K7"].hyperlink.location  # a link within the form stays
    assert "超链接 4 个" in res.output.replace("\n", "")


def test_publish_blanks_the_documents_working_properties_in_the_copy_and_its_pdf(tmp_path):
    import shutil
    import subprocess

    folder = _unit_file(tmp_path)
    pdf = shutil.which("soffice") is not None and shutil.which("pdfinfo") is not None
    args = ["publish", str(folder), "-o", str(tmp_path / "out")] + ([] if pdf else ["--no-pdf"])
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    props = openpyxl.load_workbook(tmp_path / "out" / "h-公开.xlsx").properties
    assert (props.subject, props.description, props.keywords) == (None, None, None)
    assert props.title == "电子政务各项专项经费"  # from the form, not the clerk's "内部草稿"
    with zipfile.ZipFile(tmp_path / "out" / "h-公开.xlsx") as zf:
        core = zf.read("docProps/core.xml").decode()
    assert "内部" not in core and "13800000000" not in core and "张三" not in core
    if pdf:
        info = subprocess.run(["pdfinfo", str(tmp_path / "out" / "h-公开.pdf")], capture_output=True,
                              text=True).stdout
        assert "内部" not in info and "13800000000" not in info
        assert "电子政务各项专项经费" in info


def test_the_draft_docx_is_not_authored_by_python_docx(tmp_path):
    import docx

    folder = _unit_file(tmp_path)
    res = CliRunner().invoke(main, ["publish", str(folder), "-o", str(tmp_path / "out"), "--no-pdf"])
    assert res.exit_code == 0, res.output
    props = docx.Document(str(tmp_path / "out" / "预算绩效情况说明（草稿）.docx")).core_properties
    assert "python-docx" not in (props.author, props.last_modified_by)
    department = openpyxl.load_workbook(folder / "h.xlsx").worksheets[0]
    assert props.author in {c.value for row in department.iter_rows() for c in row}  # the form's 主管部门


# ---- S68: a figure qualified as last year's or as a target is not this year's result ----
OTHER_QUANTITIES = {
    "主要内容及实施情况": "执行率目标为100%，计划于年底前全部完成。",
    "存在的问题及原因分析": "上年执行率为85%，去年同期执行率为60%，要求执行率达到90%以上。",
    "项目过程情况": "按照标准执行率应为95%。",
}


def _material_form(tmp_path: Path, texts: dict[str, str], name: str = "材料.xlsx") -> Path:
    import yaml

    case = yaml.safe_load((CASES / "seed002-电子政务各项专项经费.yaml").read_text(encoding="utf-8"))
    case.setdefault("报告素材", {}).update(texts)
    out = tmp_path / name
    out.parent.mkdir(parents=True, exist_ok=True)
    src = out.parent.parent / (out.stem + "-案例.yaml")  # beside the inbox, not in it
    src.write_text(yaml.safe_dump(case, allow_unicode=True), encoding="utf-8")
    assert CliRunner().invoke(main, ["new", str(out), "--from", str(src)]).exit_code in (0, 1)
    return out


def _report_numbers(path: Path) -> list[str]:
    res = CliRunner().invoke(main, ["check", str(path), "--json"])
    data = json.loads(res.output)
    return [f["说明"] for f in data["标记"] if f["代码"] == "E-REPORT-NUMBER"]


def test_last_years_and_target_rates_in_report_material_are_not_compared(tmp_path):
    path = _material_form(tmp_path, {**OTHER_QUANTITIES, "有关建议": "本年执行率为85%。"})
    said = _report_numbers(path)
    assert len(said) == 1 and "本年执行率为85%" in said[0], said  # this year's rate is still checked


def test_check_report_and_review_skip_other_quantities_too(tmp_path):
    import docx

    from evaltool.collect import collect

    folder = tmp_path / "收件箱"
    form = _material_form(folder, {}, "甲.xlsx")
    document = docx.Document()
    for text in OTHER_QUANTITIES.values():
        document.add_paragraph(text)
    document.save(str(tmp_path / "报告.docx"))
    res = CliRunner().invoke(main, ["check-report", str(tmp_path / "报告.docx"), str(form)])
    assert "E-REPORT-NUMBER" not in res.output, res.output
    document.add_paragraph("本年执行率为85%。")
    document.save(str(tmp_path / "报告.docx"))
    res = CliRunner().invoke(main, ["check-report", str(tmp_path / "报告.docx"), str(form)])
    assert res.output.count("E-REPORT-NUMBER") == 1 and "本年执行率为85%" in res.output

    _material_form(folder, OTHER_QUANTITIES, "乙.xlsx")
    out = tmp_path / "汇总.xlsx"
    collect([folder], out, workers=1, review=True)
    ws = openpyxl.load_workbook(out)["抽查"]
    head = [c.value for c in ws[1]]
    reasons = [dict(zip(head, [c.value for c in row])).get("风险理由") or "" for row in ws.iter_rows(min_row=2)]
    assert reasons and not any("I-RISK-REPORT" in r for r in reasons), reasons


# ---- S45: a plain project list or a copied 汇总 table is not a form ----
def _table(path: Path, header: list, rows: list, title: str | None = None, sheet: str = "项目清单") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    if title:
        ws.append([title])
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


LIST_HEADER = ["序号", "项目名称", "主管部门", "实施单位", "年初预算数", "全年预算数", "全年执行数", "执行率", "自评得分", "等次"]
SUMMARY_HEADER = ["主管部门", "单位", "项目", "年度", "预算数（万元）", "执行数（万元）", "执行率", "执行率得分", "产出指标",
                  "效益指标", "满意度指标", "总分", "等次", "无法计分原因", "错误数", "警告数", "规则", "文件", "工作表"]


def _tables(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    rows = [[i + 1, f"项目{i}", "某局", "某中心", 100, 100, 90, 0.9, 95, "优"] for i in range(5)]
    summary = [["某县交通运输局", "某县公路养护中心", "2026年农村道路养护项目", 2026, 600, None, None, None, None, None,
                None, None, "不计分", None, 0, 0, "国家标准（财预〔2020〕10号）", "交通局/目标表.xlsx", "绩效目标表"],
               ["某县人力资源和社会保障局", "某县职业技能培训中心", "职业技能培训项目", 2025, 200, 170, 0.85, 8.5, 49.2,
                27, 10, 94.7, "优", None, 0, 1, "国家标准（财预〔2020〕10号）", "培训.xlsx", "自评表"]]
    return [_table(folder / "清单.xlsx", LIST_HEADER, rows),
            _table(folder / "带标题的清单.xlsx", LIST_HEADER, rows, title="2025年度项目清单"),
            _table(folder / "复制的汇总.xlsx", SUMMARY_HEADER, summary, sheet="汇总")]


def test_a_project_list_or_a_copied_summary_is_not_a_form_in_check(tmp_path):
    for path in _tables(tmp_path):
        res = CliRunner().invoke(main, ["check", str(path)])
        assert res.exit_code == 2, (path.name, res.output)
        assert "是一张列表" in res.output.replace("\n", "") and "Traceback" not in res.output, res.output


def test_collect_lists_such_tables_as_unreadable_with_the_reason(tmp_path):
    folder = tmp_path / "收件箱"
    _tables(folder)
    _form(folder, "自评表.xlsx")
    out = tmp_path / "汇总.xlsx"
    res = CliRunner().invoke(main, ["collect", str(folder), "-o", str(out)])
    assert res.exit_code in (0, 1), res.output
    wb = openpyxl.load_workbook(out)
    projects = [r for r in wb["汇总"].iter_rows(min_row=2, values_only=True) if any(v is not None for v in r)]
    assert len(projects) == 1, projects  # only the form: no bogus row per table
    text = res.output.replace("\n", "")
    assert "3 个文件无法读取" in text and text.count("是一张列表") == 3, res.output


def test_a_list_sheet_beside_a_form_does_not_hide_the_form(tmp_path):
    path = _form(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb.create_sheet("项目清单")
    ws.append(LIST_HEADER)
    for i in range(3):
        ws.append([i + 1, f"项目{i}", "某局", "某中心", 100, 100, 90, 0.9, 95, "优"])
    wb.save(path)
    data = json.loads(CliRunner().invoke(main, ["check", str(path), "--json"]).output)
    assert data["项目名称"] == "电子政务各项专项经费" and data["工作表"] == "自评表"


# ---- S54/S64 [pre]: a missing shared-strings part; rows past the limit holding only formatting ----
def test_a_missing_shared_strings_part_is_named_in_check_and_collect(tmp_path):
    src = _form(tmp_path)
    folder = tmp_path / "收件箱"
    folder.mkdir()
    # Excel, WPS and LibreOffice keep a sheet's texts in xl/sharedStrings.xml, cells of type s pointing
    # into it (evaltool writes inline text): such cells, and the part gone
    counter = iter(range(10**6))

    def shared(name, data):
        if not name.startswith("xl/worksheets/sheet"):
            return data
        return re.sub(rb't="inlineStr"([^>]*)><is>.*?</is>', lambda m: b't="s"%s><v>%d</v>' % (m.group(1), next(counter)),
                      data)
    path = _rewrite(src, folder / "缺部件.xlsx", shared)
    res = CliRunner().invoke(main, ["check", str(path)])
    assert res.exit_code == 2
    said = res.output.replace("\n", "")
    assert "缺少必需的部件“共享文字”（xl/sharedStrings.xml）" in said and "不是项目支出绩效自评表" not in said, said
    res = CliRunner().invoke(main, ["collect", str(folder), "-o", str(tmp_path / "汇总.xlsx")])
    assert "缺少必需的部件“共享文字”" in res.output.replace("\n", ""), res.output


def _rows_past_the_limit(src: Path, dst: Path, value: bool) -> Path:
    """src with a merge over the whole of column K, and the empty formatted cells it leaves down to
    row 6000 (as openpyxl writes such a merge); with value, one value in the last row."""
    def edit(name, data):
        if name != "xl/worksheets/sheet1.xml":
            return data
        last = max(int(n) for n in re.findall(rb'<row [^>]*?r="(\d+)"', data))
        rows = b"".join(b'<row r="%d"><c r="K%d" s="1"/></row>' % (r, r) for r in range(last + 1, 6000))
        rows += b'<row r="6000"><c r="K6000"' + (b' t="inlineStr"><is><t>x</t></is></c>' if value else b' s="1"/>') + b"</row>"
        data = data.replace(b"</sheetData>", rows + b"</sheetData>")
        return re.sub(rb'(<mergeCells[^>]*>)', rb'\1<mergeCell ref="K1:K1048576"/>', data, count=1)
    return _rewrite(src, dst, edit)


def _read_limits(path: Path) -> list[str]:
    data = json.loads(CliRunner().invoke(main, ["check", str(path), "--json"]).output)
    return [f["说明"] for f in data["标记"] if f["代码"] == "W-READ-LIMIT"]


def test_a_whole_column_merge_gives_no_second_reading_limit_about_rows(tmp_path):
    src = _form(tmp_path)
    empty = _rows_past_the_limit(src, tmp_path / "格式.xlsx", value=False)
    assert not [m for m in _read_limits(empty) if "行没有读取" in m]
    filled = _rows_past_the_limit(src, tmp_path / "有值.xlsx", value=True)
    assert [m for m in _read_limits(filled) if "行没有读取" in m]  # a value past the limit is still said
