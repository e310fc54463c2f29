"""Policy documents: a tenant's regulation, one document per module or plugin, versioned and
effective from a date. Published versions are never changed; a new version supersedes from its date."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Date, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import JSONType, TenantScoped, UTCDateTime, db, utcnow


class PolicyDocument(TenantScoped, db.Model):
    __tablename__ = "policy_documents"
    __table_args__ = (UniqueConstraint("tenant_id", "module", "version"),)

    module: Mapped[str] = mapped_column(String(50))
    version: Mapped[int] = mapped_column(Integer)
    effective_from: Mapped[dt.date] = mapped_column(Date)
    body: Mapped[dict] = mapped_column(JSONType)
    note: Mapped[str | None] = mapped_column(Text)
    published_by: Mapped[int | None] = mapped_column(BigInteger)
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
