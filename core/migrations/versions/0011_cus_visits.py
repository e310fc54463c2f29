"""Follow-ups, visits and return visits (CUS-61..CUS-64): due visits by cadence and holiday, monthly
visit plans with planned visits, visit reports, commitments, satisfaction survey rounds with their
responses, and corrective actions.

Revision ID: 0011_cus_visits
Revises: 0010_cus_ownership
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

from core.db import JSONType, UTCDateTime
from core.tenancy import rls

revision = "0011_cus_visits"
down_revision = "0010_cus_ownership"
branch_labels = None
depends_on = None

TABLES = ["survey_rounds", "corrective_actions", "survey_responses", "commitments", "due_visits", "visit_plans",
          "planned_visits", "visit_reports"]


def upgrade():
    op.create_table('survey_rounds',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('items', JSONType, nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('mean', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('threshold', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('item_means', JSONType, nullable=True),
    sa.Column('closed_at', UTCDateTime(), nullable=True),
    sa.Column('closed_by', sa.BigInteger(), nullable=True),
    sa.Column('decision_id', sa.BigInteger(), nullable=True),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_survey_rounds_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_survey_rounds'))
    )
    op.create_table('corrective_actions',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('round_id', sa.BigInteger(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('items', JSONType, nullable=False),
    sa.Column('owner_id', sa.BigInteger(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('decision_id', sa.BigInteger(), nullable=True),
    sa.Column('closed_at', UTCDateTime(), nullable=True),
    sa.Column('closed_by', sa.BigInteger(), nullable=True),
    sa.Column('close_note', sa.Text(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'round_id'], ['survey_rounds.tenant_id', 'survey_rounds.id'], name=op.f('fk_corrective_actions_tenant_id_round_id_survey_rounds')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_corrective_actions_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_corrective_actions')),
    sa.UniqueConstraint('tenant_id', 'round_id', name=op.f('uq_corrective_actions_tenant_id_round_id'))
    )
    op.create_table('survey_responses',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('round_id', sa.BigInteger(), nullable=False),
    sa.Column('customer_id', sa.BigInteger(), nullable=True),
    sa.Column('scores', JSONType, nullable=False),
    sa.Column('responded_at', UTCDateTime(), nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id', 'customer_id'], ['customers.tenant_id', 'customers.id'], name=op.f('fk_survey_responses_tenant_id_customer_id_customers')),
    sa.ForeignKeyConstraint(['tenant_id', 'round_id'], ['survey_rounds.tenant_id', 'survey_rounds.id'], name=op.f('fk_survey_responses_tenant_id_round_id_survey_rounds')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_survey_responses_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_survey_responses')),
    sa.UniqueConstraint('tenant_id', 'round_id', 'customer_id', name=op.f('uq_survey_responses_tenant_id_round_id_customer_id'))
    )
    op.create_table('commitments',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('customer_id', sa.BigInteger(), nullable=False),
    sa.Column('owner_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('made_at', UTCDateTime(), nullable=False),
    sa.Column('due_at', UTCDateTime(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('source_type', sa.String(length=40), nullable=True),
    sa.Column('source_id', sa.BigInteger(), nullable=True),
    sa.Column('contact_entry_id', sa.BigInteger(), nullable=True),
    sa.Column('fulfilled_at', UTCDateTime(), nullable=True),
    sa.Column('fulfilled_by', sa.BigInteger(), nullable=True),
    sa.Column('fulfil_note', sa.Text(), nullable=True),
    sa.Column('alerted_at', UTCDateTime(), nullable=True),
    sa.Column('alert_decision_id', sa.BigInteger(), nullable=True),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'contact_entry_id'], ['contact_log.tenant_id', 'contact_log.id'], name=op.f('fk_commitments_tenant_id_contact_entry_id_contact_log')),
    sa.ForeignKeyConstraint(['tenant_id', 'customer_id'], ['customers.tenant_id', 'customers.id'], name=op.f('fk_commitments_tenant_id_customer_id_customers')),
    sa.ForeignKeyConstraint(['tenant_id', 'owner_id'], ['users.tenant_id', 'users.id'], name=op.f('fk_commitments_tenant_id_owner_id_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_commitments_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_commitments'))
    )
    op.create_table('due_visits',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('customer_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('role', sa.String(length=50), nullable=False),
    sa.Column('per', sa.String(length=10), nullable=False),
    sa.Column('period_key', sa.String(length=40), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.Column('times', sa.Integer(), nullable=False),
    sa.Column('period_first', sa.Date(), nullable=False),
    sa.Column('period_last', sa.Date(), nullable=False),
    sa.Column('available_from', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('due_at', UTCDateTime(), nullable=False),
    sa.Column('mode', sa.String(length=20), nullable=False),
    sa.Column('tier', sa.String(length=20), nullable=False),
    sa.Column('holiday', sa.String(length=60), nullable=True),
    sa.Column('performer_id', sa.BigInteger(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('contact_entry_id', sa.BigInteger(), nullable=True),
    sa.Column('done_at', UTCDateTime(), nullable=True),
    sa.Column('overdue_at', UTCDateTime(), nullable=True),
    sa.Column('decision_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'contact_entry_id'], ['contact_log.tenant_id', 'contact_log.id'], name=op.f('fk_due_visits_tenant_id_contact_entry_id_contact_log')),
    sa.ForeignKeyConstraint(['tenant_id', 'customer_id'], ['customers.tenant_id', 'customers.id'], name=op.f('fk_due_visits_tenant_id_customer_id_customers')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_due_visits_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_due_visits')),
    sa.UniqueConstraint('tenant_id', 'customer_id', 'role', 'period_key', 'slot', name=op.f('uq_due_visits_tenant_id_customer_id_role_period_key_slot'))
    )
    op.create_table('visit_plans',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('submitted_at', UTCDateTime(), nullable=True),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('flagged_at', UTCDateTime(), nullable=True),
    sa.Column('flag_decision_id', sa.BigInteger(), nullable=True),
    sa.Column('reviewed_by', sa.BigInteger(), nullable=True),
    sa.Column('reviewed_at', UTCDateTime(), nullable=True),
    sa.Column('review_note', sa.Text(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'user_id'], ['users.tenant_id', 'users.id'], name=op.f('fk_visit_plans_tenant_id_user_id_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_visit_plans_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_visit_plans')),
    sa.UniqueConstraint('tenant_id', 'user_id', 'month', name=op.f('uq_visit_plans_tenant_id_user_id_month'))
    )
    op.create_table('planned_visits',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('plan_id', sa.BigInteger(), nullable=False),
    sa.Column('customer_id', sa.BigInteger(), nullable=False),
    sa.Column('planned_on', sa.Date(), nullable=False),
    sa.Column('purpose', sa.String(length=40), nullable=False),
    sa.Column('expenses', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('gifts', sa.String(length=500), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id', 'customer_id'], ['customers.tenant_id', 'customers.id'], name=op.f('fk_planned_visits_tenant_id_customer_id_customers')),
    sa.ForeignKeyConstraint(['tenant_id', 'plan_id'], ['visit_plans.tenant_id', 'visit_plans.id'], name=op.f('fk_planned_visits_tenant_id_plan_id_visit_plans')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_planned_visits_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_planned_visits'))
    )
    op.create_table('visit_reports',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('customer_id', sa.BigInteger(), nullable=False),
    sa.Column('contact_entry_id', sa.BigInteger(), nullable=False),
    sa.Column('planned_visit_id', sa.BigInteger(), nullable=True),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('due_at', UTCDateTime(), nullable=False),
    sa.Column('submitted_at', UTCDateTime(), nullable=False),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('reviewed_by', sa.BigInteger(), nullable=True),
    sa.Column('reviewed_at', UTCDateTime(), nullable=True),
    sa.Column('review_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id', 'contact_entry_id'], ['contact_log.tenant_id', 'contact_log.id'], name=op.f('fk_visit_reports_tenant_id_contact_entry_id_contact_log')),
    sa.ForeignKeyConstraint(['tenant_id', 'customer_id'], ['customers.tenant_id', 'customers.id'], name=op.f('fk_visit_reports_tenant_id_customer_id_customers')),
    sa.ForeignKeyConstraint(['tenant_id', 'planned_visit_id'], ['planned_visits.tenant_id', 'planned_visits.id'], name=op.f('fk_visit_reports_tenant_id_planned_visit_id_planned_visits')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_visit_reports_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_visit_reports')),
    sa.UniqueConstraint('tenant_id', 'contact_entry_id', name=op.f('uq_visit_reports_tenant_id_contact_entry_id'))
    )
    with op.batch_alter_table('survey_responses') as batch:
        batch.create_index('ix_survey_responses_round', ['tenant_id', 'round_id'])
    with op.batch_alter_table('commitments') as batch:
        batch.create_index('ix_commitments_customer', ['tenant_id', 'customer_id'])
    with op.batch_alter_table('commitments') as batch:
        batch.create_index('ix_commitments_status_due', ['tenant_id', 'status', 'due_at'])
    with op.batch_alter_table('due_visits') as batch:
        batch.create_index('ix_due_visits_performer', ['tenant_id', 'performer_id', 'status', 'due_at'])
    with op.batch_alter_table('due_visits') as batch:
        batch.create_index('ix_due_visits_status_due', ['tenant_id', 'status', 'due_at'])
    with op.batch_alter_table('planned_visits') as batch:
        batch.create_index('ix_planned_visits_plan', ['tenant_id', 'plan_id'])
    with op.batch_alter_table('visit_reports') as batch:
        batch.create_index('ix_visit_reports_customer', ['tenant_id', 'customer_id'])

    rls.grant_app_role(op)
    for table in TABLES:
        rls.enable_rls(op, table)


def downgrade():
    for table in reversed(TABLES):
        rls.disable_rls(op, table)
    for table in reversed(TABLES):
        op.drop_table(table)
