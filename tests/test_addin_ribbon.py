"""The ribbon XML: valid customUI, and every button reaches an existing VBA callback and entry point.

Microsoft's customUI14.xsd may not be redistributed here, so the check below encodes the
schema's vocabulary for the elements we use, transcribed from the copy Microsoft shipped with
its Custom UI Editor (republished in fernandreu/office-ribbonx-editor,
CustomUIEditor/Schemas/customui14.xsd): the attribute groups of CT_Ribbon, CT_Tabs, CT_Tab,
CT_Group, CT_Button, CT_Separator and the simple types ST_Size, ST_Keytip, ST_String, ST_ID,
ST_UniqueID (xsd:ID, unique per file), ST_Delegate. When a copy of the schema is at hand, set
EVALTOOL_CUSTOMUI_XSD=/path/customUI14.xsd and it is validated against it as well.
"""
from __future__ import annotations

import importlib
import io
import os
import re
import zipfile

import pytest
from lxml import etree

from evaltool.addin import builder

NS = "{http://schemas.microsoft.com/office/2009/07/customui}"

_ID = {"id", "idQ", "tag", "idMso"}
_POS = {"insertAfterMso", "insertBeforeMso", "insertAfterQ", "insertBeforeQ"}
_VIS = {"visible", "getVisible"}
_LABEL = {"label", "getLabel"}
_KEYTIP = {"keytip", "getKeytip"}
_IMAGE = {"image", "imageMso", "getImage"}
_TIP = {"screentip", "getScreentip", "supertip", "getSupertip"}
_ENABLED = {"enabled", "getEnabled"}
VOCABULARY = {
    # element: (allowed attributes, allowed children)
    "customUI": ({"onLoad", "loadImage"}, {"commands", "ribbon", "backstage", "contextMenus"}),
    "ribbon": ({"startFromScratch"}, {"qat", "tabs", "contextualTabs"}),
    "tabs": (set(), {"tab"}),
    "tab": (_ID | _POS | _VIS | _LABEL | _KEYTIP, {"group"}),
    "group": (_ID | _POS | _VIS | _LABEL | _KEYTIP | _IMAGE | _TIP | {"autoScale", "centerVertically"},
              {"button", "separator", "toggleButton", "checkBox", "editBox", "comboBox", "dropDown",
               "gallery", "menu", "dynamicMenu", "splitButton", "box", "buttonGroup", "labelControl",
               "control", "dialogBoxLauncher"}),
    "button": (_ID | _POS | _VIS | _LABEL | _KEYTIP | _IMAGE | _TIP | _ENABLED
               | {"showLabel", "getShowLabel", "showImage", "getShowImage", "onAction",
                  "description", "getDescription", "size", "getSize"}, set()),
    "separator": ({"id", "idQ", "tag"} | _POS | _VIS, set()),
    # CT_Menu in a group; its items are CT_ButtonRegular (a button's attributes without size/getSize)
    "menu": (_ID | _POS | _VIS | _LABEL | _KEYTIP | _IMAGE | _TIP | _ENABLED
             | {"showLabel", "getShowLabel", "showImage", "getShowImage", "size", "getSize", "itemSize",
                "description", "getDescription"},
             {"button", "separator", "menuSeparator", "menu", "toggleButton", "checkBox", "gallery",
              "dynamicMenu", "splitButton", "control"}),
}
MENU_ITEM_FORBIDS = {"size", "getSize"}
ENUMS = {"size": {"normal", "large"}, "autoScale": {"true", "false", "1", "0"},
         "visible": {"true", "false", "1", "0"}, "enabled": {"true", "false", "1", "0"},
         "showLabel": {"true", "false", "1", "0"}, "showImage": {"true", "false", "1", "0"},
         "itemSize": {"normal", "large"}}
NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
ENTRY_POINTS = {"check", "score", "report", "new_sheet", "new_from_targets", "import_case", "export_case", "collect", "publish",
                "about"}
