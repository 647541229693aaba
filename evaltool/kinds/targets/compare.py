"""A 自评表 checked beside its 绩效目标表 (filled in later, see part C)."""
from __future__ import annotations


def attach_from_views(projects, views) -> None:
    """Remember the 目标表s found in the same workbook on each 自评表 project."""
    from evaltool.kinds.targets.reader import read_views

    targets = read_views(views)
    for p in projects:
        p.extra["_绩效目标表"] = targets
