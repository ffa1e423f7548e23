"""helpdesk: a help center and a guided support assistant built from one knowledge base."""

__version__ = "0.1.0"
