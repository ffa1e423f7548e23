"""Demo data: a workspace whose users and devices cover every sign-in diagnosis.

The seed is deterministic (fixed ids and emails, exported below for other tests),
and idempotent: running it again changes nothing, except that the locked user is
locked again if their 59 minutes have passed, so the demo always shows a lockout.

Workspace ``ws_aurora``, "Hotel Aurora (demo)", an Italian hotel (time zone
Europe/Rome; its staff use the apps in Italian, except Elena, in English):

==========================  ======================================  =========================
constant                    email                                   situation
==========================  ======================================  =========================
ADMIN_MFA_NO_PIN            giulia.admin@hotel-aurora.example       admin, MFA on, no PIN:
                                                                    apps refuse her password
ADMIN_MFA_PIN               marco.owner@hotel-aurora.example        admin, MFA on, PIN set
                                                                    (DEMO_PIN): PIN login works
MANAGER_DEVICES             elena.manager@hotel-aurora.example      manager with manage_devices
RECEPTIONIST                luca.reception@hotel-aurora.example     receptionist, no
                                                                    manage_devices, no PIN
LOCKED_USER                 sara.locked@hotel-aurora.example        locked for 59 minutes
WINDOWS_1999_USER           paolo.nightdesk@hotel-aurora.example    uses Windows client 19.99
SPANISH_RECEPTIONIST        lucia.breakfast@hotel-aurora.example    receptionist, Spanish
                                                                    speaker, no PIN
==========================  ======================================  =========================

Devices: DEVICE_PENDING (Windows 20.0.1 PC deactivated by the update, waiting for a
code), DEVICE_ACTIVE (tablet app 1.5.1), DEVICE_DISABLED (Android 1.5.2, disabled),
DEVICE_LEGACY (iPad still on the legacy app), DEVICE_WINDOWS_1999 (Windows 19.99).

Workspace ``ws_sol`` ("Hotel Sol (demo)"), Aurora's Spanish sister hotel (time zone
Europe/Madrid, staff in Spanish): SOL_ADMIN (carmen.admin@hotel-sol.example, admin,
MFA on, no PIN), SOL_LOCKED (javier.recepcion@hotel-sol.example, locked) and
SOL_DEVICE (a Windows 20.0.1 PC waiting for its activation code).

Workspace ``ws_borealis`` ("Hotel Borealis (demo)") holds OTHER_ADMIN and
OTHER_DEVICE, to prove that a token never reaches another workspace.

Tokens are not seed data (they are stored only as hashes): ``create_demo_token``
makes a new one with AGENT_SCOPES each time it is called.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from helpdesk.access.models import SCOPES
from helpdesk.server.security import PinHasher, create_token
from helpdesk.server.store import Store

WORKSPACE_ID = "ws_aurora"
WORKSPACE_NAME = "Hotel Aurora (demo)"
WORKSPACE_TIMEZONE = "Europe/Rome"
SPANISH_WORKSPACE_ID = "ws_sol"
SPANISH_WORKSPACE_NAME = "Hotel Sol (demo)"
SPANISH_WORKSPACE_TIMEZONE = "Europe/Madrid"
OTHER_WORKSPACE_ID = "ws_borealis"
OTHER_WORKSPACE_NAME = "Hotel Borealis (demo)"
# (id, name, IANA time zone)
WORKSPACES = (
    (WORKSPACE_ID, WORKSPACE_NAME, WORKSPACE_TIMEZONE),
    (SPANISH_WORKSPACE_ID, SPANISH_WORKSPACE_NAME, SPANISH_WORKSPACE_TIMEZONE),
    (OTHER_WORKSPACE_ID, OTHER_WORKSPACE_NAME, "UTC"),
)


@dataclass(frozen=True)
class SeedUser:
    id: str
    email: str
    name: str
    role: str
    permissions: tuple[str, ...] = ()
    mfa: bool = False
    pin: bool = False
    locked: bool = False
    workspace_id: str = WORKSPACE_ID
    language: str = "it"


@dataclass(frozen=True)
class SeedDevice:
    id: str
    name: str
    platform: str
    client_version: str
    status: str
    user_id: str | None
    mode: str = "FULL"
    workspace_id: str = WORKSPACE_ID


DEMO_PIN = "4831"

ADMIN_MFA_NO_PIN = SeedUser(
    "usr_aurora_giulia", "giulia.admin@hotel-aurora.example", "Giulia Admin", "admin", mfa=True
)
ADMIN_MFA_PIN = SeedUser(
    "usr_aurora_marco",
    "marco.owner@hotel-aurora.example",
    "Marco Owner",
    "admin",
    ("manage_devices",),
    mfa=True,
    pin=True,
)
MANAGER_DEVICES = SeedUser(
    "usr_aurora_elena",
    "elena.manager@hotel-aurora.example",
    "Elena Manager",
    "manager",
    ("manage_devices",),
    language="en",
)
RECEPTIONIST = SeedUser(
    "usr_aurora_luca", "luca.reception@hotel-aurora.example", "Luca Reception", "receptionist"
)
LOCKED_USER = SeedUser(
    "usr_aurora_sara",
    "sara.locked@hotel-aurora.example",
    "Sara Locked",
    "receptionist",
    locked=True,
)
WINDOWS_1999_USER = SeedUser(
    "usr_aurora_paolo",
    "paolo.nightdesk@hotel-aurora.example",
    "Paolo Nightdesk",
    "receptionist",
)
OTHER_ADMIN = SeedUser(
    "usr_borealis_admin",
    "admin@hotel-borealis.example",
    "Borealis Admin",
    "admin",
    mfa=True,
    workspace_id=OTHER_WORKSPACE_ID,
    language="en",
)
SPANISH_RECEPTIONIST = SeedUser(
    "usr_aurora_lucia",
    "lucia.breakfast@hotel-aurora.example",
    "Lucía Breakfast",
    "receptionist",
    language="es",
)
SOL_ADMIN = SeedUser(
    "usr_sol_carmen",
    "carmen.admin@hotel-sol.example",
    "Carmen Admin",
    "admin",
    ("manage_devices",),
    mfa=True,
    workspace_id=SPANISH_WORKSPACE_ID,
    language="es",
)
SOL_LOCKED = SeedUser(
    "usr_sol_javier",
    "javier.recepcion@hotel-sol.example",
    "Javier Recepción",
    "receptionist",
    locked=True,
    workspace_id=SPANISH_WORKSPACE_ID,
    language="es",
)
USERS = (
    ADMIN_MFA_NO_PIN,
    ADMIN_MFA_PIN,
    MANAGER_DEVICES,
    RECEPTIONIST,
    LOCKED_USER,
    WINDOWS_1999_USER,
    OTHER_ADMIN,
    SPANISH_RECEPTIONIST,
    SOL_ADMIN,
    SOL_LOCKED,
)

DEVICE_PENDING = SeedDevice(
    "dev_aurora_frontdesk_pc", "Front Desk PC", "windows", "20.0.1", "pending_activation",
    ADMIN_MFA_PIN.id,
)  # fmt: skip
DEVICE_ACTIVE = SeedDevice(
    "dev_aurora_frontdesk_tablet", "Front Desk Tablet", "tablet", "1.5.1", "active",
    ADMIN_MFA_PIN.id,
)  # fmt: skip
DEVICE_DISABLED = SeedDevice(
    "dev_aurora_lobby_phone", "Lobby Phone", "android", "1.5.2", "disabled", RECEPTIONIST.id
)
DEVICE_LEGACY = SeedDevice(
    "dev_aurora_old_ipad", "Old iPad", "legacy", "4.2", "active", RECEPTIONIST.id
)
DEVICE_WINDOWS_1999 = SeedDevice(
    "dev_aurora_night_pc", "Night Desk PC", "windows", "19.99", "active", WINDOWS_1999_USER.id
)
OTHER_DEVICE = SeedDevice(
    "dev_borealis_pc", "Borealis PC", "windows", "20.0.1", "active", OTHER_ADMIN.id,
    workspace_id=OTHER_WORKSPACE_ID,
)  # fmt: skip
SOL_DEVICE = SeedDevice(
    "dev_sol_reception_pc", "PC Recepción", "windows", "20.0.1", "pending_activation",
    SOL_ADMIN.id, workspace_id=SPANISH_WORKSPACE_ID,
)  # fmt: skip
DEVICES = (
    DEVICE_PENDING,
    DEVICE_ACTIVE,
    DEVICE_DISABLED,
    DEVICE_LEGACY,
    DEVICE_WINDOWS_1999,
    OTHER_DEVICE,
    SOL_DEVICE,
)

_LOCKOUT = timedelta(minutes=59)
AGENT_SCOPES = tuple(scope for scope in SCOPES if scope != "admin")


def seed(store: Store, hasher: PinHasher, now: datetime) -> None:
    """Insert the demo workspaces, users and devices (idempotent)."""
    lock_until = now + _LOCKOUT
    with store.write() as conn:
        for ws_id, name, timezone in WORKSPACES:
            conn.execute(
                "INSERT OR IGNORE INTO workspaces (id, name, timezone) VALUES (?, ?, ?)",
                (ws_id, name, timezone),
            )
            # A demo database seeded before time zones existed gets its hotel's zone.
            conn.execute("UPDATE workspaces SET timezone = ? WHERE id = ?", (timezone, ws_id))
        for user in USERS:
            conn.execute(
                "INSERT OR IGNORE INTO users (id, workspace_id, email, name, role, permissions,"
                " mfa_enabled, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    user.id,
                    user.workspace_id,
                    user.email,
                    user.name,
                    user.role,
                    json.dumps(list(user.permissions)),
                    int(user.mfa),
                    now.isoformat(),
                ),
            )
            conn.execute("UPDATE users SET language = ? WHERE id = ?", (user.language, user.id))
            if user.pin:
                row = conn.execute("SELECT pin_hash FROM users WHERE id = ?", (user.id,)).fetchone()
                if row["pin_hash"] is None:
                    conn.execute(
                        "UPDATE users SET pin_hash = ? WHERE id = ?",
                        (hasher.hash(DEMO_PIN), user.id),
                    )
            if user.locked:
                # Lock again only once the previous lock has run out.
                conn.execute(
                    "UPDATE users SET failed_logins = 5, locked_until = ? WHERE id = ?"
                    " AND (locked_until IS NULL OR locked_until <= ?)",
                    (lock_until.isoformat(), user.id, now.isoformat()),
                )
        for device in DEVICES:
            conn.execute(
                "INSERT OR IGNORE INTO devices (id, workspace_id, name, platform, mode,"
                " client_version, status, user_id, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    device.id,
                    device.workspace_id,
                    device.name,
                    device.platform,
                    device.mode,
                    device.client_version,
                    device.status,
                    device.user_id,
                    now.isoformat(),
                ),
            )


def create_demo_token(
    store: Store,
    now: datetime,
    *,
    workspace_id: str = WORKSPACE_ID,
    scopes: tuple[str, ...] = AGENT_SCOPES,
    name: str = "demo",
) -> str:
    """A new token for the demo workspace; returned once, stored only as a hash."""
    with store.write() as conn:
        _, token = create_token(
            conn, workspace_id=workspace_id, scopes=list(scopes), name=name, now=now
        )
    return token
