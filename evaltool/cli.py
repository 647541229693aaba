"""Command line: the same core the Excel buttons use, for people without Excel."""
from __future__ import annotations

import functools
import json
import os
import re
import sys
import tempfile
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape as rich_escape
from rich.table import Table

from evaltool.core.decimals import fmt, fmt_percent
from evaltool.core.errors import InputError
from evaltool.core.model import SEVERITY_LABEL, Project, ScoreResult

EXIT_OK, EXIT_FINDINGS, EXIT_UNUSABLE = 0, 1, 2
# Piped output (files, CI logs) gets a wide fixed width so explanations are not folded into slivers.
# emoji=False: a clerk's ":warning:" is text, not an emoji code.
console = Console(highlight=False, emoji=False, width=None if sys.stdout.isatty() else 160,
                  soft_wrap=not sys.stdout.isatty())
err_console = Console(stderr=True, highlight=False, emoji=False, soft_wrap=True)

# Characters that would act on the terminal instead of being shown: C0 controls but tab and line
# feed, DEL, C1 controls (CSI is U+009B), and the bidirectional overrides that reorder a line.
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _visible(match: re.Match) -> str:
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
    if _CONTROL_RE.search(text):
        text = _CONTROL_RE.sub(_visible, text)
    return rich_escape(text)


def json_text(text: str) -> str:
    """JSON for the console: json.dumps escapes C0 controls; C1 controls and the bidi overrides too."""
    return _CONTROL_RE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def friendly(fn):
    """No traceback ever reaches a clerk: input problems exit 2 with the Chinese message. What is
    said about the clerk's files is checked, not assumed: the files named on the command line are
    compared with how they were before, and every file evaltool completed is named."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from evaltool.core import fileio

        mark = fileio.written_mark()
        before = _snapshots(kwargs)
        try:
            return fn(*args, **kwargs)
        except InputError as exc:
            _say(f"[bold red]无法处理：[/]{esc(exc)}{_written_note(mark)}")
            sys.exit(EXIT_UNUSABLE)
        except (click.exceptions.Exit, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except MemoryError:
            _say(f"[bold red]无法处理：[/]文件过大，内存不足。{_files_statement(mark, before)}")
            sys.exit(EXIT_UNUSABLE)
        except Exception as exc:  # noqa: BLE001
            if os.environ.get("EVALTOOL_DEBUG"):
                raise
            reason = fileio.disk_failure(exc)
            if reason is not None:  # a full disk while building a file, before evaltool's own save
                fileio.quiet_teardown()
                _say(f"[bold red]无法处理：[/]写入文件时出错（{reason}）。请腾出磁盘空间后再试。"
                     f"{_files_statement(mark, before)}")
                sys.exit(EXIT_UNUSABLE)
            from evaltool.support import log_exception

            log = log_exception(exc, "evaltool-cli.log")
            where = f"详细信息已记录在 {esc(log)}" if log else "设置环境变量 EVALTOOL_DEBUG=1 后重新运行可看到详细信息"
            from evaltool.core.messages import exception_text

            _say(f"[bold red]程序内部错误[/]（{esc(exception_text(exc))}）。{_files_statement(mark, before)}\n"
                 f"{where}，请把它和您的文件发给技术支持。")
            sys.exit(3)

    return wrapper


def _say(text: str) -> None:
    """The last word of a failed command; if even printing fails (a console that cannot show a
    character, a closed pipe), the plain text goes out as well as it can."""
    try:
        err_console.print(text)
    except Exception:  # noqa: BLE001
        from rich.text import Text

        plain = Text.from_markup(text).plain
        try:
            sys.stderr.write(plain.encode(sys.stderr.encoding or "utf-8", "replace").decode(
                sys.stderr.encoding or "utf-8", "replace") + "\n")
        except Exception:  # noqa: BLE001
            pass


def _snapshots(kwargs: dict) -> dict:
    """The files named on the command line (arguments and options that are existing files)."""
    from evaltool.core.fileio import snapshot

    out = {}
    for value in kwargs.values():
        for item in (value if isinstance(value, (list, tuple)) else (value,)):
            if isinstance(item, (str, os.PathLike)) and str(item) and os.path.isfile(item):
                out[os.path.abspath(item)] = snapshot(item)
    return out


def _written_note(mark: int) -> str:
    from evaltool.core.fileio import written_since

    done = written_since(mark)
    if not done:
        return ""
    return f"（此前已完整保存：{esc('、'.join(str(p) for p in done))}）"


def _files_statement(mark: int, before: dict) -> str:
    """What is true about the clerk's files after a failure, checked now."""
    from evaltool.core.fileio import snapshot, written_since

    done = written_since(mark)
    if done:
        names = "、".join(str(p) for p in done)
        return f"出错前 evaltool 已写入 {esc(names)}，写入已完成，文件完整。"
    changed = [p for p, snap in before.items() if snapshot(p) != snap]
    if changed:
        return f"无法确认 {esc('、'.join(Path(p).name for p in changed))} 是否被其他程序改动，请检查该文件。"
    return "您的文件没有被修改。"


