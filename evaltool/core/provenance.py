"""Which existing files evaltool may replace: only its own earlier output for the same purpose,
unchanged since it was written. Everything else a -o names (a clerk's filled or scored form, a
report edited in Word, a hand-written case file, a 汇总 whose 复核意见 the bureau typed) is refused.

A front end claims a target with its purpose (command and source, e.g. "score:自评表.xlsx") before
writing it; fileio.atomic_path then stamps the file it writes: a digest of the purpose and of the
file's content, in the package's docProps/core.xml (dc:identifier; Excel, WPS and LibreOffice keep
it but rewrite every other part on saving, so a saved-over file no longer matches) or, for a text
file, in a last comment line. `is_own(path, purpose)` recomputes it.
"""
from __future__ import annotations

import hashlib
import os
import re
import zipfile
from pathlib import Path

# publish writes this into a public copy's core properties (category): collect and publish skip
# such a file as an input, as collect skips an earlier 汇总.
PUBLIC_COPY = "evaltool 信息公开版"
_CLAIMS: dict[str, str] = {}  # resolved target -> purpose its next write is stamped with
_CORE = "docProps/core.xml"
_ID = re.compile(rb"<dc:identifier(?:\s[^>]*)?/>|<dc:identifier(?:\s[^>]*)?>[^<]*</dc:identifier>")
_STAMP = re.compile(rb"<dc:identifier(?:\s[^>]*)?>evaltool-([0-9a-f]{64})</dc:identifier>")
_DC = 'xmlns:dc="http://purl.org/dc/elements/1.1/"'
_TEXT_STAMP = re.compile(rb"\n# evaltool-([0-9a-f]{64})\n\Z")
_TEXT_SUFFIXES = (".yaml", ".yml", ".md")
_MAX_BYTES = 512 * 1024 * 1024  # unpacked size beyond which a file is not checked (never evaltool's)


def _key(path: str | os.PathLike) -> str:
    # realpath: fileio writes through a symbolic link to the file it points at, and looks the claim up there
    return os.path.normcase(os.path.realpath(path))


def claim(target: str | os.PathLike, purpose: str) -> None:
    """The next write of target (through fileio) is stamped as evaltool's output for purpose."""
    _CLAIMS[_key(target)] = purpose


def unclaim(target: str | os.PathLike) -> None:
    _CLAIMS.pop(_key(target), None)


def claimed(target: str | os.PathLike) -> str | None:
    return _CLAIMS.get(_key(target))


def _digest(purpose: str, parts) -> str:
    h = hashlib.sha256(purpose.encode("utf-8"))
    for name, data in parts:
        h.update(b"\0" + name.encode("utf-8") + b"\0" + hashlib.sha256(data).digest())
    return h.hexdigest()


def _package_parts(zf: zipfile.ZipFile):
    return _digested((n, zf.read(n)) for n in zf.namelist() if n != _CORE)


def _digested(members) -> list:
    """The (name, bytes) a stamp covers: every member but the core properties and folder entries."""
    return sorted((n, data) for n, data in members if n != _CORE and not n.endswith("/"))


def stamp_file(path: str | os.PathLike, purpose: str, suffix: str | None = None) -> None:
    """Stamp the file just written at path (a temporary file: suffix is the target's)."""
    path = Path(path)
    suffix = (suffix or path.suffix).lower()
    if suffix in _TEXT_SUFFIXES:
        data = path.read_bytes()
        if not data.endswith(b"\n"):
            data += b"\n"
        digest = _digest(purpose, [("", data)])
        path.write_bytes(data + f"# evaltool-{digest}\n".encode("ascii"))
        return
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            blobs = {i.filename: zf.read(i.filename) for i in infos}  # each member read once
            core = blobs[_CORE]
    except (KeyError, zipfile.BadZipFile, OSError):
        return  # no core properties to carry the stamp: the file is simply never replaceable
    if b"</cp:coreProperties>" not in core:
        return
    # Declared on the element itself: openpyxl declares dc on each element, not on the root.
    parts = _digested(blobs.items())
    tag = f"<dc:identifier {_DC}>evaltool-{_digest(purpose, parts)}</dc:identifier>".encode("ascii")
    core, n = _ID.subn(tag, core, count=1)
    if not n:
        core = core.replace(b"</cp:coreProperties>", tag + b"</cp:coreProperties>")
    blobs[_CORE] = core
    tmp = path.with_name(path.name + ".stamp")
    try:
        with zipfile.ZipFile(tmp, "w") as out:
            for info in infos:
                out.writestr(info, blobs[info.filename])
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def is_own(path: str | os.PathLike, purpose: str) -> bool:
    """Whether path is evaltool's output for purpose, unchanged since it was written."""
    path = Path(path)
    try:
        if path.suffix.lower() in _TEXT_SUFFIXES:
            data = path.read_bytes()
            m = _TEXT_STAMP.search(data)
            return m is not None and m.group(1).decode() == _digest(purpose, [("", data[:m.start() + 1])])
        with zipfile.ZipFile(path) as zf:
            if sum(i.file_size for i in zf.infolist()) > _MAX_BYTES:
                return False  # not something evaltool wrote; and never unpacked whole
            found = _STAMP.search(zf.read(_CORE))
            return found is not None and found.group(1).decode() == _digest(purpose, _package_parts(zf))
    except (KeyError, zipfile.BadZipFile, OSError, ValueError):
        return False


__all__ = ["PUBLIC_COPY", "claim", "unclaim", "claimed", "stamp_file", "is_own"]
