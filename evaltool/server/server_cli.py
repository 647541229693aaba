"""`evaltool serve`: click only here; Starlette and uvicorn are imported when the command runs."""
from __future__ import annotations

import os

import click

from evaltool.cli import console, friendly, main
from evaltool.core.errors import InputError


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="监听地址；办公网服务器用 0.0.0.0（此时必须设置 --token）")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(1, 65535), help="端口")
@click.option("--token", default=None, envvar="EVALTOOL_TOKEN",
              help="访问口令（也可用环境变量 EVALTOOL_TOKEN，避免出现在进程列表中）")
@click.option("--allow-origin", "origins", multiple=True,
              help="允许调用的网页来源（CORS），可写多次；默认只允许本机离线安装的加载项（null）")
@click.option("--max-mb", default=5.0, show_default=True, type=click.FloatRange(0.01, 200), help="单个请求的大小上限（MB）")
@click.option("--timeout", default=30.0, show_default=True, type=click.FloatRange(0.1, 3600), help="单个请求的处理时间上限（秒）")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="进程数（多核服务器）")
@friendly
def serve_cmd(host: str, port: int, token: str | None, origins: tuple[str, ...], max_mb: float, timeout: float,
              workers: int) -> None:
    """启动计分服务（供 WPS 加载项和未安装 Python 的电脑使用）。"""
    from evaltool.server.app import LOOPBACK, Settings

    if host not in LOOPBACK and not token:
        raise InputError(f"监听 {host} 会让局域网中的其他电脑访问本服务，必须用 --token 设置访问口令"
                         "（或设置环境变量 EVALTOOL_TOKEN）。只在本机使用时请去掉 --host。")
    if token is not None and len(token) < 12:
        raise InputError("访问口令太短：请使用至少 12 个字符的随机口令。")
    settings = Settings(host=host, port=port, token=token, max_bytes=int(max_mb * 1024 * 1024), timeout=timeout,
                        allow_origins=tuple(origins) or Settings.allow_origins)
    run(settings, workers)


def run(settings, workers: int = 1) -> None:
    import uvicorn

    from evaltool.server.app import create_app
    from evaltool.server.protocol import protocol_class

    where = f"http://{settings.host}:{settings.port}"
    console.print(f"evaltool 计分服务：{where}/api/about（按 Ctrl+C 停止）"
                  + ("；已启用访问口令" if settings.token else "；仅本机可访问"))
    common = dict(host=settings.host, port=settings.port, http=protocol_class(settings.header_timeout),
                  timeout_keep_alive=5, h11_max_incomplete_event_size=64 * 1024, server_header=False,
                  log_level="warning")
    if workers > 1:
        os.environ["EVALTOOL_SERVE_SETTINGS"] = settings.to_json()
        uvicorn.run("evaltool.server.app:app_from_env", factory=True, workers=workers, **common)
    else:
        uvicorn.run(create_app(settings), **common)
