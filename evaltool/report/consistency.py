"""Report ↔ table consistency: every number with a unit in a text, checked against the form.

Pure (no Word, no Excel). A text is split into sentences; each number with a unit (万元, %, 个, 次, 场,
期, 条, 分 …) becomes a Mention. A mention is attributed to a fact of the form — an entity (the
project's funds, 执行率, 总分, a 一级/二级 subtotal, an indicator) and an attribute (预算, 执行, 分值,
得分, 年度指标值, 实际完成值) — from the words before it: the nearest attribute keyword since the
previous number, and the nearest entity name in the sentence (or, for counts and percentages, the
indicator whose name best matches the words around the number). A mention that contradicts its fact
is an error quoting the sentence and the cell. Three further checks need no table value:
"A ÷ B = C%" and "…X 万元…Y 万元，占 Z%" arithmetic; the same quantity stated twice with different
values (seed 002: 新闻发布会 14 场 / 15 期); a stated 等次 that differs from the computed one.
Numbers the checker cannot attribute are left alone: a narrative is full of figures the form
does not hold, and a false alarm teaches clerks to ignore the checker.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from evaltool.core import values
from evaltool.core.decimals import fmt, round_half_up
from evaltool.core.model import FUND_ROWS, Finding, Location, Project, ScoreResult
from evaltool.report.context import PLACEHOLDER_RE

# ---- units ----------------------------------------------------------------------------------------
# Counts whose units are interchangeable in prose (14 场 / 15 期 of the same 新闻发布会).
COUNT_GROUPS = [("次", "场", "期", "届", "轮"), ("个", "项", "件", "处", "家", "所"), ("条", "篇", "则"),
                ("人", "名"), ("人次",), ("天", "日"), ("份", "本", "册"), ("台", "套"), ("起",)]
COUNT_UNITS = [u for g in COUNT_GROUPS for u in g if u != "日"]
UNIT_GROUP = {u: g[0] for g in COUNT_GROUPS for u in g}

_NUM = r"(?<![\d.A-Za-z])(\d+(?:,\d{3})*(?:\.\d+)?)"
_UNIT_ALT = "|".join(sorted(["亿元", "万元", "千元", "元", "%", "个百分点"] + COUNT_UNITS + ["分"], key=len, reverse=True))
MENTION_RE = re.compile(
    _NUM + r"\s*(?P<approx1>余|多)?\s*(?:(?P<mult>万|亿)(?!元)\s*(?P<approx2>余|多)?\s*)?"
    rf"(?P<unit>{_UNIT_ALT})(?P<after>以上|以下|以内|左右)?"
)
# A score right after its word with no unit ("自评得分 89.5，"), as the 部门整体 report lists its projects
BARE_SCORE_RE = re.compile(r"(?:得分|总分|评分)(?:为|是)?\s*(\d+(?:\.\d+)?)(?![\d.]|\s*(?:分|%|万|亿|元|个|项|人|次|名))")
# "分" is a unit only when it is not the start of 分钟/分别/分析/分配/分类 …
_FEN_NOT = set("钟别析配类解享批管布成为之化期摊担档项散支局公院部值段")
# A "个" after a number that is an ordinal or part of a name: 第3个, 12345热线.
SENTENCE_END = re.compile(r"(?<=[。！？；;!?\n])")
DIRECTION_BEFORE = [("大于等于", "ge"), ("不低于", "ge"), ("不少于", "ge"), ("至少", "ge"), ("超过", "ge"),
                    ("大于", "ge"), ("高于", "ge"), ("达到", None), ("≥", "ge"), (">=", "ge"), (">", "ge"),
                    ("不超过", "le"), ("不高于", "le"), ("控制在", "le"), ("小于", "le"), ("低于", "le"),
                    ("≤", "le"), ("<=", "le"), ("<", "le"), ("=", None), ("约", "approx"), ("近", "approx")]
LEAD_STRIP = re.compile(r"^(?:\d{4}年度?|全年|本年度?|年内|今年|累计|共计|合计|共|其中|已|均|另|全部|还|又|并|和|及|与|、)+")


_KEEP_FULLWIDTH = set("，：；（）！？")
_HALF = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F) if chr(cp) not in _KEEP_FULLWIDTH}
_HALF[0x3000] = 0x20


def _norm(text: str) -> str:
    """Full-width digits, letters and signs to ASCII; Chinese punctuation stays, so quotes are verbatim."""
    return text.translate(_HALF)


# ---- facts ----------------------------------------------------------------------------------------
@dataclass
class Fact:
    entity: str  # key, e.g. "funds", "rate", "total", "L1:产出指标", "IND:3"
    attr: str  # budget initial actual unexecuted adjust arrived | value | weight score | target actual | count
    value: Decimal
    family: str  # money | percent | score | count:<group> | other:<unit>
    label: str  # Chinese, for messages: 自评表“年度资金总额”的全年执行数
    location: Location = field(default_factory=Location)
    places: int | None = None  # how the form shows it (None: as is)
    direction: str | None = None  # for targets: ge le eq


@dataclass
class Entity:
    key: str
    names: tuple[str, ...]  # exact names (longest used first)
    kind: str  # funds | fundrow | rate | total | level1 | level2 | indicator | count | blocker
    unit_family: str | None = None  # for indicators: family of its quantities


@dataclass
class Mention:
    text: str  # the number and unit as written
    value: Decimal  # in the fact's base unit (万元 for money, % for percent)
    family: str
    unit: str
    start: int  # offsets in the sentence
    end: int
    direction: str | None  # ge le approx None
    approx: bool
    places: int


@dataclass
class Sentence:
    text: str
    source: str  # key of the text (field name or report section)
    location: Location
    index: int  # order within its text


@dataclass
class Attribution:
    mention: Mention
    sentence: Sentence
    fact: Fact | None
    consistent: bool | None  # None: not attributed


class Facts:
    """Everything the checker may compare a text with, built from the form and its scores."""

    def __init__(self, project: Project, result: ScoreResult):
        self.project = project
        self.result = result
        self.facts: list[Fact] = []
        self.entities: list[Entity] = []
        self.form = "自评表"  # how messages name the form: the kind says (ReportFacts.form)
        self.counts: list = []  # ReportFacts.counts
        self._build()

    def add(self, *args, **kwargs) -> None:
        fact = Fact(*args, **kwargs)
        if fact.value is not None:
            self.facts.append(fact)

    def find(self, entity: str, attr: str) -> Fact | None:
        return next((f for f in self.facts if f.entity == entity and f.attr == attr), None)

    # -- building --
    def _build(self) -> None:
        from evaltool.core.kinds import kind_of
        from evaltool.report.context import fund_amount, unique_labels

        p, r = self.project, self.result
        kf = kind_of(p).report_facts(p, r)
        # Labels name the form the clerk filled in; chosen once, so names quoted in them stay verbatim.
        form, rate_label = kf.form, kf.rate_label
        self.form = form
        E = self.entities.append
        E(Entity("funds", ("年度资金总额", "项目资金总额", "项目资金", "资金总额", "专项资金", "项目经费", "专项经费",
                           "资金"), "funds"))
        # Not bare 使用率/支出率: "设备使用率 98%" is not the budget's.
        E(Entity("rate", ("预算执行率", "执行率", "资金使用率", "资金执行率", "预算支出率", "支出进度", "执行进度", "完成预算"),
                 "rate"))
        E(Entity("total", ("综合评价得分", "自评价得分", "总得分", "总分", "综合得分", "自评得分", "自评总分",
                           "最终评分", "最终得分", "评价得分", "项目得分", "项目评分", "评价总分", "自评分", "平均得分",
                           "评价人员平均得分"), "total"))
        E(Entity("count", ("三级绩效指标", "三级指标", "绩效指标"), "count"))
        E(Entity("blocker", ("到位率", "到位资金", "到位金额", "资金到位", "实际到位", "覆盖率") if not
                 any("覆盖率" in str(i.level3) for i in p.indicators) else ("到位率", "到位资金", "到位金额",
                                                                            "资金到位", "实际到位"), "blocker"))
        if kf.blockers:  # what the kind's report states about parts the form holds beyond these facts
            E(Entity("blocker:kind", tuple(dict.fromkeys(n for n in kf.blockers if n)), "blocker"))

        # Funds (自评表) or basic information (评分表); the same keys either way.
        total_row = p.funds.get("年度资金总额")
        budget = actual = initial = None
        if total_row is not None:
            budget, actual, initial = (fund_amount(total_row.budget), fund_amount(total_row.actual),
                                       fund_amount(total_row.initial))
            where = lambda k: total_row.cells.get(k) or Location(path=f"项目资金.年度资金总额.{k}")  # noqa: E731
            self.add("funds", "budget", budget, "money", f"{form}“年度资金总额”的全年预算数", where("全年预算数"), 2)
            self.add("funds", "actual", actual, "money", f"{form}“年度资金总额”的全年执行数", where("全年执行数"), 2)
            self.add("funds", "initial", initial, "money", f"{form}“年度资金总额”的年初预算数", where("年初预算数"), 2)
        planned, used, arrived = kf.planned, kf.used, kf.arrived
        if budget is None and planned is not None:
            budget = planned
            self.add("funds", "budget", planned, "money", kf.planned_label or "项目基本信息的计划投资额",
                     kf.planned_where or p.where("计划投资额"), 2)
        if actual is None and used is not None:
            actual = used
            self.add("funds", "actual", used, "money", kf.used_label or "项目基本信息的实际使用情况",
                     kf.used_where or p.where("实际使用情况"), 2)
        if arrived is not None:
            self.add("funds", "arrived", arrived, "money", "项目基本信息的实际到位资金", p.where("实际到位资金"), 2)
        if budget is not None and actual is not None:
            # named by the cells it comes from, never by an internal key ("项目资金.年度资金总额")
            both = _cells_of(total_row, ("全年预算数", "全年执行数")) if total_row is not None else Location(
                path="项目资金.年度资金总额")
            self.add("funds", "unexecuted", budget - actual, "money", "全年预算数减全年执行数", both, 2)
        if budget is not None and initial is not None and budget != initial:
            both = _cells_of(total_row, ("全年预算数", "年初预算数")) if total_row is not None else Location(
                path="项目资金.年度资金总额")
            self.add("funds", "adjust", abs(budget - initial), "money", "全年预算数与年初预算数之差", both, 2)
        for label in FUND_ROWS[1:]:
            row = p.funds.get(label)
            if row is None:
                continue
            key = f"row:{label}"
            short = label.replace("资金", "") if label != "其他资金" else label
            names: tuple[str, ...] = (label, short) if short != label else (label,)
            if label == "本年财政拨款":
                names = ("本年财政拨款", "财政拨款", "财政资金")
            E(Entity(key, names, "fundrow"))
            for attr, col, raw in (("budget", "全年预算数", row.budget), ("actual", "全年执行数", row.actual),
                                   ("initial", "年初预算数", row.initial)):
                self.add(key, attr, fund_amount(raw), "money", f"{form}“{label}”的{col}",
                         row.cells.get(col) or Location(path=f"项目资金.{label}.{col}"), 2)

        # 执行率 as shown on the form (a 评分表 calls it 资金使用率).
        rate = kf.rate
        if rate is not None:
            self.add("rate", "value", rate * 100, "percent", rate_label,
                     kf.rate_where or Location(sheet=p.sheet, path="项目资金.年度资金总额.执行率"), 2)
        for key, rate_names, label, value, where_shown in kf.rates:  # longer names claim first: 全年预计执行率
            E(Entity(key, rate_names, "rate"))
            if value is not None:
                self.add(key, "value", value * 100, "percent", label, where_shown or Location(sheet=p.sheet), 2)
        for part in kf.parts:  # 基本支出, a listed project, 1-7月: figures of their own
            E(Entity(part.key, part.names, "part"))
            at = lambda k: part.where.get(k) or Location(sheet=p.sheet)  # noqa: E731
            self.add(part.key, "budget", part.budget, "money", f"{part.label}的全年预算数", at("budget"), 2)
            self.add(part.key, "actual", part.actual, "money", f"{part.label}的执行数", at("actual"), 2)
            if part.rate is not None:
                self.add(part.key, "rate", part.rate * 100, "percent", f"{part.label}的执行率", at("rate"), 2)
            self.add(part.key, "score", part.score, "score", f"{part.label}的自评得分", at("score"))
        self.counts = kf.counts
        arrival = kf.arrival
        if arrival is not None:
            E(Entity("arrival", ("资金到位率", "到位率"), "rate"))
            self.add("arrival", "value", arrival * 100, "percent", "资金到位率（实际到位资金 ÷ 计划投资额）",
                     p.where("实际到位资金"), 2)
        if r.rate_score is not None:
            self.add("rate", "score", r.rate_score, "score", f"{form}“年度资金总额”的得分（执行率得分）",
                     (total_row.cells.get("得分") if total_row else None) or Location(path="项目资金.年度资金总额.得分"))
            self.add("funds", "score", r.rate_score, "score", f"{form}“年度资金总额”的得分（执行率得分）",
                     Location(path="项目资金.年度资金总额.得分"))
        if r.rate_weight is not None:
            self.add("rate", "weight", r.rate_weight, "score", f"{form}“项目资金”的分值",
                     p.cells.get("分值") or Location(path="项目资金.分值"))
            self.add("funds", "weight", r.rate_weight, "score", f"{form}“项目资金”的分值", Location(path="项目资金.分值"))

        # Scores: total, grade, 一级/二级 subtotals.
        total = kf.total
        if total is not None:
            self.add("total", "score", total, "score", f"{form}的总分", Location(sheet=p.sheet, path="总分"))
        weights_l1: dict[str, Decimal] = {}
        scores_l1: dict[str, Decimal] = {}
        weights_l2: dict[tuple[str, str], Decimal] = {}
        scores_l2: dict[tuple[str, str], Decimal] = {}
        for ir in r.indicators:
            if ir.weight is not None:
                weights_l1[ir.level1] = weights_l1.get(ir.level1, Decimal(0)) + ir.weight
                weights_l2[(ir.level1, ir.level2)] = weights_l2.get((ir.level1, ir.level2), Decimal(0)) + ir.weight
            if ir.score is not None:
                scores_l2[(ir.level1, ir.level2)] = scores_l2.get((ir.level1, ir.level2), Decimal(0)) + ir.score
        for name, value in r.subtotals.items():
            if value is not None:  # a subtotal that could not be computed states nothing
                scores_l1[name] = value
        all_weights = sum(weights_l1.values(), Decimal(0)) + (r.rate_weight or Decimal(0))
        if weights_l1:
            self.add("total", "weight", all_weights, "score", f"{form}各项分值合计", Location(sheet=p.sheet, path="总分"))
        for name in dict.fromkeys([*weights_l1, *[k for k in scores_l1 if k != "预算执行率"]]):
            key = f"L1:{name}"
            E(Entity(key, _level1_names(name), "level1"))
            loc = Location(sheet=p.sheet, path=f"绩效指标.{name}")
            if name in weights_l1:
                self.add(key, "weight", weights_l1[name], "score", f"{form}“{name}”各三级指标分值合计", loc)
            if name in scores_l1:
                self.add(key, "score", scores_l1[name], "score", f"{form}“{name}”得分小计", loc)
            if name in scores_l1 and name in weights_l1:
                self.add(key, "lost", weights_l1[name] - scores_l1[name], "score", f"{form}“{name}”扣分小计", loc)
        for (l1, l2), w in weights_l2.items():
            key = f"L2:{l1}/{l2}"
            E(Entity(key, _level2_names(l1, l2), "level2"))
            loc = Location(sheet=p.sheet, path=f"绩效指标.{l1}.{l2}")
            self.add(key, "weight", w, "score", f"{form}“{l2}”分值合计", loc)
            if (l1, l2) in scores_l2:
                self.add(key, "score", scores_l2[(l1, l2)], "score", f"{form}“{l2}”得分合计", loc)
                self.add(key, "lost", w - scores_l2[(l1, l2)], "score", f"{form}“{l2}”扣分合计", loc)

        # Counts the narrative states about the indicator table.
        n = len(r.indicators)
        first = p.indicators[0].cells.get("三级指标") if p.indicators else None
        table_at = kf.table_where or (Location(sheet=first.sheet or p.sheet, cell=first.cell, path="绩效指标")
                                      if first is not None and first.cell else Location(sheet=p.sheet, path="绩效指标"))
        if n:
            self.add("count", "count", Decimal(n), "count:个", f"{form}三级指标个数", table_at)
            full_count = sum(1 for i in r.indicators if i.score is not None and i.weight is not None and i.score >= i.weight)
            short_count = sum(1 for i in r.indicators if i.score is not None and i.weight is not None and i.score < i.weight)
            self.add("count", "full", Decimal(full_count), "count:个", f"{form}中得满分的三级指标个数",
                     table_at)
            self.add("count", "short", Decimal(short_count), "count:个", f"{form}中未得满分的三级指标个数",
                     table_at)

        # Indicators: target, actual, weight, score.
        level3 = [str(ir.level3 or "").strip() for ir in r.indicators]
        for ir, name, label in zip(r.indicators, level3, unique_labels(level3)):
            ind = p.indicators[ir.index] if ir.index < len(p.indicators) else None
            key = f"IND:{ir.index}"
            names = tuple(dict.fromkeys(n for n in (name, label) if n and len(n) >= 2))
            family = None
            cell = (lambda k: ind.where(k)) if ind is not None else (lambda k: Location())  # noqa: E731
            short_name = label if len(label) <= 20 else label[:20] + "…"
            if ind is not None:
                typed_target = values.parse(ind.target)
                typed_actual = values.parse(ind.actual)
                unit = None
                for parsed in (typed_target, typed_actual):
                    if parsed.kind == "number" and parsed.quantity and parsed.quantity.unit:
                        unit = unit or parsed.quantity.unit
                compared = values.actual_as_compared(typed_target, typed_actual)  # 0.93 under "≥90%" is 93%, as scored
                for attr, parsed, q, col in (("target", typed_target, typed_target.quantity, "年度指标值"),
                                             ("actual", typed_actual, compared, "实际完成值")):
                    if parsed.kind != "number" or q is None:
                        continue
                    fam, value = _family_value(q.value, q.unit or unit)
                    if fam is None:
                        continue
                    family = family or fam
                    self.add(key, attr, value, fam, f"{form}“{short_name}”的{col}", cell(col),
                             direction=parsed.direction)
            E(Entity(key, names, "indicator", family))
            tgt, act = self.find(key, "target"), self.find(key, "actual")
            if tgt is not None and act is not None and tgt.family == act.family and tgt.family != "percent" and tgt.value:
                # "培训人数…100人，完成率96%": the rate of a count indicator is its actual ÷ target
                self.add(key, "ratio", act.value / tgt.value * 100, "percent",
                         f"{form}“{short_name}”的完成率（实际完成值 ÷ 年度指标值）", cell("实际完成值"), 2)
            if ir.weight is not None:
                self.add(key, "weight", ir.weight, "score", f"{form}“{short_name}”的分值", cell("分值"))
            if ir.score is not None:
                self.add(key, "score", ir.score, "score", f"{form}“{short_name}”的得分", cell("得分"))
            if ir.score is not None and ir.weight is not None:
                self.add(key, "lost", ir.weight - ir.score, "score", f"{form}“{short_name}”的扣分（分值减得分）",
                         cell("得分"))
        self.grade = kf.grade
        self.entities.sort(key=lambda e: -max((len(n) for n in e.names), default=0))


def _cells_of(row, columns: tuple[str, ...]) -> Location:
    """One Location naming two cells of a fund row ("自评表!E6、F6"), or the row's key when it has none."""
    cells = [row.cells.get(c) for c in columns]
    cells = [c for c in cells if c is not None and c.cell]
    if not cells:
        return Location(path="项目资金.年度资金总额")
    return Location(sheet=cells[0].sheet, cell="、".join(c.cell for c in cells))


