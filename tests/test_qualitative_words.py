"""Qualitative grades from what clerks type (SWEEP S47): a phrase names a grade only when it is one of the
grade's words, or is made of such words and neutral words; a negated, late or mixed phrase (不达标, 效果不明显,
延期完成, 完成情况较差) names none and asks for one of the three grades — in the 自评表 (E-QUAL-WORD, no
score) and in the 运行监控表 (never a green forecast). Read from real .xlsx files built by `evaltool new`."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from evaltool.cli import main
from evaltool.core.rules import load_rules

SAMPLE = Path(__file__).resolve().parents[1] / "evaltool" / "samples" / "示例-电子政务各项专项经费.yaml"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


# Phrases the old substring match scored as 达成预期指标 (full marks) although they say the opposite.
NEGATED = ["不达标", "未能达成", "未按期完成", "未全部完成", "不显著", "不明显", "效果不明显", "无明显改善",
           "未明显改善", "不太满意", "延期完成", "逾期完成", "推迟完成", "滞后完成", "完成情况较差", "完成率低"]
TOP, MID, LOW = "达成预期指标", "部分达成预期指标并具有一定效果", "未达成预期指标且效果较差"
KNOWN = {"达成预期指标": TOP, "达到预期": TOP, "达到预期目标": TOP, "良": TOP, "优": TOP, "良好": TOP,
         "效果明显": TOP, "明显改善": TOP, "已完成，效果显著": TOP, " 显著。": TOP, "按期完成": TOP,
         "中": MID, "基本达成预期指标": MID, "部分完成": MID, "效果一般": MID,
         "未完成": LOW, "没有完成": LOW, "尚未完成": LOW, "未达到预期": LOW, "差": LOW, "不满意": LOW}


def selfeval_book(tmp_path: Path, actuals: list[str]) -> Path:
    """The sample 自评表 with its qualitative rows' 实际完成值 replaced and their 得分 removed."""
    data = yaml.safe_load(SAMPLE.read_text("utf-8"))
    data.pop("期望", None)
    rows = [r for r in data["绩效指标"] if r["实际完成值"] == TOP]
    assert len(rows) >= len(actuals)
    for row, actual in zip(rows, actuals):
        row["实际完成值"] = actual
        row.pop("得分", None)
        row["偏差原因分析及改进措施"] = "见说明"
    case = tmp_path / "case.yaml"
    case.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    book = tmp_path / f"自评表{len(list(tmp_path.glob('*.xlsx')))}.xlsx"
    res = run("new", book, "--from", case)
    assert book.exists(), res.output
    return book


def indicators_by_actual(book: Path, actuals: list[str]) -> tuple[dict, list[dict]]:
    got = json.loads(run("check", book, "--json").output)
    rows = [i for i in got["指标"] if i["计分方式"] == "定性"]
    return got, rows[:len(actuals)]


@pytest.mark.parametrize("chunk", [NEGATED[:8], NEGATED[8:]])
def test_negated_late_or_mixed_phrases_score_nothing_and_ask_for_a_grade(tmp_path, chunk):
    book = selfeval_book(tmp_path, chunk)
    got, rows = indicators_by_actual(book, chunk)
    for phrase, row in zip(chunk, rows):
        assert row["得分"] is None and row["说明"] == "未计分：无法识别评价等级", (phrase, row)
    words = [f for f in got["标记"] if f["代码"] == "E-QUAL-WORD"]
    assert len(words) == len(chunk)
    for phrase, f in zip(chunk, words):
        assert f"实际完成值“{phrase}”" in f["说明"] and TOP in f["说明"] and f["单元格"], f
    assert got["总分"] is None  # 无法计分, never a full mark


def test_the_reason_is_named():
    rules = load_rules()
    assert rules.grade_reading("不达标") == (None, "含否定词“不”，不能按“达标”计分")
    assert rules.grade_reading("效果不明显")[1] == "含否定词“不”，不能按“明显”计分"
    assert rules.grade_reading("延期完成")[1] == "含“延期”，表示未按期完成"
    assert "同时含有属于不同等级的说法" in rules.grade_reading("完成情况较差")[1]
    assert rules.grade_reading("持续推动") == (None, "")


def test_known_words_and_neutral_words_keep_their_grade(tmp_path):
    rules = load_rules()
    for phrase, band in KNOWN.items():
        got = rules.grade_of(phrase)
        assert got is not None and got.name == band, phrase
    phrases = ["良", "达到预期目标", "效果明显", "尚未完成", "中"]
    book = selfeval_book(tmp_path, phrases)
    _, rows = indicators_by_actual(book, phrases)
    assert [r["说明"].split("，")[0] for r in rows] == [f"定性指标：{KNOWN[p]}" for p in phrases]


def test_vocabulary_is_data(tmp_path):
    """A rule set adds its own neutral word without code: 持续 beside 改善 is then 达成 (改善 alone is not)."""
    own = tmp_path / "本地.yaml"
    own.write_text("继承: 国家标准\n编号: 本地\n定性计分:\n  中性词: [持续, 改善]\n  等级:\n"
                   "    - {名称: 达成预期指标, 词汇: [明显, 有所改善]}\n", "utf-8")
    rules = load_rules(str(own))
    assert rules.grade_of("持续明显改善").name == TOP
    assert rules.grade_of("有所改善").name == TOP
    assert rules.grade_of("改善") is None


MONITOR = (Path(__file__).parent / "test_monitor.py").read_text("utf-8").split('CASE = """', 1)[1].split('"""', 1)[0]


@pytest.mark.parametrize("forecast", ["效果不明显", "不达标", "未按期完成", "延期完成"])
def test_a_negated_forecast_is_never_green(tmp_path, forecast):
    text = MONITOR.replace("年度指标值: ≥95%, 实际完成值: 93%, 全年预计完成值: 96%, 完成可能性: 确定能",
                           f"年度指标值: 达成预期指标, 实际完成值: 进行中, 全年预计完成值: \"{forecast}\", 完成可能性: 确定能")
    case = tmp_path / "m.yaml"
    case.write_text(text, "utf-8")
    book = tmp_path / "监控表.xlsx"
    assert run("new", book, "--from", case).exit_code in (0, 1)
    got = json.loads(run("check", book, "--json").output)
    row = got["指标"][2]
    assert row["预警"] == "黄", row
    warned = [f for f in got["标记"] if f["代码"] == "W-MON-BEHIND" and f"“{forecast}”" in f["说明"]]
    assert warned and "请改填评价等级" in warned[0]["说明"], got["标记"]
    # the clerk is asked for the 偏差原因 of a yellow light
    assert any(f["代码"] == "E-MON-REASON" and "水质" not in f["说明"] for f in got["标记"])
