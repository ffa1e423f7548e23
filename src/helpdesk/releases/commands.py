"""``helpdesk release new|publish|withdraw|list``: thin wrappers over ``releases.workflow``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from helpdesk.cli import handle_errors, kb_option
from helpdesk.content.kb import load_kb
from helpdesk.releases import workflow


def _today_option(func: click.decorators.FC) -> click.decorators.FC:
    # Hidden: tests and scripted embargo checks pin the date; writers never need it.
    return click.option(
        "--today",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        hidden=True,
        help="Pretend today is this date (YYYY-MM-DD).",
    )(func)


def _date(value: dt.datetime | None) -> dt.date:
    return value.date() if value else dt.date.today()


@click.group()
def release() -> None:
    """Write, publish and list release notes (kb/releases/<product>/<version>.yaml)."""


@release.command()
@kb_option
@click.argument("product")
@click.argument("version")
@handle_errors
def new(kb_dir: Path, product: str, version: str) -> None:
    """Scaffold a draft release of PRODUCT at VERSION."""
    path = workflow.new_release(kb_dir, product, version)
    click.echo(
        f"created {path} (draft); write the notes, then run "
        f"`helpdesk release publish {product} {version}`"
    )


@release.command()
@kb_option
@_today_option
@click.argument("product")
@click.argument("version")
@handle_errors
def publish(kb_dir: Path, today: dt.datetime | None, product: str, version: str) -> None:
    """Validate and publish a draft; or record a correction of a published release.

    Sets status and date and records the content's fingerprint in
    kb/releases/published.lock (commit it with the release).
    """
    click.echo(workflow.publish_release(kb_dir, product, version, today=_date(today)))


@release.command()
@kb_option
@_today_option
@click.option(
    "--reason", required=True, help="Why, and what to install instead (shown in a banner)."
)
@click.argument("product")
@click.argument("version")
@handle_errors
def withdraw(
    kb_dir: Path, today: dt.datetime | None, reason: str, product: str, version: str
) -> None:
    """Withdraw a published release; its page stays, with a banner."""
    click.echo(
        workflow.withdraw_release(kb_dir, product, version, reason=reason, today=_date(today))
    )


@release.command(name="list")
@kb_option
@_today_option
@click.argument("product", required=False)
@handle_errors
def list_(kb_dir: Path, today: dt.datetime | None, product: str | None) -> None:
    """List versions, newest first, with their status."""
    rows = workflow.list_releases(load_kb(kb_dir, today=_date(today)), product, today=_date(today))
    if not rows:
        click.echo("no releases")
    widths = [max((len(row[i]) for row in rows), default=0) for i in range(2)]
    for product_id, version, status, date in rows:
        click.echo(f"{product_id:<{widths[0]}}  {version:<{widths[1]}}  {date:<10}  {status}")
