"""Who may open a decision in the portal (the "why?" of an outcome).

A decision is seen by whoever may open its subject: each part of the portal registers, for the subject
types it shows, a test ``(user, subject_id) -> bool`` with the API's own visibility (a salesperson sees
the decisions about the customers they may see, CUS-70; nobody sees those about a case they are excluded
from, CMP-21 — managers included). A subject type nobody registered is for managers only.
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
    test = _tests.get(subject_type)
    if test is not None:
        return bool(test(user, subject_id))
    return user.has_role(*MANAGERS)
