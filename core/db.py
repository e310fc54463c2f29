"""Database foundation: the SQLAlchemy handle, column types and the tenant-keyed mixins.

Every tenant-owned table uses :class:`TenantOwned` (``tenant_id`` first in the primary key) and
usually :class:`TenantScoped` (adds a globally unique ``id``). Primary keys, unique constraints and
foreign keys of tenant tables always include ``tenant_id``: that is the shape a Citus cluster
distributes by tenant, and ``tests/core/test_schema_shape.py`` fails on any table that breaks it.

Ids come from one allocator shared by all tenant tables (a PostgreSQL sequence, or a counter row on
SQLite), so an id never repeats across tenants: an id of another tenant is simply "not found".
"""
from __future__ import annotations

import datetime as dt

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import BigInteger, DateTime, ForeignKey, MetaData, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
from sqlalchemy.types import JSON, TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)

JSONType = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator):
    """Aware datetimes stored in UTC; naive values are refused (every time is stored in UTC, spec §1)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; pass an aware datetime")
        value = value.astimezone(dt.timezone.utc)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


ID_SEQUENCE = "kehu_id_seq"
ID_COUNTER_TABLE = "kehu_id_counter"


def allocate_id(context) -> int:
    """Column default for ``id`` of tenant tables: the next value of the shared id allocator."""
    conn = context.connection
    if conn.dialect.name == "postgresql":
        return conn.execute(text(f"select nextval('{ID_SEQUENCE}')")).scalar_one()
    return conn.execute(
        text(f"update {ID_COUNTER_TABLE} set value = value + 1 returning value")
    ).scalar_one()


def allocate_ids(connection, count: int) -> list[int]:
    """``count`` ids of the shared allocator at once, for bulk inserts (imports)."""
    if count <= 0:
        return []
    if connection.dialect.name == "postgresql":
        return list(connection.execute(text(f"select nextval('{ID_SEQUENCE}') from generate_series(1, :n)"),
                                       {"n": count}).scalars())
    last = connection.execute(text(f"update {ID_COUNTER_TABLE} set value = value + :n returning value"),
                              {"n": count}).scalar_one()
    return list(range(last - count + 1, last + 1))


class TenantOwned:
    """Rows that belong to exactly one tenant. Queries are filtered by the current tenant and new rows
    are stamped with it (see ``core.tenancy.scoping``); PostgreSQL row-level security is the second wall."""

    __tenant_owned__ = True

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:
        return mapped_column(BigInteger, ForeignKey("tenants.id"), primary_key=True, sort_order=-100)


class TenantScoped(TenantOwned):
    """A tenant-owned entity with its own id: primary key ``(tenant_id, id)``."""

    @declared_attr
    def id(cls) -> Mapped[int]:
        return mapped_column(
            BigInteger, primary_key=True, autoincrement=False, default=allocate_id, sort_order=-99
        )


def is_tenant_owned(cls_or_table) -> bool:
    if hasattr(cls_or_table, "__tenant_owned__"):
        return True
    columns = getattr(cls_or_table, "columns", None)
    return columns is not None and "tenant_id" in columns and cls_or_table.name not in PLATFORM_TABLES


# Tables keyed by tenant but managed by the platform (no row-level security, no automatic scoping).
PLATFORM_TABLES = {"tenants", "tenant_plugins", "platform_admins", ID_COUNTER_TABLE}


def get_one(model, object_id: int, what: str, *, for_update: bool = False):
    """The current tenant's ``model`` row ``object_id``; :class:`core.errors.NotFound` ("<what> not found")
    when there is none. ``for_update``: the row is locked until the transaction ends and read afresh, so
    that two steps on it happen one after the other."""
    from sqlalchemy import select

    from core.errors import NotFound

    stmt = select(model).where(model.id == object_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    row = db.session.scalars(stmt).first()
    if row is None:
        raise NotFound(f"{what} not found")
    return row
