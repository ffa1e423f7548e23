"""Screens of the agent app."""
