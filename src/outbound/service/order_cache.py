"""GetFulfillmentOrder's answers kept between requests, per seller and order, reused only while provably current.

Most reads of an order find it as the last read left it; loading its seven tables and rendering ~80 elements again
costs most of a request (``bench/README.md``). Each protocol's rendering of the order is kept here, in one entry per
order, under a *stamp* read before the order was loaded:

- SQLite: the store's commit counter (:meth:`Database.change_version`): in process, a few microseconds; any commit
  anywhere (another worker, ``outbound worker``, the CLI) moves it, so every entry is stale at once and is reloaded
  on its next read;
- PostgreSQL: the order's signature (:func:`outbound.store.orders.order_signature`): one small statement instead
  of seven, and no decoding or rendering.

The stamp is read before the order is loaded, so an entry is never newer-stamped than what it holds: a write
committed in between makes the next read's stamp differ, and that read loads afresh. The answer is a function of
the stored rows alone (no clock: tracking events are GetPackageTrackingDetails's), so the stamp is the whole key;
a rendering that also reads the clock (SP-API's drop-off location, shown once a package is delivered) says so
through ``kept`` and is never kept.
The cache is an LRU bounded by the bytes it holds; a store of a million orders costs it no more than the cap.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from outbound.domain.errors import InvalidValue
from outbound.domain.orders import Order
from outbound.service.orders import get_fulfillment_order
from outbound.store import Database
from outbound.store import orders as order_store

# of rendered answers: a one-line order is ~2 KB over MWS, a 2-line, 2-shipment one ~5 KB (~3 KB as JSON), so some
# 1,500-3,000 orders' answers; kept small because a server holding 1,000,000 orders must stay under 150 MB and
# SQLite's page cache already takes up to 64 MiB of it (bench/memory_bench.py)
MAX_BYTES = 6 << 20
ENTRY_OVERHEAD = 400  # the key, the entry and its dict, roughly: counted so many tiny entries stay bounded too

Render = Callable[[Order], bytes]


@dataclass(slots=True)
class _Entry:
    stamp: object
    views: dict[str, bytes] = field(default_factory=dict)
    size: int = ENTRY_OVERHEAD


class ViewCache:
    """An LRU of rendered orders keyed by (seller, order), bounded by ``max_bytes``; thread-safe (reads run on the
    event loop, writes and the CLI in threads)."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.hits = self.misses = 0
        self._entries: OrderedDict[tuple[str, str], _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: tuple[str, str], stamp: object, kind: str) -> bytes | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry.stamp != stamp:
                self.misses += 1
                return None
            view = entry.views.get(kind)
            if view is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return view

    def put(self, key: tuple[str, str], stamp: object, kind: str, view: bytes) -> None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry.stamp != stamp:
                self._drop(key, entry)
                entry = None
            if entry is None:
                entry = self._entries[key] = _Entry(stamp)
                self.size += entry.size
            else:
                self._entries.move_to_end(key)
            old = entry.views.get(kind)
            if old is not None:
                entry.size -= len(old)
                self.size -= len(old)
            entry.views[kind] = view
            entry.size += len(view)
            self.size += len(view)
            while self.size > self.max_bytes and self._entries:
                oldest = next(iter(self._entries))
                self._drop(oldest, self._entries[oldest])

    def _drop(self, key: tuple[str, str], entry: _Entry) -> None:
        del self._entries[key]
        self.size -= entry.size

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.size = 0


_caches: weakref.WeakKeyDictionary[Database, ViewCache] = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()
enabled = True  # benchmarks and tests compare with the uncached path by turning it off


def cache_of(db: Database) -> ViewCache:
    """The one cache of this database handle (one per process and store: both protocols share it)."""
    found = _caches.get(db)
    if found is None:
        with _caches_lock:
            found = _caches.setdefault(db, ViewCache())
    return found


@dataclass(frozen=True, slots=True)
class Stamp:
    """An order's stamp, read ahead with the request's credentials (one round trip on PostgreSQL): ``value`` is
    ``None`` when the order does not exist (PostgreSQL), :data:`NO_STAMP` where the store cannot stamp."""

    seller_id: str
    seller_order_id: str
    value: object


NO_STAMP = object()


def stamp_of(version: int | None, db: Database, seller_id: str, seller_order_id: str) -> Stamp | None:
    """The stamp a store with a commit counter gives (``version``: :meth:`Database.change_version`, read by the
    caller); ``None`` on PostgreSQL, where the caller reads the signature (with its credentials, in one trip)."""
    if version is not None:
        return Stamp(seller_id, seller_order_id, version)
    if db.is_sqlite:
        return Stamp(seller_id, seller_order_id, NO_STAMP)
    return None


def _read_stamp(db: Database, seller_id: str, seller_order_id: str) -> object:
    found = stamp_of(db.change_version(), db, seller_id, seller_order_id)
    if found is not None:
        return found.value
    with db.read(snapshot=False) as conn:
        return order_store.order_signature(conn, seller_id, seller_order_id)


def order_view(
    db: Database,
    seller_id: str,
    seller_order_id: str,
    kind: str,
    render: Render,
    stamp: Stamp | None = None,
    kept: Callable[[Order], bool] | None = None,
) -> bytes:
    """The order rendered by ``render`` (``kind`` names the rendering: one per protocol), from the cache while the
    store says nothing it shows has changed, else loaded (:func:`outbound.service.orders.get_fulfillment_order`'s
    read) and rendered again. An unknown order raises as that function does. ``stamp``: read ahead for this order
    by the caller (before anything is loaded); otherwise it is read here. ``kept``: whether this order's rendering
    depends on its rows alone (default: always), so that it may be kept."""
    if not enabled:
        return render(get_fulfillment_order(db, seller_id, seller_order_id))
    if stamp is not None and (stamp.seller_id, stamp.seller_order_id) == (seller_id, seller_order_id):
        value = stamp.value
    else:
        value = _read_stamp(db, seller_id, seller_order_id)
    if value is None:
        raise InvalidValue("SellerFulfillmentOrderId", seller_order_id)
    if value is NO_STAMP:
        return render(get_fulfillment_order(db, seller_id, seller_order_id))
    cache = cache_of(db)
    key = (seller_id, seller_order_id)
    view = cache.get(key, value, kind)
    if view is None:
        order = get_fulfillment_order(db, seller_id, seller_order_id)
        view = render(order)
        if kept is None or kept(order):
            cache.put(key, value, kind, view)
    return view