# click's usage errors, as a clerk reads them (click ships no Chinese catalogue), most specific
# first; text that matches none is shown as click wrote it.
_USAGE_ZH = [(re.compile(pattern), zh) for pattern, zh in [
    (r"Missing argument '([^']+)'\.", r"缺少参数 \1。"),
    (r"Missing option '([^']+)'\.", r"缺少选项 \1。"),
    (r"No such command '([^']+)'\.", r"没有“\1”这个命令。"),
    (r"No such option: (\S+)", r"没有选项 \1。"),
    (r"No such option '([^']+)'\.", r"没有选项 \1。"),
    (r"Did you mean '([^']+)'\?", r"您要输入的是不是 \1？"),
    (r"\(Possible options: ([^)]+)\)", r"（可用的选项：\1）"),
    (r"Got unexpected extra arguments? \((.+)\)",
     r'多余的参数：\1。文件名或路径中有空格时，请用英文引号把整个路径括起来，例如 "D:/新建 文件夹/自评表.xlsx"。'),
    (r"Option '([^']+)' requires an argument\.", r"选项 \1 后面要写一个值。"),
    (r"Invalid value for (.+?): (?:File|Path|Directory) '(.+)' does not exist\.", r"\1：找不到“\2”。"),
    (r"Invalid value for (.+?): (?:File|Path) '(.+)' is a directory\.", r"\1：“\2”是文件夹，请给出文件。"),
    (r"Invalid value for (.+?): (?:Directory|Path) '(.+)' is a file\.", r"\1：“\2”是文件，请给出文件夹。"),
    (r"Invalid value for (.+?): (\S+) is not in the range x>=(\S+)\.", r"\1：\2 太小，应不小于 \3。"),
    (r"Invalid value for (.+?): '(.+)' is not a valid integer( range)?\.", r"\1：“\2”不是整数。"),
    (r"Invalid value for (.+?): ", r"\1 的值无效："),
]]


def _usage_zh(message: str) -> str:
    for pattern, zh in _USAGE_ZH:
        message = pattern.sub(zh, message)
    message = message.replace("。 ", "。")
    return re.sub(r"'([^'\s]+)'", r"“\1”", message)  # click quotes names: 'FILE', '-j' / '--jobs'


class ZhUsageError(click.UsageError):
    """click's usage error, shown in Chinese (same exit code 2)."""

    def __init__(self, original: click.UsageError):
        super().__init__(original.format_message(), original.ctx)

    def show(self, file=None) -> None:
        ctx = self.ctx
        if ctx is not None:
            err_console.print(ctx.get_usage(), markup=False)
            err_console.print(f"运行“{ctx.command_path} --help”查看说明。", markup=False)
        err_console.print(f"[bold red]错误：[/]{esc(_usage_zh(self.format_message()))}")