GENERIC_NAMES = {"绩效", "管理", "项目", "资金", "目标", "指标", "效果", "过程", "决策"}


def _level1_names(name: str) -> tuple[str, ...]:
    base = name[:-2] if name.endswith("指标") else name
    names = [name, base, f"项目{base}"]
    if base.startswith("项目"):
        names.append(base[2:])
    return tuple(dict.fromkeys(n for n in names if len(n) >= 2 and n not in GENERIC_NAMES))


def _level2_names(l1: str, l2: str) -> tuple[str, ...]:
    base = l2[:-2] if l2.endswith("指标") else l2
    l1base = l1[:-2] if l1.endswith("指标") else l1
    names = [l2, base + "指标", f"{l1base}{base}"]
    if len(base) >= 3:
        names.append(base)
    return tuple(dict.fromkeys(n for n in names if len(n) >= 2))


def _family_value(value: Decimal, unit: str | None) -> tuple[str | None, Decimal]:
    if unit is None:
        return None, value
    wanyuan = values.in_wanyuan(values.Quantity(value, unit))
    if wanyuan is not None:
        return "money", wanyuan
    if unit == "%":
        return "percent", value
    if unit in UNIT_GROUP:
        return f"count:{UNIT_GROUP[unit]}", value
    return f"other:{unit}", value


