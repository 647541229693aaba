"""Issue 16 item 4: platform-exact rule-set keys — 总分上限 linked to 执行率 and 超额扣分 — loaded,
validated, applied after the indicator scores, and shown with a one-line reason by check, score,
report and --json. The cases in tests/cases/platform/ carry hand-computed numbers in their comments."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from evaltool.core.caseio import load_case
from evaltool.core.rules import RuleError, load_rules

PLATFORM = Path(__file__).parent / "cases" / "platform"
CASES = sorted(PLATFORM.glob("*.yaml"))


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "evaltool", *map(str, args)], capture_output=True, text=True,
                          timeout=120)


# ---- loading --------------------------------------------------------------------------------
def test_national_rules_have_neither_cap_nor_deduction():
    national = load_rules("国家标准")
    assert national.total_caps == [] and national.excess is None


def test_platform_example_loads_its_bands_strictest_first():
    rules = load_rules("省平台示例")
    assert [(c.rate, c.cap, c.inclusive) for c in rules.total_caps] == [
        (Decimal("0.5"), 59, False), (Decimal("0.6"), 69, False), (Decimal("0.7"), 79, False),
        (Decimal("0.8"), 89, False)]
    assert rules.excess is not None and rules.excess.margin == Decimal("0.3") and rules.excess.points == 2
    assert rules.excess.reason == "目标设置偏低" and rules.excess.reverse
    # Weights and everything else as inherited from the national set.
    assert rules.rate_weight == 10 and rules.level1_weights == load_rules("国家标准").level1_weights
    cap = rules.total_cap_for
    assert cap(Decimal("0.8")) is None and cap(Decimal("0.7999")).cap == 89 and cap(Decimal("0.7")).cap == 89
    assert cap(Decimal("0.6999")).cap == 79 and cap(Decimal("0.5")).cap == 69 and cap(Decimal("0.4999")).cap == 59
    assert cap(None) is None and cap(Decimal("1.2")) is None


def write_rules(tmp_path: Path, body: str, parent: str = "国家标准") -> str:
    path = tmp_path / "本地.yaml"
    path.write_text(f"编号: 本地\n继承: {parent}\n{body}", "utf-8")
    return str(path)


def test_inclusive_bound_and_removing_inherited_keys(tmp_path):
    rules = load_rules(write_rules(tmp_path, "总分上限:\n  - {执行率不高于: 0.6, 总分不超过: 69}\n"))
    assert rules.total_cap_for(Decimal("0.6")).cap == 69 and rules.total_cap_for(Decimal("0.6001")) is None
    # A child of the platform example drops both keys with ~.
    child = load_rules(write_rules(tmp_path, "总分上限: ~\n超额扣分: ~\n", parent="省平台示例"))
    assert child.total_caps == [] and child.excess is None


@pytest.mark.parametrize("body, words", [
    ("总分上限: {执行率低于: 0.8, 总分不超过: 89}\n", ["总分上限", "分档列表"]),
    ("总分上限:\n  - 89\n", ["总分上限 → 第 1 档", "执行率低于"]),
    ("总分上限:\n  - {执行率低于: 0.8}\n", ["第 1 档", "缺少“总分不超过”"]),
    ("总分上限:\n  - {总分不超过: 89}\n", ["第 1 档", "执行率低于", "执行率不高于"]),
    ("总分上限:\n  - {执行率低于: 0.8, 执行率不高于: 0.8, 总分不超过: 89}\n", ["不能都写"]),
    ("总分上限:\n  - {执行率低于: 80%, 总分不超过: 89}\n", ["执行率低于", "比例", "80%"]),
    ("总分上限:\n  - {执行率低于: 0.8, 总分不超过: 120}\n", ["总分不超过", "0 到 100", "120"]),
    ("总分上限:\n  - {执行率低于: 0.8, 总分上限: 89}\n", ["不认识的键“总分上限”", "总分不超过"]),
    ("超额扣分: 2\n", ["超额扣分", "超出比例"]),
    ("超额扣分: {扣分: 2}\n", ["缺少“超出比例”"]),
    ("超额扣分: {超出比例: 0, 扣分: 2}\n", ["超出比例", "大于 0"]),
    ("超额扣分: {超出比例: 0.3}\n", ["扣分", "扣分比例"]),
    ("超额扣分: {超出比例: 0.3, 扣分: 2, 扣分比例: 0.2}\n", ["之一"]),
    ("超额扣分: {超出比例: 0.3, 扣分比例: 2}\n", ["扣分比例", "0 到 1"]),
    ("超额扣分: {超出比例: 0.3, 扣分: -1}\n", ["扣分", "0 到 100"]),
    ("超额扣分: {超出比例: 0.3, 扣分: 2, 反向指标: 是}\n", ["反向指标", "true 或 false"]),
    ("超额扣分: {超出比例: 0.3, 扣分: 2, 理由: ''}\n", ["理由"]),
    ("超额扣分: {超出比例: 0.3, 扣分: 2, 方向: 正向}\n", ["不认识的键“方向”"]),
])
def test_bad_keys_are_refused_on_load_naming_the_key(tmp_path, body, words):
    path = write_rules(tmp_path, body)
    with pytest.raises(RuleError) as exc:
        load_rules(path)
    text = str(exc.value)
    assert "本地.yaml" in text, text
    for w in words:
        assert w in text, text
    assert not re.search(r"[A-Za-z]{4,}Error|Traceback", text)
    # The CLI says the same, exit 2, no traceback.
    case = PLATFORM / "超额扣分.yaml"
    res = run_cli("score", case, "--rules", path)
    assert res.returncode == 2 and words[0] in res.stdout + res.stderr and "Traceback" not in res.stderr


# ---- the cases ------------------------------------------------------------------------------
def adjustments(data: dict) -> tuple[Decimal | None, dict[str, Decimal]]:
    """(总分 before its cap, {三级指标: points deducted}) from the --json output."""
    before = data.get("封顶前总分")
    deducted = {a["三级指标"]: -Decimal(str(a["分数"])) for a in data["调整"] if a["类型"] == "超额扣分"}
    return (None if before is None else Decimal(str(before))), deducted


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_case_reproduces_its_hand_computed_numbers(path):
    expected = load_case(path).expected
    proc = run_cli("score", path, "--json")
    assert proc.returncode in (0, 1), proc.stderr
    data = json.loads(proc.stdout)
    for key in ("执行率", "执行率得分", "总分"):
        assert Decimal(str(data[key])) == Decimal(str(expected[key])), (key, data[key])
    assert data["等次"] == expected["等次"]
    before, deducted = adjustments(data)
    want_before = expected.get("封顶前总分")
    assert before == (None if want_before is None else Decimal(str(want_before)))
    assert deducted == {k: Decimal(str(v)) for k, v in (expected.get("扣分") or {}).items()}
    # The subtotals add up to the total before its cap; the cap is the only step between them.
    subtotal_sum = sum(Decimal(str(v)) for v in data["小计"].values())
    assert subtotal_sum == (before if before is not None else Decimal(str(data["总分"])))
    caps = [a for a in data["调整"] if a["类型"] == "总分上限"]
    assert len(caps) == (before is not None)
    if caps:
        assert Decimal(str(caps[0]["分数"])) == Decimal(str(data["总分"])) - before
    # Every flag the case lists is there; no error beyond them.
    matched = set()
    for flag in expected.get("标记") or []:
        (field, text), = flag.items()
        numbers = re.findall(r"\d+(?:\.\d+)?", text)
        hits = [i for i, f in enumerate(data["标记"])
                if f["字段"] == field and f["级别"] in ("错误", "警告") and all(n in f["说明"] for n in numbers)]
        assert hits, f"expected a finding on {field} mentioning {numbers}; got {data['标记']}"
        matched.update(hits)
    extra = [f for i, f in enumerate(data["标记"]) if f["级别"] == "错误" and i not in matched]
    assert not extra, extra


def test_the_national_rules_score_the_same_forms_without_cap_or_deduction():
    data = json.loads(run_cli("score", PLATFORM / "扣分后封顶.yaml", "--json", "--rules", "国家标准").stdout)
    # 6 + 20 + 10 + 10 + 10 + 30 + 10 = 96: no deduction, no cap; the far-above target only warned.
    assert data["总分"] == 96 and data["等次"] == "优" and data["调整"] == [] and data["封顶前总分"] is None
    assert "W-FAR-ABOVE" in {f["代码"] for f in data["标记"]}
    assert not {"W-TOTAL-CAP", "W-EXCESS-DEDUCT"} & {f["代码"] for f in data["标记"]}


# ---- in-process boundaries ------------------------------------------------------------------
def platform_project(**changes):
    project = load_case(PLATFORM / "超额扣分边界.yaml")
    for index, fields in changes.items():
        ind = project.indicators[int(index)]
        for name, value in fields.items():
            setattr(ind, name, value)
    return project


def test_a_deduction_as_a_share_of_the_weight_rounds_half_up(tmp_path):
    from evaltool.core.kinds import evaluate

    rules = load_rules(write_rules(tmp_path, "超额扣分: {超出比例: 0.3, 扣分比例: 0.125, 理由: 目标偏低}\n"))
    project = platform_project()
    project.indicators[3].weight = 5  # 运维成本, 30% under its ≤ target: 5 × 0.125 = 0.625 → 0.63 (not 0.62)
    project.indicators[1].weight = 15  # keeps the 产出 weights adding up: 20 + 15 + 10 + 5 = 50
    result = evaluate(project, rules)
    cost = result.indicators[3]
    assert cost.score == Decimal("4.37") and "目标偏低（扣 0.63 分）" in cost.explanation, cost.explanation


def test_a_deduction_never_takes_a_score_below_zero(tmp_path):
    from evaltool.core.kinds import evaluate

    rules = load_rules(write_rules(tmp_path, "超额扣分: {超出比例: 0.3, 扣分: 5}\n"))
    project = platform_project()
    project.indicators[3].weight, project.indicators[1].weight = 1, 19  # 20 + 19 + 10 + 1 = 50
    cost = evaluate(project, rules).indicators[3]
    assert cost.score == 0 and "扣 1 分" in cost.explanation  # only what the indicator had


def test_reverse_targets_can_be_left_out(tmp_path):
    from evaltool.core.kinds import evaluate

    rules = load_rules(write_rules(tmp_path, "超额扣分: {超出比例: 0.3, 扣分: 2, 反向指标: false}\n"))
    result = evaluate(platform_project(), rules)
    assert result.indicators[3].score == 10 and result.adjustments == []


def test_a_zero_actual_on_a_reverse_target_never_deducts():
    from evaltool.core.kinds import evaluate

    result = evaluate(platform_project(), load_rules("省平台示例"))
    accidents = result.indicators[4]  # ≤1起, 0起
    assert accidents.score == 15 and "扣" not in accidents.explanation


# ---- shown by check, score, report ----------------------------------------------------------
def test_score_and_check_print_each_adjustment_on_one_line(tmp_path):
    out = run_cli("score", PLATFORM / "扣分后封顶.yaml").stdout
    text = " ".join(out.split())
    assert "计分调整（超额扣分）：“信息公开数量”超额完成：实际完成值 1500条 超出目标 1000条 达 50%，目标设置偏低（扣 2 分）" in text
    assert "计分调整（总分上限）：执行率 60.00% 低于 70%，总分不超过 79 分：94.00 → 79.00" in text
    assert "总分 79.00 等次 中" in text
    # In a workbook made from the case: the cap is marked on the 总分 cell itself, which holds 79.
    book = tmp_path / "表.xlsx"
    assert run_cli("new", "--from", PLATFORM / "扣分后封顶.yaml", "-o", book).returncode == 0
    res = run_cli("check", book, "--json")
    data = json.loads(res.stdout)
    cap = next(f for f in data["标记"] if f["代码"] == "W-TOTAL-CAP")
    import openpyxl

    ws = openpyxl.load_workbook(book)[cap["工作表"]]
    assert ws[cap["单元格"]].value == 79 and data["总分"] == 79 and data["封顶前总分"] == 94
    deducted = next(f for f in data["标记"] if f["代码"] == "W-EXCESS-DEDUCT")
    assert ws[deducted["单元格"]].value == "1500条"
    assert "W-FAR-ABOVE" not in {f["代码"] for f in data["标记"]}  # the deduction says it instead


def test_the_report_text_and_its_attached_form_give_the_same_reasons(tmp_path):
    import docx

    report = tmp_path / "报告.docx"
    case = PLATFORM / "扣分后封顶.yaml"
    assert run_cli("report", case, "-o", report).returncode == 0
    document = docx.Document(str(report))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "项目自评总分79分，评价等次为“中”" in text.replace(" ", "")
    squeeze = "".join(text.split())
    reasons = ["“信息公开数量”超额完成：实际完成值1500条超出目标1000条达50%，目标设置偏低（扣2分）",
               "执行率60.00%低于70%，总分不超过79分：94.00→79.00"]
    for reason in reasons:
        assert reason in squeeze, text
    last = "".join(document.tables[-1].rows[-1].cells[-1].text.split())
    assert "评价等次：中" in last and all(reason in last for reason in reasons), last
    total_cells = {"".join(c.text.split()) for c in document.tables[-1].rows[-1].cells}
    assert "79.00" in total_cells
    # The report agrees with its form: its own checker finds nothing.
    res = run_cli("check-report", report, case)
    assert res.returncode == 0, res.stdout


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_a_workbook_made_from_the_case_scores_the_same(path, tmp_path):
    """The same numbers through a real .xlsx (`evaltool new --from`, then `score` reading it back)."""
    from click.testing import CliRunner

    from evaltool.cli import main

    book = tmp_path / "表.xlsx"
    assert CliRunner().invoke(main, ["new", "--from", str(path), "-o", str(book)]).exit_code in (0, 1)  # 1: the form has errors
    res = CliRunner().invoke(main, ["score", str(book), "--json"])
    assert res.exit_code in (0, 1), res.output
    data = json.loads(res.output.split("计分结果已写入")[0])
    expected = load_case(path).expected
    assert Decimal(str(data["总分"])) == Decimal(str(expected["总分"])) and data["等次"] == expected["等次"]
    before, deducted = adjustments(data)
    want = expected.get("封顶前总分")
    assert before == (None if want is None else Decimal(str(want)))
    assert deducted == {k: Decimal(str(v)) for k, v in (expected.get("扣分") or {}).items()}
    # The 总分 cell of the scored workbook holds the capped total.
    import openpyxl

    ws = openpyxl.load_workbook(book)[data["工作表"]]
    totals = [row for row in ws.iter_rows(values_only=True) if row and row[0] == "总分"]
    assert totals and Decimal(str(totals[0][7])) == Decimal(str(expected["总分"]))


# ---- hand-made published layouts (tests/layouts/forms.py) under the platform rules -----------
def _forms():
    import importlib.util

    spec = importlib.util.spec_from_file_location("layout_forms", Path(__file__).parent / "layouts" / "forms.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Indicators 86.20 in every layout (forms.py); none beats its target by 30%, so only the cap acts.
HAND_MADE = {
    "zhejiang": ("93.70", "89.00", "良"),  # 60 / 80 = 75.00%: below 80%, not below 70% -> at most 89
    "beijing": ("91.19", "59.00", "差"),  # 154.74 / 310.2 = 49.88%: below 50% -> at most 59
    "anhui_huoqiu": ("91.36", "69.00", "中"),  # 51.56%: below 60% -> at most 69
    "hubei": (None, "94.20", "优"),  # 96 / 120 = 80.00% exactly: no cap
    "sichuan": (None, "95.70", "优"),  # 95.00%: no cap
}


@pytest.mark.parametrize("lid", sorted(HAND_MADE))
def test_hand_made_layouts_are_capped_by_the_platform_rules(lid, tmp_path):
    from click.testing import CliRunner

    from evaltool.cli import main

    forms = _forms()
    build, _rules, _exp = forms.LAYOUTS[lid]
    path = tmp_path / f"{lid}.xlsx"
    build(path)
    res = CliRunner().invoke(main, ["check", str(path), "--rules", "省平台示例", "--json"])
    data = json.loads(res.output)
    before, total, grade = HAND_MADE[lid]
    assert Decimal(str(data["总分"])).quantize(Decimal("0.01")) == Decimal(total) and data["等次"] == grade
    got_before = data["封顶前总分"]
    assert (got_before is None) if before is None else Decimal(str(got_before)).quantize(Decimal("0.01")) == Decimal(before)
    caps = [f for f in data["标记"] if f["代码"] == "W-TOTAL-CAP"]
    assert len(caps) == (before is not None)
    if caps:
        assert caps[0]["单元格"], caps  # placed on the form's 总分 row
    # The national rules leave these forms as they were.
    national = json.loads(CliRunner().invoke(main, ["check", str(path), "--json"]).output)
    assert national["调整"] == [] and national["总分"] == pytest.approx(float(forms.LAYOUTS[lid][2]["总分"]))


def test_the_excel_check_button_marks_the_cap_on_the_total_cell(tmp_path, monkeypatch):
    """The ribbon's 校验 through xlwings' remote engine (xw.Book(json=...)): the clerk sees the cap
    and the deduction in the notes of the 总分 and 实际完成值 cells before submitting."""
    import copy

    import test_excel as tx
    from evaltool.excel import entry

    monkeypatch.setattr(entry, "LOG_DIR", tmp_path / "log")
    src = tx.filled_file(tmp_path, load_case(PLATFORM / "扣分后封顶.yaml"))
    book, _ = tx.book_from_file(src, monkeypatch)
    payload = copy.deepcopy(book.api)
    results = entry.check(book=book)
    got = tx.Replay({"sheets": payload["sheets"]}, book.json()["actions"])
    found = {f.code: f for _, r in results for f in r.findings}
    cap, deducted = found["W-TOTAL-CAP"], found["W-EXCESS-DEDUCT"]
    assert "总分不超过 79 分" in got.get(cap.location.sheet, cap.location.cell, "note")
    assert "扣 2 分" in got.get(deducted.location.sheet, deducted.location.cell, "note")
    assert results[0][1].total == 79


# ---- an indicator deducted for beating its target far is achieved (SWEEP S15) -----------------
def _deducted_book(tmp_path: Path, deviation: str | None) -> Path:
    """The 扣分后封顶 case as a real workbook; 信息公开数量 (≥1000条, 1500条: 50% over, 20 − 2 = 18.00)
    with its 偏差原因分析及改进措施 set to `deviation` by openpyxl, found by label."""
    import openpyxl

    book = tmp_path / "表.xlsx"
    assert run_cli("new", "--from", PLATFORM / "扣分后封顶.yaml", "-o", book).returncode == 0
    wb = openpyxl.load_workbook(book)
    ws = wb["自评表"]
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    col = next(c.column for c in cells if c.value.strip().startswith("偏差原因分析"))
    row = next(c.row for c in cells if c.value == "信息公开数量")
    ws.cell(row, col).value = deviation
    wb.save(book)
    return book


def test_a_deducted_indicator_is_asked_why_its_target_was_low_not_why_it_was_missed(tmp_path):
    book = _deducted_book(tmp_path, None)
    data = json.loads(run_cli("check", book, "--json").stdout)
    assert data["总分"] == 79 and data["封顶前总分"] == 94
    deviation = [f for f in data["标记"] if f["代码"] == "E-DEVIATION"]
    assert len(deviation) == 1, data["标记"]
    message = deviation[0]["说明"]
    assert "“信息公开数量”超额完成，目标设置偏低（扣 2 分）" in message and "说明目标设置偏低的原因" in message
    assert "未完成" not in message
    deducted = next(f for f in data["标记"] if f["代码"] == "W-EXCESS-DEDUCT")["说明"]
    assert deducted.startswith("超额完成：实际完成值 1500条 超出目标 1000条 达 50%，目标设置偏低（扣 2 分；")
    cap = next(f for f in data["标记"] if f["代码"] == "W-TOTAL-CAP")["说明"]
    assert cap.startswith("执行率 60.00% 低于 70%")  # the rate as the form shows it


def test_a_shortfall_still_asks_why_it_was_missed(tmp_path):
    """Control: 内容准确率 ≥90%, 87% scores 10 × 87 / 90 = 9.67 — a real shortfall, worded as before."""
    import openpyxl

    book = _deducted_book(tmp_path, "年初目标偏低。")
    wb = openpyxl.load_workbook(book)
    ws = wb["自评表"]
    cell = next(c for row in ws.iter_rows() for c in row if c.value == "93%")
    cell.value = "87%"
    wb.save(book)
    data = json.loads(run_cli("check", book, "--json").stdout)
    deviation = [f["说明"] for f in data["标记"] if f["代码"] == "E-DEVIATION"]
    assert deviation == ["“内容准确率”得分 9.67 低于分值 10，请在“偏差原因分析及改进措施”中说明未完成的原因和改进措施。"]


def test_the_report_says_a_deducted_indicator_was_exceeded_not_missed(tmp_path):
    import docx

    book = _deducted_book(tmp_path, None)
    report = tmp_path / "报告.docx"
    # exit 1: the blank 偏差原因 is an error (E-DEVIATION), the report is still written
    assert run_cli("report", book, "-o", report).returncode == 1 and report.exists()
    document = docx.Document(str(report))
    lines = ["".join(p.text.split()) for p in document.paragraphs]
    about = [t for t in lines if t.startswith("“信息公开数量”")]
    assert len(about) == 2, about  # 四、 the indicator's line; 五、（二） 存在的问题
    for line in about:
        assert "超额完成年度指标值（超出目标50%），目标设置偏低（扣2分）" in line and "未达到" not in line, line
        assert "未完成的原因" not in line and "说明目标设置偏低的原因" in line, line  # the placeholder's ask
    # The 附表's 计分调整 says the same.
    last = "".join(document.tables[-1].rows[-1].cells[-1].text.split())
    assert "“信息公开数量”超额完成：实际完成值1500条超出目标1000条达50%，目标设置偏低（扣2分）" in last, last
    # Every other indicator reached its target and still says so.
    assert any(t.startswith("“内容准确率”") and "达到年度指标值" in t for t in lines)
    assert run_cli("check-report", report, book).returncode in (0, 1)
