"""HTTP throughput of the real endpoint against a bare ASGI floor, under uvicorn and granian, measured with wrk.

For each server software (uvicorn, granian), one worker each, two targets are loaded with the same pre-signed
``GetServiceStatus`` POST:

* ``real``: ``outbound serve --throttle off`` on a temporary database (SQLite or PostgreSQL) holding one seller;
* ``bare``: ``bench/bare_app.py``, a fixed GetServiceStatus answer, served the same way.

The table gives req/s and p50/p99 latency per run, and the ratio real/bare per server. See ``bench/README.md``.

    .venv/bin/python bench/http_bench.py [--duration 10] [--connections 32] [--db sqlite|postgresql] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from outbound.mws import signing

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
HOST = "127.0.0.1"
PATH = "/FulfillmentOutboundShipment/2010-10-01"
SERVERS = ("uvicorn", "granian")
SELLER = "A2NKEXAMPLEF53"
ACCESS_KEY = "AKIAIOSFODNN7BENCH01"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYBENCHKEY"
PG_ADMIN_URL = os.environ.get("OUTBOUND_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
SKEW_SECONDS = 15 * 60  # the server refuses a Timestamp older than this
WRK_INSTALL = "wrk is not installed. Install it with:  apt-get install -y wrk   (Debian/Ubuntu)  or  brew install wrk"


class BenchError(Exception):
    """A run that must not be reported as a figure (server down, error answers, wrk missing, ...)."""


@dataclass
class Result:
    server: str
    target: str
    requests_per_sec: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int
    socket_errors: dict[str, int] = field(default_factory=dict)
    run: int = 1
    cpu_us: float | None = None  # the server's CPU time per request (its processes, user + system), when measured


# ---------------------------------------------------------------------------------------------------------------
# The temporary database, with one seller


@contextmanager
def temporary_database(kind: str) -> Iterator[str]:
    """A fresh database URL for ``kind`` (sqlite or postgresql), removed afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="outbound-bench-") as tmp:
            yield f"sqlite:///{tmp}/bench.db"
        return
    from sqlalchemy import create_engine, text

    from outbound.store.db import normalize_url

    name = f"outbound_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(normalize_url(PG_ADMIN_URL), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        raise BenchError(f"cannot create a PostgreSQL database via {PG_ADMIN_URL}: {exc}") from exc
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def outbound_command() -> list[str]:
    script = Path(sys.executable).parent / "outbound"
    return [str(script)] if script.exists() else [sys.executable, "-m", "outbound"]


def add_seller(db_url: str) -> None:
    cmd = [*outbound_command(), "seller", "add", SELLER, "--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY]
    done = subprocess.run([*cmd, "--db", db_url], env=clean_env(), capture_output=True, text=True)
    if done.returncode != 0:
        raise BenchError(f"`outbound seller add` failed:\n{done.stdout}{done.stderr}")


def clean_env() -> dict[str, str]:
    """This environment without OUTBOUND_* settings, so only the flags we pass configure the server."""
    return {k: v for k, v in os.environ.items() if not k.startswith("OUTBOUND_")}


# ---------------------------------------------------------------------------------------------------------------
# Servers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def pinned(cmd: list[str], cpus: str | None) -> list[str]:
    return ["taskset", "-c", cpus, *cmd] if cpus else cmd


@contextmanager
def running_server(
    server: str,
    target: str,
    port: int,
    db_url: str,
    cpus: str | None,
    log_dir: Path,
    extra_env: dict[str, str] | None = None,
    workers: int = 1,
) -> Iterator[subprocess.Popen[bytes]]:
    """Start one server (its own process group), wait until it answers, stop it (the whole group) afterwards.

    ``extra_env`` adds settings to the real app's environment (``OUTBOUND_ENGINE=off``, say)."""
    if target == "real":
        cmd = [*outbound_command(), "serve", "--host", HOST, "--port", str(port), "--db", db_url]
        cmd += ["--workers", str(workers), "--throttle", "off", "--server", server]
        ready_path = "/health"
        env = {**clean_env(), **(extra_env or {})}
    else:
        cmd = [sys.executable, str(BENCH_DIR / "bare_app.py"), "--server", server, "--host", HOST]
        cmd += ["--port", str(port), "--workers", "1"]
        ready_path = PATH
        env = {
            **clean_env(),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(BENCH_DIR), os.environ.get("PYTHONPATH")])),
        }
    log_path = log_dir / f"{server}-{target}.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            pinned(cmd, cpus), stdout=log, stderr=subprocess.STDOUT, env=env, cwd=log_dir, start_new_session=True
        )
    try:
        wait_ready(proc, port, ready_path, log_path)
        yield proc
    finally:
        stop(proc)


