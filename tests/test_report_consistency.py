"""Report ↔ table consistency: the contradictions of DOMAIN.md §5 are flagged, consistent text is not.

Sentences are quoted from the seed reports (shared/seeds), next to the matching case in tests/cases.
"""
from __future__ import annotations

from decimal import Decimal

import docx
import pytest
import yaml
from click.testing import CliRunner

from evaltool.cli import evaluate_all, load_projects, main
from evaltool.core.caseio import case_from_dict
from evaltool.core.model import Location
from evaltool.report.consistency import check_project_texts, check_texts, find_mentions, similarity
from tests.conftest import CASES_DIR


def scored(name: str):
    (p, r), = evaluate_all(load_projects(str(next(CASES_DIR.glob(f"{name}*.yaml")))))
    return p, r


def scored_dict(data: dict):
    (p, r), = evaluate_all([case_from_dict(data, "测试案例")])
    return p, r


def codes(findings):
    return sorted(f.code for f in findings)


# ---- seed 003: 919.94 vs 919.47 万元; 14 vs 20 政务公开专区; 9 vs 11 tasks --------------------------------
SEED003 = {
    "综合评价": "信息化项目建设项目绩效自评概述：根据年初设定的绩效目标，项目自评得分 99.98 分，全年预算数 921.47 万元，"
            "执行数 919.94 万元，完成预算的 99.83%。项目绩效目标完成情况：2023 年全年，全年信息化建设 9 个任务。"
            "项目运维保障 365 天，维护新媒体 2 个，政务公开网站站点区乡覆盖率 100%，政务公开专区建设 14 个，专栏建设 20 个。",
    "预算执行率": "信息化项目建设项目总支出 919.47 万元。预算执行率为 99.83%。主要原因是压缩成本，控制项目预算支出。",
    "产出数量": "2023年，信息化建设11个任务。项目运维保障365天，维护新媒体2个，政务公开网站站点区乡覆盖率100%，"
            "政务公开专区建设20个，专栏建设20个。",
}


def test_seed003_contradictions_are_each_flagged_with_sentence_and_cell():
    p, r = scored("seed003")
    findings = check_texts(p, r, SEED003)
    assert codes(findings) == ["E-REPORT-NUMBER"] * 3
    spend, = [f for f in findings if "919.47" in f.message]
    assert "信息化项目建设项目总支出 919.47 万元。" in spend.message
    assert "全年执行数" in spend.message and "919.94万元" in spend.message
    assert "项目资金.年度资金总额.全年执行数" in spend.message
    assert spend.field == "预算执行率" and spend.location.path == "预算执行率"
    zones, = [f for f in findings if "政务公开专区建设20个" in f.message]
    assert "政务公开专区建设数量" in zones.message and "14个" in zones.message and "绩效指标[2].实际完成值" in zones.message
    tasks, = [f for f in findings if "11个" in f.message]
    assert "2023年，信息化建设11个任务。" in tasks.message and "9个" in tasks.message


def test_seed003_the_consistent_sentences_alone_raise_nothing():
    p, r = scored("seed003")
    assert check_texts(p, r, {"综合评价": SEED003["综合评价"]}) == []


def test_seed003_project_spending_headline_and_parts_are_not_confused():
    p, r = scored("seed003")
    texts = {"概况": "1. 信息化项目建设项目支出 921.47 万元。(4) 资金投入：支出 919.94 万元。(5) 使用情况：信息化项目建设项目"
                   "采购支出 406.47 万元，信息化项目建设项目一般总预算 513.47 万元。信息化项目建设项目预算金额为 921.47 万元，"
                   "实际到位金额 921.47 万元，资金到位率 100%，项目预算数全额拨付。"}
    assert check_texts(p, r, texts) == []
    assert codes(check_texts(p, r, {"概况": "(4) 资金投入：支出 919.47 万元。"})) == ["E-REPORT-NUMBER"]


# ---- seed 002: 14 vs 15 新闻发布会 -------------------------------------------------------------------------
SEED002 = {
    "项目产出情况": "2022 年县政府办党组会议研究电子政务工作议题 6 个，强化政务公开、政府信息公开，举办在线访谈 4 期、"
              "新闻发布会 14 场，刊发《政府公报》3 期，“12345”便民热线办理留言 2.5 万余条、回复率 100%。",
    "项目效益情况": "设置“12345 网络渠道”栏目，及时办理网友留言 25800 余条。全年开展在线访谈 4 期，新闻发布会 15 期。"
              "全年召开新闻发布会 15 期、开展民意征集 15 次；围绕“霍邱县教育项目建设”等社会关切举办在线访谈 4 期。",
}


