"""install / uninstall put real files where Excel looks, in a scratch home directory."""
from __future__ import annotations

import sys

import pytest
from click.testing import CliRunner

from evaltool.addin import builder, install
from evaltool.cli import main
from evaltool.core.errors import InputError


@pytest.mark.parametrize("platform", ["win32", "darwin"])
def test_install_then_uninstall(tmp_path, platform):
    home = tmp_path / "home"
    where = dict(platform=platform, home=home, appdata=home / "AppData" / "Roaming")
    p = install.places(**where)
    # a setting of the clerk's own must survive both steps
    p.config_file.parent.mkdir(parents=True)
    p.config_file.write_text('"SHOW_ERROR_POPUPS","False"\r\n', "utf-8")

    lines = install.install(builder.OUTPUT, interpreter=r"C:\Python311\python.exe", **where)
    addin = p.startup_dir / "evaltool.xlam"
    assert addin.read_bytes() == builder.OUTPUT.read_bytes()
    key = "INTERPRETER_WIN" if platform == "win32" else "INTERPRETER_MAC"
    conf = p.config_file.read_text("utf-8").splitlines()
    assert conf == ['"SHOW_ERROR_POPUPS","False"', f'"{key}","C:\\Python311\\python.exe"']
    if platform == "win32":
        assert addin == home / "AppData" / "Roaming" / "Microsoft" / "Excel" / "XLSTART" / "evaltool.xlam"
        assert p.config_file == home / ".evaltool" / "evaltool.conf"
    else:
        assert "Startup.localized" in str(addin)
        assert (p.script_dir / f"xlwings-{__import__('xlwings').__version__}.applescript").exists()
    assert any("重新启动 Excel" in ln for ln in lines)

    # installing twice replaces the interpreter line instead of adding another
    install.install(builder.OUTPUT, interpreter="/usr/bin/python3", **where)
    conf = p.config_file.read_text("utf-8").splitlines()
    assert [ln for ln in conf if key in ln] == [f'"{key}","/usr/bin/python3"']

    install.uninstall(**where)
    assert not addin.exists()
    assert p.config_file.read_text("utf-8").splitlines() == ['"SHOW_ERROR_POPUPS","False"']
    # nothing of ours left: the config file goes when only our line was in it
    p.config_file.unlink()
    install.install(builder.OUTPUT, **where)
    install.uninstall(**where)
    assert not p.config_file.exists()
    assert "无需删除" in install.uninstall(**where)[0]


def test_missing_addin_file_is_a_clear_message(tmp_path):
    with pytest.raises(InputError, match="evaltool addin build"):
        install.install(tmp_path / "nope.xlam", platform="win32", home=tmp_path, appdata=tmp_path)


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="Linux behaviour")
def test_linux_gets_a_chinese_explanation_not_a_traceback():
    for cmd in (["addin", "install"], ["addin", "uninstall"]):
        res = CliRunner().invoke(main, cmd)
        assert res.exit_code == 2
        assert "只能安装在 Windows 或 macOS" in res.output
        assert "Traceback" not in res.output


def test_unwritable_config_is_a_chinese_message_and_leaves_no_partial_file(tmp_path):
    """A config path Excel's folder cannot take (here: a folder in its place) gives an InputError
    naming the file, not a raw OSError, and no temporary file is left beside it."""
    home = tmp_path / "home"
    where = dict(platform="win32", home=home, appdata=home / "AppData" / "Roaming")
    p = install.places(**where)
    p.config_file.mkdir(parents=True)  # a folder where the config file should go
    with pytest.raises(InputError, match="evaltool.conf"):
        install.install(builder.OUTPUT, interpreter="python", **where)
    assert sorted(x.name for x in p.config_file.parent.iterdir()) == ["evaltool.conf"]
    # the add-in itself was copied whole before the config step failed
    assert (p.startup_dir / "evaltool.xlam").read_bytes() == builder.OUTPUT.read_bytes()
    # writing over it directly fails the same way, through the shared atomic writer
    with pytest.raises(InputError, match="evaltool.conf.*原文件没有被修改"):
        install._write_atomic(p.config_file, b'"INTERPRETER_WIN","python"\r\n')
    assert sorted(x.name for x in p.config_file.parent.iterdir()) == ["evaltool.conf"]
