"""绩效目标表 → 自评表: `evaltool new --from-targets` keeps every filed target, and a 自评表 checked
beside its 目标表 (`check --targets`, or both forms in one workbook) says which targets were changed,
dropped or added since filing, on the 自评表's cells, naming the 目标表's value and cell."""
from __future__ import annotations

import json
import os
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from evaltool.cli import main
from evaltool.workbook import service

import targetsforms as F
from test_targets import filled

TG = ("W-TG-CHANGED", "W-TG-DROPPED", "W-TG-ADDED", "W-TG-WEIGHT-CHANGED", "W-TG-FUND-CHANGED", "W-TG-UNMATCHED")


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def check(path: Path, *extra) -> dict:
    res = run("check", path, "--json", *extra)
    assert res.exit_code in (0, 1), res.output
    return json.loads(res.stdout)


def comparisons(result: dict) -> list[dict]:
    return [f for f in result["标记"] if f["代码"] in TG]


def key(ind):
    return ind.level1, ind.level2, ind.level3, ind.target, ind.weight


@pytest.fixture(params=["template", "province"])
def targets_file(request, tmp_path) -> Path:
    if request.param == "template":
        return filled(tmp_path)
    return F.province_split(tmp_path / "省目标表.xlsx")


def test_round_trip_keeps_every_target(tmp_path, targets_file):
    out = tmp_path / "自评表.xlsx"
    res = run("new", "--from-targets", targets_file, "-o", out)
    assert res.exit_code == 0, res.output
    assert f"带入 {len(F.INDICATORS)} 个绩效指标" in res.output
    (filed,) = service.load(str(targets_file))
    (form,) = service.load(str(out))
    assert form.kind == "自评表"
    assert [key(i) for i in form.indicators] == [key(i) for i in filed.indicators]
    assert (form.name, form.department, form.unit, form.year) == (F.NAME, F.DEPT, F.UNIT, 2025)
    assert form.goal_expected == F.GOAL
    assert {k: r.initial for k, r in form.funds.items() if r.initial is not None} == {
        "年度资金总额": 120, "本年财政拨款": 100, "其他资金": 20}
    assert all(i.actual is None for i in form.indicators)  # the year end's part is left to the clerk
    assert comparisons(check(out, "--targets", targets_file)) == []


def test_default_name_is_beside_the_targets_file_and_never_the_file_itself(tmp_path):
    src = filled(tmp_path)
    before = src.read_bytes()
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        res = run("new", "--from-targets", src.name)
    finally:
        os.chdir(old)
    assert res.exit_code == 0, res.output
    assert (tmp_path / "目标-自评表.xlsx").exists() and src.read_bytes() == before
    # from the 目标表's case file (目标.yaml) too: beside it, never over 目标.xlsx
    made = (tmp_path / "目标-自评表.xlsx").read_bytes()
    (tmp_path / "目标-自评表.xlsx").unlink()
    os.chdir(tmp_path)
    try:
        res = run("new", "--from-targets", "目标.yaml")
    finally:
        os.chdir(old)
    assert res.exit_code == 0, res.output
    assert src.read_bytes() == before
    a, b = service.load(str(src))[0], service.load(str(tmp_path / "目标-自评表.xlsx"))[0]
    assert [key(i) for i in b.indicators] == [key(i) for i in a.indicators] and made


def _edit_selfeval(path: Path) -> dict:
    """Change one target, clear one indicator's row, type a new indicator over another: as a clerk might."""
    (form,) = service.load(str(path))
    cells = {i.level3: {k: str(v).split("!")[1] for k, v in i.cells.items()} for i in form.indicators}
    wb = openpyxl.load_workbook(path)
    ws = wb["自评表"]
    ws[cells["培训人次"]["年度指标值"]] = "≥400人次"  # changed
    ws[cells["宣传资料发放"]["分值"]] = 5  # weight changed (10 filed)
    for name in ("三级指标", "年度指标值", "分值"):  # dropped
        ws[cells["人均培训成本"][name]] = None
    ws[cells["群众知晓率"]["三级指标"]] = "政策宣传覆盖率"  # 群众知晓率 dropped, 政策宣传覆盖率 added
    ws[cells["群众知晓率"]["年度指标值"]] = "≥80%"
    ws["D6"] = 110  # 年初预算数 (120 filed)
    wb.save(path)
    return cells


