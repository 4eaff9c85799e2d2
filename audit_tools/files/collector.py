"""Reading a large file without the cyclic garbage collector's pauses.

Reading a sample frame makes a few hundred thousand small objects (a dictionary and a tuple a row,
a string a cell) that hold no reference cycles, so reference counting frees every one of them.
The cyclic collector still runs every few hundred allocations and, as the objects pile up, walks
all of them again and again: a third of the CPU time of reading and checking a 50,000-row frame
(docs/PERFORMANCE.md). ``collector_paused`` switches it off for the duration and back on after,
counting nested and concurrent uses so that only the last one out switches it back on.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector inside the block (or the function it decorates)."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
