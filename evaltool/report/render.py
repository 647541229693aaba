"""Templates → report markup, in jinja2's sandbox.

A finance bureau may ship its own templates (--template DIR); they run in SandboxedEnvironment with
StrictUndefined, so reaching Python internals (__class__, __globals__ …), the file system (include
outside the template folder) or a misspelt variable stops with a Chinese InputError, never a
traceback and never a silently blank paragraph.
"""
from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from evaltool.core.errors import InputError
from evaltool.report.context import year_prefix

BUILTIN_DIR = Path(__file__).parent / "templates"
MAIN_TEMPLATE = "report.md.j2"
SCORESHEET_TEMPLATE = "report-scoresheet.md.j2"
MAX_OUTPUT_CHARS = 2_000_000  # a real report is ~10k characters; a runaway loop is not a report


class TemplateProblem(InputError):
    """A report template that cannot be used; the message names the file and line."""


def _finalize(value: Any) -> Any:
    # Clerk texts are escaped where the context is built (context.escape_markup); here only None.
    return "" if value is None else value


class _Sandbox(SandboxedEnvironment):
    """The sandbox also bounds '*' and '**', so a template cannot exhaust memory or CPU with
    "{{ 'x' * 10**9 }}" or "{{ 9**9**9 }}"."""

    intercepted_binops = frozenset(["*", "**"])

    def call_binop(self, context, operator, left, right):
        if operator == "**":
            if isinstance(right, (int, float)) and abs(right) > 64 or \
                    isinstance(left, (int, float)) and abs(left) > 10 ** 6 and right > 2:
                raise SecurityError("乘方过大")
        elif operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(times, int) and len(seq) * times > 100_000:
                    raise SecurityError("重复次数过多")
        return super().call_binop(context, operator, left, right)


class _Undefined(jinja2.StrictUndefined):
    """StrictUndefined, so a misspelt variable fails loudly instead of printing nothing."""


_ENVIRONMENTS: dict[str, SandboxedEnvironment] = {}


def environment(template_dir: str | Path | None = None) -> SandboxedEnvironment:
    """One environment per template folder: compiled templates are cached (and reloaded when a
    template file changes, jinja2's auto_reload)."""
    key = str(Path(template_dir).resolve()) if template_dir is not None else ""
    env = _ENVIRONMENTS.get(key)
    if env is None or (template_dir is not None and not Path(template_dir).is_dir()):
        env = make_environment(template_dir)
        _ENVIRONMENTS[key] = env
    return env


def make_environment(template_dir: str | Path | None = None) -> SandboxedEnvironment:
    loaders: list[jinja2.BaseLoader] = []
    if template_dir is not None:
        folder = Path(template_dir)
        if not folder.is_dir():
            raise TemplateProblem(f"找不到报告模板目录：{folder}。--template 应指向包含 {MAIN_TEMPLATE} 的文件夹。")
        loaders.append(jinja2.FileSystemLoader(str(folder), encoding="utf-8"))
    loaders.append(jinja2.FileSystemLoader(str(BUILTIN_DIR), encoding="utf-8"))
    env = _Sandbox(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=_Undefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        finalize=_finalize,
    )
    # Keep only harmless globals: no lipsum/cycler/joiner objects to poke at.
    for name in ("lipsum", "cycler", "joiner"):
        env.globals.pop(name, None)
    return env


def _where(exc: BaseException) -> str:
    lineno = getattr(exc, "lineno", None)
    name = getattr(exc, "filename", None) or getattr(exc, "name", None)
    if lineno is None:  # runtime errors: find the template frame in the traceback
        tb = exc.__traceback__
        while tb is not None:
            code = tb.tb_frame.f_code
            if code.co_filename.endswith(".j2") or code.co_filename == "<template>":
                lineno = tb.tb_lineno
                name = code.co_filename
            tb = tb.tb_next
    parts = []
    if name:
        parts.append(Path(str(name)).name)
    if lineno:
        parts.append(f"第 {lineno} 行")
    return "（" + "，".join(parts) + "）" if parts else ""


def render_markup(context: dict[str, Any], template_dir: str | Path | None = None,
                  today: _dt.date | None = None, template_name: str = MAIN_TEMPLATE) -> str:
    """Render the main template to report markup (see report.md.j2 for the line syntax)."""
    env = environment(template_dir)
    today = today or _dt.date.today()
    ctx = dict(context)
    ctx.setdefault("today", f"{today.year}年{today.month}月{today.day}日")
    if "title" not in ctx:  # report_context already made it; other callers get it here
        ctx["title"] = report_title(context)
    try:
        template = env.get_template(template_name)
        text = template.render(ctx)
    except SecurityError as exc:
        raise TemplateProblem(
            f"报告模板{_where(exc)}试图访问不允许的内容（{exc}）。模板只能使用报告提供的变量和 jinja2 的"
            "普通语法，不能访问 Python 内部对象或文件。请删除这一处后重试。") from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateProblem(
            f"报告模板引用的文件“{exc.name}”不存在或不在模板目录内{_where(exc)}。模板只能引用同一目录中的文件"
            "（不能读取其他位置的文件）。") from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateProblem(f"报告模板{_where(exc)}有语法错误：{exc.message}。") from None
    except jinja2.UndefinedError as exc:
        raise TemplateProblem(
            f"报告模板{_where(exc)}使用了不存在的变量或属性（{exc.message}）。可用变量见内置模板"
            " evaltool/report/templates/report.md.j2。") from None
    except RecursionError:
        raise TemplateProblem(f"报告模板 {template_name}（或它引用的模板）中的宏或引用无限递归，请检查模板。") from None
    except (jinja2.TemplateError, TypeError, ValueError, ArithmeticError, AttributeError, KeyError,
            IndexError, OverflowError) as exc:
        raise TemplateProblem(f"报告模板{_where(exc)}运行出错：{exc}。请检查模板。") from None
    if len(text) > MAX_OUTPUT_CHARS:
        raise TemplateProblem("报告模板生成的内容过长（超过 200 万字），请检查模板中的循环。")
    return text


def report_title(context: dict[str, Any]) -> str:
    project = context.get("project", {})
    name = str(project.get("name", ""))
    year = str(project.get("year", ""))
    unit = str(project.get("unit", ""))  # cleaned of its budget-system code by the context already
    suffix = "支出绩效评价报告" if name.endswith("项目") else "项目支出绩效评价报告"
    if context.get("kind") == "评分表":
        suffix = "绩效评价报告"
    year_part = year_prefix(name, year)
    # U+2028 marks where a long title may break (after the unit); the Word writer balances the lines.
    return f"{unit}{TITLE_BREAK if unit else ''}{year_part}{name}{suffix}"


TITLE_BREAK = "\u2028"
