"""Atomic file writes: write beside the target, then rename, so a failed or interrupted save
never leaves half a file where the clerk's good one was. Every writer in evaltool goes through here.
"""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from evaltool.core.errors import InputError


def _mode_for(target: Path) -> int:
    """Keep an existing file's permissions; a new one gets the usual umask-based mode
    (mkstemp's 0600 would lock colleagues on a shared folder out of the workbook)."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


@contextmanager
def atomic_path(target: str | os.PathLike, busy_hint: str = "Excel 或 WPS") -> Iterator[Path]:
    """Yield a temporary path beside target; on success it replaces target, on failure it is removed.

    OS errors become InputError with a Chinese message: the clerk's original file is untouched.
    """
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"文件夹不存在：{folder}。请先建立该文件夹或换一个保存位置。")
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".~{target.stem}.", suffix=target.suffix + ".part", dir=str(folder))
        os.close(fd)
        yield Path(tmp)
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
        tmp = None
    except PermissionError:
        raise InputError(f"无法写入 {target.name}：文件可能正在 {busy_hint} 中打开，或没有写入权限。"
                         "请关闭该文件后再试，或换一个文件名。原文件没有被修改。") from None
    except InputError:
        raise
    except OSError as exc:
        raise InputError(f"无法保存 {target.name}（{exc.strerror or exc}）：可能磁盘已满或文件夹不可写。"
                         "原文件没有被修改。") from None
    finally:
        if tmp and os.path.exists(tmp):
            os.unlink(tmp)


def atomic_write_bytes(target: str | os.PathLike, data: bytes, busy_hint: str = "Excel 或 WPS") -> None:
    with atomic_path(target, busy_hint) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(target: str | os.PathLike, text: str) -> None:
    atomic_write_bytes(target, text.encode("utf-8"))
