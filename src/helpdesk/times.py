"""Times as an agent reads them out: the hotel's local time, and how far away it is.

The access API speaks UTC; the workspace record names the hotel's time zone
(``Europe/Rome`` for the demo hotel). Every time on screen is shown in that zone with
its abbreviation (``10:55 CET``), without microseconds, next to a relative phrase
("in 55 min", "12 min ago") so nobody does arithmetic with a caller on the line.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@cache
def zone(name: str | None) -> tzinfo:
    """The time zone called ``name`` (UTC when unknown or None)."""
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def parse(value: object) -> datetime | None:
    """An aware datetime from an ISO string or a datetime (None when it is neither)."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and len(value) >= 16 and value[4:5] == "-":
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def local(moment: datetime, tz: tzinfo, now: datetime | None = None) -> str:
    """``10:55 CET`` today, else ``3 Dec 10:55 CET`` (``2026-12-03 10:55`` in another year)."""
    shown = moment.astimezone(tz)
    today = (now or datetime.now(UTC)).astimezone(tz)
    name = shown.tzname() or ""
    if shown.date() == today.date():
        text = shown.strftime("%H:%M")
    elif shown.year == today.year:
        text = f"{shown.day} {shown.strftime('%b %H:%M')}"
    else:
        text = shown.strftime("%Y-%m-%d %H:%M")
    return f"{text} {name}".strip()


def span(seconds: float) -> str:
    """``55 min``, ``2 h 5 min``, ``3 days``."""
    minutes = round(abs(seconds) / 60)
    if minutes < 1:
        return "less than a minute"
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    days = round(hours / 24)
    return f"{days} day" if days == 1 else f"{days} days"


def ago(moment: datetime, now: datetime) -> str:
    """``12 min ago`` (``in 5 min`` for a time to come)."""
    delta = (now - moment).total_seconds()
    return f"{span(delta)} ago" if delta >= 0 else f"in {span(delta)}"


def relative(moment: datetime, now: datetime) -> str:
    """``in 55 min`` or ``12 min ago``."""
    return ago(moment, now)


def when(value: object, tz: tzinfo, now: datetime) -> str | None:
    """``10:55 CET (in 55 min)`` for an ISO time or datetime; None when it is not one."""
    moment = parse(value)
    if moment is None:
        return None
    return f"{local(moment, tz, now)} ({relative(moment, now)})"
