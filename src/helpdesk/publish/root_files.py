"""The files at the root of the site, above the languages' sites: written by helpdesk.

* ``index.html`` -- the language chooser. A browser is sent on to the language it
  prefers (``navigator.languages``, or the language the reader last picked in a site's
  switcher), by a few lines of script; without scripts the page lists every language
  with a link, each named in its own language. ``helpdesk serve`` answers ``/`` by the
  request's ``Accept-Language`` before this page is even sent.
* ``404.html`` -- the source language's "not found" page, for a web server to show for
  any address outside the languages' sites (its links are root-absolute, see the theme's
  404.html).
* ``sitemap.xml`` -- with ``site_url``: a sitemap index of every language's sitemap.
"""

from __future__ import annotations

import html
import json
import shutil
from pathlib import Path

from helpdesk.content.kb import KnowledgeBase
from helpdesk.publish import i18n
from helpdesk.publish.templates import TEMPLATES_FOLDER

LANGUAGE_STORAGE_KEY = "hd-lang"
"""Where a site's language switcher remembers the reader's choice (``localStorage``)."""

TAGLINE = i18n.N_("Answers for PassportScan users.")


def write_root(
    kb: KnowledgeBase,
    new_site: Path,
    languages: list[str],
    *,
    site_url: str | None,
    site_name: str,
    previous: Path,
) -> None:
    """Write the root files into ``new_site`` (beside the languages' folders).

    Args:
        languages: every configured language, the source first.
        site_url: the public address, if known.
        site_name: the site's name (the root config's), the chooser's title.
        previous: the current site folder (its 404 page is kept when the source
            language is not part of this build).
    """
    templates = kb.root / TEMPLATES_FOLDER
    (new_site / "index.html").write_text(
        chooser_html(templates, languages, site_url, site_name), encoding="utf-8"
    )
    source_404 = new_site / languages[0] / "404.html"
    if source_404.is_file():
        shutil.copyfile(source_404, new_site / "404.html")
    elif (previous / "404.html").is_file():
        shutil.copyfile(previous / "404.html", new_site / "404.html")
    if site_url:
        (new_site / "sitemap.xml").write_text(sitemap_index(languages, site_url), encoding="utf-8")


def chooser_html(
    templates: Path, languages: list[str], site_url: str | None, site_name: str
) -> str:
    """The language chooser page (see the module docstring)."""
    source = languages[0]
    entries = []
    alternates = []
    for lang in languages:
        _ = i18n.translations(templates, lang, source).gettext
        name = html.escape(i18n.language_name(lang))
        entries.append(
            f'      <li lang="{lang}"><a href="{lang}/" hreflang="{lang}">{name}</a>'
            f" <span>{html.escape(_(TAGLINE))}</span></li>"
        )
        if site_url:
            href = f"{html.escape(site_url)}{lang}/"
            alternates.append(f'    <link rel="alternate" hreflang="{lang}" href="{href}">')
    if site_url:
        alternates.append(
            f'    <link rel="alternate" hreflang="x-default" href="{html.escape(site_url)}">'
        )
    script = _REDIRECT.replace("LANGS", json.dumps(languages)).replace(
        "KEY", json.dumps(LANGUAGE_STORAGE_KEY)
    )
    head_links = "\n".join(alternates)
    return f"""<!doctype html>
<html lang="{source}">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width,initial-scale=1">
    <title>{html.escape(site_name)}</title>
{head_links}
    <script>{script}</script>
    <style>
      body {{ font: 1.1rem/1.5 system-ui, sans-serif; margin: 3rem auto; max-width: 36rem;
        padding: 0 1rem; color: #1d1d1f; background: #fff; }}
      a {{ color: #1a3a9e; font-weight: 600; }}
      li {{ margin: 0.6rem 0; }} span {{ color: #444; }}
      @media (prefers-color-scheme: dark) {{
        body {{ color: #eee; background: #1e2129; }} a {{ color: #9fb4ff; }} span {{ color: #ccc; }}
      }}
    </style>
  </head>
  <body>
    <h1>{html.escape(site_name)}</h1>
    <ul>
{chr(10).join(entries)}
    </ul>
  </body>
</html>
"""


_REDIRECT = """
(function () {
  var langs = LANGS, key = KEY, wanted = [];
  try { var picked = window.localStorage.getItem(key); if (picked) wanted.push(picked); }
  catch (e) { /* storage may be off; the browser's preferences still count */ }
  wanted = wanted.concat(navigator.languages || [navigator.language || ""]);
  for (var i = 0; i < wanted.length; i++) {
    var lang = String(wanted[i]).toLowerCase().split("-")[0];
    if (langs.indexOf(lang) >= 0) {
      window.location.replace(lang + "/" + window.location.hash);
      return;
    }
  }
  window.location.replace(langs[0] + "/" + window.location.hash);
})();
"""


def sitemap_index(languages: list[str], site_url: str) -> str:
    items = "\n".join(
        f"  <sitemap><loc>{html.escape(site_url)}{lang}/sitemap.xml</loc></sitemap>"
        for lang in languages
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{items}\n</sitemapindex>\n"
    )
