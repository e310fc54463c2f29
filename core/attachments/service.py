"""Attachments: files kept for the tenant and attached to one subject (a work order, a complaint, a
customer, ... — :mod:`core.attachments.subjects`).

- :func:`store` — the one way a file comes in: the subject must exist in the tenant and be visible to
  the user; the type is recognised from the bytes and must be one of ``svc.attachments.types``; the
  size must not pass ``svc.attachments.max_mb`` (nor the platform's ``KEHU_ATTACHMENT_MAX_MB``); the
  file is streamed to disk (:mod:`core.attachments.storage`) and the row written (audited).
- :func:`get_attachment` (404), :func:`attachments_of` (a subject's files), :func:`open_content`.
- :func:`require` / :func:`require_all` — for other modules whose steps take attachment ids (a photo
  of the finished work, a signed form): 422 naming the caller's field when the id is unknown, deleted,
  of another subject or of another kind.
- :func:`delete` — soft: the row stays (who uploaded, who deleted, the checksum), the file is removed
  once the deletion commits.

Another tenant's attachment is never found (tenant scoping, RLS, and files under the tenant's folder).
"""
from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import select

from core.attachments import rules, storage
from core.attachments.models import Attachment
from core.attachments.subjects import SUBJECTS, subject_types, subject_visible
from core.db import db, utcnow
from core.errors import Conflict, InvalidInput, NotFound

POLICY_MODULE = "svc"
DEFAULT_PLATFORM_MAX_MB = 20


def limits() -> tuple[int, list[str]]:
    """(largest file in bytes, accepted type codes) for the current tenant today."""
    from core.policy import service as policy_service

    try:
        settings = policy_service.in_force(POLICY_MODULE).values["attachments"]
    except (NotFound, KeyError):  # a tenant without the svc document: the defaults
        from core.attachments.settings import AttachmentSettingsSchema

        settings = AttachmentSettingsSchema().load({})
    platform = current_app.config.get("KEHU_ATTACHMENT_MAX_MB") or DEFAULT_PLATFORM_MAX_MB
    return rules.limit_bytes(settings["max_mb"], platform), list(settings["types"])


def _check_subject(subject_type: str, subject_id: int, field: str = "subject_id") -> None:
    if subject_type not in SUBJECTS:
        raise InvalidInput("unknown subject type", fields={
            "subject_type": ["one of: " + ", ".join(subject_types())]})
    if not subject_visible(subject_type, subject_id):
        raise InvalidInput(f"no such {subject_type}", fields={field: [f"no such {subject_type}"]})


def store(subject_type: str, subject_id: int, stream, filename: str | None, *, kind: str, by: int | None,
          custodian_id: int | None = None, at: dt.datetime | None = None) -> Attachment:
    """Keep the file read from ``stream`` (``read(n)``) as an attachment of the subject. 422 on
    ``subject_type``, ``subject_id``, ``kind`` or ``file`` (type not accepted, empty, too large)."""
    if kind not in rules.KINDS:
        raise InvalidInput("unknown kind", fields={"kind": ["one of: " + ", ".join(rules.KINDS)]})
    _check_subject(subject_type, subject_id)
    max_bytes, allowed = limits()
    found = {}

    def check_head(head: bytes) -> None:
        found["type"] = rules.check_type(rules.sniff(head), allowed)

    at = at or utcnow()
    tenant_id = _tenant_id()
    try:
        stored = storage.save(tenant_id, at, stream, max_bytes=max_bytes, check_head=check_head, head_size=rules.HEAD)
    except storage.TooLarge:
        rules.check_size(max_bytes + 1, max_bytes)
        raise
    rules.check_size(stored.size, max_bytes)  # the empty file (never written past the cap)
    code = found["type"]
    attachment = Attachment(subject_type=subject_type, subject_id=int(subject_id), kind=kind,
                            filename=rules.display_name(filename, code), content_type=rules.content_type(code),
                            size=stored.size, sha256=stored.sha256, storage_key=stored.key, uploaded_by=by,
                            uploaded_at=at, custodian_id=custodian_id)
    db.session.add(attachment)
    db.session.flush()
    return attachment


def _tenant_id() -> int:
    from core.tenancy import current_tenant_id

    return current_tenant_id()


def _find(attachment_id) -> Attachment | None:
    try:
        attachment_id = int(attachment_id)
    except (TypeError, ValueError):
        return None
    attachment = db.session.scalars(select(Attachment).where(Attachment.id == attachment_id)).first()
    if attachment is None or not subject_visible(attachment.subject_type, attachment.subject_id):
        return None
    return attachment


def get_attachment(attachment_id: int) -> Attachment:
    """The attachment; 404 when the tenant has none with this id, when it was deleted, or when the user
    may not see its subject."""
    attachment = _find(attachment_id)
    if attachment is None or attachment.deleted_at is not None:
        raise NotFound("attachment not found")
    return attachment


