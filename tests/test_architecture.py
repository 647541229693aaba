"""The package's shape (issue 13), read from the source with ast: no import cycle (imports inside
functions count: they still run), the core imports nothing outside the core, and no private name
crosses a module."""
from __future__ import annotations

import ast
import functools
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "evaltool"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in ROOT.rglob("*.py")}


def _type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


@functools.lru_cache(maxsize=None)
def tree_of(path: Path) -> ast.Module:
    return ast.parse(path.read_text("utf-8"))


@functools.lru_cache(maxsize=None)
def imports(path: Path) -> list[tuple[str, list[str], int]]:
    """(module imported, names taken from it, line) for every import that runs (not TYPE_CHECKING)."""
    tree = tree_of(path)
    skip = {id(n) for t in ast.walk(tree) if _type_checking(t) for b in t.body for n in ast.walk(b)}
    out = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            out += [(a.name, [], node.lineno) for a in node.names if a.name.startswith("evaltool")]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module.startswith("evaltool"):
            out.append((node.module, [a.name for a in node.names], node.lineno))
    return out


def edges() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for mod, path in MODULES.items():
        for target, names, _ in imports(path):
            subs = [f"{target}.{n}" for n in names if f"{target}.{n}" in MODULES]
            for t in subs or [target]:
                if t in MODULES and t != mod:
                    graph[mod].add(t)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycle():
    assert cycles(edges()) == []


def test_core_imports_only_the_core():
    bad = [(m, t, line) for m, p in MODULES.items() if m.startswith("evaltool.core")
           for t, _, line in imports(p) if not (t == "evaltool.core" or t.startswith("evaltool.core."))]
    assert bad == []


def test_no_private_name_crosses_a_module():
    bad = []
    for mod, path in MODULES.items():
        for target, names, line in imports(path):
            bad += [(mod, line, f"{target}.{n}") for n in names if n.startswith("_") and target != mod]
        tree = tree_of(path)
        aliases = {a.asname or a.name.rsplit(".", 1)[-1]: f"{n.module}.{a.name}" for n in ast.walk(tree)
                   if isinstance(n, ast.ImportFrom) and n.module and n.module.startswith("evaltool")
                   for a in n.names if f"{n.module}.{a.name}" in MODULES}
        aliases.update({a.asname: a.name for n in ast.walk(tree) if isinstance(n, ast.Import)
                        for a in n.names if a.asname and a.name in MODULES})
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
                    and node.attr.startswith("_") and not node.attr.startswith("__")):
                bad.append((mod, node.lineno, f"{aliases[node.value.id]}.{node.attr}"))
    assert bad == []


# Reading a workbook into grids is an engine's work (engines/__init__.py): these modules implement
# the engines; everything else asks the registry (engines.engine(name).read / read_noted).
ENGINE_MODULES = {"evaltool.workbook.xlsx_engine", "evaltool.excel.xlwings_engine",
                  "evaltool.engines.calamine_engine", "evaltool.server.payload"}
READERS = {"read_noted", "read_grids", "grids_from_workbook", "calamine_grids", "calamine_grids_isolated", "grids"}


def direct_reads(tree: ast.Module) -> list[tuple[int, str]]:
    """(line, module.name) of every engine reader imported or called past the registry."""
    out = [(n.lineno, f"{n.module}.{a.name}") for n in ast.walk(tree)
           if isinstance(n, ast.ImportFrom) and n.module in ENGINE_MODULES for a in n.names if a.name in READERS]
    aliases = {a.asname or a.name.rsplit(".", 1)[-1]: f"{n.module}.{a.name}" for n in ast.walk(tree)
               if isinstance(n, ast.ImportFrom) and n.module for a in n.names if f"{n.module}.{a.name}" in ENGINE_MODULES}
    aliases.update({a.asname or a.name: a.name for n in ast.walk(tree) if isinstance(n, ast.Import)
                    for a in n.names if a.name in ENGINE_MODULES})
    out += [(n.lineno, f"{aliases[n.value.id]}.{n.attr}") for n in ast.walk(tree)
            if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id in aliases
            and n.attr in READERS]
    return out


def test_front_ends_read_through_the_engines_registry():
    bad = [(mod, *hit) for mod, path in MODULES.items()
           if mod not in ENGINE_MODULES and not mod.startswith("evaltool.engines") for hit in direct_reads(tree_of(path))]
    assert bad == []
    # and the check finds what it must
    probe = ast.parse("from evaltool.workbook import xlsx_engine\nfrom evaltool.server import payload as P\n"
                      "from evaltool.workbook.xlsx_engine import read_noted\n"
                      "xlsx_engine.grids_from_workbook(wb)\nP.grids(data, limits)\n")
    assert [name for _, name in direct_reads(probe)] == [
        "evaltool.workbook.xlsx_engine.read_noted", "evaltool.workbook.xlsx_engine.grids_from_workbook",
        "evaltool.server.payload.grids"]


def test_the_graph_is_read():
    """The walk finds the edges it must (a check of the checker): cli imports the workbook commands,
    the service imports the reader, and a cycle made up here is found."""
    graph = edges()
    assert "evaltool.workbook.workbook_cli" in graph["evaltool.cli"]
    assert "evaltool.workbook.reader" in graph["evaltool.workbook.service"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [["a", "b", "c"]]


EXCEL_PROBE = r"""
import datetime, decimal, json, sys
import xlwings as xw
from evaltool.core.caseio import load_case
from evaltool.excel import entry
from evaltool.kinds.selfeval.template import build_workbook
from evaltool.workbook import template, xlsx_engine

path = sys.argv[2]
with open(path, "wb") as fh:
    fh.write(template.deterministic_bytes(build_workbook(load_case(sys.argv[1]))))
def cell(v):
    if v is None:
        return ""
    if isinstance(v, (datetime.date, datetime.datetime)):
        return v.isoformat()
    return float(v) if isinstance(v, decimal.Decimal) else v
sheets = []
for g in xlsx_engine.read_grids(path):
    width = max(g.ncols, 1)
    values = [[cell(v) for v in list(r) + [None] * (width - len(r))] for r in g.values] or [[""]]
    sheets.append({"name": g.sheet, "values": values, "pictures": [], "tables": [], "notes": []})
book = xw.Book(json={"client": "Office.js", "version": xw.__version__, "names": [], "sheets": sheets,
                     "book": {"name": "自评.xlsx", "active_sheet_index": 0, "selection": "A1"}})
entry.check(book=book)
entry.score(book=book)
actions = [a["func"] for a in book.json()["actions"]]
print(json.dumps({"actions": len(actions), "loaded": [m for m in ("click", "rich") if m in sys.modules]}))
"""


def test_the_excel_buttons_import_neither_click_nor_rich(tmp_path):
    """校验 and 计分 on a real (remote-engine) book run the service layer without the CLI's libraries."""
    import json
    import os
    import subprocess
    import sys

    case = next((ROOT.parent / "tests" / "cases").glob("seed003-*.yaml"))
    env = dict(os.environ, XLWINGS_LICENSE_KEY="noncommercial",
               PYTHONPATH=os.pathsep.join([str(ROOT.parent), os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, "-c", EXCEL_PROBE, str(case), str(tmp_path / "自评.xlsx")], env=env,
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["actions"] > 10 and got["loaded"] == [], done.stdout + done.stderr
