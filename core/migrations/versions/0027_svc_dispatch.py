"""SVC-04..08: technicians, dispatches, checklists, work logs, delay notices

Revision ID: 0027_svc_dispatch
Revises: 0026_svc_orders
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

from core.db import JSONType, UTCDateTime
from core.tenancy import rls

revision = "0027_svc_dispatch"
down_revision = "0026_svc_orders"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('service_technicians',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('skills', JSONType, nullable=False),
    sa.Column('areas', JSONType, nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('updated_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'user_id'], ['users.tenant_id', 'users.id'], name=op.f('fk_service_technicians_tenant_id_user_id_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_service_technicians_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_service_technicians')),
    sa.UniqueConstraint('tenant_id', 'user_id', name=op.f('uq_service_technicians_tenant_id_user_id'))
    )
    op.create_table('work_order_delay_notices',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('order_id', sa.BigInteger(), nullable=False),
    sa.Column('milestone', sa.String(length=80), nullable=False),
    sa.Column('milestone_id', sa.BigInteger(), nullable=False),
    sa.Column('due_at', UTCDateTime(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('proposed_due', UTCDateTime(), nullable=False),
    sa.Column('filed_by', sa.BigInteger(), nullable=True),
    sa.Column('filed_at', UTCDateTime(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('decided_by', sa.BigInteger(), nullable=True),
    sa.Column('decided_at', UTCDateTime(), nullable=True),
    sa.Column('new_due_at', UTCDateTime(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.Column('decision_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'milestone_id'], ['sla_milestones.tenant_id', 'sla_milestones.id'], name=op.f('fk_work_order_delay_notices_tenant_id_milestone_id_sla_milestones')),
    sa.ForeignKeyConstraint(['tenant_id', 'order_id'], ['work_orders.tenant_id', 'work_orders.id'], name=op.f('fk_work_order_delay_notices_tenant_id_order_id_work_orders')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_work_order_delay_notices_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_work_order_delay_notices'))
    )
    with op.batch_alter_table('work_order_delay_notices', schema=None) as batch_op:
        batch_op.create_index('ix_work_order_delay_notices_order', ['tenant_id', 'order_id', 'filed_at'], unique=False)
        batch_op.create_index('ix_work_order_delay_notices_state', ['tenant_id', 'state', 'filed_at'], unique=False)

    op.create_table('work_order_dispatches',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('order_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('assignee_id', sa.BigInteger(), nullable=True),
    sa.Column('partner_name', sa.String(length=200), nullable=True),
    sa.Column('dispatched_by', sa.BigInteger(), nullable=True),
    sa.Column('dispatched_at', UTCDateTime(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('ineligible', JSONType, nullable=False),
    sa.Column('override_reason', sa.Text(), nullable=True),
    sa.Column('approval_needed', sa.String(length=20), nullable=True),
    sa.Column('approval_role', sa.String(length=40), nullable=True),
    sa.Column('approval_by', sa.BigInteger(), nullable=True),
    sa.Column('approval_at', UTCDateTime(), nullable=True),
    sa.Column('approval_verbal', sa.Boolean(), nullable=False),
    sa.Column('emergency', sa.Boolean(), nullable=False),
    sa.Column('approval_recorded_by', sa.BigInteger(), nullable=True),
    sa.Column('approval_recorded_at', UTCDateTime(), nullable=True),
    sa.Column('ended_at', UTCDateTime(), nullable=True),
    sa.Column('ended_by', sa.BigInteger(), nullable=True),
    sa.Column('end_reason', sa.String(length=30), nullable=True),
    sa.Column('decision_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'assignee_id'], ['users.tenant_id', 'users.id'], name=op.f('fk_work_order_dispatches_tenant_id_assignee_id_users')),
    sa.ForeignKeyConstraint(['tenant_id', 'order_id'], ['work_orders.tenant_id', 'work_orders.id'], name=op.f('fk_work_order_dispatches_tenant_id_order_id_work_orders')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_work_order_dispatches_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_work_order_dispatches'))
    )
    with op.batch_alter_table('work_order_dispatches', schema=None) as batch_op:
        batch_op.create_index('ix_work_order_dispatches_approval', ['tenant_id', 'approval_needed', 'approval_at'], unique=False)
        batch_op.create_index('ix_work_order_dispatches_open', ['tenant_id', 'order_id'], unique=True, postgresql_where=sa.text('ended_at IS NULL'), sqlite_where=sa.text('ended_at IS NULL'))
        batch_op.create_index('ix_work_order_dispatches_order', ['tenant_id', 'order_id', 'dispatched_at'], unique=False)

    op.create_table('work_order_checklists',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('order_id', sa.BigInteger(), nullable=False),
    sa.Column('dispatch_id', sa.BigInteger(), nullable=True),
    sa.Column('items', JSONType, nullable=False),
    sa.Column('required_items', JSONType, nullable=False),
    sa.Column('missing', JSONType, nullable=False),
    sa.Column('complete', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('by', sa.BigInteger(), nullable=True),
    sa.Column('at', UTCDateTime(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'dispatch_id'], ['work_order_dispatches.tenant_id', 'work_order_dispatches.id'], name=op.f('fk_work_order_checklists_tenant_id_dispatch_id_work_order_dispatches')),
    sa.ForeignKeyConstraint(['tenant_id', 'order_id'], ['work_orders.tenant_id', 'work_orders.id'], name=op.f('fk_work_order_checklists_tenant_id_order_id_work_orders')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_work_order_checklists_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_work_order_checklists'))
    )
    with op.batch_alter_table('work_order_checklists', schema=None) as batch_op:
        batch_op.create_index('ix_work_order_checklists_order', ['tenant_id', 'order_id', 'at'], unique=False)

    op.create_table('work_order_work_logs',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('order_id', sa.BigInteger(), nullable=False),
    sa.Column('dispatch_id', sa.BigInteger(), nullable=True),
    sa.Column('started_at', UTCDateTime(), nullable=False),
    sa.Column('ended_at', UTCDateTime(), nullable=False),
    sa.Column('work_done', sa.Text(), nullable=False),
    sa.Column('parts_used', JSONType, nullable=False),
    sa.Column('by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'dispatch_id'], ['work_order_dispatches.tenant_id', 'work_order_dispatches.id'], name=op.f('fk_work_order_work_logs_tenant_id_dispatch_id_work_order_dispatches')),
    sa.ForeignKeyConstraint(['tenant_id', 'order_id'], ['work_orders.tenant_id', 'work_orders.id'], name=op.f('fk_work_order_work_logs_tenant_id_order_id_work_orders')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_work_order_work_logs_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_work_order_work_logs'))
    )
    with op.batch_alter_table('work_order_work_logs', schema=None) as batch_op:
        batch_op.create_index('ix_work_order_work_logs_order', ['tenant_id', 'order_id', 'started_at'], unique=False)
    rls.grant_app_role(op)
    rls.enable_rls(op, "service_technicians")
    rls.enable_rls(op, "work_order_delay_notices")
    rls.enable_rls(op, "work_order_dispatches")
    rls.enable_rls(op, "work_order_checklists")
    rls.enable_rls(op, "work_order_work_logs")


def downgrade():
    rls.disable_rls(op, "work_order_work_logs")
    rls.disable_rls(op, "work_order_checklists")
    rls.disable_rls(op, "work_order_dispatches")
    rls.disable_rls(op, "work_order_delay_notices")
    rls.disable_rls(op, "service_technicians")
    with op.batch_alter_table('work_order_work_logs', schema=None) as batch_op:
        batch_op.drop_index('ix_work_order_work_logs_order')

    op.drop_table('work_order_work_logs')
    with op.batch_alter_table('work_order_checklists', schema=None) as batch_op:
        batch_op.drop_index('ix_work_order_checklists_order')

    op.drop_table('work_order_checklists')
    with op.batch_alter_table('work_order_dispatches', schema=None) as batch_op:
        batch_op.drop_index('ix_work_order_dispatches_order')
        batch_op.drop_index('ix_work_order_dispatches_open', postgresql_where=sa.text('ended_at IS NULL'), sqlite_where=sa.text('ended_at IS NULL'))
        batch_op.drop_index('ix_work_order_dispatches_approval')

    op.drop_table('work_order_dispatches')
    with op.batch_alter_table('work_order_delay_notices', schema=None) as batch_op:
        batch_op.drop_index('ix_work_order_delay_notices_state')
        batch_op.drop_index('ix_work_order_delay_notices_order')

    op.drop_table('work_order_delay_notices')
    op.drop_table('service_technicians')
