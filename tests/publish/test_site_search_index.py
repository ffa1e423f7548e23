"""The site search's index, as files: what a page gives it and what the browser reads back.

Fast checks without a browser or an engine: pages are written as the theme writes them
(``data-hd-search-*`` attributes) and indexed with ``site_search.write_bundle``. The
browser side is ``test_site_search.py``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from publish_support import FIXTURE_KB

from helpdesk.content.kb import load_kb
from helpdesk.publish import site_search
from helpdesk.search.analysis import terms


def page_html(
    title: str,
    body: str,
    *,
    summary: str = "",
    kind: str = "article",
    platforms: tuple[str, ...] = (),
    extra: str = "",
) -> str:
    filters = "".join(
        f'<span hidden data-hd-search-filter="platform:{p}"></span>' for p in platforms
    )
    return f"""<html lang="en"><body><header>Site header words: zzheader</header>
<div data-hd-search-body>
  <span hidden data-hd-search-meta="kind:{kind}"></span>
  <span hidden data-hd-search-meta="title:{title}"></span>
  <span hidden data-hd-search-meta="summary:{summary}"></span>
  <span hidden data-hd-search-meta="article:{title.lower().replace(" ", "-")}"></span>
  {filters}
  <h1>{title}<a class="headerlink" href="#x">¶</a></h1>
  <nav data-hd-search-ignore>Home › zzcrumb</nav>
  {body}
  {extra}
