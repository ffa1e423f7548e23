"""Widgets of the agent app."""
