"""The 项目支出绩效自评表 as a form kind, a package of the same shape as kinds/scoresheet/: reader.py
finds it in a workbook's sheets, caseio.py reads and writes its case-file parts, scoring.py and
checks.py score and check it, results.py gives its --json form, writer.py its cell writes,
template.py builds its workbook, context.py and form_table.py draft its report, summary.py gives
its 汇总 row, selfeval_cli.py prints it; kind.py binds them to core.kinds.FormKind."""
