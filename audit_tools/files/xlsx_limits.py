"""Measuring a workbook's parts before any XML parser sees them, so a hostile .xlsx costs seconds, not minutes.

An .xlsx file is a zip of XML parts. A 146 KB file can unpack to a million formatted empty rows,
and a shared-strings part to millions of strings: parsing them took minutes and gigabytes. Here
each part the reader will parse is inflated once, in chunks, counting at C speed (``bytes.count``)
what parsing would cost: its size, its XML tags, its rows and its shared strings. Nothing is kept,
so memory stays flat, and the first count over its bound stops the reading.

Declared sizes cannot lie to this: ``zipfile`` never returns more bytes than the size the archive
declares for a part (and then fails its checksum), and every part is read with a cap of its own.
"""

from __future__ import annotations

import re
import struct
import zipfile
from dataclasses import dataclass

CHUNK = 1 << 20
MAX_ENTRIES = 1_000  # a workbook saved by Excel has about a dozen parts
_END_OF_DIRECTORY = b"PK\x05\x06"
_PREFIXED_ROW = re.compile(rb"<[\w.-]+:row\b")
_PREFIXED_STRING = re.compile(rb"<[\w.-]+:si\b")
_OVERLAP = 64  # bytes carried between chunks, so a tag split across two chunks is counted once


class WorkbookLimitError(ValueError):
    """A part of the workbook is larger than the reader allows.

    ``kind`` names the bound passed: "rows", "tags", "strings", "bytes" or "parts".
    """

    def __init__(self, kind: str, part: str, limit: int):
        super().__init__(f"{part}: more than {limit:,} {kind}")
        self.kind, self.part, self.limit = kind, part, limit


@dataclass(frozen=True)
class PartBounds:
    """What one part may hold; None means not counted."""

    max_bytes: int
    max_tags: int
    max_rows: int | None = None
    max_strings: int | None = None


@dataclass(frozen=True)
class PartCounts:
    bytes: int
    tags: int
    rows: int
    strings: int


def declared_entry_count(data: bytes) -> int | None:
    """The number of parts the zip's end record declares, read before ``zipfile`` builds its list of them."""
    at = data.rfind(_END_OF_DIRECTORY, max(0, len(data) - 65_557))
    if at < 0 or at + 22 > len(data):
        return None
    count: int = struct.unpack_from("<H", data, at + 10)[0]
    return count


def check_entries(archive: zipfile.ZipFile, max_unpacked: int) -> None:
    """Refuse too many parts, or parts declared to unpack to more than ``max_unpacked`` bytes in all."""
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise WorkbookLimitError("parts", "the workbook", MAX_ENTRIES)
    if sum(info.file_size for info in infos) > max_unpacked:
        raise WorkbookLimitError("bytes", "the workbook", max_unpacked)


def scan_part(archive: zipfile.ZipFile, name: str, bounds: PartBounds) -> PartCounts:
    """Inflate one part in chunks, counting bytes, tags, rows and shared strings; raise at the first bound passed."""
    total = tags = rows = strings = 0
    carried = b""
    with archive.open(name) as stream:
        while chunk := stream.read(CHUNK):
            total += len(chunk)
            if total > bounds.max_bytes:
                raise WorkbookLimitError("bytes", name, bounds.max_bytes)
            window = carried + chunk
            if bounds.max_rows is not None:
                rows += _new(window, carried, b"<row", _PREFIXED_ROW)
                if rows > bounds.max_rows:
                    raise WorkbookLimitError("rows", name, bounds.max_rows)
            if bounds.max_strings is not None:
                strings += _new(window, carried, b"<si", _PREFIXED_STRING)
                if strings > bounds.max_strings:
                    raise WorkbookLimitError("strings", name, bounds.max_strings)
            tags += chunk.count(b"<")  # after rows and strings: their message says more
            if tags > bounds.max_tags:
                raise WorkbookLimitError("tags", name, bounds.max_tags)
            carried = window[-_OVERLAP:]
    return PartCounts(total, tags, rows, strings)


def _new(window: bytes, carried: bytes, plain: bytes, prefixed: re.Pattern[bytes]) -> int:
    """Occurrences of a tag in ``window`` not already counted in ``carried`` (plain or with a namespace prefix).

    ``<row`` also matches ``<rowBreaks`` (one element per sheet) and ``<si`` matches nothing else in a
    shared-strings part: a count that can only be slightly high, never low.
    """
    found = window.count(plain) - carried.count(plain)
    if b":" + plain[1:] in window:
        found += len(prefixed.findall(window)) - len(prefixed.findall(carried))
    return found