class ZhHelpFormatter(click.HelpFormatter):
    """click's help layout with Chinese headings."""

    SECTIONS = {"Options": "选项", "Commands": "命令", "Arguments": "参数"}
    WORDS = {"[OPTIONS]": "[选项]", "COMMAND [ARGS]...": "命令 [参数]..."}

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        for en, zh in self.WORDS.items():
            args = args.replace(en, zh)
        super().write_usage(prog, args, prefix="用法：")

    def section(self, name: str):
        return super().section(self.SECTIONS.get(name, name))

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}：\n")

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        super().write_dl([(first, _extra_zh(second)) for first, second in rows], col_max, col_spacing)


# Placeholders click derives from types and parameter names, as a clerk reads them.
METAVARS_ZH = {"TEXT": "文本", "FILE": "文件", "PATH": "路径", "PATHS": "文件或文件夹", "DIRECTORY": "文件夹",
               "INTEGER": "整数", "INTEGER RANGE": "整数", "FLOAT": "数字", "FLOAT RANGE": "数字",
               "RULE_ID": "规则编号", "REPORT": "报告", "WORKBOOK": "工作簿", "OUTPUT": "输出文件",
               "BOOLEAN": "是或否", "FILENAME": "文件名", "SOURCE": "文件", "TARGET": "文件", "NAME": "名称"}


# A text option's placeholder says what to type, by the option's name.
OPTION_METAVARS = {"output": "文件", "outdir": "文件夹", "rules": "规则", "sheet": "工作表", "template": "文件夹",
                   "framework": "框架", "from_case": "案例文件", "case": "案例文件"}


def _metavar_zh(text: str) -> str:
    return re.sub(r"[A-Z][A-Z_]*(?: RANGE)?", lambda m: METAVARS_ZH.get(m.group(0), m.group(0)), text)


def _extra_zh(text: str) -> str:
    """click's "[default: x; required; x>=1]" after an option's help, in Chinese."""
    def one(part: str) -> str:
        part = part.strip()
        if part.startswith("default: "):
            return "默认：" + part[len("default: "):]
        if part == "required":
            return "必填"
        m = re.fullmatch(r"(\S+)<=x<=(\S+)", part)
        if m:
            return f"{m.group(1)} 到 {m.group(2)}"
        m = re.fullmatch(r"x>=(\S+)", part)
        if m:
            return f"不小于 {m.group(1)}"
        m = re.fullmatch(r"x<=(\S+)", part)
        return f"不大于 {m.group(1)}" if m else part

    return re.sub(r"\[((?:default: [^\]]*|required|[\d.<=x>]+)(?:; [^\]]*)?)\]",
                  lambda m: "［" + "；".join(one(x) for x in m.group(1).split(";")) + "］", text or "")


class ZhContext(click.Context):
    formatter_class = ZhHelpFormatter


class _ChineseHelp:
    """Clerks read the help and the usage errors: both in Chinese."""

    context_class = ZhContext

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "显示本帮助并退出"
        return option

    def get_params(self, ctx):
        params = super().get_params(ctx)
        for param in params:  # FILE, TEXT, PATHS... -> 文件, 文本, 文件或文件夹...
            if param.metavar is None and not getattr(param, "is_flag", False) and not getattr(param, "count", False):
                en = param.make_metavar(ctx)
                param.metavar = OPTION_METAVARS.get(param.name, _metavar_zh(en)) if en == "TEXT" else _metavar_zh(en)
        return params

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as exc:  # missing or extra arguments, bad option values
            raise exc if isinstance(exc, ZhUsageError) else ZhUsageError(exc) from None


class ZhCommand(_ChineseHelp, click.Command):
    pass


class ZhGroup(_ChineseHelp, click.Group):
    command_class = ZhCommand

    def resolve_command(self, ctx, args):
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as exc:  # a mistyped command name
            raise exc if isinstance(exc, ZhUsageError) else ZhUsageError(exc) from None


ZhGroup.group_class = ZhGroup


