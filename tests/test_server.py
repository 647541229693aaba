"""`evaltool serve` over real HTTP on 127.0.0.1: the CLI's values and marks for every shared case,
and a Chinese 4xx (never a 500, never a traceback) for everything a hostile or broken client sends."""
from __future__ import annotations

import io
import json
import re
import select
import shutil
import socket
import time
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from evaltool.cli import main
from evaltool.core.caseio import load_case
from evaltool.core.seam import parse_address
from evaltool.server.app import Settings
from evaltool.workbook import layout as L
from evaltool.kinds.selfeval.template import build_workbook
from evaltool.workbook import template

from conftest import case_files
from serverkit import free_port, payload_from_file, post, running

CASES = case_files("自评表")
TOKEN = "s3cret-token-for-tests"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    logs = tmp_path_factory.mktemp("server-log")
    with running(Settings(port=free_port(), log_dir=str(logs), body_timeout=1.0, header_timeout=1.0,
                          max_bytes=2 * 1024 * 1024, max_cells=100_000)) as base:
        yield base


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    with running(Settings(port=free_port(), token=TOKEN, log_dir=str(tmp_path_factory.mktemp("office-log")),
                          allow_origins=("https://wps.example.gov.cn",))) as base:
        yield base


def filled(tmp_path: Path, case: Path, name="自评.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(template.deterministic_bytes(build_workbook(load_case(case))))
    return path


def cli_json(*args) -> object:
    res = CliRunner().invoke(main, [*args, "--json"])
    assert res.exit_code in (0, 1), res.output
    data = json.loads(res.stdout)
    return data if isinstance(data, list) else [data]


def _fill(cell):
    f = cell.fill
    return str(f.start_color.rgb)[-6:].upper() if f is not None and f.fill_type == "solid" else None


def _cells(rng: str):
    a, _, b = rng.partition(":")
    r1, c1 = parse_address(a)
    r2, c2 = parse_address(b or a)
    for r in range(r1, r2 + 1):
        for c in range(c1, c2 + 1):
            yield r, c


def replay(path: Path, response: dict) -> dict:
    """The workbook as the add-in leaves it: start from the file, apply the grouped calls."""
    wb = openpyxl.load_workbook(path)
    state: dict[str, dict[tuple[int, int], dict]] = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                state.setdefault(ws.title, {})[(c.row, c.column)] = {
                    "value": c.value, "fill": _fill(c), "note": c.comment.text if c.comment else None}
    for sheet in response["sheets"]:
        cells = state.setdefault(sheet["name"], {})
        for block in sheet["values"]:
            (r0, c0) = next(_cells(block["range"]))
            for i, row in enumerate(block["rows"]):
                for j, v in enumerate(row):
                    if isinstance(v, str) and v.startswith("'="):
                        v = v[1:]  # what Excel / WPS store for a value written with the text prefix
                    cells.setdefault((r0 + i, c0 + j), {})["value"] = v
        for group in sheet["fills"]:
            for rng in group["ranges"]:
                for rc in _cells(rng):
                    cells.setdefault(rc, {})["fill"] = group["fill"]
        for note in sheet["notes"]:
            cells.setdefault(parse_address(note["cell"]), {})["note"] = note["text"] or None
    return state


def assert_same_as_file(state: dict, want_path: Path, skip=(L.SHEET_RESULTS,)):
    want = openpyxl.load_workbook(want_path)
    for ws in want.worksheets:
        if ws.title in skip:
            continue
        got = state[ws.title]
        for row in ws.iter_rows():
            for c in row:
                mine = got.get((c.row, c.column), {})
                where = (ws.title, c.coordinate)
                value = mine.get("value")
                if isinstance(c.value, (int, float)) and isinstance(value, (int, float)):
                    assert float(value) == pytest.approx(float(c.value), abs=1e-12), where
                else:
                    assert value == c.value, where
                assert mine.get("fill") == _fill(c), where
                assert mine.get("note") == (c.comment.text if c.comment else None), where


# ---- the CLI's results through HTTP -------------------------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_score_gives_the_cli_values_and_marks(server, tmp_path, case):
    src = filled(tmp_path, case)
    status, _, got = post(server, "/api/score", payload_from_file(src))
    assert status == 200, got
    cli_copy = tmp_path / "cli.xlsx"
    shutil.copy(src, cli_copy)
    assert got["results"] == cli_json("score", str(cli_copy))
    # every cell of the CLI-scored file, value, fill and note, is what the add-in's calls leave
    assert_same_as_file(replay(src, got), cli_copy)
    rows = [[c.value for c in row] for row in openpyxl.load_workbook(cli_copy)[L.SHEET_RESULTS].iter_rows()]
    mine = [[None if v == "" else v for v in row][:len(rows[0])] for row in got["results_sheet"]["rows"]]
    assert [r + [None] * (len(rows[0]) - len(r)) for r in mine] == rows
    assert "计分完成" in got["summary"]
    # the rows score grows for wrapped text, as tall as the CLI makes them
    scored = openpyxl.load_workbook(cli_copy)
    for sheet in got["sheets"]:
        for h in sheet["row_heights"]:
            assert scored[sheet["name"]].row_dimensions[h["row"]].height == pytest.approx(h["height"]), h
    # grouped: far fewer value calls than written cells
    cells = sum(1 for w in got["writes"] if not w["keep_value"])
    calls = sum(len(s["values"]) for s in got["sheets"])
    assert calls < cells


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_check_gives_the_cli_findings_and_writes_no_value(server, tmp_path, case):
    src = filled(tmp_path, case)
    status, _, got = post(server, "/api/check", payload_from_file(src))
    assert status == 200, got
    assert got["results"] == cli_json("check", str(src))
    assert all(s["values"] == [] for s in got["sheets"]), "校验 never writes a value"
    assert "校验完成" in got["summary"]


def test_second_run_on_a_scored_workbook_matches_the_cli(server, tmp_path):
    """`evaltool new --from` scores the file; scoring it again through the server (marks of the
    last run in 校验结果, evaltool's notes present) leaves it exactly as a second CLI run does."""
    src = tmp_path / "新建.xlsx"
    res = CliRunner().invoke(main, ["new", str(src), "--from", str(CASES[0])])
    assert res.exit_code in (0, 1), res.output  # 1: the form has errors (seed000)
    status, _, got = post(server, "/api/score", payload_from_file(src))
    assert status == 200, got
    again = tmp_path / "again.xlsx"
    shutil.copy(src, again)
    assert got["results"] == cli_json("score", str(again))
    assert_same_as_file(replay(src, got), again)


def test_clerks_own_note_is_kept(server, tmp_path):
    src = filled(tmp_path, CASES[0])
    payload = payload_from_file(src)
    status, _, first = post(server, "/api/check", payload)
    marked = first["sheets"][0]["notes"][0]["cell"]
    payload["sheets"][0]["notes"] = {marked: "我自己的批注"}
    status, _, got = post(server, "/api/check", payload)
    note = next(n for n in got["sheets"][0]["notes"] if n["cell"] == marked)
    assert note["text"].startswith("我自己的批注\n" + L.NOTE_PREFIX)


def test_report_is_the_cli_report(server, tmp_path):
    import docx

    src = filled(tmp_path, CASES[0])
    status, headers, body = post(server, "/api/report", payload_from_file(src), raw=True)
    assert status == 200, body[:500]
    assert headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert "filename*=UTF-8''" in headers["content-disposition"]
    out = tmp_path / "cli.docx"
    res = CliRunner().invoke(main, ["report", str(src), "-o", str(out)])
    assert res.exit_code in (0, 1), res.output

    def texts(doc):
        paras = [p.text for p in doc.paragraphs]
        cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
        return paras, cells

    mine = docx.Document(io.BytesIO(body))
    assert texts(mine) == texts(docx.Document(str(out)))
    assert any("绩效评价报告" in p for p in texts(mine)[0])


def test_new_sheet_template_bytes_and_grids(server, tmp_path):
    status, _, body = post(server, "/api/new", {"format": "xlsx"}, raw=True)
    assert status == 200
    cli_file = tmp_path / "空白.xlsx"
    assert CliRunner().invoke(main, ["new", str(cli_file)]).exit_code == 0
    assert body == cli_file.read_bytes()

    case_text = CASES[1].read_text("utf-8")
    status, _, got = post(server, "/api/new", {"format": "grids", "case_yaml": case_text, "existing": ["Sheet1"]})
    assert status == 200, got
    sheet = got["sheet"]
    cli_new = tmp_path / "案例.xlsx"
    assert CliRunner().invoke(main, ["new", str(cli_new), "--from", str(CASES[1])]).exit_code == 0
    # the same scores and findings; only the sheet's name differs (named after the project, as
    # Excel's 导入案例 names it, where `evaltool new` keeps 自评表)
    def unnamed(results, name):
        return json.loads(json.dumps(results, ensure_ascii=False).replace(f"“{name}”", "“*”")
                          .replace(f"'{name}'!", "'*'!"), object_hook=lambda d: {k: v for k, v in d.items()
                                                                                if k not in ("工作表", "位置")})
    assert unnamed(got["plan"]["results"], sheet["name"]) == unnamed(cli_json("check", str(cli_new)), L.SHEET_FORM)
    assert sheet["merged"] and sheet["widths"] and sheet["rows"]
    assert sheet["name"] == load_case(CASES[1]).name[:25]


def test_export_is_the_cli_export(server, tmp_path):
    src = filled(tmp_path, CASES[0])
    status, _, got = post(server, "/api/export", payload_from_file(src))
    assert status == 200, got
    out = tmp_path / "x.yaml"
    assert CliRunner().invoke(main, ["export", str(src), "-o", str(out)]).exit_code == 0
    # the file carries one more line: evaltool's stamp (a YAML comment), so that only its own export is replaced
    text = out.read_text("utf-8")
    assert text.splitlines()[-1].startswith("# evaltool-")
    assert got["cases"][0]["yaml"] == text.rsplit("# evaltool-", 1)[0]


def test_about_lists_rule_sets(server):
    status, _, got = post(server, "/api/about", None)
    assert status == 200
    assert "国家标准" in [r["id"] for r in got["rules"]]
    assert got["version"] and got["token_required"] is False


def test_inline_rule_set_scores_like_a_rule_file(server, tmp_path):
    rules = "编号: 某市\n名称: 某市2024\n继承: 国家标准\n权重:\n  预算执行率: 20\n  一级指标: {产出指标: 40, 效益指标: 30, 满意度指标: 10}\n"
    rule_file = tmp_path / "某市.yaml"
    rule_file.write_text(rules, "utf-8")
    src = filled(tmp_path, CASES[0])
    status, _, got = post(server, "/api/check", payload_from_file(src, rules_yaml=rules))
    assert status == 200, got
    want = cli_json("check", str(src), "--rules", str(rule_file))
    for mine, theirs in zip(got["results"], want):
        theirs = dict(theirs)
        assert mine["总分"] == theirs["总分"] and mine["执行率得分"] == theirs["执行率得分"]
        assert mine["指标"] == theirs["指标"]


# ---- what must never get through ----------------------------------------------------------------
def assert_chinese_4xx(status, body, expect=None):
    assert 400 <= status < 500, (status, body)
    assert isinstance(body, dict) and set(body) == {"error"}, body
    assert CJK.search(body["error"]), body
    assert "Traceback" not in body["error"] and "Error" not in body["error"], body
    if expect is not None:
        assert status == expect, (status, body)


@pytest.mark.parametrize("body, status", [
    (b"{", 400), (b"", 400), (b"\xff\xfe", 400), (b"[1, 2]", 400), (b'"text"', 400),
    (b'{"sheets": 3}', 400), (b'{"sheets": []}', 400), (b'{"sheets": [{"name": "a", "values": "x"}]}', 400),
    (b'{"sheets": [{"name": "a", "values": [[{"x": 1}]]}]}', 400),
    (b'{"sheets": [{"name": "a", "values": [[NaN]]}]}', 400),
    (b'{"sheets": [{"name": "a", "values": [[1e999]]}]}', 400),
    (b'{"sheets": [{"name": "", "values": [[1]]}]}', 400),
    (b'{"sheets": [{"name": "a", "values": [[1]], "merged": ["Z"]}]}', 400),
    (b'{"sheets": [{"name": "a", "values": [[1]], "row": 0}]}', 400),
    (b'{"sheets": [{"name": "a", "values": [[1]]}, {"name": "A", "values": []}]}', 400),
    (b'{"sheets": [{"name": "a", "values": [["x"]]}]}', 422),  # valid JSON, not a 自评表
    (("[" * 100_000).encode(), 400),  # deep nesting
    (b'{"sheets": [{"name": "a", "values": [[' + b"9" * 5000 + b']]}]}', 400),
])
def test_malformed_and_wrong_shapes(server, body, status):
    got_status, _, got = post(server, "/api/score", body)
    assert_chinese_4xx(got_status, got, status)


def test_oversized_and_huge_grids(server):
    big = b'{"sheets": [{"name": "a", "values": [["' + b"x" * (3 * 1024 * 1024) + b'"]]}]}'
    assert_chinese_4xx(*post(server, "/api/score", big)[::2], 413)
    huge = {"sheets": [{"name": "a", "values": [[None] * 1000 for _ in range(200)]}]}  # 200k cells
    assert_chinese_4xx(*post(server, "/api/score", huge)[::2], 413)
    long_text = {"sheets": [{"name": "a", "values": [["x" * 40000]]}]}
    assert_chinese_4xx(*post(server, "/api/score", long_text)[::2], 400)


def test_markup_and_formula_text_is_only_text(server, tmp_path):
    """Clerk text that looks like HTML, console markup or a formula goes back as plain JSON text;
    a sheet name with markup is named in the message as it is."""
    src = filled(tmp_path, CASES[0])
    payload = payload_from_file(src)
    form = payload["sheets"][0]["values"]
    hostile = "<script>alert(1)</script>[bold red]x[/] =cmd|' /C calc'!A0"
    name = load_case(CASES[0]).name
    r, c = next((r, c) for r, row in enumerate(form) for c, v in enumerate(row) if v == name)
    form[r][c] = hostile  # the 项目名称 cell
    status, headers, got = post(server, "/api/score", payload)
    assert status == 200 and headers["content-type"].startswith("application/json")
    assert got["results"][0]["项目名称"] == hostile
    status, _, got = post(server, "/api/score", {"sheets": [{"name": "<b>表</b>", "values": [["x"]]}]})
    assert_chinese_4xx(status, got, 422)
    assert "<b>表</b>" in got["error"]


@pytest.mark.parametrize("extra, where", [
    ({"rules": "/etc/passwd"}, None),
    ({"rules": "../evaltool/rules/国家标准.yaml"}, None),
    ({"rules_yaml": "继承: /tmp/x.yaml\n编号: a"}, None),
    ({"rules_yaml": "a: &a [1, 2]\nb: [*a, *a]"}, None),
    ({"rules_yaml": "- 1"}, None),
    ({"rules": "国家标准", "rules_yaml": "编号: a"}, None),
])
def test_no_paths_from_the_client(server, tmp_path, extra, where):
    src = filled(tmp_path, CASES[0])
    status, _, got = post(server, "/api/score", payload_from_file(src, **extra))
    assert_chinese_4xx(status, got)


def test_rule_path_in_the_settings_sheet_is_refused(server, tmp_path, monkeypatch):
    import evaltool.core.rules as rules

    opened = []
    real = rules._read_yaml
    monkeypatch.setattr(rules, "_read_yaml", lambda ref: (opened.append(ref), real(ref))[1])
    src = filled(tmp_path, CASES[0])
    payload = payload_from_file(src)
    settings = next(s for s in payload["sheets"] if s["name"] == L.SHEET_SETTINGS)
    for row in settings["values"]:
        for i, v in enumerate(row):
            if v in ("国家标准",):
                row[i] = "/etc/passwd.yaml"
    status, _, got = post(server, "/api/score", payload)
    assert_chinese_4xx(status, got, 422)
    assert "/etc/passwd.yaml" in got["error"] and "内置规则集" in got["error"]
    assert "/etc/passwd.yaml" not in opened  # refused before the reader could open it


def test_methods_routes_and_content_type(server):
    host, port = server.split("//")[1].split(":")
    import http.client

    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request("GET", "/api/score")
    resp = conn.getresponse()
    assert_chinese_4xx(resp.status, json.loads(resp.read()), 405)
    conn.request("GET", "/nope")
    resp = conn.getresponse()
    assert_chinese_4xx(resp.status, json.loads(resp.read()), 404)
    conn.close()
    assert_chinese_4xx(*post(server, "/api/score", b"{}", headers={"Content-Type": "text/plain"})[::2], 415)
    assert_chinese_4xx(*post(server, "/api/score", b"{}", headers={"Host": "evil.example.com"})[::2], 403)


def _raw(server, data: bytes, pause: float = 0.0, chunk: int = 0, wait: float = 10.0, first: int = 0):
    host, port = server.split("//")[1].split(":")
    start = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=wait) as s:
        if chunk:
            try:
                s.sendall(data[:first])
                for i in range(first, len(data), chunk):
                    s.sendall(data[i:i + chunk])
                    time.sleep(pause)
                    if select.select([s], [], [], 0)[0]:
                        break  # the server answered (and gave up on us): stop trickling
            except OSError:
                pass  # the server closed on us: that is the point
        else:
            s.sendall(data)
        got = b""
        try:
            while True:
                part = s.recv(65536)
                if not part:
                    break
                got += part
        except OSError:
            pass
    return got, time.monotonic() - start


