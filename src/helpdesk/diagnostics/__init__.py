"""Diagnostic trees: the format, the checker, and the UI-free engine that walks them.

The terminal app (and any other front end) needs only these names::

    from helpdesk.diagnostics import Session, default_state_dir

    session = await Session.start(trees_of(kb)["account-locked"], client)   # runs to the first stop
    view = session.current            # NodeView: kind, prompt, choices, input spec, plan, end text
    await session.provide("HD-1042")  # input nodes
    await session.answer("unlock")    # ask nodes (a choice's value or label)
    outcome = await session.confirm() # verify gates; actions (ActionOutcome, secrets shown once)
    await session.decline()           # refuse a gate / decline a change
    await session.back()              # previous question; applied changes stay applied
    await session.run()               # retry after a TransportError (the session stays put)
    session.facts, session.answers, session.breadcrumb, session.outcome, session.status
    session.transcript_markdown(), session.records, session.transcript_path, session.state_path

    trees_of(kb)                                     # the KB's trees by id (its "trees" section)
    Session.open(session_id, trees_of(kb), client)          # reopen a saved walk (no API call)
    await Session.resume(session_id, trees_of(kb), client)  # reopen, run pending automatic steps
    SessionStore(state_dir).sessions()                      # saved walks, newest first

Nothing in this package imports Textual; the engine is plain async Python.
"""

from helpdesk.diagnostics.conditions import ConditionError, parse_condition
from helpdesk.diagnostics.engine import Session
from helpdesk.diagnostics.model import NODE_KINDS, OUTCOMES, Tree, trees_of
from helpdesk.diagnostics.state import Fact, Plan, SessionState, SessionStore, default_state_dir
from helpdesk.diagnostics.transcript import Verdict, render_markdown, verify_transcript
from helpdesk.diagnostics.views import ActionOutcome, ChoiceView, NodeView
from helpdesk.diagnostics.walk import Clock

__all__ = [
    "NODE_KINDS",
    "OUTCOMES",
    "ActionOutcome",
    "ChoiceView",
    "Clock",
    "ConditionError",
    "Fact",
    "NodeView",
    "Plan",
    "Session",
    "SessionState",
    "SessionStore",
    "Tree",
    "Verdict",
    "default_state_dir",
    "parse_condition",
    "render_markdown",
    "trees_of",
    "verify_transcript",
]
