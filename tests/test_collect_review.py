"""Issue 16 item 5: `evaltool collect … --review`, the bureau's 抽查 pack. A planted set of risky forms —
each risk built on a real .xlsx made by `evaltool new --from CASE` (and a real .docx report beside one)
— ranks above the clean ones, each with its reasons; the 抽查 and 复核意见 sheets open in openpyxl."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import docx
import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from evaltool.cli import main
from evaltool.collect import collect
from evaltool.core.rules import RuleError, load_rules

SAME_TEXT = "受疫情影响，部分采购项目延期至次年执行，已督促供应商加快进度。"

BASE = {
    "年度": 2023, "主管部门": "示例县财政局", "规则": "国家标准",
    "项目资金": {"年度资金总额": {"全年预算数": 100, "全年执行数": 98},
                 "本年财政拨款": {"全年预算数": 100, "全年执行数": 98},
                 "上年结转资金": {"全年预算数": 0, "全年执行数": 0},
                 "其他资金": {"全年预算数": 0, "全年执行数": 0}, "分值": 10},
    "年度总体目标": {"预期目标": "保障平台全年稳定运行。", "实际完成情况": "平台全年稳定运行。"},
    "报告素材": {"预算执行偏差原因": "结余资金按规定收回。"},
    "绩效指标": [
        {"一级指标": "产出指标", "二级指标": "数量指标", "三级指标": "信息公开数量", "年度指标值": "≥1000条",
         "实际完成值": "1100条", "分值": 20},
        {"一级指标": "产出指标", "二级指标": "质量指标", "三级指标": "内容准确率", "年度指标值": "≥90%",
         "实际完成值": "93%", "分值": 10},
        {"一级指标": "产出指标", "二级指标": "时效指标", "三级指标": "平均办理时长", "年度指标值": "≤10天",
         "实际完成值": "9天", "分值": 10},
        {"一级指标": "产出指标", "二级指标": "成本指标", "三级指标": "运维成本", "年度指标值": "≤35万元",
         "实际完成值": "34.5万元", "分值": 10},
        {"一级指标": "效益指标", "二级指标": "社会效益指标", "三级指标": "网络安全事故数", "年度指标值": "≤1起",
         "实际完成值": "0起", "分值": 15},
        {"一级指标": "效益指标", "二级指标": "可持续影响指标", "三级指标": "促进政务公开长效机制",
         "年度指标值": "持续推动", "实际完成值": "达成预期指标", "分值": 15},
        {"一级指标": "满意度指标", "二级指标": "服务对象满意度指标", "三级指标": "群众满意度", "年度指标值": "≥90%",
         "实际完成值": "95%", "分值": 10},
    ],
}


def form(name: str, unit: str, change=None) -> dict:
    data = copy.deepcopy(BASE)
    data["项目名称"], data["实施单位"] = name, unit
    if change:
        change(data)
    return data


def low_rate(d):  # 60%: 6 + 90 = 96 (优) with 执行率 below 80%
    for row in ("年度资金总额", "本年财政拨款"):
        d["项目资金"][row]["全年执行数"] = 60
    d["报告素材"]["预算执行偏差原因"] = "部分项目未完成招标。"


def all_top(d):  # three qualitative indicators, all 达成预期指标
    for i in (1, 2):
        d["绩效指标"][i].update({"年度指标值": "持续推动", "实际完成值": "达成预期指标"})


def far_above(d):  # 1600 against ≥1000: 60% over
    d["绩效指标"][0]["实际完成值"] = "1600条"


def typed_off(d):  # the clerk typed 18 where the rule gives 20
    d["绩效指标"][0]["得分"] = 18


def same_text(d):  # a 偏差原因 shared word for word with another unit's form
    d["绩效指标"][1].update({"实际完成值": "85%", "偏差原因分析及改进措施": SAME_TEXT})


RISKY = {  # folder -> (project, unit, change, expected risk code)
    "单位A": ("高分低执行率项目", "甲单位", low_rate, "I-RISK-HIGH-LOW"),
    "单位B": ("定性全满项目", "乙单位", all_top, "I-RISK-ALL-TOP"),
    "单位C": ("超额完成项目", "丙单位", far_above, "I-RISK-FAR-ABOVE"),
    "单位D": ("得分不符项目", "丁单位", typed_off, "I-RISK-TYPED"),
    "单位E": ("报告不符项目", "戊单位", None, "I-RISK-REPORT"),
    "单位F": ("雷同一项目", "己单位", same_text, "I-RISK-SAME-TEXT"),
    "单位G": ("雷同二项目", "庚单位", same_text, "I-RISK-SAME-TEXT"),
}
CLEAN = {"单位H": ("正常一项目", "辛单位"), "单位I": ("正常二项目", "壬单位"), "单位J": ("正常三项目", "癸单位")}


def new_workbook(data: dict, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    case = out.with_suffix(".yaml")
    case.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    result = CliRunner().invoke(main, ["new", "--from", str(case), "-o", str(out)])
    assert result.exit_code in (0, 1), result.output  # 1: the form has errors (new exits as check)
    case.unlink()  # only the workbook is submitted
    return out


def wrong_report(path: Path, name: str) -> None:
    """The unit's own report: its 执行数 and 执行率 disagree with the form's 98 / 98%."""
    document = docx.Document()
    document.add_paragraph(f"2023年度{name}绩效自评报告")
    document.add_paragraph("一、基本情况")
    document.add_paragraph("项目全年预算数 100 万元，全年执行数 90 万元，预算执行率 90%。")
    document.save(str(path))


@pytest.fixture(scope="module")
def inbox(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("inbox")
    for sub, (name, unit, change, _) in RISKY.items():
        new_workbook(form(name, unit, change), folder / sub / "自评表.xlsx")
    wrong_report(folder / "单位E" / "绩效自评报告.docx", RISKY["单位E"][0])
    for sub, (name, unit) in CLEAN.items():
        new_workbook(form(name, unit), folder / sub / "自评表.xlsx")
    # A clean unit's correct report beside its form: checked, nothing to report.
    document = docx.Document()
    document.add_paragraph("2023年度正常一项目绩效自评报告")
    document.add_paragraph("项目全年预算数 100 万元，全年执行数 98 万元，预算执行率 98%。")
    document.save(str(folder / "单位H" / "自评表-报告.docx"))
    return folder


def sheet(path: Path, title: str) -> list[dict]:
    wb = openpyxl.load_workbook(path)
    rows = list(wb[title].iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


@pytest.fixture(scope="module")
def pack(inbox, tmp_path_factory) -> tuple[Path, object]:
    out = tmp_path_factory.mktemp("out") / "汇总.xlsx"
    summary = collect([inbox], out, workers=1, review=True)
    return out, summary


def test_risky_forms_rank_above_clean_ones_each_with_its_reason(pack):
    out, summary = pack
    rows = sheet(out, "抽查")
    assert len(rows) == len(RISKY) + len(CLEAN) == summary.projects
    by_name = {r["项目"]: r for r in rows}
    for name, unit, _change, code in RISKY.values():
        row = by_name[name]
        assert row["风险分"] > 0 and code in row["风险理由"], (name, row["风险理由"])
        assert row["单位"] == unit
    for name, _unit in CLEAN.values():
        assert by_name[name]["风险分"] == 0 and by_name[name]["风险理由"] == "未发现风险", by_name[name]
    # Ranked: every risky project above every clean one, scores never rising down the sheet.
    scores = [r["风险分"] for r in rows]
    assert scores == sorted(scores, reverse=True) and [r["排序"] for r in rows] == list(range(1, len(rows) + 1))
    assert {r["项目"] for r in rows[:len(RISKY)]} == {v[0] for v in RISKY.values()}
    # The reasons say what was found, with the numbers.
    assert "执行率仅 60%" in by_name["高分低执行率项目"]["风险理由"] and "96.00" in by_name["高分低执行率项目"]["风险理由"]
    assert "3 个定性指标" in by_name["定性全满项目"]["风险理由"]
    assert "“信息公开数量”超出目标 60%" in by_name["超额完成项目"]["风险理由"]
    assert "绩效自评报告.docx" in by_name["报告不符项目"]["风险理由"]
    assert "庚单位《雷同二项目》" in by_name["雷同一项目"]["风险理由"]
    assert "己单位《雷同一项目》" in by_name["雷同二项目"]["风险理由"]
    # The weights are the national rule set's (抽查 → 风险权重).
    weights = load_rules("国家标准").review.weights
    assert by_name["报告不符项目"]["风险分"] == weights["报告与表不符"]
    assert by_name["高分低执行率项目"]["风险分"] == weights["高分低执行率"]
    # The suggested 结果应用 follows the grade.
    assert {r["等次"]: r["建议结果应用"] for r in rows}["优"] == "优先保障"
    assert summary.review["有风险的项目数"] == len(RISKY)


def test_review_opinion_sheet_is_ready_to_fill(pack):
    out, _ = pack
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:3] == ["汇总", "抽查", "复核意见"]
    ws = wb["复核意见"]
    header = [c.value for c in ws[1]]
    assert header == ["排序", "项目", "单位", "风险分", "风险理由", "复核结论", "复核意见", "复核人", "日期"]
    ranked = [r["项目"] for r in sheet(out, "抽查")]
    assert [r[1] for r in ws.iter_rows(min_row=2, values_only=True)] == ranked
    assert all(ws.cell(row=i, column=c).value is None for i in range(2, ws.max_row + 1) for c in (6, 7, 8, 9))
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert len(lists) == 1 and str(lists[0].sqref) == f"F2:F{ws.max_row}"
    assert "属实，维持自评结果" in lists[0].formula1 and "需补充材料" in lists[0].formula1
    assert any(dv.type == "date" and str(dv.sqref) == f"I2:I{ws.max_row}" for dv in ws.data_validations.dataValidation)
    assert ws["I2"].number_format == "yyyy-mm-dd"


def test_without_review_the_workbook_is_as_before(inbox, tmp_path):
    out = tmp_path / "汇总.xlsx"
    collect([inbox], out, workers=1)
    names = openpyxl.load_workbook(out, read_only=True).sheetnames
    assert "抽查" not in names and "复核意见" not in names


def test_weights_and_result_use_come_from_the_rule_set(inbox, tmp_path):
    rules = tmp_path / "本地.yaml"
    rules.write_text("编号: 本地\n继承: 国家标准\n抽查:\n  风险权重: {文字雷同: 0, 大幅超额: 50}\n"
                     "结果应用: {优: 全额保障}\n", "utf-8")
    res = CliRunner().invoke(main, ["collect", str(inbox), "-o", str(tmp_path / "汇总.xlsx"), "--review",
                                    "--rules", str(rules), "--json", "-j", "1"])
    assert res.exit_code in (0, 1), res.output
    data = json.loads(res.output)
    assert data["抽查"]["有风险的项目数"] == len(RISKY) - 2  # the two 雷同 forms have no other risk
    top = data["抽查"]["风险最高"][0]
    assert top["项目"] == "超额完成项目" and top["风险分"] == 50
    assert top["文件"].replace("\\", "/") == "单位C/自评表.xlsx" and top["工作表"] == "自评表"
    rows = sheet(tmp_path / "汇总.xlsx", "抽查")
    assert all("I-RISK-SAME-TEXT" not in r["风险理由"] for r in rows)
    assert {r["建议结果应用"] for r in rows if r["等次"] == "优"} == {"全额保障"}


def test_the_cli_prints_the_review_line(inbox, tmp_path):
    res = CliRunner().invoke(main, ["collect", str(inbox), "-o", str(tmp_path / "汇总.xlsx"), "--review", "-j", "1"])
    assert res.exit_code in (0, 1) and f"抽查：{len(RISKY)} 个项目发现风险" in res.output, res.output


@pytest.mark.parametrize("body, words", [
    ("抽查: 5\n", ["抽查", "键: 值"]),
    ("抽查:\n  风险权重: {雷同: 5}\n", ["不认识的键“雷同”", "文字雷同"]),
    ("抽查:\n  风险权重: {文字雷同: -5}\n", ["抽查 → 风险权重 → 文字雷同", "0 到 1000"]),
    ("抽查:\n  高分低执行率: {执行率低于: 80%}\n", ["执行率低于", "比例"]),
    ("抽查:\n  文字雷同: {最短字数: 0}\n", ["最短字数", "1 到 10000"]),
    ("结果应用: {很好: 保障}\n", ["结果应用", "“很好”不是本规则集的等次"]),
    ("结果应用: [优先保障]\n", ["结果应用", "按等次"]),
])
def test_bad_review_keys_are_refused_on_load(tmp_path, body, words):
    path = tmp_path / "坏.yaml"
    path.write_text("编号: 坏\n继承: 国家标准\n" + body, "utf-8")
    with pytest.raises(RuleError) as exc:
        load_rules(str(path))
    for w in words:
        assert w in str(exc.value), str(exc.value)


def test_same_text_within_one_unit_is_not_copying_and_short_texts_are_not_compared(tmp_path):
    folder = tmp_path / "收件箱"
    # One unit, two projects with the same 偏差原因; another unit writes only "无" (too short to compare).
    new_workbook(form("项目一", "甲单位", same_text), folder / "甲" / "项目一.xlsx")
    new_workbook(form("项目二", "甲单位", same_text), folder / "甲" / "项目二.xlsx")

    def short(d):
        d["绩效指标"][1].update({"实际完成值": "85%", "偏差原因分析及改进措施": "无"})

    new_workbook(form("项目三", "乙单位", short), folder / "乙" / "项目三.xlsx")
    new_workbook(form("项目四", "丙单位", short), folder / "丙" / "项目四.xlsx")
    out = tmp_path / "汇总.xlsx"
    collect([folder], out, workers=1, review=True)
    rows = sheet(out, "抽查")
    assert all("I-RISK-SAME-TEXT" not in r["风险理由"] for r in rows), rows


def test_a_broken_report_is_noted_and_costs_the_form_nothing(tmp_path):
    folder = tmp_path / "收件箱"
    new_workbook(form("正常项目", "甲单位"), folder / "甲" / "自评表.xlsx")
    (folder / "甲" / "自评报告.docx").write_bytes(b"not a zip at all")
    out = tmp_path / "汇总.xlsx"
    summary = collect([folder], out, workers=1, review=True)
    assert summary.unreadable == [] and summary.projects == 1
    row = sheet(out, "抽查")[0]
    assert row["风险分"] == 0 and "报告《自评报告.docx》未能核对" in row["风险理由"], row["风险理由"]
    assert "Traceback" not in row["风险理由"] and "Error" not in row["风险理由"]


def test_an_ungraded_form_is_listed_with_its_reason(tmp_path):
    folder = tmp_path / "收件箱"

    def no_budget(d):
        d["项目资金"]["年度资金总额"]["全年预算数"] = None

    new_workbook(form("缺预算项目", "甲单位", no_budget), folder / "甲" / "自评表.xlsx")
    new_workbook(form("正常项目", "乙单位"), folder / "乙" / "自评表.xlsx")
    out = tmp_path / "汇总.xlsx"
    collect([folder], out, workers=1, review=True)
    rows = {r["项目"]: r for r in sheet(out, "抽查")}
    ungraded = rows["缺预算项目"]
    assert ungraded["等次"] == "无法计分" and ungraded["总分"] is None and ungraded["建议结果应用"] is None
    assert "注：无法计分：" in ungraded["风险理由"] and "全年预算数" in ungraded["风险理由"]


def test_report_material_in_the_workbook_that_disagrees_is_a_risk_too(tmp_path):
    folder = tmp_path / "收件箱"

    def material(d):
        d["报告素材"]["主要内容及实施情况"] = "项目全年预算数 100 万元，全年执行数 90 万元。"

    new_workbook(form("素材不符项目", "甲单位", material), folder / "甲" / "自评表.xlsx")
    new_workbook(form("正常项目", "乙单位"), folder / "乙" / "自评表.xlsx")
    out = tmp_path / "汇总.xlsx"
    collect([folder], out, workers=1, review=True)
    rows = {r["项目"]: r for r in sheet(out, "抽查")}
    assert "I-RISK-REPORT" in rows["素材不符项目"]["风险理由"] and "报告素材" in rows["素材不符项目"]["风险理由"]
    import re

    where = re.search(r"如（(报告素材![A-Z]+\d+)）：主要内容及实施情况写道", rows["素材不符项目"]["风险理由"])
    assert where and "全年执行数 90 万元" in _cell_value(folder / "甲" / "自评表.xlsx", where.group(1))
    assert rows["正常项目"]["风险分"] == 0


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    folder = tmp_path / "收件箱"
    new_workbook(form("=1+1项目", "=甲单位", low_rate), folder / "甲" / "自评表.xlsx")
    out = tmp_path / "汇总.xlsx"
    collect([folder], out, workers=1, review=True)
    wb = openpyxl.load_workbook(out)
    for title, col in (("抽查", "E"), ("复核意见", "B")):
        cell = wb[title][f"{col}2"]
        assert cell.value == "=1+1项目" and cell.data_type == "s", (title, cell.value, cell.data_type)
    assert wb["抽查"]["K2"].alignment.wrap_text and "I-RISK-HIGH-LOW" in wb["抽查"]["K2"].value


def test_only_forms_with_a_total_are_reviewed(tmp_path):
    """SWEEP S7: a 目标表 and a 监控表 (no 总分/等次, FormKind.graded False) are summarised but never listed
    for 抽查/复核; a 部门整体 form (graded) is. Each blank form is the kind's own template."""
    folder = tmp_path / "收件箱"
    new_workbook(form("高分低执行率项目", "甲单位", low_rate), folder / "甲" / "自评表.xlsx")
    (folder / "乙").mkdir()
    for kind in ("绩效目标表", "运行监控表", "部门整体"):
        res = CliRunner().invoke(main, ["new", "--kind", kind, str(folder / "乙" / f"{kind}.xlsx")])
        assert res.exit_code == 0, res.output
    out = tmp_path / "汇总.xlsx"
    summary = collect([folder], out, workers=1, review=True)
    wb = openpyxl.load_workbook(out)
    listed = {r["文件"] for r in sheet(out, "汇总")} | {r["文件"] for r in sheet(out, "运行监控")}
    assert {"甲/自评表.xlsx", "乙/绩效目标表.xlsx", "乙/运行监控表.xlsx", "乙/部门整体.xlsx"} <= {
        f.replace("\\", "/") for f in listed}, listed
    reviewed = sheet(out, "抽查")
    assert sorted(r["文件"].replace("\\", "/") for r in reviewed) == ["乙/部门整体.xlsx", "甲/自评表.xlsx"], reviewed
    assert reviewed[0]["项目"] == "高分低执行率项目" and "I-RISK-HIGH-LOW" in reviewed[0]["风险理由"]
    assert {r["表格类型"] for r in reviewed} == {"项目支出绩效自评表", "部门整体支出绩效自评表"}
    opinion = [r for r in wb["复核意见"].iter_rows(min_row=2, values_only=True)]
    assert [r[1] for r in opinion] == [r["项目"] for r in reviewed]
    assert summary.review["有风险的项目数"] == 1


