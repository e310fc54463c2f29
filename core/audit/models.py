"""Audit trail: who changed what, when, with the values before and after."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import JSONType, TenantScoped, UTCDateTime, db, utcnow


class AuditEntry(TenantScoped, db.Model):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_entity", "tenant_id", "entity_type", "entity_id"),)

    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_user_id: Mapped[int | None] = mapped_column(BigInteger)
    actor: Mapped[str] = mapped_column(String(100))  # "user:12", "job:cus.import", "cli", "platform:1"
    action: Mapped[str] = mapped_column(String(10))  # create | update | delete
    entity_type: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[str] = mapped_column(String(100))
    before: Mapped[dict | None] = mapped_column(JSONType)
    after: Mapped[dict | None] = mapped_column(JSONType)
