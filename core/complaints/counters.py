"""Complaint counters per employee (CMP-73) feeding the HR flags of STF-12.

A complaint counts against the accused employee (``complaint.accused_user_id``) at its received time;
only verified complaints — finding ``discipline`` or ``general_error`` (CMP-06) — unless the ``cmp``
version the case was received under says ``counters.verified_only = false`` (CMP-37). Counters:
``complaints`` (all such complaints) and ``attitude_complaints`` (category ``staff_attitude``, for the
repeat verified attitude complaints). The thresholds are ``stf.flags`` rules; the nightly job
``cmp.employee_counters`` raises the flags through :func:`core.staff.flags.raise_flags`.
"""
from __future__ import annotations

from sqlalchemy import or_, select

from core.complaints.models import Complaint
from core.complaints.policy import cmp_policy
from core.db import db
from core.staff.flags_rules import Occurrence

VERIFIED_FINDINGS = ("discipline", "general_error")
ATTITUDE_CATEGORY = "staff_attitude"


def is_verified(complaint: Complaint) -> bool:
    """CMP-73: a complaint whose finding holds the employee at fault."""
    return complaint.finding in VERIFIED_FINDINGS


def counts(complaint: Complaint) -> bool:
    """Whether ``complaint`` counts against its accused under the version it was received under."""
    if complaint.accused_user_id is None or complaint.case_type != "complaint":
        return False
    return is_verified(complaint) or not cmp_policy(complaint.received_at).values["counters"]["verified_only"]


def occurrences(counter: str, user_ids=None, *, touched_since=None) -> dict[int, list[Occurrence]]:
    """The complaints of ``counter`` per accused employee (all of them, or of ``user_ids``, or of the
    employees with a complaint received or changed since ``touched_since``)."""
    stmt = select(Complaint).where(Complaint.accused_user_id.is_not(None), Complaint.case_type == "complaint")
    if counter == "attitude_complaints":
        stmt = stmt.where(Complaint.category == ATTITUDE_CATEGORY)
    elif counter != "complaints":
        raise ValueError(f"not a complaint counter: {counter!r}")
    if user_ids is not None:
        stmt = stmt.where(Complaint.accused_user_id.in_(list(user_ids)))
    elif touched_since is not None:
        recent = select(Complaint.accused_user_id).where(
            or_(Complaint.received_at >= touched_since, Complaint.updated_at >= touched_since))
        stmt = stmt.where(Complaint.accused_user_id.in_(recent))
    found: dict[int, list[Occurrence]] = {}
    for complaint in db.session.scalars(stmt.order_by(Complaint.received_at, Complaint.id)):
        if counts(complaint):
            found.setdefault(complaint.accused_user_id, []).append(
                Occurrence(complaint.received_at, "complaint", complaint.id))
    return found
