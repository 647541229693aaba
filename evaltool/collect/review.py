"""The bureau's 抽查 pack (`evaltool collect … --review`): which self-evaluations to look at first.

Two halves. project_facts() runs in the worker process beside the scoring, where the project, its
result and its rule set are at hand: it finds the risks one form shows on its own (high 总分 with
low 执行率, every qualitative indicator graded top, targets beaten far, typed scores that disagree
with the rule, a report .docx beside the workbook that contradicts the form) and the digests of its
free texts. build_review() runs in the main process over every row: it adds the one risk that needs
all forms at once (the same 偏差原因 / 完成情况 text in another unit's form), ranks the projects by
risk and writes the 抽查 and 复核意见 sheets.

A risk's weight comes from the project's rule set (key 抽查, core/rules.py REVIEW_RISKS); the risk
score is the sum of the weights of the risks found, each counted once. Each risk has a stable code
(I-RISK-*, core/findings.py) shown beside its reason.
"""
from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from evaltool.core.rules import REVIEW_CONCLUSIONS

# Key of a 汇总 row dict holding the project's facts (not a column of the 汇总 sheet).
REVIEW_KEY = "复核"

# Risk name (rule-set key) -> finding code.
RISK_CODES = {
    "高分低执行率": "I-RISK-HIGH-LOW",
    "定性全部达成": "I-RISK-ALL-TOP",
    "大幅超额": "I-RISK-FAR-ABOVE",
    "报告与表不符": "I-RISK-REPORT",
    "填报得分不符": "I-RISK-TYPED",
    "文字雷同": "I-RISK-SAME-TEXT",
}
# Findings saying a typed score, subtotal or total is not what the rule gives.
TYPED_CODES = ("E-SCORE-MISMATCH", "E-QUAL-BAND", "E-SCORE-OVER", "W-TYPED-DIFFERS")
# Findings saying a report's numbers contradict the form (report/consistency.py).
REPORT_CODES = ("E-REPORT-NUMBER", "E-REPORT-ARITH", "E-REPORT-GRADE")
# 复核结论 choices (the sheet's drop-down list) when the bureau's rule set names none (抽查 → 复核结论).
CONCLUSIONS = REVIEW_CONCLUSIONS
MAX_LISTED = 3  # examples named per risk; the count says how many there are
PREVIEW_CHARS = 30


# ---- in the worker ----------------------------------------------------------------------------
def _pct(value: Decimal, places: int = 2) -> str:
    from evaltool.core.decimals import fmt_percent

    text = fmt_percent(value, places)
    return text.replace(".00%", "%") if places else text


def _label(r) -> str:
    return r.level3 or f"第 {r.index + 1} 个指标"


def _at(location) -> str:
    """'（自评表!F13）' naming the cell a reviewer opens, '' when the form gave no cell (a case file)."""
    return f"（{location}）" if location is not None and getattr(location, "cell", None) else ""


def _first_sentence(text: str) -> str:
    """The message up to its first 。 outside quotes (a quoted report sentence keeps its own 。)."""
    depth = 0
    for k, ch in enumerate(text):
        if ch in "“《（":
            depth += 1
        elif ch in "”》）":
            depth = max(0, depth - 1)
        elif ch == "。" and depth == 0:
            return text[:k]
    return text


_TYPED_NUMBERS = re.compile(r"填报(?:的得分)? ?(\S+?) ?与按[^，。]*?计算的 ?(\S+?) ?不一致")
_CLAIMED = re.compile(r"计算的\S*?为 (\S+?)，与本单元格手工填写的“([^”]*)”不同")


