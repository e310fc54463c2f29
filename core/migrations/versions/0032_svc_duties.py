"""Recurring duties and inspection checklists (SVC-30..32): duties, their periods, checklist templates, checklists and items

Revision ID: 0032_svc_duties
Revises: 0031_svc_contracts
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

from core.db import JSONType, UTCDateTime
from core.tenancy import rls

revision = "0032_svc_duties"
down_revision = "0031_svc_contracts"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('service_checklist_templates',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('site', sa.String(length=200), nullable=True),
    sa.Column('items', JSONType, nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_service_checklist_templates_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_service_checklist_templates')),
    sa.UniqueConstraint('tenant_id', 'code', name=op.f('uq_service_checklist_templates_tenant_id_code'))
    )
    op.create_table('service_duties',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('site', sa.String(length=200), nullable=True),
    sa.Column('building', sa.String(length=200), nullable=True),
    sa.Column('asset_class', sa.String(length=100), nullable=True),
    sa.Column('customer_id', sa.BigInteger(), nullable=True),
    sa.Column('work_order_type', sa.String(length=40), nullable=True),
    sa.Column('at_least', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=20), nullable=False),
    sa.Column('evidence', JSONType, nullable=False),
    sa.Column('responsible_user_id', sa.BigInteger(), nullable=True),
    sa.Column('responsible_role', sa.String(length=60), nullable=True),
    sa.Column('department_id', sa.BigInteger(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'customer_id'], ['customers.tenant_id', 'customers.id'], name=op.f('fk_service_duties_tenant_id_customer_id_customers')),
    sa.ForeignKeyConstraint(['tenant_id', 'department_id'], ['departments.tenant_id', 'departments.id'], name=op.f('fk_service_duties_tenant_id_department_id_departments')),
    sa.ForeignKeyConstraint(['tenant_id', 'responsible_user_id'], ['users.tenant_id', 'users.id'], name=op.f('fk_service_duties_tenant_id_responsible_user_id_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_service_duties_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_service_duties')),
    sa.UniqueConstraint('tenant_id', 'code', name=op.f('uq_service_duties_tenant_id_code'))
    )
    op.create_table('service_duty_runs',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('duty_id', sa.BigInteger(), nullable=False),
    sa.Column('period', sa.String(length=20), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('required', sa.Integer(), nullable=False),
    sa.Column('order_ids', JSONType, nullable=False),
    sa.Column('due_dates', JSONType, nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('errors', JSONType, nullable=False),
    sa.Column('generated_at', UTCDateTime(), nullable=False),
    sa.Column('generation_decision_id', sa.BigInteger(), nullable=True),
    sa.Column('done', sa.Integer(), nullable=True),
    sa.Column('checked_at', UTCDateTime(), nullable=True),
    sa.Column('check_decision_id', sa.BigInteger(), nullable=True),
    sa.Column('notified', JSONType, nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'duty_id'], ['service_duties.tenant_id', 'service_duties.id'], name=op.f('fk_service_duty_runs_tenant_id_duty_id_service_duties')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_service_duty_runs_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_service_duty_runs')),
    sa.UniqueConstraint('tenant_id', 'duty_id', 'period', 'period_start', name=op.f('uq_service_duty_runs_tenant_id_duty_id_period_period_start'))
    )
    with op.batch_alter_table('service_duty_runs', schema=None) as batch_op:
        batch_op.create_index('ix_service_duty_runs_open', ['tenant_id', 'state', 'period_end'], unique=False)

    op.create_table('service_checklists',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('template_id', sa.BigInteger(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('site', sa.String(length=200), nullable=False),
    sa.Column('at', UTCDateTime(), nullable=False),
    sa.Column('inspector_id', sa.BigInteger(), nullable=True),
    sa.Column('order_id', sa.BigInteger(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('damaged', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'inspector_id'], ['users.tenant_id', 'users.id'], name=op.f('fk_service_checklists_tenant_id_inspector_id_users')),
    sa.ForeignKeyConstraint(['tenant_id', 'order_id'], ['work_orders.tenant_id', 'work_orders.id'], name=op.f('fk_service_checklists_tenant_id_order_id_work_orders')),
    sa.ForeignKeyConstraint(['tenant_id', 'template_id'], ['service_checklist_templates.tenant_id', 'service_checklist_templates.id'], name=op.f('fk_service_checklists_tenant_id_template_id_service_checklist_templates')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_service_checklists_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_service_checklists'))
    )
    with op.batch_alter_table('service_checklists', schema=None) as batch_op:
        batch_op.create_index('ix_service_checklists_at', ['tenant_id', 'at'], unique=False)

    op.create_table('service_checklist_items',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('checklist_id', sa.BigInteger(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=True),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('result', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('photo_attachment_id', sa.BigInteger(), nullable=True),
    sa.Column('repair_state', sa.String(length=20), nullable=True),
    sa.Column('repair_order_id', sa.BigInteger(), nullable=True),
    sa.Column('repair_errors', JSONType, nullable=False),
    sa.Column('decision_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id', 'checklist_id'], ['service_checklists.tenant_id', 'service_checklists.id'], name=op.f('fk_service_checklist_items_tenant_id_checklist_id_service_checklists')),
    sa.ForeignKeyConstraint(['tenant_id', 'repair_order_id'], ['work_orders.tenant_id', 'work_orders.id'], name=op.f('fk_service_checklist_items_tenant_id_repair_order_id_work_orders')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_service_checklist_items_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_service_checklist_items')),
    sa.UniqueConstraint('tenant_id', 'checklist_id', 'position', name=op.f('uq_service_checklist_items_tenant_id_checklist_id_position'))
    )
    rls.grant_app_role(op)
    rls.enable_rls(op, "service_checklist_templates")
    rls.enable_rls(op, "service_duties")
    rls.enable_rls(op, "service_duty_runs")
    rls.enable_rls(op, "service_checklists")
    rls.enable_rls(op, "service_checklist_items")


def downgrade():
    rls.disable_rls(op, "service_checklist_items")
    rls.disable_rls(op, "service_checklists")
    rls.disable_rls(op, "service_duty_runs")
    rls.disable_rls(op, "service_duties")
    rls.disable_rls(op, "service_checklist_templates")
    op.drop_table('service_checklist_items')
    with op.batch_alter_table('service_checklists', schema=None) as batch_op:
        batch_op.drop_index('ix_service_checklists_at')

    op.drop_table('service_checklists')
    with op.batch_alter_table('service_duty_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_service_duty_runs_open')

    op.drop_table('service_duty_runs')
    op.drop_table('service_duties')
    op.drop_table('service_checklist_templates')