BUTTONS = {"校验", "计分", "生成报告", "由目标表生成自评表", "导入案例", "导出案例", "汇总", "公开", "关于/帮助"}  # + the 新建 menu's items


@pytest.fixture(scope="module")
def tree():
    return etree.parse(str(builder.MACROS / "customUI14.xml"))


def vocabulary_problems(root, ns: str = NS) -> list[str]:
    """Every use of an element, attribute or value the customUI schema (2009 customUI14 by
    default; the 2006 one for WPS's ribbon.xml, whose vocabulary for these elements is the same)
    does not allow."""
    NS = ns  # noqa: N806
    out = []
    if root.tag != NS + "customUI":
        out.append(f"root {root.tag}")
    ids = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue  # comments
        if not el.tag.startswith(NS):
            out.append(f"namespace {el.tag}")
            continue
        name = el.tag[len(NS):]
        if name not in VOCABULARY:
            out.append(f"element {name}")
            continue
        attrs, children = VOCABULARY[name]
        out += [f"{name}@{a}" for a in sorted(set(el.attrib) - attrs)]
        out += [f"{name}>{c.tag[len(NS):]}" for c in el
                if isinstance(c.tag, str) and c.tag[len(NS):] not in children]
        for key, value in el.attrib.items():
            if key in ENUMS and value not in ENUMS[key]:
                out.append(f"{name}@{key}={value}")
            if key in ("label", "screentip", "supertip", "onAction", "imageMso") and not 1 <= len(value) <= 1024:
                out.append(f"{name}@{key} length")
            if key in ("id", "imageMso") and not NCNAME.match(value):
                out.append(f"{name}@{key}={value}")
            if key == "keytip" and not (1 <= len(value) <= 3 and not re.search(r"\s", value)):
                out.append(f"{name}@keytip={value}")
        if "id" in el.attrib:
            ids.append(el.attrib["id"])
        if name in ("button", "group", "tab") and not {"id", "label"} <= set(el.attrib):
            out.append(f"{name} without id/label")
        if name == "button" and el.getparent().tag == NS + "menu":
            out += [f"menu>button@{a}" for a in sorted(set(el.attrib) & MENU_ITEM_FORBIDS)]
        if name == "menu" and not {"id", "label"} <= set(el.attrib):
            out.append("menu without id/label")
        if name == "button":
            if len(set(el.attrib) & _IMAGE) != 1:
                out.append("button image")
            if not {"screentip", "supertip", "onAction"} <= set(el.attrib):
                out.append("button tips/onAction")
    out += [f"duplicate id {i}" for i in sorted({i for i in ids if ids.count(i) > 1})]
    return out


def test_customui_uses_only_the_documented_vocabulary(tree):
    assert vocabulary_problems(tree.getroot()) == []


def test_vocabulary_check_catches_mistakes():
    bad = etree.fromstring(
        '<customUI xmlns="http://schemas.microsoft.com/office/2009/07/customui"><ribbon><tabs>'
        '<tab id="t" label="x"><group id="g" label="y">'
        '<button id="b" label="z" size="huge" imageMso="Help" screentip="s" supertip="s" onAction="M.P" colour="red"/>'
        '<button id="b" label="z" image="a" imageMso="Help" screentip="s" supertip="s" onAction="M.P"/>'
        '<menuItem id="m"/><menu id="n" label="n" itemSize="huge"><button id="c" label="c" size="large" '
        'imageMso="Help" screentip="s" supertip="s" onAction="M.P"/></menu></group></tab></tabs></ribbon></customUI>')
    problems = vocabulary_problems(bad)
    assert {"button@size=huge", "button@colour", "button image", "element menuItem", "group>menuItem",
            "duplicate id b", "menu@itemSize=huge", "menu>button@size"} <= set(problems)


