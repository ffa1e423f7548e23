"""Diagnostic trees: the format, the checker and the engine that walks them (UI-free)."""
