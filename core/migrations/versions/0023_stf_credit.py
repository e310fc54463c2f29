"""Performance credit, statements, scorecards and scored pay (STF-30..34, STF-40..44, CMP-72): deal
credits and their share sets, monthly statements, scorecards, the month's commission schemes and pay
results.

Revision ID: 0023_stf_credit
Revises: 0022_stf_slips
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

from core.db import JSONType, UTCDateTime
from core.tenancy import rls

revision = '0023_stf_credit'
down_revision = "0022_stf_slips"
branch_labels = None
depends_on = None


TABLES = ["staff_credits", "staff_credit_shares", "staff_statements", "staff_scorecards", "staff_pay_schemes",
          "staff_pay_results"]


def _keys(table):
    """The tenant column and the (tenant_id, id) primary key every tenant table starts with."""
    return [sa.Column('tenant_id', sa.BigInteger(), nullable=False),
            sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
            sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f(f'fk_{table}_tenant_id_tenants')),
            sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f(f'pk_{table}'))]


def _fk(table, column, target):
    return sa.ForeignKeyConstraint(['tenant_id', column], [f'{target}.tenant_id', f'{target}.id'],
                                   name=op.f(f'fk_{table}_tenant_id_{column}_{target}'))


def upgrade():
    op.create_table('staff_credits', *_keys('staff_credits'),
    sa.Column('subject_type', sa.String(length=40), nullable=False),
    sa.Column('subject_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=True),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('owner_id', sa.BigInteger(), nullable=False),
    sa.Column('mentor_id', sa.BigInteger(), nullable=True),
    sa.Column('department_id', sa.BigInteger(), nullable=True),
    sa.Column('deal_at', UTCDateTime(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('recognised_at', UTCDateTime(), nullable=True),
    sa.Column('recognised_month', sa.Date(), nullable=True),
    sa.Column('reverses_id', sa.BigInteger(), nullable=True),
    sa.Column('facts', JSONType, nullable=False),
    sa.Column('decision_id', sa.BigInteger(), nullable=True),
    sa.Column('recognition_decision_id', sa.BigInteger(), nullable=True),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    _fk('staff_credits', 'owner_id', 'users'),
    _fk('staff_credits', 'mentor_id', 'users'),
    _fk('staff_credits', 'department_id', 'departments'),
    _fk('staff_credits', 'reverses_id', 'staff_credits'),
    sa.UniqueConstraint('tenant_id', 'subject_type', 'subject_id', 'kind',
                        name=op.f('uq_staff_credits_tenant_id_subject_type_subject_id_kind'))
    )
    op.create_index('ix_staff_credits_month', 'staff_credits', ['tenant_id', 'recognised_month'], unique=False)
    op.create_index('ix_staff_credits_owner', 'staff_credits', ['tenant_id', 'owner_id'], unique=False)
    op.create_table('staff_credit_shares', *_keys('staff_credit_shares'),
    sa.Column('credit_id', sa.BigInteger(), nullable=False),
    sa.Column('decision_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=True),
    sa.Column('department_id', sa.BigInteger(), nullable=True),
    sa.Column('percent', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    _fk('staff_credit_shares', 'credit_id', 'staff_credits'),
    _fk('staff_credit_shares', 'user_id', 'users'),
    _fk('staff_credit_shares', 'department_id', 'departments')
    )
    op.create_index('ix_staff_credit_shares_credit', 'staff_credit_shares', ['tenant_id', 'credit_id', 'decision_id'],
                    unique=False)
    op.create_index('ix_staff_credit_shares_user', 'staff_credit_shares', ['tenant_id', 'user_id'], unique=False)
    op.create_table('staff_statements', *_keys('staff_statements'),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('performance', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('commission', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('penalty_yuan', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('penalty_points', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('reward_yuan', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('reward_points', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('lines', JSONType, nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('issued_at', UTCDateTime(), nullable=False),
    sa.Column('confirmed_at', UTCDateTime(), nullable=True),
    sa.Column('decision_id', sa.BigInteger(), nullable=True),
    _fk('staff_statements', 'user_id', 'users'),
    sa.UniqueConstraint('tenant_id', 'user_id', 'month', name=op.f('uq_staff_statements_tenant_id_user_id_month'))
    )
    op.create_table('staff_scorecards', *_keys('staff_scorecards'),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('scheme', sa.String(length=50), nullable=False),
    sa.Column('dimensions', JSONType, nullable=False),
    sa.Column('scores', JSONType, nullable=False),
    sa.Column('total', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('policy_version', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('scored_by', sa.BigInteger(), nullable=True),
    sa.Column('scored_at', UTCDateTime(), nullable=False),
    sa.Column('appeal_reason', sa.Text(), nullable=True),
    sa.Column('appealed_at', UTCDateTime(), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_by', sa.BigInteger(), nullable=True),
    sa.Column('answered_at', UTCDateTime(), nullable=True),
    sa.Column('decision_id', sa.BigInteger(), nullable=True),
    _fk('staff_scorecards', 'user_id', 'users'),
    sa.UniqueConstraint('tenant_id', 'user_id', 'month', name=op.f('uq_staff_scorecards_tenant_id_user_id_month'))
    )
    op.create_index('ix_staff_scorecards_scheme_month', 'staff_scorecards', ['tenant_id', 'scheme', 'month'],
                    unique=False)
    op.create_table('staff_pay_schemes', *_keys('staff_pay_schemes'),
    sa.Column('department_id', sa.BigInteger(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('bases', JSONType, nullable=False),
    sa.Column('target', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('challenge_target', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('department_result', sa.String(length=20), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('drafted_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('approved_by', sa.BigInteger(), nullable=True),
    sa.Column('approved_at', UTCDateTime(), nullable=True),
    sa.Column('decision_id', sa.BigInteger(), nullable=True),
    sa.Column('job_id', sa.BigInteger(), nullable=True),
    _fk('staff_pay_schemes', 'department_id', 'departments'),
    sa.UniqueConstraint('tenant_id', 'department_id', 'month',
                        name=op.f('uq_staff_pay_schemes_tenant_id_department_id_month'))
    )
    op.create_table('staff_pay_results', *_keys('staff_pay_results'),
    sa.Column('scheme_id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('base', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('held_reason', sa.String(length=40), nullable=True),
    sa.Column('score', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('band', sa.String(length=20), nullable=True),
    sa.Column('factor', sa.Numeric(precision=6, scale=4), nullable=True),
    sa.Column('banded', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('department_result', sa.String(length=20), nullable=True),
    sa.Column('modifier_percent', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('modifier', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('pay', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('computed_at', UTCDateTime(), nullable=False),
    sa.Column('decision_id', sa.BigInteger(), nullable=True),
    _fk('staff_pay_results', 'scheme_id', 'staff_pay_schemes'),
    _fk('staff_pay_results', 'user_id', 'users'),
    sa.UniqueConstraint('tenant_id', 'user_id', 'month', name=op.f('uq_staff_pay_results_tenant_id_user_id_month'))
    )
    rls.grant_app_role(op)
    for table in TABLES:
        rls.enable_rls(op, table)


def downgrade():
    for table in reversed(TABLES):
        rls.disable_rls(op, table)
    op.drop_table('staff_pay_results')
    op.drop_table('staff_pay_schemes')
    op.drop_index('ix_staff_scorecards_scheme_month', table_name='staff_scorecards')
    op.drop_table('staff_scorecards')
    op.drop_table('staff_statements')
    op.drop_index('ix_staff_credit_shares_user', table_name='staff_credit_shares')
    op.drop_index('ix_staff_credit_shares_credit', table_name='staff_credit_shares')
    op.drop_table('staff_credit_shares')
    op.drop_index('ix_staff_credits_owner', table_name='staff_credits')
    op.drop_index('ix_staff_credits_month', table_name='staff_credits')
    op.drop_table('staff_credits')
