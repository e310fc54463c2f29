"""Which tenants have jobs that may be lost: a function that answers with tenant ids only.

The recovery sweep runs for the platform, as the application role, under row-level security: it
cannot read other tenants' job rows, and should not. This SECURITY DEFINER function (owned by the
migrating role) answers one question across tenants, "which tenants have a job queued, retrying
or started since before <interval> ago?", with tenant ids and nothing else; the sweep then enters
each of those tenants' scope to look at their jobs.

Revision ID: 0003_core_stale_jobs_fn
Revises: 0002_core_jobs
Create Date: 2026-12-01
"""
from alembic import op

from core.tenancy.rls import APP_ROLE

revision = "0003_core_stale_jobs_fn"
down_revision = "0002_core_jobs"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("""
        CREATE FUNCTION kehu_tenants_with_stale_jobs(older_than interval) RETURNS SETOF bigint
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
          SELECT DISTINCT tenant_id FROM jobs
          WHERE status IN ('queued', 'retrying', 'started')
            AND coalesce(started_at, enqueued_at) < now() - older_than
        $$""")
    op.execute("REVOKE ALL ON FUNCTION kehu_tenants_with_stale_jobs(interval) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION kehu_tenants_with_stale_jobs(interval) TO {APP_ROLE}")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS kehu_tenants_with_stale_jobs(interval)")