def attachments_of(subject_type: str, subject_id: int, *, kinds=None) -> list[Attachment]:
    """The subject's attachments (not deleted), oldest first; 404 when the user may not see the subject."""
    if subject_type not in SUBJECTS or not subject_visible(subject_type, subject_id):
        raise NotFound(f"{subject_type} not found")
    stmt = (select(Attachment)
            .where(Attachment.subject_type == subject_type, Attachment.subject_id == int(subject_id),
                   Attachment.deleted_at.is_(None))
            .order_by(Attachment.uploaded_at, Attachment.id))
    if kinds:
        stmt = stmt.where(Attachment.kind.in_(list(kinds)))
    return list(db.session.scalars(stmt))


def require(attachment_id, *, field: str, subject_type: str | None = None, subject_id: int | None = None,
            kinds=None) -> Attachment:
    """The attachment a step refers to in ``field``; 422 naming ``field`` when it is unknown (or of
    another tenant, or its subject hidden from the user), deleted, attached to another subject than
    (``subject_type``, ``subject_id``), or not of one of ``kinds``."""
    attachment = _find(attachment_id)

    def refuse(message: str):
        return InvalidInput(f"{field}: {message}", fields={field: [message]})

    if attachment is None:
        raise refuse(f"no such attachment: {attachment_id}")
    if attachment.deleted_at is not None:
        raise refuse(f"attachment {attachment.id} was deleted")
    if subject_type is not None and attachment.subject_type != subject_type:
        raise refuse(f"attachment {attachment.id} is not attached to a {subject_type}")
    if subject_id is not None and attachment.subject_id != int(subject_id):
        raise refuse(f"attachment {attachment.id} is attached to another {attachment.subject_type}")
    if kinds and attachment.kind not in kinds:
        raise refuse(f"attachment {attachment.id} is a {attachment.kind}, not a {' or '.join(kinds)}")
    return attachment


def require_all(attachment_ids, *, field: str, subject_type: str | None = None, subject_id: int | None = None,
                kinds=None) -> list[Attachment]:
    """:func:`require` for each id of a list (duplicates once), in the order given."""
    seen, found = set(), []
    for attachment_id in attachment_ids or []:
        if attachment_id in seen:
            continue
        seen.add(attachment_id)
        found.append(require(attachment_id, field=field, subject_type=subject_type, subject_id=subject_id,
                             kinds=kinds))
    return found


def open_content(attachment: Attachment):
    """The file's bytes, open for reading (binary); 404 when deleted or the file is gone."""
    if attachment.deleted_at is not None:
        raise NotFound("attachment not found")
    try:
        return storage.open_file(attachment.tenant_id, attachment.storage_key, attachment.uploaded_at)
    except FileNotFoundError as missing:
        raise NotFound("the attachment's file is missing") from missing


def set_custodian(attachment: Attachment, user_id: int | None) -> Attachment:
    """Who keeps the paper original the file is a scan of (SVC-16); ``None``: nobody (any more)."""
    attachment.custodian_id = user_id
    db.session.flush()
    return attachment


def delete(attachment: Attachment, by: int | None, *, at: dt.datetime | None = None) -> Attachment:
    """Soft delete: the row stays with ``deleted_at``/``deleted_by``; the file is removed once the
    transaction commits. Deleting twice changes nothing. 409 while a record keeps it as its evidence
    (:mod:`core.attachments.references`)."""
    if attachment.deleted_at is not None:
        return attachment
    from core.attachments.references import kept_by

    kept = kept_by(attachment.id)
    if kept:
        raise Conflict(f"the attachment is the evidence of a {', '.join(kept)}: it cannot be deleted",
                       reason_zh="该附件是已登记记录的凭证（如客户签字的服务反馈单），不能删除", kept_by=kept)
    attachment.deleted_at = at or utcnow()
    attachment.deleted_by = by
    db.session.flush()
    storage.remove_after_commit(attachment.tenant_id, attachment.storage_key, attachment.uploaded_at)
    return attachment


def export_files(tenant_id: int):
    """(name in the export, file path) of each kept attachment of the tenant, for the tenant export:
    ``attachments/<yyyy>/<mm>/<storage_key>``, matching the rows of ``attachments.jsonl``. Run inside
    the tenant's scope."""
    stmt = (select(Attachment).where(Attachment.tenant_id == tenant_id, Attachment.deleted_at.is_(None))
            .order_by(Attachment.id))
    for attachment in db.session.scalars(stmt):
        path = storage.path_of(tenant_id, attachment.storage_key, attachment.uploaded_at)
        if path.is_file():
            yield "attachments/" + path.relative_to(storage.tenant_dir(tenant_id)).as_posix(), path
