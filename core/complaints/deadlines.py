"""Complaint deadlines (CMP-30..37): the clocks of a case, started, paused, replaced and extended.

A case keeps the ``cmp`` version it was received under (CMP-37): every clock it starts, whenever it
starts, follows that version (:func:`case_policy`). Its SLA policy is chosen by case type ×
severity × category × customer grade (CMP-30, :mod:`core.complaints.deadlines_rules`).

- :func:`intake_specs` — the clocks started at intake (called by
  :func:`core.complaints.service.milestone_specs`);
- :func:`on_event` — the clocks a later event starts: ``accepted`` (by a department), ``resolution``
  (when the resolve milestone is met, through :mod:`core.complaints.deadlines_events`);
- :func:`enter_stage`, :func:`finish_stage` — stage and sub-stage timers (CMP-32);
- :func:`pause`, :func:`resume` — CMP-33 pauses with a reason of ``cmp.sla.pause_reasons``;
- :func:`set_customer_deadline` — a customer's own earlier deadline (CMP-33);
- :func:`grant_special_extension` — the special limit, with a reason, by a supervisor (CMP-33);
- :func:`fix_next_reply` — a reply time promised to the customer: a CUS-63 commitment, or a clock on
  the case when there is no customer (CMP-36); :func:`reply_logged` keeps the latter.

Each writes its decision and the case history; none commits.
"""
from __future__ import annotations

import datetime as dt

from core.complaints import deadlines_rules as rules
from core.calendar import Duration
from core.calendar.service import tenant_calendar, year_errors
from core.complaints.models import OPEN_STATUSES, Complaint
from core.complaints.service import SUBJECT, log_event
from core.customers.fact_time import fact_time
from core.db import utcnow
from core.decisions import service as decisions
from core.errors import Conflict, Forbidden, InvalidInput
from core.policy import service as policy_service
from core.sla import engine as sla
from core.sla.models import SlaMilestone
from core.sla.rules import MilestoneSpec

NEXT_REPLY_KINDS = ("next_reply", "promised_reply", "after_dissatisfaction")
_KIND_ZH = {"next_reply": "下次答复", "promised_reply": "承诺答复", "after_dissatisfaction": "不满意后再答复"}


def case_policy(complaint: Complaint) -> policy_service.PolicyView:
    """CMP-37: the ``cmp`` version the case was received under."""
    return policy_service.version("cmp", complaint.policy_version)


def _grade(complaint: Complaint, scheme: str) -> str | None:
    if complaint.customer_id is None:
        return None
    from core.customers.grades.service import tiers_of

    return tiers_of([complaint.customer_id], scheme).get(complaint.customer_id)


def case_facts(complaint: Complaint, values: dict) -> rules.CaseFacts:
    return rules.CaseFacts(complaint.case_type, complaint.severity, complaint.category,
                           _grade(complaint, values["sla"]["grade_scheme"]), bool(complaint.special))


def intake_specs(complaint: Complaint, values: dict) -> list[MilestoneSpec]:
    """CMP-30/31: the clocks a case starts when it is received."""
    return rules.specs_for_event(values, case_facts(complaint, values), "received")


def _start(complaint: Complaint, specs: list[MilestoneSpec], at: dt.datetime, view, facts: dict) -> list[SlaMilestone]:
    existing = {row.code for row in sla.milestones_of(SUBJECT, complaint.id)}
    specs = [spec for spec in specs if spec.code not in existing]
    if not specs:
        return []
    return sla.start(SUBJECT, complaint.id, specs, at, policy=view, warn_at=view.values["sla"]["warn_at"],
                     facts={"case_type": complaint.case_type, "severity": complaint.severity,
                            "category": complaint.category, **facts})


def _check_time(complaint: Complaint, at: dt.datetime | None, field: str = "at") -> dt.datetime:
    at = fact_time(at, field)
    if at < complaint.received_at:
        raise InvalidInput("before the case was received", fields={field: ["cannot be before the case was received"]})
    return at


