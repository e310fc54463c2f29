"""CMP-13: complaints about one issue linked to a master case and recorded once; open letters.

- :func:`link` — cases become linked to a master: the master's clock and handling govern, so each
  linked case's open deadlines are cancelled; the master counts the complainants of the issue
  (households once, :func:`core.complaints.repeat_rules.complainant_total`), which feeds the
  ``collective`` criterion of CMP-11. The linked cases' excluded employees (CMP-21) are merged into
  the master's; a master owned or handled by one of them is refused (409).
- :func:`issue_of` — a master and its linked cases (the issue).
- :func:`issue_letter` / :func:`attach_letter` — an open letter linked to every case of the issues it
  answers.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select

from core.complaints import repeat_rules, severity
from core.complaints.letter_models import ComplaintLetter, ComplaintLetterCase
from core.complaints.models import OPEN_STATUSES, Complaint
from core.complaints.policy import cmp_policy
from core.complaints.repeats import household_of
from core.db import db
from core.decisions import service as decisions
from core.errors import Conflict, InvalidInput, NotFound
from core.sla import engine as sla

SUBJECT = "complaint"


def issue_of(complaint: Complaint) -> list[Complaint]:
    """The master of ``complaint``'s issue first, then its linked cases by received time."""
    master_id = complaint.master_id or complaint.id
    rows = list(db.session.scalars(select(Complaint).where(
        or_(Complaint.id == master_id, Complaint.master_id == master_id))
        .order_by(Complaint.received_at, Complaint.id)))
    return sorted(rows, key=lambda c: c.id != master_id)


def _cases(ids: list[int], field: str) -> list[Complaint]:
    from core.complaints.service import get_complaint

    found = []
    for complaint_id in dict.fromkeys(ids):
        try:
            found.append(get_complaint(complaint_id))
        except NotFound:
            raise InvalidInput("unknown case", fields={field: [f"no case {complaint_id}"]}) from None
    return found


def recount(master: Complaint) -> int:
    """The complainants of the master's issue (CMP-13), stored on the master."""
    keys = []
    households: dict[int, object] = {}
    for case in issue_of(master):
        key = None
        if case.customer_id is not None:
            if case.customer_id not in households:
                households[case.customer_id] = min(household_of(case.customer_id, case.received_at))
            key = households[case.customer_id]
        own = case.intake_complainant_count if case.id == master.id else case.complainant_count
        keys.append((key, own or 1))
    master.complainant_count = repeat_rules.complainant_total(keys)
    return master.complainant_count


def link(master: Complaint, complaint_ids: list[int], *, by: int | None, at: dt.datetime) -> list[Complaint]:
    """Link the cases ``complaint_ids`` to ``master`` (CMP-13). Raises 422 for unknown ids, 409 when the
    master is linked itself or closed, or a case is the master, linked already, a master of others, or
    no longer open. Nothing is written then."""
    from core.complaints.service import log_event

    if not complaint_ids:
        raise InvalidInput("nothing to link", fields={"complaint_ids": ["name the cases to link"]})
    if master.master_id is not None:
        raise Conflict(f"case {master.number} is itself linked to another master; link to that one")
    if master.status not in OPEN_STATUSES:
        raise Conflict(f"case {master.number} is {master.status}: only an open case can be the master")
    cases = _cases(complaint_ids, "complaint_ids")
    for case in cases:
        if case.id == master.id:
            raise Conflict("a case cannot be linked to itself")
        if case.master_id is not None:
            raise Conflict(f"case {case.number} is already linked to a master")
        if db.session.scalar(select(Complaint.id).where(Complaint.master_id == case.id).limit(1)) is not None:
            raise Conflict(f"case {case.number} is the master of other cases")
        if case.status not in OPEN_STATUSES:
            raise Conflict(f"case {case.number} is {case.status}: only open cases are linked")
        # CMP-21: the master's handling governs the linked case, so whoever is kept out of the linked
        # case must not own or handle the master
        for role, user_id in (("owner", master.owner_id), ("handler", master.handler_id)):
            if user_id is not None and user_id in (case.excluded_user_ids or []):
                raise Conflict(f"the {role} of master case {master.number} is excluded from case {case.number} "
                               "(CMP-21); give the master another owner or handler first", rule_id="CMP-21",
                               fields={"complaint_ids": [f"case {case.number}: the master's {role} is excluded "
                                                         "from it"]})
    view = cmp_policy(master.received_at)
    before = master.complainant_count
    for case in cases:
        case.master_id = master.id
        cancelled = sla.cancel(SUBJECT, case.id)
        decision = decisions.record(
            "CMP-13", SUBJECT, case.id, policy=view, decided_by=by,
            outcome={"master_id": master.id, "milestones_cancelled": cancelled},
            facts={"master": master.number, "master_received_at": master.received_at, "received_at": case.received_at},
            reason_zh=f"与主案 {master.number} 为同一事项，合并记录一次，以主案时限和处理为准",
            reason_en=f"same issue as master case {master.number}: recorded once, the master's clock and handling govern")
        log_event(case, "linked", by=by, at=at, decision_id=decision.id,
                  data={"master_id": master.id, "master": master.number, "milestones_cancelled": cancelled})
    # CMP-21: the master now carries the linked cases' traffic: their excluded people are kept out of it
    merged = list(dict.fromkeys([*(master.excluded_user_ids or []),
                                 *(uid for case in cases for uid in (case.excluded_user_ids or []))]))
    if merged != list(master.excluded_user_ids or []):
        master.excluded_user_ids = merged
    db.session.flush()
    count = recount(master)
    log_event(master, "cases_linked", by=by, at=at,
              data={"complaint_ids": [c.id for c in cases], "numbers": [c.number for c in cases],
                    "complainant_count": count, "complainant_count_before": before})
    severity.evaluate(master, at)
    return cases


