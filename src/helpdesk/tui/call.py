"""The call an agent is on: ticket, caller and the caller's language, set once.

Every walk started during the call is prefilled from it (a tree's ticket input, and the
email inputs marked ``prefill: caller_email``), the header shows it, the plan's ticket
field starts with it, and saved walks remember it so the history lists them by ticket
and caller. Ending the call clears it. Nothing here talks to the API or imports Textual.
"""

from __future__ import annotations

from dataclasses import dataclass

LANGUAGES = {"en": "English", "it": "Italiano", "es": "Español"}
"""The caller languages customer links and article previews come in."""
DEFAULT_LANGUAGE = "en"


@dataclass(frozen=True)
class Call:
    """One call.

    Attributes:
        ticket: the ticket reference the call is logged under.
        caller_email: the caller's sign-in email, as found in the workspace (or None).
        caller_name: their name from the user record.
        user_id: their user id (the account screen reads it).
        language: ``en``, ``it`` or ``es``: the user record's language unless changed.
    """

    ticket: str
    caller_email: str | None = None
    caller_name: str | None = None
    user_id: str | None = None
    language: str = DEFAULT_LANGUAGE

    def prefill(self, key: str | None, input_type: str | None) -> str | None:
        """The value an input node starts with: the ticket for ticket inputs, the
        caller's email for inputs marked ``prefill: caller_email``."""
        if input_type == "ticket" or key == "ticket":
            return self.ticket or None
        if key == "caller_email":
            return self.caller_email
        return None

    def context(self) -> dict[str, str]:
        """What a saved walk keeps of the call."""
        out = {"ticket": self.ticket, "language": self.language}
        if self.caller_email:
            out["caller"] = self.caller_email
        if self.caller_name:
            out["caller_name"] = self.caller_name
        return out

    @property
    def label(self) -> str:
        """The header's line: ticket, caller and language."""
        who = self.caller_name or self.caller_email or "unknown caller"
        if self.caller_name and self.caller_email:
            who = f"{self.caller_name} <{self.caller_email}>"
        return f"call {self.ticket} · {who} · {self.language}"
