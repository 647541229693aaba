"""A third form kind that exists only in the tests (issue 13): the 测试表, a list of items with 分值 and
得分 whose total is graded by the rule set. It proves that a kind is its own package plus one registry
line (tests/test_third_kind.py registers it): check, score, report and collect handle it unchanged."""
