"""The console: what `evaltool` prints, and how text from a file is made inert before it is printed.

rich only here and in the click modules (cli*.py, *_cli.py): the Excel entry points and the server never
import this module.
"""
from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING

from evaltool.core.decimals import fmt

if TYPE_CHECKING:  # the model (dataclasses) loads with the first command that reads a project
    from evaltool.core.model import Project, ScoreResult


class _LazyConsole:
    """rich's Console, made on first use: `evaltool --help` and the commands that do not print
    through rich never import it (a third of the start-up). Everything else is the Console's."""

    def __init__(self, **options):
        self._options = options
        self._console = None

    def __getattr__(self, name):
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return getattr(self._console, name)


# Piped output (files, CI logs) gets a wide fixed width so explanations are not folded into slivers.
# emoji=False: a clerk's ":warning:" is text, not an emoji code.
console = _LazyConsole(highlight=False, emoji=False, width=None if sys.stdout.isatty() else 160,
                       soft_wrap=not sys.stdout.isatty())
err_console = _LazyConsole(stderr=True, highlight=False, emoji=False, soft_wrap=True)

# Characters that would act on the terminal instead of being shown: C0 controls but tab and line
# feed, DEL, C1 controls (CSI is U+009B), and the bidirectional overrides that reorder a line.
CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def visible_char(match: re.Match) -> str:
    ch = match.group()
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode control pictures: ␛ for ESC, ␍ for CR
    if code == 0x7F:
        return "\u2421"
    return f"\\u{code:04x}"


def esc(value) -> str:
    """Text from a file (a clerk's project name, a sheet name, a rule set's name, a message that
    quotes them) made inert for the console: rich markup escaped, control characters shown as
    symbols. Every such value printed through console goes through here."""
    text = "" if value is None else str(value)
    if CONTROL_RE.search(text):
        text = CONTROL_RE.sub(visible_char, text)
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def json_text(text: str) -> str:
    """JSON for the console: json.dumps escapes C0 controls; C1 controls and the bidi overrides too."""
    return CONTROL_RE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)



# ---- printing --------------------------------------------------------------------------------
SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def print_result(project: Project, result: ScoreResult) -> None:
    """A scored project as its kind prints it."""
    from evaltool.core.kinds import kind_of

    kind_of(project).print_result(project, result)


def print_total(result: ScoreResult) -> None:
    """总分 and 等次, or 无法计分 with the reason: never a number for what could not be read."""
    from evaltool.core.results import ungraded_text

    text = ungraded_text(result)
    if text:
        console.print(f"[bold red]总分 无法计分    等次 无法计分[/]\n[red]{esc(text)}[/]")
    else:
        console.print(f"[bold]总分 {fmt(result.total, 2)}    等次 {esc(result.grade)}[/]")


def print_findings(result: ScoreResult) -> None:
    from evaltool.core.model import SEVERITY_LABEL

    if not result.findings:
        console.print("[green]校验通过，没有发现问题。[/]")
        return
    counts = {s: sum(f.severity == s for f in result.findings) for s in SEVERITY_LABEL}
    console.print(f"发现 {counts['error']} 个错误、{counts['warning']} 个警告、{counts['info']} 个提示：")
    for f in result.findings:
        where = str(f.location)
        console.print(f"  [{SEVERITY_STYLE[f.severity]}]{SEVERITY_LABEL[f.severity]}[/] "
                      + (f"[dim]{esc(where)}[/] " if where else "") + f"{esc(f.message)} [dim]({esc(f.code)})[/]")


def exit_code(results: list[tuple[Project, ScoreResult]]) -> int:
    return 1 if any(r.errors for _, r in results) else 0  # EXIT_FINDINGS / EXIT_OK


def to_json(results: list[tuple[Project, ScoreResult]]) -> str:
    import json

    from evaltool.core.results import result_dict

    data = [result_dict(p, r) for p, r in results]
    return json_text(json.dumps(data[0] if len(data) == 1 else data, ensure_ascii=False, indent=2))

