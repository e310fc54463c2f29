"""Who may open a decision in the portal (the "why?" of an outcome).

Managers see every decision of their tenant. Anyone else sees a decision when they may open its
subject: each part of the portal registers, for the subject types it shows, a test
``(user, subject_id) -> bool`` (a salesperson sees the decisions about the customers they may see, an
agent those about the cases they handle). A subject type nobody registered is for managers only.
"""
from __future__ import annotations

from collections.abc import Callable

from web.portal.tenant_pages import MANAGERS

_tests: dict[str, Callable] = {}


def visible_to(subject_type: str):
    """Register the test of one subject type: ``@visible_to("customer")``."""

    def register(test):
        _tests[subject_type] = test
        return test

    return register


def may_see(user, subject_type: str, subject_id: int) -> bool:
    if user.has_role(*MANAGERS):
        return True
    test = _tests.get(subject_type)
    return bool(test and test(user, subject_id))
