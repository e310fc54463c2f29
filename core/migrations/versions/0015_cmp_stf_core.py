"""Complaints and staff ledger, foundation (CMP-01..05, CMP-20/21, CMP-31, STF-01): complaint cases with
their history and numbering counters, the deadline engine's milestones and pauses (shared with SVC),
and the staff ledger.

Revision ID: 0015_cmp_stf_core
Revises: 0014_cus_merge
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

from core.db import JSONType, UTCDateTime
from core.tenancy import rls

revision = '0015_cmp_stf_core'
down_revision = "0014_cus_merge"
branch_labels = None
depends_on = None


TABLES = ["complaint_counters", "sla_milestones", "sla_pauses", "complaints", "staff_entries", "complaint_events"]


def upgrade():
    op.create_table('complaint_counters',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('period', sa.String(length=20), nullable=False),
    sa.Column('last_serial', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_complaint_counters_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_complaint_counters')),
    sa.UniqueConstraint('tenant_id', 'period', name=op.f('uq_complaint_counters_tenant_id_period'))
    )
    op.create_table('sla_milestones',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('subject_type', sa.String(length=30), nullable=False),
    sa.Column('subject_id', sa.BigInteger(), nullable=False),
    sa.Column('code', sa.String(length=80), nullable=False),
    sa.Column('parent_code', sa.String(length=80), nullable=True),
    sa.Column('rule_id', sa.String(length=20), nullable=False),
    sa.Column('duration', sa.String(length=40), nullable=False),
    sa.Column('hard_duration', sa.String(length=40), nullable=True),
    sa.Column('department', sa.String(length=100), nullable=True),
    sa.Column('start_at', UTCDateTime(), nullable=False),
    sa.Column('due_at', UTCDateTime(), nullable=False),
    sa.Column('hard_due_at', UTCDateTime(), nullable=True),
    sa.Column('warn_at', UTCDateTime(), nullable=True),
    sa.Column('provisional', sa.Boolean(), nullable=False),
    sa.Column('computed_from', JSONType, nullable=False),
    sa.Column('policy_module', sa.String(length=40), nullable=True),
    sa.Column('policy_version', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('met_at', UTCDateTime(), nullable=True),
    sa.Column('warned_at', UTCDateTime(), nullable=True),
    sa.Column('breached_at', UTCDateTime(), nullable=True),
    sa.Column('hard_breached_at', UTCDateTime(), nullable=True),
    sa.Column('escalation_level', sa.Integer(), nullable=False),
    sa.Column('next_escalation_at', UTCDateTime(), nullable=True),
    sa.Column('next_check_at', UTCDateTime(), nullable=True),
    sa.Column('decision_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_sla_milestones_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_sla_milestones')),
    sa.UniqueConstraint('tenant_id', 'subject_type', 'subject_id', 'code', name=op.f('uq_sla_milestones_tenant_id_subject_type_subject_id_code'))
    )
    op.create_index('ix_sla_milestones_check', 'sla_milestones', ['tenant_id', 'next_check_at'], unique=False)
    op.create_index('ix_sla_milestones_subject', 'sla_milestones', ['tenant_id', 'subject_type', 'subject_id'], unique=False)
    op.create_table('sla_pauses',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('subject_type', sa.String(length=30), nullable=False),
    sa.Column('subject_id', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('started_at', UTCDateTime(), nullable=False),
    sa.Column('ended_at', UTCDateTime(), nullable=True),
    sa.Column('started_by', sa.BigInteger(), nullable=True),
    sa.Column('ended_by', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_sla_pauses_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_sla_pauses'))
    )
    op.create_index('ix_sla_pauses_subject', 'sla_pauses', ['tenant_id', 'subject_type', 'subject_id'], unique=False)
    op.create_table('complaints',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('number', sa.String(length=30), nullable=False),
    sa.Column('number_period', sa.String(length=20), nullable=False),
    sa.Column('serial', sa.Integer(), nullable=False),
    sa.Column('case_type', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=30), nullable=False),
    sa.Column('received_at', UTCDateTime(), nullable=False),
    sa.Column('received_by', sa.BigInteger(), nullable=True),
    sa.Column('complainant_name', sa.String(length=100), nullable=True),
    sa.Column('complainant_phone', sa.String(length=40), nullable=True),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('customer_id', sa.BigInteger(), nullable=True),
    sa.Column('subject_ref', sa.String(length=200), nullable=True),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('demands', JSONType, nullable=False),
    sa.Column('demand_amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('accused_user_id', sa.BigInteger(), nullable=True),
    sa.Column('excluded_user_ids', JSONType, nullable=False),
    sa.Column('witnesses', JSONType, nullable=False),
    sa.Column('evidence', JSONType, nullable=False),
    sa.Column('complainant_signed', sa.Boolean(), nullable=False),
    sa.Column('extra', JSONType, nullable=False),
    sa.Column('warnings', JSONType, nullable=False),
    sa.Column('tags', JSONType, nullable=False),
    sa.Column('category', sa.String(length=60), nullable=False),
    sa.Column('cause', sa.String(length=60), nullable=True),
    sa.Column('timing', sa.String(length=20), nullable=True),
    sa.Column('cause_class', sa.String(length=20), nullable=True),
    sa.Column('severity', sa.String(length=20), nullable=False),
    sa.Column('severity_reason', sa.Text(), nullable=True),
    sa.Column('major_criteria', JSONType, nullable=False),
    sa.Column('is_repeat', sa.Boolean(), nullable=False),
    sa.Column('repeat_of_id', sa.BigInteger(), nullable=True),
    sa.Column('master_id', sa.BigInteger(), nullable=True),
    sa.Column('complainant_count', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.BigInteger(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('owner_id', sa.BigInteger(), nullable=True),
    sa.Column('owner_department_id', sa.BigInteger(), nullable=True),
    sa.Column('handler_id', sa.BigInteger(), nullable=True),
    sa.Column('handler_department_id', sa.BigInteger(), nullable=True),
    sa.Column('level', sa.String(length=30), nullable=True),
    sa.Column('escalation_level', sa.Integer(), nullable=False),
    sa.Column('accepted_at', UTCDateTime(), nullable=True),
    sa.Column('accepted_by', sa.BigInteger(), nullable=True),
    sa.Column('rejection_reply', sa.Text(), nullable=True),
    sa.Column('finding', sa.String(length=30), nullable=True),
    sa.Column('grounds_sufficient', sa.Boolean(), nullable=True),
    sa.Column('demand_reasonable', sa.Boolean(), nullable=True),
    sa.Column('special', sa.Boolean(), nullable=False),
    sa.Column('special_reason', sa.Text(), nullable=True),
    sa.Column('customer_deadline', UTCDateTime(), nullable=True),
    sa.Column('customer_reply_at', UTCDateTime(), nullable=True),
    sa.Column('solution', sa.Text(), nullable=True),
    sa.Column('compensation', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('approval_status', sa.String(length=20), nullable=True),
    sa.Column('approver_role', sa.String(length=50), nullable=True),
    sa.Column('approved_by', sa.BigInteger(), nullable=True),
    sa.Column('approved_at', UTCDateTime(), nullable=True),
    sa.Column('approval_text', sa.Text(), nullable=True),
    sa.Column('resolution_method', sa.String(length=40), nullable=True),
    sa.Column('action_taken', sa.Text(), nullable=True),
    sa.Column('reply_text', sa.Text(), nullable=True),
    sa.Column('reply_method', sa.String(length=20), nullable=True),
    sa.Column('replied_at', UTCDateTime(), nullable=True),
    sa.Column('resolved_at', UTCDateTime(), nullable=True),
    sa.Column('closed_at', UTCDateTime(), nullable=True),
    sa.Column('closed_by', sa.BigInteger(), nullable=True),
    sa.Column('satisfaction', sa.Integer(), nullable=True),
    sa.Column('satisfaction_comment', sa.Text(), nullable=True),
    sa.Column('customer_confirmed', sa.Boolean(), nullable=False),
    sa.Column('root_cause', sa.Text(), nullable=True),
    sa.Column('corrective_action', sa.Text(), nullable=True),
    sa.Column('preventive_action', sa.Text(), nullable=True),
    sa.Column('gap_in_standard', sa.Boolean(), nullable=False),
    sa.Column('internal_notes', sa.Text(), nullable=True),
    sa.Column('policy_version', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'customer_id'], ['customers.tenant_id', 'customers.id'], name=op.f('fk_complaints_tenant_id_customer_id_customers')),
    sa.ForeignKeyConstraint(['tenant_id', 'handler_department_id'], ['departments.tenant_id', 'departments.id'], name=op.f('fk_complaints_tenant_id_handler_department_id_departments')),
    sa.ForeignKeyConstraint(['tenant_id', 'handler_id'], ['users.tenant_id', 'users.id'], name=op.f('fk_complaints_tenant_id_handler_id_users')),
    sa.ForeignKeyConstraint(['tenant_id', 'master_id'], ['complaints.tenant_id', 'complaints.id'], name=op.f('fk_complaints_tenant_id_master_id_complaints')),
    sa.ForeignKeyConstraint(['tenant_id', 'owner_department_id'], ['departments.tenant_id', 'departments.id'], name=op.f('fk_complaints_tenant_id_owner_department_id_departments')),
    sa.ForeignKeyConstraint(['tenant_id', 'owner_id'], ['users.tenant_id', 'users.id'], name=op.f('fk_complaints_tenant_id_owner_id_users')),
    sa.ForeignKeyConstraint(['tenant_id', 'parent_id'], ['complaints.tenant_id', 'complaints.id'], name=op.f('fk_complaints_tenant_id_parent_id_complaints')),
    sa.ForeignKeyConstraint(['tenant_id', 'repeat_of_id'], ['complaints.tenant_id', 'complaints.id'], name=op.f('fk_complaints_tenant_id_repeat_of_id_complaints')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_complaints_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_complaints')),
    sa.UniqueConstraint('tenant_id', 'number', name=op.f('uq_complaints_tenant_id_number'))
    )
    op.create_index('ix_complaints_customer', 'complaints', ['tenant_id', 'customer_id', 'received_at'], unique=False)
    op.create_index('ix_complaints_owner', 'complaints', ['tenant_id', 'owner_id', 'status'], unique=False)
    op.create_index('ix_complaints_status', 'complaints', ['tenant_id', 'status', 'received_at'], unique=False)
    op.create_table('staff_entries',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=True),
    sa.Column('department_id', sa.BigInteger(), nullable=True),
    sa.Column('role', sa.String(length=50), nullable=True),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('unit', sa.String(length=10), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('base_amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('multiplier', sa.Integer(), nullable=False),
    sa.Column('offence', sa.String(length=80), nullable=False),
    sa.Column('rule_id', sa.String(length=60), nullable=False),
    sa.Column('label', sa.String(length=80), nullable=True),
    sa.Column('subject_type', sa.String(length=40), nullable=True),
    sa.Column('subject_id', sa.BigInteger(), nullable=True),
    sa.Column('occurred_at', UTCDateTime(), nullable=False),
    sa.Column('sequence_in_month', sa.Integer(), nullable=True),
    sa.Column('payroll_month', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('pay_in_cash_by', UTCDateTime(), nullable=True),
    sa.Column('reverses_id', sa.BigInteger(), nullable=True),
    sa.Column('reason_zh', sa.Text(), nullable=False),
    sa.Column('reason_en', sa.Text(), nullable=False),
    sa.Column('facts', JSONType, nullable=False),
    sa.Column('decision_id', sa.BigInteger(), nullable=True),
    sa.Column('dedupe_key', sa.String(length=200), nullable=True),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('approved_by', sa.BigInteger(), nullable=True),
    sa.Column('approved_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id', 'department_id'], ['departments.tenant_id', 'departments.id'], name=op.f('fk_staff_entries_tenant_id_department_id_departments')),
    sa.ForeignKeyConstraint(['tenant_id', 'reverses_id'], ['staff_entries.tenant_id', 'staff_entries.id'], name=op.f('fk_staff_entries_tenant_id_reverses_id_staff_entries')),
    sa.ForeignKeyConstraint(['tenant_id', 'user_id'], ['users.tenant_id', 'users.id'], name=op.f('fk_staff_entries_tenant_id_user_id_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_staff_entries_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_staff_entries'))
    )
    op.create_index('ix_staff_entries_dedupe', 'staff_entries', ['tenant_id', 'dedupe_key'], unique=True)
    op.create_index('ix_staff_entries_offence', 'staff_entries', ['tenant_id', 'user_id', 'offence', 'occurred_at'], unique=False)
    op.create_index('ix_staff_entries_subject', 'staff_entries', ['tenant_id', 'subject_type', 'subject_id'], unique=False)
    op.create_index('ix_staff_entries_user_month', 'staff_entries', ['tenant_id', 'user_id', 'payroll_month'], unique=False)
    op.create_table('complaint_events',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('complaint_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('at', UTCDateTime(), nullable=False),
    sa.Column('by', sa.BigInteger(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('data', JSONType, nullable=False),
    sa.Column('decision_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id', 'complaint_id'], ['complaints.tenant_id', 'complaints.id'], name=op.f('fk_complaint_events_tenant_id_complaint_id_complaints')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_complaint_events_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_complaint_events'))
    )
    op.create_index('ix_complaint_events_case', 'complaint_events', ['tenant_id', 'complaint_id', 'at'], unique=False)
    rls.grant_app_role(op)
    for table in TABLES:
        rls.enable_rls(op, table)


def downgrade():
    for table in reversed(TABLES):
        rls.disable_rls(op, table)
    op.drop_index('ix_complaint_events_case', table_name='complaint_events')
    op.drop_table('complaint_events')
    op.drop_index('ix_staff_entries_user_month', table_name='staff_entries')
    op.drop_index('ix_staff_entries_subject', table_name='staff_entries')
    op.drop_index('ix_staff_entries_offence', table_name='staff_entries')
    op.drop_index('ix_staff_entries_dedupe', table_name='staff_entries')
    op.drop_table('staff_entries')
    op.drop_index('ix_complaints_status', table_name='complaints')
    op.drop_index('ix_complaints_owner', table_name='complaints')
    op.drop_index('ix_complaints_customer', table_name='complaints')
    op.drop_table('complaints')
    op.drop_index('ix_sla_pauses_subject', table_name='sla_pauses')
    op.drop_table('sla_pauses')
    op.drop_index('ix_sla_milestones_subject', table_name='sla_milestones')
    op.drop_index('ix_sla_milestones_check', table_name='sla_milestones')
    op.drop_table('sla_milestones')
    op.drop_table('complaint_counters')
