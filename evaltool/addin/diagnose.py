"""What real installs trip on, found and said in Chinese: WPS holding Excel's COM registration
(so "Excel" starts WPS and the buttons fail with 找不到成员), and an add-in whose VBA came from a
different xlwings than the Python Excel runs."""
from __future__ import annotations

import sys
from typing import Callable

EXCEL_PROGID = "Excel.Application"
_WPS_MARKS = ("kingsoft", "wps", "\\et.exe", "/et.exe", "ksolaunch")


def _winreg_read(key: str, name: str = "") -> str | None:
    """A value under HKEY_CLASSES_ROOT, or None (not Windows, no such key)."""
    if not sys.platform.startswith("win"):
        return None
    try:
        import winreg

        with winreg.OpenKey(winreg.HKEY_CLASSES_ROOT, key) as k:
            value, _ = winreg.QueryValueEx(k, name)
            return str(value)
    except OSError:
        return None


def excel_com_server(read: Callable[[str, str], str | None] = _winreg_read) -> str | None:
    """The program Windows starts for Excel.Application (its CLSID's LocalServer32), or None."""
    clsid = read(rf"{EXCEL_PROGID}\CLSID", "")
    if not clsid:
        return None
    return read(rf"CLSID\{clsid.strip()}\LocalServer32", "") or read(rf"CLSID\{clsid.strip()}\LocalServer", "")


def wps_holds_excel(read: Callable[[str, str], str | None] = _winreg_read) -> str | None:
    """A Chinese explanation and remedy when Excel's COM registration points at WPS, else None."""
    server = excel_com_server(read)
    if not server or not any(m in server.lower() for m in _WPS_MARKS):
        return None
    return (f"检测到 Excel 的自动化接口（注册表 {EXCEL_PROGID}）现在指向 WPS：{server}。"
            "这样加载项调用“Excel”时实际打开的是 WPS，按钮会报“找不到成员”等错误。"
            "处理办法：打开 WPS 的“配置工具”（开始菜单 → WPS Office → 配置工具），点“高级”，"
            "在“兼容设置”中取消勾选“WPS Office 兼容第三方系统和软件”，确定后重启电脑；"
            "如果仍然不行，在“控制面板 → 程序和功能”中选中 Microsoft Office，点“更改 → 快速修复”，"
            "让 Excel 重新登记。WPS 用户也可以改用 WPS 加载项（见 README）。")


def xlwings_mismatch(addin: str | None, python: str | None, interpreter: str) -> str | None:
    """The message when the add-in's VBA and the interpreter's xlwings differ, else None."""
    if not addin or not python or addin == python:
        return None
    return (f"加载项中的 xlwings 代码是 {addin} 版，而 Excel 调用的 Python（{interpreter}）中装的是 xlwings {python}。"
            "两者版本不同时按钮可能失败。请在“命令提示符”中运行：\n"
            f"\"{interpreter}\" -m evaltool addin install\n"
            "它会按这个 Python 的 xlwings 重新生成并安装加载项；然后完全退出并重新打开 Excel。")
