"""``helpdesk search`` and ``helpdesk index``.

``helpdesk search`` is used as people use a CLI, many times in a row, so the whole
process counts: nothing heavy is imported at module level (rich only to print a
table, the content models and pydantic only when the KB changed since the index was
made; see ``freshness``).
"""

from __future__ import annotations

import gc
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from helpdesk.cli import handle_errors, kb_option
from helpdesk.errors import ConfigError, HelpdeskError
from helpdesk.languages import LANGUAGE_NAMES
from helpdesk.search import search

if TYPE_CHECKING:
    from helpdesk.search.models import SearchResults


def _stderr(message: str) -> None:
    click.echo(message, err=True)


@click.command(name="search")
@click.argument("query", nargs=-1, required=True)
@kb_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of hits.")
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--platform", help="Only articles for this platform (e.g. android).")
@click.option("--product", help="Only articles about this product (e.g. windows-client).")
@click.option("--category", help="Only articles in this category (e.g. devices).")
@click.option("--agent", is_flag=True, help="Search as a support agent (agent-only articles too).")
@click.option(
    "--lang",
    default=lambda: os.environ.get("HELPDESK_LANG") or None,
    show_default="$HELPDESK_LANG, else the source language (en)",
    help="Language of the query and of the results (en, it, es).",
)
@handle_errors
def search_command(
    query: tuple[str, ...],
    kb_dir: Path,
    as_json: bool,
    limit: int,
    platform: str | None,
    product: str | None,
    category: str | None,
    agent: bool,
    lang: str | None,
) -> None:
    """Search the knowledge base the way a customer or an agent would ask.

    QUERY is free text: symptoms, error messages, version numbers, "quoted phrases",
    in the language given by --lang. All words are required first; if nothing has them
    all, any word will do; if nothing in that language matches, the English articles
    are searched and the output says so ("found in English").
    Exit status (as grep's): 0 something matched, 1 nothing did, 2 or more an error.
    """
    # A short-lived process that only allocates (imports, one query): the cyclic
    # collector would re-scan the new modules' objects for nothing (see _gc).
    gc.disable()
    text = " ".join(query)
    if not text.strip():
        raise click.UsageError("give some words to search for, e.g. helpdesk search 'PIN android'")
    try:
        results = search(
            kb_dir,
            text,
            lang=lang,
            progress=_stderr,
            limit=limit,
            platform=platform,
            product=product,
            category=category,
            audience="agent" if agent else "customer",
        )
    except ConfigError as exc:
        message = str(exc)
        if lang is not None and _from_environment(lang) and f"'{lang}'" in message:
            # Nothing on the command line says where the language came from.
            message += f" (from HELPDESK_LANG={lang}; pass --lang or change the variable)"
        raise click.UsageError(message) from None
    except HelpdeskError as exc:
        # 1 means "no match" here, so a broken knowledge base or index is never 1.
        exc.exit_code = max(exc.exit_code, 2)
        raise
    filters = {"--platform": platform, "--product": product, "--category": category}
    used = [f"{name} {value}" for name, value in filters.items() if value]
    if as_json:
        extra = {
            "fallback": results.fallback,
            "did_you_mean": results.did_you_mean,
            "found_in": results.found_in,
        }
        click.echo(json.dumps([{**hit.to_dict(), **extra} for hit in results.hits], indent=2))
    else:
        _print_table(results, used)
    if not results.hits:
        # On stderr, so a script reading stdout gets only results; the status says "none".
        for line in _suggestions(results, used):
            _stderr(line)
        sys.exit(1)


def _suggestions(results: SearchResults, filters: list[str]) -> list[str]:
    lines = [f"No results for '{results.query}'."]
    if results.did_you_mean:
        lines.append(f"Did you mean: {results.did_you_mean}")
    if len(results.query.split()) > 1:
        lines.append("Try fewer words, or the words of the error message as shown.")
    if filters:
        lines.append(f"Try without {', '.join(filters)}.")
    return lines


def _marked(text: str) -> str:
    """``**word**`` from the snippet as bold rich markup, everything else escaped."""
    from rich.markup import escape

    parts = text.split("**")
    return "".join(
        f"[bold yellow]{escape(part)}[/]" if i % 2 else escape(part) for i, part in enumerate(parts)
    )


def _from_environment(lang: str) -> bool:
    """Whether ``--lang`` took its value from HELPDESK_LANG (the option was not given)."""
    context = click.get_current_context()
    source = context.get_parameter_source("lang")
    return source is click.core.ParameterSource.DEFAULT and os.environ.get("HELPDESK_LANG") == lang


def _language(code: str) -> str:
    """``it`` -> ``Italian``: any language a KB adds gets its English name from Babel."""
    name = LANGUAGE_NAMES.get(code)
    if name is None:
        from babel import Locale, UnknownLocaleError

        try:
            name = Locale.parse(code.replace("-", "_")).get_display_name("en")
        except (UnknownLocaleError, ValueError):
            name = None
    return name or code


def _print_table(results: SearchResults, filters: list[str]) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    # Piped output has no terminal width; 80 columns would fold titles and URLs.
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 140)
    if not results.hits:
        return  # the caller prints the suggestions
    if results.found_in:
        titles = ", ".join(hit.title for hit in results.hits[:3])
        console.print(
            f"Nothing in {_language(results.lang)} for '{escape(results.query)}'; "
            f"found in {_language(results.found_in)}: {escape(titles)}"
        )
    if results.did_you_mean:
        console.print(f"Showing results for [bold]{escape(results.did_you_mean)}[/]")
    if results.fallback:
        console.print("[dim]No article has every word; showing articles with any of them.[/]")
    table = Table(show_lines=True)
    table.add_column("#", justify="right")
    table.add_column("Article")
    table.add_column("Why")
    table.add_column("URL", no_wrap=True)
    for rank, hit in enumerate(results.hits, start=1):
        why = ", ".join(hit.matched) or "-"
        if not hit.all_words:
            why += " (some words)"
        if hit.audience == "agent":
            why += " (agent-only)"
        table.add_row(
            str(rank),
            f"[bold]{escape(hit.title)}[/]\n[dim]{_marked(hit.snippet)}[/]",
            why,
            hit.url,
        )
    console.print(table)
    notes = [f"{word} ~ {', '.join(alts)}" for word, alts in results.expansions.items()]
    if notes:
        console.print(f"[dim]Synonyms: {escape('; '.join(notes))}[/]")


@click.command(name="index")
@kb_option
@click.option("--rebuild", is_flag=True, help="Start from an empty index.")
@handle_errors
def index_command(kb_dir: Path, rebuild: bool) -> None:
    """Bring the search indexes (kb/.cache/search/<lang>) up to date with the knowledge base."""
    from helpdesk.content.kb import load_kb
    from helpdesk.search import update_index

    kb = load_kb(kb_dir)
    stats = update_index(kb, progress=_stderr, rebuild=rebuild)
    for warning in stats.warnings:
        _stderr(f"warning: {warning}")
    click.echo(stats.summary())
