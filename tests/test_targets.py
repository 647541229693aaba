"""The 绩效目标表 (申报) kind on real .xlsx files: the template the code generates, hand-made layouts
read by label, the filing-time checks with their cells, and check / score / report / collect."""
from __future__ import annotations

import json
import os
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner

from evaltool.cli import main
from evaltool.core.kinds import kind_named
from evaltool.workbook import service, template

import targetsforms as F

KIND = "绩效目标表"


def run(*args, cwd: Path | None = None):
    old = os.getcwd()
    if cwd:
        os.chdir(cwd)
    try:
        return CliRunner().invoke(main, [str(a) for a in args])
    finally:
        os.chdir(old)


def check_json(path: Path) -> dict:
    res = run("check", path, "--json")
    assert res.exit_code in (0, 1), res.output
    return json.loads(res.stdout)


def codes(result: dict) -> list[tuple[str, str | None]]:
    return [(f["代码"], f["单元格"]) for f in result["标记"]]


CASE = """类型: 绩效目标表
项目名称: 基层干部培训项目
主管部门: 某县委组织部
实施单位: 某县干部学校
年度: 2025
项目资金: {年度资金总额: 120, 本年财政拨款: 100, 其他资金: 20}
年度总体目标: 全年举办培训班 10 期，培训基层干部 500 人次，提升基层治理能力。
绩效指标:
"""


def case_file(tmp_path: Path, rows=F.INDICATORS, **header) -> Path:
    lines = [CASE]
    for l1, l2, l3, d, v, u, w in rows:
        item = {"一级指标": l1, "二级指标": l2, "三级指标": l3, "指标性质": d, "指标值": v, "度量单位": u, "权重": w}
        lines.append("  - " + json.dumps({k: x for k, x in item.items() if x is not None}, ensure_ascii=False) + "\n")
    text = "".join(lines)
    for key, value in header.items():
        text = text.replace(f"{key}: ", f"{key}: {value} #", 1)
    path = tmp_path / "目标.yaml"
    path.write_text(text, "utf-8")
    return path


def filled(tmp_path: Path, rows=F.INDICATORS, name="目标.xlsx") -> Path:
    res = run("new", tmp_path / name, "--from", case_file(tmp_path, rows))
    assert res.exit_code in (0, 1), res.output  # 1: the form has errors (new exits as check)
    return tmp_path / name


# ---- the template ---------------------------------------------------------------------------------
def test_blank_template_has_the_published_blocks_and_reads_back_as_a_targets_form(tmp_path):
    res = run("new", "--kind", KIND, cwd=tmp_path)
    assert res.exit_code == 0, res.output
    path = tmp_path / "项目支出绩效目标表.xlsx"
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["绩效目标表", "设置", "说明"]
    texts = {str(c.value) for row in wb["绩效目标表"].iter_rows() for c in row if c.value is not None}
    for label in ("项目支出绩效目标表", "项目名称", "主管部门", "实施单位", "项目资金（万元）", "年度资金总额",
                  "其中：财政拨款", "其他资金", "年度总体目标", "一级指标", "二级指标", "三级指标", "指标性质",
                  "指标值", "度量单位", "权重（分值）"):
        assert label in texts, label
    (p,) = service.load(str(path))
    assert p.kind == KIND
    # the rule set's indicator system, one row per 二级, each flagged until it has an indicator
    assert [(i.level1, i.level2) for i in p.indicators][:2] == [("产出指标", "数量指标"), ("产出指标", "质量指标")]
    result = check_json(path)
    empty = [f for f in result["标记"] if f["代码"] == "E-TG-L2-EMPTY"]
    assert len(empty) == 9 and all(f["单元格"].startswith("C") for f in empty)


def test_filled_template_round_trips_every_value(tmp_path):
    path = filled(tmp_path)
    (p,) = service.load(str(path))
    assert (p.name, p.department, p.unit, p.year) == (F.NAME, F.DEPT, F.UNIT, 2025)
    assert {k: r.initial for k, r in p.funds.items()} == {"年度资金总额": 120, "本年财政拨款": 100, "其他资金": 20}
    got = [(i.level1, i.level2, i.level3, i.target, i.weight) for i in p.indicators]
    assert got[0] == ("产出指标", "数量指标", "培训人次", "≥500人次", 20)
    assert got[3] == ("产出指标", "时效指标", "完成时间", "2025年12月31日前", 5)
    assert got[6][3] == "达到预期目标" and len(got) == len(F.INDICATORS)
    result = check_json(path)
    assert result["错误数"] == 0 and result["警告数"] == 0, result["标记"]
    assert result["权重小计"] == {"产出指标": 50, "效益指标": 30, "满意度指标": 10}
    assert result["总分"] is None and result["等次"] is None


