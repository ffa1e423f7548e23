"""A help center's pages: what the home, category and article pages carry besides the text.

Rendering is checked on the small fixture KB (taxonomy edited per test); the chrome the
theme adds (side navigation, "Still need help?", logo, favicon, no Tags tab) is checked
in the built HTML of the real knowledge base.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from publish_support import REPO, make_project

from helpdesk.cli import cli
from helpdesk.content.kb import load_kb
from helpdesk.errors import ContentError
from helpdesk.publish.pages import render_pages
from helpdesk.publish.templates import make_env

TODAY = dt.date(2025, 10, 1)


def set_taxonomy(project: Path, change: dict[str, object], category: str | None = None) -> None:
    path = project / "kb" / "taxonomy.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if category is None:
        data.update(change)
    else:
        next(c for c in data["categories"] if c["id"] == category).update(change)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def render(project: Path) -> dict[str, str]:
    kb = load_kb(project / "kb", today=TODAY)
    return render_pages(kb, make_env(project / "kb" / "templates"), today=TODAY)


def test_category_pages_follow_the_writers_weights_then_titles(project: Path) -> None:
    plain = render(project)["access-security/index.md"].split("## Archived")[0]
    by_title = re.findall(r"^- \[(.+?)\]", plain, flags=re.MULTILINE)
    assert by_title == sorted(by_title, key=str.casefold)
    set_taxonomy(project, {"weights": {"pin-login": 1}}, category="access-security")
    current = render(project)["access-security/index.md"].split("## Archived")[0]
    weighted = re.findall(r"^- \[(.+?)\]", current, flags=re.MULTILINE)
    pin = load_kb(project / "kb", today=TODAY).articles["pin-login"].title
    assert weighted[0] == pin
    assert weighted[1:] == sorted(weighted[1:], key=str.casefold)


def test_home_shows_featured_articles_first_then_topics_with_counts(project: Path) -> None:
    set_taxonomy(project, {"featured": ["activate-device", "pin-login"]})
    home = render(project)["index.md"]
    featured = home.split("## Most useful articles")[1].split("## Help topics")[0]
    assert featured.index("activate-device") < featured.index("pin-login")
    assert home.index("<!-- hd-search-box -->") < home.index("## Most useful articles")
    assert re.search(r"\[Access and security\]\(access-security/index.md\)\*\* .*articles?", home)


def test_featured_and_weights_name_real_articles(project: Path) -> None:
    set_taxonomy(project, {"featured": ["pin-login", "no-such-article"]})
    set_taxonomy(project, {"weights": {"activate-device": 1}}, category="access-security")
    with pytest.raises(ContentError) as raised:
        load_kb(project / "kb", today=TODAY)
    messages = [str(p) for p in raised.value.problems]
    assert any(
        m.startswith("kb/taxonomy.yaml:") and "featured article 'no-such-article'" in m
        for m in messages
    ), messages
    assert any("article 'activate-device' is in category 'devices'" in m for m in messages)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make_project(tmp_path_factory.mktemp("pages"), REPO / "kb")
    result = CliRunner().invoke(cli, ["build", "--kb", str(project / "kb")])
    assert result.exit_code == 0, result.output
    return project / "site" / "en"


def test_article_has_breadcrumbs_last_updated_siblings_and_contact(built: Path) -> None:
    kb = load_kb(REPO / "kb")
    html = (built / "access-security" / "pin-login" / "index.html").read_text(encoding="utf-8")
    assert 'class="hd-breadcrumbs"' in html and 'aria-label="Breadcrumb"' in html
    updated = kb.articles["pin-login"].updated
    assert f'Last updated <time datetime="{updated.isoformat()}">' in html
    # The side navigation lists the category's other articles, the current one marked.
    sidebar = html.split('class="md-nav md-nav--primary hd-siblings"')[1].split("</nav>")[0]
    assert 'aria-current="page"' in sidebar
    assert "../enable-mfa/" in sidebar
    # Still need help? The portal everywhere; the security address only on MFA articles.
    contact = html.split('class="hd-contact"')[1].split("</aside>")[0]
    assert "https://support.passportscan.net/portal/" in contact
    assert "mailto:security@passportscan.net" in contact  # pin-login is tagged mfa
    assert "tel:" not in html  # facts.md gives no phone number
    other = (built / "devices" / "device-activation" / "index.html").read_text(encoding="utf-8")
    assert "Still need help? Contact support" in other
    assert "security@passportscan.net" not in other.split('class="hd-contact"')[1]


def test_own_logo_and_favicon_and_no_tags_tab(built: Path) -> None:
    home = (built / "index.html").read_text(encoding="utf-8")
    assert 'src="assets/logo.svg"' in home
    assert re.search(r'<link rel="icon" href="assets/favicon.svg"', home)
    assert (built / "assets" / "logo.svg").read_text().startswith("<svg")
    tabs = home.split('class="md-tabs"')[1].split("</nav>")[0]
    assert "Help topics" in tabs and "Tags" not in tabs
    assert (built / "tags" / "index.html").is_file()  # still there, linked from tag pages
