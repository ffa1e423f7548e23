"""Typing into the agent's search box in a real terminal (prints figures, asserts nothing).

Starts ``helpdesk agent`` in a tmux pane (100x30, its own data folder), waits for the
search prompt, sends a caller's sentence as one burst of keys (as a paste or a fast
typist does), and times how long until the pane shows the whole sentence and the
results for it. Each key used to run a full search; a burst of 59 keys took seconds.

    .venv/bin/python bench/tui_typing.py [--runs 3]

Needs tmux (``scripts/system-deps.sh``).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SENTENCE = "she typed the wrong password many times and now cant get in"
EXPECTED = "locked out"  # a symptom line of the lockout tree, the first result for it
SESSION = "helpdesk-bench-typing"


def pane() -> str:
    done = subprocess.run(
        ["tmux", "capture-pane", "-p", "-t", SESSION], capture_output=True, text=True
    )
    return done.stdout


def wait_for(predicate: object, timeout: float) -> float | None:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if predicate():  # type: ignore[operator]
            return time.perf_counter() - started
        time.sleep(0.01)
    return None


def one_run(home: Path) -> float | None:
    agent = ROOT / ".venv" / "bin" / "helpdesk"
    command = f"cd {ROOT} && XDG_DATA_HOME={home}/data HOME={home} {agent} agent; sleep 30"
    subprocess.run(["tmux", "kill-session", "-t", SESSION], capture_output=True)
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", SESSION, "-x", "100", "-y", "30", command],
        check=True,
    )
    try:
        # The knowledge base loads in the background: wait for the tree list.
        if wait_for(lambda: "Diagnostic trees" in pane(), 30) is None:
            print("the agent app did not show its trees within 30 s", file=sys.stderr)
            return None
        subprocess.run(["tmux", "send-keys", "-t", SESSION, "-l", SENTENCE], check=True)
        started = time.perf_counter()
        shown = wait_for(lambda: SENTENCE[-20:] in pane() and EXPECTED in pane(), 30)
        return None if shown is None else time.perf_counter() - started
    finally:
        subprocess.run(["tmux", "kill-session", "-t", SESSION], capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        sys.exit("tmux is missing: run scripts/system-deps.sh")
    times: list[float] = []
    with tempfile.TemporaryDirectory(prefix="helpdesk-bench-typing-") as tmp:
        for run in range(args.runs):
            took = one_run(Path(tmp) / f"run{run}")
            if took is not None:
                times.append(took)
    if not times:
        sys.exit("no run finished")
    print(
        f"a burst of {len(SENTENCE)} keys to the results for the whole sentence, 100x30 tmux: "
        f"median {statistics.median(times):.2f} s, max {max(times):.2f} s over {len(times)} runs"
    )


if __name__ == "__main__":
    main()
