"""Benchmark of the feedback service and of the content health report.

1. Beacons per second: ``helpdesk feedback serve`` runs as its own process (one uvicorn
   worker, SQLite, 127.0.0.1) and ``wrk`` posts text/plain bodies to it, a mix of votes
   and searches like the site sends, at N connections for a bounded time, in rounds.
   The per-browser rate limit is lifted for the run (every wrk connection is the same
   "browser"); everything else (parsing, validation, the catalog check, the batched
   writer) is as served. After the load, the rows in the database are counted: every
   202 must have been stored.
2. The report: a database of 100,000 feedback records and 10,000 transcripts are
   generated (not timed), then ``helpdesk report``'s work is timed: reading the
   feedback, grouping the failed searches, the nearest-article lookups, the transcript
   analytics, and rendering text, JSON and HTML.

    .venv/bin/python bench/feedback.py [--connections 64] [--seconds 10] [--rounds 2] [--no-pin]
                                       [--records 100000] [--transcripts 10000]

Targets: >= 2,000 beacons/s with p99 < 50 ms at 64 connections; the report in < 5 s.
Figures on a shared machine are noisy: run it twice and read the rounds.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx

from helpdesk.diagnostics.model import trees_of

ROOT = Path(__file__).resolve().parents[1]
KB = ROOT / "kb"
HELPDESK = Path(sys.executable).parent / "helpdesk"
UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
WORDS = {
    "en": ["activation code", "pin", "mfa", "locked account", "scanner", "police report",
           "printer offline", "closing time", "walk in", "signed form", "backup codes"],
    "it": ["schedina alloggiati", "codice attivazione", "pin", "scanner bloccato",
           "orario di chiusura", "modulo firmato", "questura", "account bloccato"],
    "es": ["codigo de activacion", "pin", "escaner", "cuenta bloqueada", "parte de viajeros",
           "formulario firmado", "hora de cierre"],
}  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def articles() -> list[str]:
    from helpdesk.content.kb import load_kb

    return sorted(a.id for a in load_kb(KB).site_articles())


def typo(text: str, rng: random.Random) -> str:
    if len(text) < 4 or rng.random() < 0.7:
        return text
    at = rng.randrange(1, len(text) - 1)
    return text[:at] + text[at + 1 :]


def bodies(ids: list[str], count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        lang = rng.choice(list(WORDS))
        if rng.random() < 0.5:
            helpful = rng.random() < 0.7
            item: dict[str, object] = {
                "kind": "vote",
                "lang": lang,
                "article": rng.choice(ids),
                "helpful": helpful,
            }
            if not helpful:
                item["reason"] = rng.choice(["missing-info", "outdated", "hard-to-follow"])
                item["comment"] = "The steps do not match what I see on screen."
        else:
            item = {
                "kind": "search",
                "lang": lang,
                "query": typo(rng.choice(WORDS[lang]), rng),
                "results": rng.choice([0, 0, 3]),
            }
        out.append(json.dumps(item))
    return out


# ----------------------------------------------------------------------- beacons


def wrk_script(items: list[str]) -> str:
    lua_items = ",\n".join(json.dumps(b) for b in items)
    return (
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "text/plain;charset=UTF-8"\n'
        f"local bodies = {{\n{lua_items}\n}}\n"
        "local n = 0\n"
        "request = function()\n"
        "  n = n % #bodies + 1\n"
        "  return wrk.format(nil, nil, nil, bodies[n])\n"
        "end\n"
    )


SERVER_CPU, WRK_CPU = 0, 1
"""With two cores or more, the server runs on one and wrk on another (``--no-pin`` lets the
scheduler choose): otherwise wrk's thread preempts the server's event loop now and then,
and those stalls, not the service, make the 99th percentile."""
PIN = {"on": (os.cpu_count() or 1) >= 2}


def _on_cpu(cpu: int) -> Callable[[], None] | None:
    if not PIN["on"]:
        return None
    return lambda: os.sched_setaffinity(0, {cpu})


def run_wrk(url: str, script: Path, connections: int, seconds: int) -> dict[str, float]:
    out = subprocess.run(
        # One wrk thread: on this 2-core machine wrk and the one-worker server get a core each.
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url],
        preexec_fn=_on_cpu(WRK_CPU),
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    ).stdout
    pct = {
        p: float(v) * UNITS_MS[u]
        for p, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
    }
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    elapsed = float(re.search(r"requests in ([\d.]+)s", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "requests": total,
        "rps": total / elapsed,
        "p50": pct.get("50", float("nan")),
        "p99": pct.get("99", float("nan")),
        "non2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(1) if errors else "none",  # type: ignore[dict-item]
    }


BARE = """
import sys, uvicorn
from fastapi import FastAPI, Request
from starlette.responses import Response
app = FastAPI()
@app.post("/v1/feedback", status_code=202)
async def accept(request: Request) -> Response:
    await request.body()
    return Response(status_code=202)
