"""The checks that matter when a 绩效目标表 is filed: every one a finding in Chinese on its cell.

- 指标未细化量化: a target with no number ("持续推动", "显著提升", "有效提高") or a number with no
  direction (≥ ≤ = ＞ ＜); a 定性 target without a criterion; 指标性质 and 指标值 that disagree.
- the table's shape: a 二级指标 with no 三级指标 under it, a 一级指标 the rule set requires missing,
  names outside the rule set's 指标体系.
- 权重 (when the layout has them): each 一级's total against the rule set's 一级 weight, and the sum.
- 项目资金: amounts readable, 年度资金总额 = 财政拨款 + 上年结转资金 + 其他资金.
Nothing is scored: the result carries no 总分 and no 等次 (a 目标表 is filed, not graded).

A rule set may change the vocabulary of vague words, the required 一级指标 and the weight total under
its own key 绩效目标表 (see README); defaults are in kinds/targets/标签.yaml (检查).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from evaltool.core import values
from evaltool.core.decimals import fmt
from evaltool.core.model import IndicatorResult, Location, Project, ScoreResult
from evaltool.core.reading import Collector, project_year, read_money, read_number
from evaltool.kinds.targets import layout as T

SECTION = T.NAME  # the rule-set key
FUND_PARTS = ("本年财政拨款", "上年结转资金", "其他资金")
FUND_NAMES = {"年度资金总额": "年度资金总额", "本年财政拨款": "财政拨款", "上年结转资金": "上年结转资金", "其他资金": "其他资金"}


def check_settings(rules) -> dict[str, Any]:
    """标签.yaml's 检查 defaults, overridden by the rule set's 绩效目标表 key."""
    from evaltool.core.rules import RuleError

    settings = dict(T.vocabulary().checks)
    own = (rules.raw or {}).get(SECTION) if rules is not None else None
    src = (getattr(rules, "source", None) or f"规则集“{rules.name}”") if rules is not None else ""
    if own is not None:
        if not isinstance(own, dict):
            raise RuleError(f"{src}中“{SECTION}”应写成 键: 值 的表，例如 {{必备一级指标: [产出指标, 效益指标]}}。")
        for key, value in own.items():
            if key == "标签":  # read with the labels (layout.vocabulary_for), not a check
                continue
            if key not in settings:
                raise RuleError(f"{src}中“{SECTION} → {key}”不是可设置的项；可设置：{'、'.join(settings)}。")
            settings[key] = _valid_setting(src, key, value)
    required = settings.get("必备一级指标")
    if required is None:
        required = [name for name, w in rules.level1_weights.items() if w > 0]
    settings["必备一级指标"] = [str(x) for x in required]
    settings["未量化词"] = sorted({str(w) for w in settings.get("未量化词") or ()}, key=len, reverse=True)
    settings["定性写法"] = {values.normalize(str(w)) for w in settings.get("定性写法") or ()}
    return settings


LIST_EXAMPLES = {"必备一级指标": "[产出指标, 效益指标]", "未量化词": "[持续推动, 显著提升]", "定性写法": "[达到预期目标, 好]"}


def _valid_setting(src: str, key: str, value: Any) -> Any:
    """A rule file's 绩效目标表 value, refused (RuleError, exit 2) when it has the wrong shape: a text
    where a list belongs would otherwise be split into its characters, a negative total be used."""
    from evaltool.core.decimals import to_decimal
    from evaltool.core.rules import RuleError

    if value is None:
        return None
    if key in LIST_EXAMPLES:
        if not isinstance(value, list) or not all(isinstance(x, (str, int)) and str(x).strip() for x in value):
            raise RuleError(f"{src}中“{SECTION} → {key}”应为列表，如 {LIST_EXAMPLES[key]}，现为“{value}”。")
        return value
    if key == "权重合计":
        dec = to_decimal(value) if not isinstance(value, bool) else None
        if dec is None or dec <= 0 or dec > 1000:
            raise RuleError(f"{src}中“{SECTION} → 权重合计”应为大于 0、不超过 1000 的数（如 100），现为“{value}”。")
        return dec
    return value


def _blank(value: Any) -> bool:
    return value is None or isinstance(value, str) and not value.strip()


def _show(value: Any) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= 30 else text[:29] + "…"


def _where(ind, name: str, p: Project) -> Location:
    return ind.cells.get(name) or Location(sheet=p.sheet, path=name)


def evaluate_targets(p: Project, rules) -> ScoreResult:
    out = Collector()
    out.findings.extend(p.read_findings)
    settings = check_settings(rules)
    info = p.extra.get("目标表") or {}
    rows = info.get("rows") or [{} for _ in p.indicators]
    header = info.get("header") or {}
    _check_header(p, out)
    budget = _check_funds(p, out)
    if info.get("headless"):  # no table read (E-TG-NO-HEADER says why): nothing to say about its rows
        results, subtotals = [], {}
    else:
        results = _check_indicators(p, rules, settings, rows, header, out)
        subtotals = _check_weights(p, rules, settings, rows, header, out)
    return ScoreResult(rule_id=rules.id, rule_name=rules.name, rate=None, rate_display=None, rate_weight=None,
                       rate_score=None, rate_explanation="", indicators=results, subtotals=subtotals, total=None,
                       grade=None, findings=out.findings, budget=budget)


def _check_header(p: Project, out: Collector) -> None:
    if _blank(p.name):
        out.add("E-REQUIRED", "error", "项目名称未填写，请填写与预算一致的项目名称。", "项目名称", p.where("项目名称"))
    for label, value in (("主管部门", p.department), ("实施单位", p.unit), ("年度", p.year)):
        if _blank(value):
            what = "四位年份，如 2025" if label == "年度" else f"{label}名称"
            out.add("W-TG-HEADER", "warning", f"{label}未填写，请填写{what}。", label, p.where(label))
    if not _blank(p.year) and project_year(p) is None:
        out.add("E-YEAR", "error", f"年度“{_show(p.year)}”无法识别，请填写四位年份，例如 2026。", "年度", p.where("年度"))
    if _blank(p.goal_expected):
        out.add("E-REQUIRED", "error", "年度总体目标未填写：请写明本年度要完成的主要任务和预期效果。", "年度总体目标",
                p.where("年度总体目标"))


def _check_funds(p: Project, out: Collector) -> Decimal | None:
    total_row = p.funds.get("年度资金总额")
    if total_row is None or _blank(total_row.initial):
        where = total_row.cells.get("金额") if total_row else p.where("项目资金")
        out.add("E-REQUIRED", "error", "年度资金总额未填写：请填写以万元为单位的金额，例如 35。", "年度资金总额", where)
        return None
    amounts: dict[str, Decimal | None] = {}
    for label, row in p.funds.items():
        amounts[label] = read_money(row.initial, row.cells.get("金额") or p.where(label), FUND_NAMES[label], out)
    total = amounts.get("年度资金总额")
    parts = [(label, amounts.get(label)) for label in FUND_PARTS if label in p.funds]
    if total is not None and parts and all(a is not None or _blank(p.funds[label].initial) for label, a in parts):
        added = sum((a for _, a in parts if a is not None), Decimal(0))
        if added != total:
            text = " + ".join(f"{FUND_NAMES[label]} {fmt(a or Decimal(0))}" for label, a in parts)
            out.add("E-TG-FUND-SUM", "error", f"年度资金总额 {fmt(total)} 万元不等于 {text} = {fmt(added)} 万元。"
                    "请核对各项资金，使总额等于各项之和。", "年度资金总额", total_row.cells.get("金额"))
    return total


def _vague_word(text: str, words: list[str]) -> str | None:
    return next((w for w in words if w in text), None)


def _check_indicators(p: Project, rules, settings, rows, header, out: Collector) -> list[IndicatorResult]:
    results: list[IndicatorResult] = []
    seen_l1: dict[str, Location] = {}
    level2_seen: dict[tuple[str, str], tuple[bool, Location]] = {}  # (一级, 二级) -> (has an indicator, cell)
    names_seen: dict[str, tuple[Location, str]] = {}  # 三级 as a label -> (its first cell, its 二级)
    vocab = T.vocabulary_for(p.rules)  # the spellings the form was read with (a rule set's 标签)
    year = project_year(p)
    indicators = [(i, ind, rows[i] if i < len(rows) else {}) for i, ind in enumerate(p.indicators)]
    if not any(not row.get("占位") for _, _, row in indicators):
        out.add("E-TG-NO-INDICATORS", "error", "绩效指标表中没有任何三级指标：请在每个二级指标下填写三级指标、指标值和单位。",
                "绩效指标", p.where("绩效指标"))
    for i, ind, row in indicators:
        l1 = rules.canonical_level1(str(ind.level1)) if not _blank(ind.level1) else ""
        l2 = rules.canonical_level2(str(ind.level2), l1) if not _blank(ind.level2) else ""
        if l1 and l1 not in seen_l1:
            seen_l1[l1] = _where(ind, "一级指标", p)
            if rules.level1_weights and l1 not in rules.level1_weights:
                out.add("W-TG-L1-UNKNOWN", "warning", f"一级指标“{_show(ind.level1)}”不在规则集“{rules.name}”的指标体系中"
                        f"（{'、'.join(rules.level1_weights)}）。请改为其中之一。", "一级指标", seen_l1[l1], i)
        if l2:
            key = (l1, l2)
            has = not row.get("占位") and not _blank(ind.level3)
            before = level2_seen.get(key)
            if before is None:
                level2_seen[key] = (has, _where(ind, "二级指标", p))
                allowed = rules.framework.get(l1)
                if allowed and l2 not in allowed:
                    out.add("W-TG-L2-UNKNOWN", "warning", f"二级指标“{_show(ind.level2)}”不属于一级指标“{l1}”"
                            f"（可用：{'、'.join(allowed)}）。", "二级指标", _where(ind, "二级指标", p), i)
            elif has and not before[0]:
                level2_seen[key] = (True, before[1])
        if row.get("占位"):
            continue
        if not _blank(ind.level3):
            # by name alone: the 自评表, the 监控表's reasons and the comparison all find an indicator
            # by its 三级指标 name, so two rows of one name cannot be told apart there
            key3 = T.label_key(str(ind.level3))
            if key3 in names_seen:
                first, first_l2 = names_seen[key3]
                where = f"二级指标“{l2}”下" if first_l2 == l2 and l2 else f"“{first_l2 or '（未填）'}”和“{l2 or '（未填）'}”下"
                out.add("W-TG-DUP-NAME", "warning", f"三级指标“{_show(ind.level3)}”在{where}出现了两次"
                        f"（{first} 和 {_where(ind, '三级指标', p)}）：同名指标在自评和运行监控时无法区分，"
                        "请改为不同的名称（如“养护里程（日常养护）”“养护里程（专项养护）”），或合并为一行。",
                        "三级指标", _where(ind, "三级指标", p), i)
            else:
                names_seen[key3] = (_where(ind, "三级指标", p), l2)
        method, explanation = _check_target(p, ind, row, header, vocab, settings, year, out, i)
        weight = None
        if not _blank(ind.weight):
            weight = read_number(ind.weight, _where(ind, "权重", p), "权重", out)
        results.append(IndicatorResult(i, l1, l2, str(ind.level3 or ""), weight, None, method, explanation))
    for (l1, l2), (has, loc) in level2_seen.items():
        if not has:
            out.add("E-TG-L2-EMPTY", "error", f"二级指标“{l2}”下没有三级指标：请至少填写一个三级指标及其指标值；"
                    "不适用时删除这一行。", "二级指标", loc)
    missing = [name for name in settings["必备一级指标"] if name not in seen_l1]
    if missing:
        out.add("E-TG-L1-MISSING", "error", f"缺少一级指标{'、'.join(f'“{m}”' for m in missing)}（规则集“{rules.name}”要求）："
                "请在绩效指标表中增加这些一级指标及其二级、三级指标。", "一级指标", p.where("绩效指标"))
    return results


def _check_target(p, ind, row, header, vocab, settings, year, out: Collector, i: int) -> tuple[str, str]:
    """(method, one-line explanation) of one indicator's target, with its findings."""
    name = _show(ind.level3) if not _blank(ind.level3) else "（未填名称）"
    value_cell = _where(ind, "指标值", p)
    if _blank(ind.level3):
        out.add("E-TG-NAME-EMPTY", "error", "填写了指标值但三级指标名称未填写：请写明指标名称，例如“培训人次”。",
                "三级指标", _where(ind, "三级指标", p), i)
    raw_value = row.get("值", ind.target) if "指标值" in header else ind.target
    if _blank(raw_value):
        out.add("E-TG-TARGET-EMPTY", "error", f"“{name}”的指标值未填写：请填写可衡量的目标值，例如“≥95%”“≤3天”。",
                "指标值", value_cell, i)
        return "未填写", "指标值未填写"
    said = vocab.direction(row.get("性质")) if "指标性质" in header and not _blank(row.get("性质")) else None
    if "指标性质" in header and not _blank(row.get("性质")) and said is None:
        out.add("E-TG-DIRECTION", "error", f"“{name}”的指标性质“{_show(row.get('性质'))}”无法识别：请选择 ≥ ≤ = ＞ ＜ 或“定性”。",
                "指标性质", _where(ind, "指标性质", p), i)
    parsed = values.parse(ind.target, year)
    own = values.parse(raw_value, year)
    text = values.normalize(str(raw_value))
    if said == "定性" or parsed.kind == "qualitative" and own.kind == "qualitative":
        word = _vague_word(text, settings["未量化词"])
        if said == "定性" and (text in settings["定性写法"] or word is None):
            return "定性", f"定性指标：{_show(raw_value)}"
        if said != "定性" and text in settings["定性写法"]:
            return "定性", f"定性指标：{_show(raw_value)}"
        shown = f"“{word}”" if word else f"“{_show(raw_value)}”"
        out.add("E-TG-VAGUE", "error", f"“{name}”的指标值{shown}没有数值，属于指标未细化量化：请改为可衡量的值，"
                "例如“≥95%”“≤3天”“=12个”；确属定性指标的，指标性质选“定性”并写明评判标准（如“达到预期目标”）。",
                "指标值", value_cell, i)
        return "未量化", "指标未细化量化"
    if parsed.kind in ("deadline",):
        return "时效", f"{_show(ind.target)}"
    if parsed.kind == "date":
        # a date under ≥ / ＞ / = (no deadline the 自评表 could compare a completion date with)
        fix = ("请在指标性质中选“≤”（在该日期前完成）。" if "指标性质" in header
               else f"请写成“{_show(ind.target)}前”。")
        out.add("E-TG-DIRECTION", "error", f"“{name}”的指标值“{_show(ind.target)}”是一个完成期限，方向"
                + (f"“{said}”" if said else "未写") + f"无法衡量：{fix}", "指标性质" if "指标性质" in header else "指标值",
                _where(ind, "指标性质", p) if "指标性质" in header else value_cell, i)
        return "未量化", "时限没有方向"
    split = "指标性质" in header or "度量单位" in header
    unit_text = str(row.get("单位")).strip() if not _blank(row.get("单位")) else None
    if split and own.kind == "number" and own.quantity is not None:
        # The columns apart: the number alone, the direction and unit beside it ("5" "年" reads
        # although "5年" alone would be a date-like text).
        direction = {"≥": "ge", ">": "gt", "≤": "le", "<": "lt", "=": "eq"}.get(said or "") or own.direction
        unit = unit_text or own.quantity.unit
        amount = own.quantity.value
    elif parsed.kind == "number" and parsed.quantity is not None:
        direction, unit, amount = parsed.direction, parsed.quantity.unit, parsed.quantity.value
    else:
        out.add("E-TG-VAGUE", "error", f"“{name}”的指标值“{_show(raw_value)}”无法识别为数值（{own.problem or parsed.problem or '含有无法识别的文字'}），"
                "属于指标未细化量化：请只填一个数值，方向写在指标性质中，单位写在度量单位中。", "指标值", value_cell, i)
        return "未量化", "指标值无法识别"
    written = own.direction if own.kind == "number" else None
    if said and said != "定性" and written and T.DIRECTION_CODE.get(said) != written:
        out.add("E-TG-DIRECTION-CONFLICT", "error", f"“{name}”的指标性质是“{said}”，指标值“{_show(raw_value)}”却写着"
                f"“{values.DIRECTION_LABEL[written]}”：请只在指标性质中写方向，指标值只填数字。", "指标性质",
                _where(ind, "指标性质", p), i)
    if direction is None:
        where = _where(ind, "指标性质", p) if "指标性质" in header else value_cell
        out.add("E-TG-DIRECTION", "error", f"“{name}”的指标值“{_show(ind.target)}”没有方向（≥ ≤ = ＞ ＜），属于指标未细化量化："
                + ("请在指标性质中选择方向。" if "指标性质" in header else "请写成“≥95%”“≤3天”“=12个”这样带方向的值。"),
                "指标性质" if "指标性质" in header else "指标值", where, i)
        return "未量化", "没有方向"
    if unit is None:
        where = _where(ind, "度量单位", p) if "度量单位" in header else value_cell
        out.add("W-TG-UNIT", "warning", f"“{name}”的指标值“{_show(ind.target)}”没有单位：请在"
                + ("度量单位中填写单位（如 %、个、天、万元）。" if "度量单位" in header else "数值后写明单位（如 %、个、天、万元）。"),
                "度量单位" if "度量单位" in header else "指标值", where, i)
    if parsed.kind != "number" and not _blank(ind.target):
        # The columns read apart, but the 自评表 gets them as one value (new --from-targets, the
        # comparison at year end) and reads it with the same parser: what it cannot read there is
        # refused here, so a 目标表 that passes yields a 自评表 that can be scored.
        out.add("E-TG-VAGUE", "error", f"“{name}”的指标值合起来是“{_show(ind.target)}”，自评表无法把它识别为一个值"
                f"（{parsed.problem or '含有无法识别的文字'}）：完成时限请写成日期（如“{year or 2025}年11月30日”，"
                "指标性质选“≤”），时长请用“个月”“天”等单位。", "指标值", value_cell, i)
        return "未量化", "指标值无法识别"
    method = {"ge": "正向", "gt": "正向", "le": "反向", "lt": "反向", "eq": "等于"}[direction]
    return method, f"{values.DIRECTION_LABEL[direction]}{fmt(amount)}{unit or ''}（{method}）"


