"""Events, invitations and joint-event lists: pure rules (DOMAIN.md 3.9, CUS-81..CUS-83).

Every function is ``(settings, calendar, facts, now) → outcome``: no database, no Flask, no clock.
The service (:mod:`core.customers.events.service`) loads the facts, calls these rules under the
``cus`` version in force on the event's day, and writes rows and decisions.

- CUS-81 events and invitations: :data:`EVENT_KINDS`, :data:`SESSIONS`, the invitation states
  :data:`STATES` (planned → confirmed → listed → attended → sold; ``lost`` when CUS-83 judges the
  customer another department's), :func:`effective_day` (CAL-07 cut-off ``cus.events.daily_cutoff``).
- CUS-82 list cut-offs for joint events: :func:`window_days`, :func:`list_schedule` (every list due,
  with its instant and fine), :func:`listing_due` (by when a confirmation must be listed to protect
  the customer), :func:`check_lists` (late and missing lists at a given time).
- CUS-83 duplicate invitations: :func:`may_invite` (refusal when another department holds the customer
  on an on-time list), :func:`judge` (whose invitation an arriving customer is), :func:`sale_credit`
  (100% to the current inviter).

A joint event is an event with two or more divisions (departments), whatever its kind; CUS-82/83 apply
to joint events only (one division has nobody to collide with).

Readings of the source (seed 000 L13–L17), each a setting or stated in the docs:

- "每晚6點后再邀約算作第二天邀約": a confirmation at or after the daily cut-off counts for the next day
  (CAL-07, ≥); a list is on time when submitted strictly before its cut-off.
- The fine ("每天邀約敲定顧客檔案如有遲交或不交一次,罰該部負責人10元") covers the daily confirmed lists
  of the window ("前一周時間內"); the event-day final list and plan lists are checked and reported
  but not fined (plan lists "protect nobody", DOMAIN.md CUS-82 Ambiguous).
- "計劃邀約工作第一事業部要比第二事業部提前一天來完成" (``plan_lead_days``): a division that must hand in
  plan lists (``next_day_plan_required``) hands in, with its list of day D, the plan of day
  D + 1 + lead (lead 0: the next day; lead 1: one day further ahead).
- A confirmation dated before the window must be on the window's first daily list; one effective on
  the event day on the final list.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Mapping, Sequence

from marshmallow import Schema, ValidationError, fields, validate, validates

from core.calendar import Duration, WorkCalendar
from core.calendar.policy import ClockTime, DurationField
from core.customers.ownership.settings import RoleField

__all__ = [
    "ACTIVE_STATES", "CONFIRMED_LIST", "CREDIT_MODES", "EVENT_KINDS", "LIST_KINDS", "PLAN_LIST", "SESSIONS",
    "STATES", "Credit", "Division", "DueList", "EventFacts", "EventsPolicySchema", "InvitationFacts",
    "Judgement", "ListFinding", "Refusal", "Share", "Submission", "check_lists", "default_session",
    "effective_day", "judge", "list_schedule", "list_status", "listed_on_time", "listing_due",
    "load_events_policy", "may_invite", "sale_credit", "window_days",
]

# --------------------------------------------------------------------------- vocabulary (CUS-81)

EVENT_KINDS = ("lecture", "club_meeting", "joint_meeting", "roadshow", "fair", "launch")
EVENT_KIND_LABELS = {
    "lecture": ("讲座", "lecture"), "club_meeting": ("联谊会", "club meeting"),
    "joint_meeting": ("联合会议", "joint meeting"), "roadshow": ("路演", "roadshow"), "fair": ("展会", "fair"),
    "launch": ("发布会", "launch"),
}
SESSIONS = ("afternoon", "evening")
PLANNED, CONFIRMED, LISTED, ATTENDED, SOLD, LOST = "planned", "confirmed", "listed", "attended", "sold", "lost"
STATES = (PLANNED, CONFIRMED, LISTED, ATTENDED, SOLD, LOST)
#: confirmed invitations still in play (a planned one claims nothing; a lost one was judged away)
ACTIVE_STATES = (CONFIRMED, LISTED, ATTENDED, SOLD)
STATE_LABELS = {PLANNED: ("计划邀约", "planned"), CONFIRMED: ("已敲定", "confirmed"), LISTED: ("已上交名单", "listed"),
                ATTENDED: ("已到会", "attended"), SOLD: ("已成交", "sold"), LOST: ("判归他部", "lost")}

CONFIRMED_LIST, PLAN_LIST = "confirmed", "plan"
LIST_KINDS = (CONFIRMED_LIST, PLAN_LIST)
ON_TIME, LATE, MISSING = "on_time", "late", "missing"
CREDIT_MODES = ("current_inviter", "owner")

#: the session of an event starting at or after this local time, when not given: evening
EVENING_FROM = dt.time(17, 0)
CENT = Decimal("0.01")
HUNDRED = Decimal("100.00")
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,29}$")


def money(value: Any) -> Decimal:
    """Section 1: CNY as ``Decimal`` with 2 places, half-up."""
    return Decimal(str(value) if isinstance(value, float) else value).quantize(CENT, rounding=ROUND_HALF_UP)


def _yuan(value: Decimal) -> str:
    return f"¥{money(value):,.2f}"


# --------------------------------------------------------------------------- settings (cus.events)


def _code_error(value: Any) -> str:
    return f"Not a valid division code: {value!r} (lower-case letters, digits, underscores, e.g. div1)."


class DivisionCode(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if not _CODE.match(value):
            raise ValidationError(_code_error(value))
        return value


class EventDayCutoffSchema(Schema):
    """``cus.events.event_day_cutoff`` (CUS-82): final lists due on the event day, per session."""

    afternoon = ClockTime(load_default=dt.time(10, 0))
    evening = ClockTime(load_default=dt.time(16, 0))


class EventsSettingsSchema(Schema):
    """``cus.events`` (CUS-81..CUS-83, CAL-07)."""

    window = DurationField(units=("days", "working_days"), load_default=Duration(7, "days"))
    daily_cutoff = ClockTime(load_default=dt.time(18, 0))
    event_day_cutoff = fields.Nested(EventDayCutoffSchema, load_default=lambda: EventDayCutoffSchema().load({}))
    late_list_fine = fields.Decimal(places=2, rounding=ROUND_HALF_UP, as_string=True,
                                    validate=validate.Range(min=0), load_default=lambda: Decimal("10.00"))
    plan_lead_days = fields.Dict(keys=DivisionCode(), values=fields.Integer(strict=True, validate=validate.Range(0, 30)),
                                 load_default=lambda: {"div1": 1, "div2": 0})
    next_day_plan_required = fields.List(DivisionCode(), load_default=lambda: ["div2"])
    arbiter = RoleField(load_default="assistant")
    escalate_to = RoleField(load_default="gm")
    credit = fields.String(validate=validate.OneOf(CREDIT_MODES), load_default="current_inviter")

    @validates("window")
    def _positive_window(self, value: Duration, **kwargs: Any) -> None:
        if value.amount < 1 or value.amount != int(value.amount):
            raise ValidationError("The window is a whole number of days (at least 1).")

    @validates("next_day_plan_required")
    def _unique(self, value: list, **kwargs: Any) -> None:
        if len(set(value)) != len(value):
            raise ValidationError("Duplicate division code.")


class EventsPolicySchema(Schema):
    """The events part of the ``cus`` policy document. ``load({})`` → the spec's defaults."""

    events = fields.Nested(EventsSettingsSchema, load_default=lambda: EventsSettingsSchema().load({}))