def _cell_value(book: Path, ref: str):
    sheet_name, cell = ref.split("!")
    return openpyxl.load_workbook(book)[sheet_name][cell].value


def test_each_reason_names_the_cell_to_open(pack, inbox):
    """The reasons name the cell a reviewer opens, and that cell holds what the reason is about."""
    import re

    out, _ = pack
    by_name = {r["项目"]: r for r in sheet(out, "抽查")}
    book = {v[0]: inbox / k / "自评表.xlsx" for k, v in RISKY.items()}

    far = re.search(r"“信息公开数量”超出目标 60%（(自评表![A-Z]+\d+)）", by_name["超额完成项目"]["风险理由"])
    assert far and _cell_value(book["超额完成项目"], far.group(1)) == "1600条", by_name["超额完成项目"]["风险理由"]

    rate = re.search(r"执行率仅 60%（全年执行数 (自评表![A-Z]+\d+)）", by_name["高分低执行率项目"]["风险理由"])
    assert rate and _cell_value(book["高分低执行率项目"], rate.group(1)) == 60

    typed = re.search(r"“信息公开数量”的得分（(自评表![A-Z]+\d+)）填报 18、按规则为 20", by_name["得分不符项目"]["风险理由"])
    assert typed and _cell_value(book["得分不符项目"], typed.group(1)) == 18, by_name["得分不符项目"]["风险理由"]

    tops = re.findall(r"“([^”]+)”（(自评表![A-Z]+\d+)）", by_name["定性全满项目"]["风险理由"])
    assert [t for t, _ in tops] == ["内容准确率", "平均办理时长", "促进政务公开长效机制"]
    assert all(_cell_value(book["定性全满项目"], ref) == "达成预期指标" for _, ref in tops)

    same = re.search(r"“内容准确率”的偏差原因分析及改进措施（(自评表![A-Z]+\d+)）", by_name["雷同一项目"]["风险理由"])
    assert same and _cell_value(book["雷同一项目"], same.group(1)) == SAME_TEXT

    # A quoted report sentence is given whole: its quote is closed, the figure it contradicts named.
    report = by_name["报告不符项目"]["风险理由"]
    assert "预算执行率 90%。”" in report and "98万元 不一致" in report, report


