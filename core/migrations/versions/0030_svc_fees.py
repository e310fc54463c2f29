"""Service fees collected in the field (SVC-15) and service report packs (SVC-40)

Revision ID: 0030_svc_fees
Revises: 0029_svc_aftercare
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

from core.db import JSONType, UTCDateTime
from core.tenancy import rls

revision = "0030_svc_fees"
down_revision = "0029_svc_aftercare"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('service_report_packs',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('period_key', sa.String(length=40), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('period_start', UTCDateTime(), nullable=False),
    sa.Column('period_end', UTCDateTime(), nullable=False),
    sa.Column('as_of', UTCDateTime(), nullable=False),
    sa.Column('built_at', UTCDateTime(), nullable=False),
    sa.Column('job_id', sa.BigInteger(), nullable=True),
    sa.Column('policy_version', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.BigInteger(), nullable=True),
    sa.Column('summary', JSONType, nullable=False),
    sa.Column('data', JSONType, nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_service_report_packs_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_service_report_packs')),
    sa.UniqueConstraint('tenant_id', 'kind', 'period_key', name=op.f('uq_service_report_packs_tenant_id_kind_period_key'))
    )
    with op.batch_alter_table('service_report_packs', schema=None) as batch_op:
        batch_op.create_index('ix_service_report_packs_kind', ['tenant_id', 'kind', 'first_day'], unique=False)

    op.create_table('service_fees',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('order_id', sa.BigInteger(), nullable=False),
    sa.Column('amount_parts', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('amount_labour', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('receipt_no', sa.String(length=60), nullable=False),
    sa.Column('collected_at', UTCDateTime(), nullable=False),
    sa.Column('collector_id', sa.BigInteger(), nullable=False),
    sa.Column('recorded_by', sa.BigInteger(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('in_warranty', sa.Boolean(), nullable=False),
    sa.Column('warranty_until', sa.Date(), nullable=True),
    sa.Column('remit_due_at', UTCDateTime(), nullable=False),
    sa.Column('remit_due_on', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('remitted_at', UTCDateTime(), nullable=True),
    sa.Column('remitted_by', sa.BigInteger(), nullable=True),
    sa.Column('remit_note', sa.Text(), nullable=True),
    sa.Column('voided_at', UTCDateTime(), nullable=True),
    sa.Column('voided_by', sa.BigInteger(), nullable=True),
    sa.Column('void_reason', sa.Text(), nullable=True),
    sa.Column('reminders', sa.Integer(), nullable=False),
    sa.Column('last_reminded_on', sa.Date(), nullable=True),
    sa.Column('policy_version', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'collector_id'], ['users.tenant_id', 'users.id'], name=op.f('fk_service_fees_tenant_id_collector_id_users')),
    sa.ForeignKeyConstraint(['tenant_id', 'order_id'], ['work_orders.tenant_id', 'work_orders.id'], name=op.f('fk_service_fees_tenant_id_order_id_work_orders')),
    sa.ForeignKeyConstraint(['tenant_id', 'recorded_by'], ['users.tenant_id', 'users.id'], name=op.f('fk_service_fees_tenant_id_recorded_by_users')),
    sa.ForeignKeyConstraint(['tenant_id', 'remitted_by'], ['users.tenant_id', 'users.id'], name=op.f('fk_service_fees_tenant_id_remitted_by_users')),
    sa.ForeignKeyConstraint(['tenant_id', 'voided_by'], ['users.tenant_id', 'users.id'], name=op.f('fk_service_fees_tenant_id_voided_by_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_service_fees_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_service_fees'))
    )
    with op.batch_alter_table('service_fees', schema=None) as batch_op:
        batch_op.create_index('ix_service_fees_collected', ['tenant_id', 'collected_at'], unique=False)
        batch_op.create_index('ix_service_fees_collector', ['tenant_id', 'collector_id', 'state'], unique=False)
        batch_op.create_index('ix_service_fees_order', ['tenant_id', 'order_id'], unique=False)
        batch_op.create_index('ix_service_fees_receipt', ['tenant_id', 'receipt_no'], unique=False)
        batch_op.create_index('ix_service_fees_state_due', ['tenant_id', 'state', 'remit_due_at'], unique=False)
    rls.grant_app_role(op)
    rls.enable_rls(op, "service_report_packs")
    rls.enable_rls(op, "service_fees")


def downgrade():
    rls.disable_rls(op, "service_fees")
    rls.disable_rls(op, "service_report_packs")
    with op.batch_alter_table('service_fees', schema=None) as batch_op:
        batch_op.drop_index('ix_service_fees_state_due')
        batch_op.drop_index('ix_service_fees_receipt')
        batch_op.drop_index('ix_service_fees_order')
        batch_op.drop_index('ix_service_fees_collector')
        batch_op.drop_index('ix_service_fees_collected')

    op.drop_table('service_fees')
    with op.batch_alter_table('service_report_packs', schema=None) as batch_op:
        batch_op.drop_index('ix_service_report_packs_kind')

    op.drop_table('service_report_packs')
