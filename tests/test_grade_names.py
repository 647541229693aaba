"""A rule set with its own 等次 names (优秀/良好/合格/不合格): collect's 主管部门汇总, 图表 and the
console count every graded project under those names (SWEEP S60); evaltool's own report passes its
own check-report (SWEEP S61). Real files written by `new --from`."""
import openpyxl
from click.testing import CliRunner

from evaltool.cli import main

from conftest import case_files

# floors set so that the three sample forms get 优秀, 良好 and 不合格 (and 合格 none: 不合格 must not count as 合格)
RULES = """继承: 国家标准
编号: 地方等次
名称: 地方等次
等次:
  - {名称: 优秀, 不低于: 99.9}
  - {名称: 良好, 不低于: 99.5}
  - {名称: 合格, 不低于: 96}
  - {名称: 不合格, 不低于: 0}
结果应用: {优秀: 优先保障, 良好: 保持, 合格: 压减, 不合格: 取消}
"""


def _setup(tmp_path):
    rules = tmp_path / "地方.yaml"
    rules.write_text(RULES, "utf-8")
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    for n, case in enumerate(case_files()[:3]):
        CliRunner().invoke(main, ["new", str(inbox / f"{n}.xlsx"), "--from", str(case)])
    return rules, inbox


def test_collect_counts_grades_by_the_rule_sets_names(tmp_path):
    rules, inbox = _setup(tmp_path)
    out = tmp_path / "汇总.xlsx"
    res = CliRunner().invoke(main, ["collect", str(inbox), "--rules", str(rules), "-o", str(out)])
    assert res.exit_code in (0, 1), res.output
    wb = openpyxl.load_workbook(out)
    graded = [r[0] for r in wb["汇总"].iter_rows(min_row=2, values_only=True) if r[0]]
    header = [c.value for c in wb["主管部门汇总"][1]]
    assert header[7:11] == ["优秀", "良好", "合格", "不合格"]
    total = [c.value for c in list(wb["主管部门汇总"].iter_rows())[-1]]
    assert total[0] == "合计" and sum(total[7:12]) == total[1] > 0
    chart = {r[0]: r[1] for r in wb["图表"].iter_rows(min_row=2, max_row=6, values_only=True) if r[0]}
    assert set(chart) >= {"优秀", "良好", "合格", "不合格"} and sum(chart.values()) == total[1]
    assert "等次分布：" in res.output and ("优秀" in res.output or "合格" in res.output)
    assert graded


def test_own_report_and_draft_pass_their_checks_with_the_rule_sets_grades(tmp_path):
    rules, inbox = _setup(tmp_path)
    form = sorted(inbox.glob("*.xlsx"))[0]
    rep = tmp_path / "报告.docx"
    assert CliRunner().invoke(main, ["report", str(form), "--rules", str(rules), "-o", str(rep)]).exit_code in (0, 1)
    import docx

    text = "\n".join(p.text for p in docx.Document(str(rep)).paragraphs)
    assert "为不合格" in text  # the scale sentence speaks the rule set's names
    res = CliRunner().invoke(main, ["check-report", str(rep), str(form), "--rules", str(rules)])
    assert "E-REPORT-GRADE" not in res.output and "E-REPORT-NUMBER" not in res.output, res.output
    res = CliRunner().invoke(main, ["publish", str(inbox), "--rules", str(rules), "-o", str(tmp_path / "公开"),
                                    "--no-pdf", "--allow-errors"])
    assert "E-PUBLISH-NUMBER" not in res.output and "情况说明写" not in res.output, res.output
    assert "不一致" not in res.output, res.output
