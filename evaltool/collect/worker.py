"""One submitted file -> its 汇总 rows, findings and problems. Runs inside worker processes.

Kept light on imports (no pandas, no openpyxl) so that worker processes start fast and stay small.
Nothing here writes to the input file: it is read once into memory and parsed from there, and
macros in it are only detected (never run, never copied).
"""
from __future__ import annotations

import io
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evaltool.core.decimals import plain_number as _num
from evaltool.workbook.container import MAX_UNZIPPED, OLE_MAGIC, is_encrypted_ole

# A filled 自评表 is tens of KB; these bounds keep a hostile or mistaken file from exhausting memory.
MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_UNPACKED_BYTES = MAX_UNZIPPED
MAX_SHEET_ROWS = 5000  # a form with 200 indicators has ~250 rows; giant data sheets are cut here

ZIP_MAGIC = b"PK\x03\x04"

RESEND = "请让填报单位重新发送。"


@dataclass
class FileOutcome:
    """What the main process keeps of one file: plain picklable values only."""

    file: str  # display name (relative to the folder given)
    rows: list[dict[str, Any]] = field(default_factory=list)
    # (file, sheet, cell, 级别, 说明, 代码, 项目)
    findings: list[tuple] = field(default_factory=list)
    problem: str | None = None  # why the file could not be read (Chinese); None = read
    macro: bool = False
    earlier_summary: bool = False  # an earlier 汇总: skipped, neither read nor listed as a problem


class Unreadable(Exception):
    """The file cannot be used; the message is Chinese and says what to do."""


class EarlierSummary(Exception):
    """The file is a 汇总 written by an earlier run (it often sits in the folder it summarised)."""


# Sheets every 汇总 workbook has (output.py writes them); a workbook with all of them is one.
SUMMARY_SHEETS = frozenset({"汇总", "主管部门汇总", "问题清单"})


# ---- reading ---------------------------------------------------------------------------------
def sniff(data: bytes, path: Path) -> tuple[list[str], bool]:
    """Check the container before handing it to calamine; returns (member names, has_macros)."""
    if not data:
        raise Unreadable("文件是空的（0 字节），可能没有下载或保存完整。" + RESEND)
    if data.startswith(OLE_MAGIC):
        if is_encrypted_ole(data):
            raise Unreadable("文件设置了打开密码（已加密），无法读取。请让填报单位取消密码后重新发送。")
        raise Unreadable("这是旧版 Excel 97-2003（.xls）或其他 Office 二进制文件，只是扩展名为 "
                         f"{path.suffix}。请在 Excel 或 WPS 中“另存为” .xlsx 工作簿后重新提交。")
    if not data.startswith(ZIP_MAGIC):
        head = data[:8].lstrip()
        if head.startswith(b"%PDF"):
            kind = "PDF 文件"
        elif head[:1] == b"<":
            kind = "网页或 XML 文本"
        else:
            kind = "无法识别的文件"
        raise Unreadable(f"这不是 Excel 工作簿（文件内容是{kind}）。请提交自评表的 .xlsx 文件。")
    members = _members(data)
    if members is None:  # not a plain zip: let zipfile judge it (and explain what is wrong)
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                members = [(i.filename, i.file_size) for i in zf.infolist()]
        except (zipfile.BadZipFile, EOFError, ValueError, OSError):
            raise Unreadable("文件已损坏或不完整（工作簿的压缩结构无法读取），可能是邮件附件没有下载完整。" + RESEND) from None
    names = [name for name, _ in members]
    if "xl/workbook.xml" not in names and not any(n.lower() == "xl/workbook.xml" for n in names):
        if any(n.startswith("word/") for n in names):
            what = "这是 Word 文档（.docx），只是扩展名被改成了 " + path.suffix
        elif "content.xml" in names:
            what = "这是 OpenDocument（.ods / .odt）文件，不是 Excel 工作簿"
        elif any(n.startswith("ppt/") for n in names):
            what = "这是 PowerPoint 演示文稿，只是扩展名被改成了 " + path.suffix
        else:
            what = "这是一个压缩包，不是 Excel 工作簿"
        raise Unreadable(f"{what}。请提交自评表的 Excel 工作簿（.xlsx）。")
    if sum(size for _, size in members) > MAX_UNPACKED_BYTES:
        raise Unreadable("工作簿解压后超过 400 MB，远大于一般自评表，已跳过。请让填报单位删除无关的工作表后重新发送。")
    macro = any(n.lower().endswith("vbaproject.bin") for n in names)
    return names, macro


_EOCD = b"PK\x05\x06"
_CENTRAL = struct.Struct("<4s6H3I5H2I")  # a central directory entry's fixed 46 bytes


