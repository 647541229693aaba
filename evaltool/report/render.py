"""Templates → report markup, in jinja2's sandbox.

A finance bureau may ship its own templates (--template DIR); they run in SandboxedEnvironment with
StrictUndefined, so reaching Python internals (__class__, __globals__ …), the file system (include
outside the template folder) or a misspelt variable stops with a Chinese InputError, never a
traceback and never a silently blank paragraph.
"""
from __future__ import annotations

import datetime as _dt
import functools
import os
import re
import threading
import time
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import jinja2
from jinja2.compiler import CodeGenerator
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from evaltool.core.errors import InputError
from evaltool.report.context import year_prefix

BUILTIN_DIR = Path(__file__).parent / "templates"
MAIN_TEMPLATE = "report.md.j2"
SCORESHEET_TEMPLATE = "report-scoresheet.md.j2"


@dataclass(frozen=True)
class TemplateLimits:
    """What one report template may cost. A real report renders in well under 0.1 s to ~10k
    characters, ~200 lines and ~30 headings with one 附表; these bounds are far above that and far
    below what would hang or exhaust the machine. Settings: EVALTOOL_TEMPLATE_<NAME> overrides
    each (e.g. EVALTOOL_TEMPLATE_SECONDS=5)."""

    seconds: float = 10.0  # CPU time of rendering the template
    output_chars: int = 2_000_000  # characters of report markup
    lines: int = 20_000  # non-empty lines (each one a paragraph in Word)
    headings: int = 2_000
    forms: int = 5  # [[附表]] markers (each one the whole form table)
    page_breaks: int = 1_000  # [[分页]] markers
    int_bits: int = 10_000  # size of an integer a template may compute (~3,000 digits)
    sequence: int = 100_000  # items of a list, or characters of a string repeated or added
    argument: int = 100_000  # an integer passed to a function or filter (widths, counts)

    @classmethod
    def from_settings(cls) -> "TemplateLimits":
        values = {}
        for f in fields(cls):
            raw = os.environ.get(f"EVALTOOL_TEMPLATE_{f.name.upper()}")
            if raw:
                try:
                    values[f.name] = type(getattr(cls, f.name))(raw)
                except ValueError:
                    pass
        return cls(**values)


LIMITS = TemplateLimits.from_settings()
LIMIT_NAMES = {"seconds": "运行时间", "output_chars": "生成的字数", "lines": "段落行数", "headings": "标题数",
               "forms": "[[附表]] 标记数", "page_breaks": "[[分页]] 标记数", "int_bits": "整数大小",
               "sequence": "列表或文字长度", "argument": "参数大小"}


class TemplateProblem(InputError):
    """A report template that cannot be used; the message names the file and line."""


class TemplateLimitHit(SecurityError):
    """A template went past one of the TemplateLimits."""

    def __init__(self, limit: str, detail: str = ""):
        value = getattr(_limits(), limit)
        shown = f"{value:g} 秒" if limit == "seconds" else f"{value:,}"
        super().__init__(f"超过了{LIMIT_NAMES[limit]}的上限（{shown}{'，' + detail if detail else ''}）")
        self.limit = limit


class TemplateOutside(SecurityError):
    """A template file (or one it includes or imports) that resolves outside its folder."""

    def __init__(self, name: str, real: str):
        super().__init__(name)
        self.name, self.real = name, real


def _finalize(value: Any) -> Any:
    # Clerk texts are escaped where the context is built (context.escape_markup); here only None.
    return "" if value is None else value


# Per-render budget; a thread-local, because one environment (per template folder) may render in
# several threads at once (the HTTP service).
_RUN = threading.local()


def _limits() -> TemplateLimits:
    return getattr(_RUN, "limits", None) or LIMITS


class _Budget:
    def __init__(self, limits: TemplateLimits):
        self.limits = limits
        self.deadline = time.thread_time() + limits.seconds
        self.ticks = 0


def _tick() -> None:
    budget = getattr(_RUN, "budget", None)
    if budget is None:
        return
    budget.ticks += 1
    if budget.ticks & 255 == 0 and time.thread_time() > budget.deadline:
        raise TemplateLimitHit("seconds", "模板中的循环或递归太多")