def test_review_conclusions_come_from_the_bureaus_rule_set(inbox, tmp_path):
    rules = tmp_path / "本地.yaml"
    rules.write_text("编号: 本地\n继承: 国家标准\n抽查:\n  复核结论: [无问题, 调整得分, 退回重评]\n", "utf-8")
    out = tmp_path / "汇总.xlsx"
    res = CliRunner().invoke(main, ["collect", str(inbox), "-o", str(out), "--review", "--rules", str(rules), "-j", "1"])
    assert res.exit_code in (0, 1), res.output
    ws = openpyxl.load_workbook(out)["复核意见"]
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert len(lists) == 1 and lists[0].formula1 == '"无问题,调整得分,退回重评"'
    assert "无问题、调整得分、退回重评" in lists[0].error
    assert load_rules("国家标准").review.conclusions == ("属实，维持自评结果", "部分属实，调整得分", "不属实，退回重新自评",
                                                      "需补充材料")


@pytest.mark.parametrize("body, words", [
    ("抽查:\n  复核结论: 属实\n", ["抽查 → 复核结论", "列表"]),
    ("抽查:\n  复核结论: [属实, \"部分属实,调整\"]\n", ["半角逗号", "全角逗号"]),
    ("抽查:\n  复核结论: [属实, 属实]\n", ["“属实”重复出现"]),
    ("抽查:\n  复核结论: [\"" + "很长的结论" * 60 + "\"]\n", ["255"]),
])
def test_bad_review_conclusions_are_refused_on_load(tmp_path, body, words):
    path = tmp_path / "坏.yaml"
    path.write_text("编号: 坏\n继承: 国家标准\n" + body, "utf-8")
    with pytest.raises(RuleError) as exc:
        load_rules(str(path))
    for w in words:
        assert w in str(exc.value), str(exc.value)


