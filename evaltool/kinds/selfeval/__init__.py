"""The 项目支出绩效自评表 as a form kind. Its parts live where they grew (core/scoring.py and
core/checks.py score it, workbook/reader|writer|template.py read, write and build its sheet,
report/context.py and report/form_table.py draft its report); kind.py binds them to core.kinds.FormKind."""
