"""Release notes on the site: pages, embargo, known-issue lifecycle, feeds, JSON, upgrade view."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jinja2
import pytest
from releases_support import DAY, PUBLISH_ORDER, edit

from helpdesk.content.kb import load_kb
from helpdesk.publish.pages import collect_site
from helpdesk.publish.release_pages import release_files, release_pages
from helpdesk.releases.catalog import releases_of
from helpdesk.releases.export import upgrade_notes
from helpdesk.releases.workflow import publish_release

ATOM = "{http://www.w3.org/2005/Atom}"
EMBARGO = dt.date(2025, 10, 1)


def _json(files: dict[str, bytes], product: str) -> dict[str, object]:
    data: dict[str, object] = json.loads(files[f"releases/{product}.json"])
    return data


def _sections(data: dict[str, object], version: str) -> dict[str, list[str]]:
    release = next(r for r in data["releases"] if r["version"] == version)  # type: ignore[attr-defined]
    out: dict[str, list[str]] = {}
    for note in release["notes"]:
        out.setdefault(note["section"], []).append(note["id"])
    return out


def test_product_page_is_newest_first_with_anchors(
    published_kb: Path, env: jinja2.Environment
) -> None:
    pages = release_pages(load_kb(published_kb), env, today=DAY)
    page = pages["release-notes/client/index.md"]
    headings = [line for line in page.splitlines() if line.startswith("## ")]
    assert [h.split("{")[1] for h in headings] == [
        " #v20-0-10 }",
        " #v20-0-9 }",
        " #v20-0-0 }",
        " #v19-99 }",
    ]
    assert '<div class="hd-rn-note" id="v20-0-0-set-pin" markdown>' in page
    # Upgrade actions come before every other section of a release.
    version = pages["release-notes/client/20.0.0.md"]
    assert version.index("## Before you upgrade") < version.index("## Known issues")
    assert version.index("## Known issues") < version.index("## Security")
    assert "(../../access/set-pin.md)" in version  # kb: links resolved for the engine
    assert '!!! tip "Workaround to try (not confirmed by PassportScan)"' in version
    index = pages["release-notes/index.md"]
    assert "[Desktop client](client/index.md)" in index and "[Mobile app](app/index.md)" in index
    assert 'rel="alternate feed" type="application/atom+xml"' in page


def test_known_issue_lifecycle_across_three_releases(published_kb: Path) -> None:
    data = _json(release_files(load_kb(published_kb), today=DAY), "client")
    assert "printer-freeze" not in str(_sections(data, "19.99"))
    assert _sections(data, "20.0.0")["known_issues"] == ["printer-freeze"]
    assert _sections(data, "20.0.9")["known_issues"] == ["printer-freeze"]
    assert "known_issues" not in _sections(data, "20.0.10")
    assert _sections(data, "20.0.10")["fixes"] == ["printer-freeze"]


def test_known_issue_without_fix_stays_open(published_kb: Path) -> None:
    edit(published_kb / "releases" / "client" / "20.0.0.yaml", '    fixed_in: "20.0.10"\n', "")
    data = _json(release_files(load_kb(published_kb), today=DAY), "client")
    assert _sections(data, "20.0.10")["known_issues"] == ["printer-freeze"]
    assert "fixes" not in _sections(data, "20.0.10")


@pytest.fixture
def embargoed_kb(kb_dir: Path) -> Path:
    edit(
        kb_dir / "releases" / "client" / "20.0.10.yaml",
        "status: draft\n",
        f"status: draft\npublish_after: {EMBARGO.isoformat()}\n",
    )
    for product, version in PUBLISH_ORDER:
        publish_release(kb_dir, product, version, today=DAY)
    return kb_dir


def test_embargoed_release_is_absent_before_its_date(
    embargoed_kb: Path, env: jinja2.Environment
) -> None:
    before = EMBARGO - dt.timedelta(days=1)
    kb = load_kb(embargoed_kb, today=before)
    content = collect_site(kb, env, today=before)
    everything = "\n".join(content.pages.values()) + "\n".join(
        v.decode() for v in content.files.values()
    )
    assert "release-notes/client/20.0.10.md" not in content.pages
    assert "20.0.10" not in everything.replace('fixed_in: "20.0.10"', "")  # not even in the JSON
    assert "dark-mode" not in everything
    data = _json(content.files, "client")
    assert _sections(data, "20.0.9")["known_issues"] == ["printer-freeze"]  # fix not announced


def test_embargoed_release_appears_on_its_date(embargoed_kb: Path, env: jinja2.Environment) -> None:
    kb = load_kb(embargoed_kb, today=EMBARGO)
    assert releases_of(kb).by_product["client"][-1].release.date == EMBARGO
    content = collect_site(kb, env, today=EMBARGO)
    assert "release-notes/client/20.0.10.md" in content.pages
    feed = ET.fromstring(content.files["releases/client.xml"])
    assert feed.findall(f"{ATOM}entry")[0].findtext(f"{ATOM}id", "").endswith("client/20.0.10")
    assert "dark-mode" in content.files["releases/client.json"].decode()


def test_feeds_are_atom_with_stable_ids(published_kb: Path) -> None:
    files = release_files(load_kb(published_kb), today=DAY, site_url="https://help.example.com")
    feed = ET.fromstring(files["releases/client.xml"])
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert feed.findtext(f"{ATOM}{required}")
    entries = feed.findall(f"{ATOM}entry")
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert ids == [
        "tag:support.passportscan.net,2025:release-notes/client/20.0.10",
        "tag:support.passportscan.net,2025:release-notes/client/20.0.9",
        "tag:support.passportscan.net,2025:release-notes/client/20.0.0",
        "tag:support.passportscan.net,2025:release-notes/client/19.99",
    ]
    for entry in entries:
        assert entry.findtext(f"{ATOM}title") and entry.findtext(f"{ATOM}updated")
        link = entry.find(f"{ATOM}link")
        assert link is not None
        assert link.get("href", "").startswith("https://help.example.com/en/release-notes/client/")
    everything = ET.fromstring(files["releases/feed.xml"])
    assert len(everything.findall(f"{ATOM}entry")) == 5
    self_link = feed.find(f"{ATOM}link[@rel='self']")
    assert self_link is not None
    assert self_link.get("href") == "https://help.example.com/en/releases/client.xml"
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"


def test_each_language_has_its_own_feeds_with_absolute_links(published_kb: Path) -> None:
    kb = load_kb(published_kb)
    english = release_files(kb, today=DAY, site_url="https://help.example.com/")
    files = release_files(kb, today=DAY, site_url="https://help.example.com/", lang="it")
    feed = ET.fromstring(files["releases/client.xml"])
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "it"
    self_link = feed.find(f"{ATOM}link[@rel='self']")
    assert self_link is not None
    assert self_link.get("href") == "https://help.example.com/it/releases/client.xml"
    page = feed.find(f"{ATOM}link[@rel='alternate']")
    assert (
        page is not None and page.get("href") == "https://help.example.com/it/release-notes/client/"
    )
    ids = [e.findtext(f"{ATOM}id", "") for e in feed.findall(f"{ATOM}entry")]
    english_ids = [
        e.findtext(f"{ATOM}id", "")
        for e in ET.fromstring(english["releases/client.xml"]).findall(f"{ATOM}entry")
    ]
    # Other text, other entries: a reader subscribed to both sees each once per language.
    assert ids and not set(ids) & set(english_ids)
    assert all(":it/release-notes/client/" in i for i in ids)
    for entry in feed.findall(f"{ATOM}entry"):
        link = entry.find(f"{ATOM}link")
        assert link is not None
        assert link.get("href", "").startswith("https://help.example.com/it/release-notes/")


def test_a_correction_moves_updated_not_the_id(published_kb: Path) -> None:
    path = published_kb / "releases" / "client" / "19.99.yaml"
    edit(path, "Scanning is faster.", "Scanning is faster on USB scanners.")
    path.write_text(
        path.read_text() + "corrections:\n  - date: 2025-09-12\n    reason: Only USB scanners.\n"
    )
    files = release_files(load_kb(published_kb), today=DAY)
    entries = ET.fromstring(files["releases/client.xml"]).findall(f"{ATOM}entry")
    entry = next(e for e in entries if e.findtext(f"{ATOM}id", "").endswith("/19.99"))
    assert entry.findtext(f"{ATOM}updated") == "2025-09-12T00:00:00Z"
    assert entry.findtext(f"{ATOM}published") == "2025-09-01T00:00:00Z"
    assert "Corrected on 2025-09-12" in entry.findtext(f"{ATOM}content", "")


@pytest.mark.parametrize(
    ("installed", "target", "expected"),
    [
        # upgrade actions first, then issues open in the target, then the changes in between
        (
            "19.99",
            "20.0.9",
            ["set-pin", "activate", "printer-freeze", "password-removed", "typo", "old-scanner"],
        ),
        ("20.0.0", "20.0.9", ["printer-freeze", "typo", "old-scanner"]),
        ("20.0.0", "20.0.10", ["dark-mode", "typo", "printer-freeze", "old-scanner"]),
        ("20.0.9", "20.0.10", ["dark-mode", "printer-freeze"]),
    ],
)
def test_upgrade_view_lists_exactly_the_notes_in_between(
    published_kb: Path, installed: str, target: str, expected: list[str]
) -> None:
    data = json.loads(release_files(load_kb(published_kb), today=DAY)["releases/client.json"])
    notes = upgrade_notes(data, installed, target)
    assert [n["id"] for n in notes] == expected
    # every note comes from a release in (installed, target], or is open in the target
    orders = {r["version"]: r["order"] for r in data["releases"]}
    for note in notes:
        if note["section"] != "known_issues":
            assert orders[installed] < orders[note["url"].split("/")[-2]] <= orders[target]


def test_article_shows_changes_affecting_it(published_kb: Path, env: jinja2.Environment) -> None:
    kb = load_kb(published_kb)
    page = collect_site(kb, env, today=DAY).pages["access/set-pin.md"]
    section = page.split("## Changes affecting this article", 1)[1]
    assert "- [Desktop client 20.0.0](../release-notes/client/20.0.0.md#v20-0-0-set-pin)" in section
    assert "- [Mobile app 1.5](../release-notes/app/1.5.md#v1-5-set-pin)" in section
    assert '<span class="hd-badge">Desktop client ≥ 20.0</span>' in page  # applies_to badge
    activate = collect_site(kb, env, today=DAY).pages["access/activate.md"]
    assert "(../release-notes/client/20.0.0.md#v20-0-0-activate): Before you upgrade" in activate


def test_search_documents_respect_the_embargo(embargoed_kb: Path) -> None:
    from helpdesk.search.documents import collect

    def release_ids(today: dt.date) -> list[str]:
        docs = collect(load_kb(embargoed_kb, today=today))
        return sorted(d.id for d in docs if d.kind == "release")

    before = release_ids(EMBARGO - dt.timedelta(days=1))
    assert before == ["app-1.5", "client-19.99", "client-20.0.0", "client-20.0.9"]
    assert "client-20.0.10" in release_ids(EMBARGO)
    doc = next(d for d in collect(load_kb(embargoed_kb, today=EMBARGO)) if d.id == "client-20.0.0")
    assert doc.url == "en/release-notes/client/20.0.0/"  # under the language prefix
    assert "Printing a registration card" in doc.body  # the known issue is searchable
