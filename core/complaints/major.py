"""CMP-42 major-complaint path.

- :func:`on_flagged` — the one entry point when a case becomes major (at intake, or when its severity
  is raised): tells at once the roles of ``cmp.major.notify`` (the responsible department's manager
  and the GM), sets the acknowledgement limit (``.ack_within``, 1 hour) and, for a company in a group
  (``.group_member``), the group warning report's limit (``.group_warning_within``, 24 hours). Hours
  are elapsed time: a holiday does not stop them. Called again for the same case it does nothing.
- :func:`acknowledge` — a person told acknowledges (late ones are recorded as late).
- :func:`record_meeting` — minutes of the emergency meeting or crisis team the GM convened.
- :func:`record_group_warning` — the warning report sent to the group (brand division, management,
  legal; then the operations VP and the CEO).
- :func:`watch` — the ``cmp.major_watch`` job: at the acknowledgement limit, whoever has not
  acknowledged is reminded and the GM told; at the group warning limit with no report sent, the GM
  and the owner are told. Each once: a decision, notifications with dedupe keys, and the time it was
  done on the track.

The reply time fixed with the customer (``complaint.customer_reply_at``) and the check that a major
case has one before its next transition are in :mod:`core.complaints.resolution`.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.accounts.people import People
from core.calendar.service import tenant_calendar
from core.complaints import major_rules, service
from core.complaints.case_people import role_holders
from core.complaints.models import Complaint
from core.complaints.policy import cmp_policy
from core.complaints.resolution_models import ComplaintMajorTrack, ComplaintMeeting
from core.db import db
from core.decisions import service as decisions
from core.errors import Conflict, Forbidden, InvalidInput
from core.notifications.service import notify

MEETING_KINDS = ("emergency_meeting", "crisis_team")
CLOSED = ("closed", "rejected")


def track_of(complaint: Complaint) -> ComplaintMajorTrack | None:
    return db.session.scalars(select(ComplaintMajorTrack).where(ComplaintMajorTrack.complaint_id == complaint.id)).first()


def meetings_of(complaint: Complaint) -> list[ComplaintMeeting]:
    return list(db.session.scalars(select(ComplaintMeeting).where(ComplaintMeeting.complaint_id == complaint.id)
                                   .order_by(ComplaintMeeting.held_at, ComplaintMeeting.id)))


def _state(track: ComplaintMajorTrack) -> major_rules.TrackState:
    return major_rules.TrackState(
        recipients=tuple(track.recipients or []), acknowledged=frozenset(int(k) for k in (track.acknowledgements or {})),
        ack_due_at=track.ack_due_at, ack_overdue_at=track.ack_overdue_at,
        group_warning_due_at=track.group_warning_due_at, group_warning_sent_at=track.group_warning_sent_at,
        group_warning_overdue_at=track.group_warning_overdue_at)


def _refresh(track: ComplaintMajorTrack) -> None:
    track.next_check_at = major_rules.next_check(_state(track))


def _local(at: dt.datetime) -> str:
    calendar, _ = tenant_calendar(at)
    return f"{calendar.local(at):%Y-%m-%d %H:%M}"


def on_flagged(complaint: Complaint, at: dt.datetime) -> ComplaintMajorTrack:
    """CMP-42: the case became major at ``at`` (see module doc)."""
    existing = track_of(complaint)
    if existing is not None:
        return existing
    view = cmp_policy(complaint.received_at)
    settings = view.values["major"]
    calendar, _ = tenant_calendar(at)
    plan = major_rules.schedule(calendar, at, settings["ack_within"], settings["group_warning_within"],
                                settings["group_member"])
    people = People()
    recipients = list(dict.fromkeys(uid for role in settings["notify"] for uid in role_holders(role, complaint, people)))
    group_zh = f"；集团预警报告须于{_local(plan.group_warning_due)}前发出" if plan.group_warning_due else ""
    group_en = f"; the group warning report is due {_local(plan.group_warning_due)}" if plan.group_warning_due else ""
    decision = decisions.record(
        "CMP-42", service.SUBJECT, complaint.id, policy=view,
        outcome={"notified": recipients, "notified_at": at, "ack_due_at": plan.ack_due,
                 "group_warning_due_at": plan.group_warning_due},
        facts={"flagged_at": at, "notify": settings["notify"], "ack_within": str(settings["ack_within"]),
               "group_warning_within": str(settings["group_warning_within"]), "group_member": settings["group_member"],
               "major_criteria": complaint.major_criteria},
        reason_zh=f"重大投诉于{_local(at)}确定，立即通知{'、'.join(settings['notify'])}，"
                  f"须于{_local(plan.ack_due)}前确认{group_zh}",
        reason_en=f"major complaint flagged {_local(at)}: {', '.join(settings['notify'])} told at once, "
                  f"acknowledgement due {_local(plan.ack_due)}{group_en}")
    track = ComplaintMajorTrack(complaint_id=complaint.id, flagged_at=at, recipients=recipients, acknowledgements={},
                                ack_due_at=plan.ack_due, group_warning_due_at=plan.group_warning_due,
                                policy_version=view.version, decision_id=decision.id)
    _refresh(track)
    db.session.add(track)
    db.session.flush()
    notify(recipients, kind="cmp.major.notify", rule_id="CMP-42", subject_type=service.SUBJECT,
           subject_id=complaint.id, dedupe_key=f"CMP-42:notify:{complaint.id}", due_at=plan.ack_due,
           title_zh=f"重大投诉 {complaint.number}：请于{_local(plan.ack_due)}前确认",
           title_en=f"Major complaint {complaint.number}: acknowledge by {_local(plan.ack_due)}",
           body_zh=decision.reason_zh, body_en=decision.reason_en)
    service.log_event(complaint, "major_flagged", by=None, at=at, decision_id=decision.id,
                      data={"notified": recipients, "ack_due_at": plan.ack_due,
                            "group_warning_due_at": plan.group_warning_due})
    return track


def _track_or_409(complaint: Complaint) -> ComplaintMajorTrack:
    track = track_of(complaint)
    if track is None:
        raise Conflict("not a major complaint: there is nothing to acknowledge or report (CMP-42)")
    return track


def acknowledge(complaint: Complaint, *, user_id: int, at: dt.datetime) -> ComplaintMajorTrack:
    """One of those told acknowledges the major case (again: nothing changes)."""
    track = _track_or_409(complaint)
    if user_id not in (track.recipients or []):
        raise Forbidden("only those told of the major complaint acknowledge it (CMP-42)")
    if str(user_id) in (track.acknowledgements or {}):
        return track
    if at < track.flagged_at:
        raise InvalidInput("invalid time", fields={"at": ["before the case was flagged major"]})
    track.acknowledgements = {**(track.acknowledgements or {}), str(user_id): at.isoformat()}
    _refresh(track)
    db.session.flush()
    service.log_event(complaint, "major_acknowledged", by=user_id, at=at, data={"late": at > track.ack_due_at})
    return track


def record_meeting(complaint: Complaint, *, kind: str, held_at: dt.datetime, minutes: str, attendees: list[str],
                   resolutions: str | None, convened_by: int | None, by: int | None) -> ComplaintMeeting:
    """Minutes of the emergency meeting or the crisis team (CMP-42)."""
    _track_or_409(complaint)
    meeting = ComplaintMeeting(complaint_id=complaint.id, kind=kind, held_at=held_at, convened_by=convened_by,
                               attendees=list(attendees), minutes=minutes, resolutions=resolutions, recorded_by=by)
    db.session.add(meeting)
    db.session.flush()
    service.log_event(complaint, "major_meeting", by=by, at=held_at, data={"meeting_id": meeting.id, "kind": kind})
    return meeting


def record_group_warning(complaint: Complaint, *, sent_at: dt.datetime, sent_to: list[str], text: str,
                         by: int | None) -> ComplaintMajorTrack:
    """The warning report to the group was sent (CMP-42); 409 for a company not in a group."""
    track = _track_or_409(complaint)
    if track.group_warning_due_at is None:
        raise Conflict("the company is not part of a group: no group warning is due (cmp.major.group_member)")
    if track.group_warning_sent_at is not None:
        raise Conflict("the group warning report was already sent")
    if not [name for name in sent_to if name.strip()]:
        raise InvalidInput("invalid group warning", fields={"sent_to": ["name who received the report"]})
    track.group_warning_sent_at = sent_at
    track.group_warning_sent_by = by
    track.group_warning_to = list(sent_to)
    track.group_warning_text = text
    _refresh(track)
    db.session.flush()
    service.log_event(complaint, "major_group_warning", by=by, at=sent_at,
                      data={"sent_to": list(sent_to), "late": sent_at > track.group_warning_due_at})
    return track


def watch(as_of: dt.datetime) -> dict:
    """The ``cmp.major_watch`` job (see module doc); idempotent."""
    tracks = list(db.session.scalars(select(ComplaintMajorTrack).where(ComplaintMajorTrack.next_check_at <= as_of)
                                     .order_by(ComplaintMajorTrack.next_check_at, ComplaintMajorTrack.id)))
    people = None
    late_acks, late_warnings = [], []
    for track in tracks:
        complaint = service.get_complaint(track.complaint_id)
        if complaint.status in CLOSED:
            track.next_check_at = None
            continue
        due = major_rules.due_now(_state(track), as_of)
        people = people or People()
        gms = role_holders("gm", complaint, people)
        view = cmp_policy(complaint.received_at)
        if due.ack_missing:
            decision = decisions.record(
                "CMP-42", service.SUBJECT, complaint.id, policy=view,
                outcome={"ack_overdue": list(due.ack_missing), "told": gms},
                facts={"ack_due_at": track.ack_due_at, "acknowledged": sorted(_state(track).acknowledged),
                       "as_of": as_of},
                reason_zh=f"重大投诉 {complaint.number} 确认期限{_local(track.ack_due_at)}已过，仍有人未确认",
                reason_en=f"major complaint {complaint.number}: acknowledgement due {_local(track.ack_due_at)} "
                          f"passed with acknowledgements missing")
            notify([*due.ack_missing, *gms], kind="cmp.major.ack_overdue", rule_id="CMP-42",
                   subject_type=service.SUBJECT, subject_id=complaint.id, dedupe_key=f"CMP-42:ack:{complaint.id}",
                   title_zh=f"重大投诉 {complaint.number} 逾期未确认", title_en=f"Major complaint {complaint.number}: "
                                                                         "acknowledgement overdue",
                   body_zh=decision.reason_zh, body_en=decision.reason_en)
            track.ack_overdue_at = as_of
            service.log_event(complaint, "major_ack_overdue", by=None, at=as_of, decision_id=decision.id,
                              data={"missing": list(due.ack_missing)})
            late_acks.append(complaint.id)
        if due.group_warning_late:
            told = list(dict.fromkeys([*gms, complaint.owner_id] if complaint.owner_id else gms))
            decision = decisions.record(
                "CMP-42", service.SUBJECT, complaint.id, policy=view,
                outcome={"group_warning_overdue": True, "told": told},
                facts={"group_warning_due_at": track.group_warning_due_at, "as_of": as_of},
                reason_zh=f"重大投诉 {complaint.number} 集团预警报告应于{_local(track.group_warning_due_at)}前发出，尚未发出",
                reason_en=f"major complaint {complaint.number}: the group warning report was due "
                          f"{_local(track.group_warning_due_at)} and has not been sent")
            notify(told, kind="cmp.major.group_warning_overdue", rule_id="CMP-42", subject_type=service.SUBJECT,
                   subject_id=complaint.id, dedupe_key=f"CMP-42:group:{complaint.id}",
                   title_zh=f"重大投诉 {complaint.number} 集团预警报告逾期",
                   title_en=f"Major complaint {complaint.number}: group warning report overdue",
                   body_zh=decision.reason_zh, body_en=decision.reason_en)
            track.group_warning_overdue_at = as_of
            service.log_event(complaint, "major_group_warning_overdue", by=None, at=as_of, decision_id=decision.id)
            late_warnings.append(complaint.id)
        _refresh(track)
    db.session.flush()
    return {"checked": len(tracks), "ack_overdue": late_acks, "group_warning_overdue": late_warnings}
