"""Helper processes (``sim/helpers.py``): answers in the order sent across helpers, a task that raises, a helper
that ends. Tasks are standard-library functions, which a fresh interpreter imports by name."""

from __future__ import annotations

import operator
import os

import pytest

from outbound.sim.helpers import HelperFailed, HelperLost, Helpers


def test_results_come_back_in_the_order_sent_across_helpers() -> None:
    with Helpers(2, len, "") as pool:
        for n in range(7):
            pool.submit(operator.neg, n)
        assert [pool.result() for _ in range(7)] == [-n for n in range(7)]
        pool.submit(bytes, 3 << 20)  # bigger than a pipe's buffer, both ways
        assert pool.result() == bytes(3 << 20)


def test_a_task_that_raises_fails_alone() -> None:
    with Helpers(1, len, "") as pool:
        pool.submit(int, "not a number")
        pool.submit(operator.neg, 5)
        with pytest.raises(HelperFailed, match="ValueError"):
            pool.result()
        assert pool.result() == -5


def test_a_helper_that_ends_is_lost() -> None:
    with Helpers(1, len, "") as pool:
        pool.submit(os._exit, 3)
        with pytest.raises(HelperLost):
            pool.result()


def test_a_helper_that_cannot_start_is_lost(monkeypatch: pytest.MonkeyPatch, tmp_path: os.PathLike[str]) -> None:
    monkeypatch.setattr("sys.executable", os.path.join(tmp_path, "no-python"))
    with pytest.raises(HelperLost):
        Helpers(1, len, "")


def test_closing_with_results_unread_ends_the_helpers_without_killing_them() -> None:
    pool = Helpers(2, len, "")
    for _ in range(4):
        pool.submit(bytes, 3 << 20)  # each answer is bigger than the pipe: the helper waits to write it
    processes = list(pool._processes)
    pool.close()
    assert [process.returncode for process in processes] == [0, 0]
