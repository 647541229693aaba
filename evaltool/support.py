"""Where internal errors go: a log file the clerk can send to support, never a traceback on screen."""
from __future__ import annotations

import datetime as _dt
import traceback
from pathlib import Path

LOG_DIR = Path.home() / ".evaltool"


def log_exception(exc: BaseException, log_name: str, folder: Path | None = None) -> Path | None:
    """Append exc's traceback to ~/.evaltool/<log_name>; the path, or None if even that fails."""
    folder = folder or LOG_DIR
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / log_name
        with path.open("a", encoding="utf-8") as fh:
            fh.write(f"\n==== {_dt.datetime.now().isoformat(timespec='seconds')}\n")
            fh.write("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
        return path
    except OSError:
        return None
