"""The 绩效目标表's vocabulary (标签.yaml beside this file) and the names the template and the reader
share. Engine-free: labels in, standard names out."""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from evaltool.workbook.layout import label_key, norm, row_label_key

NAME = "绩效目标表"  # the kind's name (case files' 类型, --kind)
TITLE = "项目支出绩效目标表"
SHEET = "绩效目标表"  # the form sheet of the template
REPORT_NAME = "绩效目标审核意见"  # what `evaltool report` writes for it
SHEET_HELP = "说明"
VOCABULARY_FILE = Path(__file__).with_name("标签.yaml")

# Fund rows in the form's order: the standard names of 资金行, as the 自评表 names them.
FUND_ROWS = ("年度资金总额", "本年财政拨款", "上年结转资金", "其他资金")
FUND_PRINTED = {"年度资金总额": "年度资金总额", "本年财政拨款": "其中：财政拨款", "上年结转资金": "上年结转资金",
                "其他资金": "其他资金"}
TEMPLATE_FUNDS = ("年度资金总额", "本年财政拨款", "其他资金")  # as published: 总额 = 财政拨款 + 其他资金
# Indicator columns: standard name -> printed header, in the template's order.
COLUMNS = {"一级指标": "一级指标", "二级指标": "二级指标", "三级指标": "三级指标", "指标性质": "指标性质",
           "指标值": "指标值", "度量单位": "度量单位", "权重": "权重（分值）", "指标解释": "指标解释"}
DIRECTIONS = ("≥", "≤", "=", ">", "<", "定性")  # the template's dropdown of 指标性质
DIRECTION_CODE = {"≥": "ge", ">": "gt", "≤": "le", "<": "lt", "=": "eq"}
RATE_INDICATOR = "预算执行率"  # an indicator of this name carries the rule set's 执行率 weight


class Vocabulary:
    """Label key -> standard name for each section of 标签.yaml, plus the title words and the checks'
    defaults. One dict lookup per cell."""

    def __init__(self, data: dict[str, Any]):
        self.data = data
        self.titles = frozenset(label_key(t) for t in data.get("表题") or ())
        self.sections: dict[str, dict[str, str]] = {}
        self.variants: dict[str, dict[str, tuple[str, ...]]] = {}
        for section in ("区块", "资金行", "指标列", "指标性质"):
            keys: dict[str, str] = {}
            names: dict[str, tuple[str, ...]] = {}
            for name, words in (data.get(section) or {}).items():
                words = (str(name), *(str(w) for w in (words or ())))
                names[str(name)] = words
                for w in words:
                    key = self.key(section, w)
                    if key:
                        keys.setdefault(key, str(name))
            self.sections[section], self.variants[section] = keys, names
        self.checks: dict[str, Any] = dict(data.get("检查") or {})
        self.excluded = frozenset(label_key(w) for w in data.get("排除列") or ())
        self.totals = frozenset(label_key(w) for w in data.get("合计行") or ())

    def is_total(self, value: Any) -> bool:
        """A 合计 / 小计 row's label (产出指标小计, 权重合计 …)."""
        if not isinstance(value, str):
            return False
        key = label_key(value)
        return key in self.totals or key.endswith(("小计", "合计"))

    def keys_of(self, section: str, name: str) -> frozenset[str]:
        """The keys of every spelling of one standard name (a spelling two names share counts for both)."""
        return frozenset(self.key(section, w) for w in self.variants[section].get(name, ()))

    def extended(self, extra: Any, source: str) -> "Vocabulary":
        """This vocabulary plus a rule set's 绩效目标表 → 标签 entries (more spellings of the same
        standard names, winning over the built-in ones); InputError naming the rule set otherwise."""
        from evaltool.core.errors import InputError

        path = f"{source}中“{NAME} → 标签"
        if not isinstance(extra, dict):
            raise InputError(f"{path}”应写成 分类: {{标准名称: [写法, …]}}，例如 {{指标列: {{指标值: [目标值（年度）]}}}}。")
        data = {k: (dict(v) if isinstance(v, dict) else v) for k, v in self.data.items()}
        for section, entries in extra.items():
            if section not in self.variants:
                raise InputError(f"{path} → {section}”不是可补充的分类；可补充：{'、'.join(self.variants)}。")
            if not isinstance(entries, dict):
                raise InputError(f"{path} → {section}”应写成 标准名称: [写法, …]。")
            for name, words in entries.items():
                if str(name) not in self.variants[section]:
                    raise InputError(f"{path} → {section} → {name}”不是标准名称；可用：{'、'.join(self.variants[section])}。")
                words = [words] if isinstance(words, (str, int, float)) else words
                if not isinstance(words, list):
                    raise InputError(f"{path} → {section} → {name}”应是写法的列表。")
                old = list(data[section].get(str(name)) or [])
                data[section][str(name)] = [str(w) for w in words] + old
        # the bureau's spelling first: keys are given to the first name that claims them
        for section, entries in extra.items():
            data[section] = {**{str(k): data[section][str(k)] for k in entries}, **data[section]}
        return Vocabulary(data)

    @staticmethod
    def key(section: str, word: Any) -> str:
        if section == "指标性质":
            return norm(word)
        if section == "资金行":
            return row_label_key(norm(word))
        return label_key(word)

    def lookup(self, section: str, value: Any) -> str | None:
        if not isinstance(value, str) or not value.strip():
            return None
        return self.sections[section].get(self.key(section, value))

    def is_title(self, value: Any) -> bool:
        return isinstance(value, str) and self.is_title_key(label_key(value))

    def is_title_key(self, key: str) -> bool:
        # "2025年度项目支出绩效目标表": the year in front of the title
        stripped = key.lstrip("0123456789").removeprefix("年度").removeprefix("年")
        return key in self.titles or stripped in self.titles

    def direction(self, value: Any) -> str | None:
        """The 指标性质 a cell names (≥ > ≤ < = 定性), or None."""
        return self.lookup("指标性质", value)


@functools.lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    import yaml

    # libyaml's loader where PyYAML has it (as workbook/layout.py): 1 ms instead of 6, paid by every
    # consolidation worker before its first file
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return Vocabulary(yaml.load(VOCABULARY_FILE.read_text("utf-8"), Loader=loader) or {})  # noqa: S506 - safe loader


@functools.lru_cache(maxsize=32)
def vocabulary_for(rules: str | None) -> Vocabulary:
    """The vocabulary a run reads with: the built-in one, extended by the rule set's 绩效目标表 → 标签."""
    base = vocabulary()
    if not rules:
        return base
    from evaltool.core.rules import load_rules

    rs = load_rules(rules)
    own = (rs.raw or {}).get(NAME)
    extra = own.get("标签") if isinstance(own, dict) else None
    return base.extended(extra, f"规则集“{rs.name}”") if extra else base
