"""Service after completion: return visits and their issues (SVC-14, CMP-63), custody documents, post-completion documents and the checks at their limits (SVC-16, SVC-23)

Revision ID: 0029_svc_aftercare
Revises: 0028_svc_field
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

from core.db import JSONType, UTCDateTime
from core.tenancy import rls

revision = "0029_svc_aftercare"
down_revision = "0028_svc_field"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('service_documents',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('order_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('sheets', sa.Integer(), nullable=False),
    sa.Column('attachment_id', sa.BigInteger(), nullable=True),
    sa.Column('custodian_id', sa.BigInteger(), nullable=False),
    sa.Column('archived_at', UTCDateTime(), nullable=False),
    sa.Column('archived_by', sa.BigInteger(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('lost_at', UTCDateTime(), nullable=True),
    sa.Column('lost_by', sa.BigInteger(), nullable=True),
    sa.Column('lost_reason', sa.Text(), nullable=True),
    sa.Column('entry_ids', JSONType, nullable=False),
    sa.Column('decision_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'custodian_id'], ['users.tenant_id', 'users.id'], name=op.f('fk_service_documents_tenant_id_custodian_id_users')),
    sa.ForeignKeyConstraint(['tenant_id', 'order_id'], ['work_orders.tenant_id', 'work_orders.id'], name=op.f('fk_service_documents_tenant_id_order_id_work_orders')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_service_documents_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_service_documents'))
    )
    with op.batch_alter_table('service_documents', schema=None) as batch_op:
        batch_op.create_index('ix_service_documents_custodian', ['tenant_id', 'custodian_id', 'state'], unique=False)
        batch_op.create_index('ix_service_documents_order', ['tenant_id', 'order_id'], unique=False)

    op.create_table('service_order_checks',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('order_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.String(length=20), nullable=False),
    sa.Column('result', sa.String(length=20), nullable=False),
    sa.Column('completed_at', UTCDateTime(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('due_at', UTCDateTime(), nullable=True),
    sa.Column('missing', JSONType, nullable=False),
    sa.Column('liable_user_id', sa.BigInteger(), nullable=True),
    sa.Column('liable_department_id', sa.BigInteger(), nullable=True),
    sa.Column('entry_ids', JSONType, nullable=False),
    sa.Column('decision_id', sa.BigInteger(), nullable=True),
    sa.Column('checked_at', UTCDateTime(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'order_id'], ['work_orders.tenant_id', 'work_orders.id'], name=op.f('fk_service_order_checks_tenant_id_order_id_work_orders')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_service_order_checks_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_service_order_checks')),
    sa.UniqueConstraint('tenant_id', 'order_id', 'kind', 'round', name=op.f('uq_service_order_checks_tenant_id_order_id_kind_round'))
    )
    with op.batch_alter_table('service_order_checks', schema=None) as batch_op:
        batch_op.create_index('ix_service_order_checks_kind', ['tenant_id', 'kind', 'result'], unique=False)

    op.create_table('service_post_docs',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('order_id', sa.BigInteger(), nullable=False),
    sa.Column('doc', sa.String(length=60), nullable=False),
    sa.Column('attachment_id', sa.BigInteger(), nullable=True),
    sa.Column('recorded_at', UTCDateTime(), nullable=False),
    sa.Column('recorded_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'order_id'], ['work_orders.tenant_id', 'work_orders.id'], name=op.f('fk_service_post_docs_tenant_id_order_id_work_orders')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_service_post_docs_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_service_post_docs')),
    sa.UniqueConstraint('tenant_id', 'order_id', 'doc', name=op.f('uq_service_post_docs_tenant_id_order_id_doc'))
    )
    op.create_table('service_return_visits',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('order_id', sa.BigInteger(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.BigInteger(), nullable=True),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('trigger_at', UTCDateTime(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('selected', sa.Boolean(), nullable=False),
    sa.Column('selection_reason', sa.String(length=20), nullable=False),
    sa.Column('rate', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('visited_before', sa.Integer(), nullable=False),
    sa.Column('decided_count', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('due_at', UTCDateTime(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('visitor_id', sa.BigInteger(), nullable=True),
    sa.Column('visited_at', UTCDateTime(), nullable=True),
    sa.Column('recorded_by', sa.BigInteger(), nullable=True),
    sa.Column('mode', sa.String(length=20), nullable=True),
    sa.Column('label', sa.String(length=40), nullable=True),
    sa.Column('who_came', sa.String(length=200), nullable=True),
    sa.Column('who_came_id', sa.BigInteger(), nullable=True),
    sa.Column('attitude', sa.Integer(), nullable=True),
    sa.Column('skill', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('overdue_at', UTCDateTime(), nullable=True),
    sa.Column('decision_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'customer_id'], ['customers.tenant_id', 'customers.id'], name=op.f('fk_service_return_visits_tenant_id_customer_id_customers')),
    sa.ForeignKeyConstraint(['tenant_id', 'order_id'], ['work_orders.tenant_id', 'work_orders.id'], name=op.f('fk_service_return_visits_tenant_id_order_id_work_orders')),
    sa.ForeignKeyConstraint(['tenant_id', 'visitor_id'], ['users.tenant_id', 'users.id'], name=op.f('fk_service_return_visits_tenant_id_visitor_id_users')),
    sa.ForeignKeyConstraint(['tenant_id', 'who_came_id'], ['users.tenant_id', 'users.id'], name=op.f('fk_service_return_visits_tenant_id_who_came_id_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_service_return_visits_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_service_return_visits')),
    sa.UniqueConstraint('tenant_id', 'order_id', 'round', name=op.f('uq_service_return_visits_tenant_id_order_id_round'))
    )
    with op.batch_alter_table('service_return_visits', schema=None) as batch_op:
        batch_op.create_index('ix_service_return_visits_customer', ['tenant_id', 'customer_id', 'visited_at'], unique=False)
        batch_op.create_index('ix_service_return_visits_due', ['tenant_id', 'state', 'due_at'], unique=False)
        batch_op.create_index('ix_service_return_visits_month', ['tenant_id', 'month'], unique=False)

    op.create_table('service_visit_issues',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('visit_id', sa.BigInteger(), nullable=False),
    sa.Column('order_id', sa.BigInteger(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('found_at', UTCDateTime(), nullable=False),
    sa.Column('manager_id', sa.BigInteger(), nullable=True),
    sa.Column('assign_due_at', UTCDateTime(), nullable=False),
    sa.Column('assignee_id', sa.BigInteger(), nullable=True),
    sa.Column('assigned_by', sa.BigInteger(), nullable=True),
    sa.Column('assigned_at', UTCDateTime(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.Column('outcome_at', UTCDateTime(), nullable=True),
    sa.Column('outcome_by', sa.BigInteger(), nullable=True),
    sa.Column('escalated_at', UTCDateTime(), nullable=True),
    sa.Column('escalated_to', JSONType, nullable=False),
    sa.Column('decision_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'assignee_id'], ['users.tenant_id', 'users.id'], name=op.f('fk_service_visit_issues_tenant_id_assignee_id_users')),
    sa.ForeignKeyConstraint(['tenant_id', 'manager_id'], ['users.tenant_id', 'users.id'], name=op.f('fk_service_visit_issues_tenant_id_manager_id_users')),
    sa.ForeignKeyConstraint(['tenant_id', 'order_id'], ['work_orders.tenant_id', 'work_orders.id'], name=op.f('fk_service_visit_issues_tenant_id_order_id_work_orders')),
    sa.ForeignKeyConstraint(['tenant_id', 'visit_id'], ['service_return_visits.tenant_id', 'service_return_visits.id'], name=op.f('fk_service_visit_issues_tenant_id_visit_id_service_return_visits')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_service_visit_issues_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_service_visit_issues'))
    )
    with op.batch_alter_table('service_visit_issues', schema=None) as batch_op:
        batch_op.create_index('ix_service_visit_issues_assign', ['tenant_id', 'state', 'assign_due_at'], unique=False)
        batch_op.create_index('ix_service_visit_issues_visit', ['tenant_id', 'visit_id'], unique=False)
    rls.grant_app_role(op)
    rls.enable_rls(op, "service_documents")
    rls.enable_rls(op, "service_order_checks")
    rls.enable_rls(op, "service_post_docs")
    rls.enable_rls(op, "service_return_visits")
    rls.enable_rls(op, "service_visit_issues")


def downgrade():
    rls.disable_rls(op, "service_visit_issues")
    rls.disable_rls(op, "service_return_visits")
    rls.disable_rls(op, "service_post_docs")
    rls.disable_rls(op, "service_order_checks")
    rls.disable_rls(op, "service_documents")
    with op.batch_alter_table('service_visit_issues', schema=None) as batch_op:
        batch_op.drop_index('ix_service_visit_issues_visit')
        batch_op.drop_index('ix_service_visit_issues_assign')

    op.drop_table('service_visit_issues')
    with op.batch_alter_table('service_return_visits', schema=None) as batch_op:
        batch_op.drop_index('ix_service_return_visits_month')
        batch_op.drop_index('ix_service_return_visits_due')
        batch_op.drop_index('ix_service_return_visits_customer')

    op.drop_table('service_return_visits')
    op.drop_table('service_post_docs')
    with op.batch_alter_table('service_order_checks', schema=None) as batch_op:
        batch_op.drop_index('ix_service_order_checks_kind')

    op.drop_table('service_order_checks')
    with op.batch_alter_table('service_documents', schema=None) as batch_op:
        batch_op.drop_index('ix_service_documents_order')
        batch_op.drop_index('ix_service_documents_custodian')

    op.drop_table('service_documents')
