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

from pydantic import Field, field_validator

from helpdesk.content.models import KbModel, Text

SynonymGroup = Annotated[list[Text], Field(min_length=2)]


class Synonyms(KbModel):
    """Groups of equivalent search words (``kb/synonyms.yaml``)."""

    groups: list[SynonymGroup] = Field(default_factory=list)
    """Each group lists two or more words or phrases that mean the same to a reader."""

    @field_validator("groups")
    @classmethod
    def _no_repeats_in_a_group(cls, value: list[list[str]]) -> list[list[str]]:
        for number, group in enumerate(value, start=1):
            lowered = [word.casefold() for word in group]
            repeated = sorted({w for w in lowered if lowered.count(w) > 1})
            if repeated:
                raise ValueError(f"group {number} lists {', '.join(repeated)} more than once")
        return value