# ---- hand-made layouts ----------------------------------------------------------------------------
@pytest.mark.parametrize("fullwidth", [False, True])
def test_provincial_layout_with_two_row_header_and_funds_in_a_row_reads_by_label(tmp_path, fullwidth):
    path = F.province_split(tmp_path / "省.xlsx", fullwidth=fullwidth)
    (p,) = service.load(str(path))
    assert (p.kind, p.name, p.department, p.unit, p.year) == (KIND, F.NAME, F.DEPT, F.UNIT, 2025)
    assert {k: r.initial for k, r in p.funds.items()} == {"年度资金总额": 120, "本年财政拨款": 100, "其他资金": 20}
    assert str(p.funds["其他资金"].cells["金额"]) == "2025年绩效目标!G7"
    assert p.goal_expected == F.GOAL
    assert [i.level1 for i in p.indicators] == [x[0] for x in F.INDICATORS]  # merged 一级 read on every row
    assert [i.level2 for i in p.indicators] == [x[1] for x in F.INDICATORS]
    assert [i.weight for i in p.indicators] == [x[6] for x in F.INDICATORS]
    assert str(p.indicators[0].cells["指标值"]) == "2025年绩效目标!F12"
    result = check_json(path)
    assert result["错误数"] == 0, result["标记"]
    assert [x["指标值"] for x in result["指标"]][:3] == (
        ["≥５００人次", "≥２０００份", "≥９５%"] if fullwidth else ["≥500人次", "≥2000份", "≥95%"])
    assert [x["类别"] for x in result["指标"]][:3] == ["正向", "正向", "正向"]


def test_2015_layout_reads_the_annual_column_and_one_cell_labels(tmp_path):
    path = F.combined_target(tmp_path / "2015.xlsx")
    (p,) = service.load(str(path))
    assert (p.name, p.department, p.unit) == (F.NAME, F.DEPT, F.UNIT)
    assert {k: r.initial for k, r in p.funds.items()} == {"年度资金总额": 120, "本年财政拨款": 100, "其他资金": 20}
    assert p.goal_expected == F.GOAL  # the 年度目标, not the 中期目标
    assert [i.level1 for i in p.indicators] == [x[0] for x in F.INDICATORS]  # blank 一级 carried down
    assert p.indicators[2].target == "≥95%"
    result = check_json(path)
    assert result["错误数"] == 0, result["标记"]
    assert codes(result) == [("W-TG-HEADER", None)]  # no 年度 anywhere on this form


