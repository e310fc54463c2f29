"""Tables of the case from handling to closure (DOMAIN.md §4.5–4.6). The case's own solution, approval,
reply and closure columns are on :class:`core.complaints.models.Complaint`; these hold what a case
has several of or only when it is major:

- :class:`ComplaintAuthorityStep` — each time the case moved up the authority ladder (CMP-41): the
  level it was offered to, why (``beyond_authority`` with the amount and the limit, or
  ``dissatisfied``), and to whom.
- :class:`ComplaintMajorTrack` — the major-complaint path of one case (CMP-42): who was told and
  when, their acknowledgements, the acknowledgement and group-warning limits and what the watch did
  at each; ``next_check_at`` is when the watch job next has work for it.
- :class:`ComplaintMeeting` — minutes of the emergency meeting or crisis team on a major case (CMP-42).
- :class:`ComplaintImprovement` — an improvement proposal (new standard or training) when no standard
  covers the issue (CMP-55): draft → signed by the department head → countersigned by marketing →
  approved by the GM office.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import BigInteger, ForeignKeyConstraint, Index, Integer, Numeric, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import JSONType, TenantScoped, UTCDateTime, db, utcnow

IMPROVEMENT_STATES = ("draft", "signed", "countersigned", "approved")


def _case_fk():
    return ForeignKeyConstraint(["tenant_id", "complaint_id"], ["complaints.tenant_id", "complaints.id"])


class ComplaintAuthorityStep(TenantScoped, db.Model):
    __tablename__ = "complaint_authority_steps"
    __table_args__ = (_case_fk(), Index("ix_complaint_authority_steps_case", "tenant_id", "complaint_id", "at"))

    complaint_id: Mapped[int] = mapped_column(BigInteger)
    from_level: Mapped[str] = mapped_column(String(20))  # handler | dept_head | vp
    level: Mapped[str] = mapped_column(String(20))  # dept_head | vp | gm
    reason: Mapped[str] = mapped_column(String(30))  # beyond_authority | dissatisfied
    amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    limit: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))  # the authority of from_level
    offered_to: Mapped[list] = mapped_column(JSONType, default=list)
    skipped: Mapped[list] = mapped_column(JSONType, default=list)  # levels nobody holds
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    by: Mapped[int | None] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(Text)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)


class ComplaintMajorTrack(TenantScoped, db.Model):
    __tablename__ = "complaint_major_tracks"
    __table_args__ = (
        _case_fk(),
        UniqueConstraint("tenant_id", "complaint_id"),
        Index("ix_complaint_major_tracks_check", "tenant_id", "next_check_at"),
        # the fan-out's probe across tenants (workers.due, migration 0024)
        Index("ix_complaint_major_tracks_due", "next_check_at", postgresql_where=text("next_check_at IS NOT NULL"),
              sqlite_where=text("next_check_at IS NOT NULL")),
    )

    complaint_id: Mapped[int] = mapped_column(BigInteger)
    flagged_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    recipients: Mapped[list] = mapped_column(JSONType, default=list)  # user ids told at once
    acknowledgements: Mapped[dict] = mapped_column(JSONType, default=dict)  # str(user id) -> ISO time
    ack_due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ack_overdue_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # when the watch found it late
    group_warning_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # None: not in a group
    group_warning_sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    group_warning_sent_by: Mapped[int | None] = mapped_column(BigInteger)
    group_warning_to: Mapped[list] = mapped_column(JSONType, default=list)
    group_warning_text: Mapped[str | None] = mapped_column(Text)
    group_warning_overdue_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    next_check_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    policy_version: Mapped[int] = mapped_column(Integer, default=0)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)


class ComplaintMeeting(TenantScoped, db.Model):
    __tablename__ = "complaint_meetings"
    __table_args__ = (_case_fk(), Index("ix_complaint_meetings_case", "tenant_id", "complaint_id", "held_at"))

    complaint_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(30))  # emergency_meeting | crisis_team
    held_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    convened_by: Mapped[int | None] = mapped_column(BigInteger)
    attendees: Mapped[list] = mapped_column(JSONType, default=list)
    minutes: Mapped[str] = mapped_column(Text)
    resolutions: Mapped[str | None] = mapped_column(Text)  # what the meeting decided
    recorded_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ComplaintImprovement(TenantScoped, db.Model):
    __tablename__ = "complaint_improvements"
    __table_args__ = (
        _case_fk(),
        ForeignKeyConstraint(["tenant_id", "department_id"], ["departments.tenant_id", "departments.id"]),
        Index("ix_complaint_improvements_case", "tenant_id", "complaint_id"),
        Index("ix_complaint_improvements_state", "tenant_id", "state"),
    )

    complaint_id: Mapped[int] = mapped_column(BigInteger)
    department_id: Mapped[int | None] = mapped_column(BigInteger)  # whose head signs
    kind: Mapped[str] = mapped_column(String(20))  # standard | training
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default="draft")
    drafted_by: Mapped[int | None] = mapped_column(BigInteger)
    drafted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    signed_by: Mapped[int | None] = mapped_column(BigInteger)
    signed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    countersigned_by: Mapped[int | None] = mapped_column(BigInteger)
    countersigned_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    approved_by: Mapped[int | None] = mapped_column(BigInteger)
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    returned_note: Mapped[str | None] = mapped_column(Text)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
