"""The condition language: what it accepts, what it refuses, and that it never runs Python."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from helpdesk.diagnostics.conditions import ConditionError, evaluate, parse_condition
from helpdesk.diagnostics.templates import render, render_param, template_refs

ENV: dict[str, Any] = {
    "client": "windows",
    "version": "20.10",
    "user": {"mfa": {"state": "enabled"}, "pin_set": False, "permissions": ["manage_devices"]},
    "devices": {"items": [{"id": "dev_1"}]},
    "count": 3,
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("client == 'windows'", True),
        ('client != "windows"', False),
        ("version >= v'20.9'", True),  # 20.10 is newer than 20.9: numeric per part
        ("version < v'20.10.1'", True),
        ("version == v'20.10.0'", True),
        ("client in ['android', 'ios']", False),
        ("'manage_devices' in user.permissions", True),
        ("'x' not in user.permissions", True),
        ("user.mfa.state == 'enabled' and not user.pin_set", True),
        ("user.pin_set or (count > 2 and count <= 3)", True),
        ("missing.field == null", True),
        ("missing.field >= v'1.0'", False),
        ("devices.items.0.id == 'dev_1'", True),
        ("devices.items.5.id != null", False),
        ("user.__class__ == null", True),  # only mapping keys: no Python attribute access
    ],
)
def test_conditions_evaluate(text: str, expected: bool) -> None:
    assert evaluate(parse_condition(text), ENV) is expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the condition is empty"),
        ("client = 'windows'", "unexpected character '=' (use == to compare)"),
        ("client == 'windows", "unterminated quoted text"),
        ("client ==", "expected a value or a name but found the end of the condition"),
        ("(client == 'a'", "expected ')' but found the end of the condition"),
        ("a == 1 == 1", "comparisons cannot be chained"),
        ("version >= 20.0", "write versions as v'20.0'"),
        ("version >= v'20.x'", "version literal '20.x' is not a version"),
        ("__import__('os').system('true')", "unexpected '('"),
        ("1 + 1", "unexpected character '+'"),
        ("client == 'a' client", "unexpected 'client'; join conditions with 'and' or 'or'"),
        ("user. == 1", "expected a field name after '.'"),
        ("lambda: 1", "unexpected character ':'"),
    ],
)
def test_malformed_conditions_are_refused(text: str, message: str) -> None:
    with pytest.raises(ConditionError) as caught:
        parse_condition(text)
    assert message in caught.value.message


def test_ordering_text_needs_a_version_literal() -> None:
    with pytest.raises(ConditionError, match="write v'windows' to compare versions"):
        evaluate(parse_condition("client > 'a'"), ENV)


def test_offsets_point_at_the_problem() -> None:
    with pytest.raises(ConditionError) as caught:
        parse_condition("client == 'a' and = 2")
    assert caught.value.offset == 18


def test_templates() -> None:
    assert render("{client} {{literal}} {user.mfa.state} {nope}", ENV) == (
        "windows {literal} enabled —"
    )
    assert render_param("{count}", ENV) == 3
    assert render_param("n={count}", ENV) == "n=3"
    assert [r.dotted for r in template_refs("{a.b} and {c}")] == ["a.b", "c"]
    for bad, words in [("{a", "unmatched '{'"), ("{a + b}", "is not a reference")]:
        with pytest.raises(ConditionError) as caught:
            template_refs(bad)
        assert words in caught.value.message


def test_times_in_templates_read_in_the_hotels_zone_with_how_far_away_they_are() -> None:
    env = {"until": "2026-11-30T21:07:42.123456+00:00", "since": "2026-11-30T20:00:00Z"}
    now = datetime(2026, 11, 30, 20, 12, 20, tzinfo=UTC)
    rome = ZoneInfo("Europe/Rome")

    assert render("at {until}", env, zone=rome, now=now) == "at 22:07 CET (in 55 min)"
    assert render("{since}", env, zone=rome, now=now) == "21:00 CET (12 min ago)"
    assert render("{until}", env, now=now) == "21:07 UTC (in 55 min)"
    # The API is sent the exact value whatever the reader's zone.
    assert render_param("{until}", env) == env["until"]


def test_times_in_templates_read_to_the_minute_in_utc() -> None:
    env = {
        "until": "2026-11-30T21:07:42.123456+00:00",
        "local": "2026-11-30T22:07:42+01:00",
        "day": "2026-11-30",
        "text": "2026-11-30T99:99 is not a time",
    }

    assert render("{until}", env) == "2026-11-30 21:07 UTC"
    assert render("{local}", env) == "2026-11-30 21:07 UTC"
    assert render("{day} / {text}", env) == "2026-11-30 / 2026-11-30T99:99 is not a time"
    # A parameter sent back to the API keeps the exact value.
    assert render_param("{until}", env) == "2026-11-30T21:07:42.123456+00:00"