# ---- mentions --------------------------------------------------------------------------------------
def find_mentions(sentence: str) -> list[Mention]:
    out: list[Mention] = []
    for m in MENTION_RE.finditer(sentence):
        unit = m.group("unit")
        end = m.end("unit")
        if unit == "分" and end < len(sentence) and sentence[end] in _FEN_NOT:
            continue
        start = m.start(1)
        before = sentence[max(0, start - 1):start]
        if before in ("第", "〔", "[", "（", "(") and unit not in ("%",) and before == "第":
            continue
        number = m.group(1).replace(",", "")
        try:
            value = Decimal(number)
        except InvalidOperation:
            continue
        places = len(number.split(".")[1]) if "." in number else 0
        mult = m.group("mult")
        if mult == "万":
            value *= 10000
        elif mult == "亿":
            value *= 100000000
        approx = bool(m.group("approx1") or m.group("approx2") or m.group("after") == "左右")
        direction = None
        after = m.group("after")
        if after == "以上":
            direction = "ge"
        elif after in ("以下", "以内"):
            direction = "le"
        prefix = sentence[max(0, start - 6):start].rstrip(" “\"'")
        for word, d in DIRECTION_BEFORE:
            if prefix.endswith(word):
                if d == "approx":
                    approx = True
                elif d:
                    direction = direction or d
                break
        family, base = _family_value(value, unit)
        if unit == "分":
            family = "score"
        elif unit == "个百分点":
            family = "points"
        out.append(Mention(m.group(0), base, family or "other", unit, start, end, direction, approx,
                           places + (4 if unit == "万元" and mult else 0)))
    for m in BARE_SCORE_RE.finditer(sentence):  # "自评得分89.5，": a score written without 分
        number = m.group(1).replace(",", "")
        places = len(number.split(".")[1]) if "." in number else 0
        out.append(Mention(number, Decimal(number), "score", "分", m.start(1), m.end(1), None, False, places))
    out.sort(key=lambda x: x.start)
    return out


