"""Staff penalties: the correction loop (STF-11). The catalog, repeats, ladders and flags are policy
settings and ledger entries; only correction orders need a table.

Revision ID: 0021_stf_penalties
Revises: 0020_cmp_reports
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

from core.db import UTCDateTime
from core.tenancy import rls

revision = '0021_stf_penalties'
down_revision = "0020_cmp_reports"
branch_labels = None
depends_on = None


TABLES = ["staff_corrections"]


def upgrade():
    op.create_table('staff_corrections',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('entry_id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('offence', sa.String(length=80), nullable=False),
    sa.Column('ordered_at', UTCDateTime(), nullable=False),
    sa.Column('ordered_by', sa.BigInteger(), nullable=True),
    sa.Column('within', sa.String(length=40), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('repeats', sa.Integer(), nullable=False),
    sa.Column('next_check_at', UTCDateTime(), nullable=True),
    sa.Column('corrected_at', UTCDateTime(), nullable=True),
    sa.Column('corrected_by', sa.BigInteger(), nullable=True),
    sa.Column('policy_version', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('decision_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'entry_id'], ['staff_entries.tenant_id', 'staff_entries.id'], name=op.f('fk_staff_corrections_tenant_id_entry_id_staff_entries')),
    sa.ForeignKeyConstraint(['tenant_id', 'user_id'], ['users.tenant_id', 'users.id'], name=op.f('fk_staff_corrections_tenant_id_user_id_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_staff_corrections_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_staff_corrections')),
    sa.UniqueConstraint('tenant_id', 'entry_id', name=op.f('uq_staff_corrections_tenant_id_entry_id'))
    )
    op.create_index('ix_staff_corrections_due', 'staff_corrections', ['tenant_id', 'state', 'next_check_at'], unique=False)
    rls.grant_app_role(op)
    for table in TABLES:
        rls.enable_rls(op, table)


def downgrade():
    for table in reversed(TABLES):
        rls.disable_rls(op, table)
    op.drop_index('ix_staff_corrections_due', table_name='staff_corrections')
    op.drop_table('staff_corrections')
