"""Workbooks, whatever kind of form they hold: reading (View, the shared sheets), writing (marks,
the 校验结果 sheet), the sheet-building helpers and the openpyxl engine. Each kind's own reader,
writer and template are in its package (evaltool/kinds/<name>/).

Public API (engine-free parts are reused by the xlwings engine):

- layout: every label, header, style name (STYLES), NOTE_PREFIX, sheet names, TEMPLATE_VERSION.
- reader.projects_from_grids(grids: list[Grid]) -> list[Project]        pure; InputError if no 自评表
- reader.read_workbook_projects(path) -> list[Project]                  openpyxl; InputError (Chinese)
- reader.sheet_info(project) -> SheetInfo | None                        where computed/input cells are
- writer.cell_writes(project, result) -> list[CellWrite]                pure; the project's kind's writes
- writer.results_sheet(pairs) -> ResultsSheet                           pure; the 校验结果 sheet's rows/links
- writer.place_findings(project, result) -> None                        gives every finding a cell
- evaluate.rule_set_for(project) / evaluate.settle(project, result)      pure; what every caller of a
  workbook project's scoring shares (设置 sheet's 小数位, findings on cells, the 设置 sheet's own problems)
- commands.evaluate_projects(projects) -> list[(Project, ScoreResult)]  scoring with the 设置 sheet
- xlsx_engine.check_file / read_grids / grids_from_workbook / apply_writes / write_results /
  save_atomic / safe_target / score_target / write_results_file / dropped_content
- xlsx_patch.patch_workbook(data, writes, results_sheet) -> bytes        the package with only evaltool's
  parts rewritten, every other entry copied byte for byte; Unpatchable(Chinese reason) where not safe
- template: Sheet, cell_font, build_report/build_basic/build_settings/build_help (the shared sheets),
  deterministic_bytes(wb); template_bytes() / write_template(path): the default kind's blank template
  (kind.build_workbook(project, rules) builds any kind's workbook)
"""
