"""Formula cells whose result the file does not hold: what the clerk is told, for every kind of form.

A workbook written by a generator (or by openpyxl) can hold formulas that were never calculated:
the file has no result for them, so every reader sees an empty cell. The engines note each such
cell (W-READ-FORMULA, engines/sheetxml.py); here, after a form was evaluated, a finding about one of
those cells ("项目名称未填写") says what really happened, and the cells no finding mentions are
listed once per sheet. Pure: the findings and the project only.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from evaltool.core.model import Finding, Project, ScoreResult

CODE = "W-READ-FORMULA"
FIX = "请在 Excel 或 WPS 中打开该文件并保存一次（公式的计算结果随之保存），或改为直接填写。"
SAID = "是公式，但文件中没有保存它的计算结果（按未填写处理）"
SHORT = "是公式，文件中没有保存它的计算结果"
WORDS = ("未填写", "没有填写")
LISTED = 5  # cells named one by one in a sheet's summary line
MAX_NOTED = 200  # cells an engine notes per sheet (a generated sheet may hold thousands)


def _key(project: Project, f: Finding) -> tuple[str | None, str | None]:
    return (f.location.sheet or project.sheet, f.location.cell)


def _reworded(message: str, cell: str) -> str:
    """The finding's text with its cell's real state: "X未填写，…。请填写…" → "X是公式，但文件中没有保存
    它的计算结果（按未填写处理），…。" + how to get the result saved."""
    for word in WORDS:
        at = message.find(word)
        if at >= 0:
            ends = [e for e in (message.find("。", at), message.find("，请", at)) if e >= 0]
            end = min(ends) if ends else -1  # the sentence's own advice (请填写…) gives way to FIX
            head = message[:at] + SAID + message[at + len(word):end if end >= 0 else len(message)]
            return head.rstrip("。") + "。" + FIX
    return f"{message.rstrip('。')}。（{cell} 是公式，文件中没有保存它的计算结果，按空白读取。）{FIX}"


def explain(project: Project, result: ScoreResult, sheets: set[str]) -> None:
    """In place: findings about an unsaved formula cell say so; the engines' W-READ-FORMULA notes are
    dropped where such a finding says it, kept (one line per sheet of the form's `sheets`) elsewhere."""
    notes = [f for f in result.findings if f.code == CODE]
    if not notes:
        return
    import dataclasses

    unsaved = {_key(project, f) for f in notes}
    said: set[tuple[str | None, str | None]] = set()
    swaps: list[tuple[str, str]] = []
    findings = []
    for f in result.findings:  # copies: a reader's finding may be evaluated again (score, then report)
        key = _key(project, f)
        if f.code != CODE and key in unsaved:
            message = _reworded(f.message, key[1] or "")
            said.add(key)
            first_old, first_new = f.message.split("。")[0], message.split("。")[0]
            if first_old and first_old != first_new:
                swaps.append((first_old, first_new))
            for word in WORDS:  # a reason said in other words elsewhere: "执行率无法计算（X未填写）"
                at = f.message.find(word)
                if at > 0:
                    swaps.append((f.message[:at + len(word)], f.message[:at] + SHORT))
                    break
            f = dataclasses.replace(f, message=message)
        findings.append(f)
    for old, new in swaps:  # where a reason is repeated (无法计分：…), it is the same reason
        if result.ungraded:
            result.ungraded = result.ungraded.replace(old, new)
        findings = [dataclasses.replace(f, message=f.message.replace(old, new))
                    if f.code != CODE and old in f.message and new not in f.message else f for f in findings]
    left: dict[str, list[Finding]] = {}
    for f in notes:
        key = _key(project, f)
        if key not in said and key[0] in sheets:
            left.setdefault(key[0] or "", []).append(f)
    out: list[Finding] = []
    placed = False
    for f in findings:
        if f.code != CODE:
            out.append(f)
        elif not placed:  # the sheets' lines where the notes were (the reading findings lead)
            placed = True
            out += [_summary(sheet, cells) for sheet, cells in left.items()]
    result.findings = out


def _summary(sheet: str, notes: list[Finding]) -> Finding:
    from evaltool.core.model import Finding, Location

    if len(notes) == 1:
        f = notes[0]
        return Finding(CODE, "warning", f"单元格是公式，文件中没有保存它的计算结果，按空白读取。{FIX}", f.field,
                       Location(sheet=sheet, cell=f.location.cell))

    cells = [f.location.cell or "" for f in notes]
    more = "以上" if len(cells) >= MAX_NOTED else ""  # the engines stop noting there
    shown = "、".join(cells[:LISTED]) + (f" 等 {len(cells)} 个{more}单元格" if len(cells) > LISTED else "")
    first = notes[0]
    return Finding(CODE, "warning", f"工作表“{sheet}”中 {shown} 是公式，文件中没有保存它们的计算结果，按空白读取。{FIX}",
                   first.field, Location(sheet=sheet, cell=first.location.cell))


__all__ = ["CODE", "FIX", "explain"]
