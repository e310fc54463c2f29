"""Penalty slips, witnesses, appeals and the monthly penalty list (STF-20..23).

Revision ID: 0022_stf_slips
Revises: 0021_stf_penalties
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

from core.db import JSONType, UTCDateTime
from core.tenancy import rls

revision = '0022_stf_slips'
down_revision = "0021_stf_penalties"
branch_labels = None
depends_on = None


TABLES = ["staff_slips", "staff_slip_witnesses", "staff_appeals", "staff_penalty_publications"]


def _fk(table, column, target):
    return sa.ForeignKeyConstraint(['tenant_id', column], [f'{target}.tenant_id', f'{target}.id'],
                                   name=op.f(f'fk_{table}_tenant_id_{column}_{target}'))


def _tenant(table):
    return sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f(f'fk_{table}_tenant_id_tenants'))


def upgrade():
    op.create_table('staff_slips',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('staff_entry_id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('facts', sa.Text(), nullable=False),
    sa.Column('opinion', sa.Text(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('unit', sa.String(length=10), nullable=False),
    sa.Column('evidence', JSONType, nullable=False),
    sa.Column('issued_at', UTCDateTime(), nullable=False),
    sa.Column('issued_by', sa.BigInteger(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('signed_at', UTCDateTime(), nullable=True),
    sa.Column('refused_at', UTCDateTime(), nullable=True),
    sa.Column('refusal_recorded_by', sa.BigInteger(), nullable=True),
    sa.Column('refusal_note', sa.Text(), nullable=True),
    sa.Column('bad_attitude', sa.Boolean(), nullable=False),
    sa.Column('effective_at', UTCDateTime(), nullable=True),
    sa.Column('effective_by', sa.String(length=20), nullable=True),
    sa.Column('appeal_window_ends_at', UTCDateTime(), nullable=False),
    sa.Column('appeal_window_closed_at', UTCDateTime(), nullable=True),
    sa.Column('hr_flag_entry_id', sa.BigInteger(), nullable=True),
    sa.Column('policy_version', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    _fk('staff_slips', 'hr_flag_entry_id', 'staff_entries'),
    _fk('staff_slips', 'issued_by', 'users'),
    _fk('staff_slips', 'staff_entry_id', 'staff_entries'),
    _fk('staff_slips', 'user_id', 'users'),
    _tenant('staff_slips'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_staff_slips')),
    sa.UniqueConstraint('tenant_id', 'staff_entry_id', name=op.f('uq_staff_slips_tenant_id_staff_entry_id'))
    )
    op.create_index('ix_staff_slips_user', 'staff_slips', ['tenant_id', 'user_id', 'issued_at'], unique=False)
    op.create_index('ix_staff_slips_window', 'staff_slips',
                    ['tenant_id', 'appeal_window_closed_at', 'appeal_window_ends_at'], unique=False)
    op.create_table('staff_slip_witnesses',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('slip_id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('signed_at', UTCDateTime(), nullable=False),
    sa.Column('recorded_by', sa.BigInteger(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    _fk('staff_slip_witnesses', 'recorded_by', 'users'),
    _fk('staff_slip_witnesses', 'slip_id', 'staff_slips'),
    _fk('staff_slip_witnesses', 'user_id', 'users'),
    _tenant('staff_slip_witnesses'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_staff_slip_witnesses')),
    sa.UniqueConstraint('tenant_id', 'slip_id', 'user_id', name=op.f('uq_staff_slip_witnesses_tenant_id_slip_id_user_id'))
    )
    op.create_table('staff_appeals',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('slip_id', sa.BigInteger(), nullable=False),
    sa.Column('staff_entry_id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('received_at', UTCDateTime(), nullable=False),
    sa.Column('submitted_by', sa.BigInteger(), nullable=False),
    sa.Column('reply_due_at', UTCDateTime(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('replied_at', UTCDateTime(), nullable=True),
    sa.Column('replied_by', sa.BigInteger(), nullable=True),
    sa.Column('reply_text', sa.Text(), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('new_amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('reversal_entry_id', sa.BigInteger(), nullable=True),
    sa.Column('escalated_at', UTCDateTime(), nullable=True),
    sa.Column('escalated_to', sa.BigInteger(), nullable=True),
    sa.Column('escalation_decision_id', sa.BigInteger(), nullable=True),
    sa.Column('policy_version', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    _fk('staff_appeals', 'reversal_entry_id', 'staff_entries'),
    _fk('staff_appeals', 'slip_id', 'staff_slips'),
    _fk('staff_appeals', 'staff_entry_id', 'staff_entries'),
    _fk('staff_appeals', 'user_id', 'users'),
    _tenant('staff_appeals'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_staff_appeals')),
    sa.UniqueConstraint('tenant_id', 'slip_id', name=op.f('uq_staff_appeals_tenant_id_slip_id'))
    )
    op.create_index('ix_staff_appeals_due', 'staff_appeals', ['tenant_id', 'state', 'reply_due_at'], unique=False)
    op.create_table('staff_penalty_publications',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('published_at', UTCDateTime(), nullable=False),
    sa.Column('items', JSONType, nullable=False),
    sa.Column('entry_count', sa.Integer(), nullable=False),
    sa.Column('totals', JSONType, nullable=False),
    sa.Column('decision_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    _tenant('staff_penalty_publications'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_staff_penalty_publications')),
    sa.UniqueConstraint('tenant_id', 'month', name=op.f('uq_staff_penalty_publications_tenant_id_month'))
    )
    rls.grant_app_role(op)
    for table in TABLES:
        rls.enable_rls(op, table)


def downgrade():
    for table in reversed(TABLES):
        rls.disable_rls(op, table)
    op.drop_table('staff_penalty_publications')
    op.drop_index('ix_staff_appeals_due', table_name='staff_appeals')
    op.drop_table('staff_appeals')
    op.drop_table('staff_slip_witnesses')
    op.drop_index('ix_staff_slips_window', table_name='staff_slips')
    op.drop_index('ix_staff_slips_user', table_name='staff_slips')
    op.drop_table('staff_slips')