def _typed_text(f, result) -> str:
    """One typed-score finding for the 抽查: which indicator, which cell, what was typed and what the
    rule gives ("“信息公开数量”的得分（自评表!J13）填报 18、按规则为 20")."""
    label = f.field
    if f.indicator is not None:
        r = next((r for r in result.indicators if r.index == f.indicator), None)
        if r is not None:
            label = f"“{_label(r)}”的{f.field}"
    m = _TYPED_NUMBERS.search(f.message)
    said = f"填报 {m.group(1)}、按规则为 {m.group(2)}" if m else ""
    m = None if said else _CLAIMED.search(f.message)  # W-TYPED-DIFFERS: "计算的总分为 94.70，与…“99”不同"
    said = f"填报 {m.group(2)}、按规则为 {m.group(1)}" if m else said
    return f"{label}{_at(f.location)}{said}"


def _ind_at(project, r, name: str) -> str:
    if 0 <= r.index < len(project.indicators):
        return _at(project.indicators[r.index].cells.get(name))
    return ""


def _norm_text(text: Any) -> str:
    """A text as compared for 文字雷同: full-width folded, spaces, punctuation and symbols dropped."""
    if not isinstance(text, str):
        return ""
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch)[0] not in "PSZC")


def _preview(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS] + "…"


def _texts(project, result) -> list[tuple[str, str]]:
    """(label, text) of the free texts a unit writes itself: each indicator's 偏差原因, the 年度总体目标's
    实际完成情况 and the 报告素材's 预算执行偏差原因."""
    out = []
    for r in result.indicators:
        if 0 <= r.index < len(project.indicators):
            out.append((f"“{_label(r)}”的偏差原因分析及改进措施{_ind_at(project, r, '偏差原因分析及改进措施')}",
                        project.indicators[r.index].deviation))
    out.append((f"年度总体目标的实际完成情况{_at(project.cells.get('实际完成情况'))}", project.goal_actual))
    out.append((f"报告素材的预算执行偏差原因{_at(project.cells.get('报告素材.预算执行偏差原因'))}",
                (project.report or {}).get("预算执行偏差原因")))
    return [(label, text) for label, text in out if isinstance(text, str) and text.strip()]