def test_seed002_news_conferences_stated_twice_with_different_values():
    p, r = scored("seed002-电子政务")
    findings = check_texts(p, r, SEED002)
    assert codes(findings) == ["W-REPORT-RESTATED"]
    message = findings[0].message
    assert "新闻发布会" in message and "14 场" in message and "15 期" in message
    assert "项目产出情况" in message and "项目效益情况" in message
    # Agreeing figures (在线访谈 4 期 three times, 2.5 万余条 ≈ 25800 余条) are left alone.
    assert message.count("（14 场、15 期、15 期）") == 1


def test_seed002_in_the_report_material_sheet_is_flagged_by_check_project_texts():
    p, r = scored("seed002-电子政务")
    p.report = {"主要内容及实施情况": SEED002["项目产出情况"], "主要经验及做法": SEED002["项目效益情况"]}
    p.cells["报告素材.主要经验及做法"] = Location(sheet="报告素材", cell="B6")
    findings = check_project_texts(p, r)
    assert codes(findings) == ["W-REPORT-RESTATED"]
    assert str(findings[0].location) in ("报告素材!B6", "报告素材.主要内容及实施情况")


def test_a_table_value_resolves_a_restatement_when_the_form_has_the_indicator():
    data = yaml.safe_load(next(CASES_DIR.glob("seed002-电子政务*.yaml")).read_text("utf-8"))
    data["绩效指标"].insert(1, {"一级指标": "产出指标", "二级指标": "数量指标", "三级指标": "新闻发布会场次",
                            "年度指标值": "≥12场", "实际完成值": "15场", "分值": 0})
    p, r = scored_dict(data)
    findings = check_texts(p, r, SEED002)
    bad = [f for f in findings if f.code == "E-REPORT-NUMBER"]
    assert len(bad) == 1 and "14 场" in bad[0].message and "新闻发布会场次" in bad[0].message


# ---- seed 001: 44.83% where 87.44 / 195.01 = 44.84% -------------------------------------------------------
SEED001 = "2020年省商务厅信息系统运行维护预算投资195.01万元，实际支出87.44万元，占44.83%。主要支出包括：系统运维、网络安全保障及其他运维费用等。"


def test_seed001_percentage_arithmetic_on_the_scoring_table():
    p, r = scored("seed001")
    findings = check_texts(p, r, {"项目资金使用情况分析": SEED001})
    assert codes(findings) == ["E-REPORT-ARITH"]
    assert "87.44 ÷ 195.01 = 44.84%" in findings[0].message and "请改为 44.84%" in findings[0].message
    assert check_texts(p, r, {"项目资金使用情况分析": SEED001.replace("44.83%", "44.84%")}) == []


def _self_form_with_seed001_figures():
    data = yaml.safe_load(next(CASES_DIR.glob("seed003*.yaml")).read_text("utf-8"))
    data["项目名称"] = "2020年度信息系统运维项目"
    data["项目资金"]["年度资金总额"] = {"全年预算数": 195.01, "全年执行数": 87.44}
    data["项目资金"]["本年财政拨款"] = {"全年预算数": 195.01, "全年执行数": 87.44}
    data["绩效指标"][4]["年度指标值"] = "≤195.01万元"
    data["绩效指标"][4]["实际完成值"] = "87.44万元"
    return scored_dict(data)


def test_seed001_arithmetic_with_a_self_evaluation_form_of_the_same_figures():
    p, r = _self_form_with_seed001_figures()
    assert r.rate_display == Decimal("0.4484")
    findings = check_texts(p, r, {"资金使用": SEED001})
    assert codes(findings) == ["E-REPORT-ARITH"]
    assert "与自评表的执行率" in findings[0].message and "44.84%" in findings[0].message
    # Stated without the two amounts, the rate is compared with the table directly.
    findings = check_texts(p, r, {"资金使用": "项目预算执行率为44.83%。"})
    assert codes(findings) == ["E-REPORT-NUMBER"] and "44.84%" in findings[0].message
    assert check_texts(p, r, {"资金使用": "项目全年预算数195.01万元，全年执行数87.44万元，预算执行率44.84%。"}) == []