def split_sentences(text: str) -> list[str]:
    text = _norm(text)
    parts = [s.strip() for s in SENTENCE_END.split(text)]
    return [s for s in parts if s]


# ---- attribution -----------------------------------------------------------------------------------
# Attribute keywords per family, most specific first. Each maps to a fact attribute.
MONEY_ATTRS = [("年初预算", "initial"), ("全年预算", "budget"), ("调增", "adjust"), ("调减", "adjust"),
               ("调整", "adjust"), ("未执行", "unexecuted"), ("未使用", "unexecuted"), ("未支出", "unexecuted"),
               ("结余", "unexecuted"), ("节余", "unexecuted"), ("结转", "unexecuted"), ("执行数", "actual"),
               ("项目支出", "budget"), ("实际支出", "actual"), ("实际使用", "actual"), ("支出", "actual"), ("执行", "actual"),
               ("使用", "actual"), ("花费", "actual"), ("到位", "arrived"), ("拨付", "arrived"),
               ("预算", "budget"), ("投资", "budget"), ("投入", "budget"), ("安排", "budget"), ("下达", "budget"),
               ("批复", "budget")]
SCORE_ATTRS = [("分值", "weight"), ("权重", "weight"), ("满分", "weight"), ("占", "weight"), ("共", "weight"),
               ("得分", "score"), ("得", "score"), ("评分", "score"), ("计", "score"), ("扣分", "lost"),
               ("扣", "lost"), ("失分", "lost")]
TARGET_WORDS = ("年度指标值", "指标值", "目标值", "目标", "计划", "预期", "预计", "要求")
ACTUAL_WORDS = ("实际完成值", "实际完成", "完成值", "实际", "完成")
COUNT_ATTRS = [("未得满分", "short"), ("得满分", "full")]
GENERIC_QUALIFIERS = re.compile(r"(?:总|实际|全年|年度|本年|项目|资金|累计|合计|共计|共|已|的|为|全部|该|本|其|达|为|是|"
                                r"全额|当年|年|度|\d|\s|[“”\"（）()：:，,])+$")
CLAUSE_DELIMS = "，,；;：:、。！？!?（）()"


def _last_entity(*hits: list) -> Entity | None:
    """The entity of the last hit in the first non-empty list of (start, end, entity) hits, or None."""
    for found in hits:
        if found:
            return found[-1][2]
    return None


def _nearest_keyword(window: str, table: list[tuple[str, str]]) -> tuple[str, str, int] | None:
    best = None
    for word, attr in table:
        pos = window.rfind(word)
        if pos < 0:
            continue
        end = pos + len(word)
        if best is None or end > best[2] or (end == best[2] and len(word) > len(best[0])):
            best = (word, attr, end)
    return best


def _find_entities(sentence: str, entities: list[Entity]) -> list[tuple[int, int, Entity]]:
    """All exact entity names in a sentence as (start, end, entity), longest names claiming first."""
    taken = [False] * len(sentence)
    found: list[tuple[int, int, Entity]] = []
    # Longest names claim first; on a tie the most specific entity (an indicator) wins.
    rank = {"indicator": 0, "level2": 1, "fundrow": 1, "level1": 2}
    names = sorted(((n, e) for e in entities for n in e.names), key=lambda x: (-len(x[0]), rank.get(x[1].kind, 3)))
    for name, entity in names:
        start = 0
        while True:
            pos = sentence.find(name, start)
            if pos < 0:
                break
            end = pos + len(name)
            if not any(taken[pos:end]):
                for k in range(pos, end):
                    taken[k] = True
                found.append((pos, end, entity))
            start = pos + 1
    found.sort()
    return found


