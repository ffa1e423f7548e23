"""The upgrade view in Chromium: 19.99 -> 20.0 shows the PIN and activation actions first.

Builds the real ``kb/`` (copied into a temporary project, so the build touches nothing in
the checkout), serves the site with ``http.server`` on loopback and drives the system
Chromium through Playwright's sync API.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from helpdesk.cli import cli

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory, serve_folder: Callable[[Path], str]) -> str:
    project = tmp_path_factory.mktemp("release-site")
    shutil.copy(REPO / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copytree(REPO / "kb", project / "kb", ignore=shutil.ignore_patterns(".cache"))
    site = project / "out"
    result = CliRunner().invoke(
        cli, ["build", "--kb", str(project / "kb"), "--site-dir", str(site)]
    )
    assert result.exit_code == 0, result.output
    return serve_folder(site) + "en/"  # the English site


def test_upgrade_from_19_99_to_20_0_shows_pin_and_activation_first(
    site_url: str, chromium: Any
) -> None:
    from playwright.sync_api import expect

    page = chromium.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(site_url + "release-notes/windows-client/upgrade/")
    form = page.locator(".hd-rn-upgrade form")
    expect(form).to_be_visible(timeout=15_000)
    form.locator("select[name=from]").select_option("19.99")
    form.locator("select[name=to]").select_option("20.0")
    sections = page.locator(".hd-rn-upgrade-result section")
    expect(sections.first).to_have_attribute("data-section", "upgrade")
    first_notes = sections.first.locator("[data-note]")
    expect(first_notes).to_have_count(2)
    assert first_notes.nth(0).get_attribute("data-note") == "pin-required"
    assert first_notes.nth(1).get_attribute("data-note") == "devices-deactivated"
    expect(first_notes.nth(0)).to_contain_text("PIN")
    expect(first_notes.nth(1)).to_contain_text("activation code")
    order = [sections.nth(i).get_attribute("data-section") for i in range(sections.count())]
    assert order[0] == "upgrade" and "features" in order
    assert "from=19.99" in page.url and "to=20.0" in page.url  # a link agents can paste
    # The note links back to its permalink on the version page.
    link = first_notes.nth(0).locator("a", has_text="From version 20.0")
    assert (link.get_attribute("href") or "").endswith(
        "/release-notes/windows-client/20.0/#v20-0-pin-required"
    )
    assert errors == []


def test_without_javascript_every_version_is_listed(site_url: str, chromium: Any) -> None:
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + "release-notes/windows-client/upgrade/")
    listed = page.locator("article li a").all_inner_texts()
    assert "Windows client 20.0" in listed and "Windows client 19.99" in listed
    assert not page.locator(".hd-rn-upgrade").is_visible()