# ---- consistent real reports raise nothing ----------------------------------------------------------------
SEED004 = """资金到位情况：宜春市大数据发展管理局电子政务外网及智慧办公平台运维专项经费全年预算金额219.91万元，实际到位资金219.91万元。资金到位率=（实际到位资金÷全年项目资金）×100%=（219.91÷219.91）×100%=100%
该项目全年预算执行数为219.91万元，具体支出明细见表1，预算执行率=（实际支出金额÷实际到位金额）×100%=（219.91÷219.91）×100%=100%。
二是政务网乡乡通，主要工作包含：全市所辖210个乡镇人民政府及街道通过租用市级运营商的100M专线链路接入市党政信息网。
三是网络与信息安全监测费，主要工作包含：每年会出12次检测报告和2次风险评估报告。
四是市视频会议系统维护经费：全年共保障视频会议386次，其中国家级18次，省级216次，市级152次，参会总人数达2.16万人次。
（1）项目资金：占权重分10分。用于考核项目预算执行率等方面。
（2）项目产出：占权重60分，分为产出数量、产出质量、产出时效、产出成本四个方面。
（3）项目效益：占权重25分，分为经济效益、社会效益、生态效益、可持续影响等方面。
（4）项目满意度：占权重5分，主要考察项目实施后群众对项目实施产生效果的满意度。
该项目绩效评价总分值为100分，本次绩效评价结果分为四档：
综合得分在90-100分（含90分）为优；
综合得分在80-90分（含80分）为良；
综合得分在60-80分（含60分）为中；
综合得分在60分以下为差。
项目最终评分得分为100分，自评价等级为“优”。
项目资金预算执行率=（实际支出金额÷实际到位金额）×100%=(219.91/219.91)*100%=100%。得10分。
市委、市政府、人大、政协网络当天恢复，机房24小时值班、10分钟现场服务。
通过对联网单位进行满意度调查，用户满意度达到98%以上。"""


def test_seed004_report_text_is_consistent_with_its_form():
    p, r = scored("seed004")
    assert check_texts(p, r, {"报告": SEED004}) == []


def test_seed004_wrong_figures_are_caught():
    p, r = scored("seed004")
    bad = SEED004.replace("得10分。", "得9分。").replace("占权重60分", "占权重50分") \
        .replace("=(219.91/219.91)*100%=100%", "=(219.91/219.91)*100%=99%").replace("自评价等级为“优”", "自评价等级为“良”")
    found = check_texts(p, r, {"报告": bad})
    assert codes(found) == ["E-REPORT-ARITH", "E-REPORT-GRADE", "E-REPORT-NUMBER", "E-REPORT-NUMBER"]
    messages = " ".join(f.message for f in found)
    assert "得9分" in messages and "执行率得分" in messages and "60分" in messages and "“良”" in messages


def test_seed000_amounts_in_yuan_are_read_as_wan_yuan():
    p, r = scored("seed000")
    text = "2023 年度投入资金 350000 元，实际支出345000 元，完成全年计划目标。"
    assert check_texts(p, r, {"项目概况": text}) == []
    found = check_texts(p, r, {"项目概况": text.replace("345000", "354000")})
    assert codes(found) == ["E-REPORT-NUMBER"] and "34.5万元" in found[0].message


def test_grade_and_total():
    p, r = scored("seed002-电子政务")
    assert check_texts(p, r, {"结论": "综合评价得分 95.16 分，评价等级优。"}) == []
    found = check_texts(p, r, {"结论": "综合评价得分 96.16 分，评价等级良好。"})
    assert codes(found) == ["E-REPORT-GRADE", "E-REPORT-NUMBER"]
    assert "95.16分" in " ".join(f.message for f in found)


def test_execution_rate_rounding_and_full_execution_claims():
    p, r = scored("seed003")  # 919.94 / 921.47 = 99.83%
    assert check_texts(p, r, {"a": "预算执行率为 99.83%。"}) == []
    assert check_texts(p, r, {"a": "预算执行率为 99.8%。"}) == []
    assert codes(check_texts(p, r, {"a": "预算执行率为 100%。"})) == ["E-REPORT-NUMBER"]
    assert codes(check_texts(p, r, {"a": "预算执行率为 98.83%。"})) == ["E-REPORT-NUMBER"]