@click.group(cls=ZhGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="evaltool", message="evaltool %(version)s", help="显示版本号并退出")
def main() -> None:
    """evaltool：项目支出绩效自评表的填报、校验、计分和绩效评价报告生成。"""


# ---- loading ---------------------------------------------------------------------------------
def load_projects(path: str, rules: str | None = None) -> list[Project]:
    """Projects in a case file (.yaml) or a workbook (.xlsx, one per 自评表 sheet)."""
    from evaltool.core.caseio import load_case

    suffix = Path(path).suffix.lower()
    if suffix in (".yaml", ".yml"):
        projects = [load_case(path)]
    else:
        try:
            from evaltool.workbook.reader import read_workbook_projects
        except ImportError:
            raise InputError(f"无法识别的文件类型：{Path(path).name}。请提供 .yaml 案例文件。") from None
        projects = read_workbook_projects(path, rules)  # the rule set's 标签 entries extend the vocabulary
    if rules:
        for p in projects:
            p.rules = rules
    return projects


def evaluate_all(projects: list[Project], rule_set=None) -> list[tuple[Project, ScoreResult]]:
    """Score each project; rule_set (a loaded RuleSet, e.g. one posted to `evaltool serve` as
    text) replaces the projects' own rule set names."""
    from evaltool.core.scoring import evaluate
    from evaltool.workbook.evaluate import rule_set_for

    out = []
    for p in projects:
        result = evaluate(p, rule_set_for(p, rule_set))  # a workbook's 设置 sheet may override the decimals
        for hook in RESULT_HOOKS:  # feature checks of a scored project, e.g. 报告素材 texts vs the table
            result.findings.extend(hook(p, result))
        out.append((p, result))
    return out


# ---- output targets -------------------------------------------------------------------------
OUTPUT_KINDS = {  # kind -> (suffixes, what the clerk calls it, an example name)
    "xlsx": ((".xlsx",), "Excel 工作簿（.xlsx）", "计分结果.xlsx"),
    "docx": ((".docx",), "Word 文档（.docx）", "绩效评价报告.docx"),
    "case": ((".yaml", ".yml"), "案例文件（.yaml）", "案例.yaml"),
}


def check_output(output: str | os.PathLike, kind: str, source: str | os.PathLike | None = None) -> Path:
    """Refuse (Chinese, exit 2) an -o target this command must not write: another extension than
    the command writes, a folder, or an existing file whose content is something else — or, for a
    workbook, a clerk's own workbook rather than an earlier result of evaltool (the source itself
    is fine: that is scoring in place)."""
    from evaltool.core.fileio import check_target

    target = Path(output)
    suffixes, what, example = OUTPUT_KINDS[kind]
    if target.is_dir():
        raise InputError(f"-o 给出的“{target}”是一个文件夹。请给出{what}的文件名，例如 -o {example}。")
    if target.suffix.lower() not in suffixes:
        raise InputError(f"-o 给出的“{target.name}”不是{what}。本命令写出的是{what}，"
                         f"请换一个以 {suffixes[0]} 结尾的文件名，例如 -o {example}。")
    if source is not None and target.exists() and _same_file(target, source):
        return check_target(target)
    if target.exists():
        found = _content_kind(target)
        if found != kind:
            label = OUTPUT_KINDS[found][1] if found in OUTPUT_KINDS else "其他内容"
            raise InputError(f"“{target.name}”已存在，里面是{label}，不是本命令写出的{what}。"
                             "为免覆盖其中的内容，evaltool 没有改动它；请换一个文件名。")
        if kind == "xlsx" and not _is_evaltool_result(target):
            raise InputError(f"“{target.name}”已存在，且不是 evaltool 写出的计分结果（没有“校验结果”工作表）。"
                             "为免覆盖其中填写的内容，evaltool 没有改动它；请换一个文件名，或先移走该文件。")
    return check_target(target)


