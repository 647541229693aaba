"""`evaltool new --monitor 监控表.xlsx`: the console side of carry.py."""
from __future__ import annotations

from pathlib import Path

from evaltool.console import console, esc
from evaltool.core.errors import InputError
from evaltool.kinds.monitor.carry import Carried, carry, pick_monitor


def carried_project(monitor_file: str, case: str | None, kind: str | None, base=None) -> Carried:
    """The 自评表 to build: base (a project another source made, e.g. --from-targets), the case
    file's (--from) or one made from the 监控表, with the 监控表's 偏差原因 and 纠偏措施 carried in.
    InputError (Chinese) when either file cannot be used."""
    from evaltool.core.kinds import DEFAULT_KIND
    from evaltool.workbook import service

    if kind and kind.strip() != DEFAULT_KIND:
        raise InputError(f"--monitor 把运行监控表的偏差原因带入自评表，不能与 --kind {kind} 一起用；去掉 --kind 即可。")
    if not Path(monitor_file).is_file():
        raise InputError(f"找不到运行监控表：{monitor_file}")
    if base is None and case:
        from evaltool.core.caseio import load_case

        base = load_case(case)
    monitor = pick_monitor(service.load(monitor_file), base.name if base else None, Path(monitor_file).name)
    return carry(monitor, base)


def print_carried(carried: Carried, monitor_file: str) -> None:
    name = esc(Path(monitor_file).name)
    if carried.carried:
        console.print(f"已从 {name} 带入 {len(carried.carried)} 个指标的偏差原因和纠偏措施（写在“偏差原因分析及改进措施”中）："
                      + "、".join(f"“{esc(n)}”" for n in carried.carried) + "。年终请按实际情况改写。")
    else:
        console.print(f"{name} 中没有需要带入的偏差原因或纠偏措施。")
    if carried.kept:
        console.print("[yellow]自评表已填写偏差原因，未覆盖：[/]" + "、".join(f"“{esc(n)}”" for n in carried.kept) + "。")
    if carried.unmatched:
        console.print("[yellow]没有带入（自评表中没有同名的三级指标）：[/]" + "、".join(f"“{esc(n)}”" for n in carried.unmatched)
                      + "。请核对指标名称，或手工填写这些指标的偏差原因。")
    if carried.ambiguous:
        console.print("[yellow]没有带入（三级指标名称重复，无法确定对应哪一个指标）：[/]"
                      + "、".join(f"“{esc(n)}”" for n in carried.ambiguous)
                      + "。请把重复的指标改为不同的名称后重新生成，或手工填写这些指标的偏差原因。")
    if carried.cut:
        from evaltool.kinds.monitor.carry import CELL_CHARS

        console.print(f"[yellow]以下指标的偏差原因和纠偏措施超过一个单元格能容纳的 {CELL_CHARS} 字，只带入了前面部分（以“…”结尾）：[/]"
                      + "、".join(f"“{esc(n)}”" for n in carried.cut) + "。请在自评表中精简这些文字。")
