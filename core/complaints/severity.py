"""Severity of a case (CMP-10), major-complaint criteria (CMP-11) and the handling level (CMP-43).

- :func:`raise_to_major` — THE act of flagging a case major, whatever made it so (criteria evaluated
  at intake or on a change, or a person). Everything that must follow a case becoming major (the
  CMP-42 path: notifications, acknowledgement, crisis meeting) starts inside it.
- :func:`evaluate` — the data-based criteria (channel, reports to the manufacturer / an authority /
  the media, return or exchange demanded, complainant count, repeat) at intake and on every change.
- :func:`change_severity` — a person changes the severity with a reason (lowering without one: 422).
- :func:`report_external` — the customer also went to the manufacturer, an authority or the media.
- :func:`set_intake_level` — CMP-43: the level that handles the case from the start.

Each change writes a decision and a history step. Rules read the ``cmp`` version the case was received
under (CMP-37).
"""
from __future__ import annotations

import datetime as dt

from core.complaints import severity_rules as rules
from core.complaints.models import Complaint
from core.complaints.policy import cmp_policy
from core.db import db
from core.decisions import service as decisions
from core.errors import Conflict, InvalidInput

SUBJECT = "complaint"


def _view(complaint: Complaint):
    return cmp_policy(complaint.received_at)


def _criteria_zh(names) -> str:
    return "、".join(rules.CRITERION_ZH.get(n, n) for n in names)


def raise_to_major(complaint: Complaint, criteria: list[str], at: dt.datetime, *, by: int | None = None,
                   reason: str | None = None, explained: list[rules.Holding] | None = None):
    """Flag ``complaint`` major because of ``criteria`` (CMP-11). Adds criteria to an already major case
    (returns its decision, no second flag); returns None when nothing is new. ``by`` is the person who
    flagged it (None: automatic)."""
    from core.complaints.service import log_event

    view = _view(complaint)
    known = list(complaint.major_criteria or [])
    new = [c for c in criteria if c not in known]
    before = complaint.severity
    if before == "major" and not new:
        return None
    complaint.major_criteria = known + new
    complaint.severity = "major"
    if reason:
        complaint.severity_reason = reason
    level_before = complaint.level
    complaint.level = rules.level_for("major", view.values["level_by_severity"])
    details = explained or []
    facts_zh = "；".join(h.zh for h in details) or _criteria_zh(new or criteria)
    facts_en = "; ".join(h.en for h in details) or ", ".join(new or criteria)
    if before == "major":
        zh = f"重大投诉另符合：{facts_zh}"
        en = f"the major case also meets: {facts_en}"
    elif not complaint.major_criteria:
        zh = f"受理人判定为重大投诉，由{rules.LEVEL_ZH.get(complaint.level, complaint.level)}处理"
        en = f"judged major by the person taking it in; handled at level {complaint.level}"
    else:
        zh = f"符合重大投诉标准（{facts_zh}），由{rules.SEVERITY_ZH[before]}升为重大，由{rules.LEVEL_ZH.get(complaint.level, complaint.level)}处理"
        en = f"meets the major-complaint criteria ({facts_en}): {before} → major, handled at level {complaint.level}"
    if reason:
        zh, en = f"{zh}；理由：{reason}", f"{en}; reason: {reason}"
    decision = decisions.record(
        "CMP-11", SUBJECT, complaint.id, policy=view, decided_by=by,
        outcome={"severity": "major", "from": before, "criteria": complaint.major_criteria, "added": new,
                 "level": complaint.level},
        facts={"criteria_enabled": view.values["major"]["criteria"], "channel": complaint.channel,
               "reported_to": complaint.reported_to or [], "demands": complaint.demands or [],
               "complainant_count": complaint.complainant_count, "is_repeat": complaint.is_repeat,
               "flagged_by": by, "reason": reason},
        reason_zh=zh, reason_en=en)
    if before == "major":
        log_event(complaint, "major_criteria_added", by=by, at=at, data={"added": new}, decision_id=decision.id)
        return decision
    log_event(complaint, "severity_changed", by=by, at=at, note=reason, decision_id=decision.id,
              data={"from": before, "to": "major", "criteria": complaint.major_criteria,
                    "level_from": level_before, "level": complaint.level})
    db.session.flush()
    # CMP-42: the major-complaint path (notify the department manager and the GM, acknowledgement
    # deadline, group warning) starts here, once per time a case becomes major.
    from core.complaints import major  # imported here: major imports the case service, which imports this

    major.on_flagged(complaint, at)
    return decision


def _facts(complaint: Complaint, values: dict) -> rules.MajorFacts:
    return rules.MajorFacts(channel=complaint.channel, reported_to=tuple(complaint.reported_to or ()),
                            demands=tuple(complaint.demands or ()), complainant_count=complaint.complainant_count or 1,
                            is_repeat=bool(complaint.is_repeat),
                            repeat_makes_major="major" in values["repeat"]["effects"])


