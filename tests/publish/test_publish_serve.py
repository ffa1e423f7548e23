"""``helpdesk serve``: a YAML change re-renders the served page; a YAML error keeps the old one."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

HELPDESK = [sys.executable, "-m", "helpdesk"]
WAIT = 45.0  # seconds; generous for a loaded CI machine, but bounded


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            body: bytes = response.read()
            return body.decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def wait_for(condition: Callable[[], bool], what: str, log: Path) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    pytest.fail(f"timed out waiting for {what}; serve said:\n{log.read_text()}")


@pytest.fixture
def served(project: Path, tmp_path: Path) -> Iterator[tuple[str, Path, subprocess.Popen[bytes]]]:
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*HELPDESK, "serve", "--kb", str(project / "kb"), "--port", str(port)],
            cwd=project,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group: nothing can outlive the test
        )
    try:
        yield f"http://127.0.0.1:{port}", log, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest.mark.slow
def test_serve_rerenders_on_yaml_change_and_stops_cleanly(
    served: tuple[str, Path, subprocess.Popen[bytes]], project: Path
) -> None:
    base, log, process = served
    page = f"{base}/en/access-security/enable-mfa/"
    italian = f"{base}/it/access-security/enable-mfa/"
    wait_for(
        lambda: "Turn on multi-factor authentication" in (fetch(page) or ""), "first page", log
    )
    # Every language is served (each engine server starts after its first build).
    wait_for(lambda: '<html lang="it"' in (fetch(italian) or ""), "the Italian page", log)

    article = project / "kb" / "articles" / "enable-mfa.yaml"
    original = article.read_text()
    article.write_text(original.replace("title: Turn on multi-factor", "title: Switch on two-step"))
    wait_for(lambda: "Switch on two-step authentication" in (fetch(page) or ""), "re-render", log)
    # Not translated: the Italian site shows the English text, re-rendered too.
    wait_for(
        lambda: "Switch on two-step authentication" in (fetch(italian) or ""), "it re-render", log
    )

    article.write_text(original + "broken: [\n")
    wait_for(lambda: "enable-mfa.yaml:" in log.read_text(), "the YAML error", log)
    assert "Switch on two-step authentication" in (fetch(page) or "")  # last good page stays

    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=15) == 0
    port_open = fetch(base + "/en/") is not None
    assert not port_open, "the engine's server outlived helpdesk serve"
    text = log.read_text()
    assert "Traceback" not in text and "end of life" not in text
    assert "Serving on http://127.0.0.1:" in text


def test_serving_on_a_taken_port_is_a_clear_usage_error(project: Path) -> None:
    from click.testing import CliRunner

    from helpdesk.cli import cli

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(
            cli, ["serve", "--kb", str(project / "kb"), "--port", str(port)]
        )

    assert result.exit_code == 2
    assert f"cannot serve on 127.0.0.1:{port}" in result.output
    assert "Traceback" not in result.output


@pytest.mark.slow
@pytest.mark.parametrize("stop_with", [signal.SIGINT, signal.SIGTERM])
def test_serve_stops_on_a_signal_even_when_started_with_sigint_ignored(
    project: Path, tmp_path: Path, stop_with: signal.Signals
) -> None:
    # A shell script that starts a job in the background leaves SIGINT ignored in it.
    port = free_port()
    log = tmp_path / "serve.log"
    command = " ".join([*HELPDESK, "serve", "--kb", str(project / "kb"), "--port", str(port)])
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["sh", "-c", f"trap '' INT; exec {command}"],
            cwd=project,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: "Serving on" in log.read_text(), "every language served", log)
        request = urllib.request.Request(base + "/", headers={"Accept-Language": "it-IT,it;q=0.9"})
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.url == f"{base}/it/"  # / goes to the browser's language

        process.send_signal(stop_with)
        # Bounded generously for a loaded machine; bench-free, it takes under a second.
        assert process.wait(timeout=5) == 0
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert fetch(f"{base}/en/") is None, "an engine server outlived helpdesk serve"
    assert "Traceback" not in log.read_text()


@pytest.mark.slow
@pytest.mark.browser
def test_the_preview_searches_its_own_pages_and_follows_edits(
    served: tuple[str, Path, subprocess.Popen[bytes]], project: Path, chromium: Any
) -> None:
    base, log, _ = served
    # The engines' servers have no search index: the preview indexes its pages itself.
    wait_for(lambda: fetch(f"{base}/it/hd-search/meta.json") is not None, "the it index", log)
    page = chromium.new_page(viewport={"width": 1280, "height": 800})

    def results(query: str) -> list[str]:
        page.goto(f"{base}/en/")
        box = page.locator("#hd-home-input")
        box.fill(query)
        page.wait_for_selector(f'#hd-home-panel ol[data-query="{query}"]', timeout=15_000)
        ids: list[str] = page.locator("#hd-home-panel .hd-search__result").evaluate_all(
            "(els) => els.map((el) => el.dataset.article)"
        )
        return ids

    assert "enable-mfa" in results("multi-factor authentication")
    article = project / "kb" / "articles" / "enable-mfa.yaml"
    text = article.read_text()
    article.write_text(text.replace("title: Turn on multi-factor", "title: Zebrafy multi-factor"))

    def found() -> bool:
        words = fetch(f"{base}/en/hd-search/words/z.json") or ""
        return "zebrafy" in words

    wait_for(found, "the edited title in the preview's search", log)
    assert results("zebrafy")[:1] == ["enable-mfa"]
    assert "Traceback" not in log.read_text()
