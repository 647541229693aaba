"""The ribbons' 新建 menu: one item per registered form kind, for Excel (macros/customUI14.xml) and
WPS (wps_addin/ribbon.xml).

Both files are kept as written, with the menu between two marker comments; `evaltool addin build`
writes the menu from the kind registry (core.kinds BUILTIN order), so a new kind package appears
in both ribbons without anyone editing XML. tests/test_addin_ribbon.py checks the committed files
carry the menu the registry gives today.

Excel's items share one VBA callback (EvaltoolRibbon.OnNewKind), which hands `control.Tag` to
Python: the tag holds the kind's name as Python \\u escapes, so the VBA module and the RunPython
command line stay ASCII (the VBA project is stored in code page 1252). WPS's JS reads the tag as
it is, so there it is the name itself.
"""
from __future__ import annotations

import re
from pathlib import Path
from xml.sax.saxutils import quoteattr

REPO = Path(__file__).resolve().parents[2]
EXCEL_XML = REPO / "macros" / "customUI14.xml"
WPS_XML = REPO / "wps_addin" / "ribbon.xml"
BEGIN = "<!-- 新建菜单（由 evaltool addin build 按表格类型生成，请勿手改） -->"
END = "<!-- /新建菜单 -->"
BLOCK = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.S)
EXCEL_ACTION = "EvaltoolRibbon.OnNewKind"
WPS_ACTION = "OnNewKind"


def py_escaped(name: str) -> str:
    """A kind's name as ASCII a Python string literal reads back as the name ("\\u81ea…")."""
    return "".join(ch if ch.isascii() and ch.isalnum() else f"\\u{ord(ch):04x}" for ch in name)


def kinds() -> list[tuple[str, str]]:
    """(name, title) of every registered kind: the default kind (自评表) first, then registry order
    (which is detection order, and may put a kind before the 自评表 for reading only)."""
    from evaltool.core.kinds import DEFAULT_KIND, kinds as registered

    return sorted(((k.name, k.title or k.name) for k in registered()), key=lambda e: e[0] != DEFAULT_KIND)


def menu(wps: bool, indent: str = "          ") -> str:
    """The 新建 menu as it stands in the group 填报 (marker comments included)."""
    entries = kinds()
    image = 'getImage="GetImage"' if wps else 'imageMso="FileNew"'
    action = WPS_ACTION if wps else EXCEL_ACTION
    listed = "、".join(name for name, _ in entries)
    lines = [BEGIN,
             f'<menu id="evaltoolNewMenu" label="新建" size="large" itemSize="large" {image}',
             '      screentip="新建"',
             f'      supertip={quoteattr(f"按标准模板在当前工作簿末尾新建一张空白表格：{listed}。")}>']
    for n, (name, title) in enumerate(entries, start=1):
        tag = name if wps else py_escaped(name)
        lines += [f'  <button id="evaltoolNewKind{n}" label={quoteattr("新建" + name)} {image}',
                  f'          tag={quoteattr(tag)} description={quoteattr(title)}',
                  f'          screentip={quoteattr("新建" + name)}',
                  f'          supertip={quoteattr(f"按标准模板在当前工作簿末尾新建一张空白的{title}。")}',
                  f'          onAction="{action}"/>']
    lines += ["</menu>", END]
    return "\n".join(indent + line if i else line for i, line in enumerate(lines))


def with_menu(text: str, wps: bool) -> str:
    """A ribbon file's text with its 新建 menu as the registry gives it now."""
    if not BLOCK.search(text):
        raise ValueError("功能区文件中没有“新建菜单”标记")
    return BLOCK.sub(lambda _: menu(wps), text, count=1)


def refresh() -> list[Path]:
    """Rewrite the two ribbon files' menus in the source tree; the files that changed."""
    from evaltool.core.fileio import atomic_write_bytes

    changed = []
    for path, wps in ((EXCEL_XML, False), (WPS_XML, True)):
        if not path.exists():
            continue
        old = path.read_text("utf-8")
        new = with_menu(old, wps)
        if new != old:
            atomic_write_bytes(path, new.encode("utf-8"))
            changed.append(path)
    return changed
