"""The protection windows of the three modes: fixed from registration (CUS-22, 建档有效期), rolling
from the last valid contact (CUS-23), under-service (CUS-24, 服务不到位); and when the CUS-25 warning
starts. A window "through X" ends at 00:00 of X+1 (CAL-05); a fact is in time when strictly before."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Mapping, Sequence

from core.calendar import Duration, WorkCalendar
from core.customers.ownership.contacts import ContactVerdict, classify_contacts
from core.customers.ownership.facts import Claim, ContactEvent, Deal, RuleDecision, Staff, contact_key
from core.customers.ownership.vocabulary import (
    CONTACT_EN, CONTACT_ZH, EXPIRED, FIXED, NO_QUALIFYING_SERVICE, ROLLING, UNDER_SERVICE,
    VOID_MISSED_CONTACT, VOID_WEAK_STREAK,
)


@dataclass
class Tenure:
    """One owner's tenure during the replay; ``decision`` is ``None`` for a CUS-21 claim (built at
    the end, when the evidence it overruled is known); ``previous``: the owner and window it followed."""

    owner: Staff
    start: dt.datetime
    claim: Claim | None
    rule_id: str
    decision: RuleDecision | None
    deal: Deal | None = None
    previous: tuple[Staff, "Window"] | None = None
    overruled: list = field(default_factory=list)


@dataclass(frozen=True)
class Window:
    rule_id: str
    end: dt.datetime | None
    through: dt.date | None
    end_reason: str | None
    last: ContactVerdict | None
    considered: tuple[ContactVerdict, ...]
    provisional: bool
    pending: tuple[int | str | None, ...] = ()


def window_of(policy: Mapping[str, Any], calendar: WorkCalendar, tenure: Tenure,
            contacts: Sequence[ContactEvent], as_of: dt.datetime) -> Window:
    """The protection window of ``tenure`` with the facts known at ``as_of`` (CUS-22/23/24)."""
    mode = policy["ownership"]["mode"]
    if mode == FIXED:
        return fixed_window(policy, calendar, tenure, contacts, as_of)
    if mode == ROLLING:
        return rolling_window(policy, calendar, tenure, contacts, as_of)
    if mode == UNDER_SERVICE:
        return under_service_window(policy, calendar, tenure, contacts, as_of)
    return Window("CUS-20", None, None, None, None, (), False)


def fixed_window(policy, calendar, tenure, contacts, as_of) -> Window:
    """CUS-22: ``validity`` from the claim; a valid contact renews only with ``renew_on_contact``."""
    validity = policy["ownership"]["validity"]
    deadline = calendar.add_duration(tenure.start, validity)
    provisional = deadline.provisional
    last = None
    considered: list[ContactVerdict] = []
    if policy["ownership"]["renew_on_contact"]:
        for verdict in classify_contacts(policy, calendar, contacts, owner=tenure.owner, since=tenure.start,
                                         as_of=as_of):
            if verdict.code in ("before_claim", "other_employee"):
                continue
            if verdict.contact.at >= deadline.at:
                break
            considered.append(verdict)
            if not verdict.valid:
                continue
            renewed = calendar.add_duration(verdict.contact.at, validity)
            provisional |= renewed.provisional
            if renewed.at > deadline.at:
                deadline, last = renewed, verdict
    return Window("CUS-22", deadline.at, deadline.through, EXPIRED, last, tuple(considered), provisional)


def rolling_window(policy, calendar, tenure, contacts, as_of) -> Window:
    """CUS-23: first valid contact within ``first_within``, then within ``every`` of each valid date.

    A contact never shortens the window: the deadline is the later of the running one and the
    contact's valid date + ``every``.
    """
    rolling = policy["ownership"]["rolling"]
    deadline = calendar.add_duration(tenure.start, rolling["first_within"])
    provisional = deadline.provisional
    last = None
    considered: list[ContactVerdict] = []
    pending: list = []
    for verdict in classify_contacts(policy, calendar, contacts, owner=tenure.owner, since=tenure.start,
                                     as_of=as_of):
        if verdict.code in ("before_claim", "other_employee"):
            continue
        if verdict.contact.at >= deadline.at:
            break
        considered.append(verdict)
        if verdict.code == "weak_streak":
            at = calendar.local(verdict.contact.at)
            return Window("CUS-23", at, at.date(), VOID_WEAK_STREAK, verdict, tuple(considered), provisional,
                           tuple(pending))
        if not verdict.valid:
            continue
        following = calendar.add_duration(verdict.valid_at, rolling["every"])
        provisional |= following.provisional
        if following.at > deadline.at:
            deadline = following
        last = verdict
        if verdict.code == "pending_confirmation":
            pending.append(verdict.contact.record_id)
    return Window("CUS-23", deadline.at, deadline.through, VOID_MISSED_CONTACT, last, tuple(considered),
                   provisional, tuple(pending))


def under_service_window(policy, calendar, tenure, contacts, as_of) -> Window:
    """CUS-24: protected while a qualifying service happens within ``window`` of the previous one."""
    settings = policy["ownership"]["under_service"]
    qualifying = set(settings["qualifying"])
    deadline = calendar.add_duration(tenure.start, settings["window"])
    provisional = deadline.provisional
    last = None
    considered: list[ContactVerdict] = []
    for contact in sorted(contacts, key=contact_key):
        if contact.at > as_of or contact.at < tenure.start:
            continue
        if contact.by is not None and contact.by != tenure.owner:
            continue
        if contact.at >= deadline.at:
            break
        day = calendar.local_date(contact.at)
        kind_zh, kind_en = CONTACT_ZH[contact.kind], CONTACT_EN[contact.kind]
        if contact.kind not in qualifying:
            considered.append(ContactVerdict(contact, False, "not_qualifying", None, None, None,
                                             f"{day}的{kind_zh}不属合格服务。",
                                             f"The {kind_en} on {day} is not a qualifying service."))
            continue
        verdict = ContactVerdict(contact, True, "qualifying", None, contact.at, day,
                                 f"{day}的{kind_zh}为合格服务。", f"The {kind_en} on {day} is a qualifying service.")
        considered.append(verdict)
        following = calendar.add_duration(contact.at, settings["window"])
        provisional |= following.provisional
        if following.at > deadline.at:
            deadline = following
        last = verdict
    return Window("CUS-24", deadline.at, deadline.through, NO_QUALIFYING_SERVICE, last, tuple(considered),
                   provisional)


def warning_at_of(policy: Mapping[str, Any], calendar: WorkCalendar, window: Window) -> dt.datetime | None:
    """CUS-25: ``warn_before`` counted back from the last day (days, weeks) or the end (clock units)."""
    if window.end is None or window.end_reason == VOID_WEAK_STREAK:
        return None
    warn: Duration = policy["ownership"]["warn_before"]
    if warn.unit in ("days", "weeks"):
        days = int(warn.amount) * (7 if warn.unit == "weeks" else 1)
        return calendar.start_of_day(window.through - dt.timedelta(days=days))
    minutes = Decimal(warn.amount) * (60 if warn.unit == "hours" else 1)
    return calendar.local(window.end - dt.timedelta(minutes=float(minutes)))
