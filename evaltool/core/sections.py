"""The checks of each form kind's own section of a rule file (运行监控, 部门整体, 绩效目标表, 评分表).

A list both core/rules.py (which runs the checks when it loads a file) and core/kinds.py (which hands
in the registry's check) import: the rules never import the kinds, and importing the registry does
not load the rules (nor PyYAML) — `evaltool --help` stays light.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

SECTION_CHECKS: list[Callable[[Any, frozenset[str]], None]] = []


def add_section_check(check: Callable[[Any, frozenset[str]], None]) -> None:
    """check(rules, written) raises RuleError when a section the file wrote (written: its own top-level
    keys, not those inherited from a built-in set) is wrong."""
    if check not in SECTION_CHECKS:
        SECTION_CHECKS.append(check)
