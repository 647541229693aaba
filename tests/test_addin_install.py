"""install / uninstall put real files where Excel looks, in a scratch home directory."""
from __future__ import annotations

import sys

import pytest
from click.testing import CliRunner

import xlwings

from evaltool.addin import builder, diagnose, install
from evaltool.cli import main
from evaltool.core.errors import InputError


def same(_interpreter):
    """The interpreter's xlwings, as if it were this one's (the tests' interpreters are fake paths)."""
    return xlwings.__version__


@pytest.mark.parametrize("platform", ["win32", "darwin"])
def test_install_then_uninstall(tmp_path, platform):
    home = tmp_path / "home"
    where = dict(platform=platform, home=home, appdata=home / "AppData" / "Roaming")
    p = install.places(**where)
    # a setting of the clerk's own must survive both steps
    p.config_file.parent.mkdir(parents=True)
    p.config_file.write_text('"SHOW_ERROR_POPUPS","False"\r\n', "utf-8")

    lines = install.install(builder.OUTPUT, interpreter=r"C:\Python311\python.exe", interpreter_version=same, **where)
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
    install.install(builder.OUTPUT, interpreter="/usr/bin/python3", interpreter_version=same, **where)
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
        install.install(builder.OUTPUT, interpreter="python", interpreter_version=same, **where)
    assert sorted(x.name for x in p.config_file.parent.iterdir()) == ["evaltool.conf"]
    # the add-in itself was copied whole before the config step failed
    assert (p.startup_dir / "evaltool.xlam").read_bytes() == builder.OUTPUT.read_bytes()
    # writing over it directly fails the same way, through the shared atomic writer
    with pytest.raises(InputError, match="evaltool.conf.*原文件没有被修改"):
        install._write_atomic(p.config_file, b'"INTERPRETER_WIN","python"\r\n')
    assert sorted(x.name for x in p.config_file.parent.iterdir()) == ["evaltool.conf"]


# ---- hardening: xlwings versions, Excel's own startup folder, WPS holding Excel's registration ------
def test_built_addin_names_its_xlwings_version():
    assert install.addin_xlwings(builder.OUTPUT) == xlwings.__version__
    assert install.interpreter_xlwings(sys.executable) == xlwings.__version__


def test_other_xlwings_in_another_python_stops_the_install_with_what_to_run(tmp_path):
    where = dict(platform="win32", home=tmp_path, appdata=tmp_path / "AppData")
    with pytest.raises(InputError, match=r"(?s)xlwings 0\.1\.0.*-m evaltool addin install"):
        install.install(builder.OUTPUT, interpreter=r"C:\Other\python.exe", interpreter_version=lambda _: "0.1.0",
                        **where)
    assert not (install.places(**where).startup_dir / install.ADDIN_NAME).exists()


def test_other_xlwings_in_this_python_rebuilds_the_addin(tmp_path):
    where = dict(platform="win32", home=tmp_path, appdata=tmp_path / "AppData")
    import zipfile

    stale = tmp_path / "old.xlam"  # the shipped add-in as if built from another xlwings
    with zipfile.ZipFile(builder.OUTPUT) as src, zipfile.ZipFile(stale, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "docProps/core.xml":
                data = data.replace(f"xlwings {xlwings.__version__}".encode(), b"xlwings 0.1.0")
            dst.writestr(info, data)
    assert install.addin_xlwings(stale) == "0.1.0"
    rebuilt = tmp_path / "fresh.xlam"
    lines = install.install(stale, interpreter=sys.executable, rebuild=lambda: builder.build(rebuilt), **where)
    assert any("重新生成" in ln for ln in lines)
    assert (install.places(**where).startup_dir / install.ADDIN_NAME).read_bytes() == builder.build_bytes()


def test_python_without_xlwings_is_a_clear_message(tmp_path):
    where = dict(platform="win32", home=tmp_path, appdata=tmp_path)
    with pytest.raises(InputError, match="中找到 xlwings"):
        install.install(builder.OUTPUT, interpreter=str(tmp_path / "nope" / "python.exe"), **where)


def test_startup_folder_reported_by_excel_is_used(tmp_path):
    where = dict(platform="win32", home=tmp_path, appdata=tmp_path / "AppData")
    own = tmp_path / "D盘" / "XLSTART"
    lines = install.install(builder.OUTPUT, interpreter="python", interpreter_version=same, startup_dir=own, **where)
    assert (own / install.ADDIN_NAME).exists()
    assert "Excel 报告的启动文件夹" in lines[0]
    install.uninstall(startup_dir=own, **where)
    assert not (own / install.ADDIN_NAME).exists()


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="no Excel on Linux")
def test_no_excel_here_means_no_startup_path():
    assert install.excel_startup_path() is None


EXCEL_CLSID = "{00024500-0000-0000-C000-000000000046}"


def registry(server):
    values = {(r"Excel.Application\CLSID", ""): EXCEL_CLSID, (rf"CLSID\{EXCEL_CLSID}\LocalServer32", ""): server}
    return lambda key, name="": values.get((key, name))


def test_wps_holding_excels_com_registration_is_diagnosed():
    wps = r"C:\Users\clerk\AppData\Local\Kingsoft\WPS Office\12.1.0.16250\office6\et.exe /Automation"
    msg = diagnose.wps_holds_excel(registry(wps))
    assert msg and "WPS" in msg and "配置工具" in msg and "快速修复" in msg and wps in msg
    excel = r"C:\Program Files\Microsoft Office\Root\Office16\EXCEL.EXE /automation"
    assert diagnose.wps_holds_excel(registry(excel)) is None
    assert diagnose.wps_holds_excel(lambda key, name="": None) is None  # no Excel registered at all