def _bigrams(text: str) -> set[str]:
    text = re.sub(r"[\s\d“”\"'（）()，,、：:；;。.%≥≤=<>]", "", text)
    return {text[k:k + 2] for k in range(len(text) - 1)}


def similarity(a: str, b: str) -> float:
    x, y = _bigrams(a), _bigrams(b)
    if not x or not y:
        return 0.0
    return 2 * len(x & y) / (len(x) + len(y))


def _clause_left(sentence: str, start: int, floor: int = 0) -> str:
    k = start
    while k > floor and sentence[k - 1] not in CLAUSE_DELIMS:
        k -= 1
    return sentence[k:start]


def _clause_right(sentence: str, end: int) -> str:
    k = end
    while k < len(sentence) and sentence[k] not in CLAUSE_DELIMS and k - end < 12:
        k += 1
    return sentence[end:k]


def subject_of(sentence: str, mention: Mention, floor: int = 0) -> str:
    left = _clause_left(sentence, mention.start, floor).rstrip(" “\"")
    for word, _ in DIRECTION_BEFORE:
        if left.endswith(word):
            left = left[: -len(word)]
            break
    left = LEAD_STRIP.sub("", left.strip(" “”\""))
    left = re.sub(r"(?:为|达|共|是|有|约|近|计|了)$", "", left)
    right = _clause_right(sentence, mention.end).lstrip("的")
    right = re.sub(r"^(?:以上|以下|左右|多|余)", "", right)
    return (left + right).strip(" “”\"")


def _matches(mention: Mention, fact: Fact) -> bool:
    stated = mention.value
    truth = fact.value
    places = mention.places
    if mention.family == "money" and mention.unit == "元":
        places = max(0, places - 4)
        truth_cmp = round_half_up(truth * 10000, places) / 10000
        stated_cmp = stated
    else:
        truth_cmp = round_half_up(truth, places)
        stated_cmp = stated
    if mention.approx:
        if truth == 0:
            return stated == 0
        if mention.direction == "ge" or re.search(r"[余多]", mention.text):
            return stated <= truth * Decimal("1.1") + 1 and truth >= stated * Decimal("0.9")
        return abs(truth - stated) <= abs(truth) * Decimal("0.1")
    if mention.direction == "ge":
        return truth >= stated or truth_cmp == stated_cmp
    if mention.direction == "le":
        return truth <= stated or truth_cmp == stated_cmp
    if truth_cmp != stated_cmp:
        return False
    # "100%" for 99.83% is not a rounding but a claim of full execution.
    if mention.family == "percent" and places == 0 and stated in (0, 100) and truth != stated:
        return False
    return True


# A figure qualified by one of these states another year's value (上年执行率为85%) …
PRIOR_WORDS = ("上年", "上一年", "去年", "同期", "往年", "以前年度")
# … or what was aimed at (执行率目标为100%, 计划支出180万元): neither is this year's result.
AIM_WORDS = ("目标", "计划", "要求", "标准")
# The facts that are this year's results (an indicator's own target/actual is told apart by the
# checker; budgets and weights are plans already).
RESULT_ATTRS = frozenset({"value", "actual", "unexecuted", "arrived", "score", "lost", "full", "short"})


def _other_quantity(sentence: str, mention: Mention, found: list[tuple[int, int, Entity]], prev_end: int,
                    fact: Fact) -> bool:
    """Whether the words just before a figure (its clause, after the previous figure; the names of
    the form's entities left out, so 全年预计执行率 or an indicator named 达标率 do not count) say it
    is last year's value or a target rather than this year's."""
    start = max(prev_end, mention.start - len(_clause_left(sentence, mention.start)))
    chars = list(sentence[start:mention.start])
    for s, e, _ in found:
        for k in range(max(s, start), min(e, mention.start)):
            chars[k - start] = " "
    lead = "".join(chars)
    if any(w in lead for w in PRIOR_WORDS):
        return True
    return (not fact.entity.startswith("IND:") and fact.attr in RESULT_ATTRS
            and any(w in lead for w in AIM_WORDS))
NATIONAL_GRADE_WORDS = {"优秀": "优", "良好": "良", "合格": "中", "不合格": "差"}  # how reports spell 优/良/中/差


def grade_words(project: Project, result: ScoreResult) -> tuple[str, ...]:
    """The grade names a text may state: the rule set's own (优秀/良好/合格/不合格 where it names
    them, S61) and the national ones with their long spellings; longest first for the regex."""
    from evaltool.report.context import rules_of

    rules = rules_of(project, result)
    own = [name for name, _ in rules.grades] if rules is not None else []
    words = set(own) | {"优", "良", "中", "差"} | set(NATIONAL_GRADE_WORDS)
    return tuple(sorted(words, key=lambda w: (-len(w), w)))