def evaluate(complaint: Complaint, at: dt.datetime, *, by: int | None = None):
    """CMP-11 on the case's data; raises it to major when a criterion newly holds. Returns the decision
    or None."""
    values = _view(complaint).values
    enabled = rules.enabled_criteria(values["major"]["criteria"])
    holding = [h for h in rules.criteria_holding(enabled, _facts(complaint, values))
               if h.criterion not in (complaint.major_criteria or [])]
    if not holding:
        return None
    return raise_to_major(complaint, [h.criterion for h in holding], at, by=by, explained=holding)


def set_intake_level(complaint: Complaint) -> None:
    """CMP-43: who handles from the start, by severity (``cmp.level_by_severity``)."""
    view = _view(complaint)
    complaint.level = rules.level_for(complaint.severity, view.values["level_by_severity"])
    decisions.record(
        "CMP-43", SUBJECT, complaint.id, policy=view,
        outcome={"level": complaint.level, "handler_department_id": complaint.handler_department_id},
        facts={"severity": complaint.severity, "level_by_severity": view.values["level_by_severity"]},
        reason_zh=f"{rules.SEVERITY_ZH[complaint.severity]}投诉由{rules.LEVEL_ZH.get(complaint.level, complaint.level)}处理",
        reason_en=f"a {complaint.severity} case is handled at level {complaint.level}")


def change_severity(complaint: Complaint, new: str, *, by: int, at: dt.datetime, reason: str | None = None,
                    criteria: list[str] | None = None):
    """CMP-10: a person sets the severity. Raising to major names the criteria that hold (or gives a
    reason: ``wide_impact``); lowering needs a reason. Returns the decision."""
    from core.complaints.service import log_event

    criteria = list(criteria or [])
    view = _view(complaint)
    errors = rules.change_errors(complaint.severity, new, reason, criteria)
    if criteria and new != "major":
        errors.setdefault("criteria", []).append("criteria are named only when raising to major")
    elif criteria:
        enabled = rules.enabled_criteria(view.values["major"]["criteria"])
        problems = rules.manual_criteria_errors(criteria, enabled, reason)
        if problems:
            errors.setdefault("criteria", []).extend(problems)
    if errors:
        raise InvalidInput("invalid severity change", fields=errors, rule_id="CMP-10")
    if new == "major":
        decision = raise_to_major(complaint, criteria or ["wide_impact"], at, by=by, reason=reason)
        if decision is None:
            raise Conflict("the case is already major with these criteria")
        return decision
    before = complaint.severity
    if new == before:
        raise Conflict(f"the case is already {before}")
    supersedes = db.session.scalars(decisions.query(SUBJECT, complaint.id, "CMP-11")).first() \
        if before == "major" else None
    complaint.severity = new
    complaint.severity_reason = reason
    level_before = complaint.level
    complaint.level = rules.level_for(new, view.values["level_by_severity"])
    direction_zh = "降为" if rules.SEVERITY_RANK[new] < rules.SEVERITY_RANK[before] else "升为"
    decision = decisions.record(
        "CMP-10", SUBJECT, complaint.id, policy=view, decided_by=by, supersedes=supersedes,
        outcome={"severity": new, "from": before, "level": complaint.level},
        facts={"reason": reason, "major_criteria": complaint.major_criteria or []},
        reason_zh=f"严重程度由{rules.SEVERITY_ZH[before]}{direction_zh}{rules.SEVERITY_ZH[new]}" + (f"；理由：{reason}" if reason else ""),
        reason_en=f"severity changed {before} → {new}" + (f"; reason: {reason}" if reason else ""))
    log_event(complaint, "severity_changed", by=by, at=at, note=reason, decision_id=decision.id,
              data={"from": before, "to": new, "level_from": level_before, "level": complaint.level})
    return decision


def report_external(complaint: Complaint, channel: str, *, by: int | None, at: dt.datetime, note: str | None = None):
    """The customer also took the matter to the manufacturer, an authority (e.g. the 12345 hotline) or
    the media: recorded, then CMP-11 evaluated again. Returns the CMP-11 decision or None."""
    from core.complaints.service import log_event

    if channel not in rules.EXTERNAL_CHANNELS:
        raise InvalidInput("invalid report", fields={"channel": [f"one of {', '.join(rules.EXTERNAL_CHANNELS)}"]})
    if channel == complaint.channel or channel in (complaint.reported_to or []):
        raise Conflict(f"already recorded: {channel}")
    complaint.reported_to = [*(complaint.reported_to or []), channel]
    log_event(complaint, "reported_externally", by=by, at=at, note=note, data={"channel": channel})
    return evaluate(complaint, at, by=None)