def test_ribbon_has_the_tab_and_buttons_clerks_expect(tree):
    tabs = tree.findall(f".//{NS}tab")
    assert [t.get("label") for t in tabs] == ["绩效自评"]
    from evaltool.core.kinds import DEFAULT_KIND, names

    # every registered kind, the default (自评表) first: the registry may list a kind before it to read first
    menu_items = [f"新建{n}" for n in sorted(names(), key=lambda n: n != DEFAULT_KIND)]
    assert {b.get("label") for b in tree.iter(NS + "button")} == BUTTONS | set(menu_items)
    assert len(tree.findall(f".//{NS}group")) >= 3
    menus = tree.findall(f".//{NS}group[@id='evaltoolGroupFill']/{NS}menu")
    assert [m.get("label") for m in menus] == ["新建"]
    assert [b.get("label") for b in menus[0].iter(NS + "button")] == menu_items


def test_new_menu_lists_every_registered_kind_and_its_tag_reaches_entry_new_sheet(tree, monkeypatch):
    """Each item's tag, put into the RunPython command the way EvaltoolRibbon.bas builds it, is the
    kind's name when Python reads the command (the tag itself is ASCII, as the VBA module is)."""
    from evaltool.addin import ribbon
    from evaltool.core import kinds
    from evaltool.excel import entry

    assert (builder.MACROS / "customUI14.xml").read_text("utf-8") == ribbon.with_menu(
        (builder.MACROS / "customUI14.xml").read_text("utf-8"), wps=False), "stale: run `evaltool addin build`"
    assert ribbon.WPS_XML.read_text("utf-8") == ribbon.with_menu(ribbon.WPS_XML.read_text("utf-8"), wps=True)
    src = (builder.MACROS / "EvaltoolRibbon.bas").read_text("ascii")
    assert re.search(r'^Sub OnNewKind\(control As IRibbonControl\)\n\s+Press "new_sheet:" & control\.Tag$', src, re.M)
    (command,) = re.findall(r'RunPython "(.*)"$', src, re.M)
    seen = []
    monkeypatch.setattr(entry, "new_sheet", lambda book=None, kind=None: seen.append(kind))
    monkeypatch.setattr(entry, "BUTTONS", dict(entry.BUTTONS, new_sheet=entry.new_sheet))
    monkeypatch.setattr(entry, "_caller", lambda: None)
    items = [b for b in tree.iter(NS + "button") if b.get("onAction") == "EvaltoolRibbon.OnNewKind"]
    import xlwings

    for item in items:
        tag = item.get("tag")
        assert tag.isascii()
        button = "new_sheet:" + tag
        # VBA: "...e.press('" & button & "', '" & XLWINGS_VERSION & "')"
        python = command.replace('" & button & "', button).replace('" & XLWINGS_VERSION & "', xlwings.__version__)
        exec(python, {})
    assert seen == [name for name, _ in ribbon.kinds()] and sorted(seen) == sorted(kinds.names())


@pytest.mark.skipif(not os.environ.get("EVALTOOL_CUSTOMUI_XSD"), reason="no customUI14.xsd supplied")
def test_customui_validates_against_microsoft_schema(tree):
    schema = etree.XMLSchema(etree.parse(os.environ["EVALTOOL_CUSTOMUI_XSD"]))
    schema.assertValid(tree)


def _vba_procedures() -> dict[str, dict[str, str]]:
    """module -> {procedure name: parameter list}, from the BUILT add-in (what Excel will see)."""
    from oletools.olevba import VBA_Parser

    data = builder.build_bytes()
    parser = VBA_Parser("evaltool.xlam", data=data)
    out: dict[str, dict[str, str]] = {}
    try:
        for _, _, name, code in parser.extract_macros():
            module = name.rsplit(".", 1)[0]
            out[module] = {m.group(2): m.group(3) for m in re.finditer(
                r"^(Public\s+|Private\s+)?Sub\s+(\w+)\s*\(([^)]*)\)", code, re.M)}
    finally:
        parser.close()
    return out


def test_every_onaction_names_a_ribbon_callback(tree):
    procs = _vba_procedures()
    actions = [b.get("onAction") for b in tree.iter(NS + "button")]
    for action in actions:
        module, proc = action.split(".")
        assert module in procs, action
        assert proc in procs[module], action
        assert re.fullmatch(r"\s*control\s+As\s+IRibbonControl\s*", procs[module][proc]), action
    # and no callback is left without a button
    assert set(procs["EvaltoolRibbon"]) - {"Press"} == {a.split(".")[1] for a in actions}