def project_facts(project, result, rules, path: str | os.PathLike | None, alone: bool = True) -> dict[str, Any]:
    """What the 抽查 needs of one scored project, as plain picklable values."""
    from evaltool.core.decimals import fmt, plain_number
    from evaltool.core.kinds import kind_of

    rv = rules.review
    assert rv is not None  # every loaded rule set has one (defaults when it has no 抽查)
    risks: list[tuple[str, str]] = []  # (risk name, reason)
    notes: list[str] = []
    rate, total = result.rate_display, result.total

    if total is not None and rate is not None and total >= rv.high_total and rate < rv.low_rate:
        fund = (project.funds or {}).get("年度资金总额")
        spent = fund.cells.get("全年执行数") if fund is not None else None
        rate_at = f"（全年执行数 {spent}）" if spent is not None and spent.cell else ""
        risks.append(("高分低执行率", f"总分 {fmt(total, 2)}（{result.grade}）{_at(project.cells.get('总分'))}"
                                  f"而执行率仅 {_pct(rate)}{rate_at}；总分不低于 {fmt(rv.high_total)} 分且执行率"
                                  f"低于 {_pct(rv.low_rate)} 即列入"))

    qualitative = [r for r in result.indicators if r.method == "定性"]
    if qualitative and len(qualitative) >= rv.qual_min:
        top = max(rules.qual_bands, key=lambda b: (b.high, b.low)) if rules.qual_bands else None
        graded_top = []
        for r in qualitative:
            actual = project.indicators[r.index].actual if 0 <= r.index < len(project.indicators) else None
            band = rules.grade_of(str(actual)) if isinstance(actual, str) else None
            full = r.score is not None and r.weight is not None and r.weight > 0 and r.score >= r.weight
            if full or (top is not None and band is top):
                graded_top.append(r)
        if len(graded_top) == len(qualitative):
            name = top.name if top is not None else "最高等级"
            listed = "、".join(f"“{_label(r)}”{_ind_at(project, r, '实际完成值')}" for r in qualitative[:MAX_LISTED])
            more = f"等 {len(qualitative)} 个" if len(qualitative) > MAX_LISTED else ""
            risks.append(("定性全部达成", f"{len(qualitative)} 个定性指标全部自评为“{name}”或满分：{listed}{more}"))

    far = [r for r in result.indicators if r.excess is not None and r.excess >= rv.far_margin]
    if far:
        listed = "、".join(f"“{_label(r)}”{'优于' if r.method == '反向' else '超出'}目标 {_pct(r.excess, 0)}"
                          f"{_ind_at(project, r, '实际完成值')}" for r in far[:MAX_LISTED])
        more = f"等 {len(far)} 个指标" if len(far) > MAX_LISTED else ""
        risks.append(("大幅超额", f"{listed}{more}；超出 {_pct(rv.far_margin, 0)} 及以上即列入，目标可能定得偏低"))

    typed = [f for f in result.findings if f.code in TYPED_CODES]
    if typed:
        where = "、".join(dict.fromkeys(_typed_text(f, result) for f in typed[:MAX_LISTED]))
        more = "等" if len(typed) > MAX_LISTED else ""
        risks.append(("填报得分不符", f"{len(typed)} 处填报的得分与按规则计算的不同：{where}{more}"))

    report = None
    if path is not None:
        for docx in report_files(Path(path)):
            report = docx.name
            try:
                mismatches = report_mismatches(project, result, docx, alone)
            except Exception as exc:  # noqa: BLE001 - a bad report must not cost the form its row
                from evaltool.core.errors import InputError

                notes.append(f"报告《{docx.name}》未能核对：{exc if isinstance(exc, InputError) else '读取时出错'}")
                continue
            if mismatches is None:
                continue  # the report is about another project of the workbook
            if mismatches:
                first = _first_sentence(mismatches[0].message)
                risks.append(("报告与表不符", f"报告《{docx.name}》有 {len(mismatches)} 处数字与表格不符，如：{first}"))
            break

    if any(isinstance(v, str) and v.strip() for v in (project.report or {}).values()):
        # The workbook's own 报告素材 (what the report is written from), checked as `evaltool check` does.
        from evaltool.report.consistency import material_findings

        said = [f for f in material_findings(project, result) if f.code in REPORT_CODES]
        if said:
            first = _first_sentence(said[0].message)
            risks.append(("报告与表不符", f"“报告素材”工作表有 {len(said)} 处数字与表格不符，如"
                                      f"{_at(said[0].location)}：{first}"))

    texts = []
    for label, text in _texts(project, result):
        norm = _norm_text(text)
        if len(norm) >= rv.same_text_chars:
            digest = hashlib.blake2b(norm.encode("utf-8"), digest_size=12).hexdigest()
            texts.append((label, digest, _preview(text)))

    weights = {k: plain_number(v) for k, v in rv.weights.items()}
    return {
        "风险": [(name, weights.get(name, 0), reason) for name, reason in risks if weights.get(name, 0)],
        "说明": notes,
        "文字": texts,
        "雷同权重": weights.get("文字雷同", 0),
        "结果应用": rules.result_use.get(result.grade or "") if not result.ungraded else None,
        "表格类型": kind_of(project).title,  # 项目支出 / 部门整体 self-evaluations side by side
        "报告": report,
    }


def report_files(workbook: Path) -> list[Path]:
    """The unit's report(s) beside its workbook: .docx files in the same folder whose name starts
    with the workbook's (自评表.xlsx → 自评表-报告.docx), or every .docx there when the folder holds
    no other workbook (one unit's folder: 自评表.xlsx + 绩效自评报告.docx)."""
    folder = workbook.parent
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    visible = [n for n in names if not n.startswith(("~$", ".~", "."))]
    docx = [n for n in visible if n.lower().endswith(".docx")]
    if not docx:
        return []
    stem = workbook.stem
    named = [n for n in docx if n[:-5].startswith(stem)]
    if named:
        return [folder / n for n in named]
    books = [n for n in visible if os.path.splitext(n)[1].lower() in (".xlsx", ".xlsm")]
    return [folder / n for n in docx] if len(books) == 1 else []


