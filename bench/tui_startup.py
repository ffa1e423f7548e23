"""How fast the agent's terminal app is ready, and what loading the KB costs.

Startup is measured two ways, each a fresh ``python -m helpdesk agent`` process:

* in a pseudo-terminal, as an agent meets it: the app runs in a real pty of 100x30
  (TERM=xterm-256color) and the figure is the time from just before the process is
  spawned until the start screen's prompt has been drawn on the terminal (read from
  the pty, escape sequences stripped); then it is stopped;
* headless, with ``HELPDESK_TUI_READY=1``: the app prints ``ready <epoch seconds>``
  when the start screen is mounted, and exits (no terminal output is involved).

The KB and trees are loaded (and the search index warmed) in a worker after the first
screen, so they are timed separately, in-process.

Usage: python bench/tui_startup.py [--runs 7] [--kb kb]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

TARGET = 1.0
PROMPT = "What does the caller say?"
"""The start screen's search prompt: once it is on the terminal, the agent can type."""
_ESCAPES = re.compile(
    rb"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|.)"
)


def _env(data_dir: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "HELPDESK_TUI_READY": "1",
        "HELPDESK_DATA_DIR": str(data_dir),
        "HELPDESK_STATE_DIR": str(data_dir / "sessions"),
        "XDG_CONFIG_HOME": str(data_dir / "config"),
    }
    for name in ("HELPDESK_CONFIG", "HELPDESK_API_URL", "HELPDESK_TOKEN"):
        env.pop(name, None)
    return env


def startup_in_pty(kb: Path, data_dir: Path, columns: int = 100, rows: int = 30) -> float:
    """Seconds from spawning the app in a pty until its prompt is drawn there."""
    env = _env(data_dir)
    env.pop("HELPDESK_TUI_READY")
    env["TERM"] = "xterm-256color"
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "helpdesk", "agent", "--kb", str(kb)],
        stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True,
    )  # fmt: skip
    os.close(slave)
    seen = b""
    try:
        deadline = start + 60
        while time.perf_counter() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    seen += os.read(master, 1 << 16)
                except OSError:  # the app exited: its side of the pty is closed
                    break
                if PROMPT.encode() in _ESCAPES.sub(b"", seen):
                    return time.perf_counter() - start
        text = _ESCAPES.sub(b"", seen).decode(errors="replace")
        raise SystemExit(f"the app drew no prompt in its pty:\n{text[-2000:]}")
    finally:
        # Stopped, not quit: a key sent now could land before the app reads keys.
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        os.close(master)


def startup_once(kb: Path, data_dir: Path) -> float:
    env = _env(data_dir)
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
        in_pty = [startup_in_pty(args.kb, data) for _ in range(args.runs)]

    from helpdesk.content.kb import load_kb
    from helpdesk.diagnostics.model import trees_of
    from helpdesk.tui.catalog import load_catalog

    kb = load_kb(args.kb)
    trees = len(trees_of(kb))
    load = timed(lambda: load_kb(args.kb), 5)
    catalog = timed(lambda: load_catalog(args.kb), 3)

    print(f"KB: {len(kb.articles)} articles, {trees} trees ({args.kb})")
    for name, runs in (("in a 100x30 pty, prompt drawn", in_pty), ("headless, mounted", samples)):
        median = statistics.median(runs)
        print(
            f"first screen, {name}: median {median:.3f} s, min {min(runs):.3f} s, "
            f"max {max(runs):.3f} s over {len(runs)} runs "
            f"(target < {TARGET:.1f} s: {'met' if max(runs) < TARGET else 'MISSED'})"
        )
    print(f"load_kb (articles + trees, validated): median {load:.3f} s")
    print(f"catalog (load_kb + trees + search index check/warm): median {catalog:.3f} s")


if __name__ == "__main__":
    main()
