"""Approval, dispatch and field rules of work orders (SVC-04..06, SVC-08), pure: no database, no clock.

- :func:`ineligibility` — SVC-05: why a technician may not take an order (not in the dispatch pool,
  skill, area, not on duty); empty: eligible.
- :func:`approval_reason` — SVC-05: why a dispatch needs the department manager's approval (an
  outside partner, or staff of another department), or None.
- :func:`checklist_required` / :func:`checklist_missing` — SVC-06: whether the pre-departure
  checklist must be complete before arrival, and which items are not ticked.
- :func:`eta_change` — SVC-08: a change of the time promised to the customer must be told to the
  customer before the old time; told later (or not at all, changed after it) it is flagged.
- :func:`notice_problem` — SVC-08: a delay notice is filed before the deadline and proposes a later one.
- :func:`breach_attribution` — SVC-08: a breach of the assignee's deadline without a delay notice
  filed before it is attributed to the assignee.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

ANY = "*"
#: the deadlines the assignee answers for (SVC-08); approval and dispatch are the desk's
ASSIGNEE_MILESTONES = ("arrive", "complete")

REASONS = {
    "not_in_pool": ("未列入派工名单（技术员档案停用）", "not in the dispatch pool (profile inactive)"),
    "inactive_user": ("账号已停用", "the user is inactive"),
    "skill": ("不具备所需技能", "lacks the skill"),
    "area": ("不负责该区域", "does not serve the area"),
    "off_duty": ("不在岗", "not on duty"),
}


@dataclass(frozen=True)
class Technician:
    """A technician as the dispatch rules see them: the profile (skills, areas, in the pool) and the
    user (active, CAL-11 availability)."""

    user_id: int
    skills: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    active: bool = True
    user_active: bool = True
    availability: str = "on_duty"
    department_chain: tuple[int, ...] = field(default=())  # the user's department and its parents


def _matches(wanted: str | None, offered: tuple[str, ...]) -> bool:
    if not wanted:
        return True
    wanted = wanted.strip().casefold()
    return any(o == ANY or o.strip().casefold() == wanted for o in offered)


def ineligibility(tech: Technician, *, skill: str | None, area: str | None) -> list[str]:
    """SVC-05: the reasons (codes of :data:`REASONS`) ``tech`` may not take an order needing ``skill``
    in ``area`` (None: anything); empty when eligible. A skill or area ``*`` matches any; an order
    without a skill or area asks for none."""
    out = []
    if not tech.active:
        out.append("not_in_pool")
    if not tech.user_active:
        out.append("inactive_user")
    if not _matches(skill, tech.skills):
        out.append("skill")
    if not _matches(area, tech.areas):
        out.append("area")
    if tech.availability != "on_duty":
        out.append("off_duty")
    return out


def describe(reasons: list[str], availability: str | None = None) -> tuple[str, str]:
    """The reasons in Chinese and English."""
    zh = "；".join(REASONS[r][0] + (f"（{availability}）" if r == "off_duty" and availability else "") for r in reasons)
    en = "; ".join(REASONS[r][1] + (f" ({availability})" if r == "off_duty" and availability else "") for r in reasons)
    return zh, en


def approval_reason(*, partner: bool, order_department: int | None,
                    technician_chain: tuple[int, ...]) -> str | None:
    """SVC-05: ``partner`` (an outside partner), ``other_department`` (the technician's department
    and its parents do not include the order's department) or None (own staff, or the order names
    no department)."""
    if partner:
        return "partner"
    if order_department is not None and order_department not in technician_chain:
        return "other_department"
    return None


def checklist_required(setting, type_code: str, *, on_site: bool) -> bool:
    """SVC-06: ``svc.checklist.required`` is true, false or a list of types; a remote type never
    departs."""
    if not on_site:
        return False
    if isinstance(setting, bool):
        return setting
    return type_code in (setting or [])


def checklist_missing(items: list[str], ticked: dict) -> list[str]:
    """SVC-06: the items of ``items`` not ticked (true) in ``ticked``, in the setting's order."""
    return [item for item in items if ticked.get(item) is not True]


@dataclass(frozen=True)
class EtaChange:
    """SVC-08: ``kind`` is ``set`` (the first promised time), ``told`` (changed, the customer told
    before the old time) or ``flagged`` (changed after the old time without telling the customer
    before it, or told too late); ``error`` names the field at fault (nothing recorded)."""

    kind: str
    error: tuple[str, str] | None = None


def eta_change(old: dt.datetime | None, new: dt.datetime, *, at: dt.datetime,
               customer_told_at: dt.datetime | None) -> EtaChange:
    """SVC-08: changing the promised time ``old`` to ``new`` at ``at``, the customer told at
    ``customer_told_at``. Before the old time the customer must have been told (``customer_told_at``
    required); after it the change is flagged unless the customer was told before the old time."""
    since = customer_told_at or at
    if customer_told_at is not None and customer_told_at > at:
        return EtaChange("error", ("customer_told_at", "cannot be after the change is recorded"))
    if new <= since:
        return EtaChange("error", ("eta_at", "must be after the time the change is made"))
    if old is None:
        return EtaChange("set")
    if new == old:
        return EtaChange("error", ("eta_at", "the same time as promised already"))
    if at <= old:
        if customer_told_at is None:
            return EtaChange("error", ("customer_told_at", "say when the customer was told of the new time "
                                                           "(SVC-08: before the old time)"))
        return EtaChange("told")
    if customer_told_at is not None and customer_told_at <= old:
        return EtaChange("told")
    return EtaChange("flagged")


def notice_problem(*, due_at: dt.datetime, filed_at: dt.datetime, proposed_due: dt.datetime) -> tuple[str, str] | None:
    """SVC-08: ``("late", ...)`` when the notice comes at or after the deadline (409), ``("proposed_due",
    ...)`` when it does not propose a later time (422), else None."""
    if filed_at >= due_at:
        return "late", "a delay notice must be filed before the deadline"
    if proposed_due <= due_at:
        return "proposed_due", "must be later than the deadline in force"
    return None


def breach_attribution(code: str, *, assignee_id: int | None, notices: list[tuple[dt.datetime, str]],
                       due_at: dt.datetime) -> str:
    """SVC-08: what a breach of milestone ``code`` due at ``due_at`` means for the assignee, given the
    delay notices on it as ``(filed_at, state)``: ``not_assignee`` (approval or dispatch: the desk's),
    ``unassigned`` (nobody, or an outside partner), ``covered`` (a notice filed before the due time is
    pending or was refused: the assignee told in time) or ``attributed``. A granted notice covers
    nothing: it moved the deadline, and the new one is the assignee's again."""
    if code not in ASSIGNEE_MILESTONES:
        return "not_assignee"
    if assignee_id is None:
        return "unassigned"
    if any(filed < due_at and state != "granted" for filed, state in notices):
        return "covered"
    return "attributed"
