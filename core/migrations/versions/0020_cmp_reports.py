"""Complaint report packs (CMP-80, CMP-81): the stored monthly statistics, weekly reports, half-year
reviews and daily digests, one per tenant, kind and period.

Revision ID: 0020_cmp_reports
Revises: 0019_cmp_aftercare
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

from core.db import JSONType, UTCDateTime
from core.tenancy import rls

revision = '0020_cmp_reports'
down_revision = "0019_cmp_aftercare"
branch_labels = None
depends_on = None


TABLES = ["complaint_report_packs"]


def upgrade():
    op.create_table('complaint_report_packs',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('period_key', sa.String(length=40), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('basis', sa.String(length=20), nullable=False),
    sa.Column('period_start', UTCDateTime(), nullable=False),
    sa.Column('period_end', UTCDateTime(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('as_of', UTCDateTime(), nullable=False),
    sa.Column('built_at', UTCDateTime(), nullable=False),
    sa.Column('job_id', sa.BigInteger(), nullable=True),
    sa.Column('policy_version', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.BigInteger(), nullable=True),
    sa.Column('summary', JSONType, nullable=False),
    sa.Column('data', JSONType, nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_complaint_report_packs_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_complaint_report_packs')),
    sa.UniqueConstraint('tenant_id', 'kind', 'period_key', name=op.f('uq_complaint_report_packs_tenant_id_kind_period_key'))
    )
    op.create_index('ix_complaint_report_packs_kind', 'complaint_report_packs', ['tenant_id', 'kind', 'first_day'],
                    unique=False)
    rls.grant_app_role(op)
    for table in TABLES:
        rls.enable_rls(op, table)


def downgrade():
    for table in reversed(TABLES):
        rls.disable_rls(op, table)
    op.drop_index('ix_complaint_report_packs_kind', table_name='complaint_report_packs')
    op.drop_table('complaint_report_packs')
