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
    edited = first.read_bytes() + b"clerk edits"  # stands for the clerk's edits in Word
    first.write_bytes(edited)
    assert runner.invoke(cli.main, ["report", str(case)]).exit_code == 0
    assert first.read_bytes() == edited
    assert (tmp_path / "项目-绩效评价报告（2）.docx").exists()
    # an explicit -o is the clerk's own choice of file: written (atomically) as asked
    assert runner.invoke(cli.main, ["report", str(case), "-o", str(first)]).exit_code == 0
    assert first.read_bytes() != edited
