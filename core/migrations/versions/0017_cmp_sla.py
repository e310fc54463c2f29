"""Complaint deadlines (CMP-30..37, CMP-40): the escalation ladder each milestone started under, the
reminders (催办单) and investigation orders (查办单) of CMP-35.

Revision ID: 0017_cmp_sla
Revises: 0016_cmp_intake
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

from core.db import JSONType, UTCDateTime
from core.tenancy import rls

revision = '0017_cmp_sla'
down_revision = "0016_cmp_intake"
branch_labels = None
depends_on = None


TABLES = ["complaint_reminders", "complaint_investigations"]


def _keys(table: str) -> list:
    return [
        sa.Column('tenant_id', sa.BigInteger(), nullable=False),
        sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f(f'fk_{table}_tenant_id_tenants')),
        sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f(f'pk_{table}')),
    ]


def _complaint_fk(table: str):
    return sa.ForeignKeyConstraint(['tenant_id', 'complaint_id'], ['complaints.tenant_id', 'complaints.id'],
                                   name=op.f(f'fk_{table}_tenant_id_complaint_id_complaints'))


def _department_fk(table: str):
    return sa.ForeignKeyConstraint(['tenant_id', 'department_id'], ['departments.tenant_id', 'departments.id'],
                                   name=op.f(f'fk_{table}_tenant_id_department_id_departments'))


def upgrade():
    with op.batch_alter_table('sla_milestones') as batch:
        batch.add_column(sa.Column('escalation_ladder', JSONType, nullable=False, server_default='[]'))
        batch.add_column(sa.Column('escalation_interval', sa.String(length=40), nullable=True))
    with op.batch_alter_table('sla_milestones') as batch:
        batch.alter_column('escalation_ladder', server_default=None)
    op.create_table(
        'complaint_reminders',
        *_keys('complaint_reminders'),
        sa.Column('complaint_id', sa.BigInteger(), nullable=False),
        sa.Column('dated', sa.Date(), nullable=False),
        sa.Column('department_id', sa.BigInteger(), nullable=True),
        sa.Column('recipients', JSONType, nullable=False),
        sa.Column('overdue', JSONType, nullable=False),
        sa.Column('decision_id', sa.BigInteger(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        _complaint_fk('complaint_reminders'),
        _department_fk('complaint_reminders'),
        sa.UniqueConstraint('tenant_id', 'complaint_id', 'dated',
                            name=op.f('uq_complaint_reminders_tenant_id_complaint_id_dated')),
    )
    op.create_index('ix_complaint_reminders_dated', 'complaint_reminders', ['tenant_id', 'dated'], unique=False)
    op.create_table(
        'complaint_investigations',
        *_keys('complaint_investigations'),
        sa.Column('complaint_id', sa.BigInteger(), nullable=False),
        sa.Column('department_id', sa.BigInteger(), nullable=True),
        sa.Column('closed_at', UTCDateTime(), nullable=True),
        sa.Column('breaches', JSONType, nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('answer', sa.Text(), nullable=True),
        sa.Column('answered_by', sa.BigInteger(), nullable=True),
        sa.Column('answered_at', UTCDateTime(), nullable=True),
        sa.Column('decision_id', sa.BigInteger(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        _complaint_fk('complaint_investigations'),
        _department_fk('complaint_investigations'),
        sa.ForeignKeyConstraint(['tenant_id', 'answered_by'], ['users.tenant_id', 'users.id'],
                                name=op.f('fk_complaint_investigations_tenant_id_answered_by_users')),
        sa.UniqueConstraint('tenant_id', 'complaint_id', name=op.f('uq_complaint_investigations_tenant_id_complaint_id')),
    )
    op.create_index('ix_complaint_investigations_status', 'complaint_investigations',
                    ['tenant_id', 'status', 'department_id'], unique=False)
    rls.grant_app_role(op)
    for table in TABLES:
        rls.enable_rls(op, table)


def downgrade():
    for table in reversed(TABLES):
        rls.disable_rls(op, table)
    op.drop_index('ix_complaint_investigations_status', table_name='complaint_investigations')
    op.drop_table('complaint_investigations')
    op.drop_index('ix_complaint_reminders_dated', table_name='complaint_reminders')
    op.drop_table('complaint_reminders')
    with op.batch_alter_table('sla_milestones') as batch:
        batch.drop_column('escalation_interval')
        batch.drop_column('escalation_ladder')
