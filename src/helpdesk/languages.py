"""The languages the help center and the apps come in, named in English (for the
writers' and agents' tools; the site's language switcher uses each one's own name)."""

from __future__ import annotations

LANGUAGE_NAMES = {"en": "English", "it": "Italian", "es": "Spanish"}
