"""The kept-answers cache: bounded by the bytes it holds, least recently used out first, and a new stamp replaces
an entry whole (the other protocol's rendering of the old state goes with it)."""

from __future__ import annotations

from outbound.service.order_cache import ENTRY_OVERHEAD, ViewCache


def test_a_different_stamp_misses_and_replaces_every_rendering() -> None:
    cache = ViewCache()
    cache.put(("S", "A"), 1, "mws", b"old-mws")
    cache.put(("S", "A"), 1, "spapi", b"old-json")
    assert cache.get(("S", "A"), 1, "mws") == b"old-mws"
    assert cache.get(("S", "A"), 2, "mws") is None
    cache.put(("S", "A"), 2, "mws", b"new-mws")
    assert cache.get(("S", "A"), 2, "spapi") is None  # rendered from the old state: gone with it
    assert cache.get(("S", "A"), 2, "mws") == b"new-mws"
    assert cache.size == ENTRY_OVERHEAD + len(b"new-mws")


def test_sellers_do_not_share_entries() -> None:
    cache = ViewCache()
    cache.put(("S1", "A"), 1, "mws", b"one")
    assert cache.get(("S2", "A"), 1, "mws") is None


def test_the_size_stays_under_the_cap_least_recently_used_out_first() -> None:
    view = b"x" * 1000
    cache = ViewCache(max_bytes=10 * (1000 + ENTRY_OVERHEAD))
    for n in range(10):
        cache.put(("S", str(n)), 1, "mws", view)
    assert len(cache) == 10
    assert cache.get(("S", "0"), 1, "mws") == view  # now the most recent
    for n in range(10, 1000):
        cache.put(("S", str(n)), 1, "mws", view)
        assert cache.size <= cache.max_bytes
    assert len(cache) == 10
    assert cache.get(("S", "1"), 1, "mws") is None
    assert cache.get(("S", "999"), 1, "mws") == view
