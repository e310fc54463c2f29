"""Pure helpers of the complaint pages (no database, no request): which step forms a case page
offers to a user, form values into the API's input shape, and a refusal in the reader's language.

The steps offered only decide which forms are shown; the service functions behind them check again
and refuse (409) what the stage does not allow, so a form posted out of turn is still refused.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from web.api.complaint_aftercare import ARRANGERS, VISIT_STAFF
from web.api.complaint_resolution import APPROVERS
from web.api.complaints import SUPERVISORS, TAKERS

OPEN = ("received", "accepted", "in_progress")


@dataclass(frozen=True)
class CaseFacts:
    """What the choice of steps looks at."""

    status: str
    case_type: str = "complaint"
    severity: str = "general"
    owner_id: int | None = None
    handler_id: int | None = None
    master_id: int | None = None
    finding: str | None = None
    approval_status: str | None = None
    paused: bool = False
    customer_reply_at: dt.datetime | None = None

    @classmethod
    def of(cls, complaint, *, paused: bool = False) -> "CaseFacts":
        return cls(status=complaint.status, case_type=complaint.case_type, severity=complaint.severity,
                   owner_id=complaint.owner_id, handler_id=complaint.handler_id, master_id=complaint.master_id,
                   finding=complaint.finding, approval_status=complaint.approval_status, paused=paused,
                   customer_reply_at=complaint.customer_reply_at)


def available_steps(case: CaseFacts, roles: set[str], user_id: int) -> list[str]:
    """The steps whose forms the case page shows, in the order of the work (see module doc)."""
    def has(group) -> bool:
        return bool(roles & set(group))

    taker, supervisor = has(TAKERS), has(SUPERVISORS)
    concluder = user_id == case.owner_id or supervisor
    steps: list[str] = []
    status = case.status
    if status == "received" and supervisor and case.case_type == "complaint" and case.master_id is None:
        steps += ["accept", "reject"]
    if status in OPEN:
        if case.severity == "major" and case.customer_reply_at is None and taker:
            steps.append("customer_reply_time")
        if status in ("received", "accepted") and taker:
            steps.append("start")
        if supervisor:
            steps.append("handler")
        if taker:
            steps += ["severity", "resume" if case.paused else "pause", "demand", "solution"]
        if case.approval_status == "pending" and has(APPROVERS):
            steps.append("approval")
        if supervisor and case.case_type == "complaint" and case.finding is None and status == "in_progress":
            steps.append("finding")
        if taker:
            steps.append("reply")
        if taker and (concluder or user_id == case.handler_id):
            steps.append("resolve")
    if status in (*OPEN, "resolved") and taker:
        steps.append("escalate")
    if status == "resolved" and taker:
        steps += ["reply", "feedback"]
        if concluder:
            steps.append("close")
    if status in ("resolved", "closed") and taker:
        steps.append("reopen")
    return steps


def may_record_visit(roles: set[str]) -> bool:
    return bool(roles & set(VISIT_STAFF))


def may_arrange_visit(roles: set[str]) -> bool:
    return bool(roles & set(ARRANGERS))


def aware(value: str | None, timezone: str) -> str | None:
    """A ``datetime-local`` value (``2026-12-07T10:30``, the tenant's wall clock) as an ISO instant with
    its offset, which the API's schemas need; a value with an offset or not a time is left as it is
    (the schema names it then)."""
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(timezone))
    return parsed.isoformat()


def as_input(values: dict, *, times: tuple[str, ...] = (), lists: tuple[str, ...] = (),
             lines: dict[str, str] | None = None, timezone: str = "Asia/Shanghai") -> dict:
    """Form values as the API's JSON body: empty fields left out (the schema's default applies, or its
    "required" message), ``a.b`` names nested, ``times`` made aware, ``lists`` always lists, and each
    field of ``lines`` (``{"issues": "description"}``) one object per non-empty line."""
    body: dict = {}
    for key, value in values.items():
        if key in lists:
            items = value if isinstance(value, list) else [value]
            value = [v for v in items if v not in ("", None)]
        elif lines and key in lines:
            value = [{lines[key]: line.strip()} for line in str(value).splitlines() if line.strip()]
        elif value in ("", None):
            continue
        elif key in times:
            value = aware(value, timezone)
        target = body
        *parents, leaf = key.split(".")
        for parent in parents:
            target = target.setdefault(parent, {})
        target[leaf] = value
    for key in lists:
        body.setdefault(key, [])
    return body


# refusals of the complaint services, by message, in the reader's language
_REFUSALS = (
    (re.compile(r"^case \S+ is already (?P<status>\w+)$"), "already"),
    (re.compile(r"^a (?P<status>\w+) case cannot be closed"), "close_first"),
    (re.compile(r"^a (?P<status>\w+) case cannot be "), "stage"),
    (re.compile(r"^case \S+ is (?P<status>\w+): cannot "), "stage"),
    (re.compile(r"^a (?P<status>\w+) case is not reopened"), "reopen"),
    (re.compile(r"^the solution must be approved by the (?P<role>\w+)"), "approval_first"),
    (re.compile(r"^no solution awaits approval"), "no_approval"),
    (re.compile(r"^the case is with the GM already"), "top"),
    (re.compile(r"^only (its owner|its owner, its handler) or a supervisor or manager may"), "concluder"),
    (re.compile(r"^the clock is already paused"), "paused"),
    (re.compile(r"^this visit is (?P<status>\w+)"), "visit_done"),
)


def refusal(message: str, status_name) -> str | None:
    """The refusal ``message`` of a service in the reader's language, or None when it is not one we
    know (the caller shows the service's own text). ``status_name(code)`` names a status."""
    for pattern, kind in _REFUSALS:
        found = pattern.match(message or "")
        if not found:
            continue
        status = status_name(found.groupdict().get("status") or "")
        if kind == "already":
            return _("This case is already %(status)s: the step is no longer possible.", status=status)
        if kind == "close_first":
            return _("This case is %(status)s: resolve it before closing it.", status=status)
        if kind == "stage":
            return _("This case is %(status)s: this step is not possible in this stage.", status=status)
        if kind == "reopen":
            return _("Only a resolved or closed case can be reopened (this one is %(status)s).", status=status)
        if kind == "approval_first":
            return _("The solution must be approved before the customer is given the final reply (CMP-50).")
        if kind == "no_approval":
            return _("No solution awaits approval.")
        if kind == "top":
            return _("The case is with the general manager already: there is no level above (CMP-41).")
        if kind == "concluder":
            return _("Only the case's owner (or its handler), a supervisor or a manager may take this step (CMP-20).")
        if kind == "paused":
            return _("The clock is already paused: resume it first.")
        if kind == "visit_done":
            return _("This return visit is %(status)s already.", status=status)
    return None
