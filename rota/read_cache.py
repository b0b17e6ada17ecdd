"""A few seconds' memory, in this process, of the reads signed-out visitors and tools repeat.

A public rota page, the rota list and the API's "on duty now" first ask the database whether
the rota is public and which plan it shows, then answer from the shared cache. Under load
that question costs more than the answer; each web process keeps its answer for
ROTA_READ_CACHE_SECONDS (2 by default, as a proxy's micro-cache would), so a signed-out
reader may see a new plan up to that long after it was published. Signed-in readers and every
write always ask the database. 0 turns it off (the test suite's default).
"""

from __future__ import annotations

import copy
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from django.conf import settings

T = TypeVar("T")

MOST_ENTRIES = 512
_clock = time.monotonic
_entries: OrderedDict[Hashable, tuple[float, object]] = OrderedDict()
_lock = threading.Lock()


def read_cached(key: Hashable, read: Callable[[], T]) -> T:
    """`read()`'s answer, remembered for ROTA_READ_CACHE_SECONDS; each caller gets its own
    shallow copy, so no request changes what another is handed."""
    seconds = settings.ROTA_READ_CACHE_SECONDS
    if seconds <= 0:
        return read()
    now = _clock()
    with _lock:
        found = _entries.get(key)
    if found is not None and found[0] > now:
        return copy.copy(found[1])  # type: ignore[return-value]
    value = read()
    with _lock:
        _entries[key] = (now + seconds, value)
        _entries.move_to_end(key)
        while len(_entries) > MOST_ENTRIES:
            _entries.popitem(last=False)
    return copy.copy(value)


def read_cache_clear() -> None:
    with _lock:
        _entries.clear()
