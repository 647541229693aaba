"""One call from a scored project to a .docx: 自评表 and 评分表 each have their template and 附表."""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

from evaltool.core.model import Project, ScoreResult
from evaltool.report.docx_writer import build_document, save_atomic
from evaltool.report.render import MAIN_TEMPLATE, SCORESHEET_TEMPLATE, render_markup, report_title


def report_context(project: Project, result: ScoreResult) -> dict:
    from evaltool.report import context

    if project.kind == "评分表":
        ctx = context.build_scoresheet_context(project, result)
    else:
        ctx = context.build_context(project, result)
    ctx["title"] = report_title(ctx)  # one title for the heading and the document properties
    return ctx


def report_markup(project: Project, result: ScoreResult, template_dir: str | Path | None = None,
                  today: _dt.date | None = None) -> tuple[str, dict]:
    ctx = report_context(project, result)
    name = SCORESHEET_TEMPLATE if project.kind == "评分表" else MAIN_TEMPLATE
    return render_markup(ctx, template_dir, today, name), ctx


def build_report(project: Project, result: ScoreResult, template_dir: str | Path | None = None,
                 today: _dt.date | None = None):
    """The python-docx Document of the report (not yet saved)."""
    from evaltool.report.form_table import write_form, write_scoresheet_form

    markup, ctx = report_markup(project, result, template_dir, today)
    writer = write_scoresheet_form if project.kind == "评分表" else write_form
    return build_document(markup, form_writer=lambda doc: writer(doc, project, result, ctx),
                          title=ctx["title"], author=ctx["project"]["unit"] or None)


def write_report(project: Project, result: ScoreResult, path: str | Path,
                 template_dir: str | Path | None = None, today: _dt.date | None = None) -> Path:
    path = Path(path)
    save_atomic(build_report(project, result, template_dir, today), path)
    return path
