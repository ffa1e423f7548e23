"""Cursor blink off when the app asks for it (snapshot tests need a steady screen)."""

from __future__ import annotations

from typing import TypeVar

from textual._context import active_app
from textual.widget import Widget

W = TypeVar("W", bound=Widget)


def steady(widget: W) -> W:
    """``widget`` with its cursor blink switched off if the app's settings say so."""
    try:
        app = active_app.get()
    except LookupError:
        return widget
    settings = getattr(app, "settings", None)
    if settings is not None and not getattr(settings, "cursor_blink", True):
        widget.cursor_blink = False  # type: ignore[attr-defined]
    return widget