def test_a_rule_set_with_its_own_grades_loads_and_suggests_only_its_own_result_use(tmp_path):
    """国家标准's 结果应用 (优/良/中/差) is not inherited by a set whose grades are 优秀/良好/合格/不合格:
    it would have made the set fail to load ("“优”不是本规则集的等次")."""
    path = tmp_path / "本地.yaml"
    path.write_text("编号: 本地\n继承: 国家标准\n等次:\n  - {名称: 优秀, 不低于: 90}\n  - {名称: 良好, 不低于: 80}\n"
                    "  - {名称: 合格, 不低于: 60}\n  - {名称: 不合格, 不低于: 0}\n结果应用: {优秀: 优先保障}\n", "utf-8")
    rules = load_rules(str(path))
    assert [g for g, _ in rules.grades] == ["优秀", "良好", "合格", "不合格"] and rules.result_use == {"优秀": "优先保障"}
    path.write_text(path.read_text("utf-8").replace("结果应用: {优秀: 优先保障}\n", ""), "utf-8")
    assert load_rules(str(path)).result_use == {}
    # A set that keeps the national grades keeps their 结果应用 and can override one.
    path.write_text("编号: 本地\n继承: 国家标准\n结果应用: {中: 压减 20%}\n", "utf-8")
    assert load_rules(str(path)).result_use == {"优": "优先保障", "良": "保持", "中": "压减 20%", "差": "取消或大幅压减"}


