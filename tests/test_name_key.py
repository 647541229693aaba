"""The same project typed with （）/(), a trailing space or a no-break space is one project for
collect's and publish's W-DUPLICATE and for pairing forms by name (SWEEP S62); bracket content still
counts. Real files written by `new --from`."""
import yaml
from click.testing import CliRunner

from evaltool.cli import main
from evaltool.collect.run import collect
from evaltool.core.names import name_key

from conftest import case_files


def _forms(folder, names):
    case = yaml.safe_load(next(p for p in case_files() if "电子政务" in p.name).read_text("utf-8"))
    for n, name in enumerate(names):
        case["项目名称"] = name
        src = folder / f"c{n}.yaml"
        src.write_text(yaml.safe_dump(case, allow_unicode=True), "utf-8")
        CliRunner().invoke(main, ["new", str(folder / f"{n}.xlsx"), "--from", str(src)])
        src.unlink()


def test_collect_sees_the_same_project_typed_three_ways(tmp_path):
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    _forms(inbox, ["职业技能培训项目（一期）", "职业技能培训项目(一期) ", "职业技能培训项目\u00a0（一期）", "职业技能培训项目（二期）"])
    summary = collect([inbox], tmp_path / "汇总.xlsx", workers=1)
    assert summary.projects == 4 and summary.duplicates == 2  # 二期 is another project


def test_publish_draft_sees_the_duplicate(tmp_path):
    inbox = tmp_path / "表格"
    inbox.mkdir()
    _forms(inbox, ["职业技能培训项目（一期）", "职业技能培训项目(一期)\u3000"])
    res = CliRunner().invoke(main, ["publish", str(inbox), "-o", str(tmp_path / "公开"), "--no-pdf", "--allow-errors"])
    assert "W-DUPLICATE" in res.output or "出现 2 次" in res.output, res.output


def test_name_key():
    assert name_key("项目（一期） ") == name_key("项目(一期)") == name_key("项目\u00a0(一期)\u200b")
    assert name_key("项目（一期）") != name_key("项目（二期）") and name_key(None) == ""
