"""Install / uninstall the add-in for the current user (Windows and macOS).

Install = copy evaltool.xlam into Excel's per-user startup folder (Excel opens every add-in
there when it starts, the same folder `xlwings addin install` uses) and point xlwings at this
Python in evaltool's own config file, which the add-in's xlwings module reads
(PROJECT_NAME "evaltool": %USERPROFILE%\\.evaltool\\evaltool.conf on Windows,
~/Library/Containers/com.microsoft.Excel/Data/evaltool.conf on macOS).
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from evaltool.core.errors import InputError
from evaltool.core.fileio import atomic_write_bytes

ADDIN_NAME = "evaltool.xlam"
CONFIG_KEYS = {"win": "INTERPRETER_WIN", "mac": "INTERPRETER_MAC"}


@dataclass
class Places:
    system: str  # "win" | "mac"
    startup_dir: Path  # where Excel loads add-ins from at start
    config_file: Path  # xlwings config of the add-in
    script_dir: Path | None = None  # macOS: where RunPython's AppleScript must live


def places(platform: str | None = None, home: Path | None = None,
           appdata: Path | None = None) -> Places:
    platform = platform or sys.platform
    home = Path(home) if home else Path.home()
    if platform.startswith("win"):
        appdata = Path(appdata or os.environ.get("APPDATA") or home / "AppData" / "Roaming")
        return Places("win", appdata / "Microsoft" / "Excel" / "XLSTART",
                      home / ".evaltool" / "evaltool.conf")
    if platform == "darwin":
        return Places(
            "mac",
            home / "Library" / "Group Containers" / "UBF8T346G9.Office" / "User Content.localized"
            / "Startup.localized" / "Excel",
            home / "Library" / "Containers" / "com.microsoft.Excel" / "Data" / "evaltool.conf",
            home / "Library" / "Application Scripts" / "com.microsoft.Excel",
        )
    raise InputError(
        "Excel 加载项只能安装在 Windows 或 macOS 的 Excel 中，当前系统不支持。"
        "在本机可以直接使用命令行：evaltool check 自评表.xlsx、evaltool score 自评表.xlsx、"
        "evaltool report 自评表.xlsx；WPS 用户请同样使用命令行，或把工作簿拷到装有 Excel 的电脑上。")


def addin_xlwings(path: Path) -> str | None:
    """The xlwings version an evaltool.xlam's VBA was built from (builder stamps it in core.xml)."""
    try:
        with zipfile.ZipFile(path) as zf:
            core = zf.read("docProps/core.xml").decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return None
    m = re.search(r"<cp:keywords>xlwings ([^<\s]+)</cp:keywords>", core)
    return m.group(1) if m else None


def interpreter_xlwings(interpreter: str) -> str | None:
    """The xlwings version of the Python Excel will run, or None when it has none / cannot run."""
    if Path(interpreter) == Path(sys.executable):
        import xlwings

        return xlwings.__version__
    try:
        out = subprocess.run([interpreter, "-c", "import xlwings; print(xlwings.__version__)"],
                             capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def excel_startup_path() -> Path | None:
    """Excel's own XLSTART folder (Application.StartupPath, asked of a hidden Excel), or None when
    no Excel can be reached — or when "Excel" would really be WPS (see diagnose.wps_holds_excel)."""
    if not (sys.platform.startswith("win") or sys.platform == "darwin"):
        return None
    from evaltool.addin.diagnose import wps_holds_excel

    if wps_holds_excel():
        return None
    try:
        import xlwings as xw

        app = xw.App(visible=False, add_book=False)
        try:
            path = app.startup_path
        finally:
            app.quit()
        return Path(path) if path else None
    except Exception:  # noqa: BLE001 - no Excel, no permission: the usual folder is used instead
        return None


def _config_encoding(system: str) -> str:
    # VBA's "Input #" reads the file in the system ANSI code page on Windows (GBK on a
    # Chinese system), so a path with Chinese characters must be written that way.
    return "mbcs" if system == "win" and sys.platform.startswith("win") else "utf-8"


def _read_config(path: Path, encoding: str) -> list[str]:
    if not path.exists():
        return []
    try:
        return path.read_text(encoding, errors="replace").splitlines()
    except OSError as exc:
        raise InputError(f"无法读取配置文件 {path}（{exc.strerror or exc}）。"
                         "请检查该文件的权限，或删除它后再运行本命令。") from None


def _write_atomic(path: Path, data: bytes) -> None:
    # The shared helper: a unique temporary name, normal permissions, Chinese OS-error messages.
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"无法建立文件夹 {path.parent}（{exc.strerror or exc}）。"
                         "请检查该文件夹的权限后再运行本命令。") from None
    atomic_write_bytes(path, data, busy_hint="Excel")


