"""Tables of open letters (CMP-13): when one issue affects many residents the answer may be an open
letter (公开信), stored with the case records and linked to every case of the issue.

- :class:`ComplaintLetter` — the letter: title, text, when it was issued and by whom.
- :class:`ComplaintLetterCase` — one case the letter answers.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKeyConstraint, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TenantScoped, UTCDateTime, db, utcnow


class ComplaintLetter(TenantScoped, db.Model):
    __tablename__ = "complaint_letters"
    __table_args__ = (Index("ix_complaint_letters_issued", "tenant_id", "issued_at"),)

    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    issued_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ComplaintLetterCase(TenantScoped, db.Model):
    __tablename__ = "complaint_letter_cases"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "letter_id"], ["complaint_letters.tenant_id", "complaint_letters.id"]),
        ForeignKeyConstraint(["tenant_id", "complaint_id"], ["complaints.tenant_id", "complaints.id"]),
        UniqueConstraint("tenant_id", "letter_id", "complaint_id"),
        Index("ix_complaint_letter_cases_case", "tenant_id", "complaint_id"),
    )

    letter_id: Mapped[int] = mapped_column(BigInteger)
    complaint_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
