"""Finance-bureau consolidation: many filled workbooks -> one 汇总 workbook.

Public entry points (the CLI command and the add-in's 汇总 button use these):
    collect(paths, output, ...) -> CollectSummary
    collect_folder(folder, output) -> CollectSummary
"""
__all__ = ["collect", "collect_folder", "CollectSummary"]


def __getattr__(name: str):
    # Loaded on first use: importing the package (as the CLI does for its command list) must not
    # start multiprocessing, concurrent.futures and the readers.
    if name in __all__:
        from evaltool.collect import run

        return getattr(run, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
