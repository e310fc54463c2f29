"""Rolling counters and HR review flags (STF-12), written to the staff ledger as entries of kind ``flag``.

Each ``stf.flags`` rule counts one counter per employee: ``offence:<code>`` (penalised occurrences in the
ledger, judged by the nightly job ``stf.flags``) or a complaint counter (CMP-73, judged by
``cmp.employee_counters`` with the occurrences from :mod:`core.complaints.counters`). The pure rules
(:mod:`.flags_rules`) say at which occurrence a flag is raised; the rule must be in the ``stf`` version in
force at that occurrence. Flags are dated at that occurrence, written once (dedupe key of rule, employee
and occurrence) and notified to the employee's supervisors; nothing else happens automatically.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.accounts.people import People
from core.calendar import Threshold, format_duration
from core.calendar.service import tenant_calendar
from core.db import db
from core.notifications import service as notifications
from core.staff import ledger
from core.staff.flags_rules import Occurrence, current_count, rule_key, triggers
from core.staff.flags_settings import OFFENCE_PREFIX
from core.staff.models import StaffEntry
from core.staff.penalties import NOT_COUNTING
from core.staff.policy import stf_policy

#: how far back the nightly jobs look for occurrences that may raise a flag (late findings included)
HORIZON = dt.timedelta(days=62)
COMPLAINT_HORIZON = HORIZON + dt.timedelta(days=366)


def window_text(window) -> str:
    return window if isinstance(window, str) else format_duration(window)


def offence_of(counter: str) -> str:
    """The ledger offence a flag of ``counter`` is filed under: ``offence:late_arrival`` → ``late_arrival``."""
    return counter[len(OFFENCE_PREFIX):] if counter.startswith(OFFENCE_PREFIX) else counter


def ledger_occurrences(counter: str, user_ids=None) -> dict[int, list[Occurrence]]:
    """The penalised occurrences of an ``offence:<code>`` counter per employee (numbered entries, not
    revoked nor reversed)."""
    reversed_ids = select(StaffEntry.reverses_id).where(StaffEntry.reverses_id.is_not(None))
    stmt = select(StaffEntry.user_id, StaffEntry.occurred_at, StaffEntry.id).where(
        StaffEntry.offence == offence_of(counter), StaffEntry.user_id.is_not(None),
        StaffEntry.sequence_in_month.is_not(None), StaffEntry.state.not_in(NOT_COUNTING),
        StaffEntry.id.not_in(reversed_ids))
    if user_ids is not None:
        stmt = stmt.where(StaffEntry.user_id.in_(list(user_ids)))
    found: dict[int, list[Occurrence]] = {}
    for user_id, at, entry_id in db.session.execute(stmt):
        found.setdefault(user_id, []).append(Occurrence(at, "staff_entry", entry_id))
    return found


def occurrences(counter: str, user_ids=None, touched_since: dt.datetime | None = None) -> dict[int, list[Occurrence]]:
    """The occurrences of ``counter`` per employee (complaint counters: of the employees with a complaint
    received or changed since ``touched_since`` when given)."""
    if counter.startswith(OFFENCE_PREFIX):
        return ledger_occurrences(counter, user_ids)
    from core.complaints import counters as complaint_counters

    return complaint_counters.occurrences(counter, user_ids, touched_since=touched_since)


def _flags_of(user_id: int, counter: str) -> list[StaffEntry]:
    return list(db.session.scalars(select(StaffEntry).where(
        StaffEntry.user_id == user_id, StaffEntry.kind == "flag", StaffEntry.offence == offence_of(counter),
        StaffEntry.sequence_in_month.is_(None), StaffEntry.rule_id.in_(("STF-12", "CMP-73")))))


def last_flag(user_id: int, rule: dict) -> Occurrence | None:
    """The occurrence of the last flag ``rule`` raised for ``user_id`` (counting starts after it)."""
    key = rule_key(rule)
    found = []
    for entry in _flags_of(user_id, rule["counter"]):
        trigger = (entry.facts or {}).get("trigger") or {}
        if (entry.facts or {}).get("rule") == key and trigger:
            found.append(Occurrence(dt.datetime.fromisoformat(trigger["at"]), trigger["type"], trigger["id"]))
    return max(found) if found else None


def _rules_at(at: dt.datetime, counter: str) -> dict[str, dict]:
    return {rule_key(r): r for r in stf_policy(at).values["flags"] if r["counter"] == counter}


def raise_flags(counter: str, by_user: dict[int, list[Occurrence]], *, as_of: dt.datetime, since: dt.datetime,
                rule_id: str = "STF-12") -> list[StaffEntry]:
    """STF-12: the flags ``counter`` raises among occurrences dated ``since``..``as_of`` (each once)."""
    calendar, _ = tenant_calendar(as_of)
    people = None
    written: list[StaffEntry] = []
    for user_id, found in sorted(by_user.items()):
        occs = sorted(o for o in found if o.at <= as_of)
        rules: dict[str, dict] = {}
        for occurrence in occs:
            if occurrence.at >= since:
                rules.update(_rules_at(occurrence.at, counter))
        for key, rule in rules.items():
            for trigger in triggers(rule, occs, calendar, after=last_flag(user_id, rule)):
                if trigger.occurrence.at < since or key not in _rules_at(trigger.occurrence.at, counter):
                    continue
                people = people or People()
                entry = _flag(user_id, rule, key, trigger, rule_id, calendar)
                if entry is not None:
                    written.append(entry)
                    _notify(entry, people)
    return written


def _flag(user_id: int, rule: dict, key: str, trigger, rule_id: str, calendar) -> StaffEntry | None:
    occurrence = trigger.occurrence
    dedupe = f"{rule_id}:flag:{key}:{user_id}:{occurrence.subject_type}:{occurrence.subject_id}"
    if ledger.find_by_dedupe(dedupe) is not None:
        return None
    window = window_text(rule["window"])
    day = calendar.local_date(occurrence.at).isoformat()
    sign = "≥" if rule.get("inclusive", True) else ">"
    what_zh = {"complaints": "经核实的投诉", "attitude_complaints": "经核实的态度投诉"}.get(
        rule["counter"], offence_of(rule["counter"]))
    what_en = {"complaints": "verified complaints", "attitude_complaints": "verified attitude complaints"}.get(
        rule["counter"], f"{offence_of(rule['counter'])} occurrences")
    run_zh, run_en = ("连续工作日", "consecutive working days of ") if rule.get("consecutive") else ("", "")
    source = "CMP-73、STF-12" if rule_id == "CMP-73" else "STF-12"
    return ledger.record_entry(
        kind="flag", offence=offence_of(rule["counter"]), rule_id=rule_id, amount=0, user_id=user_id,
        label=rule["label"], occurred_at=occurrence.at, subject_type=occurrence.subject_type,
        subject_id=occurrence.subject_id, policy=stf_policy(occurrence.at),
        reason_zh=f"截至{day}，{window}内{what_zh}{run_zh}达{trigger.count}次（阈值{sign}{rule['threshold']}），"
                  f"依据{source}记人事审查标记{rule['label']}，由人事决定，不自动处理。",
        reason_en=f"By {day}: {trigger.count} {run_en}{what_en} within {window} (threshold {sign}{rule['threshold']}); "
                  f"under {source} HR review flag {rule['label']} — HR decides, nothing automatic.",
        facts={"rule": key, "counter": rule["counter"], "window": window, "threshold": rule["threshold"],
               "inclusive": rule.get("inclusive", True), "count": trigger.count,
               "trigger": {"at": occurrence.at.isoformat(), "type": occurrence.subject_type, "id": occurrence.subject_id},
               "counted": [{"type": o.subject_type, "id": o.subject_id, "at": o.at.isoformat()} for o in trigger.counted]},
        dedupe_key=dedupe)


def _notify(entry: StaffEntry, people: People) -> None:
    chain = people.chain(people.department_of(entry.user_id))
    heads = [people.head_of(d) for d in chain[:1]]
    notifications.notify([*people.supervisors_of(entry.user_id), *heads], kind="stf.hr_flag",
                         title_zh=f"人事审查标记：{entry.label}", title_en=f"HR review flag: {entry.label}",
                         body_zh=entry.reason_zh, body_en=entry.reason_en, dedupe_key=f"stf.flag:{entry.id}",
                         rule_id=entry.rule_id, subject_type="staff_entry", subject_id=entry.id)


def counter_status(user_id: int, at: dt.datetime) -> list[dict]:
    """Each ``stf.flags`` rule in force at ``at`` with the employee's count now (after the last flag)."""
    calendar, _ = tenant_calendar(at)
    out = []
    for rule in stf_policy(at).values["flags"]:
        found = occurrences(rule["counter"], [user_id]).get(user_id, [])
        last = last_flag(user_id, rule)
        count = current_count(rule, found, at, calendar, after=last)
        out.append({**rule, "window": window_text(rule["window"]), "count": count,
                    "reached": Threshold(rule["threshold"], rule.get("inclusive", True)).reached(count),
                    "last_flag_at": last.at if last else None})
    return out


def run(as_of: dt.datetime, *, complaint_counters: bool = False) -> dict:
    """``stf.flags`` (the ledger counters) or, with ``complaint_counters``, ``cmp.employee_counters``."""
    touched = as_of - HORIZON
    # a complaint is verified (its finding recorded) weeks or months after it was received, and counts at
    # its received time: look back a year further for them, among the employees touched recently
    since = as_of - (COMPLAINT_HORIZON if complaint_counters else HORIZON)
    counters = {r["counter"] for at in (touched, as_of) for r in stf_policy(at).values["flags"]}
    wanted = sorted(c for c in counters if c.startswith(OFFENCE_PREFIX) != complaint_counters)
    written = []
    for counter in wanted:
        written += raise_flags(counter, occurrences(counter, touched_since=touched), as_of=as_of, since=since,
                               rule_id="CMP-73" if complaint_counters else "STF-12")
    return {"counters": wanted, "flags": [e.id for e in written], "as_of": as_of.isoformat()}