def _members(data: bytes) -> list[tuple[str, int]] | None:
    """(name, unpacked size) of each member, read straight from the zip's central directory: a
    tenth of what zipfile.ZipFile costs, which counts when a bureau reads thousands of workbooks.
    None for anything but a plain single-disk, non-ZIP64 zip (zipfile then takes over)."""
    end = data.rfind(_EOCD, max(0, len(data) - 65_557))
    if end < 0 or end + 22 > len(data):
        return None
    _, disk, cd_disk, here, total, cd_size, cd_offset, _ = struct.unpack_from("<4s4H2IH", data, end)
    if disk or cd_disk or here != total or cd_offset + cd_size > end or 0xFFFFFFFF in (cd_size, cd_offset):
        return None
    members, pos = [], cd_offset
    for _ in range(total):
        if pos + 46 > end:
            return None
        head = _CENTRAL.unpack_from(data, pos)
        if head[0] != b"PK\x01\x02":
            return None
        flags, size, name_len, extra_len, comment_len = head[3], head[9], head[10], head[11], head[12]
        if size == 0xFFFFFFFF:
            return None
        name = data[pos + 46:pos + 46 + name_len].decode("utf-8" if flags & 0x800 else "cp437", "replace")
        members.append((name, size))
        pos += 46 + name_len + extra_len + comment_len
    return members


def _row(row: list) -> list:
    # calamine gives "" for empty cells and floats for every number; the openpyxl path gives None
    # and ints, and the reader must see the same values whichever engine read the file.
    return [None if v == "" else int(v) if type(v) is float and v.is_integer() and abs(v) < 1e15 else v
            for v in row]


def read_grids(data: bytes, skip: frozenset[str] = frozenset()) -> list:
    """Every worksheet of a workbook as a Grid (values + merged ranges), one calamine call per sheet;
    sheets named in `skip` are not read at all."""
    from python_calamine import CalamineWorkbook

    from evaltool.core.seam import Grid

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - calamine's error types vary between versions
        raise Unreadable(_calamine_reason(exc)) from None
    grids = []
    try:
        if SUMMARY_SHEETS <= set(wb.sheet_names):
            raise EarlierSummary()
        for i, meta in enumerate(wb.sheets_metadata):
            if "WorkSheet" not in str(meta.typ) or meta.name in skip:
                continue  # chart sheets, dialog sheets, macro sheets hold no form
            try:
                sheet = wb.get_sheet_by_index(i)
                raw = sheet.to_python(skip_empty_area=False, nrows=MAX_SHEET_ROWS)
                merged_raw = sheet.merged_cell_ranges or []
            except Exception as exc:  # noqa: BLE001
                raise Unreadable(f"工作表“{meta.name}”无法读取：{_calamine_reason(exc)}") from None
            values = [_row(row) for row in raw]
            merged = [(r1 + 1, c1 + 1, r2 + 1, c2 + 1) for (r1, c1), (r2, c2) in merged_raw]
            grids.append(Grid(sheet=meta.name, values=values, merged=merged))
    finally:
        wb.close()
    return grids


def _calamine_reason(exc: Exception) -> str:
    name = type(exc).__name__
    if "Password" in name:
        return "文件设置了打开密码（已加密），无法读取。请让填报单位取消密码后重新发送。"
    if "Zip" in name:
        return "文件已损坏或不完整（工作簿的压缩结构无法读取）。" + RESEND
    from evaltool.core.messages import exception_text

    return f"工作簿内容损坏，无法读取（{exception_text(exc)}）。请让填报单位在 Excel 或 WPS 中打开并重新保存后发送。"


def _unread_sheets() -> frozenset[str]:
    """The template's basic-information and help sheets: nothing on them is scored or checked, so
    a consolidation does not read them (报告素材 is read: its 预算执行偏差原因 answers a check)."""
    from evaltool.workbook import layout as L

    return frozenset((L.SHEET_BASIC, L.SHEET_HELP))


def _text(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, str):
        v = v.strip()
        return v or None
    return v


def project_row(project, result, file: str) -> dict[str, Any]:
    """One 汇总 row. Subtotals use the rule set's 一级指标 names as keys (prefixed "小计:")."""
    from evaltool.core.results import UNGRADED_LABEL
    from evaltool.core.scoring import RATE_LABEL

    row: dict[str, Any] = {
        "主管部门": _text(project.department),
        "单位": _text(project.unit),
        "项目": _text(project.name),
        "年度": _text(project.year),
        "预算数": _num(result.budget),
        "执行数": _num(result.actual),
        "执行率": _num(result.rate_display),
        "执行率得分": _num(result.rate_score),
    }
    for name, value in result.subtotals.items():
        if name != RATE_LABEL:
            row["小计:" + name] = _num(value)
    row.update({
        "总分": _num(result.total),  # None when ungraded: an empty cell, never 0
        "等次": UNGRADED_LABEL if result.ungraded else result.grade,
        "无法计分原因": result.ungraded,
        "错误数": sum(f.severity == "error" for f in result.findings),
        "警告数": sum(f.severity == "warning" for f in result.findings),
        "规则": result.rule_name,
        "文件": file,
        "工作表": project.sheet,
    })
    return row


