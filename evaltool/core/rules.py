"""Rule sets: every number of the scoring rules, read from YAML data files.

Built-in sets live in evaltool/rules/*.yaml; a finance bureau can pass its own file (which may
say 继承: 国家标准 and give only what differs). Problems in a rule file raise RuleError with a
Chinese message naming the file and the key.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from evaltool.core.decimals import round_half_up, to_decimal
from evaltool.core.errors import InputError
from evaltool.core.sections import SECTION_CHECKS

# libyaml's safe loader when PyYAML was built with it: the national rule set parses in ~1 ms
# instead of ~10 ms, which every consolidation worker pays at its start.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

DEFAULT_RULES = "国家标准"


class RuleError(InputError):
    """A rule set that cannot be used; the message is Chinese and names the file and key."""


@dataclass(frozen=True)
class Band:
    name: str
    low: Decimal
    high: Decimal
    high_inclusive: bool
    words: tuple[str, ...]

    def contains(self, share: Decimal) -> bool:
        return self.low <= share and (share <= self.high if self.high_inclusive else share < self.high)


@dataclass(frozen=True)
class TotalCap:
    """One band of 总分上限: a project whose 执行率 (as the form shows it) is below `rate` (or at most
    `rate` when `inclusive`) gets a 总分 of at most `cap`, whatever its indicators add up to."""

    rate: Decimal
    inclusive: bool  # 执行率不高于 (True) or 执行率低于 (False)
    cap: Decimal

    def applies(self, rate: Decimal) -> bool:
        return rate <= self.rate if self.inclusive else rate < self.rate

    def condition(self) -> str:
        """'低于 70%' / '不高于 70%', as the explanation says it."""
        from evaltool.core.decimals import fmt_percent

        shown = fmt_percent(self.rate, 2).replace(".00%", "%")
        return f"{'不高于' if self.inclusive else '低于'} {shown}"


@dataclass(frozen=True)
class ExcessDeduction:
    """超额扣分: a quantitative indicator whose actual beats its target by at least `margin` (a share
    of the target, boundary included) loses `points`, or `share` of its weight: the target was set
    too low. For a ≤ target (less is better) beating it means an actual at most target × (1 − margin);
    an actual of 0 there is the goal itself (0 起事故) and never deducts. = targets never deduct."""

    margin: Decimal
    points: Decimal | None  # fixed points, or
    share: Decimal | None  # a share of the indicator's weight
    reason: str
    reverse: bool  # also for ≤ targets


# 抽查 (evaltool collect --review): each risk a project can show, its rule-set key and default weight.
# Weights are points of a risk score (higher = look at it first); 0 switches a risk off.
REVIEW_RISKS = {
    "高分低执行率": Decimal(30),  # 总分 high while 执行率 is low
    "定性全部达成": Decimal(15),  # every qualitative indicator self-graded in the top band
    "大幅超额": Decimal(10),  # an actual beating its target far (target set too low)
    "报告与表不符": Decimal(25),  # the unit's report .docx contradicts its form
    "填报得分不符": Decimal(20),  # typed scores that disagree with the rule
    "文字雷同": Decimal(20),  # the same 偏差原因 / 完成情况 text in another unit's form
}
REVIEW_KEYS = ("风险权重", "高分低执行率", "定性全部达成", "大幅超额", "文字雷同", "复核结论")
# The 复核意见 sheet's 复核结论 drop-down (rule-set key 抽查 → 复核结论 replaces it).
REVIEW_CONCLUSIONS = ("属实，维持自评结果", "部分属实，调整得分", "不属实，退回重新自评", "需补充材料")


@dataclass(frozen=True)
class ReviewRules:
    """What `collect --review` counts as a risk, and how much each weighs (rule-set key 抽查)."""

    weights: dict[str, Decimal]
    high_total: Decimal  # 高分低执行率: 总分 at least this …
    low_rate: Decimal  # … with 执行率 below this
    qual_min: int  # 定性全部达成: only with at least this many qualitative indicators
    far_margin: Decimal  # 大幅超额: actual beats its target by at least this share
    same_text_chars: int  # 文字雷同: texts shorter than this (after folding spaces and punctuation) are ignored
    conclusions: tuple[str, ...] = REVIEW_CONCLUSIONS  # 复核结论 choices of the 复核意见 sheet


def _review_rules(raw: Any, source: str) -> ReviewRules:
    raw = raw if raw is not None else {}
    if not isinstance(raw, dict):
        raise RuleError(f"{source}中“抽查”应是“键: 值”的表，可用的键：{'、'.join(REVIEW_KEYS)}")
    _unknown_keys(source, "抽查", raw, REVIEW_KEYS)

    def sub(key: str, known: tuple[str, ...]) -> dict:
        value = raw.get(key) or {}
        if not isinstance(value, dict):
            raise RuleError(f"{source}中“抽查 → {key}”应是“键: 值”的表，可用的键：{'、'.join(known)}")
        _unknown_keys(source, f"抽查 → {key}", value, known)
        return value

    given = sub("风险权重", tuple(REVIEW_RISKS))
    weights = {k: _rule_number(source, f"抽查 → 风险权重 → {k}", given[k], Decimal(0), Decimal(1000), "分数")
               if k in given else v for k, v in REVIEW_RISKS.items()}
    hl = sub("高分低执行率", ("总分不低于", "执行率低于"))
    qual = sub("定性全部达成", ("至少",))
    far = sub("大幅超额", ("超出比例",))
    same = sub("文字雷同", ("最短字数",))

    def whole(path: str, value: Any, default: int) -> int:
        if value is None:
            return default
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 10000:
            raise RuleError(f"{source}中“{path}”应为 1 到 10000 的整数，现为“{value}”")
        return value

    return ReviewRules(
        conclusions=_conclusions(raw.get("复核结论"), source),
        weights=weights,
        high_total=_rule_number(source, "抽查 → 高分低执行率 → 总分不低于", hl.get("总分不低于", 90),
                                Decimal(0), Decimal(1000), "分数"),
        low_rate=_rule_number(source, "抽查 → 高分低执行率 → 执行率低于", hl.get("执行率低于", "0.8"),
                              Decimal(0), Decimal(10), "比例（0.8 即 80%）"),
        qual_min=whole("抽查 → 定性全部达成 → 至少", qual.get("至少"), 2),
        far_margin=_rule_number(source, "抽查 → 大幅超额 → 超出比例", far.get("超出比例", "0.5"),
                                Decimal(0), Decimal(100), "比例（0.5 即 50%）"),
        same_text_chars=whole("抽查 → 文字雷同 → 最短字数", same.get("最短字数"), 12),
    )


def _conclusions(raw: Any, source: str) -> tuple[str, ...]:
    """抽查 → 复核结论: the drop-down's choices. Excel keeps a typed list in one formula of at most 255
    characters with "," between the choices, so a choice holds no half-width comma or quote."""
    if raw is None:
        return REVIEW_CONCLUSIONS
    example = "例如 [属实，维持自评结果, 部分属实，调整得分, 不属实，退回重新自评]"
    if not isinstance(raw, list) or not raw:
        raise RuleError(f"{source}中“抽查 → 复核结论”应是复核结论的列表，{example}")
    out: list[str] = []
    for n, item in enumerate(raw, 1):
        text = str(item).strip() if isinstance(item, (str, int, float)) and not isinstance(item, bool) else ""
        if not text:
            raise RuleError(f"{source}中“抽查 → 复核结论”的第 {n} 项应为一句结论，{example}")
        if "," in text or '"' in text:
            raise RuleError(f"{source}中“抽查 → 复核结论”的“{text}”含有半角逗号或引号，下拉列表会把它拆开；"
                            "请改用全角逗号“，”或去掉引号")
        if text in out:
            raise RuleError(f"{source}中“抽查 → 复核结论”的“{text}”重复出现，请只写一次")
        out.append(text)
    if len(",".join(out)) > 255:
        raise RuleError(f"{source}中“抽查 → 复核结论”共 {len(','.join(out))} 个字（含分隔），Excel 的下拉列表最多 "
                        "255 个字，请缩短或减少几项")
    return tuple(out)


def _result_use(raw: Any, source: str, grade_names: list[str]) -> dict[str, str]:
    """结果应用: {等次: 建议} (what the grade means for next year's budget)."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise RuleError(f"{source}中“结果应用”应按等次写建议，例如 {{优: 优先保障, 差: 取消或大幅压减}}")
    out = {}
    for grade, text in raw.items():
        if str(grade) not in grade_names:
            raise RuleError(f"{source}中“结果应用”的“{grade}”不是本规则集的等次（等次有：{'、'.join(grade_names)}）")
        if not isinstance(text, (str, int, float)) or not str(text).strip():
            raise RuleError(f"{source}中“结果应用 → {grade}”应为一句建议，例如“优先保障”")
        out[str(grade)] = str(text).strip()
    return out


TOTAL_CAP_KEYS = ("执行率低于", "执行率不高于", "总分不超过")
EXCESS_KEYS = ("超出比例", "扣分", "扣分比例", "理由", "反向指标")


@dataclass
class RuleSet:
    id: str
    name: str
    description: str
    places: int
    rate_places: int
    rate_weight: Decimal
    level1_weights: dict[str, Decimal]
    framework: dict[str, list[str]]
    aliases: dict[str, str]
    rate_method: str  # 比例 | 分档
    rate_cap: Decimal
    rate_bands: list[tuple[Decimal, Decimal]]  # (不低于, 得分比例), highest first
    far_above: Decimal
    no_direction: str  # eq | ge | le
    qual_default: str  # 上限 | 中值 | 下限
    qual_bands: list[Band]
    tiers: dict[str, Decimal]
    grades: list[tuple[str, Decimal]]  # (名称, 不低于), highest first
    source: str = ""
    raw: dict[str, Any] = field(default_factory=dict)
    # Applied after the indicator scores (core scoring of the 自评表): none in the national rules.
    total_caps: list[TotalCap] = field(default_factory=list)  # strictest (lowest cap) first
    excess: ExcessDeduction | None = None
    review: ReviewRules | None = None  # 抽查 (collect --review); defaults when the rule set has no 抽查
    result_use: dict[str, str] = field(default_factory=dict)  # 结果应用: 等次 -> suggestion
    # 定性计分: words that may stand beside a grade word (效果明显), and the words that explain why a
    # phrase names no grade (不达标: negation; 延期完成: delay).
    qual_neutral: tuple[str, ...] = ()
    qual_negations: tuple[str, ...] = ()
    qual_delays: tuple[str, ...] = ()

    def total_cap_for(self, rate: Decimal | None) -> TotalCap | None:
        """The strictest 总分上限 band a 执行率 falls in (None: no cap)."""
        if rate is None:
            return None
        return next((c for c in self.total_caps if c.applies(rate)), None)

    # ---- vocabulary -------------------------------------------------------------------------
    def canonical_level1(self, name: str) -> str:
        return canonical_name(name, self.level1_weights, self.aliases)

    def canonical_level2(self, name: str, level1: str | None = None) -> str:
        name = clean_label(name)
        allowed = self.framework.get(level1 or "", [])
        if name in allowed:
            return name
        alias = self.aliases.get(name)
        if alias and (not allowed or alias in allowed):
            return alias
        if name + "指标" in allowed:
            return name + "指标"
        return name

    def grade_of(self, text: str) -> Band | None:
        """The qualitative band a clerk's words name, or None (see grade_reading)."""
        return self.grade_reading(text)[0]

    def grade_reading(self, text: str) -> tuple[Band | None, str]:
        """(band, why not): the band a clerk's words name, else None and why ("" for an unknown phrase,
        else e.g. “含否定词“不””). Cached per rule set: the same few grade words fill most qualitative rows.

        A phrase names a band only when it IS one of the band's words (定性计分 → 等级 → 词汇) or is made
        of such words and neutral words (定性计分 → 中性词: 效果, 改善…; punctuation separates), all of one
        band: 效果明显, 已完成，效果显著. A word is never found inside a longer phrase, so 不达标, 效果不明显,
        延期完成 name no band (they used to score full marks); nor do words of two bands together.
        """
        cache = self.__dict__.setdefault("_grade_cache", {})
        hit = cache.get(text)
        if hit is None:
            hit = self._grade_reading(text)
            if len(cache) < 4096:  # a consolidation's free-text phrases must not grow it without end
                cache[text] = hit
        return hit

    def _qual_vocabulary(self) -> tuple[dict[str, Band], frozenset[str], int]:
        """(grade word -> band, neutral words, longest piece); the first band listing a word wins."""
        vocab = self.__dict__.get("_qual_vocab")
        if vocab is None:
            words: dict[str, Band] = {}
            for band in self.qual_bands:
                for word in (band.name, *band.words):
                    words.setdefault(_qual_norm(word), band)
            neutral = frozenset(_qual_norm(w) for w in self.qual_neutral) - {""}
            longest = max(map(len, [*words, *neutral, "x"]))
            vocab = self.__dict__["_qual_vocab"] = (words, neutral, longest)
        return vocab

    def _grade_reading(self, text: str) -> tuple[Band | None, str]:
        s = _qual_norm(text)
        words, neutral, longest = self._qual_vocabulary()
        if not s:
            return None, ""
        if s in words:
            return words[s], ""
        # Fewest pieces covering the whole phrase: grade words (two characters or more — "优", "是"
        # only as the whole entry), neutral words and separators.
        best: list[tuple[Band | None, ...] | None] = [None] * (len(s) + 1)
        best[0] = ()
        for i in range(len(s)):
            done = best[i]
            if done is None:
                continue
            for j in range(i + 1, min(len(s), i + longest) + 1):
                piece = s[i:j]
                if piece in _QUAL_SEPARATORS or piece in neutral:
                    tok: Band | None = None
                elif len(piece) > 1 and piece in words:
                    tok = words[piece]
                else:
                    continue
                if best[j] is None or len(done) + 1 < len(best[j] or ()):
                    best[j] = (*done, tok)
        found = {b for b in best[len(s)] or () if b is not None}
        if len(found) == 1:
            return found.pop(), ""
        why = self._qual_why(s, words, neutral)
        if not why and len(found) > 1:
            why = "同时含有属于不同等级的说法（" + "、".join(f"“{b.name}”" for b in self.qual_bands if b in found) + "）"
        return None, why

    def _qual_why(self, s: str, words: dict[str, Band], neutral: frozenset[str]) -> str:
        """Why a phrase names no band: a word of delay, a negation outside the listed words, two grades."""
        for word in self.qual_delays:
            if word and word in s:
                return f"含“{word}”，表示未按期完成"
        covered = [False] * len(s)
        for word in [*(w for w in words if len(w) > 1), *neutral]:
            start = s.find(word)
            while start >= 0:
                covered[start:start + len(word)] = [True] * len(word)
                start = s.find(word, start + 1)
        for i in range(len(s)):
            if covered[i]:
                continue
            for neg in self.qual_negations:
                if neg and s.startswith(neg, i):
                    after = next((w for w in sorted(words, key=len, reverse=True)
                                  if len(w) > 1 and s.startswith(w, i + len(neg))), "")
                    return (f"含否定词“{neg}”，不能按“{after}”计分" if after else f"含否定词“{neg}”")
        return ""

    def band_named(self, name: str) -> Band | None:
        return next((b for b in self.qual_bands if b.name == name), None)

    def grade_for_total(self, total: Decimal) -> str:
        for name, floor in self.grades:
            if total >= floor:
                return name
        return self.grades[-1][0]

    @property
    def total_weight(self) -> Decimal:
        return self.rate_weight + sum(self.level1_weights.values(), Decimal(0))


# Separators between the parts of a qualitative phrase ("已完成，效果显著"), after NFKC (， -> ,).
_QUAL_SEPARATORS = frozenset(",、;/")
_QUAL_EDGES = " .!;,、:。"


def _qual_norm(text: str) -> str:
    """A grade phrase as compared: NFKC (fullwidth -> halfwidth), no spaces, no punctuation at the ends."""
    return "".join(unicodedata.normalize("NFKC", str(text)).split()).strip(_QUAL_EDGES)


def canonical_name(name: Any, known: Collection[str], aliases: dict[str, str]) -> str:
    """The cleaned name if known, else what its alias stands for if that is known, else the cleaned name."""
    text = clean_label(name)
    if text in known:
        return text
    alias = aliases.get(text)
    return alias if alias is not None and alias in known else text


def clean_label(name: Any) -> str:
    return _clean_text(name if isinstance(name, str) else str(name or ""))


@functools.lru_cache(maxsize=4096)
def _clean_text(name: str) -> str:
    """'产出指标 (50分)' -> '产出指标'; full-width and spaces folded."""
    import unicodedata

    text = unicodedata.normalize("NFKC", name)
    text = re.sub(r"\s+", "", text)
    return re.sub(r"[(（][^)）]*分[)）]$", "", text)


@functools.lru_cache(maxsize=1)
def _builtin_ids() -> tuple[str, ...]:
    folder = resources.files("evaltool") / "rules"
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml")))


def builtin_ids() -> list[str]:
    return list(_builtin_ids())


def _read_yaml(ref: str) -> tuple[dict[str, Any], str]:
    path = Path(ref)
    if ref in builtin_ids():
        text = (resources.files("evaltool") / "rules" / f"{ref}.yaml").read_text("utf-8")
        source = f"内置规则集“{ref}”"
    elif path.suffix.lower() in (".yaml", ".yml") or path.exists():
        if not path.is_file():
            raise RuleError(f"找不到规则文件：{ref}。内置规则集有：{'、'.join(builtin_ids())}")
        try:
            text = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            from evaltool.core.messages import exception_text

            raise RuleError(f"规则文件 {ref} 无法读取（{exception_text(exc)}）：应为 UTF-8 编码的 YAML 文本。") from None
        source = f"规则文件 {ref}"
    else:
        raise RuleError(f"没有名为“{ref}”的规则集。内置规则集有：{'、'.join(builtin_ids())}；也可以给出 .yaml 文件路径。")
    try:
        data = yaml.load(text, Loader=_YAML_LOADER)  # noqa: S506 - a safe loader, C or Python
    except yaml.YAMLError as exc:
        from evaltool.core.messages import yaml_problem

        raise RuleError(f"{source}不是有效的 YAML，{yaml_problem(exc)}。请检查冒号、缩进和引号。") from None
    if not isinstance(data, dict):
        raise RuleError(f"{source}的内容应是“键: 值”的表，例如“编号: 我的规则”")
    return data, source


def _merge(base: Any, over: Any) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for key, value in over.items():
            if value is None:  # "满意度指标: ~" (or left empty) removes what the parent set
                out.pop(key, None)
            else:
                out[key] = _merge(base.get(key), value) if key in base else value
        return out
    if (isinstance(base, list) and isinstance(over, list) and over
            and all(isinstance(x, dict) and "名称" in x for x in base + over)):
        # Lists of named items (qualitative bands) merge by name, keeping the override's order.
        by_name = {x["名称"]: x for x in base}
        return [_merge(by_name.get(x["名称"], {}), x) for x in over]
    return over


def _inherit(base: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """A child rule set over its parent. A child with grades of its own (优秀/良好/合格/不合格) does
    not inherit the parent's 结果应用 for grades it does not have: they would make it fail to load.
    Nor does it inherit the parent's 名称: a child without one is named by its 编号, never by the
    parent's official title (its rules differ)."""
    data = _merge(base, {k: v for k, v in child.items() if k != "继承"})
    if "名称" not in child:
        data.pop("名称", None)
    grades, use = child.get("等次"), data.get("结果应用")
    if isinstance(grades, list) and isinstance(use, dict):
        names = {str(g.get("名称")) for g in grades if isinstance(g, dict)}
        given = child.get("结果应用")
        own: dict = given if isinstance(given, dict) else {}
        data["结果应用"] = {k: v for k, v in use.items() if str(k) in names or k in own}
    return data


def _resolve(ref: str, seen: tuple[str, ...] = ()) -> tuple[dict[str, Any], str]:
    if ref in seen:
        raise RuleError(f"规则集的“继承”形成了循环：{' → '.join(seen + (ref,))}")
    data, source = _read_yaml(ref)
    parent = data.get("继承")
    if parent:
        base, _ = _resolve(str(parent), seen + (ref,))
        data = _inherit(base, data)
    return data, source


def load_rules(ref: str | None = None) -> RuleSet:
    """Load a rule set by built-in id or file path (None = the national default).

    Parsed once per process for each file version (keyed by path and modification time), since
    Excel buttons and the consolidation score many projects with the same few rule sets. A file's
    sections for each form kind are checked once the kinds' registry (core/kinds.py) is imported —
    every command reading a form imports it before it scores one.
    """
    ref = str(ref) if ref else DEFAULT_RULES
    stamp = None
    if ref not in builtin_ids():
        try:
            stamp = Path(ref).stat().st_mtime_ns
        except OSError:
            stamp = None
    return _check_sections(_load_rules_cached(ref, stamp))


@functools.lru_cache(maxsize=64)
def _load_rules_cached(ref: str, _stamp: int | None) -> RuleSet:
    data, source = _resolve(ref)
    rules = _build(data, source)
    if ref not in builtin_ids():
        rules.__dict__[_WRITTEN] = _written(ref)
    return rules


# Each form kind's own section of a rule file (运行监控, 部门整体, 绩效目标表, 评分表) is checked when the
# file is loaded, whatever form is being read: a bureau's one province file must not pass a 自评表
# check in spring and first fail on its 监控表 in July. The kinds' registry (core/kinds.py) hands the
# check in when it is imported — the rules never import the kinds. Built-in sets are checked by tests.
_WRITTEN = "_written_keys"  # RuleSet.__dict__ key: the top-level keys the rule file(s) wrote themselves
_CHECKED = "_sections_checked"


def _written(ref: str, seen: tuple[str, ...] = ()) -> frozenset[str]:
    if ref in builtin_ids() or ref in seen:
        return frozenset()
    data, _ = _read_yaml(ref)
    parent = data.get("继承")
    return frozenset(map(str, data)) | (_written(str(parent), seen + (ref,)) if parent else frozenset())


def _check_sections(rules: RuleSet) -> RuleSet:
    written = rules.__dict__.get(_WRITTEN)
    if written and SECTION_CHECKS and not rules.__dict__.get(_CHECKED):
        for check in SECTION_CHECKS:
            check(rules, written)
        rules.__dict__[_CHECKED] = True  # once per loaded file version (the rule set is cached)
    return rules


def _plain(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _build(d: dict[str, Any], source: str) -> RuleSet:
    def need(path: str) -> Any:
        node: Any = d
        for key in path.split("."):
            if not isinstance(node, dict) or key not in node:
                raise RuleError(f"{source}缺少“{path.replace('.', ' → ')}”")
            node = node[key]
        return node

    def num(path: str, value: Any = None) -> Decimal:
        value = need(path) if value is None else value
        dec = to_decimal(value)
        if dec is None:
            raise RuleError(f"{source}中“{path.replace('.', ' → ')}”应为数字，现为“{value}”")
        return dec

    def places(path: str, most: int = 6) -> int:
        value = need(path)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= most:
            raise RuleError(f"{source}中“{path}”应为 0 到 {most} 的整数，现为“{value}”")
        return value

    weights = need("权重.一级指标")
    if not isinstance(weights, dict) or not any(v is not None for v in weights.values()):
        raise RuleError(f"{source}中“权重 → 一级指标”应列出各一级指标及其分值")
    # A 一级 given as ~ (null) is removed, here as in a child rule set (see _merge).
    level1 = {str(k): num(f"权重.一级指标.{k}") for k, v in weights.items() if v is not None}
    rate_weight = num("权重.预算执行率")
    full = num("满分") if d.get("满分") is not None else Decimal(100)
    for name, value in [("预算执行率", rate_weight), *level1.items()]:
        if value < 0:
            raise RuleError(f"{source}中“{name}”的分值为 {_plain(value)}，不能为负数。")
    total = rate_weight + sum(level1.values(), Decimal(0))
    if total != full:
        parts = " + ".join(f"{k} {_plain(v)}" for k, v in [("预算执行率", rate_weight), *level1.items()])
        raise RuleError(f"{source}的分值合计为 {_plain(total)} 分（{parts}），应为 {_plain(full)} 分。"
                        "请调整“权重”中的分值，使预算执行率与各一级指标的分值之和等于满分"
                        "（不用的一级指标写“~”即可去掉）。")
    framework_raw = d.get("指标体系") or {}
    # The vocabulary of a removed 一级 goes with it.
    framework = {str(k): [str(x) for x in (v or [])] for k, v in framework_raw.items()
                 if v is not None and str(k) in level1}
    method = str(need("执行率计分.方式"))
    if method not in ("比例", "分档"):
        raise RuleError(f"{source}中“执行率计分 → 方式”应为“比例”或“分档”，现为“{method}”")
    rate_bands = []
    for i, item in enumerate(d.get("执行率计分", {}).get("分档") or []):
        if not isinstance(item, dict):
            raise RuleError(f"{source}中“执行率计分 → 分档”第 {i + 1} 项应写成 {{不低于: 0.9, 得分比例: 0.9}}")
        rate_bands.append((num(f"执行率计分.分档[{i + 1}].不低于", item.get("不低于")),
                           num(f"执行率计分.分档[{i + 1}].得分比例", item.get("得分比例"))))
    rate_bands.sort(key=lambda x: x[0], reverse=True)
    if method == "分档" and not rate_bands:
        raise RuleError(f"{source}选择了分档计分，但“执行率计分 → 分档”是空的")

    bands = []
    for i, item in enumerate(need("定性计分.等级")):
        if not isinstance(item, dict) or "名称" not in item:
            raise RuleError(f"{source}中“定性计分 → 等级”第 {i + 1} 项应有 名称、下限、上限")
        label = f"定性计分.等级[{item['名称']}]"
        bands.append(Band(
            name=str(item["名称"]),
            low=num(label + ".下限", item.get("下限")),
            high=num(label + ".上限", item.get("上限")),
            high_inclusive=bool(item.get("含上限", False)),
            words=tuple(str(w) for w in item.get("词汇") or ()),
        ))
    qual_words = {key: _word_list(d, source, "定性计分", key) for key in ("中性词", "否定词", "延误词")}
    qual_default = str(d.get("定性计分", {}).get("未填得分取值", "上限"))
    if qual_default not in ("上限", "中值", "下限"):
        raise RuleError(f"{source}中“定性计分 → 未填得分取值”应为 上限、中值 或 下限")
    no_dir = {"等于": "eq", "正向": "ge", "反向": "le"}.get(str(d.get("定量计分", {}).get("无方向按", "等于")))
    if no_dir is None:
        raise RuleError(f"{source}中“定量计分 → 无方向按”应为 等于、正向 或 反向")
    grades = []
    for i, item in enumerate(need("等次")):
        if not isinstance(item, dict) or "名称" not in item:
            raise RuleError(f"{source}中“等次”第 {i + 1} 项应写成 {{名称: 优, 不低于: 90}}")
        grades.append((str(item["名称"]), num(f"等次[{item['名称']}].不低于", item.get("不低于"))))
    grades.sort(key=lambda x: x[1], reverse=True)
    tiers = {str(k): num(f"分级标准.{k}", v) for k, v in (d.get("分级标准") or {}).items()}
    total_caps = _total_caps(d.get("总分上限"), source, full)
    excess = _excess(d.get("超额扣分"), source)
    review = _review_rules(d.get("抽查"), source)
    result_use = _result_use(d.get("结果应用"), source, [name for name, _ in grades])
    aliases = {str(k): str(v) for k, v in (d.get("别名") or {}).items()}
    return RuleSet(
        id=str(need("编号")),
        name=str(d.get("名称") or d["编号"]),
        description=str(d.get("说明") or ""),
        places=places("小数位", 4),  # scores: what the 设置 sheet allows too (E-PLACES)
        rate_places=places("执行率小数位"),
        rate_weight=rate_weight,
        level1_weights=level1,
        framework=framework,
        aliases=aliases,
        rate_method=method,
        rate_cap=num("执行率计分.封顶") if "封顶" in d.get("执行率计分", {}) else Decimal(1),
        rate_bands=rate_bands,
        far_above=num("定量计分.超额预警") if "超额预警" in d.get("定量计分", {}) else Decimal("0.2"),
        no_direction=no_dir,
        qual_default=qual_default,
        qual_bands=bands,
        tiers=tiers,
        grades=grades,
        source=source,
        raw=d,
        total_caps=total_caps,
        excess=excess,
        review=review,
        result_use=result_use,
        qual_neutral=qual_words["中性词"],
        qual_negations=qual_words["否定词"],
        qual_delays=qual_words["延误词"],
    )


def _word_list(d: dict[str, Any], source: str, section: str, key: str) -> tuple[str, ...]:
    value = (d.get(section) or {}).get(key) if isinstance(d.get(section), dict) else None
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(x, (str, int)) for x in value):
        raise RuleError(f"{source}中“{section} → {key}”应写成词语列表，例如 [效果, 改善]")
    # Longest first: 尚未 is named before 未.
    return tuple(sorted({str(x).strip() for x in value if str(x).strip()}, key=len, reverse=True))


def _rule_number(source: str, path: str, value: Any, low: Decimal | None = None,
                 high: Decimal | None = None, what: str = "数字") -> Decimal:
    dec = to_decimal(value)
    if dec is None or (low is not None and dec < low) or (high is not None and dec > high):
        if low is not None and high is not None:
            what = f"{_plain(low)} 到 {_plain(high)} 之间的{what}"
        elif low is not None:
            what = f"不小于 {_plain(low)} 的{what}"
        shown = "空" if value is None else f"“{value}”"
        raise RuleError(f"{source}中“{path}”应为{what}，现为{shown}")
    return dec


def _unknown_keys(source: str, path: str, item: dict, known: tuple[str, ...]) -> None:
    extra = [str(k) for k in item if k not in known]
    if extra:
        raise RuleError(f"{source}中“{path}”有不认识的键“{'、'.join(extra)}”；可用的键：{'、'.join(known)}")


def _total_caps(raw: Any, source: str, full: Decimal) -> list[TotalCap]:
    """总分上限: [{执行率低于: 0.7, 总分不超过: 79}, …] (or 执行率不高于 for an inclusive bound)."""
    if raw is None:
        return []
    example = "{执行率低于: 0.8, 总分不超过: 89}"
    if not isinstance(raw, list):
        raise RuleError(f"{source}中“总分上限”应是分档列表，每档写成 {example}")
    caps = []
    for i, item in enumerate(raw):
        path = f"总分上限 → 第 {i + 1} 档"
        if not isinstance(item, dict):
            raise RuleError(f"{source}中“{path}”应写成 {example}")
        _unknown_keys(source, path, item, TOTAL_CAP_KEYS)
        bounds = [k for k in ("执行率低于", "执行率不高于") if k in item]
        if len(bounds) != 1:
            raise RuleError(f"{source}中“{path}”应写明“执行率低于”或“执行率不高于”之一（不能都写），例如 {example}")
        if "总分不超过" not in item:
            raise RuleError(f"{source}中“{path}”缺少“总分不超过”，例如 {example}")
        rate = _rule_number(source, f"{path} → {bounds[0]}", item[bounds[0]], Decimal(0), Decimal(10),
                            "比例（0.7 即 70%）")
        cap = _rule_number(source, f"{path} → 总分不超过", item["总分不超过"], Decimal(0), full, "分数")
        caps.append(TotalCap(rate=rate, inclusive=bounds[0] == "执行率不高于", cap=cap))
    # The strictest band a rate falls in wins, so the lowest caps are looked at first.
    caps.sort(key=lambda c: (c.cap, c.rate))
    return caps


def _excess(raw: Any, source: str) -> ExcessDeduction | None:
    """超额扣分: {超出比例: 0.3, 扣分: 2, 理由: 目标设置偏低, 反向指标: true}."""
    if raw is None:
        return None
    example = "{超出比例: 0.3, 扣分: 2, 理由: 目标设置偏低}"
    if not isinstance(raw, dict):
        raise RuleError(f"{source}中“超额扣分”应写成 {example}")
    _unknown_keys(source, "超额扣分", raw, EXCESS_KEYS)
    if "超出比例" not in raw:
        raise RuleError(f"{source}中“超额扣分”缺少“超出比例”（0.3 即实际超出目标 30% 及以上扣分），例如 {example}")
    margin = _rule_number(source, "超额扣分 → 超出比例", raw["超出比例"], Decimal(0), Decimal(100),
                          "比例（0.3 即 30%）")
    if margin <= 0:
        raise RuleError(f"{source}中“超额扣分 → 超出比例”应大于 0，现为“{raw['超出比例']}”")
    given = [k for k in ("扣分", "扣分比例") if raw.get(k) is not None]
    if len(given) != 1:
        raise RuleError(f"{source}中“超额扣分”应写明“扣分”（分数）或“扣分比例”（占该指标分值的比例）之一，"
                        f"例如 {example}")
    points = share = None
    if given[0] == "扣分":
        points = _rule_number(source, "超额扣分 → 扣分", raw["扣分"], Decimal(0), Decimal(100), "分数")
    else:
        share = _rule_number(source, "超额扣分 → 扣分比例", raw["扣分比例"], Decimal(0), Decimal(1),
                             "比例（0.2 即该指标分值的 20%）")
    reason = raw.get("理由", "目标设置偏低")
    if not isinstance(reason, str) or not reason.strip():
        raise RuleError(f"{source}中“超额扣分 → 理由”应为一句说明，例如“目标设置偏低”")
    reverse = raw.get("反向指标", True)
    if not isinstance(reverse, bool):
        raise RuleError(f"{source}中“超额扣分 → 反向指标”应为 true 或 false，现为“{reverse}”")
    return ExcessDeduction(margin=margin, points=points, share=share, reason=reason.strip(), reverse=reverse)


MAX_RULES_TEXT = 64 * 1024  # a whole rule set is ~3 KB of YAML


def rules_from_text(text: str, source: str = "随请求提交的规则集") -> RuleSet:
    """A rule set given as YAML text (what `evaltool serve` accepts instead of a path). Its 继承 may
    name only a built-in rule set, so such a text can never make evaltool open a file."""
    if not isinstance(text, str) or not text.strip():
        raise RuleError(f"{source}是空的。请给出规则集的 YAML 文本，或改用内置规则集：{'、'.join(builtin_ids())}。")
    if len(text) > MAX_RULES_TEXT:
        raise RuleError(f"{source}超过 {MAX_RULES_TEXT // 1024} KB，不像规则集（完整的规则集约 3 KB）。")
    try:
        # Anchors and aliases (&a / *a) can multiply a small text into a huge tree: refused.
        if any(isinstance(ev, yaml.AliasEvent) for ev in yaml.parse(text, Loader=yaml.SafeLoader)):
            raise RuleError(f"{source}中使用了 YAML 别名（*名称），请把内容直接写出来。")
        data = yaml.load(text, Loader=_YAML_LOADER)  # noqa: S506 - a safe loader, C or Python
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行" if mark else ""
        raise RuleError(f"{source}{where}不是有效的 YAML：{getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, dict):
        raise RuleError(f"{source}的内容应是“键: 值”的表，例如“编号: 我的规则”")
    data_own = tuple(data)
    parent = data.get("继承")
    if parent:
        if str(parent) not in builtin_ids():
            raise RuleError(f"{source}的“继承”只能写内置规则集（{'、'.join(builtin_ids())}），不能写“{parent}”。")
        base, _ = _resolve(str(parent))
        data = _inherit(base, data)
    rules = _build(data, source)
    rules.__dict__[_WRITTEN] = frozenset(map(str, data_own))
    return _check_sections(rules)


def capped_score(rules: RuleSet, weight: Decimal, share: Decimal) -> Decimal:
    """weight × share, share held to [0, 1], rounded half-up to the rule set's places (every kind's
    scorer gives points this way)."""
    share = max(Decimal(0), min(share, Decimal(1)))
    return round_half_up(weight * share, rules.places)
