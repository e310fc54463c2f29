"""Raise and read notifications. :func:`notify` is idempotent per (``dedupe_key``, recipient)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select

from core.db import db, utcnow
from core.errors import NotFound
from core.notifications.models import Notification


def notify(user_ids: Iterable[int | None], *, kind: str, title_zh: str, title_en: str, dedupe_key: str,
           rule_id: str | None = None, subject_type: str | None = None, subject_id: int | None = None,
           body_zh: str | None = None, body_en: str | None = None,
           due_at: dt.datetime | None = None) -> list[Notification]:
    """Notify each distinct user once for ``dedupe_key`` (e.g. ``"CUS-25:warn:<customer>:<until>"``);
    returns the notifications created now (those raised before are skipped)."""
    recipients = sorted({u for u in user_ids if u is not None})
    if not recipients:
        return []
    keys = {u: f"{dedupe_key}:{u}" for u in recipients}
    existing = set(db.session.scalars(select(Notification.dedupe_key).where(
        Notification.dedupe_key.in_(list(keys.values())))))
    created = []
    for user_id in recipients:
        if keys[user_id] in existing:
            continue
        note = Notification(user_id=user_id, kind=kind, rule_id=rule_id, subject_type=subject_type,
                            subject_id=subject_id, title_zh=title_zh, title_en=title_en, body_zh=body_zh,
                            body_en=body_en, due_at=due_at, dedupe_key=keys[user_id])
        db.session.add(note)
        created.append(note)
    db.session.flush()
    return created


def for_user(user_id: int, *, unread_only: bool = False, kind: str | None = None):
    """The statement of a user's notifications, newest first."""
    stmt = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return stmt.order_by(Notification.created_at.desc(), Notification.id.desc())


def mark_read(user_id: int, notification_id: int) -> Notification:
    note = db.session.scalars(select(Notification).where(
        Notification.id == notification_id, Notification.user_id == user_id)).first()
    if note is None:
        raise NotFound("notification not found")
    if note.read_at is None:
        note.read_at = utcnow()
        db.session.flush()
    return note