def test_risks_add_up_once_each_and_ties_go_to_the_higher_total(tmp_path):
    """Ranking on a planted set: two risks (30 + 10) above one (30); two far-above indicators count
    the 大幅超额 weight once; among equal risk the higher 总分 first; clean forms last."""
    weights = load_rules("国家标准").review.weights

    def both(d):
        low_rate(d)
        far_above(d)
        d["绩效指标"][4].update({"年度指标值": "≤10起", "实际完成值": "2起"})  # a second one, 80% under

    def low_and_short(d):  # 60% 执行率 and one shortfall: 6 + 88 = 94, below 96 but still 优
        low_rate(d)
        d["绩效指标"][1].update({"实际完成值": "72%", "偏差原因分析及改进措施": "部分稿件返工。"})

    folder = tmp_path / "收件箱"
    new_workbook(form("两项风险", "甲单位", both), folder / "甲" / "自评表.xlsx")
    new_workbook(form("低执行率高分", "乙单位", low_rate), folder / "乙" / "自评表.xlsx")
    new_workbook(form("低执行率略低分", "丙单位", low_and_short), folder / "丙" / "自评表.xlsx")
    new_workbook(form("正常项目", "丁单位"), folder / "丁" / "自评表.xlsx")
    out = tmp_path / "汇总.xlsx"
    collect([folder], out, workers=1, review=True)
    rows = sheet(out, "抽查")
    assert [r["项目"] for r in rows] == ["两项风险", "低执行率高分", "低执行率略低分", "正常项目"], rows
    top = rows[0]
    assert top["风险分"] == weights["高分低执行率"] + weights["大幅超额"]
    assert "“信息公开数量”超出目标 60%" in top["风险理由"] and "“网络安全事故数”优于目标 80%" in top["风险理由"]
    assert rows[1]["风险分"] == rows[2]["风险分"] == weights["高分低执行率"] and rows[1]["总分"] > rows[2]["总分"]
    assert rows[3]["风险分"] == 0