def finding_tuple(file: str, project, f) -> tuple:
    from evaltool.core.model import SEVERITY_LABEL

    loc = f.location
    return (file, loc.sheet or project.sheet, loc.cell or "", SEVERITY_LABEL.get(f.severity, f.severity),
            f.message, f.code, _text(project.name))


def process_file(path: str, file: str, rules: str | None = None) -> FileOutcome:
    """Read, score and summarise one workbook. Never raises: problems come back in the outcome."""
    out = FileOutcome(file=file)
    p = Path(path)
    try:
        _process(p, file, rules, out)
    except Unreadable as exc:
        out.problem = str(exc)
    except EarlierSummary:
        out.earlier_summary = True
        out.rows, out.findings = [], []
        return out
    except MemoryError:
        out.problem = "文件过大，读取时内存不足，已跳过。"
    except Exception as exc:  # noqa: BLE001 - one odd file must never stop a 500-file consolidation
        from evaltool.core.errors import InputError

        if isinstance(exc, InputError):
            out.problem = str(exc)
        else:
            from evaltool.core.messages import exception_text

            out.problem = f"读取时出现意外错误（{exception_text(exc)}），已跳过此文件。"
    if out.problem:
        out.rows, out.findings = [], []  # a file is either summarised whole or listed as unreadable
    if out.macro:
        out.findings.insert(0, (file, "", "", "警告",
                                "文件含宏（VBA 代码）：汇总时没有运行、也没有复制其中的宏。建议填报单位另存为"
                                "不含宏的 .xlsx 工作簿后提交（很多邮件网关会拦截含宏文件）。", "W-MACRO", None))
    return out


def _process(p: Path, file: str, rules: str | None, out: FileOutcome) -> None:
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise Unreadable(f"文件有 {size // 1024 // 1024} MB，远大于一般自评表，已跳过。"
                             "请让填报单位删除无关的工作表或图片后重新发送。")
        data = p.read_bytes()
    except PermissionError:
        raise Unreadable("没有读取此文件的权限（可能正被其他程序占用）。") from None
    except FileNotFoundError:
        raise Unreadable("文件不存在（可能已被移动或删除）。") from None
    except OSError as exc:
        raise Unreadable(f"无法读取文件：{exc.strerror or exc}") from None
    _, macro = sniff(data, p)
    out.macro = macro or p.suffix.lower() == ".xlsm"
    grids = read_grids(data, _unread_sheets())
    del data
    from evaltool.workbook.reader import projects_from_grids

    projects = projects_from_grids(grids, rules)  # the rule set's 标签 entries extend the vocabulary
    del grids
    projects = [pr for pr in projects if getattr(pr, "kind", "自评表") == "自评表"]
    if not projects:
        raise Unreadable("工作簿中没有找到项目支出绩效自评表（各工作表都没有“项目名称”“年度资金总额”"
                         "“一级指标”等标签）。请确认提交的是自评表。")
    from evaltool.core.errors import InputError
    from evaltool.core.scoring import evaluate
    from evaltool.workbook.evaluate import rule_set_for, settle

    rows, findings = out.rows, out.findings
    for project in projects:
        project.source = file
        if rules:
            project.rules = rules
        try:
            rule_set = rule_set_for(project)  # as `evaltool check` scores it: the 设置 sheet's 小数位 too
        except InputError as exc:
            rows.append({"主管部门": _text(project.department), "单位": _text(project.unit),
                         "项目": _text(project.name), "年度": _text(project.year), "等次": "无法计分",
                         "无法计分原因": f"规则集无法使用：{exc}", "错误数": 1, "警告数": 0,
                         "文件": file, "工作表": project.sheet})
            findings.append((file, project.sheet, "", "错误", f"无法计分：{exc}", "E-RULES", _text(project.name)))
            continue
        result = evaluate(project, rule_set)
        settle(project, result)
        rows.append(project_row(project, result, file))
        findings.extend(finding_tuple(file, project, f) for f in result.findings)


def warm() -> None:
    """Import everything process_file uses and parse the built-in rule sets, once, in the process
    that worker processes fork from: each worker would otherwise pay ~30 ms for them at its start."""
    try:
        import evaltool.core.checks  # noqa: F401 - imported lazily by evaluate()
        import evaltool.workbook.evaluate  # noqa: F401
        import evaltool.workbook.writer  # noqa: F401
        import python_calamine  # noqa: F401
        from evaltool.core.rules import builtin_ids, load_rules
        from evaltool.core.scoring import evaluate  # noqa: F401
        from evaltool.workbook.reader import projects_from_grids  # noqa: F401

        for rule_id in [None, *builtin_ids()]:
            load_rules(rule_id)
    except Exception:  # noqa: BLE001 - only a head start: a worker reports any real problem per file
        pass


def process_chunk(items: list[tuple[str, str]], rules: str | None = None) -> list[FileOutcome]:
    """Worker entry point: a chunk of (path, display name) pairs."""
    return [process_file(path, file, rules) for path, file in items]
