"""CPU budgets for benchmarks on few CPUs: processes in cgroups of their own, a share of one CPU each, ahead of the
machine's other work.

A server worker limited to, say, 0.4 CPU leaves the rest to the load generator and the database, so that one worker
against two shows whether the server scales with its budget. Each cgroup also gets a high weight, so that other work
on a shared machine does not take the budget (the quota caps it; the weight makes it the process's own). cgroup v1
(a hierarchy with the ``cpu`` controller: ``cpu.cfs_quota_us``, ``cpu.shares``) or v2 (``cpu.max``,
``cpu.weight``); creating cgroups needs root.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

PERIOD_US = 100_000
WEIGHT = 8  # times a plain process's


class QuotaError(Exception):
    """No writable cgroup hierarchy with the cpu controller."""


def _hierarchy() -> tuple[Path, int]:
    """The mount point of a cgroup hierarchy with the cpu controller, and its version (v1 first)."""
    mounts = [line.split()[1:4] for line in Path("/proc/self/mounts").read_text().splitlines()]
    for mount, kind, options in mounts:
        if kind == "cgroup" and "cpu" in options.split(","):
            return Path(mount), 1
    for mount, kind, _ in mounts:
        controllers = Path(mount, "cgroup.controllers")
        if kind == "cgroup2" and controllers.exists() and "cpu" in controllers.read_text().split():
            if "cpu" not in (Path(mount) / "cgroup.subtree_control").read_text().split():
                (Path(mount) / "cgroup.subtree_control").write_text("+cpu")
            return Path(mount), 2
    raise QuotaError("no cgroup hierarchy with the cpu controller is mounted (/proc/self/mounts)")


def _remove(path: Path) -> None:
    """Move what is left in the cgroup back to its parent, then remove it."""
    for _ in range(50):
        with suppress(OSError):
            join(path.parent, map(int, (path / "cgroup.procs").read_text().split()))
        try:
            path.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:  # busy: a process still leaving
            time.sleep(0.1)


@contextmanager
def budget(pids: Iterable[int], cpus: float | None = None) -> Iterator[Path]:
    """A new cgroup of high weight holding ``pids`` (all their threads; their children to come; more may
    :func:`join`), limited to ``cpus`` CPU if given; removed on the way out (its processes back to the parent)."""
    root, version = _hierarchy()
    path = root / f"outbound-bench-{os.getpid()}-{time.monotonic_ns()}"
    path.mkdir()
    try:
        quota = "max" if cpus is None else str(round(cpus * PERIOD_US))
        if version == 1:
            (path / "cpu.cfs_period_us").write_text(str(PERIOD_US))
            (path / "cpu.cfs_quota_us").write_text("-1" if cpus is None else quota)
            (path / "cpu.shares").write_text(str(1024 * WEIGHT))
        else:
            (path / "cpu.max").write_text(f"{quota} {PERIOD_US}")
            (path / "cpu.weight").write_text(str(100 * WEIGHT))
        join(path, pids)
        yield path
    finally:
        _remove(path)


def join(path: Path, pids: Iterable[int]) -> None:
    for pid in pids:
        with suppress(ProcessLookupError):  # ended meanwhile
            (path / "cgroup.procs").write_text(str(pid))


def probe() -> None:
    """Raise QuotaError (one line) unless a cgroup with a CPU quota can be created here."""
    try:
        with budget([], 0.5):
            pass
    except OSError as exc:
        raise QuotaError(f"cannot create a cgroup with a CPU quota (root needed): {exc}") from exc


def throttling(path: Path) -> tuple[int, int]:
    """(CFS periods, periods in which the quota ran out) of the cgroup so far."""
    stat = dict(line.split() for line in (path / "cpu.stat").read_text().splitlines())
    return int(stat["nr_periods"]), int(stat["nr_throttled"])


def cpu_seconds(pids: Iterable[int]) -> float:
    """CPU time the processes (all their threads) have used so far; one that has ended counts nothing."""
    total = 0
    for pid in pids:
        with suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / os.sysconf("SC_CLK_TCK")
