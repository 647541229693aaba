"""The evaluation framework (评分表 section of a rule set): frameworks, formulas, tolerances.

Read from RuleSet.raw so that rule-set inheritance (继承) applies unchanged; problems raise
RuleError with a Chinese message naming the key.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from evaltool.core.decimals import plain_number as _plain, to_decimal
from evaltool.core.rules import RuleError, RuleSet, clean_label, canonical_name

FORMULAS = ("资金到位率", "资金使用率")  # 到位 ÷ 计划, 使用 ÷ 到位
SECTION = "评分表"


@dataclass
class Level1:
    name: str
    weight: Decimal
    level2: dict[str, dict[str, Decimal]]  # 二级 → {三级: 参考分值}


@dataclass
class Framework:
    name: str
    description: str
    level1: dict[str, Level1]
    formulas: dict[str, str]  # 三级指标 → FORMULAS member
    aliases: dict[str, str]
    sections: dict[str, list[tuple[str, str | None]]] = field(default_factory=dict)  # 报告章节 → (一级, 二级|None)

    @property
    def total_weight(self) -> Decimal:
        return sum((l1.weight for l1 in self.level1.values()), Decimal(0))

    def canonical_level1(self, name: Any) -> str:
        return canonical_name(name, self.level1, self.aliases)

    def canonical_level2(self, name: Any, level1: str) -> str:
        known = self.level1.get(level1)
        return canonical_name(name, known.level2 if known else (), self.aliases)

    def formula_of(self, level3: Any) -> str | None:
        return self.formulas.get(clean_label(level3))

    def default_rows(self) -> list[dict[str, Any]]:
        """The framework's rows with reference weights, for a new, empty 评分表."""
        rows = []
        for l1 in self.level1.values():
            for l2, l3s in l1.level2.items():
                for l3, weight in l3s.items():
                    rows.append({"一级指标": l1.name, "二级指标": l2, "三级指标": l3, "分值": _plain(weight)})
        return rows


@dataclass
class SheetRules:
    frameworks: dict[str, Framework]
    default: str
    formula_mode: str  # 提示 | 计算
    average_tolerance: Decimal
    personal_tolerance: Decimal
    base: RuleSet = field(repr=False)  # places, grades, tiers come from here

    def framework(self, name: str | None = None) -> Framework:
        if name is None:
            return self.frameworks[self.default]
        if name not in self.frameworks:
            raise RuleError(f"{self.base.source}中没有名为“{name}”的评分表框架。可用的框架："
                            f"{'、'.join(self.frameworks)}。")
        return self.frameworks[name]

    def detect(self, level1_names: list[Any]) -> Framework:
        """The framework whose 一级指标 match most of the rows'; the default on a tie or no rows."""
        best, best_hits = self.frameworks[self.default], -1
        order = [self.default] + [n for n in self.frameworks if n != self.default]
        for name in order:
            fw = self.frameworks[name]
            hits = sum(fw.canonical_level1(x) in fw.level1 for x in level1_names)
            if hits > best_hits:
                best, best_hits = fw, hits
        return best