@app.get("/v1/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=False, log_level="warning")
"""


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _start(command: list[str], base: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=_on_cpu(SERVER_CPU),
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(base + "/v1/health", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            server.kill()
            raise SystemExit(f"{command[0]} did not start")
        time.sleep(0.2)


def bench_beacons(args: argparse.Namespace, tmp: Path) -> None:
    if not shutil.which("wrk"):
        print("wrk is not installed (apt-get install wrk); skipping the beacon benchmark")
        return
    db = tmp / "beacons.sqlite3"
    env = {**os.environ, "HELPDESK_FEEDBACK_LIMIT": "1000000000/1000000000"}
    ports = {"service": free_port(), "bare": free_port()}
    servers = {
        "service": _start(
            [
                str(HELPDESK),
                "feedback",
                "serve",
                "--db",
                str(db),
                "--kb",
                str(KB),
                "--port",
                str(ports["service"]),
            ],
            f"http://127.0.0.1:{ports['service']}",
            env,
        ),
        "bare": _start(
            [sys.executable, "-c", BARE, str(ports["bare"])],
            f"http://127.0.0.1:{ports['bare']}",
            env,
        ),
    }
    try:
        script = tmp / "beacons.lua"
        script.write_text(wrk_script(bodies(articles(), 500)), encoding="utf-8")
        print(
            f"beacons: wrk -t1 -c{args.connections} -d{args.seconds}s, text/plain, one worker; "
            "'bare' is a FastAPI endpoint that reads the body and answers 202 (the ceiling)"
        )
        results: dict[str, list[dict[str, float]]] = {"service": [], "bare": []}
        answered = 0
        for number in range(1, args.rounds + 1):
            for name in ("service", "bare"):  # interleaved: a noisy neighbour slows both
                url = f"http://127.0.0.1:{ports[name]}/v1/feedback"
                cpu_before = cpu_seconds(servers[name].pid)
                figures = run_wrk(url, script, args.connections, args.seconds)
                cpu = cpu_seconds(servers[name].pid) - cpu_before
                figures["cpu_us"] = cpu / max(1, figures["requests"]) * 1e6
                results[name].append(figures)
                if name == "service":
                    answered += int(figures["requests"] - figures["non2xx"])
                print(
                    f"  round {number} {name:<8}{figures['rps']:8.0f} beacons/s"
                    f"  p50 {figures['p50']:6.1f} ms  p99 {figures['p99']:6.1f} ms"
                    f"  server CPU {figures['cpu_us']:5.0f} us/request"
                    f"  non-2xx {figures['non2xx']:.0f}  socket errors: {figures['socket_errors']}"
                )
        rounds = results["service"]
        ratios = [s["rps"] / b["rps"] for s, b in zip(rounds, results["bare"], strict=True)]
        time.sleep(1.0)  # the writer commits what is queued
        with sqlite3.connect(db) as conn:
            stored = sum(
                conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("votes", "searches")
            )
        # Every round is reported, and the verdict is per round: a shared machine's
        # noise shows as a round that misses, never hidden behind the best one.
        meeting = [f for f in rounds if f["rps"] >= 2000 and f["p99"] < 50]
        median_p99 = statistics.median(f["p99"] for f in rounds)
        median_rps = statistics.median(f["rps"] for f in rounds)
        verdict = "meets" if len(meeting) == len(rounds) else "MISSES"
        print(
            f"  service: {len(meeting)} of {len(rounds)} rounds meet the target (>= 2,000/s, "
            f"p99 < 50 ms at {args.connections} connections): {verdict} it; median round "
            f"{median_rps:.0f}/s, p99 {median_p99:.1f} ms; service/bare per round: "
            f"{', '.join(f'{r:.0%}' for r in ratios)}"
        )
        print(
            f"  rows stored {stored} >= {answered} answered 202 "
            f"({'ok' if stored >= answered else 'LOST WRITES'}; requests in flight when wrk "
            "stopped are stored too)"
        )
    finally:
        for server in servers.values():
            server.terminate()
            server.wait(timeout=20)


# ----------------------------------------------------------------------- report


def make_feedback(db: Path, ids: list[str], count: int) -> None:
    from helpdesk.feedback.models import FEEDBACK
    from helpdesk.feedback.records import Received
    from helpdesk.feedback.store import open_store

    store = open_store(db)
    start = datetime(2026, 9, 1, tzinfo=UTC)
    step = timedelta(seconds=80 * 86400 / count)
    batch: list[Received] = []
    for index, body in enumerate(bodies(ids, count, seed=11)):
        batch.append(Received(start + index * step, FEEDBACK.validate_json(body)))
        if len(batch) == 5000:
            store.add(batch)
            batch = []
    if batch:
        store.add(batch)
    store.close()


def make_transcripts(folder: Path, count: int) -> None:
    from helpdesk.content.kb import load_kb
    from helpdesk.diagnostics.transcript import chain, record_line

    trees = sorted(trees_of(load_kb(KB)).values(), key=lambda t: t.id)
    rng = random.Random(5)
    folder.mkdir(parents=True)
    start = datetime(2026, 9, 1, tzinfo=UTC)
    for n in range(count):
        tree = trees[n % len(trees)]
        nodes = sorted(tree.nodes)
        records: list[dict[str, object]] = []
        moment = start + timedelta(minutes=n)
        chain(
            records,
            "start",
            moment.isoformat(),
            session=f"s{n}",
            tree=tree.id,
            version=tree.digest(),
            title=tree.title,
        )
        for _ in range(rng.randint(1, 6)):
            seconds = rng.uniform(3, 90)
            moment += timedelta(seconds=seconds)
            chain(
                records,
                "question",
                moment.isoformat(),
                node=rng.choice(nodes),
                answer="x",
                seconds=round(seconds, 1),
            )
        if rng.random() < 0.8:
            outcome = rng.choice(["resolved", "resolved", "escalated", "workaround"])
            chain(records, "end", moment.isoformat(), node=nodes[-1], outcome=outcome, seconds=2)
        text = "".join(record_line(r) + "\n" for r in records)
        (folder / f"s{n:05d}.jsonl").write_text(text, encoding="utf-8")


def bench_report(args: argparse.Namespace, tmp: Path) -> None:
    from helpdesk.content.kb import load_kb
    from helpdesk.feedback.records import Selection
    from helpdesk.feedback.report import build_health, render_html, render_text, search_nearest
    from helpdesk.feedback.report.health import tree_stats
    from helpdesk.feedback.store import open_store

    kb_copy = tmp / "kb"
    shutil.copytree(KB, kb_copy, ignore=shutil.ignore_patterns(".cache"))
    ids = articles()
    db = tmp / "report.sqlite3"
    transcripts = tmp / "transcripts"
    began = time.perf_counter()
    make_feedback(db, ids, args.records)
    make_transcripts(transcripts, args.transcripts)
    print(
        f"report: {args.records} feedback records and {args.transcripts} transcripts "
        f"generated in {time.perf_counter() - began:.1f} s (not timed)"
    )
    kb = load_kb(kb_copy)
    nearest = search_nearest(kb)
    nearest("en", "warm up")  # builds the search index once, as the first report would
    for number in range(1, args.rounds + 1):
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        kb = load_kb(kb_copy)
        timings["load KB"] = time.perf_counter() - t0
        store = open_store(db)
        t1 = time.perf_counter()
        health = build_health(
            kb,
            store,
            selection=Selection(),
            today=date(2026, 12, 3),
            transcripts_dir=None,
            nearest=search_nearest(kb),
        )
        timings["feedback (SQL, grouping, nearest)"] = time.perf_counter() - t1
        store.close()
        t3 = time.perf_counter()
        health.trees = tree_stats(transcripts)
        health.transcripts_dir = transcripts
        timings["transcripts (diagnostics.report)"] = time.perf_counter() - t3
        t2 = time.perf_counter()
        render_text(health)
        json.dumps(health.to_dict())
        render_html(health)
        timings["render text+json+html"] = time.perf_counter() - t2
        total = time.perf_counter() - t0
        parts = ", ".join(f"{k} {v:.2f} s" for k, v in timings.items())
        verdict = "meets" if total < 5 else "MISSES"
        print(f"  round {number}: {total:.2f} s ({parts}): {verdict} the target (< 5 s)")
    print(
        f"  {health.votes_total} votes over {len(health.articles)} articles, "
        f"{health.searches_total} searches in {len(health.searches)} groups, "
        f"{sum(t.walks for t in health.trees)} walks of {len(health.trees)} trees"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--transcripts", type=int, default=10_000)
    parser.add_argument("--only", choices=["beacons", "report"], help="run one part")
    parser.add_argument(
        "--no-pin", action="store_true", help="let the scheduler place the server and wrk"
    )
    args = parser.parse_args()
    PIN["on"] = PIN["on"] and not args.no_pin
    pinned = f"server on CPU {SERVER_CPU}, wrk on CPU {WRK_CPU}" if PIN["on"] else "not pinned"
    print(
        f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} (shared: noisy);"
        f" {pinned}"
    )
    with tempfile.TemporaryDirectory(prefix="helpdesk-bench-feedback-") as folder:
        tmp = Path(folder)
        if args.only in (None, "beacons"):
            bench_beacons(args, tmp)
        if args.only in (None, "report"):
            bench_report(args, tmp)


if __name__ == "__main__":
    main()