def test_slow_body_is_cut_off(server):
    body = json.dumps({"sheets": [{"name": "a", "values": [["x" * 400]]}]}).encode()
    head = (f"POST /api/score HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    got, took = _raw(server, head + body, pause=0.1, chunk=8, first=len(head))  # ~5 s to send it all; the limit is 1 s
    assert got.startswith(b"HTTP/1.1 408"), got[:200]
    assert "没有发送完" in got.decode("utf-8", "replace")
    assert took < 6


def test_slow_headers_are_cut_off(server):
    head = b"POST /api/score HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 200
    got, took = _raw(server, head, pause=0.2, chunk=4)
    assert got.startswith(b"HTTP/1.1 408"), got[:200]
    assert "请求头" in got.decode("utf-8", "replace")
    assert took < 6


def test_processing_time_limit(tmp_path, monkeypatch):
    import time

    import evaltool.workbook.service as service

    # The real work plus a pause: a tiny limit alone is not enough, since on a busy machine the work
    # can finish before the event loop looks at the deadline (then the answer is served, rightly).
    real = service.plan_projects

    def slow(*a, **k):
        time.sleep(3)
        return real(*a, **k)

    monkeypatch.setattr(service, "plan_projects", slow)
    src = filled(tmp_path, CASES[0])
    with running(Settings(port=free_port(), timeout=0.3, log_dir=str(tmp_path))) as base:
        status, _, got = post(base, "/api/score", payload_from_file(src))
    assert_chinese_4xx(status, got, 422)
    assert "秒" in got["error"]


def test_internal_error_is_logged_and_answered_in_chinese(server, tmp_path, monkeypatch):
    import evaltool.workbook.service as service

    def boom(*a, **k):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(service, "plan_projects", boom)
    status, _, got = post(server, "/api/score", payload_from_file(filled(tmp_path, CASES[0])))
    assert_chinese_4xx(status, got, 422)
    assert "ZeroDivisionError" not in got["error"] and "日志" in got["error"]


# ---- the office server: a token, and CORS for the add-in's origin only ---------------------------
@pytest.mark.parametrize("path", ["/api/about", "/api/check", "/api/score", "/api/report", "/api/new", "/api/export"])
def test_without_the_token_nothing_is_served(office, tmp_path, path):
    body = payload_from_file(filled(tmp_path, CASES[0]))
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"X-Evaltool-Token": TOKEN[:-1]},
                    {"Authorization": TOKEN}):
        status, _, got = post(office, path, body, headers=headers)
        assert_chinese_4xx(status, got, 401)
    status, _, got = post(office, path, body | {"format": "grids"}, headers={"Authorization": f"Bearer {TOKEN}"},
                          raw=path == "/api/report")
    assert status == 200
    status, _, got = post(office, path, body | {"format": "grids"}, headers={"X-Evaltool-Token": TOKEN},
                          raw=path == "/api/report")
    assert status == 200


