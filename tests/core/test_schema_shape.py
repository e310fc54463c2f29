"""Every primary key, unique constraint and foreign key of a tenant table includes tenant_id (what
Citus needs to distribute by tenant). Read from the migrated database, not from the models."""
from sqlalchemy import inspect

from core.db import PLATFORM_TABLES

NOT_TENANT_TABLES = PLATFORM_TABLES | {"alembic_version"}


def test_tenant_tables_are_keyed_by_tenant(ctx, owner_engine):
    inspector = inspect(owner_engine)
    tables = [t for t in inspector.get_table_names() if t not in NOT_TENANT_TABLES]
    assert {"users", "user_roles", "api_tokens", "policy_documents", "decisions", "audit_log"} <= set(tables)
    problems = []
    for table in tables:
        columns = {c["name"] for c in inspector.get_columns(table)}
        if "tenant_id" not in columns:
            problems.append(f"{table}: no tenant_id column (add it, or list it as a platform table)")
            continue
        pk = inspector.get_pk_constraint(table)["constrained_columns"]
        if pk[:1] != ["tenant_id"]:
            problems.append(f"{table}: primary key {pk} does not start with tenant_id")
        for unique in inspector.get_unique_constraints(table):
            if "tenant_id" not in unique["column_names"]:
                problems.append(f"{table}: unique {unique['column_names']} lacks tenant_id")
        for index in inspector.get_indexes(table):
            if index.get("unique") and "tenant_id" not in index["column_names"]:
                problems.append(f"{table}: unique index {index['column_names']} lacks tenant_id")
        for fk in inspector.get_foreign_keys(table):
            if fk["referred_table"] == "tenants":
                continue
            if "tenant_id" not in fk["constrained_columns"] or "tenant_id" not in fk["referred_columns"]:
                problems.append(f"{table}: foreign key {fk['constrained_columns']} -> {fk['referred_table']} lacks tenant_id")
    assert problems == []


def test_models_match_the_migrations(ctx, owner_engine):
    """`kehu db upgrade` gives exactly the schema of the models (no forgotten migration)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from core.db import db

    with owner_engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
    diff = [d for d in diff if not (isinstance(d, tuple) and d[0] == "remove_table" and d[1].name in NOT_TENANT_TABLES)]
    assert diff == []
