"""Benchmark of the access API: access-check and PIN set against a bare endpoint.

Runs each server as its own process (uvicorn, one worker, 127.0.0.1 only) so the
load generator does not share the GIL with it: a bare FastAPI endpoint returning a
constant (the ceiling), the access API as served, and the access API with scrypt at
its floor (n=2), so the PIN set is measured with and without the KDF's cost. Each
load runs N concurrent connections for a bounded number of seconds; the loads are
interleaved in rounds (a noisy neighbour slows all of them alike) and the report
gives every round, then medians: throughput, p50/p99, the server's CPU time per
request (from /proc, all its threads), and the throughput ratios to the bare endpoint
taken within each round.

The load generator is ``wrk`` (Debian's package) when it is installed, else httpx.
On a 2-core machine a Python load generator takes a core of its own and its event
loop's pauses show up as server latency (the bare endpoint's own p99 reads ~150 ms
with httpx); wrk measures the server, not the client. ``--generator`` chooses.

    .venv/bin/python bench/access_api.py [--connections 16] [--seconds 5] [--rounds 3]
                                         [--generator wrk|httpx] [--requests 3000]

Targets: access-check >= 50 % of the bare throughput, PIN set >= 25 %, p99 < 50 ms at
16 connections. The PIN KDF (scrypt at the served cost) is timed on its own as well.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

HOST = "127.0.0.1"


@dataclass
class Figures:
    """One load's result: throughput, latency percentiles, the server's CPU per request."""

    name: str
    requests: int
    seconds: float
    percentiles_ms: dict[float, float]  # 0.5 and 0.99
    errors: int
    generator: str
    cpu_us: float | None = None  # server CPU time per request (all its threads)

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds

    def percentile(self, q: float) -> float:
        return self.percentiles_ms[q]

    def line(self) -> str:
        return (
            f"{self.name:<15} {self.throughput:9.0f} req/s   p50 {self.percentile(0.5):6.2f} ms"
            f"   p99 {self.percentile(0.99):6.2f} ms   {_cpu(self.cpu_us)}   ({self.requests}"
            f" requests, {self.errors} errors, {self.generator})"
        )


def _cpu(cpu_us: float | None) -> str:
    return "cpu    n/a" if cpu_us is None else f"cpu {cpu_us:5.0f} us/req"


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU of a process so far (Linux ``/proc``), or None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _serve_bare(port: int) -> None:
    import uvicorn
    from fastapi import FastAPI

    bare = FastAPI()

    @bare.get("/bare")
    @bare.post("/bare")
    async def constant() -> dict[str, str]:
        return {"status": "ok"}

    uvicorn.run(bare, host=HOST, port=port, access_log=False, log_level="warning", lifespan="off")


def _serve_app(db: str, port: int) -> None:
    from helpdesk.server.live import serve
    from helpdesk.server.settings import Settings

    serve(Settings.from_env(Path(db)), host=HOST, port=port)


def _spawn(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, __file__, *args],
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait(url: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit(f"server at {url} did not start")


def _as_async(func: Any) -> Any:
    async def call(*args: Any, **kwargs: Any) -> Any:
        return await asyncio.to_thread(func, *args, **kwargs)

    return call


async def _load_httpx(
    name: str,
    method: str,
    url: str,
    *,
    connections: int,
    requests: int,
    seconds: float,
    headers: dict[str, str] | None = None,
    json: object = None,
) -> Figures:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    latencies: list[float] = []
    errors = 0
    remaining = requests
    async with httpx.AsyncClient(limits=limits, headers=headers, timeout=30) as client:
        for _ in range(connections):  # warm every connection first
            await client.request(method, url, json=json)
        started = time.perf_counter()
        deadline = started + seconds

        async def worker() -> None:
            nonlocal remaining, errors
            while remaining > 0 and time.perf_counter() < deadline:
                remaining -= 1
                t0 = time.perf_counter()
                response = await client.request(method, url, json=json)
                latencies.append((time.perf_counter() - t0) * 1000)
                if response.status_code != 200:
                    errors += 1

        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    percentiles = {q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] for q in (0.5, 0.99)}
    return Figures(name, len(latencies), elapsed, percentiles, errors, "httpx")


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _wrk(
    name: str,
    method: str,
    url: str,
    *,
    connections: int,
    seconds: float,
    headers: dict[str, str] | None = None,
    json: object = None,
    **_: object,
) -> Figures:
    import json as jsonlib
    import re

    script = "\n".join(
        [f'wrk.method = "{method}"']
        + [f'wrk.headers["{k}"] = "{v}"' for k, v in (headers or {}).items()]
        + (
            [
                'wrk.headers["Content-Type"] = "application/json"',
                f"wrk.body = {jsonlib.dumps(jsonlib.dumps(json))}",
            ]
            if json is not None
            else []
        )
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script + "\n")
    try:
        out = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency",
             "-s", handle.name, url],
            capture_output=True, text=True, check=True, timeout=seconds + 30,
        ).stdout  # fmt: skip
    finally:
        os.unlink(handle.name)
    percentiles = {
        float(p) / 100: float(v) * _UNITS_MS[u]
        for p, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
    }
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    elapsed = float(re.search(r"requests in ([\d.]+)s", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return Figures(name, total, elapsed, percentiles, int(bad.group(1)) if bad else 0, "wrk")


def _kdf_cost_ms(n: int, rounds: int = 50) -> float:
    from helpdesk.server.security import PinHasher

    hasher = PinHasher("bench-pepper", n=n)
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        hasher.hash("5937")
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def _prepare(db: Path) -> str:
    from helpdesk.server.app import create_app
    from helpdesk.server.seed import create_demo_token, seed
    from helpdesk.server.settings import Settings

    settings = Settings.from_env(db)
    state = create_app(settings).state.access
    seed(state.store, state.hasher, settings.clock())
    token = create_demo_token(state.store, settings.clock(), name="bench")
    state.store.close()
    return token


# The second app server hashes PINs with scrypt at its floor (n=2): its PIN set is the
# rest of the write path (token, rules, the group commit and its fsync, the audit
# record), i.e. what the target means once the KDF's cost is reported on its own.
KDF_FLOOR = 2


async def _main(args: argparse.Namespace) -> None:
    from helpdesk.server import seed as demo
    from helpdesk.server.live import free_port

    env = {
        "HELPDESK_PIN_PEPPER": "bench-pepper",
        "HELPDESK_ACCESS_WRITE_LIMIT": "1000000/1000000",
        "HELPDESK_ACCESS_PIN_LIMIT": "1000000/1000000",
    }
    os.environ.update(env)
    from helpdesk.server.settings import Settings

    n = Settings.from_env(Path("bench.db")).scrypt_n  # what the served app will use
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        token = _prepare(db)
        ports = {name: free_port() for name in ("bare", "app", "floor")}
        servers = {
            "bare": _spawn("--serve-bare", str(ports["bare"])),
            "app": _spawn("--serve-app", str(db), str(ports["app"]), env=env),
            "floor": _spawn(
                "--serve-app",
                str(db),
                str(ports["floor"]),
                env={**env, "HELPDESK_PIN_SCRYPT_N": str(KDF_FLOOR)},
            ),
        }
        try:
            _wait(f"http://{HOST}:{ports['bare']}/bare")
            _wait(f"http://{HOST}:{ports['app']}/healthz")
            _wait(f"http://{HOST}:{ports['floor']}/healthz")
            common = {
                "connections": args.connections,
                "requests": args.requests,
                "seconds": args.seconds,
            }
            auth = {"Authorization": f"Bearer {token}"}
            user = demo.ADMIN_MFA_PIN.id
            check_query = f"client=windows&version=20.0.1&device={demo.DEVICE_PENDING.id}"
            pin = {
                "headers": auth,
                "json": {"pin": "5937", "reason": "benchmark run", "ticket": "BENCH"},
            }
            # Both generators take the same arguments and give figures of the same shape.
            _load = _as_async(_wrk) if args.generator == "wrk" else _load_httpx
            targets = {
                "bare": ("bare", "GET", "/bare", {}),
                # The bare endpoint again, sent access-check's query and token: parsing
                # a longer request is the HTTP server's cost, not the application's.
                "bare, same req": ("bare", "GET", f"/bare?{check_query}", {"headers": auth}),
                "access-check": (
                    "app",
                    "GET",
                    f"/v1/users/{user}/access-check?{check_query}",
                    {"headers": auth},
                ),
                # And sent the PIN set's POST: its token, its body (received, not read).
                "bare, same POST": ("bare", "POST", "/bare", pin),
                "PIN set": ("app", "POST", f"/v1/users/{user}/pin", pin),
                "PIN set, n=2": ("floor", "POST", f"/v1/users/{user}/pin", pin),
            }
            # Rounds interleave the loads so a noisy neighbour slows all of them alike;
            # the ratios are taken within a round, and their median is reported.
            rounds: list[dict[str, Any]] = []
            for _ in range(args.rounds):
                figures = {}
                for name, (server, method, path, extra) in targets.items():
                    pid = servers[server].pid
                    url = f"http://{HOST}:{ports[server]}{path}"
                    before = _cpu_seconds(pid)
                    one = await _load(name, method, url, **common, **extra)
                    after = _cpu_seconds(pid)
                    if before is not None and after is not None and one.requests:
                        one.cpu_us = (after - before) / one.requests * 1e6
                    figures[name] = one
                rounds.append(figures)
        finally:
            for server in servers.values():
                server.terminate()
                server.wait(timeout=10)
    kdf = _kdf_cost_ms(n)
    print(
        f"access API benchmark: {args.connections} connections, one uvicorn worker, {HOST}, "
        f"load from {args.generator}, {args.rounds} rounds of {args.seconds:g} s each, "
        f"{os.cpu_count()} cores shared with the load generator"
    )
    for number, figures in enumerate(rounds, start=1):
        print(f"  round {number}")
        for one in figures.values():
            print("    " + one.line())

    def median(name: str, value: Any) -> float:
        return statistics.median(value(figures[name]) for figures in rounds)

    def ratio(name: str, bare: str = "bare") -> float:
        return statistics.median(f[name].throughput / f[bare].throughput for f in rounds)

    def cpu(name: str) -> float | None:
        known = [f[name].cpu_us for f in rounds if f[name].cpu_us is not None]
        return statistics.median(known) if known else None

    def p99(name: str) -> float:
        return median(name, lambda f: f.percentile(0.99))

    print("  medians over the rounds:")
    for name in targets:
        print(
            f"    {name:<15} {median(name, lambda f: f.throughput):9.0f} req/s"
            f"   p50 {median(name, lambda f: f.percentile(0.5)):6.2f} ms   p99 {p99(name):6.2f} ms"
            f"   {_cpu(cpu(name))}"
        )
    print(f"  scrypt KDF alone: {kdf:.1f} ms per PIN hash (n={n}, r=8, p=1) on one core")
    print(
        f"  throughput vs bare: access-check {ratio('access-check'):.0%}"
        f" ({ratio('access-check', 'bare, same req'):.0%} vs the bare endpoint sent the same"
        " request; target >= 50%);"
        f" PIN set {ratio('PIN set'):.1%} with the KDF (n={n}),"
        f" {ratio('PIN set, n=2'):.0%} with it at its floor"
        f" ({ratio('PIN set, n=2', 'bare, same POST'):.0%} vs the bare endpoint sent the same"
        " POST; target >= 25%)"
    )
    print(
        f"  p99 at {args.connections} connections (target < 50 ms): access-check"
        f" {p99('access-check'):.1f} ms, PIN set {p99('PIN set'):.1f} ms with the KDF,"
        f" {p99('PIN set, n=2'):.1f} ms at its floor"
    )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--serve-bare":
        _serve_bare(int(sys.argv[2]))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--serve-app":
        _serve_app(sys.argv[2], int(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--seconds", type=float, default=5.0, help="per load, per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--generator",
        choices=["wrk", "httpx"],
        default="wrk" if shutil.which("wrk") else "httpx",
        help="load generator (default: wrk when installed)",
    )
    asyncio.run(_main(parser.parse_args()))


if __name__ == "__main__":
    main()