def _same_file(a: Path, b) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _content_kind(path: Path) -> str | None:
    """What an existing file holds, from its bytes: xlsx, docx, case (a YAML case file), or None."""
    import zipfile

    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
        if head.startswith(b"PK"):
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "word/document.xml" in names:
                return "docx"
            return None
        if path.stat().st_size > 5 * 1024 * 1024:
            return None
        import yaml

        data = yaml.safe_load(path.read_bytes().decode("utf-8-sig"))
    except Exception:  # noqa: BLE001 - unreadable, not a zip, not YAML: something else
        return None
    case_keys = {"项目名称", "绩效指标", "项目资金", "类型", "评分指标"}
    if data is None or isinstance(data, dict) and (not data or case_keys & set(map(str, data))):
        return "case"
    return None


def _is_evaltool_result(path: Path) -> bool:
    import zipfile

    from evaltool.workbook import layout as L

    try:
        with zipfile.ZipFile(path) as zf:
            book = zf.read("xl/workbook.xml").decode("utf-8", "replace")
    except Exception:  # noqa: BLE001
        return False
    return f'name="{L.SHEET_RESULTS}"' in book


# ---- printing --------------------------------------------------------------------------------
SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def print_result(project: Project, result: ScoreResult) -> None:
    if project.kind == "评分表":
        from evaltool.kinds.scoresheet.scoresheet_cli import print_sheet_result

        return print_sheet_result(project, result)
    title = f"{esc(project.name or '（未填项目名称）')}  {esc(project.year or '')}年度"
    if project.sheet:
        title += f"  [dim]（工作表：{esc(project.sheet)}）[/]"
    console.rule(title)
    console.print(f"规则集：{esc(result.rule_name)}    执行率：{fmt_percent(result.rate)}    "
                  f"执行率得分：{fmt(result.rate_score, 2)} / {fmt(result.rate_weight)}")
    table = Table(show_lines=False, header_style="bold")
    for col in ("一级指标", "二级指标", "三级指标", "分值", "得分", "计分说明"):
        table.add_column(col, overflow="fold", justify="right" if col in ("分值", "得分") else "left")
    for r in result.indicators:
        table.add_row(esc(r.level1), esc(r.level2), esc((r.level3[:24] + "…") if len(r.level3) > 25 else r.level3),
                      fmt(r.weight), fmt(r.score, 2) if r.score is not None else "—", esc(r.explanation))
    console.print(table)
    subs = "  ".join(f"{esc(k)} {fmt(v, 2)}" for k, v in result.subtotals.items())
    console.print(f"小计：{subs}")
    print_total(result)
    print_findings(result)


def print_total(result: ScoreResult) -> None:
    """总分 and 等次, or 无法计分 with the reason: never a number for what could not be read."""
    from evaltool.core.results import ungraded_text

    text = ungraded_text(result)
    if text:
        console.print(f"[bold red]总分 无法计分    等次 无法计分[/]\n[red]{esc(text)}[/]")
    else:
        console.print(f"[bold]总分 {fmt(result.total, 2)}    等次 {esc(result.grade)}[/]")


def print_findings(result: ScoreResult) -> None:
    if not result.findings:
        console.print("[green]校验通过，没有发现问题。[/]")
        return
    counts = {s: sum(f.severity == s for f in result.findings) for s in SEVERITY_LABEL}
    console.print(f"发现 {counts['error']} 个错误、{counts['warning']} 个警告、{counts['info']} 个提示：")
    for f in result.findings:
        console.print(f"  [{SEVERITY_STYLE[f.severity]}]{SEVERITY_LABEL[f.severity]}[/] "
                      f"[dim]{esc(f.location)}[/] {esc(f.message)} [dim]({esc(f.code)})[/]")


def exit_code(results: list[tuple[Project, ScoreResult]]) -> int:
    return EXIT_FINDINGS if any(r.errors for _, r in results) else EXIT_OK


def to_json(results: list[tuple[Project, ScoreResult]]) -> str:
    from evaltool.core.results import result_dict

    data = [result_dict(p, r) for p, r in results]
    return json_text(json.dumps(data[0] if len(data) == 1 else data, ensure_ascii=False, indent=2))


