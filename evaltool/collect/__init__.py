"""Finance-bureau consolidation: many filled workbooks -> one 汇总 workbook.

Public entry points (the CLI command and the add-in's 汇总 button use these):
    collect(paths, output, ...) -> CollectSummary
    collect_folder(folder, output) -> CollectSummary
"""
from evaltool.collect.run import CollectSummary, collect, collect_folder

__all__ = ["collect", "collect_folder", "CollectSummary"]