def _not_excluded(complaint: Complaint, by: int | None) -> None:
    """CMP-21: the employee complained about takes no part in the case."""
    if by is not None and by in (complaint.excluded_user_ids or []):
        raise Forbidden("the employee complained about takes no part in the case (CMP-21)")


def _open(complaint: Complaint) -> None:
    if complaint.status not in OPEN_STATUSES:
        raise Conflict(f"the case is {complaint.status}")


def on_event(complaint: Complaint, event: str, at: dt.datetime, *, department: str | None = None,
             stage: str | None = None) -> list[SlaMilestone]:
    """Start the clocks ``event`` starts for the case (CMP-30/32): ``accepted`` with the accepting
    department's name, ``stage_entered`` with the stage, ``resolution``. Clocks already running are
    left alone. Call it from the step that makes the event happen."""
    view = case_policy(complaint)
    specs = rules.specs_for_event(view.values, case_facts(complaint, view.values), event,
                                  department=department, stage=stage)
    return _start(complaint, specs, at, view, {"event": event, "department": department, "stage": stage})


# ------------------------------------------------------------------------------------------ CMP-32


def enter_stage(complaint: Complaint, stage: str, at: dt.datetime | None = None, *, sub_stage: str | None = None,
                by: int | None = None) -> SlaMilestone:
    """The case enters ``stage`` (or its ``sub_stage``): its timer starts, and any policy clock
    that starts with the stage (CMP-32)."""
    _not_excluded(complaint, by)
    _open(complaint)
    at = _check_time(complaint, at)
    view = case_policy(complaint)
    spec = rules.stage_spec(view.values, stage, sub_stage)
    if spec is None:
        name = f"{stage}.{sub_stage}" if sub_stage else stage
        raise InvalidInput("unknown stage", fields={"sub_stage" if sub_stage else "stage": [
            f"no stage {name!r} in cmp.sla.stages of policy version {view.version}"]})
    if sla.get_milestone(SUBJECT, complaint.id, spec.code) is not None:
        raise Conflict(f"the case already entered {spec.code[len(rules.STAGE_PREFIX):]}")
    if spec.parent_code:
        parent = sla.get_milestone(SUBJECT, complaint.id, spec.parent_code)
        if parent is None or parent.state in ("met", "cancelled"):
            raise Conflict(f"the sub-stage runs inside the stage {stage}: enter {stage} first")
    rows = _start(complaint, [spec], at, view, {"event": "stage_entered", "stage": spec.code})
    if sub_stage is None:
        on_event(complaint, "stage_entered", at, stage=stage)
    log_event(complaint, "stage_entered", by=by, at=at, data={"stage": spec.code, "due_at": rows[0].due_at},
              decision_id=rows[0].decision_id)
    return rows[0]


def finish_stage(complaint: Complaint, stage: str, at: dt.datetime | None = None, *, sub_stage: str | None = None,
                 by: int | None = None) -> SlaMilestone:
    """The case leaves ``stage`` (or ``sub_stage``): its timer is met, late when past due (a stage
    breach, CMP-32). Finishing a stage finishes its sub-stages still running."""
    _not_excluded(complaint, by)
    at = _check_time(complaint, at)
    code = rules.stage_code(stage, sub_stage)
    row = sla.get_milestone(SUBJECT, complaint.id, code)
    if row is None:
        raise Conflict(f"the case never entered {code[len(rules.STAGE_PREFIX):]}")
    if row.met_at is not None or row.state in ("met", "cancelled"):
        raise Conflict(f"{code[len(rules.STAGE_PREFIX):]} is already {row.state}")
    if at < row.start_at:
        raise InvalidInput("before the stage began", fields={"at": ["cannot be before the stage was entered"]})
    if sub_stage is None:
        for child in sla.milestones_of(SUBJECT, complaint.id):
            if child.parent_code == code and child.met_at is None and child.state in ("open", "breached"):
                sla.meet(SUBJECT, complaint.id, child.code, at)
    sla.meet(SUBJECT, complaint.id, code, at)
    log_event(complaint, "stage_finished", by=by, at=at,
              data={"stage": code, "due_at": row.due_at, "late": at > row.due_at})
    return row


