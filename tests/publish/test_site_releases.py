"""Release notes that tell the truth about time: release date apart from publication date.

Golden checks of the order: pages and the "current version" follow the versions, never
the dates, whatever the dates say; a release date is shown only when a writer knows it.
The upgrade view (in Chromium) names an unknown version from the address and says so
when the versions chosen are the same or go backwards; unversioned products have none.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from publish_support import REPO, make_project

from helpdesk.cli import cli
from helpdesk.content.kb import load_kb
from helpdesk.publish import release_pages as releases
from helpdesk.publish.templates import make_env
from helpdesk.releases.catalog import releases_of
from helpdesk.releases.workflow import publish_release

FIXTURE = REPO / "tests" / "releases" / "fixtures" / "kb"
DAY = dt.date(2025, 9, 1)
ORDER = [("client", "19.99"), ("client", "20.0.0"), ("client", "20.0.9"), ("client", "20.0.10")]


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    """The release fixture KB, its client versions published in a scrambled date order."""
    root = tmp_path / "kb"
    shutil.copytree(FIXTURE, root)
    shutil.copytree(REPO / "kb" / "templates", root / "templates")
    # Release dates that disagree with the version order on purpose: 20.0.9 "shipped"
    # after 20.0.10, and 19.99's date is unknown.
    released = {"20.0.0": "2025-06-01", "20.0.9": "2025-08-20", "20.0.10": "2025-07-15"}
    for version, day in released.items():
        path = root / "releases" / "client" / f"{version}.yaml"
        path.write_text(path.read_text(encoding="utf-8") + f"released: {day}\n", "utf-8")
    # Published newest-first, so the publication dates run against the versions too.
    for offset, (product, version) in enumerate(reversed(ORDER)):
        publish_release(root, product, version, today=DAY + dt.timedelta(days=offset))
    publish_release(root, "app", "1.5", today=DAY)
    return root


def pages_of(kb_dir: Path) -> dict[str, str]:
    kb = load_kb(kb_dir, today=DAY + dt.timedelta(days=30))
    return releases.release_pages(kb, make_env(kb_dir / "templates"), today=DAY)


def test_product_page_lists_versions_by_version_newest_first_whatever_the_dates(
    kb_dir: Path,
) -> None:
    page = pages_of(kb_dir)["release-notes/client/index.md"]
    headings = re.findall(r"^## (.+?)(?: \{|$)", page, flags=re.MULTILINE)
    assert headings == ["20.0.10", "20.0.9", "20.0.0", "19.99"]
    blocks = page.split("\n## ")[1:]
    assert "**Current version**" in blocks[0]
    assert all("Current version" not in block for block in blocks[1:])


def test_release_date_is_shown_only_when_known_and_apart_from_publication(kb_dir: Path) -> None:
    pages = pages_of(kb_dir)
    newest = pages["release-notes/client/20.0.10.md"]
    assert '**Current version** · Released <time datetime="2025-07-15">15 July 2025</time>' in (
        newest
    )
    assert "Notes published 1 September 2025" in newest  # published first, on DAY
    old = pages["release-notes/client/19.99.md"]
    assert "Released" not in old  # unknown: no date rather than a wrong one
    assert "Notes published 4 September 2025" in old
    assert "Current version" not in old
    index = pages["release-notes/index.md"]
    assert "Current version: [20.0.10](client/20.0.10.md), released 15 July 2025" in index


def test_unversioned_products_get_no_upgrade_view(tmp_path: Path) -> None:
    project = make_project(tmp_path, REPO / "kb")
    result = CliRunner().invoke(cli, ["build", "--kb", str(project / "kb")])
    assert result.exit_code == 0, result.output
    site = project / "site" / "en" / "release-notes"
    assert (site / "windows-client" / "upgrade" / "index.html").is_file()
    assert not (site / "cloud-legacy" / "upgrade").exists()
    legacy = (site / "cloud-legacy" / "index.html").read_text(encoding="utf-8")
    assert "upgrade/" not in legacy and "Upgrading from one version" not in legacy


def test_the_knowledge_base_states_no_release_date_nobody_knows() -> None:
    """facts.md gives no day on which 19.99, 20.0, 1.5 or 1.5.1 shipped, nor when Cloud
    Legacy's notice came out: none of them may carry a release date."""
    kb = load_kb(REPO / "kb")
    for product in releases_of(kb).products(dt.date.today()):
        for view in releases_of(kb).timeline(product, dt.date.today()):
            assert view.release.released is None, (product, view.release.version)


@pytest.fixture(scope="module")
def real_site(tmp_path_factory: pytest.TempPathFactory, serve_folder: Callable[[Path], str]) -> str:
    project = make_project(tmp_path_factory.mktemp("upgrade"), REPO / "kb")
    result = CliRunner().invoke(cli, ["build", "--kb", str(project / "kb")])
    assert result.exit_code == 0, result.output
    return serve_folder(project / "site") + "en/"


@pytest.mark.browser
def test_upgrade_view_names_unknown_versions_and_refuses_going_back(
    real_site: str, chromium: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page = chromium.new_page(viewport={"width": 1280, "height": 800})
    page.goto(real_site + "release-notes/windows-client/upgrade/?from=18.5&to=20.0")
    notice = page.locator(".hd-rn-upgrade-notice")
    expect(notice).to_contain_text("“18.5”")
    expect(notice).to_be_visible()
    # The known version still applies; the unknown one is not silently swapped in.
    expect(page.locator("select[name=to]")).to_have_value("20.0")
    sections = page.locator(".hd-rn-upgrade-result section")
    expect(sections.first).to_be_visible()
    titles = sections.locator("h2").all_inner_texts()
    assert titles[0] == "Before you upgrade"
    page.screenshot(path=str(tmp_path / "upgrade-unknown-from.png"), full_page=True)

    page.select_option("select[name=from]", "20.0")
    result = page.locator(".hd-rn-upgrade-result")
    expect(result).to_contain_text("same version")
    expect(notice).to_be_hidden()
    page.select_option("select[name=to]", "19.99")
    expect(result).to_contain_text("older than the installed one")