def load_events_policy(raw: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Validate and load the ``events`` section (``{}`` → defaults); returns the section itself."""
    return EventsPolicySchema().load(dict(raw or {}))["events"]


# --------------------------------------------------------------------------- facts


@dataclass(frozen=True)
class Division:
    """A department taking part in an event, with its code for the settings (``div1``, ``div2``…)."""

    department_id: int
    code: str
    name: str = ""
    head_id: int | None = None

    @property
    def label(self) -> str:
        return self.name or self.code


@dataclass(frozen=True)
class EventFacts:
    id: int | None
    kind: str
    starts_at: dt.datetime
    session: str
    divisions: tuple[Division, ...] = ()
    title: str = ""

    @property
    def joint(self) -> bool:
        return len(self.divisions) >= 2

    def division(self, department_id: int) -> Division | None:
        return next((d for d in self.divisions if d.department_id == department_id), None)


@dataclass(frozen=True)
class InvitationFacts:
    """An invitation as the CUS-83 rules see it. Labels are for the reasons (department, employee)."""

    id: int
    department_id: int
    employee_id: int | None
    state: str
    confirmed_at: dt.datetime | None
    listed_at: dt.datetime | None = None
    department_label: str = ""
    employee_label: str = ""


def _local(calendar: WorkCalendar, t: dt.datetime) -> str:
    return calendar.local(t).strftime("%Y-%m-%d %H:%M")


def default_session(starts_at: dt.datetime, calendar: WorkCalendar) -> str:
    """CUS-81: an event starting at or after 17:00 local is an evening event, else an afternoon one."""
    return "evening" if calendar.local(starts_at).time().replace(tzinfo=None) >= EVENING_FROM else "afternoon"


def event_day(event: EventFacts, calendar: WorkCalendar) -> dt.date:
    return calendar.local_date(event.starts_at)


def effective_day(confirmed_at: dt.datetime, settings: Mapping[str, Any], calendar: WorkCalendar) -> dt.date:
    """CUS-81 / CAL-07: the day an invitation counts for — its local date, or the next day when it was
    confirmed at or after ``cus.events.daily_cutoff``. 2026-06-10 18:05 → 2026-06-11."""
    return calendar.effective_day(confirmed_at, settings["daily_cutoff"])


# --------------------------------------------------------------------------- CUS-82 schedule


def window_days(event: EventFacts, settings: Mapping[str, Any], calendar: WorkCalendar) -> list[dt.date]:
    """CUS-82: the days before the event on which daily lists are due, oldest first. ``7 days`` before
    Fri 2026-06-12 → 06-05..06-11; ``N working_days`` → the N working days before the event day."""
    window: Duration = settings["window"]
    day, n = event_day(event, calendar), int(window.amount)
    if window.unit == "working_days":
        days, probe = [], day
        while len(days) < n:
            probe -= dt.timedelta(days=1)
            if calendar.is_working_day(probe):
                days.append(probe)
        return sorted(days)
    return [day - dt.timedelta(days=i) for i in range(n, 0, -1)]


@dataclass(frozen=True)
class DueList:
    """One list a division owes: its confirmed list of ``day`` (``final`` on the event day) or its plan
    for ``day``; ``due_at`` is the cut-off instant (submitted strictly before it = on time)."""

    department_id: int
    code: str
    kind: str
    day: dt.date
    due_at: dt.datetime
    fine: Decimal | None
    final: bool = False

    @property
    def key(self) -> tuple[int, str, dt.date]:
        return (self.department_id, self.kind, self.day)


def _at(calendar: WorkCalendar, day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=calendar.tz)


def event_day_cutoff(event: EventFacts, settings: Mapping[str, Any]) -> dt.time:
    return settings["event_day_cutoff"][event.session]


def list_schedule(event: EventFacts, settings: Mapping[str, Any], calendar: WorkCalendar) -> list[DueList]:
    """CUS-82: every list due for a joint event (none for an event of one division), by due time.

    Each division: a confirmed list for each window day at the daily cut-off (fined
    ``late_list_fine`` when late or missing) and a final list on the event day at the session's
    cut-off (10:00 afternoon, 16:00 evening); divisions in ``next_day_plan_required`` also a plan,
    with their list of day D, for day D + 1 + ``plan_lead_days`` (not after the event day)."""
    if not event.joint:
        return []
    days = window_days(event, settings, calendar)
    the_day = event_day(event, calendar)
    fine = money(settings["late_list_fine"])
    daily = settings["daily_cutoff"]
    due: list[DueList] = []
    for division in event.divisions:
        for day in days:
            due.append(DueList(division.department_id, division.code, CONFIRMED_LIST, day, _at(calendar, day, daily),
                               fine))
        due.append(DueList(division.department_id, division.code, CONFIRMED_LIST, the_day,
                           _at(calendar, the_day, event_day_cutoff(event, settings)), None, final=True))
        if division.code in settings["next_day_plan_required"]:
            lead = int(settings["plan_lead_days"].get(division.code, 0))
            for day in days:
                planned = day + dt.timedelta(days=1 + lead)
                if planned <= the_day:
                    due.append(DueList(division.department_id, division.code, PLAN_LIST, planned,
                                       _at(calendar, day, daily), None))
    return sorted(due, key=lambda d: (d.due_at, d.department_id, d.kind, d.day))


def listing_due(event: EventFacts, day: dt.date, settings: Mapping[str, Any], calendar: WorkCalendar) -> dt.datetime:
    """CUS-82/83: by when a confirmation effective on ``day`` must be on a list to protect the customer:
    the daily cut-off of that day (of the window's first day for an earlier one), the event-day
    cut-off for one effective on (or after) the event day."""
    the_day = event_day(event, calendar)
    if day >= the_day:
        return _at(calendar, the_day, event_day_cutoff(event, settings))
    days = window_days(event, settings, calendar)
    return _at(calendar, max(day, days[0]) if days else day, settings["daily_cutoff"])


def list_status(due_at: dt.datetime, submitted_at: dt.datetime) -> str:
    """CUS-82: ``on_time`` when submitted strictly before the cut-off (18:00:00 itself is late, CAL-07)."""
    return ON_TIME if submitted_at < due_at else LATE


@dataclass(frozen=True)
class Submission:
    department_id: int
    kind: str
    day: dt.date
    submitted_at: dt.datetime
    id: int | None = None


@dataclass(frozen=True)
class ListFinding:
    """A list that was due by ``now`` and is late or missing (CUS-82), with the fine it carries."""

    due: DueList
    status: str
    submitted_at: dt.datetime | None
    submission_id: int | None
    fine: Decimal | None
    reason_zh: str
    reason_en: str
    facts: dict = field(default_factory=dict)


_KIND_LABELS = {CONFIRMED_LIST: ("已敲定顾客名单", "confirmed-customer list"), PLAN_LIST: ("计划邀约名单", "plan list")}


def check_lists(event: EventFacts, schedule: Sequence[DueList], submissions: Sequence[Submission], now: dt.datetime,
                calendar: WorkCalendar) -> list[ListFinding]:
    """CUS-82: the lists of ``schedule`` due at or before ``now`` that are missing or were late."""
    by_key = {}
    for sub in sorted(submissions, key=lambda s: s.submitted_at):
        by_key.setdefault((sub.department_id, sub.kind, sub.day), sub)
    findings = []
    for due in schedule:
        if due.due_at > now:
            continue
        sub = by_key.get(due.key)
        if sub is not None and list_status(due.due_at, sub.submitted_at) == ON_TIME:
            continue
        division = event.division(due.department_id)
        name = division.label if division else str(due.department_id)
        what_zh, what_en = _KIND_LABELS[due.kind]
        day, deadline = due.day.isoformat(), _local(calendar, due.due_at)
        if due.final:
            what_zh, what_en = "活动当天最终名单", "final list of the event day"
        elif due.kind == PLAN_LIST:
            what_zh, what_en = f"{day}的{what_zh}", f"{what_en} for {day}"
        else:
            what_zh, what_en = f"{day}的{what_zh}", f"{what_en} of {day}"
        fine = due.fine
        if sub is None:
            status = MISSING
            zh = f"{name}未在{deadline}前上交{what_zh}"
            en = f"{name} did not hand in its {what_en} by {deadline}"
        else:
            status = LATE
            zh = f"{name}于{_local(calendar, sub.submitted_at)}上交{what_zh}，晚于截止时间{deadline}"
            en = f"{name} handed in its {what_en} at {_local(calendar, sub.submitted_at)}, after the {deadline} cut-off"
        if fine is not None:
            zh += f"。依据CUS-82，罚该部负责人{_yuan(fine)}。"
            en += f". Under CUS-82 the head of the department is fined {_yuan(fine)}."
        else:
            zh += "。依据CUS-82记录在案（该名单不罚款）。"
            en += ". Recorded under CUS-82 (no fine for this list)."
        facts = {"event_id": event.id, "department_id": due.department_id, "division": due.code, "kind": due.kind,
                 "day": due.day, "due_at": due.due_at, "final": due.final,
                 "submitted_at": sub.submitted_at if sub else None, "list_id": sub.id if sub else None}
        findings.append(ListFinding(due, status, sub.submitted_at if sub else None, sub.id if sub else None, fine,
                                    zh, en, facts))
    return findings


# --------------------------------------------------------------------------- CUS-83


def listed_on_time(inv: InvitationFacts, event: EventFacts, settings: Mapping[str, Any],
                   calendar: WorkCalendar) -> bool:
    """Whether the invitation was put on a list before the cut-off of its effective day."""
    if inv.confirmed_at is None or inv.listed_at is None:
        return False
    due = listing_due(event, effective_day(inv.confirmed_at, settings, calendar), settings, calendar)
    return inv.listed_at < due


def _who(inv: InvitationFacts) -> tuple[str, str]:
    dept = inv.department_label or f"#{inv.department_id}"
    if inv.employee_label:
        return f"{dept}（{inv.employee_label}）", f"{dept} ({inv.employee_label})"
    return dept, dept


@dataclass(frozen=True)
class Refusal:
    """CUS-83: the customer is held by another department's on-time listed invitation (409)."""

    blocking_id: int
    reason_zh: str
    reason_en: str
    rule_id: str = "CUS-83"


def may_invite(existing: Sequence[InvitationFacts], department_id: int, event: EventFacts,
               settings: Mapping[str, Any], calendar: WorkCalendar, customer_label: str = "") -> Refusal | None:
    """CUS-83: may ``department_id`` invite the customer whose invitations to ``event`` are ``existing``?
    Not when one of its own is still open (one invitation per department), nor when another
    department confirmed the customer and listed it on time."""
    cust = customer_label or "该客户"
    cust_en = customer_label or "the customer"
    for inv in existing:
        if inv.department_id == department_id and inv.state != LOST:
            return Refusal(inv.id, f"{cust}已由本部门邀约（邀约 #{inv.id}）。",
                           f"{cust_en} is already invited by this department (invitation #{inv.id}).")
    if not event.joint:
        return None
    for inv in sorted(existing, key=lambda i: (i.confirmed_at or dt.datetime.max.replace(tzinfo=dt.timezone.utc), i.id)):
        if inv.state in ACTIVE_STATES and listed_on_time(inv, event, settings, calendar):
            who_zh, who_en = _who(inv)
            return Refusal(
                inv.id,
                f"{cust}已由{who_zh}于{_local(calendar, inv.confirmed_at)}敲定，并于{_local(calendar, inv.listed_at)}"
                f"按时上交名单；依据CUS-83，其他部门不得再邀约。",
                f"{cust_en} was confirmed by {who_en} on {_local(calendar, inv.confirmed_at)} and listed on time on "
                f"{_local(calendar, inv.listed_at)}; under CUS-83 no other department may invite the customer.")
    return None


@dataclass(frozen=True)
class Judgement:
    """CUS-83: whose invitation the customer is (``winner_id``); the others are lost."""

    winner_id: int
    loser_ids: tuple[int, ...]
    contested: bool
    reason_zh: str
    reason_en: str
    facts: dict
    rule_id: str = "CUS-83"


def judge(candidates: Sequence[InvitationFacts], event: EventFacts, settings: Mapping[str, Any],
          calendar: WorkCalendar, customer_label: str = "") -> Judgement:
    """CUS-83 (judged on arrival): among the customer's confirmed invitations to ``event``, one listed
    on time wins over any not listed on time, even an earlier one; between equals the earliest
    confirmation wins (CUS-21 first claim). Vector: Div 1 confirms 06-09 15:00 and lists nothing;
    Div 2 confirms 06-10 11:00, listed 17:30 → Div 2's invitation."""
    live = [c for c in candidates if c.state in ACTIVE_STATES and c.confirmed_at is not None]
    if not live:
        raise ValueError("no confirmed invitation to judge")
    far = dt.datetime.max.replace(tzinfo=dt.timezone.utc)
    ranked = sorted(live, key=lambda c: (not listed_on_time(c, event, settings, calendar), c.confirmed_at or far, c.id))
    winner, losers = ranked[0], ranked[1:]
    cust = customer_label or "该客户"
    cust_en = customer_label or "The customer"

    def describe(c: InvitationFacts) -> tuple[str, str]:
        who_zh, who_en = _who(c)
        day = effective_day(c.confirmed_at, settings, calendar).isoformat()
        if listed_on_time(c, event, settings, calendar):
            state_zh = f"于{_local(calendar, c.listed_at)}按时上交名单"
            state_en = f"listed on time on {_local(calendar, c.listed_at)}"
        elif c.listed_at is not None:
            state_zh = f"于{_local(calendar, c.listed_at)}才上交名单（逾期）"
            state_en = f"listed late on {_local(calendar, c.listed_at)}"
        else:
            state_zh, state_en = "未按时上交名单", "not listed on time"
        return (f"{who_zh}于{_local(calendar, c.confirmed_at)}敲定（计入{day}），{state_zh}",
                f"{who_en} confirmed on {_local(calendar, c.confirmed_at)} (counts for {day}), {state_en}")

    parts = [describe(c) for c in ranked]
    w_zh, w_en = _who(winner)
    if losers:
        zh = f"{cust}：" + "；".join(p[0] for p in parts) + f"。依据CUS-83，到会判为{w_zh}的邀约。"
        en = f"{cust_en}: " + "; ".join(p[1] for p in parts) + f". Under CUS-83 the customer is {w_en}'s invitation."
    else:
        zh = f"{cust}：{parts[0][0]}。依据CUS-83，到会计为{w_zh}的邀约。"
        en = f"{cust_en}: {parts[0][1]}. Under CUS-83 the attendance counts for {w_en}."
    facts = {"event_id": event.id, "invitations": [
        {"id": c.id, "department_id": c.department_id, "employee_id": c.employee_id, "confirmed_at": c.confirmed_at,
         "effective_day": effective_day(c.confirmed_at, settings, calendar), "listed_at": c.listed_at,
         "listed_on_time": listed_on_time(c, event, settings, calendar)} for c in ranked]}
    return Judgement(winner.id, tuple(c.id for c in losers), bool(losers), zh, en, facts)


@dataclass(frozen=True)
class Share:
    user_id: int
    role: str  # current_inviter | original_follow_up | owner
    percent: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Credit:
    """CUS-83: who a sale at the event is credited to; shares sum to exactly 100.00 (section 1)."""

    shares: tuple[Share, ...]
    reason_zh: str
    reason_en: str
    facts: dict
    rule_id: str = "CUS-83"

    @property
    def credited_id(self) -> int:
        return self.shares[0].user_id


def sale_credit(amount: Decimal, inviter: tuple[int, str], settings: Mapping[str, Any],
                original: tuple[int, str] | None = None, owner: tuple[int, str] | None = None) -> Credit:
    """CUS-83 (``cus.events.credit``): a sale at the event goes 100% to the current inviter
    (``current_inviter``), the original follow-up employee, who may only help with the inviter's
    consent, 0%; with ``owner`` it goes to the customer's owner of record (CUS-20) when there is one.
    Vector: ¥6,000 → Div 2 inviter 100% (¥6,000.00), original employee 0%."""
    amount = money(amount)
    mode = settings["credit"]
    holder, role, other = inviter, "current_inviter", original
    if mode == "owner" and owner is not None:
        holder, role, other = owner, "owner", (inviter if inviter[0] != owner[0] else None)
    shares = [Share(holder[0], role, HUNDRED, amount)]
    if other is not None and other[0] != holder[0]:
        shares.append(Share(other[0], "original_follow_up" if role == "current_inviter" else "current_inviter",
                            Decimal("0.00"), Decimal("0.00")))
    if role == "current_inviter":
        zh = f"活动现场成交{_yuan(amount)}，依据CUS-83业绩100%计入现邀约员工{holder[1]}"
        en = f"Sale of {_yuan(amount)} at the event: under CUS-83 100% is credited to the current inviter {holder[1]}"
    else:
        zh = f"活动现场成交{_yuan(amount)}，依据CUS-83（credit = owner）业绩100%计入客户归属人{holder[1]}"
        en = f"Sale of {_yuan(amount)} at the event: under CUS-83 (credit = owner) 100% goes to the owner {holder[1]}"
    if len(shares) > 1:
        zh += f"，{other[1]} 0%。"
        en += f"; {other[1]} 0%."
    else:
        zh += "。"
        en += "."
    facts = {"amount": amount, "mode": mode, "inviter_id": inviter[0],
             "original_id": original[0] if original else None, "owner_id": owner[0] if owner else None}
    return Credit(tuple(shares), zh, en, facts)
