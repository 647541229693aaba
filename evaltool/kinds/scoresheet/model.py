"""The 评分表 as the scoresheet code sees it, built from a Project of kind 评分表.

The case file and the workbook reader both keep the three blocks in Project.extra as plain lists of
label → raw value (评分指标, 评价人员, 绩效目标表); this module turns them into typed rows. Values stay
raw; parsing and every finding about it happen in scoring.py. Locations come from
Project.where("评分指标[3].得分"): a path in a case file, a cell when read from a workbook.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from evaltool.core.caseio import scalar_ok
from evaltool.core.errors import InputError
from evaltool.core.model import Location, Project

KIND = "评分表"
ROW_KEYS = {"一级指标": "level1", "二级指标": "level2", "三级指标": "level3", "分值": "weight",
            "得分": "score", "评分依据": "basis"}
EVALUATOR_KEYS = {"姓名": "name", "职务": "title", "单位": "unit", "项目评分": "score"}
TARGET_KEYS = {"指标类型": "kind", "指标名称": "name", "绩效目标": "goal", "实际完成值": "actual", "分值": "weight"}
TIERS = ("优", "良", "中", "差")


@dataclass
class SheetRow:
    n: int  # 1-based position in 评分指标
    level1: Any = None
    level2: Any = None
    level3: Any = None
    weight: Any = None
    score: Any = None
    basis: Any = None  # 评分依据


@dataclass
class Evaluator:
    n: int
    name: Any = None
    title: Any = None
    unit: Any = None
    score: Any = None


@dataclass
class TargetRow:
    n: int
    kind: Any = None  # 指标类型
    name: Any = None  # 指标名称
    goal: Any = None  # 绩效目标 (text)
    tiers: dict[str, Any] = field(default_factory=dict)  # 优/良/中/差 → standard as typed
    actual: Any = None
    weight: Any = None  # optional 分值


@dataclass
class ScoreSheet:
    project: Project
    rows: list[SheetRow]
    evaluators: list[Evaluator]
    targets: list[TargetRow]

    def where(self, block: str, n: int, key: str) -> Location:
        return self.project.where(f"{block}[{n}].{key}")

    def fund(self, key: str) -> Any:
        return self.project.basic_info.get(key)

    def fund_where(self, key: str) -> Location:
        return self.project.where(f"项目基本信息.{key}")


def _items(project: Project, block: str) -> list[dict]:
    name = project.source or project.sheet or "文件"
    items = project.extra.get(block)
    if items is None:
        return []
    if not isinstance(items, list):
        raise InputError(f"{name} 的“{block}”应是列表（每行以“- ”开头）。")
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise InputError(f"{name} 的“{block}”第 {n} 项应写成 {{键: 值, …}}，例如 {{三级指标: 目标内容, 分值: 4, 得分: 4}}。")
        for key, value in item.items():
            if not scalar_ok(value):
                raise InputError(f"{name} 的“{block}”第 {n} 项的“{key}”应是一个值。")
    return items


def sheet_from_project(project: Project) -> ScoreSheet:
    rows = []
    for n, item in enumerate(_items(project, "评分指标"), start=1):
        rows.append(SheetRow(n, **{attr: item.get(key) for key, attr in ROW_KEYS.items()}))
    evaluators = []
    for n, item in enumerate(_items(project, "评价人员"), start=1):
        evaluators.append(Evaluator(n, **{attr: item.get(key) for key, attr in EVALUATOR_KEYS.items()}))
    targets = []
    for n, item in enumerate(_items(project, "绩效目标表"), start=1):
        typed: dict[str, Any] = {attr: item.get(key) for key, attr in TARGET_KEYS.items()}
        t = TargetRow(n, **typed)
        t.tiers = {tier: item.get(tier) for tier in TIERS}
        targets.append(t)
    return ScoreSheet(project, rows, evaluators, targets)
