"""Which tenants have timers due: a function that answers with tenant ids only (workers.due).

The fan-out runs the every-minute timer sweeps (``cmp.sla_timers``, ``cmp.major_watch``) only for the
tenants with a timer due. It runs as the application role under row-level security, so it cannot read
other tenants' rows; this SECURITY DEFINER function (owned by the migrating role) answers "which
tenants have a row of sla_milestones / complaint_major_tracks with next_check_at at or before <at>?"
with (source, tenant id) pairs and nothing else. Partial indexes on next_check_at make it one index
range scan per source, whatever the number of tenants.

Revision ID: 0024_due_timers_fn
Revises: 0023_stf_credit
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

from core.tenancy.rls import APP_ROLE

revision = "0024_due_timers_fn"
down_revision = "0023_stf_credit"
branch_labels = None
depends_on = None

FUNCTION = "kehu_tenants_with_due_timers(timestamptz)"


def upgrade():
    due = sa.text("next_check_at IS NOT NULL")
    op.create_index("ix_sla_milestones_due", "sla_milestones", ["next_check_at"], postgresql_where=due,
                    sqlite_where=due)
    op.create_index("ix_complaint_major_tracks_due", "complaint_major_tracks", ["next_check_at"],
                    postgresql_where=due, sqlite_where=due)
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("""
        CREATE FUNCTION kehu_tenants_with_due_timers(at timestamptz) RETURNS TABLE(source text, tenant_id bigint)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
          SELECT DISTINCT 'sla'::text, m.tenant_id FROM sla_milestones m
           WHERE m.next_check_at IS NOT NULL AND m.next_check_at <= at
          UNION ALL
          SELECT DISTINCT 'major'::text, t.tenant_id FROM complaint_major_tracks t
           WHERE t.next_check_at IS NOT NULL AND t.next_check_at <= at
        $$""")
    op.execute(f"REVOKE ALL ON FUNCTION {FUNCTION} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {FUNCTION} TO {APP_ROLE}")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}")
    op.drop_index("ix_complaint_major_tracks_due", table_name="complaint_major_tracks")
    op.drop_index("ix_sla_milestones_due", table_name="sla_milestones")
