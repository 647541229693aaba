"""Atomic file writes: write beside the target, then rename, so a failed or interrupted save
never leaves half a file where the clerk's good one was. Every writer in evaltool goes through here.

A save is: a temporary file in the target's folder (named after the target and this process),
written, flushed to disk (fsync), then os.replace'd over the target, and the folder synced. Killed
at any moment, the target is the old file or the complete new one; the temporary file a killed
save leaves behind is removed by the next save of the same target. Every completed replace is
recorded (written_since), so the CLI can say truthfully whether a file was changed.
"""
from __future__ import annotations

import gc
import hashlib
import os
import re
import sys
import tempfile
import traceback
import unicodedata
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from evaltool.core.errors import InputError

_WRITTEN: list[Path] = []  # every target this process replaced, in order
_RUN: set[str] | None = None  # targets written in the current command's run (run_scope), or None
_REWRITE: set[str] = set()  # targets the run writes twice on purpose (a new form, then scored in it)


@contextmanager
def run_scope() -> Iterator[None]:
    """One command's run: no target is written twice in it (two reports computed to the same name
    would silently keep only the second), unless allow_rewrite named it."""
    global _RUN
    outer = _RUN
    _RUN = set()
    try:
        yield
    finally:
        _RUN = outer
        if outer is None:
            _REWRITE.clear()


def allow_rewrite(target: str | os.PathLike) -> None:
    """target is written, then read back and written again, in this run (new: built, then scored)."""
    _REWRITE.add(os.path.abspath(target))


def _once(target: Path) -> None:
    if _RUN is None:
        return
    key = os.path.abspath(target)
    if key in _RUN and key not in _REWRITE:
        raise InputError(f"本次运行已经写出过 {target.name}，不会再写一次把它覆盖（两份结果算出了同一个文件名）。"
                         "请用 --sheet 或 -o 分别生成，或把这一情况告诉技术支持。")
    _RUN.add(key)


def written_mark() -> int:
    return len(_WRITTEN)


def written_since(mark: int) -> list[Path]:
    """Targets completely written (replaced) since written_mark() returned mark."""
    return list(_WRITTEN[mark:])


