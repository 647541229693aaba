"""One call from a scored project to a .docx: 自评表 and 评分表 each have their template and 附表."""
from __future__ import annotations

import copy
import dataclasses
import datetime as _dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from evaltool.core.model import Project, ScoreResult
from evaltool.report.docx_writer import build_document, save_atomic
from evaltool.report.render import render_markup, report_title


def _has_illegal(obj, seen: set) -> bool:
    from evaltool.workbook.cellvalue import XML_ILLEGAL_RE

    if isinstance(obj, str):
        return XML_ILLEGAL_RE.search(obj) is not None
    if id(obj) in seen or isinstance(obj, (int, float, Decimal, type(None), bool, _dt.date)):
        return False
    seen.add(id(obj))
    if isinstance(obj, dict):
        return any(_has_illegal(k, seen) or _has_illegal(v, seen) for k, v in obj.items())
    if isinstance(obj, (list, tuple, set)):
        return any(_has_illegal(v, seen) for v in obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return any(_has_illegal(getattr(obj, f.name, None), seen) for f in dataclasses.fields(obj))
    return False


def _cleaned(obj, memo: dict):
    """A copy of obj with the characters XML cannot hold removed from every text in it."""
    from evaltool.workbook.cellvalue import xml_safe

    if isinstance(obj, str):
        return xml_safe(obj)
    if id(obj) in memo:
        return memo[id(obj)]
    if isinstance(obj, dict):
        mapping = memo[id(obj)] = type(obj)() if type(obj) is not dict else {}
        for k, v in obj.items():
            mapping[_cleaned(k, memo)] = _cleaned(v, memo)
        return mapping
    if isinstance(obj, list):
        items: list[Any] = []
        memo[id(obj)] = items
        items.extend(_cleaned(v, memo) for v in obj)
        return items
    if isinstance(obj, tuple) and not hasattr(obj, "_fields"):
        return tuple(_cleaned(v, memo) for v in obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out = memo[id(obj)] = copy.copy(obj)
        for f in dataclasses.fields(obj):
            if hasattr(obj, f.name):
                object.__setattr__(out, f.name, _cleaned(getattr(obj, f.name), memo))
        return out
    return obj


def docx_safe(project: Project, result: ScoreResult) -> tuple[Project, ScoreResult]:
    """The project and result with every text Word can hold: XML forbids most control characters
    (a clerk's pasted text carries them: vertical tab, form feed, escape), and python-docx refuses
    them. They are removed from a copy; the workbook and the objects passed in are not touched."""
    if not (_has_illegal(project, set()) or _has_illegal(result, set())):
        return project, result
    memo: dict = {}
    return _cleaned(project, memo), _cleaned(result, memo)


def report_context(project: Project, result: ScoreResult) -> dict:
    from evaltool.core.kinds import kind_of

    ctx = kind_of(project).report_context(project, result)
    ctx["title"] = report_title(ctx)  # one title for the heading and the document properties
    return ctx


def report_markup(project: Project, result: ScoreResult, template_dir: str | Path | None = None,
                  today: _dt.date | None = None) -> tuple[str, dict]:
    ctx = report_context(project, result)
    from evaltool.core.kinds import kind_of

    kind = kind_of(project)
    return render_markup(ctx, template_dir or kind.template_dir, today, kind.report_template), ctx


def build_report(project: Project, result: ScoreResult, template_dir: str | Path | None = None,
                 today: _dt.date | None = None):
    """The python-docx Document of the report (not yet saved)."""
    from evaltool.core.kinds import kind_of

    project, result = docx_safe(project, result)
    markup, ctx = report_markup(project, result, template_dir, today)
    kind = kind_of(project)
    return build_document(markup, form_writer=lambda doc: kind.write_form_table(doc, project, result, ctx),
                          title=ctx["title"], author=ctx["project"]["unit"] or None)


def write_report(project: Project, result: ScoreResult, path: str | Path,
                 template_dir: str | Path | None = None, today: _dt.date | None = None) -> Path:
    path = Path(path)
    save_atomic(build_report(project, result, template_dir, today), path)
    return path


def _safe_name(text: str) -> str:
    from evaltool.core.fileio import safe_filename

    return safe_filename(text, "项目", 60)


def output_paths(file: str, projects: list[Project], output: str | None) -> list[Path]:
    """Report files for the projects. Without -o an existing report (which the clerk may have
    edited in Word) is never replaced: the new one takes the next free name, …（2）.docx."""
    from evaltool.core.kinds import kind_of

    src = Path(file)

    def base(p: Project | None) -> Path:  # the report named as its kind calls it (-绩效目标审核意见.docx)
        return Path(output) if output else src.with_name(f"{src.stem}-{kind_of(p).report_name}.docx")

    if len(projects) == 1:
        paths = [base(projects[0])]
    else:
        paths = [base(p).with_name(f"{base(p).stem}-{_safe_name(label)}{base(p).suffix or '.docx'}")
                 for p, label in zip(projects, _labels(projects))]
    taken: set[Path] = set()  # two forms never get one file (the first report would be lost: S43)
    out: list[Path] = []
    for path in paths:
        path = path if output else _free_name(path, taken)
        n = 2
        while path in taken:
            path = paths[len(out)].with_name(f"{paths[len(out)].stem}-{n}{paths[len(out)].suffix}")
            n += 1
        taken.add(path)
        out.append(path)
    return out


def _labels(projects: list[Project]) -> list[str]:
    """What tells the forms apart in their reports' names: the sheet; where one sheet holds several
    forms, the sheet and the project's name (or its place on the sheet)."""
    sheets = [p.sheet or "" for p in projects]
    out = []
    for n, p in enumerate(projects):
        if p.sheet and sheets.count(p.sheet) == 1:
            out.append(p.sheet)
            continue
        names = [str(q.name or "") for q in projects if (q.sheet or "") == (p.sheet or "")]
        name = str(p.name or "")
        if name and names.count(name) == 1:
            out.append(f"{p.sheet}-{name}" if p.sheet else name)
        else:
            place = sum(1 for q in projects[:n + 1] if (q.sheet or "") == (p.sheet or ""))
            out.append(f"{p.sheet or '表格'}-第{place}张" if p.sheet else str(n + 1))
    return out


def _free_name(path: Path, taken: set[Path] | None = None) -> Path:
    n = 2
    candidate = path
    while candidate.exists() or candidate in (taken or ()):
        candidate = path.with_name(f"{path.stem}（{n}）{path.suffix}")
        n += 1
    return candidate