class _Generator(CodeGenerator):
    """jinja2's code generator, with a budget check at the start of every block body (each loop
    iteration, macro call, if branch): a template cannot run longer than its limit, however its
    loops are nested, and joins (~) are checked for size before they are made."""

    def blockvisit(self, nodes, frame) -> None:
        self.writeline("environment.tick()")
        super().blockvisit(nodes, frame)

    def visit_Concat(self, node, frame) -> None:
        self.write("environment.check_join((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("), ")
        super().visit_Concat(node, frame)
        self.write(")")


_PERCENT_SPEC_RE = re.compile(r"%[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?")
_BRACE_SPEC_RE = re.compile(r"\{[^{}]*:[^{}]*\}")


def _big_spec(fmt: str, brace: bool) -> bool:
    """A format string asking for a huge width or precision ("%0999999999d", "{:>999999999}")."""
    limit = _limits().argument
    if brace:
        return any(int(n) > limit for spec in _BRACE_SPEC_RE.findall(fmt) for n in re.findall(r"\d+", spec))
    for width, precision in _PERCENT_SPEC_RE.findall(fmt):
        for n in (width, precision):
            if n == "*" or (n and int(n) > limit):
                return True
    return False


class _Sandbox(SandboxedEnvironment):
    """The sandbox also bounds what plain jinja2 syntax can cost: '*', '**', '+' and '%' on huge
    numbers or sequences, joins, filter and function arguments, format widths, CPU time (the ticks
    _Generator writes) and output size (render_markup)."""

    code_generator_class = _Generator
    intercepted_binops = frozenset(["*", "**", "+", "%"])

    def tick(self) -> None:
        _tick()

    def check_join(self, pieces, joined):
        if isinstance(joined, str) and len(joined) > _limits().output_chars:
            raise TemplateLimitHit("output_chars")
        return joined

    def call_binop(self, context, operator, left, right):
        lim = _limits()
        ints = all(isinstance(x, int) and not isinstance(x, bool) for x in (left, right))
        if operator == "**":
            if isinstance(right, (int, float)) and abs(right) > 64 or \
                    isinstance(left, (int, float)) and abs(left) > 10 ** 6 and right > 2:
                raise TemplateLimitHit("int_bits", "乘方过大，这是不允许的")
            if isinstance(right, (int, float)) and isinstance(left, (int, float)) and right > 0:
                bits = max(abs(left), 2).bit_length() if isinstance(left, int) else 64
                if bits * right > lim.int_bits:
                    raise TemplateLimitHit("int_bits", "乘方过大")
        elif operator == "*":
            if ints and left.bit_length() + right.bit_length() > lim.int_bits:
                raise TemplateLimitHit("int_bits", "乘积过大")
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(times, int) and len(seq) * times > lim.sequence:
                    raise TemplateLimitHit("sequence", "重复次数过多")
        elif operator == "+":
            if isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
                cap = lim.output_chars if isinstance(left, str) else lim.sequence
                if len(left) + len(right) > cap:
                    raise TemplateLimitHit("output_chars" if isinstance(left, str) else "sequence")
        elif operator == "%":
            if isinstance(left, str) and _big_spec(left, brace=False):
                raise TemplateLimitHit("argument", "格式宽度过大")
        return super().call_binop(context, operator, left, right)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - jinja2's signature
        _tick()
        if __obj is not __self.globals.get("range"):  # the sandbox's range has its own limit
            _check_args(args, kwargs)
        inner = getattr(__obj, "__wrapped__", __obj)
        if getattr(inner, "__name__", "") in ("format", "format_map") and isinstance(getattr(inner, "__self__", None), str):
            if _big_spec(inner.__self__, brace=True):
                raise TemplateLimitHit("argument", "格式宽度过大")
        return _check_result(super().call(__context, __obj, *args, **kwargs))


def _check_args(args, kwargs) -> None:
    limit = _limits().argument
    for v in (*args, *kwargs.values()):
        if isinstance(v, int) and not isinstance(v, bool) and abs(v) > limit:
            raise TemplateLimitHit("argument")


def _check_result(value):
    if isinstance(value, str) and len(value) > _limits().output_chars:
        raise TemplateLimitHit("output_chars")
    if isinstance(value, (list, tuple)) and len(value) > _limits().sequence:
        raise TemplateLimitHit("sequence")
    return value


def _bounded_filter(fn):
    """A filter whose extra arguments (widths, counts) and result are bounded; the piped value
    itself may be any number (an amount in 元)."""
    skip = 2 if getattr(fn, "jinja_pass_arg", None) is not None else 1

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        _tick()
        _check_args(args[skip:], kwargs)
        if fn.__name__ == "do_format" and len(args) >= skip and isinstance(args[skip - 1], str) \
                and _big_spec(args[skip - 1], brace=False):
            raise TemplateLimitHit("argument", "格式宽度过大")
        return _check_result(fn(*args, **kwargs))

    return wrapper


