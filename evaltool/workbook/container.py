"""What a submitted file is, judged from its bytes before any spreadsheet library opens it. Shared
by the openpyxl engine (one file) and the consolidation (many files); each words its own message."""
from __future__ import annotations

import io

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Office 97-2003 files, and encrypted .xlsx packages
MAX_UNZIPPED = 400 * 1024 * 1024  # a filled form unpacks to well under 1 MB; guards against zip bombs
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")


def is_encrypted_ole(data: bytes) -> bool:
    """An OLE file holding a password-protected Office package (what Excel writes for an .xlsx
    with an opening password)."""
    try:
        import olefile

        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            if ole.exists("EncryptionInfo") or ole.exists("EncryptedPackage"):
                return True
    except Exception:  # noqa: BLE001 - a damaged directory: look for the stream's name instead
        pass
    return _ENCRYPTED_STREAM in data[:1_000_000] or _ENCRYPTED_STREAM in data[-1_000_000:]