# ------------------------------------------------------------------------------------------ CMP-33


def pause(complaint: Complaint, reason: str, at: dt.datetime | None = None, *, by: int | None = None,
          note: str | None = None):
    """Stop the case's clocks for ``reason`` (one of ``cmp.sla.pause_reasons`` of the case's version)."""
    _not_excluded(complaint, by)
    _open(complaint)
    at = _check_time(complaint, at)
    view = case_policy(complaint)
    reasons = view.values["sla"]["pause_reasons"]
    if reason not in reasons:
        raise InvalidInput("unknown pause reason", fields={"reason": [f"one of {', '.join(reasons)} (cmp.sla.pause_reasons)"]})
    if sla.open_pause(SUBJECT, complaint.id) is not None:
        raise Conflict("the clock is already paused; resume it first")
    if not any(sla.stops(row, reason) and row.due_at > at for row in sla.milestones_of(SUBJECT, complaint.id)):
        raise Conflict(f"no running clock of the case stops for {reason} at that time")
    record, rows = sla.pause(SUBJECT, complaint.id, reason, at, by=by, note=note)
    decision = decisions.record(
        "CMP-33", SUBJECT, complaint.id, policy=view, decided_by=by,
        outcome={"paused": [row.code for row in rows], "since": at, "reason": reason},
        facts={"pause_id": record.id, "note": note},
        reason_zh=f"因「{reason}」暂停计时：{'、'.join(sla.label_zh(r.code) for r in rows)}",
        reason_en=f"clocks paused ({reason}): {', '.join(r.code for r in rows)}")
    log_event(complaint, "paused", by=by, at=at, note=note, data={"reason": reason, "pause_id": record.id},
              decision_id=decision.id)
    return record, rows


def resume(complaint: Complaint, at: dt.datetime | None = None, *, by: int | None = None, note: str | None = None):
    """Restart the paused clocks: each due time computed again with the pause (CMP-33)."""
    _not_excluded(complaint, by)
    at = _check_time(complaint, at)
    view = case_policy(complaint)
    record, changed = sla.resume(SUBJECT, complaint.id, at, by=by)
    moves = [{"milestone": row.code, "old_due_at": old, "new_due_at": new.utc} for row, old, new in changed]
    threshold = view.values["sla"]["pause_day_threshold"]
    decision = decisions.record(
        "CMP-33", SUBJECT, complaint.id, policy=view, decided_by=by,
        outcome={"resumed_at": at, "moved": moves},
        facts={"pause_id": record.id, "reason": record.reason, "paused_from": record.started_at, "paused_to": at,
               "pause_day_threshold": threshold},
        reason_zh="恢复计时，暂停时间不计入期限（按小时计的期限顺延暂停时长；按日计的期限不计暂停达"
                  f"{threshold}的日子）：" + "；".join(_move_zh(row, new) for row, _old, new in changed),
        reason_en="clocks resumed, the pause not counted (hour-based limits add the paused time; day-based "
                  f"ones skip days paused at least {threshold}): "
                  + "; ".join(f"{row.code} due {new.at:%Y-%m-%d %H:%M} ({new.explain()})" for row, _old, new in changed))
    log_event(complaint, "resumed", by=by, at=at, note=note, data={"pause_id": record.id, "moved": moves},
              decision_id=decision.id)
    return record, changed


def _move_zh(row: SlaMilestone, new) -> str:
    return f"{sla.label_zh(row.code)}至{new.at:%Y-%m-%d %H:%M}"


def _open_milestone(complaint: Complaint, code: str, field: str = "milestone") -> SlaMilestone:
    row = sla.get_milestone(SUBJECT, complaint.id, code)
    if row is None:
        raise InvalidInput("no such deadline", fields={field: [f"the case has no {code} deadline"]})
    if row.state != "open":
        raise Conflict(f"the {code} deadline is {row.state}")
    return row