def test_changed_dropped_and_added_targets_are_flagged_on_the_selfeval_cells(tmp_path):
    filed = filled(tmp_path)
    out = tmp_path / "自评表.xlsx"
    assert run("new", "--from-targets", filed, "-o", out).exit_code == 0
    cells = _edit_selfeval(out)
    found = comparisons(check(out, "--targets", filed))
    by = {(f["代码"], f["单元格"]): f["说明"] for f in found}
    changed = by[("W-TG-CHANGED", cells["培训人次"]["年度指标值"])]
    assert "“≥400人次”" in changed and "目标.xlsx 绩效目标表!F11" in changed and "“≥500人次”" in changed
    weight = by[("W-TG-WEIGHT-CHANGED", cells["宣传资料发放"]["分值"])]
    assert "分值 5" in weight and "权重 10" in weight and "绩效目标表!H12" in weight
    dropped = [m for (c, _), m in by.items() if c == "W-TG-DROPPED"]
    assert len(dropped) == 2
    assert any("人均培训成本" in m and "“≤300元”" in m and "绩效目标表!D15" in m for m in dropped)
    assert any("群众知晓率" in m and "“≥85%”" in m for m in dropped)
    added = by[("W-TG-ADDED", cells["群众知晓率"]["三级指标"])]
    assert "政策宣传覆盖率" in added and "目标.xlsx" in added
    fund = by[("W-TG-FUND-CHANGED", "D6")]
    assert "110" in fund and "120" in fund and "绩效目标表!F6" in fund
    assert len(found) == 6
    # without --targets: the same 自评表 has none of these
    assert comparisons(check(out)) == []


def test_same_targets_written_differently_are_not_a_change(tmp_path):
    filed = filled(tmp_path)
    out = tmp_path / "自评表.xlsx"
    assert run("new", "--from-targets", filed, "-o", out).exit_code == 0
    (form,) = service.load(str(out))
    loc = str(form.indicators[0].cells["年度指标值"]).split("!")[1]
    wb = openpyxl.load_workbook(out)
    wb["自评表"][loc] = "＞＝５００ 人次"
    wb.save(out)
    assert comparisons(check(out, "--targets", filed)) == []


def _copy_sheet(src: Path, dst: Path, title: str) -> None:
    """The 目标表 sheet laid into the 自评表's workbook (values and merges), as a clerk keeps them together."""
    source = openpyxl.load_workbook(src)["绩效目标表"]
    wb = openpyxl.load_workbook(dst)
    ws = wb.create_sheet(title)
    for row in source.iter_rows():
        for c in row:
            if c.value is not None and type(c).__name__ != "MergedCell":
                ws.cell(c.row, c.column, c.value)
    for rng in source.merged_cells.ranges:
        ws.merge_cells(str(rng))
    wb.save(dst)


def test_both_forms_in_one_workbook_are_compared_without_an_option(tmp_path):
    filed = filled(tmp_path)
    out = tmp_path / "自评表.xlsx"
    assert run("new", "--from-targets", filed, "-o", out).exit_code == 0
    cells = _edit_selfeval(out)
    _copy_sheet(filed, out, "申报绩效目标表")
    both = check(out)  # each form read by its own kind (SWEEP S10): the 自评表, then the 目标表 sheet
    assert [(r["类型"], r["工作表"]) for r in both] == [("自评表", "自评表"), ("绩效目标表", "申报绩效目标表")]
    result = both[0]
    assert result["项目名称"] == F.NAME
    assert not comparisons(both[1])  # the comparison is the 自评表's, given once
    found = comparisons(result)
    assert {f["代码"] for f in found} == {"W-TG-CHANGED", "W-TG-DROPPED", "W-TG-ADDED", "W-TG-WEIGHT-CHANGED",
                                        "W-TG-FUND-CHANGED"}
    changed = next(f for f in found if f["代码"] == "W-TG-CHANGED")
    assert changed["单元格"] == cells["培训人次"]["年度指标值"] and "本工作簿 申报绩效目标表!F11" in changed["说明"]
    # score marks the 自评表's cell; the 目标表 sheet's values are left as they were
    before = [[c.value for c in r] for r in openpyxl.load_workbook(out)["申报绩效目标表"].iter_rows()]
    run("score", out)
    wb = openpyxl.load_workbook(out)
    assert "申报的绩效目标" in wb["自评表"][cells["培训人次"]["年度指标值"]].comment.text
    assert [[c.value for c in r] for r in wb["申报绩效目标表"].iter_rows()] == before


