"""What intake adds to :func:`core.complaints.service.create_complaint` (CMP-01, CMP-03, CMP-10..13, CMP-43).

- :func:`check` — before anything is written: plugin intake fields (``extra``), the signature of an
  in-person complaint about an employee, demands, tags, cause list, external reports, the promised
  reply date of a suggestion, listed excluded employees. Returns the cleaned values and the errors.
- :func:`after_intake` — once the case is numbered, routed and owned, and before its deadlines start:
  ``not_verified`` warnings, repeat (CMP-12), major criteria (CMP-11, a major severity given at intake
  is flagged through :func:`core.complaints.severity.raise_to_major`), level (CMP-43), and for a
  suggestion the promised reply as a CUS-63 commitment and the report to leadership (CMP-01).
- :func:`answer_on_the_spot` — an inquiry answered at once meets its reply deadline (CMP-01).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.accounts.models import User
from core.complaints import intake_fields, intake_rules, repeats, severity, severity_rules
from core.complaints.models import Complaint
from core.db import db
from core.decisions import service as decisions
from core.sla import engine as sla

SUBJECT = "complaint"


def check(data: dict, values: dict, case_type: str, received_on: dt.date) -> tuple[dict, dict]:
    """``(cleaned, errors)``; ``cleaned`` holds ``extra`` (loaded), ``fields`` (definitions),
    ``excluded_user_ids`` and ``anonymous``."""
    defs = intake_fields.definitions()
    extra, errors = intake_fields.clean(data.get("extra"), case_type, defs)
    errors.update(intake_rules.intake_errors(
        case_type=case_type, channel=data.get("channel"), accused_user_id=data.get("accused_user_id"),
        signed=bool(data.get("complainant_signed")), demands=data.get("demands") or [], tags=data.get("tags") or [],
        tenant_tags=values["tags"], cause=data.get("cause"), causes=values["causes"],
        reported_to=data.get("reported_to") or [], received_on=received_on,
        promised_reply_on=data.get("promised_reply_on"), complainant_count=data.get("complainant_count") or 1))
    criteria = list(data.get("major_criteria") or [])
    if criteria:
        enabled = severity_rules.enabled_criteria(values["major"]["criteria"])
        problems = severity_rules.manual_criteria_errors(criteria, enabled, data.get("severity_reason"))
        if problems:
            errors["major_criteria"] = problems
    listed = list(dict.fromkeys(data.get("excluded_user_ids") or []))
    if listed:
        known = set(db.session.scalars(select(User.id).where(User.id.in_(listed))))
        if set(listed) - known:
            errors["excluded_user_ids"] = [f"not employees of this company: {sorted(set(listed) - known)}"]
    accused = data.get("accused_user_id")
    excluded = list(dict.fromkeys(([accused] if accused is not None else []) + listed))
    anonymous = intake_rules.is_anonymous(data.get("anonymous"), data.get("complainant_name"),
                                          data.get("complainant_phone"), data.get("customer_id"))
    return {"extra": extra, "fields": defs, "excluded_user_ids": excluded, "anonymous": anonymous}, errors


def after_intake(complaint: Complaint, data: dict, cleaned: dict, *, by: int | None, asked_severity: str) -> None:
    from core.complaints.service import log_event

    missing = intake_fields.unverified(cleaned["extra"], cleaned["fields"])
    if missing:
        complaint.warnings = [*(complaint.warnings or []), "not_verified"]
        log_event(complaint, "not_verified", by=None, at=complaint.received_at, data={"fields": missing},
                  note="、".join(f"{cleaned['fields'][n].label_zh}（{n}）" for n in missing))
    if complaint.parent_id is None:  # CMP-54: a reopened case is never a repeat complaint (CMP-12)
        repeats.detect(complaint)
    if asked_severity == "major" or data.get("major_criteria"):
        severity.raise_to_major(complaint, list(data.get("major_criteria") or []), complaint.received_at, by=by,
                                reason=data.get("severity_reason"))
    severity.evaluate(complaint, complaint.received_at)
    if complaint.level is None:
        severity.set_intake_level(complaint)
    if complaint.case_type == "suggestion":
        _suggestion(complaint, data.get("promised_reply_on"), by=by)
    db.session.flush()


def _suggestion(complaint: Complaint, promised_on: dt.date | None, *, by: int | None) -> None:
    """CMP-01: a suggestion is reported to leadership (``cmp.suggestions.report_to``); a promised reply
    date becomes a CUS-63 commitment of the case's owner (through that day) when the case names a
    customer."""
    from core.accounts.people import People
    from core.calendar.service import tenant_calendar
    from core.complaints.policy import cmp_policy
    from core.complaints.service import log_event
    from core.customers.visits.commitments import create_commitment
    from core.notifications.service import notify

    view = cmp_policy(complaint.received_at)
    people = People()
    leaders = [uid for role in view.values["suggestions"]["report_to"] for uid, _ in people.holders(role)]
    notify([u for u in leaders if u not in (complaint.excluded_user_ids or [])], kind="cmp.suggestion",
           rule_id="CMP-01", subject_type=SUBJECT, subject_id=complaint.id,
           dedupe_key=f"CMP-01:suggestion:{complaint.id}", title_zh=f"客户建议 {complaint.number}",
           title_en=f"Customer suggestion {complaint.number}", body_zh=complaint.content[:500],
           body_en=complaint.content[:500])
    if promised_on is None:
        return
    calendar, _ = tenant_calendar(complaint.received_at)
    complaint.promised_reply_at = calendar.end_of_day(promised_on)
    owner = complaint.owner_id or by
    commitment = None
    if complaint.customer_id is not None and owner is not None:
        commitment = create_commitment(
            complaint.customer_id, owner_id=owner, due_at=complaint.promised_reply_at, kind="reply",
            text=f"答复客户建议 {complaint.number}", source_type=SUBJECT, source_id=complaint.id,
            made_at=complaint.received_at, created_by=by)
    decision = decisions.record(
        "CMP-01", SUBJECT, complaint.id, policy=view,
        outcome={"promised_reply_at": complaint.promised_reply_at, "commitment_id": commitment.id if commitment else None},
        facts={"promised_reply_on": promised_on, "customer_id": complaint.customer_id, "owner_id": owner},
        reason_zh=f"建议答复日期承诺至{promised_on}" + ("，已记为答应客户的事（CUS-63）" if commitment else "（无客户档案，未建承诺）"),
        reason_en=f"reply to the suggestion promised through {promised_on}"
                  + (": recorded as a commitment (CUS-63)" if commitment else " (no customer on file: no commitment)"))
    log_event(complaint, "reply_promised", by=by, at=complaint.received_at, decision_id=decision.id,
              data={"promised_reply_at": complaint.promised_reply_at,
                    "commitment_id": commitment.id if commitment else None})


def answer_on_the_spot(complaint: Complaint, *, by: int | None) -> None:
    """CMP-01: an inquiry answered on the spot — its reply deadline is met at the received time."""
    from core.complaints.service import log_event

    sla.meet(SUBJECT, complaint.id, "reply", complaint.received_at)
    complaint.replied_at = complaint.received_at
    complaint.reply_method = "on_the_spot"
    log_event(complaint, "answered_on_the_spot", by=by, at=complaint.received_at)