def test_an_inserted_row_inside_a_merged_level2_is_read_with_its_level2(tmp_path):
    path = filled(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb["绩效目标表"]
    ws.protection.sheet = False
    # the template merges B11:B15 (产出指标) and C11:C12 (数量指标, two indicators). Excel extends a
    # merge when a row is inserted inside it; openpyxl does not, so leave the file as Excel would.
    for rng in [r for r in ws.merged_cells.ranges if r.max_row >= 11]:
        ws.unmerge_cells(str(rng))
    ws.insert_rows(12)
    ws.merge_cells("A10:A19")
    ws.merge_cells("B11:B16")
    ws.merge_cells("C11:C13")
    ws.merge_cells("A20:I20")
    ws["D12"], ws["E12"], ws["F12"], ws["G12"], ws["H12"] = "新增培训班期数", "≥", 10, "期", 0
    wb.save(path)
    (p,) = service.load(str(path))
    added = p.indicators[1]
    assert (added.level1, added.level2, added.level3, added.target) == ("产出指标", "数量指标", "新增培训班期数", "≥10期")
    assert len(p.indicators) == len(F.INDICATORS) + 1


# ---- the checks, each on its cell -----------------------------------------------------------------
def test_vague_targets_and_missing_directions_are_flagged_on_their_cells(tmp_path):
    rows = list(F.INDICATORS)
    rows[0] = ("产出指标", "数量指标", "培训人次", None, "持续推动", None, 20)
    rows[2] = ("产出指标", "质量指标", "培训合格率", None, 95, "%", 10)  # no direction
    rows[5] = ("效益指标", "社会效益指标", "群众知晓率", "≥", "显著提升", None, 20)
    rows[6] = ("效益指标", "可持续影响指标", "长效机制建立", "定性", "有效提高", None, 10)
    rows[7] = ("满意度指标", "服务对象满意度指标", "参训人员满意度", "≤", "≥90", "%", 10)
    path = filled(tmp_path, rows)
    result = check_json(path)
    got = codes(result)
    # row 11 is the first indicator; F holds 指标值, E 指标性质
    assert ("E-TG-VAGUE", "F11") in got and ("E-TG-VAGUE", "F16") in got and ("E-TG-VAGUE", "F17") in got
    assert ("E-TG-DIRECTION", "E13") in got
    assert ("E-TG-DIRECTION-CONFLICT", "E18") in got
    messages = {f["单元格"]: f["说明"] for f in result["标记"]}
    assert "“持续推动”没有数值，属于指标未细化量化" in messages["F11"]
    assert "“显著提升”" in messages["F16"] and "“有效提高”" in messages["F17"]
    assert result["错误数"] == 5
    # score marks exactly those cells and keeps what the clerk typed
    before = [[c.value for c in row] for row in openpyxl.load_workbook(path)["绩效目标表"].iter_rows()]
    res = run("score", path)
    assert res.exit_code == 1, res.output
    wb = openpyxl.load_workbook(path)
    ws = wb["绩效目标表"]
    assert [[c.value for c in row] for row in ws.iter_rows()] == before
    assert ws["F11"].fill.fgColor.rgb.endswith("FFC7CE") and "指标未细化量化" in ws["F11"].comment.text
    assert ws["F12"].comment is None
    assert "校验结果" in wb.sheetnames


def test_fixing_a_target_clears_its_mark_on_the_next_run(tmp_path):
    rows = list(F.INDICATORS)
    rows[0] = ("产出指标", "数量指标", "培训人次", None, "持续推动", None, 20)
    path = filled(tmp_path, rows)
    assert run("score", path).exit_code == 1
    wb = openpyxl.load_workbook(path)
    ws = wb["绩效目标表"]
    ws["E11"], ws["F11"], ws["G11"] = "≥", 500, "人次"
    wb.save(path)
    assert run("score", path).exit_code == 0
    ws = openpyxl.load_workbook(path)["绩效目标表"]
    assert ws["F11"].comment is None and ws["F11"].fill.fill_type is None


def test_structure_weights_and_funds_checks(tmp_path):
    rows = [r for r in F.INDICATORS if r[0] != "满意度指标"]  # a required 一级 dropped
    rows[1] = rows[1][:6] + (15,)  # 产出 now 55
    rows.append(("效益指标", "生态效益指标", None, None, None, None, None))  # a 二级 with nothing under it
    path = tmp_path / "目标.xlsx"
    case = case_file(tmp_path, rows)
    case.write_text(case.read_text("utf-8").replace("其他资金: 20", "其他资金: 10"), "utf-8")
    assert run("new", path, "--from", case).exit_code in (0, 1)  # 1: the form has errors
    result = check_json(path)
    got = codes(result)
    msgs = {f["代码"]: f["说明"] for f in result["标记"]}
    assert ("E-TG-L1-MISSING", "D10") in got and "“满意度指标”" in msgs["E-TG-L1-MISSING"]
    assert ("E-TG-L2-EMPTY", "C18") in got and "“生态效益指标”" in msgs["E-TG-L2-EMPTY"]
    assert ("E-TG-WEIGHT-L1", "H11") in got and "权重合计为 55" in msgs["E-TG-WEIGHT-L1"]
    assert ("E-TG-WEIGHT-TOTAL", "H10") in got and "应为 90" in msgs["E-TG-WEIGHT-TOTAL"]
    assert ("E-TG-FUND-SUM", "F6") in got and "不等于 财政拨款 100 + 其他资金 10 = 110" in msgs["E-TG-FUND-SUM"]


def test_a_rule_set_changes_the_required_level1_and_the_weight_total(tmp_path):
    rules = tmp_path / "本地.yaml"
    rules.write_text("继承: 国家标准\n编号: 本地\n名称: 本地规则\n绩效目标表:\n  必备一级指标: [产出指标, 效益指标]\n"
                     "  权重合计: 80\n  未量化词: [逐年改善]\n", "utf-8")
    rows = [r for r in F.INDICATORS if r[0] != "满意度指标"]
    rows[0] = ("产出指标", "数量指标", "培训人次", None, "逐年改善", None, 20)
    path = filled(tmp_path, rows)
    res = run("check", path, "--rules", rules, "--json")
    result = json.loads(res.stdout)
    got = {c for c, _ in codes(result)}
    assert "E-TG-L1-MISSING" not in got and "E-TG-WEIGHT-TOTAL" not in got
    assert ("E-TG-VAGUE", "F11") in codes(result)
    bad = tmp_path / "坏.yaml"
    bad.write_text("继承: 国家标准\n编号: 坏\n名称: 坏\n绩效目标表:\n  必须有: [产出指标]\n", "utf-8")
    res = run("check", path, "--rules", bad)
    assert res.exit_code == 2 and "“绩效目标表 → 必须有”不是可设置的项" in res.output


# ---- the other commands ---------------------------------------------------------------------------
def test_report_and_collect_go_through_the_registry(tmp_path):
    rows = list(F.INDICATORS)
    rows[0] = ("产出指标", "数量指标", "培训人次", None, "持续推动", None, 20)
    path = filled(tmp_path, rows)
    out = tmp_path / "审核.docx"
    res = run("report", path, "-o", out)
    assert out.exists(), res.output
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "绩效目标审核意见" in text and "指标未细化量化的1个" in text and "基层干部培训项目" in text
    folder = tmp_path / "收件"
    folder.mkdir()
    path.rename(folder / "目标.xlsx")
    (folder / "自评.xlsx").write_bytes(template.template_bytes())
    res = run("collect", folder, "-o", tmp_path / "汇总.xlsx")
    assert (tmp_path / "汇总.xlsx").exists(), res.output
    ws = openpyxl.load_workbook(tmp_path / "汇总.xlsx")["汇总"]
    header = [c.value for c in ws[1]]
    rows_out = [dict(zip(header, [c.value for c in r])) for r in ws.iter_rows(min_row=2)]
    mine = [r for r in rows_out if r.get("项目") == F.NAME]
    assert len(mine) == 1 and mine[0]["等次"] == "不计分" and mine[0]["错误数"] == 1
    assert mine[0]["预算数（万元）"] == 120


def test_case_file_round_trip(tmp_path):
    path = filled(tmp_path)
    out = tmp_path / "导出.yaml"
    assert run("export", path, "-o", out).exit_code == 0
    again = tmp_path / "再生成.xlsx"
    assert run("new", again, "--from", out).exit_code == 0
    a, b = service.load(str(path))[0], service.load(str(again))[0]
    assert [(i.level1, i.level2, i.level3, i.target, i.weight) for i in a.indicators] == \
        [(i.level1, i.level2, i.level3, i.target, i.weight) for i in b.indicators]
    assert kind_named(KIND).title == "项目支出绩效目标表"


def test_committed_template_is_what_the_code_generates():
    from evaltool.workbook.template import TEMPLATE_PATH, deterministic_bytes

    committed = TEMPLATE_PATH.with_name("项目支出绩效目标表.xlsx")
    fresh = deterministic_bytes(kind_named(KIND).build_workbook(None, None))
    assert committed.read_bytes() == fresh, "stale: run `evaltool template --kind 绩效目标表`"


def test_excel_check_button_marks_a_targets_form(tmp_path, monkeypatch):
    """校验 in Excel (xlwings remote engine): the same findings as the CLI, marks on the same cells."""
    import xlwings as xw

    from evaltool.excel import entry
    from test_excel import book_from_file

    rows = list(F.INDICATORS)
    rows[0] = ("产出指标", "数量指标", "培训人次", None, "持续推动", None, 20)
    path = filled(tmp_path, rows)
    book, _ = book_from_file(path, monkeypatch)
    results = entry.press("check", xw.__version__, book=book)
    assert results, [a for a in book.json()["actions"] if a["func"] == "alert"]
    ((p, r),) = results
    assert p.kind == KIND and [(f.code, f.location.cell) for f in r.errors] == [("E-TG-VAGUE", "F11")]
    actions = book.json()["actions"]
    notes = [a["args"] for a in actions if a["func"] in ("addNote", "setNoteText")]
    assert any(args[0] == "$F$11" and "指标未细化量化" in args[1] for args in notes)


def test_an_untitled_sheet_of_targets_is_a_targets_form_not_a_broken_selfeval(tmp_path):
    path = F.province_split(tmp_path / "无标题.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws.title = "Sheet1"
    ws["A1"] = None  # no title anywhere
    wb.save(path)
    (p,) = service.load(str(path))
    assert p.kind == KIND and len(p.indicators) == len(F.INDICATORS)
    # a 自评表 whose 实际完成值 column lost its label is still read, and refused, as a 自评表
    from evaltool.core.caseio import load_case
    from test_excel import filled_file

    from conftest import case_files

    selfeval = filled_file(tmp_path, load_case(case_files("自评表")[0]))
    wb = openpyxl.load_workbook(selfeval)
    ws = wb["自评表"]
    for row in ws.iter_rows():
        for c in row:
            if c.value in ("实际完成值", "得分", "偏差原因分析及改进措施") and type(c).__name__ != "MergedCell":
                c.value = None
    wb.save(selfeval)
    (q,) = service.load(str(selfeval))
    assert q.kind == "自评表" and any(f.code == "E-UNREAD-COLUMN" for f in q.read_findings)


def test_a_rule_set_teaches_the_reader_a_local_spelling(tmp_path):
    path = F.province_split(tmp_path / "本地.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws["F11"] = "目标数值"  # this bureau's name for the 指标值 column
    wb.save(path)
    # unknown spelling: no 指标值 column, so no 目标表 (never a guess)
    assert [p.kind for p in service.load(str(path))] != [KIND]
    rules = tmp_path / "某市.yaml"
    rules.write_text("继承: 国家标准\n编号: 某市\n名称: 某市\n绩效目标表:\n  标签:\n    指标列:\n      指标值: [目标数值]\n", "utf-8")
    (p,) = service.load(str(path), str(rules))
    assert p.kind == KIND and p.indicators[0].target == "≥500人次"
    res = run("check", path, "--rules", rules, "--json")
    assert json.loads(res.stdout)["错误数"] == 0, res.output
    bad = tmp_path / "坏.yaml"
    bad.write_text("继承: 国家标准\n编号: 坏\n名称: 坏\n绩效目标表:\n  标签:\n    指标列:\n      目标数: [目标数值]\n", "utf-8")
    res = run("check", path, "--rules", bad)
    assert res.exit_code == 2 and "“绩效目标表 → 标签 → 指标列 → 目标数”不是标准名称" in res.output


def test_names_outside_the_system_missing_names_values_units_and_weights(tmp_path):
    rows = list(F.INDICATORS)
    rows[0] = ("产出指标", "数量指标", None, "≥", 500, "人次", 20)  # no name
    rows[1] = ("产出指标", "数量指标", "宣传资料发放", "≥", None, None, 10)  # no value
    rows[2] = ("产出指标", "质量指标", "培训合格率", "≥", 95, None, 10)  # no unit
    rows[4] = ("产出指标", "成本指标", "人均培训成本", "≤", 300, "元", None)  # no weight
    rows[5] = ("效益指标", "社会影响指标", "群众知晓率", "≥", 85, "%", 20)  # 二级 not under 效益指标
    rows.append(("管理指标", "制度指标", "制度健全性", "定性", "健全", None, 0))  # 一级 not in the system
    path = filled(tmp_path, rows)
    got = codes(check_json(path))
    assert ("E-TG-NAME-EMPTY", "D11") in got
    assert ("E-TG-TARGET-EMPTY", "F12") in got
    assert ("W-TG-UNIT", "G13") in got
    assert ("E-TG-WEIGHT-EMPTY", "H15") in got
    assert ("W-TG-L2-UNKNOWN", "C16") in got
    assert ("W-TG-L1-UNKNOWN", "B19") in got
    # an empty form: no indicator at all
    empty = filled(tmp_path, [], name="空.xlsx")
    assert ("E-TG-NO-INDICATORS", "D10") in codes(check_json(empty))


def test_the_filled_form_prints_on_a4_with_nothing_cut_off(tmp_path, soffice):
    """LibreOffice renders the filled 目标表: one page wide (the last column's header on the page with
    the title), every indicator and target in the text layer."""
    from pdfpages import flat, page_texts

    path = filled(tmp_path)
    (pdf,) = soffice([path], "pdf", tmp_path / "pdf")
    pages = [flat(t) for t in page_texts(pdf)]
    first = pages[0]
    assert flat("项目支出绩效目标表") in first and flat("指标解释") in first and flat("权重（分值）") in first
    text = "".join(pages)
    for l1, l2, l3, d, v, u, w in F.INDICATORS:
        assert flat(l3) in text, l3
    assert flat("全年举办培训班") in first