def set_customer_deadline(complaint: Complaint, code: str, due_at: dt.datetime, *, by: int | None = None,
                          note: str | None = None) -> SlaMilestone:
    """CMP-33: the customer wants ``code`` done by ``due_at``; it replaces the deadline when earlier
    and the milestone allows it (a 422 otherwise, nothing changed)."""
    _not_excluded(complaint, by)
    _open(complaint)
    if due_at is None or due_at.tzinfo is None:
        raise InvalidInput("invalid time", fields={"due_at": ["a time with its time zone"]})
    row = _open_milestone(complaint, code)
    computed = row.computed_from or {}
    if not computed.get("customer_may_set_earlier"):
        raise InvalidInput("not allowed", fields={"milestone": [f"the customer may not set the {code} deadline "
                                                                "(cmp.sla.customer_may_set_earlier)"]})
    if due_at <= row.start_at:
        raise InvalidInput("too early", fields={"due_at": ["must be after the clock started"]})
    if due_at >= row.due_at:
        raise InvalidInput("not earlier", fields={"due_at": [
            f"the deadline is already {row.due_at.isoformat()}: a customer's deadline replaces it only when earlier"]})
    old = row.due_at
    row.computed_from = {**computed, "customer_due": due_at.astimezone(dt.timezone.utc).isoformat()}
    new = sla.recompute(row, at=utcnow())
    complaint.customer_deadline = due_at
    view = case_policy(complaint)
    decision = decisions.record(
        "CMP-33", SUBJECT, complaint.id, policy=view, decided_by=by,
        outcome={"milestone": code, "old_due_at": old, "new_due_at": new.utc, "source": "customer"},
        facts={"customer_due": due_at, "note": note},
        reason_zh=f"客户要求{sla.label_zh(code)}于{new.at:%Y-%m-%d %H:%M}前完成，早于原期限，以客户要求为准",
        reason_en=f"the customer asked for the {code} by {new.at:%Y-%m-%d %H:%M}, earlier than the deadline: it applies")
    log_event(complaint, "customer_deadline", by=by, note=note, data={"milestone": code, "due_at": due_at},
              decision_id=decision.id)
    return row


def grant_special_extension(complaint: Complaint, reason: str, *, by: int, at: dt.datetime | None = None) -> list[SlaMilestone]:
    """CMP-33: a supervisor extends the case to the special limits (resolve 7 working days by
    default) with a reason; each milestone with a special limit is computed again from its start. A
    breached deadline stays breached (409)."""
    _not_excluded(complaint, by)
    _open(complaint)
    if not (reason or "").strip():
        raise InvalidInput("reason required", fields={"reason": ["a special extension needs its reason (CMP-33)"]})
    if complaint.special:
        raise Conflict("the case is already special")
    at = _check_time(complaint, at)
    rows = [row for row in sla.milestones_of(SUBJECT, complaint.id) if (row.computed_from or {}).get("special_duration")]
    late = [row.code for row in rows if row.state == "breached" or (row.state == "open" and row.due_at <= at)]
    if late:
        raise Conflict(f"already past due, a breach is not undone: {', '.join(late)}")
    rows = [row for row in rows if row.state == "open"]
    if not rows:
        raise Conflict("no running deadline of the case has a special limit")
    moves = []
    for row in rows:
        old, computed = row.due_at, dict(row.computed_from)
        row.duration = computed["special_duration"]
        computed.update({"special_duration": None, "duration": row.duration, "special_reason": reason.strip()})
        row.computed_from = computed
        new = sla.recompute(row, at=at)
        moves.append({"milestone": row.code, "old_due_at": old, "new_due_at": new.utc, "duration": row.duration})
    complaint.special, complaint.special_reason = True, reason.strip()
    decision = decisions.record(
        "CMP-33", SUBJECT, complaint.id, policy=case_policy(complaint), decided_by=by,
        outcome={"special": True, "moved": moves}, facts={"reason": reason.strip(), "at": at},
        reason_zh="特殊情况延期（原因：" + reason.strip() + "）："
                  + "；".join(f"{sla.label_zh(m['milestone'])}按{m['duration']}计" for m in moves),
        reason_en=f"special extension ({reason.strip()}): "
                  + "; ".join(f"{m['milestone']} now {m['duration']}" for m in moves))
    log_event(complaint, "special_extension", by=by, at=at, note=reason.strip(), data={"moved": moves},
              decision_id=decision.id)
    return rows


