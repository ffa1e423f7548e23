"""The support agent's terminal app (Textual); ``make_app`` lives in ``tui.app``."""
