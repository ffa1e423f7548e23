"""Running the site engine (MkDocs + Material today) as a subprocess.

A subprocess rather than MkDocs' Python API, for three reasons: helpdesk never
depends on the engine's internals (Zensical reads the same config and would be a
different command); the engine's logging cannot spray over our progress display;
and an engine failure arrives as an exit status plus its own lines, which become one
``BuildError`` whose output a writer can read.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from helpdesk.errors import BuildError

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_INTERRUPTED = "Aborted!"
_LEVEL = re.compile(r"^(DEBUG|INFO|WARNING|ERROR|CRITICAL)\s+-\s")

# Material prints an end-of-life notice on every run; it is not about this site.
_NOTICE_MARKERS = (
    "│",
    "To disable this warning, set NO_MKDOCS_2_WARNING",
    "Material for MkDocs reaches end of life",
    "MkDocs 2.0",
)


def engine_env() -> dict[str, str]:
    """The engine's environment: no colours, and Material's notice switched off at the source."""
    env = dict(os.environ)
    env.update(NO_MKDOCS_2_WARNING="1", NO_COLOR="1", PYTHONUNBUFFERED="1")
    env.pop("FORCE_COLOR", None)
    return env


def build_command(config: Path, out_dir: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "mkdocs",
        "build",
        "--strict",
        "--config-file",
        str(config),
        "--site-dir",
        str(out_dir),
    ]


_RESTORED_SIGINT = (
    "import runpy, signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "runpy.run_module('mkdocs', run_name='__main__', alter_sys=True)"
)
"""Runs the engine with Ctrl-C's default restored: a process started in the background by
a shell inherits "ignore SIGINT", and the engine's server must still stop when asked."""


def serve_command(config: Path, host: str, port: int) -> list[str]:
    # No --strict: while a writer edits, a broken link should warn, not stop the preview.
    return [
        sys.executable,
        "-c",
        _RESTORED_SIGINT,
        "serve",
        "--config-file",
        str(config),
        "--dev-addr",
        f"{host}:{port}",
        "--livereload",
    ]


def run_build(config: Path, out_dir: Path, *, cwd: Path, label: str = "") -> list[str]:
    """Build the site into ``out_dir``; ``label`` names it in a failure ("the 'it' site").

    Returns:
        The engine's warnings (strict mode makes any warning a failure, so usually none).

    Raises:
        BuildError: the engine failed; ``output`` holds its warnings and errors.
    """
    try:
        result = subprocess.run(
            build_command(config, out_dir),
            cwd=cwd,
            env=engine_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
            check=False,
        )
    except OSError as exc:
        raise BuildError(f"could not start the site engine: {exc}") from None
    shown = filter_output(result.stdout)
    if result.returncode != 0:
        raise BuildError(
            f"the site engine (MkDocs) failed{' on ' + label if label else ''} "
            f"with exit status {result.returncode}; "
            "the previous site was left as it was",
            output="\n".join(shown),
        )
    return shown


def filter_output(text: str) -> list[str]:
    """The engine's lines worth a writer's attention: warnings, errors, anything unexpected.

    INFO lines (and their indented continuations) and Material's notice are dropped, and
    so is click's "Aborted!" of an engine stopped by Ctrl-C: helpdesk says that itself.
    """
    shown: list[str] = []
    keep_continuation = False
    for raw in text.splitlines():
        line = _ANSI.sub("", raw).rstrip()
        if (
            not line.strip()
            or line == _INTERRUPTED
            or any(marker in line for marker in _NOTICE_MARKERS)
        ):
            continue
        level = _LEVEL.match(line)
        if level:
            keep_continuation = level.group(1) not in ("DEBUG", "INFO")
            if keep_continuation:
                shown.append(line)
        elif line.startswith((" ", "\t")):
            if keep_continuation:
                shown.append(line)
        else:
            keep_continuation = True  # e.g. a traceback or a config error from the engine
            shown.append(line)
    return shown