def sheet_rules(rules: RuleSet) -> SheetRules:
    src = rules.source or f"规则集“{rules.id}”"
    section = rules.raw.get(SECTION)
    if not isinstance(section, dict):
        raise RuleError(f"{src}缺少“{SECTION}”一节（评分表的指标框架和评价人员规则）。"
                        "请在规则文件中加入“继承: 国家标准”，或从国家标准复制这一节。")

    def num(path: str, value: Any) -> Decimal:
        dec = to_decimal(value)
        if dec is None or dec < 0:
            raise RuleError(f"{src}中“{path}”应为不小于 0 的数字，现为“{value}”")
        return dec

    frameworks: dict[str, Framework] = {}
    items = section.get("框架")
    if not isinstance(items, list) or not items:
        raise RuleError(f"{src}中“{SECTION} → 框架”应列出至少一个框架（名称、一级指标）")
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not item.get("名称"):
            raise RuleError(f"{src}中“{SECTION} → 框架”第 {i} 项应有“名称”和“一级指标”")
        name = str(item["名称"])
        where = f"{SECTION} → 框架[{name}]"
        l1_raw = item.get("一级指标")
        if not isinstance(l1_raw, dict) or not l1_raw:
            raise RuleError(f"{src}中“{where} → 一级指标”应列出各一级指标及其分值")
        level1 = {}
        for l1_name, spec in l1_raw.items():
            if spec is None:  # "决策: ~" removes an inherited 一级, as in 权重 → 一级指标
                continue
            spec = spec if isinstance(spec, dict) else {"分值": spec}
            l2: dict[str, dict[str, Decimal]] = {}
            for l2_name, l3s in (spec.get("二级指标") or {}).items():
                if not isinstance(l3s, dict):
                    raise RuleError(f"{src}中“{where} → {l1_name} → {l2_name}”应写成 {{三级指标: 分值, …}}")
                l2[str(l2_name)] = {str(k): num(f"{where} → {l1_name} → {l2_name} → {k}", v)
                                    for k, v in l3s.items()}
            level1[str(l1_name)] = Level1(str(l1_name), num(f"{where} → {l1_name} → 分值", spec.get("分值")), l2)
        full = rules.total_weight
        given = sum((l1.weight for l1 in level1.values()), Decimal(0))
        if given != full:
            parts = " + ".join(f"{l1.name} {_plain(l1.weight)}" for l1 in level1.values())
            raise RuleError(f"{src}中评分表框架“{name}”的一级指标分值合计为 {_plain(given)} 分（{parts}），"
                            f"应为 {_plain(full)} 分。请调整“{where} → 一级指标”中的分值。")
        formulas = {}
        for l3, formula in (item.get("公式指标") or {}).items():
            if formula not in FORMULAS:
                raise RuleError(f"{src}中“{where} → 公式指标 → {l3}”应为 {'、'.join(FORMULAS)} 之一，现为“{formula}”")
            formulas[clean_label(l3)] = str(formula)
        aliases = {clean_label(k): str(v) for k, v in (item.get("别名") or {}).items()}
        sections: dict[str, list[tuple[str, str | None]]] = {}
        for title, parts in (item.get("报告章节") or {}).items():
            if not isinstance(parts, list):
                raise RuleError(f"{src}中“{where} → 报告章节 → {title}”应是列表，例如 [项目绩效/项目产出]")
            sections[str(title)] = []
            for part in parts:
                part_l1, _, part_l2 = str(part).partition("/")
                if part_l1 not in level1:
                    raise RuleError(f"{src}中“{where} → 报告章节 → {title}”引用了不存在的一级指标“{part_l1}”")
                sections[str(title)].append((part_l1, part_l2 or None))
        if not sections:  # one section per 一级指标
            sections = {l1: [(l1, None)] for l1 in level1}
        frameworks[name] = Framework(name, str(item.get("说明") or ""), level1, formulas, aliases, sections)
    default = str(section.get("默认框架") or next(iter(frameworks)))
    if default not in frameworks:
        raise RuleError(f"{src}中“{SECTION} → 默认框架”为“{default}”，但没有这个框架。可用：{'、'.join(frameworks)}")
    mode = str(section.get("公式指标得分", "提示"))
    if mode not in ("提示", "计算"):
        raise RuleError(f"{src}中“{SECTION} → 公式指标得分”应为“提示”或“计算”，现为“{mode}”")
    evaluators = section.get("评价人员") or {}
    return SheetRules(
        frameworks=frameworks,
        default=default,
        formula_mode=mode,
        average_tolerance=num(f"{SECTION} → 评价人员 → 平均分允许偏差", evaluators.get("平均分允许偏差", 0.5)),
        personal_tolerance=num(f"{SECTION} → 评价人员 → 个人评分允许偏差", evaluators.get("个人评分允许偏差", 5)),
        base=rules,
    )
