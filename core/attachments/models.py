"""Table of attachments: files (photos, scans, signed forms, documents) kept for the tenant and attached
to one subject (a work order, a complaint, a customer, ... — :mod:`core.attachments.subjects`).

The row holds what is known of the file; the bytes live on disk under the tenant's folder
(:mod:`core.attachments.storage`), named by ``storage_key``, a random token never derived from
anything the user sent. ``filename`` is only the name shown and offered on download.
``content_type`` was recognised from the bytes (:func:`core.attachments.rules.sniff`), never taken from
the client. A deleted attachment keeps its row (who, when, the checksum) and loses its file.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKeyConstraint, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TenantScoped, UTCDateTime, db


def _user_fk(column: str):
    return ForeignKeyConstraint(["tenant_id", column], ["users.tenant_id", "users.id"])


class Attachment(TenantScoped, db.Model):
    __tablename__ = "attachments"
    __table_args__ = (
        UniqueConstraint("tenant_id", "storage_key"),
        _user_fk("uploaded_by"),
        _user_fk("custodian_id"),
        _user_fk("deleted_by"),
        Index("ix_attachments_subject", "tenant_id", "subject_type", "subject_id", "uploaded_at"),
    )

    subject_type: Mapped[str] = mapped_column(String(40))  # work_order, complaint, customer, ...
    subject_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(20))  # photo, scan, signed_form, document, other
    filename: Mapped[str] = mapped_column(String(200))  # sanitised display name
    content_type: Mapped[str] = mapped_column(String(100))  # sniffed from the bytes
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(64))  # random; the file's name on disk
    uploaded_by: Mapped[int | None] = mapped_column(BigInteger)
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)  # also the file's yyyy/mm folder
    custodian_id: Mapped[int | None] = mapped_column(BigInteger)  # who keeps the paper original (SVC-16)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    deleted_by: Mapped[int | None] = mapped_column(BigInteger)
