"""Query behaviour on the fixture KB: synonyms, typos, fallback, phrases, filters, audience."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from helpdesk.content.kb import KnowledgeBase
from helpdesk.errors import ConfigError
from helpdesk.search import search

Load = Callable[[], KnowledgeBase]


def ids(kb: KnowledgeBase, query: str, **options: object) -> list[str]:
    return [hit.id for hit in search(kb, query, **options)]  # type: ignore[arg-type]


def test_synonyms_work_both_ways(load: Load) -> None:
    kb = load()
    # "2FA" is only a synonym; the article says MFA.
    assert ids(kb, "2FA")[0] == "enable-mfa"
    results = search(kb, "2FA")
    assert "MFA" in results.expansions["2FA"]
    # The article says "authenticator"; searching the group's other member finds it too.
    assert ids(kb, "two-factor")[0] == "enable-mfa"
    assert ids(kb, "passcode")[0] == "pin-login"
    assert ids(kb, "ipad activation")[0] == "device-activation"


def test_typo_is_corrected_with_did_you_mean(load: Load) -> None:
    results = search(load(), "authentcator")
    assert results.hits[0].id == "enable-mfa"
    assert results.did_you_mean == "authenticator"
    assert results.corrections == {"authentcator": "authenticator"}


def test_known_words_are_not_corrected(load: Load) -> None:
    results = search(load(), "activating tablet")
    assert results.did_you_mean is None
    assert results.hits[0].id == "device-activation"


def test_and_first_then_flagged_or_fallback(load: Load) -> None:
    kb = load()
    both = search(kb, "recovery authenticator")
    assert not both.fallback and [h.id for h in both] == ["enable-mfa"]
    assert both.hits[0].all_words
    neither = search(kb, "recovery tablet")  # no article has both words
    assert neither.fallback
    assert {h.id for h in neither} == {"enable-mfa", "device-activation"}
    assert not any(h.all_words for h in neither)


def test_quoted_phrase(load: Load) -> None:
    kb = load()
    assert ids(kb, '"recovery codes"') == ["enable-mfa"]
    assert ids(kb, '"codes recovery"') == []
    snippet = search(kb, '"recovery codes"').hits[0].snippet
    assert "**recovery** **codes**" in snippet


def test_identifiers_match(load: Load) -> None:
    kb = load()
    for query in ("KB5064401", "kb5064401", "5064401", "19.99", "0x80070005"):
        assert ids(kb, query)[:1] == ["windows-update-conflict"], query
    assert ids(kb, "1.5.X")[:1] == ["pin-login"]


def test_filters(load: Load) -> None:
    kb = load()
    assert ids(kb, "windows client", platform="android") == ["pin-login"]
    # enable-mfa names no platform of its own; its product (Workspace) runs on the web.
    assert "enable-mfa" not in ids(kb, "mfa", platform="windows")
    assert ids(kb, "code", category="devices") == ["device-activation"]
    assert set(ids(kb, "client", product="windows-client")) <= {
        "pin-login",
        "device-activation",
        "windows-update-conflict",
    }


@pytest.mark.parametrize(
    ("option", "value"),
    [("platform", "blackberry"), ("product", "fax"), ("category", "misc"), ("audience", "x")],
)
def test_unknown_filter_values_are_usage_errors(load: Load, option: str, value: str) -> None:
    with pytest.raises(ConfigError, match=f"unknown {option} '{value}'"):
        search(load(), "pin", **{option: value})  # type: ignore[arg-type]


def test_customers_never_see_agent_only_or_drafts(load: Load) -> None:
    kb = load()
    for query in ("mfa", "suspend mfa", "passkey", "sign in mfa"):
        found = ids(kb, query)
        assert "suspend-mfa-agent" not in found and "draft-passkeys" not in found, query


def test_agents_see_agent_only_never_drafts(load: Load) -> None:
    kb = load()
    assert ids(kb, "suspend mfa", audience="agent")[0] == "suspend-mfa-agent"
    assert "draft-passkeys" not in ids(kb, "passkey", audience="agent")
    assert search(kb, "suspend", audience="agent").hits[0].audience == "agent"


def test_results_carry_url_snippet_and_why(load: Load) -> None:
    hit = search(load(), "pin android").hits[0]
    assert hit.url == "en/access-security/pin-login/"  # every language under its prefix
    assert "**" in hit.snippet
    assert hit.matched[0] == "title"
