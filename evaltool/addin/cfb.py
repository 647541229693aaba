"""A minimal, deterministic writer for Compound File Binary files ([MS-CFB], version 3).

Enough for a vbaProject.bin: storages and streams, 512-byte sectors, a mini stream for
streams under 4096 bytes, up to 109 FAT sectors (about 7 MB). Timestamps and CLSIDs are zero
so the same input always gives the same bytes. olefile (the usual Python tool) only reads CFB.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass, field

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
FREESECT, ENDOFCHAIN, FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF
TYPE_STORAGE, TYPE_STREAM, TYPE_ROOT = 1, 2, 5
BLACK = 1


@dataclass
class _Entry:
    name: str
    kind: int
    data: bytes = b""
    children: list["_Entry"] = field(default_factory=list)
    sid: int = 0
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    start: int = ENDOFCHAIN
    size: int = 0


def _sort_key(name: str) -> tuple[int, str]:
    # [MS-CFB] 2.6.4: shorter names first, then code-point order of the upper-cased names.
    return len(name), name.upper()


def build(streams: dict[str, bytes]) -> bytes:
    """Compound file holding `streams`, keyed by '/'-separated paths ('VBA/dir')."""
    root = _Entry("Root Entry", TYPE_ROOT)
    for path, data in streams.items():
        parts = path.split("/")
        node = root
        for part in parts[:-1]:
            found = next((c for c in node.children if c.name == part), None)
            if found is None:
                found = _Entry(part, TYPE_STORAGE)
                node.children.append(found)
            node = found
        if len(parts[-1]) > 31:
            raise ValueError(f"CFB name too long: {parts[-1]}")
        node.children.append(_Entry(parts[-1], TYPE_STREAM, data=bytes(data)))

    # Directory order: pre-order walk; siblings form a right-linked list sorted by the CFB
    # comparison, all black. This is the shape Excel itself writes for VBA storages.
    entries: list[_Entry] = []

    def number(node: _Entry) -> None:
        node.sid = len(entries)
        entries.append(node)
        kids = sorted(node.children, key=lambda e: _sort_key(e.name))
        for kid in kids:
            number(kid)
        if kids:
            node.child = kids[0].sid
            for a, b in zip(kids, kids[1:]):
                a.right = b.sid

    number(root)

    # Mini stream: every small stream, each padded to 64 bytes.
    mini = bytearray()
    minifat: list[int] = []
    big: list[_Entry] = []
    for e in entries:
        if e.kind != TYPE_STREAM:
            continue
        e.size = len(e.data)
        if e.size == 0:
            e.start = ENDOFCHAIN
        elif e.size < MINI_CUTOFF:
            first = len(minifat)
            n = -(-e.size // MINI_SECTOR)
            minifat.extend(range(first + 1, first + n))
            minifat.append(ENDOFCHAIN)
            e.start = first
            mini += e.data + b"\0" * (n * MINI_SECTOR - e.size)
        else:
            big.append(e)

    sectors: list[bytes] = []
    fat: list[int] = []

    def place(data: bytes) -> int:
        """Append data as a chain of whole sectors; returns the first sector (or ENDOFCHAIN)."""
        if not data:
            return ENDOFCHAIN
        n = -(-len(data) // SECTOR)
        first = len(sectors)
        padded = data + b"\0" * (n * SECTOR - len(data))
        for i in range(n):
            sectors.append(padded[i * SECTOR:(i + 1) * SECTOR])
            fat.append(first + i + 1 if i < n - 1 else ENDOFCHAIN)
        return first

    for e in big:
        e.start = place(e.data)
    root.start = place(bytes(mini))
    root.size = len(mini)
    if not mini:
        root.start = ENDOFCHAIN
    minifat_bytes = b"".join(struct.pack("<I", v) for v in minifat)
    minifat_bytes += struct.pack("<I", FREESECT) * ((-len(minifat)) % (SECTOR // 4))
    minifat_start = place(minifat_bytes) if minifat else ENDOFCHAIN
    minifat_count = len(minifat_bytes) // SECTOR if minifat else 0

    dir_bytes = b"".join(_dir_entry(e) for e in entries)
    per = SECTOR // 128
    dir_bytes += _dir_entry(None) * ((-len(entries)) % per)
    dir_start = place(dir_bytes)

    # FAT sectors describe themselves too: grow until the count is stable.
    nfat = 1
    while (len(sectors) + nfat) > nfat * (SECTOR // 4):
        nfat += 1
    if nfat > 109:
        raise ValueError("compound file too large for a header-only DIFAT")
    fat_first = len(sectors)
    fat.extend([FATSECT] * nfat)
    fat.extend([FREESECT] * (nfat * (SECTOR // 4) - len(fat)))
    fat_bytes = b"".join(struct.pack("<I", v) for v in fat)
    for i in range(nfat):
        sectors.append(fat_bytes[i * SECTOR:(i + 1) * SECTOR])

    difat = [fat_first + i for i in range(nfat)] + [FREESECT] * (109 - nfat)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", b"\0" * 16,
        0x003E, 0x0003, 0xFFFE, 9, 6, b"\0" * 6,
        0,  # number of directory sectors: must be 0 in version 3
        nfat, dir_start, 0, MINI_CUTOFF, minifat_start, minifat_count, ENDOFCHAIN, 0,
    ) + b"".join(struct.pack("<I", v) for v in difat)
    assert len(header) == SECTOR
    return header + b"".join(sectors)


def _dir_entry(e: _Entry | None) -> bytes:
    if e is None:
        return b"\0" * 64 + struct.pack("<HBBIII16sIQQIQ", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM,
                                         b"\0" * 16, 0, 0, 0, 0, 0)
    name = e.name.encode("utf-16-le") + b"\0\0"
    size = e.size if e.kind != TYPE_STORAGE else 0
    start = e.start if e.kind != TYPE_STORAGE else 0
    if e.kind == TYPE_STREAM and size == 0:
        start = ENDOFCHAIN
    return name.ljust(64, b"\0") + struct.pack(
        "<HBBIII16sIQQIQ", len(name), e.kind, BLACK, e.left, e.right, e.child,
        b"\0" * 16, 0, 0, 0, start, size)
