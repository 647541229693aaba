"""The 部门整体支出绩效自评表 (department-wide expenditure self-evaluation): its template, reader,
scoring under the 部门整体 rule set, cell writes, report outline, 附表 and 汇总 row."""