def test_wrong_inputs_are_chinese_messages_and_write_nothing(tmp_path):
    filed = filled(tmp_path)
    selfeval = tmp_path / "自评表.xlsx"
    assert run("new", selfeval).exit_code == 0
    cases = [
        (["new", "x.xlsx", "--from-targets", selfeval], "没有找到绩效目标表"),
        (["new", "x.xlsx", "--from-targets", filed, "--kind", "评分表"], "不能与 --kind 评分表 一起使用"),
        (["new", "x.xlsx", "--from-targets", filed, "--from", tmp_path / "目标.yaml"], "只能选一个"),
        (["check", selfeval, "--targets", selfeval], "没有找到绩效目标表"),
        (["check", filed, "--targets", filed], "要检查的文件本身就是绩效目标表"),
    ]
    for args, message in cases:
        old = os.getcwd()
        os.chdir(tmp_path)
        try:
            res = run(*args)
        finally:
            os.chdir(old)
        assert res.exit_code == 2, (args, res.output)
        assert message in res.output and "Traceback" not in res.output, (args, res.output)
    assert not (tmp_path / "x.xlsx").exists()


def test_a_blank_targets_sheet_beside_the_selfeval_compares_nothing(tmp_path):
    filed = filled(tmp_path)
    out = tmp_path / "自评表.xlsx"
    assert run("new", "--from-targets", filed, "-o", out).exit_code == 0
    blank = tmp_path / "空白目标表.xlsx"
    assert run("new", blank, "--kind", "绩效目标表").exit_code == 0
    _copy_sheet(blank, out, "绩效目标表")
    both = check(out)  # the blank 目标表 is a form of its own kind (SWEEP S10), checked apart
    assert [(r["类型"], r["工作表"]) for r in both] == [("自评表", "自评表"), ("绩效目标表", "绩效目标表")]
    assert comparisons(both[0]) == []


def test_from_targets_with_monitor_carries_both(tmp_path):
    """Spring's 目标表 gives the indicators, summer's 运行监控表 their 偏差原因: one 自评表 from both."""
    from test_monitor import CASE as MONITOR_CASE

    (tmp_path / "监控.yaml").write_text(MONITOR_CASE, "utf-8")
    monitor = tmp_path / "监控表.xlsx"
    assert run("new", monitor, "--from", tmp_path / "监控.yaml").exit_code in (0, 1)  # 1: the form has errors
    rows = [("产出指标", "数量指标", "新建供水管网长度", "≥", 120, "公里", 20),
            ("产出指标", "数量指标", "改造水厂数量", "≥", 6, "座", 20),
            ("产出指标", "时效指标", "工程完工时间", None, "2026年11月30日前", None, 10),
            ("效益指标", "社会效益指标", "受益人口", "≥", 3, "万人", 30),
            ("满意度指标", "服务对象满意度指标", "群众满意度", "≥", 90, "%", 10)]
    filed = filled(tmp_path, rows)
    out = tmp_path / "自评表.xlsx"
    res = run("new", out, "--from-targets", filed, "--monitor", monitor)
    assert res.exit_code == 0, res.output
    assert "带入 5 个绩效指标" in res.output and "“改造水厂数量”" in res.output
    (form,) = service.load(str(out))
    (target,) = service.load(str(filed))
    assert [key(i) for i in form.indicators] == [key(i) for i in target.indicators]
    reasons = {i.level3: i.deviation for i in form.indicators}
    assert "配套资金到位晚" in reasons["改造水厂数量"] and reasons["群众满意度"] is None


