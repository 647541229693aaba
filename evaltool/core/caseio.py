"""Case files (shared/cases/README.md is the contract): one project as YAML with the form's labels."""
from __future__ import annotations

import datetime as _dt
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from evaltool.core import kinds, limits
from evaltool.core.errors import InputError
from evaltool.core.fileio import atomic_write_text
from evaltool.core.kinds import DEFAULT_KIND

from evaltool.core.decimals import plain_number as _plain
from evaltool.core.model import Location, Project

MAX_CASE_BYTES = 5 * 1024 * 1024  # default of limits CASE_MB: a real case is a few KB
HEADER_KEYS = {"年度": "year", "项目名称": "name", "主管部门": "department", "实施单位": "unit"}


class CaseError(InputError):
    """A case file that cannot be used; the message is Chinese and says what to fix."""


def scalar_ok(value: Any) -> bool:
    """One cell's value: text, a number, or a date (YAML 2025-11-20, as `export` writes a date cell)."""
    return value is None or isinstance(value, (str, int, float, Decimal, _dt.date)) and not isinstance(value, bool)


def load_case(path: str | os.PathLike) -> Project:
    path = Path(path)
    name = path.name
    try:
        size = path.stat().st_size
    except OSError:
        raise CaseError(f"找不到案例文件：{path}") from None
    if size > limits.get("CASE_MB") * 1024 * 1024:
        raise CaseError(f"{name} 有 {size // 1024 // 1024} MB，不像案例文件（通常只有几 KB）。请检查是否选错了文件。")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CaseError(f"{name} 不是 UTF-8 编码的文本文件。请用记事本等工具另存为 UTF-8 编码。") from None
    except OSError as exc:
        raise CaseError(f"无法读取 {name}：{exc.strerror}") from None
    project = parse_case(text, name)
    project.rules = rules_path(project.rules, path)
    return project


def rules_path(ref: str | None, case: Path) -> str | None:
    """A rule-set file named in a case file is found from the case file's folder (not from wherever
    the command was started), so a case and its rule file travel together. Built-in ids stay as they are."""
    from evaltool.core.rules import builtin_ids

    if not ref or ref in builtin_ids():
        return ref
    given = Path(ref).expanduser()
    looks_like_file = given.suffix.lower() in (".yaml", ".yml") or len(given.parts) > 1
    resolved = given if given.is_absolute() else case.resolve().parent / given
    if resolved.is_file():
        return str(resolved)
    if looks_like_file:
        folder = case.resolve().parent
        raise CaseError(f"{case.name} 的“规则”是规则文件“{ref}”，但{'' if given.is_absolute() else f'在案例文件所在的文件夹 {folder} 中'}"
                        f"找不到这个文件。请把规则文件放在案例文件旁边，或写出完整路径；"
                        f"内置规则集有：{'、'.join(builtin_ids())}。")
    return ref  # not a file: load_rules says it is no known rule set


def parse_case(text: str, name: str = "案例文件") -> Project:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        from evaltool.core.messages import yaml_problem

        raise CaseError(f"{name} 不是有效的 YAML，{yaml_problem(exc)}。请检查冒号、缩进和引号。") from None
    except RecursionError:
        raise CaseError(f"{name} 嵌套层次过深，不是案例文件。") from None
    return case_from_dict(data, name)


