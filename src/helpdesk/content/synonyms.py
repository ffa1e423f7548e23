"""Search synonyms (``kb/synonyms.yaml``): groups of words readers use for the same thing.

The file is optional. Each group is a list of words or short phrases; search expands a
query word with the rest of its group, and the site publisher adds a page's groups to
its keywords so the in-browser search finds the MFA article for "2FA"::

    groups:
      - [MFA, 2FA, two-factor, authenticator]
      - [PIN, passcode]
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from helpdesk.content.models import KbModel, Text


def _check_group(group: list[str]) -> list[str]:
    # Checked per group (not on the whole list) so each error points at its own line.
    if len(group) < 2:
        raise ValueError("a group needs at least two words or phrases")
    lowered = [word.casefold() for word in group]
    repeated = sorted({w for w in lowered if lowered.count(w) > 1})
    if repeated:
        raise ValueError(f"{', '.join(repeated)} listed more than once in this group")
    return group


SynonymGroup = Annotated[list[Text], AfterValidator(_check_group)]


class Synonyms(KbModel):
    """Groups of equivalent search words (``kb/synonyms.yaml``)."""

    groups: list[SynonymGroup] = Field(default_factory=list)
    """Each group lists two or more words or phrases that mean the same to a reader."""
