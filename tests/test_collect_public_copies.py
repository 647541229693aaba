"""publish's own public copies (…-公开.xlsx in a 公开 folder inside the forms' folder) are skipped
by collect like an earlier 汇总 and listed, never counted again (SWEEP S59). Real files."""
from click.testing import CliRunner

from evaltool.cli import main
from evaltool.collect.run import collect

from conftest import case_files


def test_collect_skips_publishs_copies(tmp_path):
    folder = tmp_path / "年度"
    folder.mkdir()
    case = next(p for p in case_files() if "电子政务" in p.name)
    assert CliRunner().invoke(main, ["new", str(folder / "自评表.xlsx"), "--from", str(case)]).exit_code in (0, 1)
    res = CliRunner().invoke(main, ["publish", str(folder), "-o", str(folder / "公开"), "--no-pdf", "--allow-errors"])
    assert list((folder / "公开").glob("*-公开.xlsx")), res.output
    summary = collect([folder], tmp_path / "汇总.xlsx", workers=1)
    assert summary.projects == 1 and summary.duplicates == 0
    assert summary.public_copies == ["公开/自评表-公开.xlsx"]
    res = CliRunner().invoke(main, ["collect", str(folder), "-o", str(tmp_path / "汇总2.xlsx")])
    assert "已跳过 evaltool 写出的公开版" in res.output and "重复提交" not in res.output
