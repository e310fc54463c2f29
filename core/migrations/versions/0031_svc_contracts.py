"""Service contracts, periods and serial numbers, renewals, expiry reminders (SVC-20..22)

Revision ID: 0031_svc_contracts
Revises: 0030_svc_fees
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

from core.db import JSONType, UTCDateTime
from core.tenancy import rls

revision = "0031_svc_contracts"
down_revision = "0030_svc_fees"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('service_contracts',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('customer_id', sa.BigInteger(), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('reference', sa.String(length=60), nullable=True),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('installed_on', sa.Date(), nullable=True),
    sa.Column('term', sa.String(length=30), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('period_basis', sa.String(length=20), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('installation_order_id', sa.BigInteger(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('policy_version', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.BigInteger(), nullable=True),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'created_by'], ['users.tenant_id', 'users.id'], name=op.f('fk_service_contracts_tenant_id_created_by_users')),
    sa.ForeignKeyConstraint(['tenant_id', 'customer_id'], ['customers.tenant_id', 'customers.id'], name=op.f('fk_service_contracts_tenant_id_customer_id_customers')),
    sa.ForeignKeyConstraint(['tenant_id', 'installation_order_id'], ['work_orders.tenant_id', 'work_orders.id'], name=op.f('fk_service_contracts_tenant_id_installation_order_id_work_orders')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_service_contracts_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_service_contracts'))
    )
    with op.batch_alter_table('service_contracts', schema=None) as batch_op:
        batch_op.create_index('ix_service_contracts_customer', ['tenant_id', 'customer_id'], unique=False)
        batch_op.create_index('ix_service_contracts_order', ['tenant_id', 'installation_order_id'], unique=False)
        batch_op.create_index('ix_service_contracts_state', ['tenant_id', 'state', 'ends_on'], unique=False)

    op.create_table('service_periods',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('contract_id', sa.BigInteger(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('serial', sa.String(length=64), nullable=True),
    sa.Column('serial_source', sa.String(length=20), nullable=True),
    sa.Column('serial_issued_on', sa.Date(), nullable=True),
    sa.Column('decision_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'contract_id'], ['service_contracts.tenant_id', 'service_contracts.id'], name=op.f('fk_service_periods_tenant_id_contract_id_service_contracts')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_service_periods_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_service_periods')),
    sa.UniqueConstraint('tenant_id', 'contract_id', 'seq', name=op.f('uq_service_periods_tenant_id_contract_id_seq')),
    sa.UniqueConstraint('tenant_id', 'serial', name=op.f('uq_service_periods_tenant_id_serial'))
    )
    with op.batch_alter_table('service_periods', schema=None) as batch_op:
        batch_op.create_index('ix_service_periods_ends', ['tenant_id', 'ends_on'], unique=False)

    op.create_table('service_contract_reminders',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('contract_id', sa.BigInteger(), nullable=False),
    sa.Column('period_id', sa.BigInteger(), nullable=False),
    sa.Column('customer_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('assignee_id', sa.BigInteger(), nullable=True),
    sa.Column('notice', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('responded_at', UTCDateTime(), nullable=True),
    sa.Column('responded_by', sa.BigInteger(), nullable=True),
    sa.Column('responses', JSONType, nullable=False),
    sa.Column('policy_version', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'assignee_id'], ['users.tenant_id', 'users.id'], name=op.f('fk_service_contract_reminders_tenant_id_assignee_id_users')),
    sa.ForeignKeyConstraint(['tenant_id', 'contract_id'], ['service_contracts.tenant_id', 'service_contracts.id'], name=op.f('fk_service_contract_reminders_tenant_id_contract_id_service_contracts')),
    sa.ForeignKeyConstraint(['tenant_id', 'customer_id'], ['customers.tenant_id', 'customers.id'], name=op.f('fk_service_contract_reminders_tenant_id_customer_id_customers')),
    sa.ForeignKeyConstraint(['tenant_id', 'period_id'], ['service_periods.tenant_id', 'service_periods.id'], name=op.f('fk_service_contract_reminders_tenant_id_period_id_service_periods')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_service_contract_reminders_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_service_contract_reminders')),
    sa.UniqueConstraint('tenant_id', 'period_id', name=op.f('uq_service_contract_reminders_tenant_id_period_id'))
    )
    with op.batch_alter_table('service_contract_reminders', schema=None) as batch_op:
        batch_op.create_index('ix_service_contract_reminders_assignee', ['tenant_id', 'assignee_id', 'state'], unique=False)
        batch_op.create_index('ix_service_contract_reminders_contract', ['tenant_id', 'contract_id'], unique=False)
        batch_op.create_index('ix_service_contract_reminders_due', ['tenant_id', 'state', 'due_on'], unique=False)

    op.create_table('service_renewals',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('contract_id', sa.BigInteger(), nullable=False),
    sa.Column('period_id', sa.BigInteger(), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('term', sa.String(length=30), nullable=False),
    sa.Column('pay_within', sa.String(length=30), nullable=False),
    sa.Column('pay_due_on', sa.Date(), nullable=False),
    sa.Column('pay_due_at', UTCDateTime(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('paid_amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('receipt_no', sa.String(length=60), nullable=True),
    sa.Column('paid_late', sa.Boolean(), nullable=False),
    sa.Column('payment_recorded_by', sa.BigInteger(), nullable=True),
    sa.Column('payment_recorded_at', UTCDateTime(), nullable=True),
    sa.Column('new_period_id', sa.BigInteger(), nullable=True),
    sa.Column('alerted_at', UTCDateTime(), nullable=True),
    sa.Column('alert_decision_id', sa.BigInteger(), nullable=True),
    sa.Column('cancelled_at', UTCDateTime(), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('decision_id', sa.BigInteger(), nullable=True),
    sa.Column('payment_decision_id', sa.BigInteger(), nullable=True),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'contract_id'], ['service_contracts.tenant_id', 'service_contracts.id'], name=op.f('fk_service_renewals_tenant_id_contract_id_service_contracts')),
    sa.ForeignKeyConstraint(['tenant_id', 'created_by'], ['users.tenant_id', 'users.id'], name=op.f('fk_service_renewals_tenant_id_created_by_users')),
    sa.ForeignKeyConstraint(['tenant_id', 'new_period_id'], ['service_periods.tenant_id', 'service_periods.id'], name=op.f('fk_service_renewals_tenant_id_new_period_id_service_periods')),
    sa.ForeignKeyConstraint(['tenant_id', 'period_id'], ['service_periods.tenant_id', 'service_periods.id'], name=op.f('fk_service_renewals_tenant_id_period_id_service_periods')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_service_renewals_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_service_renewals'))
    )
    with op.batch_alter_table('service_renewals', schema=None) as batch_op:
        batch_op.create_index('ix_service_renewals_contract', ['tenant_id', 'contract_id'], unique=False)
        batch_op.create_index('ix_service_renewals_due', ['tenant_id', 'state', 'pay_due_at'], unique=False)
    rls.grant_app_role(op)
    rls.enable_rls(op, "service_contracts")
    rls.enable_rls(op, "service_periods")
    rls.enable_rls(op, "service_contract_reminders")
    rls.enable_rls(op, "service_renewals")


def downgrade():
    rls.disable_rls(op, "service_renewals")
    rls.disable_rls(op, "service_contract_reminders")
    rls.disable_rls(op, "service_periods")
    rls.disable_rls(op, "service_contracts")
    with op.batch_alter_table('service_renewals', schema=None) as batch_op:
        batch_op.drop_index('ix_service_renewals_due')
        batch_op.drop_index('ix_service_renewals_contract')

    op.drop_table('service_renewals')
    with op.batch_alter_table('service_contract_reminders', schema=None) as batch_op:
        batch_op.drop_index('ix_service_contract_reminders_due')
        batch_op.drop_index('ix_service_contract_reminders_contract')
        batch_op.drop_index('ix_service_contract_reminders_assignee')

    op.drop_table('service_contract_reminders')
    with op.batch_alter_table('service_periods', schema=None) as batch_op:
        batch_op.drop_index('ix_service_periods_ends')

    op.drop_table('service_periods')
    with op.batch_alter_table('service_contracts', schema=None) as batch_op:
        batch_op.drop_index('ix_service_contracts_state')
        batch_op.drop_index('ix_service_contracts_order')
        batch_op.drop_index('ix_service_contracts_customer')

    op.drop_table('service_contracts')
