"""A test-only kind of form that is no evaluation (no total, no grade, like a 目标表): the tests' 测试表
read and written the same way, its evaluation giving neither a total nor a reason for none."""
from __future__ import annotations

import dataclasses

from testkind.kind import TestKind


class PlanKind(TestKind):
    name = "测试表"
    title = "测试计划表"

    def evaluate(self, project, rules):
        result = super().evaluate(project, rules)
        return dataclasses.replace(result, total=None, grade=None, ungraded=None)


KIND = PlanKind()


class WholeKind(TestKind):
    """The 测试表 as a form of the whole department (FormKind.subject)."""

    name = "测试表"
    title = "测试部门整体表"
    subject = "部门"


WHOLE = WholeKind()