def _mode_for(target: Path) -> int:
    """Keep an existing file's permissions; a new one gets the usual umask-based mode
    (mkstemp's 0600 would lock colleagues on a shared folder out of the workbook)."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


_PART = ".part"


def _temp_prefix(target: Path) -> str:
    return f".~{target.stem[:80]}."


def _remove_stale(folder: Path, target: Path) -> None:
    """Temporary files of earlier saves of this target whose process is gone (killed mid-save)."""
    prefix = _temp_prefix(target)
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if not (name.startswith(prefix) and name.endswith(target.suffix + _PART)):
            continue
        m = re.match(r"(\d+)-", name[len(prefix):])
        if not m or _alive(int(m.group(1))):
            continue
        try:
            os.unlink(entry.path)
        except OSError:
            pass


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError, OverflowError):
        return True  # exists (another user's), or cannot tell: leave its file alone
    return True


def check_target(target: str | os.PathLike) -> Path:
    """Refuse, in Chinese, a save target that cannot or must not be written: a folder, a read-only
    file, a missing or read-only folder. Nothing is created."""
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise InputError(f"无法保存 {target.name}：{target} 是一个文件夹，不是文件。请换一个文件名。原文件没有被修改。")
    if not folder.is_dir():
        raise InputError(f"文件夹不存在：{folder}。请先建立该文件夹或换一个保存位置。")
    if _read_only(folder):
        raise InputError(f"无法保存 {target.name}：文件夹 {folder} 是只读的。请换一个保存位置（或用 -o 另存到别处）。"
                         "原文件没有被修改。")
    if target.exists() and not target.is_file():
        raise InputError(f"{target.name} 不是普通文件，不能覆盖。请换一个文件名。")
    if target.is_file() and _read_only(target):
        raise InputError(f"{target.name} 是只读文件，evaltool 不会改动它。请去掉只读属性，或用 -o 另存为新文件。"
                         "原文件没有被修改。")
    return target


def _read_only(path: Path) -> bool:
    """A file or folder marked read-only (no write permission bits; Windows' read-only attribute):
    on POSIX a rename would replace a read-only file anyway, so evaltool checks first — even as
    root, who may write anywhere. (Windows ignores the attribute on folders: only files there.)"""
    if os.name == "nt" and path.is_dir():
        return False
    try:
        st = path.stat()
    except OSError:
        return False
    return not (st.st_mode & 0o222) or not os.access(path, os.W_OK)


@contextmanager
def atomic_path(target: str | os.PathLike, busy_hint: str = "Excel 或 WPS") -> Iterator[Path]:
    """Yield a temporary path beside target; on success it replaces target, on failure it is removed.

    OS errors become InputError with a Chinese message: the clerk's original file is untouched.
    """
    if Path(target).is_symlink():
        # a link (a form linked into a shared folder) keeps being a link: the file it points at is written
        target = Path(os.path.realpath(target))
    target = check_target(target)
    _once(target)
    folder = target.parent if str(target.parent) else Path(".")
    _remove_stale(folder, target)
    tmp: str | None = None
    failure: str | None = None
    hook = sys.unraisablehook
    try:
        fd, tmp = tempfile.mkstemp(prefix=f"{_temp_prefix(target)}{os.getpid()}-",
                                   suffix=target.suffix + _PART, dir=str(folder))
        os.close(fd)
        yield Path(tmp)
        from evaltool.core import provenance

        purpose = provenance.claimed(target)
        if purpose is not None:  # a -o target: stamped so that only this output may replace it later
            provenance.stamp_file(tmp, purpose, target.suffix)
        _fsync(tmp)
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
        tmp = None
        _WRITTEN.append(target)
        _fsync_folder(folder)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - only write failures are turned into a message
        failure = _failure_message(target, exc, busy_hint)
        if failure is None:
            raise
        # A writer that failed half way (openpyxl's zip, lxml's serializer) complains again when its
        # objects are freed, on stderr, as "Exception ignored …": they are freed now, quietly.
        sys.unraisablehook = _quiet
        try:
            traceback.clear_frames(exc.__traceback__)
            gc.collect()
        finally:
            sys.unraisablehook = hook
    finally:
        if tmp and os.path.exists(tmp):
            try:
                os.unlink(tmp)
            except OSError:
                pass
    if failure is not None:
        raise InputError(failure)


def disk_failure(exc: BaseException) -> str | None:
    """The Chinese reason when exc is a failed write to disk (full disk, file-size limit, I/O error),
    however the library reports it: OSError, or lxml's SerialisationError("IO_ENOSPC")."""
    import errno

    if isinstance(exc, OSError) and errno.errorcode.get(exc.errno or 0) in _DISK_ERRORS:
        return _os_reason(exc)
    m = re.search(r"\bIO_(E[A-Z]+)", str(exc)) if type(exc).__name__ == "SerialisationError" else None
    if m and m.group(1) in _DISK_ERRORS:
        return _os_reason(OSError(getattr(errno, m.group(1), 0), m.group(1)))
    return None


_DISK_ERRORS = {"ENOSPC", "EFBIG", "EDQUOT", "EROFS", "EIO"}


def quiet_teardown() -> None:
    """After a failed write has been explained: objects of the failed writer complain again when
    freed ("Exception ignored …" on stderr); the clerk has had the message."""
    sys.unraisablehook = _quiet


def _quiet(_unraisable) -> None:
    return None


def _failure_message(target: Path, exc: BaseException, busy_hint: str) -> str | None:
    """The Chinese message for a save that failed because of the disk or the file system, or None
    when exc is something else (a bug, which the caller re-raises)."""
    if isinstance(exc, PermissionError):
        return (f"无法写入 {target.name}：文件可能正在 {busy_hint} 中打开，或没有写入权限（文件或文件夹是只读的）。"
                "请关闭该文件后再试，或换一个保存位置。原文件没有被修改。")
    if isinstance(exc, IsADirectoryError):
        return f"无法保存 {target.name}：{target} 是一个文件夹，不是文件。请换一个文件名。原文件没有被修改。"
    reason = disk_failure(exc) if not isinstance(exc, OSError) else _os_reason(exc)
    if reason is None:
        return None
    return f"无法保存 {target.name}（{reason}）。原文件没有被修改，请腾出磁盘空间或换一个保存位置后再试。"


def _os_reason(exc: OSError) -> str:
    import errno

    reasons = {"ENOSPC": "磁盘已满", "EFBIG": "文件超过了系统允许的大小", "EDQUOT": "磁盘配额已用完",
               "EROFS": "磁盘或文件夹是只读的", "EIO": "磁盘读写出错", "ENAMETOOLONG": "文件名太长",
               "EACCES": "没有写入权限", "EBUSY": "文件正被其他程序使用"}
    return reasons.get(errno.errorcode.get(exc.errno or 0, ""), "系统拒绝写入")


def _fsync(path: str) -> None:
    """The new bytes on disk before the rename: after a crash or power cut the target is never a
    renamed but still empty file."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    if os.name != "posix":
        return
    try:
        fd = os.open(str(folder), os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_bytes(target: str | os.PathLike, data: bytes, busy_hint: str = "Excel 或 WPS") -> None:
    with atomic_path(target, busy_hint) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(target: str | os.PathLike, text: str) -> None:
    atomic_write_bytes(target, text.encode("utf-8"))


# ---- knowing whether a file changed ------------------------------------------------------------------
def snapshot(path: str | os.PathLike) -> tuple | None:
    """What a file is now (size, mtime, content hash), to tell later whether it was changed."""
    try:
        p = Path(path)
        if not p.is_file():
            return None
        st = p.stat()
        digest = hashlib.sha256()
        if st.st_size <= 256 * 1024 * 1024:
            with open(p, "rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(chunk)
        return (st.st_size, st.st_mtime_ns, digest.hexdigest())
    except (OSError, ValueError):
        return None


# ---- file names made from a clerk's text ---------------------------------------------------------
_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", *(f"COM{i}" for i in range(10)),
             *(f"LPT{i}" for i in range(10))}
_NAME_BAD_RE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]+')


def safe_filename(text: str, fallback: str = "项目", max_chars: int = 60) -> str:
    """A file-name part from a clerk's text (project or sheet name) that is valid on Windows, macOS
    and Linux: no path separators or characters Windows forbids, no control characters, no leading
    dots or trailing dots/spaces, not a reserved device name (CON, NUL, COM1…), at most max_chars
    characters. Empty or nothing usable: fallback."""
    text = unicodedata.normalize("NFC", str(text or ""))
    text = _NAME_BAD_RE.sub("_", text)
    text = re.sub(r"\s+", "_", text).lstrip("._")
    text = text[:max_chars].rstrip(". _")
    if not text:
        return fallback
    if text.split(".")[0].upper() in _RESERVED:
        text = f"_{text}"
    return text
