"""POST /v1/feedback on a real uvicorn on 127.0.0.1, stored in a real SQLite file:
what it accepts, what it refuses (with the right 4xx, storing nothing), and what it
never keeps (the sender's address)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from feedback_support import running_service, table_rows

from helpdesk.feedback.limits import RateLimit
from helpdesk.feedback.live import LiveFeedback

TEXT = {"Content-Type": "text/plain;charset=UTF-8"}
VOTE = {
    "kind": "vote",
    "lang": "it",
    "article": "pin-login",
    "helpful": False,
    "reason": "outdated",
    "comment": "Il menu ora si chiama Configure PIN Settings.",
}
SEARCH = {"kind": "search", "lang": "es", "query": "schedina alloggiati", "results": 0}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "feedback.sqlite3"


@pytest.fixture
def live(db: Path) -> Iterator[LiveFeedback]:
    with running_service(db) as service:
        yield service


def post(live: LiveFeedback, body: object, headers: dict[str, str] = TEXT) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.post(live.url, content=content, headers=headers, timeout=5)


def stored(live: LiveFeedback, db: Path) -> dict[str, list[tuple[object, ...]]]:
    assert live.service.writer.flush()
    return table_rows(db)


def test_a_vote_sent_as_text_is_accepted_with_no_body_and_stored(
    live: LiveFeedback, db: Path
) -> None:
    response = post(live, VOTE)
    assert response.status_code == 202
    assert response.content == b""
    rows = stored(live, db)["votes"]
    assert [row[2:] for row in rows] == [
        ("it", "pin-login", 0, "outdated", "Il menu ora si chiama Configure PIN Settings.")
    ]


def test_a_search_sent_as_json_is_stored_with_its_language(live: LiveFeedback, db: Path) -> None:
    response = post(live, SEARCH, {"Content-Type": "application/json"})
    assert response.status_code == 202
    opened = {**SEARCH, "results": 4, "opened": "clp-rules"}
    assert post(live, opened).status_code == 202
    rows = stored(live, db)["searches"]
    assert [row[2:] for row in rows] == [
        ("es", "schedina alloggiati", 0, None),
        ("es", "schedina alloggiati", 4, "clp-rules"),
    ]


MALFORMED = {
    "not JSON": b"{kind: vote",
    "empty body": b"",
    "a JSON array": b"[]",
    "JSON null": b"null",
    "a JSON string": b'"vote"',
    "invalid UTF-8": b'{"kind": "search", "lang": "en", "query": "\xff\xfe", "results": 0}',
    "a lone surrogate escape": b'{"kind": "search", "lang": "en", "query": "a\\ud800",'
    b' "results": 0}',
}
REFUSED_FIELDS = {
    "unknown kind": ({**SEARCH, "kind": "rating"}, "kind"),
    "no kind": ({k: v for k, v in SEARCH.items() if k != "kind"}, "kind"),
    "missing article": ({k: v for k, v in VOTE.items() if k != "article"}, "article"),
    "an extra field": ({**SEARCH, "ip": "10.0.0.1"}, "ip"),
    "helpful as text": ({**VOTE, "helpful": "no"}, "helpful"),
    "an unknown reason": ({**VOTE, "reason": "boring"}, "reason"),
    "a reason on a yes": ({**VOTE, "helpful": True, "comment": None}, None),
    "a comment over 1,000 characters": ({**VOTE, "comment": "x" * 1001}, "comment"),
    "a control character in a comment": ({**VOTE, "comment": "bell\x07"}, "comment"),
    "a blank query": ({**SEARCH, "query": "   "}, "query"),
    "a query over 200 characters": ({**SEARCH, "query": "q" * 201}, "query"),
    "negative results": ({**SEARCH, "results": -1}, "results"),
    "results as a boolean": ({**SEARCH, "results": True}, "results"),
    "results as a float": ({**SEARCH, "results": 1.5}, "results"),
    "an article id with a slash": ({**VOTE, "article": "../etc"}, "article"),
    "a language that is not a code": ({**VOTE, "lang": "<script>"}, "lang"),
    "an unknown language": ({**VOTE, "lang": "de"}, "lang"),
    "an unknown article": ({**VOTE, "article": "how-to-fly"}, "article"),
    "an unknown opened article": ({**SEARCH, "opened": "how-to-fly"}, "opened"),
}


@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_body_gets_400_and_stores_nothing(
    live: LiveFeedback, db: Path, body: bytes
) -> None:
    response = post(live, body)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 400
    assert stored(live, db) == {"votes": [], "searches": []}


@pytest.mark.parametrize(("body", "field"), REFUSED_FIELDS.values(), ids=REFUSED_FIELDS.keys())
def test_a_refused_field_gets_422_naming_it_and_stores_nothing(
    live: LiveFeedback, db: Path, body: dict[str, object], field: str | None
) -> None:
    response = post(live, body)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert problem.get("field") == field
    assert problem["detail"]
    assert stored(live, db) == {"votes": [], "searches": []}


def test_an_oversized_body_gets_413_whether_or_not_its_length_is_declared(
    live: LiveFeedback, db: Path
) -> None:
    big = json.dumps({**VOTE, "comment": "é" * 5000}).encode()
    assert post(live, big).status_code == 413

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(big), 1000):
            yield big[start : start + 1000]

    response = httpx.post(live.url, content=chunks(), headers=TEXT, timeout=5)
    assert response.status_code == 413
    assert response.json()["type"].endswith("/too-large")
    assert stored(live, db) == {"votes": [], "searches": []}


def test_another_media_type_gets_415(live: LiveFeedback) -> None:
    response = post(live, VOTE, {"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 415


def test_other_methods_and_paths_get_problems_with_allow(live: LiveFeedback) -> None:
    response = httpx.get(live.url, timeout=5)
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    missing = httpx.post(live.base_url + "/v1/votes", content=b"{}", timeout=5)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def test_a_burst_from_one_client_gets_429_and_only_the_allowed_part_is_stored(
    db: Path,
) -> None:
    with running_service(db, limit=RateLimit(burst=5, per_second=0.01)) as live:
        codes = [post(live, SEARCH).status_code for _ in range(8)]
        refused = post(live, SEARCH)
        rows = stored(live, db)
    assert codes == [202] * 5 + [429] * 3
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.json()["type"].endswith("/rate-limited")
    assert len(rows["searches"]) == 5


def test_no_address_or_browser_is_stored_anywhere_in_the_database(
    live: LiveFeedback, db: Path
) -> None:
    agent = "Mozilla/5.0 (X11; Linux x86_64) HelpdeskTest/1.0"
    headers = {**TEXT, "User-Agent": agent}
    assert post(live, VOTE, headers).status_code == 202
    assert post(live, SEARCH, headers).status_code == 202
    live.service.writer.flush()
    live.service.store.close()  # checkpoint the WAL into the file we read below
    raw = b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))
    assert b"Configure PIN Settings" in raw  # the content is there...
    for trace in (b"127.0.0.1", agent.encode(), b"HelpdeskTest"):
        assert trace not in raw  # ...and nothing of who sent it


def test_a_json_fetch_from_the_sites_origin_passes_the_cors_preflight(db: Path) -> None:
    site = "http://127.0.0.1:8000"
    with running_service(db, origins=(site,)) as live:
        preflight = httpx.options(
            live.url,
            headers={
                "Origin": site,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
            timeout=5,
        )
        other = httpx.post(
            live.url, content=json.dumps(SEARCH), headers={**TEXT, "Origin": "https://evil.example"}
        )
        answer = httpx.post(live.url, content=json.dumps(SEARCH), headers={**TEXT, "Origin": site})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == site
    assert answer.headers["access-control-allow-origin"] == site
    assert "access-control-allow-origin" not in other.headers


def test_the_service_stores_in_postgresql_given_a_postgresql_url(postgres: Any) -> None:
    from helpdesk.feedback.store import open_store

    url = postgres.create_database()
    with running_service(url) as live:
        assert post(live, VOTE).status_code == 202
        assert post(live, SEARCH).status_code == 202
        assert live.service.writer.flush()
    store = open_store(url)
    try:
        assert [(v.lang, v.article, v.reason) for v in store.votes()] == [
            ("it", "pin-login", "outdated")
        ]
        assert [s.query for s in store.searches()] == ["schedina alloggiati"]
    finally:
        store.close()