class Checker:
    def __init__(self, project: Project, result: ScoreResult):
        self.facts = Facts(project, result)
        self.project = project
        self.result = result
        self.grade_words = grade_words(project, result)
        from evaltool.report.context import rules_of

        rules = rules_of(project, result)
        self.own_grades = frozenset(name for name, _ in rules.grades) if rules is not None else frozenset()

    # Attribute one mention in its sentence; carried is the entity the previous sentence ended on.
    def attribute(self, sentence: str, mention: Mention, found: list[tuple[int, int, Entity]],
                  prev_end: int, carried: Entity | None) -> Fact | None:
        F = self.facts
        window = sentence[prev_end:mention.start]
        # "2022年预算800万元" in a 2023 report speaks of another year: not this form's figure.
        year = str(self.project.year or "").strip()[:4]
        years = re.findall(r"(?<!\d)((?:19|20)\d{2})\s*年", sentence[:mention.start])
        if year.isdigit() and years and years[-1] != year:
            return None
        before = [(s, e, ent) for s, e, ent in found if e <= mention.start]
        in_window = [(s, e, ent) for s, e, ent in before if s >= prev_end]
        clause_floor = max(prev_end, mention.start - len(_clause_left(sentence, mention.start)))
        in_clause = [(s, e, ent) for s, e, ent in before if s >= clause_floor]

        part = next((e for _, _, e in reversed(before) if e.kind == "part"), None)
        if part is not None:
            fact = self._part_fact(part, window, mention)
            if fact is not None or mention.family in ("money", "score"):
                return fact  # a part's figure it does not hold is not the whole form's either
        if mention.family.startswith("count:") and self.facts.counts:
            right = re.split(r"[，,；;。]", sentence[mention.end:mention.end + 16])[0]
            left = _clause_left(sentence, mention.start)
            for key, words, value, label, where in self.facts.counts:
                if any(w in right or left.endswith(w) for w in words):
                    return Fact(key, "count", value, mention.family, label, where or Location())
        if mention.family == "money":
            kw = _nearest_keyword(window, MONEY_ATTRS)
            right = _clause_right(sentence, mention.end)
            leftover = re.search(r"未执行|未使用|未支出|结余|节余", right)
            from_right = False
            if leftover and not (kw and kw[2] == len(window.rstrip(" “\"：:为是达"))):
                kw, from_right = (leftover.group(0), "unexecuted", len(window)), True
            ent = _last_entity(in_window, in_clause)
            if ent is None and kw is None and before and before[-1][2].kind == "indicator":
                ent = before[-1][2]  # "…年度指标值“≤35万元”，实际完成值“34.5万元”"
            if ent is not None and ent.kind == "blocker":
                return None
            if ent is not None and ent.kind == "indicator":
                looked_up = [F.find(ent.key, a) for a in self._target_or_actual(window)]
                facts = [f for f in looked_up if f is not None and f.family == "money"]
                for fact in facts:
                    if _matches(mention, fact):
                        return fact
                if facts:
                    return facts[0]
            if kw is None and ent is not None and ent.kind in ("fundrow", "funds"):
                facts = [f for f in (F.find(ent.key, "budget"), F.find(ent.key, "actual")) if f is not None]
                return next((f for f in facts if _matches(mention, f)), facts[0] if facts else None)
            if kw is None:
                return None
            word, attr, kw_end = kw
            if from_right and (ent is None or ent.kind not in ("fundrow", "funds")):
                ent_key = "funds"
            elif ent is None or ent.kind not in ("fundrow", "funds"):
                # Qualified keywords ("采购支出", "一般总预算") name a part, not the project's total.
                prefix = window[: kw_end - len(word)]
                name = str(self.project.name or "")
                if name and name in prefix:
                    prefix = prefix[prefix.rfind(name) + len(name):]
                prefix = re.sub(r"^.*[，,；;：:、（(]", "", prefix)
                if prefix and not GENERIC_QUALIFIERS.fullmatch(prefix):
                    return None
                ent_key = "funds"
            else:
                ent_key = ent.key
            return F.find(ent_key, attr)

        if mention.family == "percent":
            ent = _last_entity(in_clause, in_window, before)
            if ent is not None and ent.kind == "blocker":
                return None
            if ent is not None and ent.kind in ("rate",):
                return F.find(ent.key, "value")
            if ent is not None and ent.kind == "indicator" and ent.unit_family == "percent":
                return self._indicator_fact(ent, window, mention)
            named = next((e for _, _, e in reversed(before) if e.kind == "indicator"), None)
            if named is not None:
                # An indicator the sentence names wins over a generic word ("完成率") that only occurs
                # inside another indicator's name ("按时完成率"): its own rate, or nothing (SWEEP S48).
                return F.find(named.key, "ratio") if re.search(r"完成(?:率|比例|程度)", window) else None
            fuzzy = self._fuzzy_indicator(sentence, mention, clause_floor)
            if fuzzy is not None:
                return self._indicator_fact(fuzzy, window, mention)
            return None

        if mention.family == "score":
            # Only a bare "得10分。" continues the previous sentence's subject.
            ent = before[-1][2] if before else (carried if len(sentence[:mention.start].strip()) <= 3 else None)
            if ent is None or ent.kind in ("blocker", "count"):
                return None
            kw = _nearest_keyword(window, SCORE_ATTRS)
            if kw is None:
                # "项目决策20分，得19分": a bare figure followed by 得 is the weight; otherwise a bare
                # figure may be either (seed 001's table prose), so it must equal one of them.
                if re.match(r"^[，,]?\s*(?:实?得|得分)", sentence[mention.end:mention.end + 4]):
                    return F.find(ent.key, "weight")
                facts = [f for f in (F.find(ent.key, "score"), F.find(ent.key, "weight")) if f is not None]
                return next((f for f in facts if _matches(mention, f)), facts[0] if facts else None)
            attr = kw[1]
            if ent.kind == "total" and kw[0] == "分值":
                attr = "weight"
            return F.find(ent.key, attr)

        if mention.family.startswith("count:"):
            kw = _nearest_keyword(window, COUNT_ATTRS)
            ent = _last_entity(in_clause)
            right = _clause_right(sentence, mention.end)
            if ent is None and any(right.startswith(n) or right.lstrip("的").startswith(n) for n in ("三级指标", "三级绩效指标", "绩效指标")):
                ent = next(e for e in F.entities if e.key == "count")
            if ent is not None and ent.kind == "count" or (kw and mention.family == "count:个"):
                if kw:
                    return F.find("count", kw[1])
                if ent is not None and ent.kind == "count":
                    return F.find("count", "count")
            if ent is not None and ent.kind == "indicator" and ent.unit_family in (mention.family, None):
                return self._indicator_fact(ent, window, mention)
            fuzzy = self._fuzzy_indicator(sentence, mention, clause_floor)
            if fuzzy is not None:
                return self._indicator_fact(fuzzy, window, mention)
            if before and before[-1][2].kind == "indicator" and before[-1][2].unit_family == mention.family:
                return self._indicator_fact(before[-1][2], window, mention)
        return None

    def _part_fact(self, part: Entity, window: str, mention: Mention) -> Fact | None:
        """A figure in a sentence that names a part (基本支出, a listed project, 1-7月), as that part's."""
        F = self.facts
        if mention.family == "money":
            kw = _nearest_keyword(window, MONEY_ATTRS)
            if kw is not None and kw[1] in ("budget", "actual"):
                return F.find(part.key, kw[1])
            if kw is None:
                facts = [f for f in (F.find(part.key, "budget"), F.find(part.key, "actual")) if f is not None]
                return next((f for f in facts if _matches(mention, f)), facts[0] if facts else None)
            return None
        if mention.family == "percent" and "率" in window:
            return F.find(part.key, "rate")
        if mention.family == "score":
            return F.find(part.key, "score")
        return None

    def _target_or_actual(self, window: str) -> list[str]:
        t = max((window.rfind(w) for w in TARGET_WORDS), default=-1)
        a = max((window.rfind(w) for w in ACTUAL_WORDS), default=-1)
        return ["target", "actual"] if t > a else ["actual", "target"]

    def _indicator_fact(self, ent: Entity, window: str, mention: Mention) -> Fact | None:
        order = self._target_or_actual(window)
        if mention.direction in ("ge", "le") and not any(w in window for w in ACTUAL_WORDS):
            order = ["target", "actual"]
        found = [self.facts.find(ent.key, a) for a in order]
        facts = [f for f in found if f is not None and f.family == mention.family]
        if not facts:
            return None
        # A figure equal to either the target or the result is consistent; otherwise compare with the
        # one the wording points to.
        for f in facts:
            if _matches(mention, f):
                return f
        return facts[0]

    def _fuzzy_indicator(self, sentence: str, mention: Mention, floor: int) -> Entity | None:
        subject = subject_of(sentence, mention, floor)
        if len(subject) < 2:
            return None
        best, best_score = None, 0.0
        for ent in self.facts.entities:
            if ent.kind != "indicator" or ent.unit_family != mention.family:
                continue
            score = max(similarity(subject, n) for n in ent.names)
            if score > best_score:
                best, best_score = ent, score
        return best if best_score >= 0.6 else None

    # -- whole texts --
    def run(self, sentences: list[Sentence]) -> tuple[list[Finding], list[Attribution]]:
        findings: list[Finding] = []
        attributions: list[Attribution] = []
        pool: list[tuple[Sentence, Mention, str]] = []
        carried: Entity | None = None
        last_source = None
        for sent in sentences:
            if sent.source != last_source:
                carried, last_source = None, sent.source
            text = sent.text
            found = _find_entities(text, self.facts.entities)
            mentions = find_mentions(text)
            findings.extend(self._arithmetic(sent, mentions))
            findings.extend(self._grade(sent))
            prev_end = 0
            for m in mentions:
                if m.family == "score" and _grade_band(text, m, self.grade_words):
                    prev_end = m.end
                    continue
                fact = self.attribute(text, m, found, prev_end, carried)
                if fact is not None and _other_quantity(text, m, found, prev_end, fact):
                    fact = None  # "上年执行率为85%", "执行率目标为100%": not this year's result
                ok = None if fact is None else _matches(m, fact)
                attributions.append(Attribution(m, sent, fact, ok))
                if fact is not None and not ok:
                    findings.append(self._contradiction(sent, m, fact))
                if fact is None and m.family.startswith("count:") and not m.approx and m.direction is None:
                    subject = subject_of(text, m, 0)
                    years = re.findall(r"(?<!\d)((?:19|20)\d{2})\s*年", text[:m.start])
                    if len(subject) >= 3:
                        # the year a figure speaks of is part of what it counts ("2022年…12场，2023年…15场")
                        pool.append((sent, m, (years[-1] if years else "") + "|" + subject))
                prev_end = m.end
            scored = [ent for s, e, ent in found if ent.kind != "blocker"]
            if scored:
                carried = scored[-1]
        findings.extend(self._restatements(pool))
        return findings, attributions

    def _contradiction(self, sent: Sentence, m: Mention, fact: Fact) -> Finding:
        truth = fact.value
        unit = {"money": "万元", "percent": "%", "score": "分"}.get(fact.family, m.unit)
        shown = fmt(round_half_up(truth, fact.places)) if fact.places is not None else fmt(truth)
        if fact.family == "percent":
            # a rate as the form shows it (40.00%, not 40%); an indicator's value as typed (93%)
            shown = fmt(truth, fact.places) if fact.places is not None else fmt(round_half_up(truth, 2))
        # A cell, or a case file's key; a workbook value without a cell has no place to name
        # (its internal key "项目资金.年度资金总额.执行率" means nothing to a clerk).
        loc = fact.location
        where = f"（{loc}）" if loc.cell or (loc.path and not loc.sheet) else ""
        message = (f"{_source_label(sent)}“{_quote(sent.text, m)}”，其中 {m.text.strip()} 与{fact.label}"
                   f"{where} {shown}{unit} 不一致。请核对后改正报告或{self.facts.form}。")
        return Finding("E-REPORT-NUMBER", "error", message, sent.source, sent.location)

    def _arithmetic(self, sent: Sentence, mentions: list[Mention]) -> list[Finding]:
        out = []
        text = sent.text
        # "（219.91÷219.91）×100%=100%"
        for eq in re.finditer(r"(\d+(?:\.\d+)?)\s*[÷/]\s*(\d+(?:\.\d+)?)\s*[)）]?\s*[×xX*]\s*100\s*%\s*=\s*"
                              r"(\d+(?:\.\d+)?)\s*%", text):
            a, b, c = (Decimal(g) for g in eq.groups())
            if b == 0:
                continue
            places = len(eq.group(3).split(".")[1]) if "." in eq.group(3) else 0
            if round_half_up(a / b * 100, places) != c:
                out.append(self._arith_finding(sent, eq.group(0), a, b, c, places))
        # "预算 195.01 万元，实际支出 87.44 万元，占 44.83%"
        money = [m for m in mentions if m.family == "money"]
        for m in mentions:
            if m.family != "percent" or m.approx or m.direction:
                continue
            lead = text[max(0, m.start - 8):m.start]
            if not re.search(r"(?:占|为预算的|完成预算的|占预算的|占比|比例为|执行率为|使用率为)\s*[“\"]?$", lead):
                continue
            earlier = [x for x in money if x.end <= m.start]
            if len(earlier) < 2:
                continue
            whole, part = earlier[-2].value, earlier[-1].value
            if whole == 0:
                continue
            if part > whole:
                whole, part = part, whole
            if round_half_up(part / whole * 100, m.places) != m.value:
                out.append(self._arith_finding(sent, m.text, part, whole, m.value, m.places))
        return out

    def _arith_finding(self, sent: Sentence, shown: str, a: Decimal, b: Decimal, c: Decimal, places: int) -> Finding:
        right = round_half_up(a / b * 100, max(places, 2))
        rate = self.facts.find("rate", "value")
        extra = ""
        if rate is not None and round_half_up(rate.value, 2) == right:
            extra = f"，与{rate.label} {fmt(round_half_up(rate.value, 2))}% 相符"
        return Finding("E-REPORT-ARITH", "error",
                       f"{_source_label(sent)}“{_short(sent.text)}”，其中 {fmt(c)}% 计算有误："
                       f"{fmt(a)} ÷ {fmt(b)} = {fmt(right)}%{extra}。请改为 {fmt(right)}%。",
                       sent.source, sent.location)

    def _grade(self, sent: Sentence) -> list[Finding]:
        grade = self.facts.grade
        if not grade:
            return []
        out = []
        words = "|".join(map(re.escape, self.grade_words))
        for m in re.finditer(r"(?:评价等次|评价等级|自评等级|自评价等级|等次|等级|总体评价|评价结果|评价结论|评定)"
                             rf"(?:为|是|：|:)?\s*[“\"「]?({words})(?![^\s，。；,;”\"」]{{0,0}}[一-龥])",
                             sent.text):
            word = m.group(1)
            # a rule set's own name is compared as it is; 优秀 means 优 only under the national names
            stated = word if word in self.own_grades else NATIONAL_GRADE_WORDS.get(word, word)
            if re.search(r"\d\s*分?\s*(?:以上|以下|至|-|～|~)", sent.text[max(0, m.start() - 20):m.start()]):
                continue  # describing the scale, not this project
            if stated != grade:
                out.append(Finding(
                    "E-REPORT-GRADE", "error",
                    f"{_source_label(sent)}“{_short(sent.text)}”，其中等次“{word}”与自评表按总分计算的等次“{grade}”"
                    "不一致。请核对后改正。", sent.source, sent.location))
        return out

    def _restatements(self, pool: list[tuple[Sentence, Mention, str]]) -> list[Finding]:
        """The same quantity stated twice with different values (seed 002: 新闻发布会 14 场 / 15 期)."""
        clusters: list[list[tuple[Sentence, Mention, str]]] = []
        for item in pool:
            for cluster in clusters:
                if any(_same_quantity(item, other) for other in cluster):
                    cluster.append(item)
                    break
            else:
                clusters.append([item])
        out = []
        for cluster in clusters:
            distinct = {m.value for _, m, _ in cluster}
            if len(distinct) < 2:
                continue
            quotes = "；".join(f"{s.source or '文中'}“{_quote(s.text, m)}”" for s, m, _ in cluster)
            subject = min((subj.split("|", 1)[1] for _, _, subj in cluster), key=len)
            first = cluster[0][0]
            out.append(Finding(
                "W-REPORT-RESTATED", "warning",
                f"同一数量“{subject}”前后说法不一：{quotes}（{'、'.join(m.text.strip() for _, m, _ in cluster)}）。"
                "请核实后统一；如自评表有对应指标，请以表中实际完成值为准。", first.source, first.location))
        return out


