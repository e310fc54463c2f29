"""Writes an :class:`AuditEntry` for every create, update and delete of tenant data.

It hooks the ORM flush, so every change made through the service layer (and anything else that goes
through the session) is recorded with the acting user or process from :func:`acting_as`. Tables that are
themselves logs (audit, decisions) are not audited; secrets listed in ``__audit_exclude__`` are left out.
"""
from __future__ import annotations

import datetime as dt
import decimal
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from core.audit.models import AuditEntry
from core.db import TenantOwned, utcnow

_actor: ContextVar[tuple[str, int | None]] = ContextVar("kehu_actor", default=("system", None))

NOT_AUDITED = {"audit_log", "decisions", "jobs"}  # logs of their own


@contextmanager
def acting_as(actor: str, user_id: int | None = None):
    """Everything changed inside the block is attributed to ``actor`` (e.g. ``user:12``, ``cli``)."""
    token = _actor.set((actor, user_id))
    try:
        yield
    finally:
        _actor.reset(token)


def current_actor() -> tuple[str, int | None]:
    return _actor.get()


def json_safe(value):
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    return value


def _columns(obj):
    excluded = getattr(obj, "__audit_exclude__", set())
    mapper = inspect(obj).mapper
    return [attr for attr in mapper.column_attrs if attr.key not in excluded]


def _snapshot(obj) -> dict:
    return {attr.key: json_safe(getattr(obj, attr.key)) for attr in _columns(obj)}


def _entity_id(obj) -> str:
    """The primary key without ``tenant_id`` (``12``, or ``12/salesperson`` for composite keys)."""
    mapper = inspect(obj).mapper
    keys = [mapper.get_property_by_column(col).key for col in mapper.primary_key]
    return "/".join(str(getattr(obj, key)) for key in keys if key != "tenant_id")


def _is_audited(obj) -> bool:
    return isinstance(obj, TenantOwned) and obj.__tablename__ not in NOT_AUDITED


def _pending(target) -> list:
    return inspect(target).session.info.setdefault("kehu_audit", [])


def _changes(target) -> tuple[dict, dict]:
    before, after = {}, {}
    state = inspect(target)
    for attr in _columns(target):
        history = state.attrs[attr.key].history
        if history.has_changes():
            before[attr.key] = json_safe(history.deleted[0] if history.deleted else None)
            after[attr.key] = json_safe(history.added[0] if history.added else None)
    return before, after


# Mapper events fire for every row the flush writes, cascades and orphans included.
@event.listens_for(TenantOwned, "after_insert", propagate=True)
def _inserted(mapper, connection, target):
    if _is_audited(target):
        _pending(target).append(("create", target, None, _snapshot(target)))


@event.listens_for(TenantOwned, "after_update", propagate=True)
def _updated(mapper, connection, target):
    if _is_audited(target):
        before, after = _changes(target)
        if after:
            _pending(target).append(("update", target, before, after))


@event.listens_for(TenantOwned, "after_delete", propagate=True)
def _deleted(mapper, connection, target):
    if _is_audited(target):
        _pending(target).append(("delete", target, _snapshot(target), None))


@event.listens_for(Session, "after_flush")
def _write_entries(session, flush_context):
    entries = session.info.pop("kehu_audit", None)
    if not entries:
        return
    actor, user_id = _actor.get()
    now = utcnow()
    # written in the same flush, on the same connection (so under the same tenant for RLS)
    session.connection().execute(
        insert(AuditEntry.__table__),
        [
            {"tenant_id": obj.tenant_id, "at": now, "actor": actor, "actor_user_id": user_id, "action": action,
             "entity_type": obj.__tablename__, "entity_id": _entity_id(obj), "before": before, "after": after}
            for action, obj, before, after in entries
        ],
    )


@event.listens_for(Session, "after_rollback")
def _forget_entries(session):
    session.info.pop("kehu_audit", None)
