"""Whoosh modules that a query never runs, loaded only if something does call them.

``whoosh.query.terms`` imports ``whoosh.lang.morph_en`` for the ``Variations`` query
(English word forms, which helpdesk gets from its stemmers instead). The module compiles
hundreds of regular expressions when it is imported: about 14 ms, 6% of a whole
``helpdesk search`` from a shell. ``defer_morph_en`` puts a stand-in in its place whose
``variations`` imports the real module on its first call, so nothing changes for a
caller that does use it; only a process that never does stops paying for it.

This module imports only the standard library: ``helpdesk.search`` installs the
stand-in before any Whoosh import and must stay cheap for the site publisher.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Iterable
from typing import Any

MORPH_EN = "whoosh.lang.morph_en"


def _real(name: str) -> types.ModuleType:
    """The real module ``name``, imported now in place of its stand-in."""
    module = sys.modules.get(name)
    if module is not None and not getattr(module, "_helpdesk_stand_in", False):
        return module
    sys.modules.pop(name, None)
    return importlib.import_module(name)


def defer_morph_en() -> None:
    """Install the stand-in for ``whoosh.lang.morph_en`` unless it is already imported."""
    if MORPH_EN in sys.modules:
        return
    stand_in = types.ModuleType(MORPH_EN, "Stand-in: the real module loads on first use.")

    def variations(word: str) -> Iterable[str]:
        result: Iterable[str] = _real(MORPH_EN).variations(word)
        return result

    def __getattr__(attribute: str) -> Any:  # anything else also loads the real module
        if attribute.startswith("__"):
            # Tools that walk sys.modules probe __file__, __path__...: no reason to load it.
            raise AttributeError(attribute)
        return getattr(_real(MORPH_EN), attribute)

    stand_in.variations = variations  # type: ignore[attr-defined]
    stand_in.__getattr__ = __getattr__  # type: ignore[method-assign]
    stand_in._helpdesk_stand_in = True  # type: ignore[attr-defined]
    sys.modules[MORPH_EN] = stand_in
