"""`evaltool addin build|install|uninstall`."""
from __future__ import annotations

from pathlib import Path

import click

from evaltool.cli_base import friendly, main
from evaltool.console import console, esc


@main.group("addin")
def addin_group() -> None:
    """Excel 加载项：生成、安装、卸载“绩效自评”选项卡。"""


@addin_group.command("build")
@click.option("-o", "--output", default=None, help="输出文件（默认 workbook_templates/evaltool.xlam）")
@friendly
def build_cmd(output: str | None) -> None:
    """由 macros/ 中的源码生成 evaltool.xlam（功能区 + VBA 工程 + xlwings 模块）。

    功能区“新建”菜单按已登记的表格类型生成，Excel 和 WPS 两个功能区文件一并更新。"""
    from evaltool.addin import builder, ribbon

    for changed in ribbon.refresh():
        console.print(f"已按表格类型更新“新建”菜单：{esc(changed)}")
    path = builder.build(output or builder.OUTPUT)
    console.print(f"已生成加载项：{esc(path)}（{path.stat().st_size} 字节）")


@addin_group.command("install")
@click.option("--interpreter", default=None, help="Excel 调用的 Python（默认：当前这个 Python）")
@click.option("--file", "file", default=None, type=click.Path(dir_okay=False),
              help="要安装的 evaltool.xlam（默认：workbook_templates/evaltool.xlam）")
@friendly
def install_cmd(interpreter: str | None, file: str | None) -> None:
    """把加载项装进 Excel（Windows / macOS），并设置 xlwings 使用的 Python。"""
    from evaltool.addin import builder, install
    from evaltool.core.errors import InputError

    install.places()  # says plainly, in Chinese, when this system has no Excel to install into
    source = Path(file) if file else builder.OUTPUT
    if not source.exists() and not file:
        import sys

        shipped = Path(sys.prefix) / "share" / "evaltool" / install.ADDIN_NAME  # from a pip install
        source = shipped if shipped.exists() else source
    if not source.exists() and not file:
        if not (builder.MACROS / "customUI14.xml").exists():
            raise InputError("找不到加载项文件 evaltool.xlam。请在 evaltool 的源码文件夹中运行本命令，"
                             "或用 --file 指定 evaltool.xlam 的位置。")
        source = builder.build(Path(click.get_app_dir("evaltool")) / install.ADDIN_NAME)
    def rebuild() -> Path:
        if not (builder.MACROS / "customUI14.xml").exists():
            raise InputError("加载项需要按本机的 xlwings 重新生成，但找不到 macros/ 源码。"
                             "请在 evaltool 的源码文件夹中运行本命令。")
        return builder.build(Path(click.get_app_dir("evaltool")) / install.ADDIN_NAME)

    startup = install.excel_startup_path()  # asks Excel itself where its XLSTART is
    for line in install.install(source, interpreter=interpreter, startup_dir=startup, rebuild=rebuild):
        console.print(esc(line))


@addin_group.command("uninstall")
@friendly
def uninstall_cmd() -> None:
    """从 Excel 中卸载加载项，并删除 evaltool 写入的设置。"""
    from evaltool.addin import install

    for line in install.uninstall(startup_dir=install.excel_startup_path()):
        console.print(esc(line))
