"""Assignment and reassignment (CUS-30..CUS-36) and the visitor and call register (CUS-80): rotation
groups with their state, register entries, redistribution runs and items, lead batches with their
items and monthly counts, customer flags and staff contacts.

Revision ID: 0007_cus_assignment
Revises: 0006_cus_points
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

from core.db import JSONType, UTCDateTime
from core.tenancy import rls

revision = "0007_cus_assignment"
down_revision = "0006_cus_points"
branch_labels = None
depends_on = None

TABLES = ['customer_flags', 'lead_batches', 'rotation_groups', 'customer_staff_contacts', 'lead_batch_counts', 'lead_batch_items', 'redistribution_runs', 'register_entries', 'redistribution_items']


def upgrade():
    op.create_table('customer_flags',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('customer_id', sa.BigInteger(), nullable=False),
    sa.Column('flag', sa.String(length=50), nullable=False),
    sa.Column('set_by', sa.BigInteger(), nullable=True),
    sa.Column('set_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'customer_id'], ['customers.tenant_id', 'customers.id'], name=op.f('fk_customer_flags_tenant_id_customer_id_customers')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_customer_flags_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'customer_id', 'flag', name=op.f('pk_customer_flags'))
    )
    op.create_table('lead_batches',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('event_id', sa.BigInteger(), nullable=True),
    sa.Column('department_id', sa.BigInteger(), nullable=True),
    sa.Column('at', UTCDateTime(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('seed', sa.BigInteger(), nullable=False),
    sa.Column('participants', JSONType, nullable=False),
    sa.Column('priority', JSONType, nullable=False),
    sa.Column('counts', JSONType, nullable=False),
    sa.Column('decision_id', sa.BigInteger(), nullable=True),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'department_id'], ['departments.tenant_id', 'departments.id'], name=op.f('fk_lead_batches_tenant_id_department_id_departments')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_lead_batches_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_lead_batches'))
    )
    op.create_table('rotation_groups',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('department_id', sa.BigInteger(), nullable=True),
    sa.Column('members', JSONType, nullable=False),
    sa.Column('pointer', sa.BigInteger(), nullable=True),
    sa.Column('owed', JSONType, nullable=False),
    sa.Column('day', sa.Date(), nullable=True),
    sa.Column('turns_today', JSONType, nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'department_id'], ['departments.tenant_id', 'departments.id'], name=op.f('fk_rotation_groups_tenant_id_department_id_departments')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_rotation_groups_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_rotation_groups')),
    sa.UniqueConstraint('tenant_id', 'name', name=op.f('uq_rotation_groups_tenant_id_name'))
    )
    op.create_table('customer_staff_contacts',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('customer_id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('slot', sa.String(length=20), nullable=False),
    sa.Column('report_duty', sa.Boolean(), nullable=False),
    sa.Column('added_by', sa.BigInteger(), nullable=True),
    sa.Column('added_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'customer_id'], ['customers.tenant_id', 'customers.id'], name=op.f('fk_customer_staff_contacts_tenant_id_customer_id_customers')),
    sa.ForeignKeyConstraint(['tenant_id', 'user_id'], ['users.tenant_id', 'users.id'], name=op.f('fk_customer_staff_contacts_tenant_id_user_id_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_customer_staff_contacts_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'customer_id', 'user_id', name=op.f('pk_customer_staff_contacts'))
    )
    op.create_table('lead_batch_counts',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('staff_id', sa.BigInteger(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'staff_id'], ['users.tenant_id', 'users.id'], name=op.f('fk_lead_batch_counts_tenant_id_staff_id_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_lead_batch_counts_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'staff_id', 'month', name=op.f('pk_lead_batch_counts'))
    )
    op.create_table('lead_batch_items',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('batch_id', sa.BigInteger(), nullable=False),
    sa.Column('customer_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('staff_id', sa.BigInteger(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=True),
    sa.Column('decision_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id', 'batch_id'], ['lead_batches.tenant_id', 'lead_batches.id'], name=op.f('fk_lead_batch_items_tenant_id_batch_id_lead_batches')),
    sa.ForeignKeyConstraint(['tenant_id', 'customer_id'], ['customers.tenant_id', 'customers.id'], name=op.f('fk_lead_batch_items_tenant_id_customer_id_customers')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_lead_batch_items_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'batch_id', 'customer_id', name=op.f('pk_lead_batch_items'))
    )
    op.create_table('redistribution_runs',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('leaver_id', sa.BigInteger(), nullable=False),
    sa.Column('trigger', sa.String(length=20), nullable=False),
    sa.Column('strategy', sa.String(length=20), nullable=False),
    sa.Column('seed', sa.BigInteger(), nullable=True),
    sa.Column('scope', sa.String(length=20), nullable=False),
    sa.Column('leave_start', sa.Date(), nullable=True),
    sa.Column('leave_end', sa.Date(), nullable=True),
    sa.Column('customers', JSONType, nullable=False),
    sa.Column('shuffled', JSONType, nullable=False),
    sa.Column('colleagues', JSONType, nullable=False),
    sa.Column('skipped', JSONType, nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('dedupe_key', sa.String(length=200), nullable=False),
    sa.Column('decision_id', sa.BigInteger(), nullable=True),
    sa.Column('job_id', sa.BigInteger(), nullable=True),
    sa.Column('requested_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('finished_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id', 'leaver_id'], ['users.tenant_id', 'users.id'], name=op.f('fk_redistribution_runs_tenant_id_leaver_id_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_redistribution_runs_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_redistribution_runs')),
    sa.UniqueConstraint('tenant_id', 'dedupe_key', name=op.f('uq_redistribution_runs_tenant_id_dedupe_key'))
    )
    with op.batch_alter_table('redistribution_runs') as batch:
        batch.create_index('ix_redistribution_runs_leaver', ['tenant_id', 'leaver_id'])
    op.create_table('register_entries',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('at', UTCDateTime(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('customer_name', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('customer_id', sa.BigInteger(), nullable=True),
    sa.Column('first_visit', sa.Boolean(), nullable=False),
    sa.Column('named_salespersons', JSONType, nullable=False),
    sa.Column('designated_id', sa.BigInteger(), nullable=True),
    sa.Column('receiver_id', sa.BigInteger(), nullable=True),
    sa.Column('received_as', sa.String(length=20), nullable=False),
    sa.Column('turn_consumed', sa.Boolean(), nullable=False),
    sa.Column('rotation_group_id', sa.BigInteger(), nullable=True),
    sa.Column('source', sa.String(length=100), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('outcome_reasons', JSONType, nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('decision_id', sa.BigInteger(), nullable=True),
    sa.Column('recorded_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'customer_id'], ['customers.tenant_id', 'customers.id'], name=op.f('fk_register_entries_tenant_id_customer_id_customers')),
    sa.ForeignKeyConstraint(['tenant_id', 'rotation_group_id'], ['rotation_groups.tenant_id', 'rotation_groups.id'], name=op.f('fk_register_entries_tenant_id_rotation_group_id_rotation_groups')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_register_entries_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_register_entries'))
    )
    with op.batch_alter_table('register_entries') as batch:
        batch.create_index('ix_register_entries_at', ['tenant_id', 'at'])
    with op.batch_alter_table('register_entries') as batch:
        batch.create_index('ix_register_entries_phone', ['tenant_id', 'phone'])
    op.create_table('redistribution_items',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('run_id', sa.BigInteger(), nullable=False),
    sa.Column('customer_id', sa.BigInteger(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=True),
    sa.Column('to_owner_id', sa.BigInteger(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('reason_zh', sa.Text(), nullable=False),
    sa.Column('reason_en', sa.Text(), nullable=False),
    sa.Column('decision_id', sa.BigInteger(), nullable=True),
    sa.Column('applied_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id', 'customer_id'], ['customers.tenant_id', 'customers.id'], name=op.f('fk_redistribution_items_tenant_id_customer_id_customers')),
    sa.ForeignKeyConstraint(['tenant_id', 'run_id'], ['redistribution_runs.tenant_id', 'redistribution_runs.id'], name=op.f('fk_redistribution_items_tenant_id_run_id_redistribution_runs')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_redistribution_items_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'run_id', 'customer_id', name=op.f('pk_redistribution_items'))
    )
    rls.grant_app_role(op)
    for table in TABLES:
        rls.enable_rls(op, table)


def downgrade():
    for table in reversed(TABLES):
        rls.disable_rls(op, table)
    for table in reversed(TABLES):
        op.drop_table(table)
