"""Service work orders (SVC-01..08): the orders and their history.

Revision ID: 0026_svc_orders
Revises: 0025_stf_deduction
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

from core.db import JSONType, UTCDateTime
from core.tenancy import rls

revision = "0026_svc_orders"
down_revision = "0025_stf_deduction"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('work_orders',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('number', sa.String(length=30), nullable=False),
    sa.Column('type', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('held_from', sa.String(length=30), nullable=True),
    sa.Column('hold_reason', sa.String(length=40), nullable=True),
    sa.Column('priority', sa.String(length=40), nullable=False),
    sa.Column('channel', sa.String(length=30), nullable=True),
    sa.Column('customer_id', sa.BigInteger(), nullable=True),
    sa.Column('customer_name', sa.String(length=200), nullable=True),
    sa.Column('address', sa.String(length=500), nullable=True),
    sa.Column('contact_name', sa.String(length=100), nullable=True),
    sa.Column('contact_phone', sa.String(length=40), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('data', JSONType, nullable=False),
    sa.Column('area', sa.String(length=100), nullable=True),
    sa.Column('skill', sa.String(length=60), nullable=True),
    sa.Column('requested_at', UTCDateTime(), nullable=False),
    sa.Column('requested_by', sa.BigInteger(), nullable=True),
    sa.Column('department_id', sa.BigInteger(), nullable=True),
    sa.Column('complaint_id', sa.BigInteger(), nullable=True),
    sa.Column('parent_id', sa.BigInteger(), nullable=True),
    sa.Column('source_type', sa.String(length=30), nullable=True),
    sa.Column('source_id', sa.BigInteger(), nullable=True),
    sa.Column('approval_roles', JSONType, nullable=False),
    sa.Column('approved_by', sa.BigInteger(), nullable=True),
    sa.Column('approved_at', UTCDateTime(), nullable=True),
    sa.Column('assignee_id', sa.BigInteger(), nullable=True),
    sa.Column('partner_name', sa.String(length=200), nullable=True),
    sa.Column('dispatched_at', UTCDateTime(), nullable=True),
    sa.Column('dispatched_by', sa.BigInteger(), nullable=True),
    sa.Column('eta_at', UTCDateTime(), nullable=True),
    sa.Column('on_site_at', UTCDateTime(), nullable=True),
    sa.Column('completed_at', UTCDateTime(), nullable=True),
    sa.Column('recorded_at', UTCDateTime(), nullable=True),
    sa.Column('closed_at', UTCDateTime(), nullable=True),
    sa.Column('cancelled_at', UTCDateTime(), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.Column('rework_count', sa.Integer(), nullable=False),
    sa.Column('policy_version', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'assignee_id'], ['users.tenant_id', 'users.id'], name=op.f('fk_work_orders_tenant_id_assignee_id_users')),
    sa.ForeignKeyConstraint(['tenant_id', 'complaint_id'], ['complaints.tenant_id', 'complaints.id'], name=op.f('fk_work_orders_tenant_id_complaint_id_complaints')),
    sa.ForeignKeyConstraint(['tenant_id', 'customer_id'], ['customers.tenant_id', 'customers.id'], name=op.f('fk_work_orders_tenant_id_customer_id_customers')),
    sa.ForeignKeyConstraint(['tenant_id', 'department_id'], ['departments.tenant_id', 'departments.id'], name=op.f('fk_work_orders_tenant_id_department_id_departments')),
    sa.ForeignKeyConstraint(['tenant_id', 'parent_id'], ['work_orders.tenant_id', 'work_orders.id'], name=op.f('fk_work_orders_tenant_id_parent_id_work_orders')),
    sa.ForeignKeyConstraint(['tenant_id', 'requested_by'], ['users.tenant_id', 'users.id'], name=op.f('fk_work_orders_tenant_id_requested_by_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_work_orders_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_work_orders')),
    sa.UniqueConstraint('tenant_id', 'number', name=op.f('uq_work_orders_tenant_id_number'))
    )
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.create_index('ix_work_orders_assignee', ['tenant_id', 'assignee_id', 'status'], unique=False)
        batch_op.create_index('ix_work_orders_customer', ['tenant_id', 'customer_id', 'requested_at'], unique=False)
        batch_op.create_index('ix_work_orders_status', ['tenant_id', 'status', 'requested_at'], unique=False)
        batch_op.create_index('ix_work_orders_type', ['tenant_id', 'type', 'requested_at'], unique=False)

    op.create_table('work_order_events',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('order_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('from_state', sa.String(length=30), nullable=True),
    sa.Column('to_state', sa.String(length=30), nullable=True),
    sa.Column('at', UTCDateTime(), nullable=False),
    sa.Column('by', sa.BigInteger(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('data', JSONType, nullable=False),
    sa.Column('decision_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id', 'order_id'], ['work_orders.tenant_id', 'work_orders.id'], name=op.f('fk_work_order_events_tenant_id_order_id_work_orders')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_work_order_events_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_work_order_events'))
    )
    with op.batch_alter_table('work_order_events', schema=None) as batch_op:
        batch_op.create_index('ix_work_order_events_order', ['tenant_id', 'order_id', 'at'], unique=False)
    rls.grant_app_role(op)
    rls.enable_rls(op, "work_orders")
    rls.enable_rls(op, "work_order_events")


def downgrade():
    rls.disable_rls(op, "work_order_events")
    rls.disable_rls(op, "work_orders")
    with op.batch_alter_table('work_order_events', schema=None) as batch_op:
        batch_op.drop_index('ix_work_order_events_order')

    op.drop_table('work_order_events')
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.drop_index('ix_work_orders_type')
        batch_op.drop_index('ix_work_orders_status')
        batch_op.drop_index('ix_work_orders_customer')
        batch_op.drop_index('ix_work_orders_assignee')

    op.drop_table('work_orders')
