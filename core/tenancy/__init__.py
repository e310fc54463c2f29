"""Current-tenant context, automatic query scoping and PostgreSQL row-level security helpers."""
from core.tenancy.context import (
    CrossTenantWrite,
    TenantNotSet,
    current_tenant_id,
    current_tenant_id_or_none,
    tenant_scope,
    unscoped,
)

__all__ = [
    "CrossTenantWrite",
    "TenantNotSet",
    "current_tenant_id",
    "current_tenant_id_or_none",
    "tenant_scope",
    "unscoped",
]
