"""One call from a scored project to a .docx (and optionally a PDF)."""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

from evaltool.core.model import Project, ScoreResult
from evaltool.report.context import build_context
from evaltool.report.docx_writer import build_document, save_atomic
from evaltool.report.render import render_markup, report_title


def report_markup(project: Project, result: ScoreResult, template_dir: str | Path | None = None,
                  today: _dt.date | None = None) -> tuple[str, dict]:
    context = build_context(project, result)
    return render_markup(context, template_dir, today), context


def build_report(project: Project, result: ScoreResult, template_dir: str | Path | None = None,
                 today: _dt.date | None = None):
    """The python-docx Document of the report (not yet saved)."""
    from evaltool.report.form_table import write_form

    markup, context = report_markup(project, result, template_dir, today)
    return build_document(markup, form_writer=lambda doc: write_form(doc, project, result, context),
                          title=report_title(context), author=context["project"]["unit"] or None)


def write_report(project: Project, result: ScoreResult, path: str | Path,
                 template_dir: str | Path | None = None, today: _dt.date | None = None) -> Path:
    path = Path(path)
    save_atomic(build_report(project, result, template_dir, today), path)
    return path