def test_a_target_sheet_beside_the_form_does_not_stop_its_report_being_checked(tmp_path):
    """A workbook holding the 自评表 and its project's 绩效目标表 (copied in as a sheet) is one reviewed
    form: the report beside it, which does not repeat the project's name, is still checked."""
    folder = tmp_path / "收件箱" / "甲"
    book = new_workbook(form("目标表同册项目", "甲单位"), folder / "自评表.xlsx")
    blank = tmp_path / "目标表.xlsx"
    assert CliRunner().invoke(main, ["new", "--kind", "绩效目标表", str(blank)]).exit_code == 0
    src = openpyxl.load_workbook(blank).worksheets[0]
    wb = openpyxl.load_workbook(book)
    ws = wb.create_sheet(src.title)
    for row in src.iter_rows():
        for c in row:
            if c.value is not None and type(c).__name__ != "MergedCell":
                ws.cell(c.row, c.column, c.value)
    for merged in src.merged_cells.ranges:
        ws.merge_cells(str(merged))
    wb.save(book)
    document = docx.Document()
    document.add_paragraph("一、基本情况")
    document.add_paragraph("项目全年预算数 100 万元，全年执行数 90 万元，预算执行率 90%。")
    document.save(str(folder / "绩效自评报告.docx"))
    out = tmp_path / "汇总.xlsx"
    collect([tmp_path / "收件箱"], out, workers=1, review=True)
    rows = sheet(out, "抽查")
    assert [r["项目"] for r in rows] == ["目标表同册项目"], rows  # the 目标表 sheet is not reviewed
    assert "I-RISK-REPORT" in rows[0]["风险理由"] and "绩效自评报告.docx" in rows[0]["风险理由"], rows[0]["风险理由"]