# ---- commands --------------------------------------------------------------------------------
@main.command("score")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="输出机器可读的 JSON（含全部校验结果）")
@click.option("--rules", "rules", default=None, help="规则集编号或规则文件路径（默认取文件中的设置）")
@click.option("-o", "--output", default=None, help="（工作簿）把计分结果写入另一个文件")
@friendly
def score_cmd(file: str, as_json: bool, rules: str | None, output: str | None) -> None:
    """计分：计算执行率、各指标得分、小计、总分和等次。"""
    if Path(file).suffix.lower() not in (".yaml", ".yml"):
        from evaltool.workbook.workbook_cli import score_workbook

        sys.exit(score_workbook(file, output=output, rules=rules, as_json=as_json))
    results = evaluate_all(load_projects(file, rules))
    if as_json:
        click.echo(to_json(results))
    else:
        for p, r in results:
            print_result(p, r)
    sys.exit(exit_code(results))


@main.command("rules")
@click.argument("rule_id", required=False)
@friendly
def rules_cmd(rule_id: str | None) -> None:
    """列出内置规则集，或显示一个规则集（编号或文件路径）。"""
    from evaltool.core.rules import DEFAULT_RULES, builtin_ids, load_rules

    if not rule_id:
        table = Table(header_style="bold")
        for col in ("编号", "名称", "执行率/一级指标分值", "说明"):
            table.add_column(col, overflow="fold")
        for rid in builtin_ids():
            rs = load_rules(rid)
            weights = f"执行率 {fmt(rs.rate_weight)}，" + "，".join(f"{k} {fmt(v)}" for k, v in rs.level1_weights.items())
            table.add_row(esc(rid + ("（默认）" if rid == DEFAULT_RULES else "")), esc(rs.name), esc(weights),
                          esc(rs.description))
        console.print(table)
        console.print("查看某个规则集：evaltool rules 国家标准；自定义规则集的写法见 README。")
        return
    import yaml

    rs = load_rules(rule_id)
    console.print(f"[bold]{esc(rs.name)}[/]（{esc(rs.source)}，继承已展开）")
    click.echo(yaml.safe_dump(rs.raw, allow_unicode=True, sort_keys=False, width=1000))


@main.command("demo")
@click.option("-o", "--outdir", default=None, help="示例输出文件夹（默认：系统临时文件夹下的 evaltool-demo）")
@friendly
def demo_cmd(outdir: str | None) -> None:
    """演示：对内置示例项目计分并输出结果。"""
    from importlib import resources

    sample = resources.files("evaltool") / "samples" / "示例-电子政务各项专项经费.yaml"
    from evaltool.core.caseio import parse_case

    project = parse_case(sample.read_text("utf-8"), sample.name)
    results = evaluate_all([project])
    for p, r in results:
        print_result(p, r)
    extra = os.environ.get("EVALTOOL_DEMO_NO_FILES")
    if not extra:
        # Never into the current folder (a clone would then show evaltool-demo/ as untracked).
        folder = Path(outdir) if outdir else Path(tempfile.gettempdir()) / "evaltool-demo"
        for hook in DEMO_HOOKS:
            hook(project, folder)
        console.print(f"示例文件已写入文件夹：{esc(folder.resolve())}")


# Later features (workbook, report) add their demo steps here; each takes (project, outdir).
DEMO_HOOKS: list = []
# Extra checks run on every scored project (check, score, Excel 校验); each takes (project, result) and
# returns a list of findings. The report feature adds the 报告素材 ↔ table consistency check here.
RESULT_HOOKS: list = []


def _register_plugins() -> None:
    """Feature modules attach their commands to the group; a missing one must not break the rest."""
    import importlib

    for name in ("evaltool.workbook.workbook_cli", "evaltool.report.report_cli", "evaltool.kinds.scoresheet.scoresheet_cli",
                 "evaltool.collect.collect_cli", "evaltool.addin.addin_cli", "evaltool.server.server_cli"):
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and not name.startswith(exc.name):
                raise


_register_plugins()
