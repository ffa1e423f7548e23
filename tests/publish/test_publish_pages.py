"""Rendering: golden Markdown for two articles, and what reaches (or never reaches) the site.

Goldens live in ``tests/publish/golden/``. After a deliberate template change,
regenerate them and review the diff::

    HELPDESK_UPDATE_GOLDENS=1 .venv/bin/pytest tests/publish/test_publish_pages.py
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
import yaml
from publish_support import FIXTURE_KB, REPO

from helpdesk.content.kb import load_kb
from helpdesk.errors import BuildError, ContentError
from helpdesk.publish.pages import SiteContent, collect_site, render_pages, rewrite_kb_links
from helpdesk.publish.templates import make_env, render, version_range

GOLDEN = Path(__file__).parent / "golden"
TODAY = dt.date(2025, 10, 1)


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    kb = load_kb(FIXTURE_KB, today=TODAY)
    return render_pages(kb, make_env(REPO / "kb" / "templates"), today=TODAY)


@pytest.mark.parametrize(
    ("page", "golden"),
    [
        ("access-security/pin-login.md", "pin-login.md"),
        ("devices/activate-device.md", "activate-device.md"),
    ],
)
def test_article_matches_golden(pages: dict[str, str], page: str, golden: str) -> None:
    path = GOLDEN / golden
    if os.environ.get("HELPDESK_UPDATE_GOLDENS"):
        path.write_text(pages[page], encoding="utf-8")
    assert pages[page] == path.read_text(encoding="utf-8")


def test_only_site_articles_become_pages(pages: dict[str, str]) -> None:
    assert "access-security/pin-login.md" in pages
    assert "access-security/legacy-app-login.md" in pages  # archived keeps its page
    assert "access-security/agent-unlock.md" not in pages  # agent-only
    assert "access-security/old-pin-draft.md" not in pages  # draft
    everything = "\n".join(pages.values())
    assert "Secretunlockprocedure" not in everything
    assert "Draftonlyword" not in everything
    assert "agent-unlock" not in everything
    assert "old-pin-draft" not in everything


def test_archived_articles_have_a_banner_and_their_own_section(pages: dict[str, str]) -> None:
    assert "This article is archived" in pages["access-security/legacy-app-login.md"]
    category = pages["access-security/index.md"]
    main, archived = category.split("## Archived")
    assert "[Sign in to the Cloud Legacy app](legacy-app-login.md)" in archived
    assert "legacy-app-login" not in main
    assert "(pin-login.md)" in main
    home = pages["index.md"]
    assert "legacy-app-login" not in home


def test_home_tags_and_categories(pages: dict[str, str]) -> None:
    home = pages["index.md"]
    assert "[Access and security](access-security/index.md)" in home
    assert "<!-- hd-search-box -->" in home  # where the theme puts the large search box
    assert "1 article" in home or "2 articles" in home  # categories with counts
    # Most recent first; the newest is within 30 days of TODAY.
    recent = home.split("## Recently updated")[1]
    assert recent.index("enable-mfa") < recent.index("pin-login") < recent.index("activate")
    assert "**New**" in recent
    assert "[MFA](mfa.md) (2)" in pages["tags/index.md"]
    assert "tags/lockout.md" not in pages  # only agent-only articles carry it
    assert "(../access-security/enable-mfa.md)" in pages["tags/mfa.md"]
    for category in ("devices", "release-notes", "integrations"):
        assert f"{category}/index.md" in pages


def test_tag_keywords_reach_the_index_as_metadata_not_as_hidden_text(
    pages: dict[str, str],
) -> None:
    mfa = pages["access-security/enable-mfa.md"]
    front_matter = yaml.safe_load(mfa.split("---\n")[1])
    assert "2FA" in front_matter["helpdesk"]["keywords"]
    body = mfa.split("---\n", 2)[2]
    assert "2FA" not in body and "hd-keywords" not in body and "Also searched as" not in body


def test_kb_links_become_relative_markdown_links() -> None:
    kb = load_kb(FIXTURE_KB, today=TODAY)
    on_site = {a.id: a for a in kb.site_articles()}
    text = "See [this](kb:activate-device) and [that](kb:pin-login#create)."
    out = rewrite_kb_links(text, "access-security/x.md", on_site)
    assert out == (
        "See [this](../devices/activate-device.md) and "
        "[that](../access-security/pin-login.md#create)."
    )
    assert rewrite_kb_links("[home](kb:pin-login)", "index.md", on_site) == (
        "[home](access-security/pin-login.md)"
    )
    with pytest.raises(BuildError, match="kb:agent-unlock"):
        rewrite_kb_links("[x](kb:agent-unlock)", "index.md", on_site)


def test_static_files_and_extension_points() -> None:
    kb = load_kb(FIXTURE_KB, today=TODAY)
    content = collect_site(kb, make_env(REPO / "kb" / "templates"), today=TODAY)
    assert isinstance(content, SiteContent)
    assert "images/workspace-pin.png" in content.files
    assert "assets/helpdesk.css" in content.files
    merged = content.all_files()
    assert merged["index.md"] == content.pages["index.md"]


@pytest.mark.parametrize(
    ("spec", "shown"),
    [(">=20.0", "≥ 20.0"), (">=1.5,<2", "≥ 1.5, < 2"), ("==3.1", "= 3.1"), ("~=2.2", "~ 2.2")],
)
def test_version_ranges_read_like_text(spec: str, shown: str) -> None:
    assert version_range(spec) == shown


def test_template_errors_name_the_template_line(tmp_path: Path) -> None:
    (tmp_path / "broken.md.j2").write_text("line one\n{% if %}\n", encoding="utf-8")
    (tmp_path / "strict.md.j2").write_text("a\n{{ missing }}\n", encoding="utf-8")
    env = make_env(tmp_path)
    with pytest.raises(ContentError) as syntax:
        render("broken.md.j2", env)
    assert syntax.value.problems[0].line == 2
    expected = r"strict\.md\.j2:2: template error: 'missing' is undefined"
    with pytest.raises(BuildError, match=expected):
        render("strict.md.j2", env)