class _FolderLoader(jinja2.FileSystemLoader):
    """Templates from one folder only: a template, include or import whose real path (after
    following symbolic links) is outside the folder is refused, so a template folder handed out
    by someone else cannot read the clerk's files."""

    def __init__(self, folder: str | Path):
        super().__init__(str(folder), encoding="utf-8")
        self.root = os.path.realpath(str(folder))

    def get_source(self, environment, template):
        source, filename, uptodate = super().get_source(environment, template)
        real = os.path.realpath(filename)
        if os.path.commonpath([real, self.root]) != self.root:
            raise TemplateOutside(template, real)
        return source, filename, uptodate


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
        loaders.append(_FolderLoader(folder))
    loaders.append(_FolderLoader(BUILTIN_DIR))
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
    env.filters = {name: _bounded_filter(fn) for name, fn in env.filters.items()}
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
    limits = LIMITS
    _RUN.limits, _RUN.budget = limits, _Budget(limits)
    try:
        template = env.get_template(template_name)
        text = _render_bounded(template, ctx, limits)
        check_markup(text, limits)
        from evaltool.workbook.cellvalue import xml_safe

        text = xml_safe(text)  # a template's own control characters: Word cannot hold them
    except TemplateLimitHit as exc:
        raise TemplateProblem(
            f"报告模板{_where(exc)}{exc}，这是不允许的，已停止生成报告。请检查模板中的循环、重复和大数字；"
            "如确需更大的上限，可设置环境变量 EVALTOOL_TEMPLATE_"
            f"{exc.limit.upper()}。") from None
    except TemplateOutside as exc:
        raise TemplateProblem(
            f"报告模板“{exc.name}”实际指向模板目录以外的文件（{exc.real}），为防止读取您电脑上的其他文件，"
            "evaltool 拒绝使用它。请把模板文件本身（不是快捷方式或链接）放进模板目录。") from None
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
    except MemoryError:
        raise TemplateProblem(f"报告模板 {template_name} 运行时内存不足，请检查模板中的循环和重复。") from None
    except (jinja2.TemplateError, TypeError, ValueError, ArithmeticError, AttributeError, KeyError,
            IndexError, OverflowError) as exc:
        raise TemplateProblem(f"报告模板{_where(exc)}运行出错：{exc}。请检查模板。") from None
    finally:
        _RUN.limits = _RUN.budget = None
    return text


def _render_bounded(template, ctx: dict, limits: TemplateLimits) -> str:
    """template.render, streamed: stops as soon as the output passes its limit."""
    parts: list[str] = []
    size = 0
    for chunk in template.generate(ctx):
        size += len(chunk)
        if size > limits.output_chars:
            raise TemplateLimitHit("output_chars", "请检查模板中的循环")
        parts.append(chunk)
    return "".join(parts)


def check_markup(text: str, limits: TemplateLimits = LIMITS) -> None:
    """The markup's cost in Word (docx_writer.build_document): each line a paragraph, each
    [[附表]] the whole form table. Checked before any of it is built."""
    lines = headings = forms = breaks = 0
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            continue
        lines += 1
        if line.startswith("#"):
            headings += 1
        elif line == "[[附表]]":
            forms += 1
        elif line == "[[分页]]":
            breaks += 1
    for name, value in (("lines", lines), ("headings", headings), ("forms", forms), ("page_breaks", breaks)):
        if value > getattr(limits, name):
            raise TemplateLimitHit(name, f"生成了 {value:,} 个")


def report_title(context: dict[str, Any]) -> str:
    project = context.get("project", {})
    name = str(project.get("name", ""))
    year = str(project.get("year", ""))
    unit = str(project.get("unit", ""))  # cleaned of its budget-system code by the context already
    suffix = "支出绩效评价报告" if name.endswith("项目") else "项目支出绩效评价报告"
    suffix = context.get("title_suffix") or suffix  # a kind's context may name its report otherwise
    year_part = year_prefix(name, year)
    # U+2028 marks where a long title may break (after the unit); the Word writer balances the lines.
    return f"{unit}{TITLE_BREAK if unit else ''}{year_part}{name}{suffix}"


TITLE_BREAK = "\u2028"