def _check_weights(p: Project, rules, settings, rows, header, out: Collector) -> dict[str, Decimal]:
    """Weights per 一级 (the result's subtotals) and their checks, when the layout has a 权重 column."""
    if "权重" not in header:
        return {}
    listed = [(i, ind) for i, ind in enumerate(p.indicators) if not (rows[i] if i < len(rows) else {}).get("占位")]
    typed = [(i, ind) for i, ind in listed if not _blank(ind.weight)]
    if not typed:
        return {}  # the column is there but this form does not use weights
    sums: dict[str, Decimal] = {}
    first_cell: dict[str, Location] = {}
    rate_weight = Decimal(0)
    complete = True
    quiet = Collector()  # unreadable weights are already reported per indicator
    for i, ind in listed:
        if _blank(ind.weight):
            complete = False
            out.add("E-TG-WEIGHT-EMPTY", "error", f"“{_show(ind.level3 or '')}”的权重未填写：其他指标都填了权重，"
                    "请为每个三级指标填写权重。", "权重", _where(ind, "权重", p), i)
            continue
        w = read_number(ind.weight, _where(ind, "权重", p), "权重", quiet)
        if w is None:
            complete = False
            continue
        if T.RATE_INDICATOR in str(ind.level3 or ""):
            rate_weight += w
            continue
        l1 = rules.canonical_level1(str(ind.level1)) if not _blank(ind.level1) else ""
        sums[l1] = sums.get(l1, Decimal(0)) + w
        first_cell.setdefault(l1, _where(ind, "权重", p))
    if not complete:
        return sums
    total = sum(sums.values(), Decimal(0)) + rate_weight
    wanted = settings.get("权重合计")
    per_level1 = wanted is None
    if wanted is None:
        wanted = sum(rules.level1_weights.values(), Decimal(0)) + (rules.rate_weight if rate_weight else Decimal(0))
    wanted = Decimal(str(wanted))
    if per_level1:
        for l1, weight in rules.level1_weights.items():
            got = sums.get(l1)
            if got is not None and got != weight:
                out.add("E-TG-WEIGHT-L1", "error", f"一级指标“{l1}”的权重合计为 {fmt(got)}，规则集“{rules.name}”规定为 "
                        f"{fmt(weight)}：请调整其下各三级指标的权重。", "权重", first_cell[l1])
        if rate_weight and rate_weight != rules.rate_weight:
            out.add("E-TG-WEIGHT-L1", "error", f"预算执行率的权重为 {fmt(rate_weight)}，规则集“{rules.name}”规定为 "
                    f"{fmt(rules.rate_weight)}。", "权重", p.where("权重"))
    if total != wanted:
        parts = "，".join(f"{k or '（未填一级指标）'} {fmt(v)}" for k, v in sums.items())
        out.add("E-TG-WEIGHT-TOTAL", "error", f"权重合计为 {fmt(total)}（{parts}），应为 {fmt(wanted)}：请调整各指标的权重。",
                "权重", p.where("权重"))
    return sums