def test_cors_only_for_the_add_ins_origin(office):
    import http.client

    host, port = office.split("//")[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    pre = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,authorization"}
    conn.request("OPTIONS", "/api/score", headers={"Origin": "https://wps.example.gov.cn", **pre})
    resp = conn.getresponse()
    resp.read()
    assert resp.status == 200
    assert resp.getheader("access-control-allow-origin") == "https://wps.example.gov.cn"
    conn.request("OPTIONS", "/api/score", headers={"Origin": "https://evil.example.com", **pre})
    resp = conn.getresponse()
    assert_chinese_4xx(resp.status, json.loads(resp.read()), 403)
    conn.close()
    status, _, got = post(office, "/api/about", None,
                          headers={"Origin": "https://evil.example.com", "Authorization": f"Bearer {TOKEN}"})
    assert_chinese_4xx(status, got, 403)


def test_serve_refuses_a_network_address_without_a_token():
    res = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0"], env={"EVALTOOL_TOKEN": ""})
    assert res.exit_code == 2
    assert "--token" in res.output and "Traceback" not in res.output
    res = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--token", "short"])
    assert res.exit_code == 2 and "太短" in res.output


def test_other_commands_do_not_import_the_server_stack():
    import subprocess
    import sys

    code = ("import sys, evaltool.cli; from click.testing import CliRunner; "
            "CliRunner().invoke(evaltool.cli.main, ['rules']); "
            "print(sorted(m for m in ('starlette', 'uvicorn', 'anyio') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout + out.stderr
