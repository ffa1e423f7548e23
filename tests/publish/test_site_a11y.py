"""Accessibility as a gate: axe-core in Chromium over every kind of page, light and dark.

The real ``kb/`` is built and served on loopback. Each page kind a customer meets (home,
category, article with platform tabs, tag, release version, the upgrade view, the "not
found" page, and search open with results) is checked by axe-core (PyPI
``axe-playwright-python``) in the light and the dark scheme; any serious or critical
violation fails the test, listed with its rule, target and help text. A keyboard walk
checks that every control can be reached with Tab and shows a visible focus ring.
Screenshots of each page land in the test's tmp folder.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from publish_support import REPO, make_project

from helpdesk.cli import cli

pytestmark = pytest.mark.browser

PAGE_KINDS = {
    "home": "",
    "category": "access-security/",
    "article-with-tabs": "access-security/pin-login/",
    "tag": "tags/mfa/",
    "release-version": "release-notes/windows-client/19.99/",
    "upgrade-view": "release-notes/windows-client/upgrade/?from=19.99&to=20.0",
    "not-found": "no/such/page/",
}
SCHEMES = ("light", "dark")
BLOCKING = ("serious", "critical")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, serve_folder: Callable[[Path], str]) -> str:
    project = make_project(tmp_path_factory.mktemp("a11y"), REPO / "kb")
    result = CliRunner().invoke(cli, ["build", "--kb", str(project / "kb")])
    assert result.exit_code == 0, result.output
    return serve_folder(project / "site") + "en/"


def blocking_violations(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] in BLOCKING:
            targets = ", ".join(str(node["target"]) for node in violation["nodes"][:5])
            impact, rule, text = violation["impact"], violation["id"], violation["help"]
            found.append(f"{impact} {rule}: {text} [{targets}]")
    return found


def open_page(chromium: Any, site: str, path: str, scheme: str, width: int = 1280) -> Any:
    context = chromium.new_context(
        viewport={"width": width, "height": 800}, color_scheme=scheme, reduced_motion="reduce"
    )
    page = context.new_page()
    page.goto(site + path)
    page.wait_for_load_state("networkidle")
    return page


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("kind", list(PAGE_KINDS))
def test_no_serious_or_critical_violation(
    kind: str, scheme: str, site: str, chromium: Any, tmp_path: Path
) -> None:
    page = open_page(chromium, site, PAGE_KINDS[kind], scheme)
    if kind == "upgrade-view":
        page.locator(".hd-rn-upgrade-result section").first.wait_for(timeout=10_000)
    if kind == "article-with-tabs":
        page.locator(".tabbed-labels > label", has_text="Android").first.click()
    page.screenshot(path=str(tmp_path / f"{kind}-{scheme}.png"), full_page=True)
    problems = blocking_violations(page)
    page.context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("kind", list(PAGE_KINDS))
def test_each_landmark_can_be_told_apart_by_its_name(kind: str, site: str, chromium: Any) -> None:
    # The home page has two search boxes: a screen reader's landmark list must not offer
    # two "Help center" searches (axe's landmark-unique, a moderate rule).
    from axe_playwright_python.sync_playwright import Axe

    page = open_page(chromium, site, PAGE_KINDS[kind], "light")
    results = Axe().run(page)
    page.context.close()
    same = [v for v in results.response["violations"] if v["id"] == "landmark-unique"]
    assert not same, [node["html"] for v in same for node in v["nodes"]]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_search_open_with_results_has_no_serious_violation(
    scheme: str, site: str, chromium: Any, tmp_path: Path
) -> None:
    page = open_page(chromium, site, "", scheme)
    page.locator("#hd-home-input").fill("pin android")
    page.wait_for_selector('#hd-home-panel ol[data-query="pin android"] li', timeout=15_000)
    page.screenshot(path=str(tmp_path / f"search-{scheme}.png"), full_page=True)
    problems = blocking_violations(page)
    page.context.close()
    assert not problems, "\n".join(problems)


FOCUS_STYLE = """(el) => { const s = getComputedStyle(el);
  const label = el.innerText || el.value || el.getAttribute('aria-label') || '';
  return { tag: el.tagName, text: label.trim().slice(0, 40),
           outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
           shadow: s.boxShadow !== 'none', visible: el.getBoundingClientRect().width > 0 }; }"""


@pytest.mark.parametrize("path", ["", "access-security/pin-login/"])
def test_every_control_is_reachable_by_keyboard_with_a_visible_focus(
    path: str, site: str, chromium: Any
) -> None:
    page = open_page(chromium, site, path, "light")
    seen: list[dict[str, Any]] = []
    for _ in range(200):  # bounded: the pages have far fewer stops
        page.keyboard.press("Tab")
        info = page.evaluate(f"() => ({FOCUS_STYLE})(document.activeElement || document.body)")
        if info is None or info["tag"] == "BODY":
            break
        seen.append(info)
        if len(seen) > 3 and seen[-1] == seen[0]:
            break
    tags = {entry["tag"] for entry in seen}
    assert "INPUT" in tags, "the search box is not reachable with Tab"
    assert "A" in tags
    hidden_focus = [e for e in seen if e["visible"] and not (e["outline"] or e["shadow"])]
    assert not hidden_focus, f"focus is not visible on: {hidden_focus[:5]}"
    texts = " ".join(entry["text"] for entry in seen)
    if path:  # the article's breadcrumbs and "Still need help?" links are reachable too
        assert "Help center" in texts and "Support portal" in texts
    page.context.close()