# ---- check-report on a hand-written Word report ---------------------------------------------------------
def test_check_report_reads_a_hand_written_docx(tmp_path):
    document = docx.Document()
    document.add_paragraph("2023年度信息化项目建设项目绩效评价报告")
    document.add_paragraph("三、综合评价情况及评价结论")
    document.add_paragraph(SEED003["综合评价"])
    document.add_paragraph("四、绩效评价指标分析")
    document.add_paragraph("（二）项目过程情况")
    document.add_paragraph(SEED003["预算执行率"])
    document.add_paragraph("（三）项目产出情况")
    document.add_paragraph(SEED003["产出数量"])
    document.add_paragraph("附表")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "全年执行数 1 万元"  # the attached form is not narrative
    path = tmp_path / "手写报告.docx"
    document.save(str(path))
    case = next(CASES_DIR.glob("seed003*.yaml"))
    res = CliRunner().invoke(main, ["check-report", str(path), str(case)])
    assert res.exit_code == 1, res.output
    out = " ".join(res.output.split())
    assert "发现 3 个错误" in out
    assert "报告第 6 段 四、绩效评价指标分析 （二）项目过程情况写道" in out and "（第 6 段）" not in out and "919.47" in out
    res = CliRunner().invoke(main, ["check-report", str(path), str(case), "--json"])
    import json

    data = json.loads(res.output)
    assert len(data) == 3 and all(d["代码"] == "E-REPORT-NUMBER" for d in data)
    assert any("报告第 6 段" in d["位置"] for d in data)


def test_check_report_rejects_what_is_not_a_docx(tmp_path):
    bad = tmp_path / "x.docx"
    bad.write_text("not a zip")
    case = next(CASES_DIR.glob("seed003*.yaml"))
    res = CliRunner().invoke(main, ["check-report", str(bad), str(case)])
    assert res.exit_code == 2 and "不是有效的 Word 文档" in res.output
    res = CliRunner().invoke(main, ["check-report", str(tmp_path / "none.docx"), str(case)])
    assert res.exit_code == 2 and "找不到报告文件" in res.output


# ---- the pieces -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("10分钟现场服务", []),
    ("投入资金 350000 元", [("35", "money")]),
    ("办理留言 2.5 万余条", [("25000", "count:条")]),
    ("参会总人数达2.16万人次", [("21600", "count:人次")]),
    ("满意度达到98%以上", [("98", "percent")]),
    ("得分 8.57 分（分值 10 分）", [("8.57", "score"), ("10", "score")]),
    ("（国办公开办函〔2019〕61号）第3个", []),
    ("提高５个百分点", [("5", "points")]),
])
def test_find_mentions(text, expected):
    from evaltool.report.consistency import _norm

    got = [(str(m.value.normalize()) if m.value != m.value.to_integral_value() else str(int(m.value)), m.family)
           for m in find_mentions(_norm(text))]
    assert got == expected


def test_similarity_of_names():
    assert similarity("政务公开专区建设", "政务公开专区建设数量") > 0.8
    assert similarity("专栏建设", "政务公开专区建设数量") < 0.3


def test_evaltool_check_reads_the_report_material(tmp_path):
    """`evaltool check` on a case (and, the same way, a workbook) flags the 报告素材 texts too."""
    data = yaml.safe_load(next(CASES_DIR.glob("seed003*.yaml")).read_text("utf-8"))
    data["报告素材"]["主要内容及实施情况"] = SEED003["预算执行率"] + SEED003["产出数量"]
    case = tmp_path / "case.yaml"
    case.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    res = CliRunner().invoke(main, ["check", str(case)])
    assert res.exit_code == 1, res.output
    out = " ".join(res.output.split())
    assert out.count("E-REPORT-NUMBER") == 3 and "919.47" in out and "主要内容及实施情况" in out
    book = tmp_path / "book.xlsx"
    assert CliRunner().invoke(main, ["new", "--from", str(case), "-o", str(book)]).exit_code == 1  # new exits as check did above
    res = CliRunner().invoke(main, ["check", str(book)])
    assert res.exit_code == 1
    out = " ".join(res.output.split())
    assert out.count("E-REPORT-NUMBER") == 3 and "自评表!F6" in out  # the 全年执行数 cell