</div><!-- /hd-search-body --></body></html>"""


def index(tmp_path: Path, pages: list[str], synonyms: list[list[str]] | None = None) -> Path:
    read = [site_search.read_page(html, f"page-{i}/") for i, html in enumerate(pages)]
    bundle = tmp_path / "hd-search"
    site_search.write_bundle(bundle, [p for p in read if p], "en", synonyms or [])
    return bundle


def term(bundle: Path, key: str) -> dict[str, Any] | None:
    path = bundle / "terms" / f"{site_search.term_file(key)}.json"
    if not path.is_file():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    docs, at = [], 0
    for delta in data["d"]:
        at += delta
        docs.append(at)
    data["docs"] = docs
    return data


def test_a_page_gives_its_title_summary_and_body_but_not_its_chrome() -> None:
    page = site_search.read_page(
        page_html(
            "Reset a PIN",
            "<p>Open <strong>Settings</strong> &amp; tap <em>PIN</em>.</p>"
            '<img src="x.png" alt="The PIN screen">',
            summary="When the PIN is forgotten",
        ),
        "access/reset-pin/",
    )
    assert page is not None
    assert page.title == "Reset a PIN"
    assert page.summary == "When the PIN is forgotten"
    assert "Settings & tap PIN" in page.body
    assert "The PIN screen" in page.body  # image alt text is read
    for chrome in ("zzheader", "zzcrumb", "¶", "Reset a PIN"):
        assert chrome not in page.body, chrome
    assert site_search.read_page("<html><body>a list page</body></html>", "x/") is None


def test_a_word_in_the_title_outscores_the_same_word_in_passing(tmp_path: Path) -> None:
    bundle = index(
        tmp_path,
        [
            page_html("Scanner setup", "<p>Connect the cable. The tablet is not needed.</p>"),
            page_html("Tablet setup", "<p>Connect the tablet to the Wi-Fi.</p>"),
            page_html("Printer setup", "<p>Nothing about it here.</p>"),
        ],
    )
    tablet = term(bundle, terms("tablet")[0])
    assert tablet is not None
    scores = dict(zip(tablet["docs"], tablet["s"], strict=True))
    assert set(scores) == {0, 1}
    assert scores[1] > scores[0] > 0


def test_release_notes_count_for_less_than_articles(tmp_path: Path) -> None:
    same = "<p>The scanner driver was updated.</p>"
    bundle = index(
        tmp_path,
        [page_html("Driver", same), page_html("Driver", same, kind="release")],
    )
    driver = term(bundle, terms("driver")[0])
    assert driver is not None
    article, release = driver["s"]
    assert release < article


def test_synonym_phrases_are_found_only_where_their_words_stand_together(
    tmp_path: Path,
) -> None:
    bundle = index(
        tmp_path,
        [
            page_html("Codes", "<p>Keep your recovery codes safe.</p>"),
            page_html("Other", "<p>Codes for the recovery of a lost account.</p>"),
        ],
        synonyms=[["backup codes", "recovery codes"]],
    )
    sequence = " ".join(t[0] for t in (terms("recovery"), terms("codes")))
    phrase = term(bundle, sequence)
    assert phrase is not None
    assert phrase["docs"] == [0]
    assert phrase["h"] == [0]  # in the body only: no score in the short fields


def test_every_word_lists_the_terms_the_cli_gives_it(tmp_path: Path) -> None:
    bundle = index(tmp_path, [page_html("Activación", "<p>Activating the código</p>")])
    words: dict[str, list[Any]] = {}
    for path in (bundle / "words").glob("*.json"):
        words.update(json.loads(path.read_text(encoding="utf-8")))
    assert words["activating"][2] == terms("activating")
    assert words["código"][2] == terms("código")
    assert words["codigo"][:2] == [0, 0]  # typed without the accent: known, never suggested
    assert words["activación"][0] == 1  # in a title: offered as a correction
    assert words["activating"][0] == 0  # body only: known, but not offered
    assert "the" not in words  # stop words are the query layer's own list


def test_filters_and_fragments_are_written_for_the_browser(tmp_path: Path) -> None:
    bundle = index(
        tmp_path,
        [
            page_html("One", "<p>a</p>", platforms=("Android", "iOS")),
            page_html("Two", "<p>b</p>", summary="Second"),
        ],
    )
    meta = json.loads((bundle / "meta.json").read_text(encoding="utf-8"))
    assert meta["docs"] == 2 and meta["format"] == site_search.FORMAT
    assert meta["filters"] == {"platform": ["Android", "iOS"]}
    filters = json.loads((bundle / "filters.json").read_text(encoding="utf-8"))
    assert filters["platform"]["Android"] == [0]
    docs = json.loads((bundle / "docs" / "0.json").read_text(encoding="utf-8"))
    assert docs[1] == ["page-1/", "Two", "", "Second", "two", "article"]
    assert docs[0][3] == "a"  # no summary: the beginning of the body


def test_file_names_survive_any_file_system() -> None:
    assert site_search.term_file("pin") == "pin"
    assert site_search.term_file("19.99") == "19.99"
    for awkward in ("città", "a b", "../etc", "x."):
        name = site_search.term_file(awkward)
        assert "/" not in name and " " not in name and not name.endswith(".")
    assert site_search.term_file("città") != site_search.term_file("citta")


def test_a_big_site_indexes_its_languages_side_by_side(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    for lang, word in (("en", "scanner"), ("it", "scansione"), ("es", "escáner")):
        (site / lang / "guide").mkdir(parents=True)
        home = f'<html lang="{lang}"><body>home</body></html>'
        (site / lang / "index.html").write_text(home, encoding="utf-8")
        html = page_html(word.capitalize(), f"<p>{word}</p>").replace('lang="en"', f'lang="{lang}"')
        (site / lang / "guide" / "index.html").write_text(html, encoding="utf-8")
    monkeypatch.setattr(site_search, "PARALLEL_FROM", 0.0)  # as if each took long
    report = site_search.index_site(load_kb(FIXTURE_KB), site)
    assert [(i.lang, i.pages) for i in report.languages] == [("en", 1), ("es", 1), ("it", 1)]
    for lang in ("en", "it", "es"):
        meta = json.loads((site / lang / "hd-search" / "meta.json").read_text(encoding="utf-8"))
        assert meta["lang"] == lang and meta["docs"] == 1


INDEXER_UNDER_CTRL_C = """
import signal, sys, time
from helpdesk.publish.site_search import SiteIndexer
if __name__ == "__main__":
    # As started from a terminal: a test run in the background inherits Ctrl-C ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with SiteIndexer(processes=2):
            print("started", flush=True)
            time.sleep(60)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        sys.exit(130)
"""


@pytest.mark.parametrize("after", [0.0, 1.5], ids=["while-starting", "once-started"])
def test_ctrl_c_stops_the_indexing_processes_without_a_traceback(
    tmp_path: Path, after: float
) -> None:
    script = tmp_path / "index_then_wait.py"
    script.write_text(INDEXER_UNDER_CTRL_C, encoding="utf-8")
    # A terminal's Ctrl-C goes to the whole process group: the pool's processes too.
    process = subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "started"
    time.sleep(after)
    os.killpg(process.pid, signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130 and "interrupted" in out
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
