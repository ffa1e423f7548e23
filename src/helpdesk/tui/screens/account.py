"""The caller's account at a glance: user state, devices, recent audit records.

Opened from anywhere (``F3`` or the palette) for the call's caller, it reads the access
API afresh every time it is shown: the user (MFA, PIN, lockout with the time left), the
hotel's devices with pending and disabled ones first (the caller's own marked), and the
latest audit records about the user. Times are the hotel's local time with how far
away they are. Nothing here writes.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from helpdesk.access.models import PLATFORM_NAMES
from helpdesk.languages import LANGUAGE_NAMES
from helpdesk.times import local, relative, when

if TYPE_CHECKING:
    from helpdesk.tui.app import HelpdeskApp

_DEVICE_ORDER = {"pending_activation": 0, "disabled": 1, "active": 2}
AUDIT_SHOWN = 8


class AccountScreen(Screen[None]):
    """The call's caller: their user record, the hotel's devices, their audit trail."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", id="account.back"),
        Binding("r", "refresh_account", "Refresh", id="account.refresh"),
    ]

    def __init__(self) -> None:
        super().__init__(id="account")

    @property
    def hd_app(self) -> HelpdeskApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header(icon="?")
        with VerticalScroll(id="account-body"):
            yield Static("Reading the account…", id="account-user")
            yield Static("", id="account-devices")
            yield Static("", id="account-audit")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "Account at a glance"

    def on_screen_resume(self) -> None:
        self.action_refresh_account()

    @work(exclusive=True, group="account")
    async def action_refresh_account(self) -> None:
        from helpdesk.errors import AccessError

        app = self.hd_app
        call = app.call
        user_part = self.query_one("#account-user", Static)
        if call is None or call.user_id is None:
            user_part.update(
                "No caller yet: start a call with the caller's email (F2), then open this again."
            )
            self.query_one("#account-devices", Static).update("")
            self.query_one("#account-audit", Static).update("")
            return
        try:
            api = await app.api()
            tz = await app.workspace_zone()
            user = await api.get_user(call.user_id)
            devices = await api.list_devices()
            audit = await api.list_audit(subject=f"user:{call.user_id}", limit=AUDIT_SHOWN)
        except (AccessError, OSError) as exc:
            user_part.update(Text(f"Could not read the account: {exc}", style="bold red"))
            return
        now = app.clock()
        user_part.update(user_text(user, tz, now))
        self.query_one("#account-devices", Static).update(
            devices_table(devices.items, user.id, tz, now)
        )
        self.query_one("#account-audit", Static).update(audit_table(audit.items, tz, now))


def user_text(user: Any, tz: tzinfo, now: datetime) -> Text:
    """Name, role, MFA, PIN and lockout as a few lines."""
    text = Text()
    text.append(f"{user.name} <{user.email}>", style="bold")
    language = getattr(user, "language", "en")
    text.append(f"  {user.role}, uses the apps in {LANGUAGE_NAMES.get(language, language)}\n")
    mfa = user.mfa.state
    if mfa == "suspended" and user.mfa.suspended_until is not None:
        back = when(user.mfa.suspended_until, tz, now)
        text.append("MFA: ", style="bold")
        text.append(f"suspended, back on at {back}\n", style="yellow")
    else:
        text.append("MFA: ", style="bold")
        text.append(f"{mfa}\n")
    text.append("PIN: ", style="bold")
    text.append("set\n" if user.pin_set else "not set\n", style="" if user.pin_set else "yellow")
    text.append("Sign-in: ", style="bold")
    locked = user.locked_until
    if locked is not None and locked > now:
        left = relative(locked, now).removeprefix("in ")
        text.append(
            f"locked for {left} more (until {local(locked, tz, now)}), "
            f"{user.failed_logins} wrong password(s)\n",
            style="bold red",
        )
    else:
        failed = user.failed_logins
        text.append(
            "not locked\n"
            if not failed
            else f"not locked; {failed} wrong password(s) since the last good one\n"
        )
    return text


def devices_table(devices: list[Any], user_id: str, tz: tzinfo, now: datetime) -> Table:
    """The hotel's devices, waiting and disabled ones first; the caller's marked."""
    table = Table(title="Devices (pending and disabled first)", title_justify="left", expand=True)
    table.add_column("status", no_wrap=True)
    table.add_column("name")
    table.add_column("platform", no_wrap=True)
    table.add_column("version", no_wrap=True)
    table.add_column("note")
    ordered = sorted(devices, key=lambda d: (_DEVICE_ORDER.get(d.status, 3), d.name))
    for device in ordered:
        style = {"pending_activation": "yellow", "disabled": "red"}.get(device.status, "")
        note = "caller's" if device.user_id == user_id else ""
        if device.status == "pending_activation" and device.code_expires_at is not None:
            expiry = when(device.code_expires_at, tz, now)
            note = (note + ", " if note else "") + f"code expires {expiry}"
        status = device.status.replace("_", " ")
        table.add_row(
            Text(status, style=style),
            device.name,
            PLATFORM_NAMES.get(device.platform, device.platform),
            device.client_version or "—",
            note,
        )
    if not ordered:
        table.add_row("—", "no devices", "", "", "")
    return table


def audit_table(items: list[Any], tz: tzinfo, now: datetime) -> Table:
    """The latest changes about the user: when, what, ticket, outcome."""
    table = Table(title="Recent audit records for this user", title_justify="left", expand=True)
    table.add_column("when", no_wrap=True)
    table.add_column("action", no_wrap=True)
    table.add_column("ticket", no_wrap=True)
    table.add_column("outcome", no_wrap=True)
    table.add_column("reason")
    for item in items:
        table.add_row(
            f"{local(item.time, tz, now)} ({relative(item.time, now)})",
            item.action,
            item.ticket or "—",
            item.outcome,
            item.reason or item.detail or "",
        )
    if not items:
        table.add_row("—", "nothing recorded yet", "", "", "")
    return table
