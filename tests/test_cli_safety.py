"""The command line never shows a traceback and never replaces a report the clerk may have edited."""
from click.testing import CliRunner

from evaltool import cli, support


def test_internal_error_is_logged_not_shown(tmp_path, monkeypatch, cases_dir):
    monkeypatch.setattr(support, "LOG_DIR", tmp_path / "logs")
    monkeypatch.delenv("EVALTOOL_DEBUG", raising=False)

    def boom(projects):
        raise RuntimeError("内部状态异常 xyz")

    monkeypatch.setattr(cli, "evaluate_all", boom)
    case = next(cases_dir.glob("seed000-*.yaml"))
    result = CliRunner().invoke(cli.main, ["score", str(case)])
    assert result.exit_code == 3
    assert "Traceback" not in result.output and "xyz" not in result.output
    assert "程序内部错误" in result.output and "您的文件没有被修改" in result.output
    log = tmp_path / "logs" / "evaltool-cli.log"
    assert "Traceback" in log.read_text("utf-8") and "xyz" in log.read_text("utf-8")


def test_second_report_takes_a_new_name(tmp_path, cases_dir):
    case = tmp_path / "项目.yaml"
    case.write_bytes(next(cases_dir.glob("seed003-*.yaml")).read_bytes())
    runner = CliRunner()
    assert runner.invoke(cli.main, ["report", str(case)]).exit_code == 0
    first = tmp_path / "项目-绩效评价报告.docx"
    import docx

    document = docx.Document(str(first))
    document.add_paragraph("科员在 Word 中补写的一段")  # the clerk's edits in Word
    document.save(str(first))
    edited = first.read_bytes()
    assert runner.invoke(cli.main, ["report", str(case)]).exit_code == 0
    assert first.read_bytes() == edited
    assert (tmp_path / "项目-绩效评价报告（2）.docx").exists()
    # -o replaces only evaltool's own unchanged report of this file, never one edited in Word (S67)
    res = runner.invoke(cli.main, ["report", str(case), "-o", str(first)])
    assert res.exit_code == 2 and "没有改动它" in res.output
    assert first.read_bytes() == edited
    second = tmp_path / "项目-绩效评价报告（2）.docx"
    assert runner.invoke(cli.main, ["report", str(case), "-o", str(second)]).exit_code == 0


def test_usage_mistakes_are_explained_in_chinese(tmp_path):
    runner = CliRunner()
    cases = [
        (["scor", "x.xlsx"], ["没有“scor”这个命令", "score"]),
        (["score"], ["缺少参数 文件"]),
        (["score", str(tmp_path)], ["是文件夹，请给出文件"]),
        (["score", "--bogus", "x.xlsx"], ["没有选项 --bogus"]),
        (["collect", str(tmp_path), "-j", "0"], ["太小，应不小于 1"]),
        (["new", "--fro", "x.yaml"], ["--from"]),
        (["new", "甲.xlsx", "乙.xlsx"], ["多余的参数：乙.xlsx"]),
    ]
    for args, words in cases:
        res = runner.invoke(cli.main, args)
        assert res.exit_code == 2, (args, res.output)
        assert "用法：" in res.output and "错误：" in res.output, (args, res.output)
        for w in words:
            assert w in res.output, (args, res.output)
        assert not any(en in res.output for en in ("Usage:", "Error:", "Try ", "Missing", "No such")), res.output
    help_text = runner.invoke(cli.main, ["new", "--help"]).output
    assert "用法：" in help_text and "选项：" in help_text and "Options" not in help_text


def test_new_takes_the_file_name_as_an_argument(tmp_path):
    runner = CliRunner()
    target = tmp_path / "自评表.xlsx"
    assert runner.invoke(cli.main, ["new", str(target)]).exit_code == 0 and target.exists()
    res = runner.invoke(cli.main, ["new", str(tmp_path / "甲.xlsx"), "-o", str(tmp_path / "乙.xlsx")])
    assert res.exit_code == 2 and "两个文件名" in res.output