def test_figures_of_other_years_and_of_fund_rows():
    p, r = scored("seed003")  # 2023; 本年财政拨款 921.47, 其他资金 0
    assert check_texts(p, r, {"a": "2022年预算800万元，执行790万元。"}) == []
    found = check_texts(p, r, {"a": "全年预算数921.47万元，其中本年财政拨款900万元、其他资金21.47万元。"})
    assert codes(found) == ["E-REPORT-NUMBER", "E-REPORT-NUMBER"]
    assert "本年财政拨款" in found[0].message and "其他资金" in found[1].message
    assert check_texts(p, r, {"a": "执行数919.94万元，较上年增长12%，共设置三级指标9个。"}) == []
    assert codes(check_texts(p, r, {"a": "共设置三级指标10个。"})) == ["E-REPORT-NUMBER"]


def test_counts_of_different_years_are_not_a_restatement():
    p, r = scored("seed002-电子政务")
    assert check_texts(p, r, {"a": "2021年召开新闻发布会12场。2022年召开新闻发布会15场。"}) == []
    assert codes(check_texts(p, r, {"a": "2022年召开新闻发布会14场。", "b": "2022年全年新闻发布会15期。"})) == \
        ["W-REPORT-RESTATED"]


def test_other_rates_are_not_the_budget_execution_rate():
    p, r = scored("seed003")
    assert check_texts(p, r, {"a": "机房设备使用率98%，网站得分率95%，资金到位率100%。"}) == []
    assert codes(check_texts(p, r, {"a": "资金使用率98%。"})) == ["E-REPORT-NUMBER"]


def test_repeated_indicator_names_get_the_same_numbered_labels_in_report_and_checker():
    from evaltool.report.consistency import Facts
    from evaltool.kinds.selfeval.context import build_context

    p, _ = scored("seed003")
    p.indicators[1].level3 = p.indicators[0].level3
    (p, r), = evaluate_all([p])
    labels = [i.label for i in build_context(p, r)["indicators"]]
    assert labels[1] == labels[0] + "（2）"
    entities = {e.key: e.names for e in Facts(p, r).entities if e.kind == "indicator"}
    for ir, label in zip(r.indicators, labels):
        assert label in entities[f"IND:{ir.index}"]


def test_an_indicator_named_with_the_form_word_keeps_its_name_on_a_scoring_table():
    # Labels say "评分表" on a 评分表; an indicator whose own name holds "自评表" is quoted as written.
    from evaltool.core.caseio import load_case
    from evaltool.report.consistency import Facts

    p = load_case(next(CASES_DIR.glob("seed001*.yaml")))
    p.extra["评分指标"][4]["三级指标"] = "自评表填报质量"  # 分值 6, 得分 5
    (p, r), = evaluate_all([p])
    found = check_texts(p, r, {"分析": "自评表填报质量指标得4分。"})
    assert codes(found) == ["E-REPORT-NUMBER"]
    assert "评分表“自评表填报质量”的得分 5分" in found[0].message
    labels = [f.label for f in Facts(p, r).facts]
    assert "评分表“自评表填报质量”的分值" in labels and "评分表的总分" in labels
    assert "评分表的资金使用率（实际使用情况 ÷ 实际到位资金）" in labels
    assert not any("评分表填报质量" in label and "自评表填报质量" not in label for label in labels)


# ---- an actual typed as a fraction under a percent target ------------------------------------------------
def test_a_fraction_actual_under_a_percent_target_is_the_percentage_in_texts_and_report():
    """0.93 under "≥90%" is scored as 93%: a text saying 93% agrees with the form (it was flagged as
    "0.93%" before), one saying 88% does not, and the report states 93%, not 0.93."""
    from evaltool.kinds.selfeval.context import build_context

    data = yaml.safe_load(next(CASES_DIR.glob("seed002-电子政务*.yaml")).read_text("utf-8"))
    data["绩效指标"].insert(1, {"一级指标": "产出指标", "二级指标": "质量指标", "三级指标": "培训覆盖率",
                            "年度指标值": "≥90%", "实际完成值": 0.93, "分值": 0})
    p, r = scored_dict(data)
    ok = [f for f in check_texts(p, r, {"产出": "全年培训覆盖率达到93%。"}) if f.code == "E-REPORT-NUMBER"]
    assert ok == []
    bad = [f for f in check_texts(p, r, {"产出": "全年培训覆盖率达到88%。"}) if f.code == "E-REPORT-NUMBER"]
    assert len(bad) == 1 and "93%" in bad[0].message and "0.93%" not in bad[0].message
    ctx = build_context(p, r)
    shown = [i.actual for l1 in ctx["levels"] for i in l1.items if i.name == "培训覆盖率"]
    assert shown == ["93%"]