# --- open letters -----------------------------------------------------------------------------------


def letter_case_ids(letter: ComplaintLetter) -> list[int]:
    return list(db.session.scalars(select(ComplaintLetterCase.complaint_id).where(
        ComplaintLetterCase.letter_id == letter.id).order_by(ComplaintLetterCase.complaint_id)))


def letters_of(complaint: Complaint) -> list[int]:
    return list(db.session.scalars(select(ComplaintLetterCase.letter_id).where(
        ComplaintLetterCase.complaint_id == complaint.id).order_by(ComplaintLetterCase.letter_id)))


def get_letter(letter_id: int) -> ComplaintLetter:
    letter = db.session.scalars(select(ComplaintLetter).where(ComplaintLetter.id == letter_id)).first()
    if letter is None:
        raise NotFound("open letter not found")
    return letter


def attach_letter(letter: ComplaintLetter, complaint_ids: list[int], *, by: int | None) -> list[int]:
    """Link ``letter`` to the cases and every case of their issues; returns the ids newly linked."""
    from core.complaints.service import log_event

    if not complaint_ids:
        raise InvalidInput("no cases", fields={"complaint_ids": ["name the cases the letter answers"]})
    targets: dict[int, Complaint] = {}
    for case in _cases(complaint_ids, "complaint_ids"):
        for member in issue_of(case):
            targets[member.id] = member
    have = set(letter_case_ids(letter))
    added = []
    for case_id, case in sorted(targets.items()):
        if case_id in have:
            continue
        db.session.add(ComplaintLetterCase(letter_id=letter.id, complaint_id=case_id))
        log_event(case, "open_letter", by=by, at=letter.issued_at, data={"letter_id": letter.id, "title": letter.title})
        added.append(case_id)
    db.session.flush()
    return added


def issue_letter(data: dict, *, by: int | None) -> ComplaintLetter:
    """An open letter (``title``, ``body``, ``issued_at`` default now) answering ``complaint_ids``."""
    from core.customers.fact_time import fact_time
    from core.db import utcnow

    errors = {}
    if not (data.get("title") or "").strip():
        errors["title"] = ["give the letter a title"]
    if not (data.get("body") or "").strip():
        errors["body"] = ["the text of the letter"]
    issued_at = data.get("issued_at") or utcnow()
    try:
        issued_at = fact_time(issued_at, "issued_at")
    except InvalidInput as exc:
        errors.update(exc.fields)
    if errors:
        raise InvalidInput("invalid open letter", fields=errors)
    letter = ComplaintLetter(title=data["title"].strip(), body=data["body"].strip(), issued_at=issued_at, issued_by=by)
    db.session.add(letter)
    db.session.flush()
    attach_letter(letter, list(data.get("complaint_ids") or []), by=by)
    return letter


def letters():
    return select(ComplaintLetter).order_by(ComplaintLetter.issued_at.desc(), ComplaintLetter.id.desc())
