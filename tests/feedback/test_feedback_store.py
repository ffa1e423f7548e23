"""The feedback repository on the storage seam: SQLite and a real (throwaway) PostgreSQL
both store a batch whole and read it back by date and language."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from helpdesk.errors import ConfigError, StorageError
from helpdesk.feedback.models import Search, Vote
from helpdesk.feedback.records import Received, Selection
from helpdesk.feedback.store import FeedbackStore, open_store

DAY1 = datetime(2026, 11, 30, 9, 15, 7, tzinfo=UTC)
DAY2 = datetime(2026, 12, 2, 18, 0, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        url: str = request.getfixturevalue("postgres").create_database()
        return url
    return str(tmp_path / "db" / "feedback.sqlite3")


@pytest.fixture
def store(target: str) -> Iterator[FeedbackStore]:
    opened = open_store(target)
    yield opened
    opened.close()


def batch() -> list[Received]:
    return [
        Received(DAY1, Vote(kind="vote", lang="en", article="pin-login", helpful=True)),
        Received(
            DAY2,
            Vote(
                kind="vote",
                lang="it",
                article="pin-login",
                helpful=False,
                reason="hard-to-follow",
                comment="Troppi passaggi",
            ),
        ),
        Received(DAY1, Search(kind="search", lang="it", query="schedina", results=0)),
        Received(
            DAY2,
            Search(kind="search", lang="en", query="pin", results=3, opened="pin-login"),
        ),
    ]


def test_a_batch_reads_back_as_it_was_sent(store: FeedbackStore) -> None:
    store.add(batch())
    votes = store.votes()
    assert [(v.at, v.lang, v.helpful, v.reason, v.comment) for v in votes] == [
        (DAY1, "en", True, None, None),
        (DAY2, "it", False, "hard-to-follow", "Troppi passaggi"),
    ]
    searches = store.searches()
    assert [(s.at, s.query, s.results, s.opened) for s in searches] == [
        (DAY1, "schedina", 0, None),
        (DAY2, "pin", 3, "pin-login"),
    ]


def test_a_selection_filters_by_first_day_and_language(store: FeedbackStore) -> None:
    store.add(batch())
    since = Selection(since=date(2026, 12, 2))
    assert [v.lang for v in store.votes(since)] == ["it"]
    assert [s.query for s in store.searches(Selection(lang="it"))] == ["schedina"]
    assert store.searches(Selection(since=date(2026, 12, 1), lang="it")) == []


def test_reopening_keeps_the_data_and_migrates_nothing_twice(target: str) -> None:
    first = open_store(target)
    first.add(batch())
    first.close()
    again = open_store(target)
    assert len(again.votes()) == 2
    again.close()


def test_the_sqlite_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "feedback.sqlite3"
    open_store(path).close()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


@pytest.mark.parametrize("target", ["mysql://host/db", "http://example.com/feedback"])
def test_an_address_that_is_neither_a_file_nor_postgresql_is_a_usage_error(target: str) -> None:
    with pytest.raises(ConfigError, match="unsupported database URL scheme"):
        open_store(target)


def test_a_batch_that_fails_stores_none_of_its_items(store: FeedbackStore) -> None:
    good = batch()
    bad = Received(DAY1, Search.model_construct(kind="search", lang="en", query=None, results=0))
    with pytest.raises(StorageError, match="could not store feedback"):
        store.add([*good, bad])  # the votes are in when the searches' NOT NULL fails
    assert store.votes() == [] and store.searches() == []


def test_a_large_batch_goes_in_whole(store: FeedbackStore) -> None:
    many = [
        Received(DAY1, Search(kind="search", lang="en", query=f"q{n}", results=n))
        for n in range(257)
    ]
    store.add(many)
    assert [s.results for s in store.searches()] == list(range(257))


def test_a_folder_is_not_taken_for_a_database(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is a folder"):
        open_store(tmp_path)


def test_the_database_counts_votes_and_failed_searches(store: FeedbackStore) -> None:
    store.add(batch())
    store.add(batch()[:3])
    tallies = {(t.article, t.helpful, t.reason): t.count for t in store.vote_tallies()}
    assert tallies == {("pin-login", True, None): 2, ("pin-login", False, "hard-to-follow"): 2}
    failed = [(t.lang, t.query, t.found_nothing, t.count) for t in store.search_tallies()]
    assert failed == [("it", "schedina", True, 2)]  # the search that opened a result is not one
    assert store.search_count() == 3
    assert store.search_count(Selection(lang="en")) == 1


def test_only_the_newest_comments_of_each_article_are_read(store: FeedbackStore) -> None:
    store.add(
        [
            Received(
                DAY1 + timedelta(minutes=n),
                Vote(
                    kind="vote",
                    lang="en",
                    article="pin-login" if n % 2 else "clp-rules",
                    helpful=False,
                    comment=f"comment {n}",
                ),
            )
            for n in range(10)
        ]
    )
    latest = store.latest_comments(per_article=2)
    assert [(v.article, v.comment) for v in latest] == [
        ("clp-rules", "comment 8"),
        ("clp-rules", "comment 6"),
        ("pin-login", "comment 9"),
        ("pin-login", "comment 7"),
    ]
