"""Which tenant the running code acts for.

A request, a job or a CLI command sets the tenant once with :func:`tenant_scope`. Code that must work
across tenants (platform admin, cron fan-out) says so with :func:`unscoped`, which takes a reason so
that every such place is easy to grep and to review.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

_tenant: ContextVar[int | None] = ContextVar("kehu_tenant", default=None)
_unscoped_reason: ContextVar[str | None] = ContextVar("kehu_unscoped", default=None)


class TenantNotSet(RuntimeError):
    """A tenant-owned table was queried while no tenant was set (fail closed)."""


class CrossTenantWrite(RuntimeError):
    """A row of one tenant was written while another tenant was current."""


def current_tenant_id_or_none() -> int | None:
    return _tenant.get()


def current_tenant_id() -> int:
    tenant_id = _tenant.get()
    if tenant_id is None:
        raise TenantNotSet("no tenant is set for this request or job")
    return tenant_id


def unscoped_reason() -> str | None:
    return _unscoped_reason.get()


@contextmanager
def tenant_scope(tenant_id: int):
    """Run the block as ``tenant_id``. The database session's transaction is told too (RLS)."""
    if tenant_id is None:
        raise TenantNotSet("tenant_scope needs a tenant id")
    from core.tenancy.scoping import flush_pending, sync_transaction_tenant

    token = _tenant.set(int(tenant_id))
    sync_transaction_tenant()
    try:
        yield int(tenant_id)
        flush_pending()  # rows added in this scope are written in this scope
    finally:
        _tenant.reset(token)
        sync_transaction_tenant()


@contextmanager
def unscoped(reason: str):
    """Run the block without a tenant filter. ORM queries of tenant tables are then not filtered by
    the ORM; on PostgreSQL row-level security still returns no tenant rows unless a tenant is set."""
    if not reason:
        raise ValueError("unscoped() needs a reason")
    token = _unscoped_reason.set(reason)
    try:
        yield
    finally:
        _unscoped_reason.reset(token)


def enter_tenant(tenant_id: int):
    """Set the tenant for the rest of a request; returns a token for :func:`leave_tenant`.
    (``tenant_scope`` is the block form; requests span before/after hooks, so they use these.)"""
    from core.tenancy.scoping import sync_transaction_tenant

    token = _tenant.set(int(tenant_id))
    sync_transaction_tenant()
    return token


def leave_tenant(token) -> None:
    _tenant.reset(token)
