"""How fast the agent's terminal app is ready, and what loading the KB costs.

Startup is measured the way an agent meets it: a fresh process runs
``python -m helpdesk agent`` (headless, with ``HELPDESK_TUI_READY=1`` the app prints
``ready <epoch seconds>`` when the start screen is mounted and exits). The figure is
the time from just before the process is spawned to that stamp. The KB and trees are
loaded (and the search index warmed) in a worker after the first screen, so they are
timed separately, in-process.

Usage: python bench/tui_startup.py [--runs 7] [--kb kb]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET = 1.0


def startup_once(kb: Path, data_dir: Path) -> float:
    env = {
        **os.environ,
        "HELPDESK_TUI_READY": "1",
        "HELPDESK_DATA_DIR": str(data_dir),
        "HELPDESK_STATE_DIR": str(data_dir / "sessions"),
        "XDG_CONFIG_HOME": str(data_dir / "config"),
    }
    for name in ("HELPDESK_CONFIG", "HELPDESK_API_URL", "HELPDESK_TOKEN"):
        env.pop(name, None)
    start = time.time()
    done = subprocess.run(
        [sys.executable, "-m", "helpdesk", "agent", "--kb", str(kb)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    for line in done.stdout.splitlines():
        if line.startswith("ready "):
            return float(line.split()[1]) - start
    raise SystemExit(f"the app did not report ready:\n{done.stdout}\n{done.stderr}")


def timed(func: object, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        func()  # type: ignore[operator]
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--kb", type=Path, default=Path("kb"))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        startup_once(args.kb, data)  # warm the OS file cache and bytecode
        samples = [startup_once(args.kb, data) for _ in range(args.runs)]

    from helpdesk.content.kb import load_kb
    from helpdesk.tui.catalog import load_catalog

    kb = load_kb(args.kb)
    trees = len(getattr(kb, "trees", {}))
    load = timed(lambda: load_kb(args.kb), 5)
    catalog = timed(lambda: load_catalog(args.kb), 3)

    median = statistics.median(samples)
    print(f"KB: {len(kb.articles)} articles, {trees} trees ({args.kb})")
    print(
        f"first screen ready: median {median:.3f} s, min {min(samples):.3f} s, "
        f"max {max(samples):.3f} s over {len(samples)} runs "
        f"(target < {TARGET:.1f} s: {'met' if median < TARGET else 'MISSED'})"
    )
    print(f"load_kb (articles + trees, validated): median {load:.3f} s")
    print(f"catalog (load_kb + trees + search index check/warm): median {catalog:.3f} s")


if __name__ == "__main__":
    main()