def test_callbacks_run_existing_python_entry_points():
    src = (builder.MACROS / "EvaltoolRibbon.bas").read_text("ascii")
    calls = re.findall(r'^\s+Press "(\w+)(?::" & control\.Tag)?"?$', src, re.M)
    assert set(calls) == ENTRY_POINTS and len(calls) == len(ENTRY_POINTS)
    # one RunPython, passing the button and the add-in's own xlwings version to entry.press
    assert re.findall(r'RunPython "(.*)"$', src, re.M) == [
        "import evaltool.excel.entry as e; e.press('\" & button & \"', '\" & XLWINGS_VERSION & \"')"]
    entry = importlib.import_module("evaltool.excel.entry")
    assert set(entry.BUTTONS) == ENTRY_POINTS
    for name in calls:
        assert callable(entry.BUTTONS[name]), name


def test_every_imagemso_is_in_excels_own_list(tree):
    """Icons Excel has (checked against Microsoft's Excel control list, excelcontrols.xlsx for
    Office 2013 and Microsoft 365 in OfficeDev/office-fluent-ui-command-identifiers). ExportWord
    and FileSaveAsWordDocx are not there: Access and Word icons show as blanks in Excel."""
    excel = {"FileNew", "FileOpen", "FileSaveAs", "DataValidation", "AutoSum", "FileSaveAsOtherFormats",
             "PivotTableInsert", "Help"}
    used = {b.get("imageMso") for b in tree.iter(NS + "button")}
    assert used <= excel, used - excel


def test_2006_part_is_the_same_ribbon():
    with zipfile.ZipFile(io.BytesIO(builder.build_bytes())) as zf:
        new = zf.read("customUI/customUI14.xml")
        old = zf.read("customUI/customUI.xml")
    assert new == (builder.MACROS / "customUI14.xml").read_bytes()
    assert old.replace(builder.NS_2006.encode(), builder.NS_2009.encode()) == new
    etree.fromstring(old)  # well-formed


# ---- the WPS add-in's ribbon.xml: the same tab, groups and buttons, JS callbacks ------------------
WPS_RIBBON = builder.REPO / "wps_addin" / "ribbon.xml"
NS_2006 = "{http://schemas.microsoft.com/office/2006/01/customui}"


def test_wps_ribbon_uses_only_the_documented_vocabulary():
    root = etree.parse(str(WPS_RIBBON)).getroot()
    assert vocabulary_problems(root, NS_2006) == []
    assert root.get("onLoad") == "OnAddinLoad"


def test_wps_ribbon_has_the_excel_ribbons_tab_groups_and_buttons(tree):
    wps = etree.parse(str(WPS_RIBBON))

    def shape(t, ns):
        return [(tab.get("id"), tab.get("label"), [(g.get("id"), g.get("label"), [(b.get("id"), b.get("label"), b.get("size"), b.get("screentip")) for b in g.iter(ns + "button")]) for g in tab.iter(ns + "group")]) for tab in t.iter(ns + "tab")]

    assert shape(wps, NS_2006) == shape(tree, NS)
    excel_actions = {b.get("id"): b.get("onAction").split(".")[1] for b in tree.iter(NS + "button")}
    assert {b.get("id"): b.get("onAction") for b in wps.iter(NS_2006 + "button")} == excel_actions


def test_wps_ribbon_callbacks_exist_in_the_js():
    js = (builder.REPO / "wps_addin" / "js" / "ribbon.js").read_text("utf-8")
    defined = set(re.findall(r"^\s{4}(\w+): function", js, re.M))
    named = set(re.findall(r'(?:onAction|getImage|onLoad)="(\w+)"', WPS_RIBBON.read_text("utf-8")))
    assert named and named <= defined, named - defined