# ------------------------------------------------------------------------------------------ CMP-36


def fix_next_reply(complaint: Complaint, due_at: dt.datetime, text: str, *, kind: str = "next_reply",
                   by: int, at: dt.datetime | None = None) -> dict:
    """CMP-36: a reply time promised to the customer. With a customer it is a CUS-63 commitment of
    the case's owner (alerted by ``cus.commitment_alerts`` when nothing is logged); without one it is
    a clock on the case (``next_reply.<n>``, alerted by the sweep unless a reply is logged first).
    The case keeps it as the reply time fixed with the customer (CMP-42)."""
    _not_excluded(complaint, by)
    _open(complaint)
    errors: dict[str, list[str]] = {}
    if kind not in NEXT_REPLY_KINDS:
        errors["kind"] = [f"one of {', '.join(NEXT_REPLY_KINDS)}"]
    if not (text or "").strip():
        errors["text"] = ["say what was promised"]
    made_at = utcnow() if at is None else at
    if due_at is None or due_at.tzinfo is None:
        errors["due_at"] = ["a time with its time zone"]
    elif due_at <= made_at:
        errors["due_at"] = ["must be after the promise is made"]
    else:
        errors.update(year_errors(due_at, "due_at"))
    errors.update(year_errors(at, "at"))
    if errors:
        raise InvalidInput("invalid reply time", fields=errors)
    made_at = _check_time(complaint, made_at)
    owner = complaint.owner_id or complaint.handler_id or by
    view = case_policy(complaint)
    result: dict = {"kind": kind, "due_at": due_at, "commitment_id": None, "milestone": None}
    if complaint.customer_id is not None:
        from core.customers.visits.commitments import create_commitment

        commitment = create_commitment(complaint.customer_id, owner_id=owner, due_at=due_at, kind="reply",
                                       text=text.strip(), source_type=SUBJECT, source_id=complaint.id,
                                       made_at=made_at, created_by=by)
        result["commitment_id"] = commitment.id
    else:
        count = sum(1 for row in sla.milestones_of(SUBJECT, complaint.id)
                    if row.code.startswith(rules.NEXT_REPLY_PREFIX))
        code = f"{rules.NEXT_REPLY_PREFIX}{count + 1}"
        spec = MilestoneSpec(code, Duration(0, "minutes"), "CMP-36", due_at=due_at)
        rows = _start(complaint, [spec], made_at, view, {"event": kind, "text": text.strip()})
        result["milestone"] = rows[0].code
    complaint.customer_reply_at = due_at
    when = tenant_calendar(due_at)[0].local(due_at).strftime("%Y-%m-%d %H:%M")
    decision = decisions.record(
        "CMP-36", SUBJECT, complaint.id, policy=view, decided_by=by,
        outcome=dict(result), facts={"text": text.strip(), "made_at": made_at, "owner_id": owner},
        reason_zh=f"与客户约定{_KIND_ZH[kind]}时间 {when}：{text.strip()}"
                  + ("（记为客户承诺事项）" if result["commitment_id"] else "（记在投诉单上）"),
        reason_en=f"{kind.replace('_', ' ')} promised for {when}: {text.strip()}"
                  + (" (a commitment to the customer)" if result["commitment_id"] else " (kept on the case)"))
    log_event(complaint, "reply_time_fixed", by=by, at=made_at, note=text.strip(), data=result, decision_id=decision.id)
    return result


def reply_logged(complaint: Complaint, at: dt.datetime) -> int:
    """A reply to the customer was logged at ``at``: the case's promised reply clocks (CMP-36) due at
    or after it are kept. Returns how many."""
    kept = 0
    for row in sla.milestones_of(SUBJECT, complaint.id):
        if row.code.startswith(rules.NEXT_REPLY_PREFIX) and row.state == "open" and row.start_at <= at:
            sla.meet(SUBJECT, complaint.id, row.code, at)
            kept += 1
    return kept