def case_from_dict(data: Any, name: str = "案例文件") -> Project:
    if not isinstance(data, dict):
        raise CaseError(f"{name} 的内容应是“键: 值”的表（如“项目名称: …”），现在是{described(data)}。")
    kind = data.get("类型", DEFAULT_KIND)
    known = kinds.names()
    if not isinstance(kind, str) or kind not in known:
        raise CaseError(f"{name} 的“类型”应为{'或'.join(f'“{k}”' for k in known)}，现为“{kind}”。")
    p = Project(kind=str(kind), source=name)
    for key, attr in HEADER_KEYS.items():
        value = data.get(key)
        if not scalar_ok(value):
            raise CaseError(f"{name} 的“{key}”应是一个值，现在是{described(value)}。")
        setattr(p, attr, value)
        p.cells[key] = Location(path=key)
    rules = data.get("规则")
    if rules is not None and not isinstance(rules, str):
        raise CaseError(f"{name} 的“规则”应是规则集编号（如“国家标准”）或规则文件路径。")
    p.rules = rules
    kinds.kind_named(kind).case_from_dict(p, data, name)
    report = mapping(data, "报告素材", name)
    p.report = {str(k): "" if v is None else str(v) for k, v in report.items()}
    p.basic_info = dict(mapping(data, "项目基本信息", name))
    for key in kinds.case_keys():
        if key in data:
            p.extra[key] = data[key]
    expected = data.get("期望")
    if expected is not None and not isinstance(expected, dict):
        raise CaseError(f"{name} 的“期望”应是“键: 值”的表。")
    p.expected = expected
    return p


def described(value: Any) -> str:
    if isinstance(value, list):
        return "一个列表"
    if isinstance(value, dict):
        return "一个表"
    if value is None:
        return "空的"
    return f"“{str(value)[:30]}”"


def mapping(data: dict, key: str, name: str) -> dict:
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise CaseError(f"{name} 的“{key}”应是“键: 值”的表，现在是{described(value)}。")
    return value


# ---- writing ---------------------------------------------------------------------------------


def drop_none(d: dict) -> dict:
    return {k: _plain(v) for k, v in d.items() if v is not None and v != ""}


def case_to_dict(p: Project, include_expected: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if p.kind != DEFAULT_KIND:  # the default kind is what a case file without 类型 holds
        out["类型"] = p.kind
    out.update(drop_none({key: getattr(p, attr) for key, attr in HEADER_KEYS.items()}))
    if p.rules:
        out["规则"] = p.rules
    if p.basic_info:
        out["项目基本信息"] = p.basic_info
    kinds.kind_of(p).case_to_dict(p, out)
    for key in kinds.case_keys():
        if key in p.extra:
            out[key] = p.extra[key]
    if p.report:
        out["报告素材"] = {k: v for k, v in p.report.items() if v}
    if include_expected and p.expected:
        out["期望"] = p.expected
    return out


class _CaseDumper(yaml.SafeDumper):
    """safe_dump, except that text holding characters YAML reads as line breaks (NEL, U+2028/9) or
    drops (a byte-order mark) is written double-quoted with escapes, so it reads back exactly."""


_QUOTE_CHARS = ("\x85", "\u2028", "\u2029", "\ufeff")


def _represent_str(dumper: yaml.SafeDumper, text: str):
    if any(ch in text for ch in _QUOTE_CHARS):
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style='"')
    return dumper.represent_str(text)


_CaseDumper.add_representer(str, _represent_str)


def _represent_datetime(dumper: yaml.SafeDumper, value: _dt.datetime):
    # a date cell (Excel stores days: midnight) as a YAML date, 2025-11-20, not "2025-11-20 00:00:00"
    if value.time() == _dt.time(0) and value.tzinfo is None:
        return dumper.represent_date(value.date())
    return dumper.represent_datetime(value)


_CaseDumper.add_representer(_dt.datetime, _represent_datetime)


def dump_case(p: Project, include_expected: bool = False) -> str:
    return yaml.dump(case_to_dict(p, include_expected), Dumper=_CaseDumper, allow_unicode=True, sort_keys=False,
                     width=1000)


def save_case(p: Project, path: str | os.PathLike, include_expected: bool = False) -> None:
    """Write atomically: a half-written case file must never replace a good one."""
    atomic_write_text(path, dump_case(p, include_expected))


__all__ = ["load_case", "parse_case", "case_from_dict", "case_to_dict", "dump_case", "save_case", "CaseError",
           "scalar_ok", "described", "mapping", "drop_none"]
