"""PostgreSQL row-level security and the application role, for use inside migrations.

The app acts as ``kehu_app`` (``SET ROLE`` on connect), a role that owns no table: the policies below
then apply to every statement it runs, raw SQL included. The tenant comes from the transaction-local
setting ``kehu.tenant_id``; with none set, a tenant table shows no rows and accepts no writes.
"""
from __future__ import annotations

APP_ROLE = "kehu_app"
TENANT_EXPRESSION = "tenant_id = NULLIF(current_setting('kehu.tenant_id', true), '')::bigint"


def _pg(op) -> bool:
    return op.get_bind().dialect.name == "postgresql"


def create_app_role(op) -> None:
    if not _pg(op):
        return
    op.execute(f"""
        DO $$ BEGIN
          IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
            CREATE ROLE {APP_ROLE} NOLOGIN;
          END IF;
        END $$""")
    op.execute(f"GRANT {APP_ROLE} TO CURRENT_USER")
    op.execute(f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}")
    # tables and sequences the migrating role creates later (plugins) get the same data rights
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {APP_ROLE}")
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {APP_ROLE}")


def grant_app_role(op) -> None:
    """Data rights (never DDL or ownership) on every table and sequence; run after creating tables."""
    if not _pg(op):
        return
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {APP_ROLE}")
    op.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE}")


def enable_rls(op, table: str) -> None:
    if not _pg(op):
        return
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY tenant_isolation ON {table} USING ({TENANT_EXPRESSION}) WITH CHECK ({TENANT_EXPRESSION})"
    )


def disable_rls(op, table: str) -> None:
    if not _pg(op):
        return
    op.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {table}")
    op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
