"""The reference access API server: ``create_app(settings)``, its SQLite store, its
security rules and the demo seed. See ``helpdesk.server.app``."""

from helpdesk.server.app import create_app
from helpdesk.server.settings import ManualClock, RateLimit, Settings

__all__ = ["ManualClock", "RateLimit", "Settings", "create_app"]