def report_mismatches(project, result, docx: Path, alone: bool = True) -> list | None:
    """The report's contradictions of the form (report/consistency.py, as `check-report` gives them).
    A workbook holding several projects has its report checked only against the project the report
    names; None when it names another."""
    from evaltool.report.consistency import check_texts
    from evaltool.report.reading import read_report_texts

    texts, locations = read_report_texts(docx)
    name = _norm_text(str(project.name or ""))
    if not alone and (not name or not any(name in _norm_text(t) for t in texts.values())):
        return None
    return [f for f in check_texts(project, result, texts, locations) if f.code in REPORT_CODES]


# ---- in the main process ----------------------------------------------------------------------
@dataclass
class RiskRow:
    row: dict[str, Any]
    risks: list[tuple[str, Any, str]] = field(default_factory=list)  # (name, weight, reason)
    notes: list[str] = field(default_factory=list)

    @property
    def score(self) -> Decimal:
        from evaltool.core.decimals import to_decimal

        seen: dict[str, Decimal] = {}
        for name, weight, _ in self.risks:
            seen.setdefault(name, to_decimal(weight) or Decimal(0))
        return sum(seen.values(), Decimal(0))

    def reasons(self) -> str:
        lines = [f"{i}. {reason}（{RISK_CODES.get(name, '')}）" for i, (name, _, reason) in enumerate(self.risks, 1)]
        lines += [f"注：{n}" for n in self.notes]
        return "\n".join(lines) if lines else "未发现风险"


@dataclass
class ReviewPack:
    ranked: list[RiskRow]
    conclusions: tuple[str, ...] = CONCLUSIONS  # the 复核结论 drop-down

    @property
    def risky(self) -> int:
        return sum(1 for r in self.ranked if r.score > 0)

    def as_dict(self) -> dict:
        return {"有风险的项目数": self.risky,
                "风险最高": [{"项目": r.row.get("项目"), "单位": r.row.get("单位"), "文件": r.row.get("文件"),
                              "工作表": r.row.get("工作表"), "风险分": _num(r.score),
                              "理由": [reason for _, _, reason in r.risks]} for r in self.ranked[:10] if r.score > 0]}

    def write(self, wb) -> None:
        write_sheets(wb, self)


def _num(value: Decimal) -> Any:
    from evaltool.core.decimals import plain_number

    return plain_number(value)


def _unit_key(row: dict) -> str:
    unit = str(row.get("单位") or "").strip()
    return unit or f"文件:{row.get('文件')}"


def conclusions_of(rules: str | None) -> tuple[str, ...]:
    """The 复核结论 choices of the rule set the bureau collects with (`collect --rules`; the national one
    without): the 复核 is the bureau's, not each unit's (a unit's 设置 sheet picks its own rule set)."""
    from evaltool.core.rules import RuleError, load_rules

    try:
        review = load_rules(rules).review
    except RuleError:  # collect reports a bad rule set on every row; the sheet keeps the usual choices
        return CONCLUSIONS
    return review.conclusions if review is not None else CONCLUSIONS