def _same_quantity(a: tuple[Sentence, Mention, str], b: tuple[Sentence, Mention, str]) -> bool:
    (_, ma, sa), (_, mb, sb) = a, b
    (ya, sa), (yb, sb) = sa.split("|", 1), sb.split("|", 1)
    if ma.family != mb.family or (ya and yb and ya != yb):
        return False
    core_a, core_b = re.sub(r"^(?:召开|举办|开展|完成|组织|发布|推送|建设|新建|办理)", "", sa), \
        re.sub(r"^(?:召开|举办|开展|完成|组织|发布|推送|建设|新建|办理)", "", sb)
    shorter = min(len(core_a), len(core_b))
    if shorter < 3:
        return False
    return _lcs(core_a, core_b) >= max(3, int(shorter * 0.8 + 0.999))


def _lcs(a: str, b: str) -> int:
    best = 0
    prev = [0] * (len(b) + 1)
    for ca in a:
        cur = [0] * (len(b) + 1)
        for j, cb in enumerate(b, 1):
            if ca == cb:
                cur[j] = prev[j - 1] + 1
                best = max(best, cur[j])
        prev = cur
    return best


def _grade_band(text: str, m: Mention, words: tuple[str, ...] = ("优", "良", "中", "差")) -> bool:
    """'90分及以上为优', '80分至90分为良', '（含90分）为优', '60分以下为不合格': the grading scale
    (in the rule set's grade names, S61), not this project's score."""
    tail = text[m.end:m.end + 16]
    tail = re.split(r"[，,；;。]", tail, maxsplit=1)[0]
    head = text[max(0, m.start - 3):m.start]
    named = "为[“\"]?(?:" + "|".join(map(re.escape, words)) + ")"
    return bool(re.search(named, tail)) or bool(re.search(r"[至到\-–～~]\s*$", head) and re.search(named, tail))


