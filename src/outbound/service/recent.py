"""Single-statement reads every request makes (the key grant, the access token's owner), remembered while the store's
commit counter stands still (SQLite: :meth:`outbound.store.Database.change_version`).

The counter is read before the value is loaded, and a value is kept only under the counter it was loaded after, so
a commit by anyone (the CLI adding a key, the admin API revoking a token, another worker) makes the next request
read again. Where the store has no counter (PostgreSQL) every call loads: there the check would itself be a round
trip, which is what the read costs.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Hashable
from typing import TypeVar

from outbound.store import Database

T = TypeVar("T")
LIMIT = 4096  # distinct keys kept per store version; beyond it values are loaded and not kept


class _Memo:
    __slots__ = ("lock", "values", "version")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.version: int | None = None
        self.values: dict[Hashable, object] = {}


_memos: weakref.WeakKeyDictionary[Database, _Memo] = weakref.WeakKeyDictionary()
_memos_lock = threading.Lock()
_ABSENT = object()


def remembered(db: Database, key: Hashable, load: Callable[[], T], version: int | None = -1) -> T:
    """``load()``, or what it returned earlier under the same store version (``version``: already read by the
    caller, before anything it goes with was loaded; -1: read it here)."""
    if version == -1:
        version = db.change_version()
    if version is None:
        return load()
    memo = _memos.get(db)
    if memo is None:
        with _memos_lock:
            memo = _memos.setdefault(db, _Memo())
    with memo.lock:
        if memo.version != version:
            memo.values.clear()
            memo.version = version
        found = memo.values.get(key, _ABSENT)
    if found is not _ABSENT:
        return found  # type: ignore[return-value]
    value = load()
    with memo.lock:
        if memo.version == version and len(memo.values) < LIMIT:
            memo.values[key] = value
    return value
