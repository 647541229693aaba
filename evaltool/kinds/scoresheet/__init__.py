"""The evaluation scoring table (评分表): framework rows, formula and judgement indicators,
evaluators (评价人员) and the performance-target sheet (绩效目标表). Pure core; the workbook
sheet lives in layout.py, the CLI glue in commands.py."""