def _short(text: str, limit: int = 80) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _quote(text: str, m: Mention, radius: int = 36) -> str:
    """The sentence, or the part of a long one around the number."""
    text_s = text.strip()
    if len(text_s) <= 2 * radius + 10:
        return text_s
    start = max(0, m.start - radius)
    end = min(len(text), m.end + radius)
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")


def _source_label(sent: Sentence) -> str:
    return f"{sent.source}写道" if sent.source else "文中写道"


# ---- public API -------------------------------------------------------------------------------------
def sentences_of(texts: dict[str, str], locations: dict[str, Location] | None = None) -> list[Sentence]:
    out: list[Sentence] = []
    for key, text in texts.items():
        if not text:
            continue
        loc = (locations or {}).get(key) or Location(path=str(key))
        text = PLACEHOLDER_RE.sub("", str(text))  # 【待填写：…】 asks the clerk; it states nothing
        source = str(key)
        if loc.path and re.search(r"第 \d+ 段$", loc.path):  # the location names the paragraph already
            source = re.sub(r"（第 \d+ 段）$", "", source)
        for n, s in enumerate(split_sentences(text)):
            out.append(Sentence(s, source, loc, n))
    return out


def analyze(project: Project, result: ScoreResult, texts: dict[str, str],
            locations: dict[str, Location] | None = None,
            include_table_texts: bool = True) -> tuple[list[Finding], list[Attribution]]:
    """Findings plus how each number was read (tests and --verbose use the attributions)."""
    checker = Checker(project, result)
    all_texts = dict(texts)
    locs = dict(locations or {})
    if include_table_texts:
        # The form's own texts (a 自评表's goal texts) take part in "stated twice" comparisons and are checked too.
        from evaltool.core.kinds import kind_of

        for key, value, where in kind_of(project).report_facts(project, result).table_texts:
            if value and key not in all_texts:
                all_texts[key] = str(value)
                locs[key] = project.where(where)
    findings, attributions = checker.run(sentences_of(all_texts, locs))
    return _dedupe(findings), attributions


def check_texts(project: Project, result: ScoreResult, texts: dict[str, str],
                locations: dict[str, Location] | None = None) -> list[Finding]:
    """Every number in texts that contradicts the form (or the texts themselves), as findings.

    texts: {label: text}, e.g. the 报告素材 fields or a report's sections; labels appear in messages.
    locations: where each text lives (sheet and cell), for the findings' location.
    """
    return analyze(project, result, texts, locations)[0]


def check_project_texts(project: Project, result: ScoreResult) -> list[Finding]:
    """The 报告素材 texts of a project (what `evaltool check` adds to the form's own checks)."""
    texts = {k: v for k, v in (project.report or {}).items() if v}
    locations = {k: project.cells[f"报告素材.{k}"] for k in texts if f"报告素材.{k}" in project.cells}
    for k in texts:
        locations.setdefault(k, Location(sheet=project.sheet and "报告素材", path=f"报告素材.{k}"))
    return check_texts(project, result, texts, locations)


def material_findings(project: Project, result) -> list:
    """`evaltool check` (and score, Excel 校验) also check the 报告素材 texts against the table."""
    if not any((v or "").strip() for v in (project.report or {}).values()):
        return []
    try:
        return check_project_texts(project, result)
    except Exception:  # noqa: BLE001 - an extra check must never stop scoring; report it as a note
        from evaltool.core.model import Finding, Location

        return [Finding("I-REPORT-CHECK", "info", "报告素材的数字核对未能完成，请用 evaltool check-report 检查生成的报告。",
                        "报告素材", Location(sheet="报告素材"))]


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen, out = set(), []
    for f in findings:
        key = (f.code, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


__all__ = ["check_texts", "check_project_texts", "material_findings", "analyze", "find_mentions", "split_sentences", "Facts",
           "similarity"]
