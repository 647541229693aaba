"""The label vocabulary (evaltool/workbook/标签.yaml): normalisation in one place, and a bureau's own
spellings added through its rule set's 标签 key, without code."""
from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import forms
from evaltool.cli import main
from evaltool.core.errors import InputError
from evaltool.workbook import layout as L
from evaltool.workbook.reader import read_workbook_projects

V = L.vocabulary()


@pytest.mark.parametrize("text, section, name", [
    ("其中：當年財政撥款", "资金行", "本年财政拨款"),
    ("其中:财政资金", "资金行", "本年财政拨款"),
    ("年度资金总额：", "资金行", "年度资金总额"),
    ("总\u00a0额", "资金行", "年度资金总额"),
    ("单位资金", "资金行", "其他资金"),
    ("结转资金", "资金行", "上年结转资金"),
    ("全年预算数（A）", "资金列", "全年预算数"),
    ("调整后预算数", "资金列", "全年预算数"),
    ("全年\n执行数（Ｂ）", "资金列", "全年执行数"),
    ("预算执行数", "资金列", "全年执行数"),
    ("分值（10分）", "资金列", "分值"),
    ("权重", "指标列", "分值"),
    ("年度目标值", "指标列", "年度指标值"),
    ("全年实际值（B）", "指标列", "实际完成值"),
    ("完成值", "指标列", "实际完成值"),
    ("未完成原因及改进措施", "指标列", "偏差原因分析及改进措施"),
    ("偏差\u200b原因", "指标列", "偏差原因分析及改进措施"),
    ("三級指標", "指标列", "三级指标"),
    ("主管部门及代码", "区块", "主管部门"),
    ("实施单位及代码", "区块", "实施单位"),
    ("实施单位（盖章）", "区块", "实施单位"),
    ("项目名称\u3000：", "区块", "项目名称"),
    ("度量单位", "目标分列", "度量单位"),
])
def test_published_spellings_read_as_their_standard_name(text, section, name):
    assert V.keys[section].get(V._key(section, text)) == name


def test_every_variant_in_the_file_reads_as_its_own_name():
    for section in L.VOCAB_SECTIONS:
        for name, words in V.variants[section].items():
            for w in words:
                got = V.keys[section].get(V._key(section, w))
                assert got == name, (section, name, w, got)


def test_direction_words():
    assert V.direction("＞＝") == "≥" and V.direction("不低于") == "≥" and V.direction("反向指标") == "≤"
    assert V.direction("定性") == "定性" and V.direction("=") == "="


def _bureau_form(path: Path) -> None:
    """The national form where the bureau's template says 累计支付数 and 实际达成值."""
    forms.national(path)
    wb = openpyxl.load_workbook(path)
    ws = wb["自评表"]
    ws["F5"] = "累计支付数"
    ws["F12"] = "实际达成值"
    wb.save(path)


def test_a_rule_set_adds_a_label_without_code(tmp_path):
    form = tmp_path / "form.xlsx"
    _bureau_form(form)
    (plain,) = read_workbook_projects(form)
    assert [f.code for f in plain.read_findings if f.code.startswith("E-UNREAD")] == \
        ["E-UNREAD-ACTUAL", "E-UNREAD-COLUMN"]  # unknown spellings: refused, never guessed
    rules = tmp_path / "某市.yaml"
    rules.write_text("编号: 某市\n继承: 国家标准\n标签:\n  资金列:\n    全年执行数: [累计支付数]\n"
                     "  指标列:\n    实际完成值: [实际达成值]\n", "utf-8")
    (p,) = read_workbook_projects(form, str(rules))
    assert not [f for f in p.read_findings if f.code.startswith("E-")]
    result = CliRunner().invoke(main, ["check", str(form), "--json", "--rules", str(rules)])
    data = json.loads(result.output)
    assert data["总分"] == 95.2 and data["等次"] == "优"


@pytest.mark.parametrize("body, words", [
    ("标签:\n  资金栏:\n    全年执行数: [累计支付数]\n", ["资金栏", "资金列"]),
    ("标签:\n  资金列:\n    执行金额: [累计支付数]\n", ["执行金额", "全年执行数"]),
    ("标签: [累计支付数]\n", ["标签"]),
])
def test_a_wrong_label_entry_is_refused_in_chinese(tmp_path, body, words):
    form = tmp_path / "form.xlsx"
    _bureau_form(form)
    rules = tmp_path / "某市.yaml"
    rules.write_text("编号: 某市\n继承: 国家标准\n" + body, "utf-8")
    with pytest.raises(InputError) as err:
        read_workbook_projects(form, str(rules))
    for w in words:
        assert w in str(err.value)
    result = CliRunner().invoke(main, ["check", str(form), "--rules", str(rules)])
    assert result.exit_code != 0 and "Traceback" not in result.output and words[0] in result.output


def test_report_reads_with_the_rule_sets_labels_too(tmp_path):
    import docx

    form = tmp_path / "form.xlsx"
    _bureau_form(form)
    rules = tmp_path / "某市.yaml"
    rules.write_text("编号: 某市\n继承: 国家标准\n标签:\n  资金列:\n    全年执行数: [累计支付数]\n"
                     "  指标列:\n    实际完成值: [实际达成值]\n", "utf-8")
    out = tmp_path / "r.docx"
    result = CliRunner().invoke(main, ["report", str(form), "-o", str(out), "--rules", str(rules)])
    assert result.exit_code == 0, result.output
    body = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "自评总分95.2分" in body or "自评总分95.20分" in body
