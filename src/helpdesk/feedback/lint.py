"""Closing the loop: ``helpdesk lint`` warns on articles readers found unhelpful.

Off until a writer sets a threshold, so a fresh checkout lints as before::

    HELPDESK_LINT_YES_SHARE=0.6    # warn when under 60 % of votes say "yes" ...
    HELPDESK_LINT_MIN_VOTES=20     # ... over at least 20 votes (default 10)
    HELPDESK_LINT_SINCE=2026-09-01 # only votes from this day on (default: all)

Votes come from the feedback database (``HELPDESK_FEEDBACK_DB``, the one ``feedback
serve`` writes). The warnings are ordinary lint warnings on the article's file, so
``lint --strict`` fails on them. The command layer wires this check in
(``helpdesk.cli.LINT_CHECKS``); the content package imports nothing of feedback.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from helpdesk.errors import ConfigError, Problem
from helpdesk.feedback.records import Selection

if TYPE_CHECKING:
    from helpdesk.content.kb import KnowledgeBase

SHARE_VARIABLE = "HELPDESK_LINT_YES_SHARE"
VOTES_VARIABLE = "HELPDESK_LINT_MIN_VOTES"
SINCE_VARIABLE = "HELPDESK_LINT_SINCE"
DEFAULT_MIN_VOTES = 10


@dataclass(frozen=True)
class HelpfulnessRule:
    """Warn below ``share`` "yes" over at least ``min_votes`` votes since ``since``."""

    share: float
    min_votes: int = DEFAULT_MIN_VOTES
    since: date | None = None

    @classmethod
    def from_env(cls) -> HelpfulnessRule | None:
        """The rule the environment sets, or None when no threshold is set.

        Raises:
            ConfigError: a variable holds a value that cannot be used (names it).
        """
        raw_share = os.environ.get(SHARE_VARIABLE, "").strip()
        if not raw_share:
            return None
        try:
            share = float(raw_share.rstrip("%")) / (100 if raw_share.endswith("%") else 1)
        except ValueError:
            share = -1.0
        if not 0 < share <= 1:
            raise ConfigError(
                f"${SHARE_VARIABLE} is {raw_share!r}; give the lowest acceptable share of "
                "'yes' votes, e.g. 0.6 or 60%"
            )
        raw_votes = os.environ.get(VOTES_VARIABLE, "").strip() or str(DEFAULT_MIN_VOTES)
        if not raw_votes.isdigit() or int(raw_votes) < 1:
            raise ConfigError(f"${VOTES_VARIABLE} is {raw_votes!r}; give a whole number, e.g. 20")
        raw_since = os.environ.get(SINCE_VARIABLE, "").strip()
        try:
            since = date.fromisoformat(raw_since) if raw_since else None
        except ValueError:
            raise ConfigError(
                f"${SINCE_VARIABLE} is {raw_since!r}; give a date like 2026-09-01"
            ) from None
        return cls(share=share, min_votes=int(raw_votes), since=since)


def low_rated_articles(kb: KnowledgeBase) -> list[Problem]:
    """Warnings for articles under the configured "yes" share (none when unconfigured).

    Raises:
        ConfigError: a setting cannot be used.
        StorageError: the feedback database cannot be read.
    """
    rule = HelpfulnessRule.from_env()
    if rule is None:
        return []
    from helpdesk.content.problems import ProblemList
    from helpdesk.feedback.report.health import article_votes
    from helpdesk.feedback.settings import default_db
    from helpdesk.feedback.store import open_existing_store

    store = open_existing_store(default_db())
    try:
        tallies = store.vote_tallies(Selection(since=rule.since))
    finally:
        store.close()
    problems = ProblemList(kb.root)
    for entry in article_votes(kb, tallies, []):
        doc = kb.documents.get(entry.id)
        if doc is None or entry.votes < rule.min_votes or entry.share >= rule.share:
            continue
        reasons = ", ".join(f"{r} {n}" for r, n in entry.reasons.most_common(3))
        problems.at(
            doc,
            ("title",),
            f"readers found this unhelpful: {entry.share:.0%} 'yes' over {entry.votes} votes "
            f"(threshold {rule.share:.0%})"
            + (f"; reasons: {reasons}" if reasons else "")
            + "; see `helpdesk report` for their comments",
            severity="warning",
        )
    return problems.items