def group_cpu_seconds(pgid: int) -> float:
    """CPU time (user + system) used so far by the live processes of one process group (a server started by
    :func:`running_server` and its workers). On a machine shared with other work, a server's CPU time per request
    moves much less than its requests per second: it says what the server costs, not what it got."""
    ticks = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # after the name: state, ppid, pgrp, ..., utime (12th), stime (13th)
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def worker_pids(pid: int, workers: int, timeout: float = 10) -> list[int]:
    """The PIDs of server ``pid``'s ``workers`` worker processes: its children (multiprocessing's resource tracker
    aside), or the server itself when it has none and serves in-process (uvicorn with one worker)."""
    deadline = time.monotonic() + timeout
    while True:
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with suppress(OSError):  # a process that ended meanwhile
                parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
                if parent == pid and b"resource_tracker" not in (stat.parent / "cmdline").read_bytes():
                    children.append(int(stat.parent.name))
        if len(children) == workers:
            return sorted(children)
        if not children and workers == 1:
            return [pid]
        if time.monotonic() > deadline:
            raise BenchError(f"server {pid} has {len(children)} worker processes, not {workers}")
        time.sleep(0.1)


def wait_ready(proc: subprocess.Popen[bytes], port: int, path: str, log_path: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError(f"server exited with {proc.returncode} before answering:\n{log_tail(log_path)}")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}{path}", timeout=2) as response:
                if response.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.1)
    raise BenchError(f"server did not answer {path} within {timeout:.0f}s:\n{log_tail(log_path)}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's process group (granian's worker included), SIGKILL if it lingers."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        pass


def log_tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


# ---------------------------------------------------------------------------------------------------------------
# The request: signed once per run, checked once by hand, then replayed by wrk


def signed_body(host: str, action: str = "GetServiceStatus", extra: dict[str, str] | None = None) -> str:
    """A form body for ``action`` (with the operation's parameters ``extra``), signed for ``host`` now."""
    params = {
        "AWSAccessKeyId": ACCESS_KEY,
        "Action": action,
        "SellerId": SELLER,
        "SignatureMethod": "HmacSHA256",
        "SignatureVersion": "2",
        "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Version": "2010-10-01",
        **(extra or {}),
    }
    params["Signature"] = signing.sign(SECRET_KEY, signing.string_to_sign("POST", host, PATH, params.items()))
    return "&".join(f"{signing.encode(k)}={signing.encode(v)}" for k, v in params.items())


CONTENT_TYPE = "application/x-www-form-urlencoded; charset=utf-8"


def lua_script(host: str, body: str) -> str:
    return (
        'wrk.method = "POST"\n'
        f"wrk.body = {json.dumps(body)}\n"
        f'wrk.headers["Content-Type"] = "{CONTENT_TYPE}"\n'
        f'wrk.headers["Host"] = "{host}"\n'
    )


def preflight(port: int, host: str, body: str, target: str) -> None:
    """One request by hand: it must be a 200 GetServiceStatusResponse, or the load figures would be meaningless."""
    request = urllib.request.Request(
        f"http://{HOST}:{port}{PATH}",
        data=body.encode("ascii"),
        headers={"Content-Type": CONTENT_TYPE, "Host": host},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, headers, text = response.status, response.headers, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        text = err.read().decode("utf-8", "replace")
        raise BenchError(f"{target} app answered HTTP {err.code} to the signed request:\n{text}") from err
    problems = []
    if status != 200:
        problems.append(f"status {status}")
    if not (headers.get("content-type") or "").startswith("text/xml"):
        problems.append(f"content-type {headers.get('content-type')!r}")
    if not headers.get("x-mws-request-id"):
        problems.append("no x-mws-request-id")
    if "<GetServiceStatusResult>" not in text or "<Status>" not in text:
        problems.append("not a GetServiceStatusResponse")
    if problems:
        raise BenchError(f"{target} app gave a bad answer ({', '.join(problems)}):\n{text}")


# ---------------------------------------------------------------------------------------------------------------
# wrk

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}
_LATENCY = re.compile(r"^\s*(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.MULTILINE)
_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_TOTAL = re.compile(r"^\s*(\d+) requests in ", re.MULTILINE)
_NON_2XX = re.compile(r"^\s*Non-2xx or 3xx responses:\s+(\d+)", re.MULTILINE)
_SOCKET = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


def run_wrk(wrk: str, url: str, script: Path, seconds: float, connections: int, threads: int, cpus: str | None) -> str:
    cmd = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s", "--latency"]
    cmd += ["-s", str(script), url]
    done = subprocess.run(pinned(cmd, cpus), capture_output=True, text=True)
    if done.returncode != 0:
        raise BenchError(f"wrk failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done.stdout


def parse_wrk(output: str, server: str, target: str) -> Result:
    rps, total = _RPS.search(output), _TOTAL.search(output)
    latency = {m.group(1): float(m.group(2)) * _UNITS[m.group(3)] for m in _LATENCY.finditer(output)}
    if not rps or not total or set(latency) != {"50", "99"}:
        raise BenchError(f"cannot read wrk's output:\n{output}")
    non_2xx = _NON_2XX.search(output)
    sock = _SOCKET.search(output)
    socket_errors = {}
    if sock:
        socket_errors = dict(zip(("connect", "read", "write", "timeout"), map(int, sock.groups()), strict=True))
    return Result(
        server=server,
        target=target,
        requests_per_sec=float(rps.group(1)),
        p50_ms=latency["50"],
        p99_ms=latency["99"],
        requests=int(total.group(1)),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors={k: v for k, v in socket_errors.items() if v},
    )


def wrk_version(wrk: str) -> str:
    done = subprocess.run([wrk, "-v"], capture_output=True, text=True)
    first = (done.stdout or done.stderr).strip().splitlines()
    return first[0] if first else "unknown"


# ---------------------------------------------------------------------------------------------------------------
# The run


def bench_one(
    args: argparse.Namespace, wrk: str, server: str, target: str, db_url: str, work: Path
) -> tuple[Result, str]:
    port = free_port()
    host = f"{HOST}:{port}"
    with running_server(server, target, port, db_url, args.server_cpus, work):
        body = signed_body(host)  # signed now, replayed by every request of this run
        preflight(port, host, body, target)
        script = work / f"{server}-{target}.lua"
        script.write_text(lua_script(host, body))
        url = f"http://{host}{PATH}"
        if args.warmup > 0:
            run_wrk(wrk, url, script, args.warmup, args.connections, args.threads, args.wrk_cpus)
        output = run_wrk(wrk, url, script, args.duration, args.connections, args.threads, args.wrk_cpus)
    result = parse_wrk(output, server, target)
    if result.non_2xx:
        raise BenchError(
            f"{server}/{target}: {result.non_2xx} of {result.requests} answers were not 2xx "
            f"(a wrong signature, an expired Timestamp, a database error?). wrk said:\n{output}"
        )
    if result.requests == 0:
        raise BenchError(f"{server}/{target}: wrk completed no request:\n{output}")
    return result, output


def cpu_busy(seconds: float = 1.0) -> float | None:
    """Percent of CPU time spent busy over ``seconds``, from /proc/stat (None where there is none)."""

    def sample() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
        return sum(fields), idle

    try:
        total0, idle0 = sample()
        time.sleep(seconds)
        total1, idle1 = sample()
    except (OSError, ValueError, IndexError):
        return None
    total = total1 - total0
    return 100.0 * (total - (idle1 - idle0)) / total if total else None


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for package in ("outbound", "granian", "uvicorn", "uvloop", "httptools", "starlette", "sqlalchemy", "psycopg"):
        with suppress(metadata.PackageNotFoundError):
            found[package] = metadata.version(package)
    return found


def best_of(runs: list[Result], servers: list[str]) -> list[Result]:
    """Per server and target, the run with the most req/s (the one least disturbed by other work)."""
    best = []
    for server in servers:
        for target in ("real", "bare"):
            mine = [r for r in runs if r.server == server and r.target == target]
            best.append(max(mine, key=lambda r: r.requests_per_sec))
    return best


def print_table(runs: list[Result], best: list[Result], ratios: dict[str, float]) -> None:
    repeated = len(runs) > len(best)
    head = f"{'server':<8} {'target':<6} {'req/s':>10} {'p50 ms':>9} {'p99 ms':>9} {'requests':>9}  errors"
    if repeated:
        head += "  |  req/s of every run"
    print(head)
    print("-" * len(head))
    for r in best:
        errors = ", ".join(f"{k} {v}" for k, v in r.socket_errors.items()) or "-"
        line = (
            f"{r.server:<8} {r.target:<6} {r.requests_per_sec:>10.1f} {r.p50_ms:>9.2f} {r.p99_ms:>9.2f} "
            f"{r.requests:>9}  {errors:<6}"
        )
        if repeated:
            every = [x.requests_per_sec for x in runs if x.server == r.server and x.target == r.target]
            line += "  |  " + " ".join(f"{x:.0f}" for x in every)
        print(line)
    print()
    for server, ratio in ratios.items():
        print(f"real/bare {server:<8} {ratio:.3f}")
    real = {r.server: r.requests_per_sec for r in best if r.target == "real"}
    if len(real) > 1:
        fastest = max(real, key=real.__getitem__)
        print(f"fastest for the real app: {fastest}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10, help="seconds of measured load per run (default 10)")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of unmeasured load first (default 2)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (default 32)")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (default 1)")
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite", help="database (default sqlite)")
    parser.add_argument("--servers", nargs="+", choices=SERVERS, default=list(SERVERS), help="server software")
    parser.add_argument(
        "--pin",
        choices=("on", "off"),
        default="on" if (os.cpu_count() or 1) >= 2 else "off",
        help="taskset: server on the last CPU, wrk on the others (default on with 2+ CPUs)",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per server and target; the best is reported (default 1)"
    )
    parser.add_argument("--json", type=Path, default=None, metavar="PATH", help="also write the results as JSON")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.connections < args.threads:
        parser.error("--connections must be at least --threads")
    if args.duration + args.warmup > SKEW_SECONDS - 60:
        parser.error("--duration plus --warmup must stay under 14 minutes: the pre-signed Timestamp expires at 15")
    args.server_cpus = args.wrk_cpus = None
    if args.pin == "on":
        if not shutil.which("taskset"):
            parser.error("--pin on needs taskset (util-linux); use --pin off")
        cpus = sorted(os.sched_getaffinity(0))
        if len(cpus) < 2:
            parser.error("--pin on needs 2 CPUs; use --pin off")
        args.server_cpus = str(cpus[-1])
        args.wrk_cpus = ",".join(map(str, cpus[:-1]))
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    wrk = shutil.which("wrk")
    if wrk is None:
        print(WRK_INSTALL, file=sys.stderr)
        return 2
    pin = f"server on CPU {args.server_cpus}, wrk on CPU {args.wrk_cpus}" if args.server_cpus else "no pinning"
    command = " ".join([Path(sys.executable).name, *sys.argv]) if argv is None else f"main({argv!r})"
    print(f"$ {command}")
    print(
        f"wrk: {args.threads} thread(s), {args.connections} connections, {args.warmup:g}s warm-up + "
        f"{args.duration:g}s per run; database {args.db}; {pin}",
        flush=True,
    )
    started = datetime.now(UTC)
    load = os.getloadavg()
    busy = cpu_busy()
    if busy is not None and busy > 10:
        print(f"warning: the CPUs are {busy:.0f}% busy before the run; other work on this machine skews the figures")
    runs: list[Result] = []
    try:
        with temporary_database(args.db) as db_url, tempfile.TemporaryDirectory(prefix="outbound-bench-") as tmp:
            add_seller(db_url)
            for round_ in range(1, args.repeat + 1):  # rounds interleave, so a disturbance hits one run, not a series
                for server in args.servers:
                    for target in ("real", "bare"):
                        label = f"  {server:<8} {target:<5}" + (f" (run {round_})" if args.repeat > 1 else "")
                        print(f"{label} ...", end=" ", flush=True)
                        result, _ = bench_one(args, wrk, server, target, db_url, Path(tmp))
                        result.run = round_
                        print(f"{result.requests_per_sec:.1f} req/s", flush=True)
                        runs.append(result)
    except BenchError as err:
        print(f"\nFAILED: {err}", file=sys.stderr)
        return 1
    best = best_of(runs, args.servers)
    ratios = {}
    for server in args.servers:
        real = next(r for r in best if r.server == server and r.target == "real")
        bare = next(r for r in best if r.server == server and r.target == "bare")
        ratios[server] = real.requests_per_sec / bare.requests_per_sec
    print()
    print_table(runs, best, ratios)
    if args.json:
        document = {
            "started": started.isoformat(),
            "command": command,
            "settings": {
                "duration_s": args.duration,
                "warmup_s": args.warmup,
                "connections": args.connections,
                "wrk_threads": args.threads,
                "repeat": args.repeat,
                "db": args.db,
                "workers": 1,
                "server_cpus": args.server_cpus,
                "wrk_cpus": args.wrk_cpus,
                "request": "POST GetServiceStatus, form body, HmacSHA256, pre-signed",
            },
            "machine": {
                "cpus": os.cpu_count(),
                "platform": platform.platform(),
                "wrk": wrk_version(wrk),
                "loadavg_before": load,
                "cpu_busy_percent_before": busy,
            },
            "versions": versions(),
            "results": [asdict(r) for r in best],
            "runs": [asdict(r) for r in runs],
            "ratio_real_over_bare": ratios,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(document, indent=2) + "\n")
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