# ---- the 由目标表生成自评表 button: Excel (remote engine) and the server the WPS add-in uses -----------
def test_excel_button_lays_a_prefilled_selfeval_beside_the_targets(tmp_path, monkeypatch):
    import xlwings as xw

    from evaltool.excel import entry
    from test_excel import Replay, book_from_file

    filed = F.province_split(tmp_path / "省目标表.xlsx")
    book, _ = book_from_file(filed, monkeypatch)
    name, results = entry.press("new_from_targets", xw.__version__, book=book)
    assert name == F.NAME
    (p, r), = [(p, r) for p, r in results if p.sheet == name]
    (target,) = service.load(str(filed))
    assert [key(i) for i in p.indicators] == [key(i) for i in target.indicators]
    assert [f for f in r.findings if f.code in TG] == []  # compared with the 目标表 beside it: nothing changed
    got = Replay(book.api, book.json()["actions"])
    assert name in got.names and "设置" in got.names
    assert any("已由绩效目标表生成自评表" in a for a in got.alerts)


def test_excel_button_without_a_targets_form_says_so(tmp_path):
    import xlwings as xw

    from evaltool.core.caseio import load_case
    from evaltool.excel import entry
    from test_excel import book_from_file, filled_file

    from conftest import case_files

    book, _ = book_from_file(filled_file(tmp_path, load_case(case_files("自评表")[0])))
    assert entry.press("new_from_targets", xw.__version__, book=book) is None
    actions = book.json()["actions"]
    assert not [a for a in actions if a["func"] == "addSheet"]
    (alert,) = [a["args"][0] for a in actions if a["func"] == "alert"]
    assert "本工作簿中没有找到绩效目标表" in alert


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from evaltool.server.app import Settings
    from serverkit import free_port, running

    with running(Settings(port=free_port(), log_dir=str(tmp_path_factory.mktemp("log")))) as base:
        yield base


def test_api_new_from_targets_gives_the_sheet_and_its_plan(server, tmp_path):
    from serverkit import payload_from_file, post

    filed = filled(tmp_path)
    body = dict(payload_from_file(filed), format="grids", from_targets=True)
    status, _, got = post(server, "/api/new", body)
    assert status == 200, got
    assert got["sheet"]["name"] == F.NAME and got["plan"]["results"]
    rows = got["sheet"]["rows"]
    texts = {str(v) for row in rows for v in row if v is not None}
    assert {"培训人次", "≥500人次", "宣传资料发放", "≥2000份"} <= texts
    status, _, got = post(server, "/api/new", dict(payload_from_file(tmp_path / "目标.xlsx"), format="grids",
                                                     from_targets="yes"))
    assert status == 400 and "from_targets" in got["error"]


def test_a_file_of_several_targets_forms_is_matched_by_project_name(tmp_path):
    filed = filled(tmp_path)
    out = tmp_path / "自评表.xlsx"
    assert run("new", "--from-targets", filed, "-o", out).exit_code == 0
    # the unit's 目标表 file also holds another project's 目标表
    other = tmp_path / "另一个.xlsx"
    other.write_bytes(filed.read_bytes())
    wb = openpyxl.load_workbook(other)
    wb["绩效目标表"]["C3"] = "另一个项目"
    wb["绩效目标表"]["F11"] = 999
    wb.save(other)
    _copy_sheet(other, filed, "另一张目标表")
    assert comparisons(check(out, "--targets", filed)) == []  # matched with its own, by name
    res = run("new", tmp_path / "y.xlsx", "--from-targets", filed)
    assert res.exit_code == 2 and "有 2 张绩效目标表" in res.output
    wb = openpyxl.load_workbook(out)
    wb["自评表"]["C3"] = "改了名字的项目"
    wb.save(out)
    (unmatched,) = comparisons(check(out, "--targets", filed))
    assert unmatched["代码"] == "W-TG-UNMATCHED" and unmatched["单元格"] == "C3"
