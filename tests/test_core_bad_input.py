"""Malformed case files: a Chinese message and exit code 2, never a traceback."""
import os
import subprocess
import sys

import pytest


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "evaltool", *args], capture_output=True, text=True, timeout=120)


GOOD_FUNDS = "项目资金:\n  年度资金总额: {全年预算数: 10, 全年执行数: 9}\n"

BAD = {
    "bad_yaml.yaml": ("项目名称: [未闭合\n绩效指标: {", "不是有效的 YAML"),
    "list_top.yaml": ("- 1\n- 2\n", "键: 值"),
    "scalar_top.yaml": ("只是一句话", "键: 值"),
    "no_indicators.yaml": ("项目名称: 甲\n" + GOOD_FUNDS, "缺少“绩效指标”"),
    "indicators_not_list.yaml": ("项目名称: 甲\n" + GOOD_FUNDS + "绩效指标: 很多\n", "应是列表"),
    "indicator_not_map.yaml": ("项目名称: 甲\n" + GOOD_FUNDS + "绩效指标:\n  - 一个字符串\n", "第 1 项"),
    "nested_value.yaml": ("项目名称: 甲\n" + GOOD_FUNDS + "绩效指标:\n  - {分值: [1, 2]}\n", "“分值”应是一个值"),
    "funds_wrong.yaml": ("项目名称: 甲\n项目资金: 100\n绩效指标: []\n", "项目资金"),
    "unknown_fund_row.yaml": ("项目名称: 甲\n项目资金:\n  总额: {全年预算数: 1}\n绩效指标: []\n", "无法识别的行"),
    "bad_kind.yaml": ("类型: 汇总表\n", "类型"),
    "bad_rules.yaml": ("规则: 不存在的规则\n项目名称: 甲\n" + GOOD_FUNDS + "绩效指标: []\n", "没有名为“不存在的规则”的规则集"),
    "binary.yaml": (b"\xff\xfe\x00\x81junk\x00", "UTF-8"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_malformed_case_gives_chinese_message_and_exit_2(tmp_path, name):
    content, expected = BAD[name]
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    proc = run_cli("score", str(path))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert expected in proc.stderr
    assert "无法处理" in proc.stderr


def test_ten_megabytes_of_junk(tmp_path):
    path = tmp_path / "junk.yaml"
    path.write_bytes(os.urandom(10 * 1024 * 1024))
    before = path.read_bytes()
    proc = run_cli("score", str(path))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "MB" in proc.stderr
    assert path.read_bytes() == before


def test_missing_file(tmp_path):
    proc = run_cli("score", str(tmp_path / "没有这个文件.yaml"))
    assert proc.returncode == 2
    assert "找不到" in proc.stderr


def test_bad_rule_file_is_explained(tmp_path):
    rules = tmp_path / "我的规则.yaml"
    rules.write_text("编号: 我的\n继承: 国家标准\n权重:\n  预算执行率: 十分\n", encoding="utf-8")
    case = tmp_path / "c.yaml"
    case.write_text("项目名称: 甲\n" + GOOD_FUNDS + "绩效指标: []\n", encoding="utf-8")
    proc = run_cli("score", str(case), "--rules", str(rules))
    assert proc.returncode == 2
    assert "预算执行率" in proc.stderr and "应为数字" in proc.stderr


def test_cell_level_problems_are_findings_not_crashes(tmp_path):
    case = tmp_path / "c.yaml"
    case.write_text(
        "年度: 2023\n项目名称: 甲\n主管部门: 乙\n实施单位: 丙\n"
        "项目资金:\n  年度资金总额: {全年预算数: 三十五, 全年执行数: 34.5}\n  分值: 10\n"
        "绩效指标:\n"
        "  - {一级指标: 产出指标, 二级指标: 数量指标, 三级指标: 甲, 年度指标值: '网站836条 微信936条', 实际完成值: 1, 分值: 50}\n"
        "  - {一级指标: 产出指标, 二级指标: 质量指标, 三级指标: 乙, 年度指标值: '≥90%', 实际完成值: '95个', 分值: 0}\n"
        "  - {一级指标: 效益, 二级指标: 社会效益, 三级指标: 丙, 年度指标值: 持续推动, 实际完成值: 还行吧, 分值: 30}\n"
        "  - {一级指标: 满意度指标, 二级指标: 服务对象满意度指标, 三级指标: 丁, 年度指标值: '≥95%', 实际完成值: '80%', 分值: 10}\n",
        encoding="utf-8")
    proc = run_cli("score", str(case))
    assert proc.returncode == 1
    out = proc.stdout
    assert "Traceback" not in out + proc.stderr
    for text in ("不是金额", "无法确定数值", "单位“%”与实际完成值的单位“个”不一致", "不是可识别的评价等级",
                 "偏差原因分析及改进措施", "绩效指标[1].年度指标值"):
        assert text in out, text