def install(source: Path, interpreter: str | None = None, startup_dir: Path | None = None,
            rebuild: Callable[[], Path] | None = None,
            interpreter_version: Callable[[str], str | None] = interpreter_xlwings, **where) -> list[str]:
    """Copy the add-in and configure the interpreter; returns Chinese lines describing what was done.

    startup_dir: the folder Excel itself reported (excel_startup_path), else the usual one.
    The add-in's VBA must come from the interpreter's xlwings version: when they differ and
    `rebuild` can make a matching add-in (this Python's xlwings), that one is installed instead;
    otherwise the install stops with a message saying what to run."""
    from evaltool.addin.diagnose import wps_holds_excel, xlwings_mismatch

    p = places(**where)
    if not Path(source).exists():
        raise InputError(f"找不到加载项文件 {source}。请先运行 evaltool addin build。")
    interpreter = interpreter or sys.executable
    done = []
    have = interpreter_version(interpreter)
    if have is None:
        raise InputError(f"无法在 {interpreter} 中找到 xlwings（或无法运行这个 Python）。请先运行："
                         f"\"{interpreter}\" -m pip install evaltool xlwings，再重新安装加载项。")
    built = addin_xlwings(Path(source))
    if built != have:
        if rebuild is None or Path(interpreter) != Path(sys.executable):
            raise InputError(xlwings_mismatch(built or "未知", have, interpreter) or "加载项的 xlwings 版本无法确定。")
        source = rebuild()
        done.append(f"加载项原是按 xlwings {built or '未知版本'} 生成的，已按本机 Python 的 xlwings {have} 重新生成。")
    if startup_dir:
        p.startup_dir = Path(startup_dir)
        where_from = "Excel 报告的启动文件夹"
    else:
        where_from = "Excel 启动文件夹（按默认位置；未能向 Excel 询问）"
    target = p.startup_dir / ADDIN_NAME
    _write_atomic(target, Path(source).read_bytes())
    done.append(f"已把加载项复制到{where_from}：{target}")

    key = CONFIG_KEYS[p.system]
    enc = _config_encoding(p.system)
    lines = [ln for ln in _read_config(p.config_file, enc) if not ln.upper().startswith(f'"{key}"')]
    lines.append(f'"{key}","{interpreter}"')
    _write_atomic(p.config_file, ("\r\n".join(lines) + "\r\n").encode(enc, errors="strict"))
    done.append(f"已设置 Python 解释器：{interpreter}（配置文件 {p.config_file}）")

    if p.script_dir is not None:
        # RunPython on macOS goes through xlwings' AppleScript, sandboxed to this folder.
        import xlwings

        script = Path(xlwings.__file__).parent / f"xlwings-{xlwings.__version__}.applescript"
        _write_atomic(p.script_dir / script.name, script.read_bytes())
        done.append(f"已安装 xlwings 的 AppleScript：{p.script_dir / script.name}")
    problem = wps_holds_excel()
    if problem:
        done.append("注意：" + problem)
    done.append("请重新启动 Excel，功能区会出现“绩效自评”选项卡。")
    return done


def uninstall(startup_dir: Path | None = None, **where) -> list[str]:
    p = places(**where)
    if startup_dir:
        p.startup_dir = Path(startup_dir)
    done = []
    target = p.startup_dir / ADDIN_NAME
    if target.exists():
        try:
            target.unlink()
        except PermissionError:
            raise InputError(f"无法删除 {target}：文件正被 Excel 使用。请先完全退出 Excel，再重新运行本命令。") from None
        done.append(f"已删除加载项：{target}")
    else:
        done.append(f"加载项本来就不在 {target}，无需删除。")
    enc = _config_encoding(p.system)
    if p.config_file.exists():
        key = CONFIG_KEYS[p.system]
        lines = [ln for ln in _read_config(p.config_file, enc) if not ln.upper().startswith(f'"{key}"')]
        if any(ln.strip() for ln in lines):
            _write_atomic(p.config_file, ("\r\n".join(lines) + "\r\n").encode(enc))
            done.append(f"已从 {p.config_file} 删除解释器设置（保留了其他设置）。")
        else:
            p.config_file.unlink()
            if p.system == "win" and not any(p.config_file.parent.iterdir()):
                p.config_file.parent.rmdir()
            done.append(f"已删除配置文件：{p.config_file}")
    # The AppleScript on macOS is shared by every xlwings tool: it stays.
    done.append("请重新启动 Excel，“绩效自评”选项卡将不再出现。")
    return done
