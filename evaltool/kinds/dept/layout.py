"""The 部门整体支出绩效自评表's labels: printed texts (what the template writes) and the vocabulary the
reader accepts (标签.yaml in this package). Both readers and the template take their words from here."""
from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import yaml

from evaltool.workbook import layout as WL

KIND = "部门整体"
RULES = "部门整体"  # the built-in rule set a new form names in its 设置 sheet
TITLE = "部门整体支出绩效自评表"
SHEET_FORM = "部门整体自评表"
SHEET_REPORT = "部门报告素材"
REPORT_TITLE = "部门整体支出绩效自评报告素材"

L_DEPT_NAME = "部门（单位）名称"
L_SUPERVISOR = "主管部门"
L_YEAR = "年度"
L_BUDGET = "年度预算（万元）"
L_TOTAL_ROW = "年度资金总额"
PART_ROWS = ("基本支出", "项目支出")  # 按支出性质分: their sum is the 年度资金总额
FUND_HEADERS = {"年初预算数": "年初预算数", "全年预算数": "全年预算数（A）", "全年执行数": "全年执行数（B）",
                "分值": "分值", "执行率": "执行率（B/A）", "得分": "得分"}
L_TASKS = "年度主要任务"
TASK_HEADERS = {"任务名称": "任务名称", "主要内容": "主要内容", "预算数": "预算数（万元）", "执行数": "执行数（万元）",
                "完成情况": "完成情况"}
L_GOALS, L_GOAL_EXPECTED, L_GOAL_ACTUAL = WL.L_GOALS, WL.L_GOAL_EXPECTED, WL.L_GOAL_ACTUAL
IND_HEADERS = {"一级指标": "一级指标", "二级指标": "二级指标", "三级指标": "三级指标", "年度指标值": "年度指标值",
               "实际完成值": "实际完成值", "分值": "分值", "得分": "得分", "偏差原因分析及改进措施": "偏差原因分析及改进措施"}
L_TOTAL, L_GRADE = WL.L_TOTAL, WL.L_GRADE
L_PROJECTS = "项目支出情况"
PROJECT_HEADERS = {"序号": "序号", "项目名称": "项目名称", "全年预算数": "全年预算数（万元）",
                   "全年执行数": "全年执行数（万元）", "执行率": "执行率", "自评得分": "自评得分", "自评等次": "自评等次",
                   "备注": "备注"}
L_PROJECT_SUM = "合计"
FOOTNOTE = ("注：浅灰色单元格（执行率、得分、总分、评价等次、项目合计）由 evaltool 计分后自动填写；项目支出情况列出本部门"
            "全部项目（或规则集规定的重点项目），自评得分和自评等次照各项目的《项目支出绩效自评表》填写。")


@functools.lru_cache(maxsize=1)
def vocabulary() -> dict[str, Any]:
    """标签.yaml of this package, with every spelling turned into its label key once."""
    text = (resources.files("evaltool.kinds.dept") / "标签.yaml").read_text("utf-8")
    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - safe loader
    out: dict[str, Any] = {"表名": frozenset(WL.label_key(w) for w in data["表名"]), "报告栏目": tuple(data["报告栏目"])}
    for section in ("区块", "支出行", "任务列", "项目列"):
        keys: dict[str, str] = {}
        for name, words in data[section].items():
            for w in (name, *words):
                key = WL.row_label_key(w) if section == "支出行" else WL.label_key(w)
                keys.setdefault(key, str(name))
        out[section] = keys
    return out


@functools.lru_cache(maxsize=64)
def keys_for(section: str, name: str) -> frozenset[str]:
    return frozenset(k for k, v in vocabulary()[section].items() if v == name)


def report_fields() -> tuple[str, ...]:
    return vocabulary()["报告栏目"]


__all__ = ["vocabulary", "keys_for", "report_fields", "KIND", "TITLE", "SHEET_FORM", "SHEET_REPORT"]