def build_review(rows: list[dict], rules: str | None = None) -> ReviewPack:
    """Every reviewed 汇总 row with its risks (same texts across units added here), highest risk first.
    A row is reviewed when the worker gave it facts (REVIEW_KEY): a form of a kind with a 总分/等次
    (FormKind.graded), not a 目标表 or 监控表."""
    out = [RiskRow(row=row) for row in rows if REVIEW_KEY in row]
    by_digest: dict[str, list[tuple[int, str, str]]] = {}
    for i, rr in enumerate(out):
        facts = rr.row.get(REVIEW_KEY)
        if rr.row.get("无法计分原因"):  # no 总分: the reviewer sees why beside the risks
            rr.notes.append(f"无法计分：{rr.row['无法计分原因']}")
        if not facts:
            continue
        rr.risks.extend(tuple(x) for x in facts.get("风险", ()))  # type: ignore[misc]
        rr.notes.extend(facts.get("说明", ()))
        for label, digest, preview in facts.get("文字", ()):
            by_digest.setdefault(digest, []).append((i, label, preview))
    same: dict[int, list[str]] = {}
    for entries in by_digest.values():
        # Linear in the entries: boilerplate shared by hundreds of forms must not cost their square.
        units: dict[str, list[int]] = {}
        for i, _, _ in entries:
            units.setdefault(_unit_key(out[i].row), []).append(i)
        if len(units) < 2:
            continue  # the same unit repeating itself (or one project sent twice) is not copying
        named = [(unit, rows[0]) for unit, rows in units.items()][:MAX_LISTED + 1]
        for i, label, preview in entries:
            own = _unit_key(out[i].row)
            others = [j for unit, j in named if unit != own][:MAX_LISTED]
            names = "、".join(f"{out[j].row.get('单位') or out[j].row.get('文件')}《{out[j].row.get('项目') or ''}》"
                             for j in others)
            more = f"等 {len(units) - 1} 个单位" if len(units) - 1 > len(others) else ""
            same.setdefault(i, []).append(f"{label}“{preview}”与{names}{more}的文字完全相同")
    for i, found in same.items():
        facts = out[i].row[REVIEW_KEY]
        weight = facts.get("雷同权重", 0)
        if weight:
            shown = "；".join(found[:MAX_LISTED]) + (f"；另有 {len(found) - MAX_LISTED} 处" if len(found) > MAX_LISTED else "")
            out[i].risks.append(("文字雷同", weight, shown))

    def key(rr: RiskRow):
        total = rr.row.get("总分")
        return (-rr.score, -(total if isinstance(total, (int, float)) else -1),
                str(rr.row.get("主管部门") or ""), str(rr.row.get("单位") or ""), str(rr.row.get("项目") or ""),
                str(rr.row.get("文件") or ""), str(rr.row.get("工作表") or ""))

    out.sort(key=key)
    return ReviewPack(ranked=out, conclusions=conclusions_of(rules))


# ---- the sheets -------------------------------------------------------------------------------
REVIEW_SHEET = "抽查"
OPINION_SHEET = "复核意见"
REVIEW_SPEC = [  # (header, number format, width)
    ("排序", "0", 6), ("风险分", "0.##", 8), ("主管部门", None, 22), ("单位", None, 24), ("项目", None, 30),
    ("年度", "0", 7), ("执行率", "0.00%", 9), ("总分", "0.00", 8), ("等次", None, 8), ("建议结果应用", None, 16),
    ("风险理由", None, 80), ("文件", None, 30), ("工作表", None, 14), ("表格类型", None, 24),
]
OPINION_SPEC = [
    ("排序", "0", 6), ("项目", None, 30), ("单位", None, 24), ("风险分", "0.##", 8), ("风险理由", None, 60),
    ("复核结论", None, 22), ("复核意见", None, 40), ("复核人", None, 10), ("日期", "yyyy-mm-dd", 12),
]


