"""Benchmark of the access API over backends and worker counts (prints figures, asserts nothing).

    .venv/bin/python bench/access_api.py [--backend sqlite postgres] [--workers 1 2]
                                         [--connections 64] [--seconds 5] [--rounds 2]

For every backend and worker count asked for (SQLite with more than one worker is
refused by ``serve``, and the refusal is printed instead), in one run:

* a bare FastAPI endpoint with the same number of uvicorn workers (the ceiling);
* ``helpdesk access-api serve --db … --workers N`` as an operator runs it: SQLite in a
  temporary file, or a database in a throwaway PostgreSQL 15 cluster started for the
  run (tests/pg_support.py's, as the user ``postgres``), seeded with the demo workspace;
* loads from ``wrk`` (Debian's package), each for ``--seconds``, in rounds: every
  configuration's servers are started first, then each round loads each configuration
  in turn, so that a noisy neighbour slows all alike (the comparison of PostgreSQL with
  SQLite is the median of the rounds' own ratios): the bare endpoint,
  ``access-check``, ``GET user``, and a mixed load: ``access-check`` from wrk while PIN
  sets arrive at 2 per second beside it (from this process, timed one by one).

Each line gives throughput, p50 and p99, and the server's CPU time per request (the
server and its workers, from /proc). Rate limits are lifted for the run; the PIN KDF
stays scrypt at the served cost, whose time per hash is measured on its own.

Targets (issue 12): reads with 2 workers >= 1.6x one worker on the same backend;
PostgreSQL with 2 workers >= SQLite with one on access-check; p99 < 50 ms at 64
connections; under the mixed load access-check's p99 < 50 ms; access-check >= 50 % of
the bare endpoint on one worker. The machine's cores are shared by wrk, the server's
workers and PostgreSQL: read the figures with the printed load average.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
HELPDESK = Path(sys.executable).parent / "helpdesk"
HOST = "127.0.0.1"
PEPPER = "bench-pepper"
UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
MIXED_PIN_RATE = 2.0  # PIN sets per second beside the access-check load


def bare_app() -> object:
    """The ceiling: a FastAPI endpoint answering a constant (uvicorn's factory)."""
    from fastapi import FastAPI

    app = FastAPI()

    @app.get("/bare")
    async def constant() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/healthz")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app


@dataclass
class Figures:
    name: str
    requests: int
    seconds: float
    p50: float
    p99: float
    non2xx: int
    cpu_us: float | None = None
    note: str = ""

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        cpu = "cpu    n/a" if self.cpu_us is None else f"cpu {self.cpu_us:5.0f} us/req"
        return (
            f"{self.name:<22} {self.rps:8.0f} req/s  p50 {self.p50:6.1f} ms  p99 {self.p99:6.1f} ms"
            f"  {cpu}  non-2xx {self.non2xx}{self.note}"
        )


@dataclass
class Config:
    backend: str
    workers: int
    rounds: list[dict[str, Figures]] = field(default_factory=list)
    refused: str = ""

    @property
    def label(self) -> str:
        return f"{self.backend}, {self.workers} worker{'s' if self.workers > 1 else ''}"

    def median(self, name: str, attribute: str) -> float:
        value: float = statistics.median(getattr(r[name], attribute) for r in self.rounds)
        return value


def process_cpu(pid: int) -> dict[int, float]:
    """User + system CPU seconds of ``pid`` and of each of its descendants (uvicorn's workers)."""
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        stats[int(entry.name)] = fields
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    out: dict[int, float] = {}
    todo = [pid]
    while todo:
        here = todo.pop()
        if here in stats:
            ticks = int(stats[here][11]) + int(stats[here][12])
            out[here] = ticks / os.sysconf("SC_CLK_TCK")
        todo.extend(children.get(here, []))
    return out


def worker_split(before: dict[int, float], after: dict[int, float]) -> str:
    """How the CPU of a load was shared between the processes that did the work, as
    percentages, busiest first (with several workers, an even split says every worker
    got its share of the connections)."""
    spent = sorted((after[p] - before.get(p, 0.0) for p in after), reverse=True)
    busy = [s for s in spent if s > 0.05 * max(sum(spent), 1e-9)]
    total = sum(busy)
    if len(busy) < 2 or not total:
        return ""
    return "; CPU split " + "/".join(f"{100 * s / total:.0f}%" for s in busy)


def wrk(name: str, url: str, token: str | None, connections: int, seconds: float) -> Figures:
    script = 'wrk.method = "GET"\n'
    if token:
        script += f'wrk.headers["Authorization"] = "Bearer {token}"\n'
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        out = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency",
             "-s", handle.name, url],
            capture_output=True, text=True, check=True, timeout=seconds + 60,
        ).stdout  # fmt: skip
    finally:
        os.unlink(handle.name)
    pct = {
        p: float(v) * UNITS_MS[u]
        for p, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
    }
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    elapsed = float(re.search(r"requests in ([\d.]+)s", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return Figures(
        name, total, elapsed, pct.get("50", float("nan")), pct.get("99", float("nan")),
        int(bad.group(1)) if bad else 0,
    )  # fmt: skip


def wait_until_up(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited:\n{log.read_text()[-2000:]}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        time.sleep(0.2)
    raise SystemExit(f"server at {base} did not start:\n{log.read_text()[-2000:]}")


def free_port() -> int:
    from helpdesk.server.live import free_port as free

    return free()


@contextlib.contextmanager
def running(command: list[str], env: dict[str, str], log: Path) -> Iterator[tuple[str, int]]:
    """Start a server (its own process group), wait for /healthz, yield its base URL and
    pid (its workers are that process's children)."""
    port = free_port()
    with log.open("ab") as out:
        process = subprocess.Popen(
            [*command, "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=out,
            start_new_session=True,
        )  # fmt: skip
    base = f"http://{HOST}:{port}"
    try:
        wait_until_up(base, process, log)
        yield base, process.pid
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, 15)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait(timeout=10)


def pin_sets_beside(base: str, token: str, user: str, stop: threading.Event) -> list[float]:
    """PIN sets at MIXED_PIN_RATE until ``stop``; returns each one's latency in ms."""
    latencies: list[float] = []
    body = {"pin": "5937", "reason": "benchmark run", "ticket": "BENCH"}
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as client:
        while not stop.is_set():
            started = time.perf_counter()
            response = client.post(f"/v1/users/{user}/pin", json=body, timeout=30)
            latencies.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                print(f"    PIN set answered {response.status_code}: {response.text[:200]}")
            stop.wait(max(0.0, 1 / MIXED_PIN_RATE - (time.perf_counter() - started)))
    return latencies


def one_round(
    config: Config, base: str, bare: str, token: str, pids: dict[str, int], args: argparse.Namespace
) -> dict[str, Figures]:
    from helpdesk.server import seed as demo

    user = demo.ADMIN_MFA_PIN.id
    query = f"client=windows&version=20.0.1&device={demo.DEVICE_PENDING.id}"
    check = f"/v1/users/{user}/access-check?{query}"
    loads = {
        "bare": (bare, "/bare", None),
        "access-check": (base, check, token),
        "GET user": (base, f"/v1/users/{user}", token),
    }
    figures: dict[str, Figures] = {}
    for name, (server, path, auth) in loads.items():
        pid = pids["bare" if server == bare else "app"]
        before = process_cpu(pid)
        one = wrk(name, server + path, auth, args.connections, args.seconds)
        after = process_cpu(pid)
        one.cpu_us = (sum(after.values()) - sum(before.values())) / max(1, one.requests) * 1e6
        if config.workers > 1:
            one.note = worker_split(before, after)
        figures[name] = one
    stop = threading.Event()
    pins: list[float] = []
    beside = threading.Thread(
        target=lambda: pins.extend(pin_sets_beside(base, token, user, stop)), daemon=True
    )
    beside.start()
    mixed = wrk("access-check + PIN sets", base + check, token, args.connections, args.seconds)
    stop.set()
    beside.join(timeout=60)
    if pins:
        ordered = sorted(pins)
        mixed.note = (
            f"; {len(pins)} PIN sets beside it: median {statistics.median(pins):.0f} ms,"
            f" max {ordered[-1]:.0f} ms"
        )
    figures["mixed"] = mixed
    return figures


@dataclass
class Served:
    """A configuration's servers, started once and loaded round after round."""

    base: str
    bare: str
    token: str
    pids: dict[str, int]


@contextlib.contextmanager
def serving(
    config: Config, args: argparse.Namespace, tmp: Path, cluster: object
) -> Iterator[Served | None]:
    """Seed and start ``config``'s server and its bare twin; None when serve refuses it."""
    env = {
        **os.environ,
        "HELPDESK_PIN_PEPPER": PEPPER,
        "HELPDESK_ACCESS_WRITE_LIMIT": "1000000000/1",
        "HELPDESK_ACCESS_PIN_LIMIT": "1000000000/1",
    }
    if config.backend == "sqlite":
        db = str(tmp / f"bench-{config.workers}.sqlite3")
    else:
        db = cluster.create_database(f"bench{config.workers}")  # type: ignore[attr-defined]
    seeded = subprocess.run(
        [str(HELPDESK), "access-api", "seed", "--db", db],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    if seeded.returncode != 0:
        raise SystemExit(f"seeding {config.label} failed: {seeded.stderr.strip()}")
    token = seeded.stdout.strip().splitlines()[-1]
    serve = [str(HELPDESK), "access-api", "serve", "--db", db, "--workers", str(config.workers)]
    if config.backend == "sqlite" and config.workers > 1:
        refused = subprocess.run(
            [*serve, "--port", str(free_port())], env=env, capture_output=True, text=True,
            timeout=60,
        )  # fmt: skip
        config.refused = (refused.stderr.strip() or refused.stdout.strip()).splitlines()[-1]
        yield None
        return
    bare = [
        sys.executable, "-m", "uvicorn", "--factory", "access_api:bare_app", "--app-dir",
        str(Path(__file__).parent), "--host", HOST, "--workers", str(config.workers),
        "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    log = tmp / f"{config.backend}-{config.workers}.log"
    with running(bare, env, log) as (bare_base, bare_pid), running(serve, env, log) as (base, pid):
        yield Served(base, bare_base, token, {"bare": bare_pid, "app": pid})


def kdf_cost_ms(rounds: int = 20) -> tuple[float, int]:
    from helpdesk.server.security import PinHasher
    from helpdesk.server.settings import Settings

    n = Settings.from_env(Path("bench.sqlite3")).scrypt_n
    hasher = PinHasher(PEPPER, n=n)
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        hasher.hash("5937")
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), n


def report(configs: list[Config], args: argparse.Namespace) -> None:
    kdf_ms, n = kdf_cost_ms()
    print(
        f"access API: wrk -t1 -c{args.connections}, {args.seconds:g} s per load, {args.rounds}"
        f" rounds; {os.cpu_count()} CPUs shared by wrk, the server and PostgreSQL;"
        f" load average {os.getloadavg()[0]:.2f}"
    )
    for config in configs:
        print(f"== {config.label}")
        if config.refused:
            print(f"  refused by serve: {config.refused}")
            continue
        for number, figures in enumerate(config.rounds, start=1):
            print(f"  round {number}")
            for one in figures.values():
                print("    " + one.line())
    ran = {(c.backend, c.workers): c for c in configs if c.rounds}

    def med(backend: str, workers: int, name: str, attribute: str) -> float | None:
        config = ran.get((backend, workers))
        return config.median(name, attribute) if config else None

    print("== against the targets (medians over the rounds)")
    for backend in ("sqlite", "postgres"):
        for name in ("access-check", "GET user"):
            single, double = med(backend, 1, name, "rps"), med(backend, 2, name, "rps")
            if single and double:
                verdict = "ok" if double >= 1.6 * single else "MISSED"
                print(
                    f"  {backend} {name}: 2 workers {double:.0f}/s = {double / single:.2f}x"
                    f" one worker {single:.0f}/s (target >= 1.6x: {verdict})"
                )
    pg2, lite1 = ran.get(("postgres", 2)), ran.get(("sqlite", 1))
    if pg2 and lite1:
        # Paired within each round (the two ran minutes apart at most), then the median.
        ratios = [
            a["access-check"].rps / b["access-check"].rps
            for a, b in zip(pg2.rounds, lite1.rounds, strict=True)
        ]
        ratio = statistics.median(ratios)
        verdict = "ok" if ratio >= 1 else "MISSED"
        each = ", ".join(f"{r:.2f}" for r in ratios)
        print(
            f"  access-check: postgres 2 workers {pg2.median('access-check', 'rps'):.0f}/s vs"
            f" sqlite 1 worker {lite1.median('access-check', 'rps'):.0f}/s ({ratio:.3f}x, the"
            f" median of each round's ratio: {each}; target >= 1x: {verdict})"
        )
    for (_, workers), config in ran.items():
        label = config.label
        for name in ("access-check", "GET user", "mixed"):
            p99 = config.median(name, "p99")
            what = "access-check beside PIN sets" if name == "mixed" else name
            verdict = "ok" if p99 < 50 else "MISSED"
            print(f"  {label}: {what} p99 {p99:.1f} ms (target < 50 ms: {verdict})")
        if workers == 1:
            share = statistics.median(r["access-check"].rps / r["bare"].rps for r in config.rounds)
            verdict = "ok" if share >= 0.5 else "MISSED"
            print(
                f"  {label}: access-check {share:.0%} of the bare endpoint"
                f" (target >= 50%: {verdict})"
            )
    print(
        f"  PIN set: scrypt (n={n}, r=8, p=1) costs {kdf_ms:.1f} ms of one core per PIN; the"
        " PIN-set rate is bounded by that by design"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--backend", nargs="+", choices=["sqlite", "postgres"],
                        default=["sqlite", "postgres"])  # fmt: skip
    parser.add_argument("--workers", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=5.0, help="per load, per round")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")
    configs = [Config(b, w) for b in args.backend for w in sorted(set(args.workers))]
    with tempfile.TemporaryDirectory(prefix="helpdesk-bench-access-") as folder:
        tmp = Path(folder)
        cluster_context: contextlib.AbstractContextManager[object]
        if "postgres" in args.backend:
            sys.path.insert(0, str(ROOT / "tests"))
            from pg_support import PostgresCluster  # type: ignore[import-not-found]

            cluster_context = PostgresCluster()
        else:
            cluster_context = contextlib.nullcontext()
        with cluster_context as cluster, contextlib.ExitStack() as stack:
            served: list[tuple[Config, Served]] = []
            for config in configs:
                print(f"starting {config.label} …", file=sys.stderr, flush=True)
                one = stack.enter_context(serving(config, args, tmp, cluster))
                if one is not None:
                    served.append((config, one))
            # Round after round, every configuration in turn: a neighbour who slows the
            # machine for a while slows each of them alike, and the ratios below are
            # taken within a round.
            for number in range(1, args.rounds + 1):
                for config, one in served:
                    print(f"round {number}: {config.label} …", file=sys.stderr, flush=True)
                    config.rounds.append(
                        one_round(config, one.base, one.bare, one.token, one.pids, args)
                    )
    report(configs, args)


if __name__ == "__main__":
    main()
