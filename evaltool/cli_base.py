"""The click group and what every command shares: Chinese help and usage errors, `friendly` (no
traceback reaches a clerk), exit codes, and the check of an -o target. The commands live in
cli.py and the *_cli.py modules; each imports this module, none imports another."""
from __future__ import annotations

import functools
import os
import re
import sys
from pathlib import Path

import click

from evaltool.console import err_console, esc
from evaltool.core.errors import InputError

EXIT_OK, EXIT_FINDINGS, EXIT_UNUSABLE = 0, 1, 2


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
            with fileio.run_scope():  # no file is written twice in one command (S43)
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
# first; text that matches none is shown as click wrote it. Compiled on first use (re's cache), not at
# every start-up.
_USAGE_ZH = [(pattern, zh) for pattern, zh in [
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
        message = re.sub(pattern, zh, message)
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



# ---- output targets -------------------------------------------------------------------------
OUTPUT_KINDS = {  # kind -> (suffixes, what the clerk calls it, an example name)
    "xlsx": ((".xlsx",), "Excel 工作簿（.xlsx）", "计分结果.xlsx"),
    "docx": ((".docx",), "Word 文档（.docx）", "绩效评价报告.docx"),
    "case": ((".yaml", ".yml"), "案例文件（.yaml）", "案例.yaml"),
}


def check_output(output: str | os.PathLike, kind: str, source: str | os.PathLike | None = None,
                 purpose: tuple[str, str] | None = None) -> Path:
    """Refuse (Chinese, exit 2) an -o target this command must not write: another extension than
    the command writes, a folder, or an existing file that is not this command's own earlier output
    for the same purpose, unchanged since (core/provenance: a scored form, a filled template, a
    report edited in Word, a hand-written case file are never replaced). The source itself is fine:
    that is scoring in place. purpose: (the stamp's key, what the clerk calls that output)."""
    from evaltool.core import provenance
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
        if purpose is None or not provenance.is_own(target, purpose[0]):
            raise InputError(refusal(target, purpose[1] if purpose else what))
    if purpose is not None:
        provenance.claim(target, purpose[0])
    return check_target(target)


def refusal(target: Path, what_for: str) -> str:
    """Why an existing file is not replaced, and what to do."""
    return (f"“{target.name}”已存在，且不是 evaltool 以前写出、之后未被改动过的{what_for}（例如它是已填写或已计分的"
            "表格、另一个文件的结果、手工编写或在 Excel/WPS/Word 中修改保存过的文件）。为免覆盖其中的内容，"
            "evaltool 没有改动它；请换一个文件名，或先移走该文件。")


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