class _Cells:
    """Rows of write-only cells for one sheet: text as text (never a formula), numbers with their
    column's format, long texts wrapped and everything top-aligned so a reason per line reads in its
    cell. Each column's style is built once and copied onto its cells (openpyxl would otherwise
    look every cell's style up again: seconds for a 1,000-project 抽查)."""

    def __init__(self, ws, spec: list):
        from copy import copy

        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment

        self.ws, self._copy, self._cell = ws, copy, WriteOnlyCell
        wrap, top = Alignment(wrap_text=True, vertical="top"), Alignment(vertical="top")
        self.text, self.number = [], []
        for _, fmt, width in spec:
            text = WriteOnlyCell(ws)
            text.alignment = wrap if width >= 40 else top
            number = WriteOnlyCell(ws)
            number.alignment = top
            if fmt:
                number.number_format = fmt  # also on an empty cell: the 日期 typed later shows as a date
            self.text.append(text._style)
            self.number.append(number._style)

    def row(self, values: list) -> list:
        from evaltool.collect.output import plain, text_cell

        out = []
        for k, v in enumerate(values):
            v = plain(v)
            if isinstance(v, str):
                cell = text_cell(self.ws, v)
                quoted = cell.quotePrefix
                cell._style = self._copy(self.text[k])
                if quoted:
                    cell.quotePrefix = True
            else:
                cell = self._cell(self.ws, value=v)
                cell._style = self._copy(self.number[k])
            out.append(cell)
        return out


def _clip(text: str, limit: int = 255) -> str:
    """Excel refuses to open a workbook whose validation message is longer than 255 characters."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def write_sheets(wb, pack: ReviewPack) -> None:
    """The 抽查 sheet (ranked, with reasons and the suggested 结果应用) and the 复核意见 sheet to fill,
    placed right after the 汇总 sheet."""
    from openpyxl.worksheet.datavalidation import DataValidation, DataValidationList

    from evaltool.collect.output import SheetWriter

    review = SheetWriter(wb, REVIEW_SHEET, [h for h, _, _ in REVIEW_SPEC], [f for _, f, _ in REVIEW_SPEC],
                         [w for *_, w in REVIEW_SPEC])
    opinion = SheetWriter(wb, OPINION_SHEET, [h for h, _, _ in OPINION_SPEC], [f for _, f, _ in OPINION_SPEC],
                          [w for *_, w in OPINION_SPEC])
    review_cells, opinion_cells = _Cells(review.ws, REVIEW_SPEC), _Cells(opinion.ws, OPINION_SPEC)
    for n, rr in enumerate(pack.ranked, 1):
        row = rr.row
        facts = row.get(REVIEW_KEY) or {}
        reasons, score = rr.reasons(), _num(rr.score)
        review.append(review_cells.row([
            n, score, row.get("主管部门"), row.get("单位"), row.get("项目"), row.get("年度"), row.get("执行率"),
            row.get("总分"), row.get("等次"), facts.get("结果应用"), reasons, row.get("文件"), row.get("工作表"),
            facts.get("表格类型")]),
            raw=True)
        opinion.append(opinion_cells.row([n, row.get("项目"), row.get("单位"), score, reasons, None, None, None, None]),
                       raw=True)
    review.autofilter()
    last = max(2, len(pack.ranked) + 1)
    validations = DataValidationList()
    choices = pack.conclusions
    choice = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                            showErrorMessage=True, errorTitle="复核结论",
                            error=_clip("请从下拉列表中选择复核结论：" + "、".join(choices) + "。"),
                            showInputMessage=True, promptTitle="复核结论", prompt="请从下拉列表中选择。")
    choice.add(f"F2:F{last}")
    day = DataValidation(type="date", operator="greaterThan", formula1="DATE(2000,1,1)", allow_blank=True,
                         showErrorMessage=True, errorTitle="日期", error="请填写日期，例如 2026-12-04。")
    day.add(f"I2:I{last}")
    validations.append(choice)
    validations.append(day)
    opinion.ws.data_validations = validations
    # Right after 汇总: the bureau opens the workbook at the sheets it has to work on.
    for offset, ws in enumerate((review.ws, opinion.ws), start=1):
        wb.move_sheet(ws.title, offset=wb.sheetnames.index("汇总") + offset - wb.sheetnames.index(ws.title))


__all__ = ["REVIEW_KEY", "RISK_CODES", "project_facts", "build_review", "ReviewPack", "report_files", "write_sheets"]
