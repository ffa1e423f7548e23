"""The walk screen's panels: breadcrumb, numbered choices, facts.

Each widget only lays out data the engine already prepared (``NodeView``, the session
state's steps and facts); none of them calls the API.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import events
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from helpdesk.times import parse, when

if TYPE_CHECKING:
    from helpdesk.diagnostics.state import Fact
    from helpdesk.diagnostics.views import ChoiceView


class Breadcrumb(Static):
    """The path so far; each earlier node is a link that goes back to it."""

    class BackTo(Message):
        """The agent clicked a crumb."""

        def __init__(self, node_id: str) -> None:
            super().__init__()
            self.node_id = node_id

    _crumbs: Sequence[tuple[str, str]] = ()
    _current: str = ""

    def show(self, crumbs: Sequence[tuple[str, str]], current: str) -> None:
        """``crumbs`` are ``(node_id, label)`` of the steps taken; ``current`` the label now.

        The line never wraps: the oldest crumbs give way to "…" so the latest steps and
        the current node stay in view.
        """
        self._crumbs, self._current = list(crumbs), current
        self._lay_out()

    def on_resize(self) -> None:
        self._lay_out()

    def _lay_out(self) -> None:
        crumbs, current = list(self._crumbs), self._current
        width = (self.size.width or self.app.size.width) - 2
        separator = " › "

        def length(items: Sequence[tuple[str, str]]) -> int:
            return sum(len(label) + len(separator) for _, label in items) + len(current)

        dropped = False
        while crumbs and length(crumbs) + (2 + len(separator) if dropped else 0) > width:
            crumbs.pop(0)
            dropped = True
        parts: list[Content] = [Content("…")] if dropped else []
        for node_id, label in crumbs:
            parts.append(
                # Node ids are [a-z0-9_] (the tree model's pattern), safe inside the action.
                Content.from_markup(f"[@click=screen.back_to('{node_id}')]$label[/]", label=label)
            )
        parts.append(Content.from_markup("[b]$label[/b]", label=current))
        self.update(Content(separator).join(parts))


class ChoiceList(OptionList):
    """An ask node's answers, numbered so digit keys pick them.

    A click only highlights an answer; it is given by its number or by Enter on the
    highlighted one, so a stray click never answers for the caller.
    """

    async def _on_click(self, event: events.Click) -> None:
        clicked = event.style.meta.get("option")
        if isinstance(clicked, int) and 0 <= clicked < self.option_count:
            self.highlighted = clicked
        event.prevent_default()
        event.stop()

    def show(self, choices: Iterable[ChoiceView]) -> None:
        self.clear_options()
        for number, choice in enumerate(choices, start=1):
            key = str(number) if number < 10 else " "
            self.add_option(Option(Text.assemble((f"{key}  ", "bold"), choice.label)))
        if self.option_count:
            self.highlighted = 0


class FactsPanel(Static):
    """What lookups returned, each with its source and time."""

    def show(
        self, facts: Sequence[Fact], *, zone: tzinfo = UTC, now: datetime | None = None
    ) -> None:
        """The facts, newest first; times in the hotel's ``zone`` (relative to ``now``)."""
        if not facts:
            self.update(Text("Nothing looked up yet.", style="dim"))
            return
        text = Text()
        for fact in reversed(facts):  # newest first: the last lookup is what the agent needs
            if text:
                text.append("\n")
            text.append(fact.name, style="bold")
            text.append(f"  {_clock(fact.time, zone)}\n", style="dim")
            for line in summarize(fact.value, zone=zone, now=now):
                text.append(f"  {line}\n")
            text.append(f"  from {fact.source}", style="dim italic")
        self.update(text)


_INTERESTING = (
    "name",
    "email",
    "role",
    "state",
    "suspended_until",
    "pin_set",
    "locked_until",
    "can_sign_in",
    "login_method",
    "status",
    "client_version",
    "summary",
    "detail",
)


def summarize(
    value: Any, *, limit: int = 8, zone: tzinfo = UTC, now: datetime | None = None
) -> list[str]:
    """A few readable ``key: value`` lines for a fact's value (nested keys flattened).

    With ``now``, times read in ``zone`` with how far away they are; without, as sent.
    """
    if not isinstance(value, dict):
        return [_short(value, zone, now)]
    flat: dict[str, Any] = {}
    _flatten(value, "", flat)
    keys = [k for k in flat if k.rsplit(".", 1)[-1] in _INTERESTING] or list(flat)
    lines = [f"{k}: {_short(flat[k], zone, now)}" for k in keys[:limit]]
    reasons = value.get("reasons")
    if isinstance(reasons, list):
        codes = [str(r.get("code")) for r in reasons if isinstance(r, dict)]
        if codes:
            lines.append("reasons: " + ", ".join(codes))
    return lines


def _flatten(value: dict[str, Any], prefix: str, out: dict[str, Any]) -> None:
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, dict):
            _flatten(item, name + ".", out)
        elif not isinstance(item, list):
            out[name] = item


def _short(value: Any, zone: tzinfo = UTC, now: datetime | None = None) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    moment = when(value, zone, now) if now is not None else None
    text = moment or (value if isinstance(value, str) else json.dumps(value, default=str))
    return text if len(text) <= 48 else text[:45] + "..."


def _clock(stamp: str, zone: tzinfo = UTC) -> str:
    """When a lookup was made, on the hotel's clock (``19:35:15``)."""
    moment = parse(stamp)
    return moment.astimezone(zone).strftime("%H:%M:%S") if moment is not None else stamp
