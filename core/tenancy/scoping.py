"""Automatic tenant criteria for ORM queries and tenant stamping for new rows.

- Every ORM SELECT/UPDATE/DELETE touching a :class:`~core.db.TenantOwned` entity gets
  ``tenant_id = <current tenant>`` added (``with_loader_criteria``, so joins, relationship loads and
  aliases are filtered too). With no tenant set it raises :class:`TenantNotSet` instead of returning
  every tenant's rows.
- On flush, new tenant rows are stamped with the current tenant; a row of another tenant, or a change
  of ``tenant_id``, raises :class:`CrossTenantWrite`.
- On PostgreSQL each transaction carries the tenant in ``kehu.tenant_id`` (``set_config(..., true)``,
  i.e. SET LOCAL), which the row-level-security policies read.
"""
from __future__ import annotations

from sqlalchemy import Table, event, inspect, text
from sqlalchemy.orm import Session, with_loader_criteria
from sqlalchemy.sql import visitors

from core.db import TenantOwned, db, is_tenant_owned
from core.tenancy.context import (
    CrossTenantWrite,
    TenantNotSet,
    current_tenant_id_or_none,
    unscoped_reason,
)

RLS_SETTING = "kehu.tenant_id"


def _touches_tenant_tables(orm_state) -> bool:
    """Whether the statement reads or writes a tenant table anywhere: as its entity, or inside a
    subquery of a statement whose own columns are not an entity (``select(count()).select_from(...)``)."""
    if any(issubclass(m.class_, TenantOwned) for m in orm_state.all_mappers):
        return True
    return any(isinstance(element, Table) and is_tenant_owned(element)
               for element in visitors.iterate(orm_state.statement))


@event.listens_for(Session, "do_orm_execute")
def _add_tenant_criteria(orm_state):
    if not (orm_state.is_select or orm_state.is_update or orm_state.is_delete):
        return
    if orm_state.execution_options.get("kehu_unscoped") or unscoped_reason():
        return
    if not _touches_tenant_tables(orm_state):
        return
    tenant_id = current_tenant_id_or_none()
    if tenant_id is None:
        raise TenantNotSet("query of a tenant table with no tenant set")
    orm_state.statement = orm_state.statement.options(
        with_loader_criteria(
            TenantOwned,
            lambda cls: cls.tenant_id == tenant_id,
            include_aliases=True,
            track_closure_variables=False,
        )
    )


@event.listens_for(Session, "before_flush")
def _stamp_and_guard(session, flush_context, instances):
    tenant_id = current_tenant_id_or_none()
    crossing_allowed = unscoped_reason() is not None
    for obj in session.new:
        if not isinstance(obj, TenantOwned):
            continue
        if obj.tenant_id is None:
            if tenant_id is None:
                raise TenantNotSet(f"new {type(obj).__name__} with no tenant set")
            obj.tenant_id = tenant_id
        elif tenant_id is not None and obj.tenant_id != tenant_id and not crossing_allowed:
            raise CrossTenantWrite(f"{type(obj).__name__} of tenant {obj.tenant_id} in tenant {tenant_id}")
    for obj in list(session.dirty) + list(session.deleted):
        if not isinstance(obj, TenantOwned):
            continue
        history = inspect(obj).attrs.tenant_id.history
        if history.has_changes() and history.deleted and history.deleted[0] is not None:
            raise CrossTenantWrite(f"tenant_id of {type(obj).__name__} cannot change")
        if tenant_id is not None and obj.tenant_id != tenant_id and not crossing_allowed:
            raise CrossTenantWrite(f"{type(obj).__name__} of tenant {obj.tenant_id} in tenant {tenant_id}")


def _set_rls_tenant(connection, tenant_id):
    connection.execute(
        text("select set_config(:name, :value, true)"),
        {"name": RLS_SETTING, "value": "" if tenant_id is None else str(tenant_id)},
    )


@event.listens_for(Session, "after_begin")
def _tell_transaction_the_tenant(session, transaction, connection):
    if connection.dialect.name == "postgresql":
        _set_rls_tenant(connection, current_tenant_id_or_none())


def sync_transaction_tenant() -> None:
    """Called when the tenant changes: a transaction already open is told the new tenant."""
    try:
        session = db.session()
    except RuntimeError:  # outside an application context: nothing open
        return
    if not session.in_transaction():
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        _set_rls_tenant(connection, current_tenant_id_or_none())


def flush_pending() -> None:
    """Flush what the session holds, if anything (used when leaving a tenant's scope)."""
    try:
        session = db.session()
    except RuntimeError:
        return
    if session.new or session.dirty or session.deleted:
        session.flush()
