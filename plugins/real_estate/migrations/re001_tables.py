"""real_estate plugin: the sales office's tables (reception, attribution facts, units and sales control,
changes, plans and the follow-up sheet). Row-level security on every table, as the core's.

Revision ID: re001_tables
Revises:
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import core.db
from core.tenancy import rls

revision = 're001_tables'
down_revision = None
branch_labels = ('real_estate',)
depends_on = '0033_attachments'

TABLES = ['re_projects', 're_attribution_events', 're_buildings', 're_reception_days', 're_attribution_overrides', 're_follow_ups', 're_meeting_minutes', 're_plans', 're_units', 're_deposits', 're_holds', 're_meeting_lines', 're_receptions', 're_subscriptions', 're_changes', 're_contracts', 're_instalments']


def upgrade():
    op.create_table('re_projects',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('city', sa.String(length=50), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('department_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_re_projects_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_re_projects')),
    sa.UniqueConstraint('tenant_id', 'name', name=op.f('uq_re_projects_tenant_id_name'))
    )
    op.create_table('re_attribution_events',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('customer_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('against_id', sa.BigInteger(), nullable=True),
    sa.Column('approached_id', sa.BigInteger(), nullable=True),
    sa.Column('parties', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('unit_id', sa.BigInteger(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('decided_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.BigInteger(), nullable=True),
    sa.Column('complaint_id', sa.BigInteger(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('recorded_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'customer_id'], ['customers.tenant_id', 'customers.id'], name=op.f('fk_re_attribution_events_tenant_id_customer_id_customers')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_re_attribution_events_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_re_attribution_events'))
    )
    op.create_index('ix_re_attribution_events_customer', 're_attribution_events', ['tenant_id', 'customer_id'], unique=False)
    op.create_table('re_buildings',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('project_id', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('floors', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id', 'project_id'], ['re_projects.tenant_id', 're_projects.id'], name=op.f('fk_re_buildings_tenant_id_project_id_re_projects')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_re_buildings_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_re_buildings')),
    sa.UniqueConstraint('tenant_id', 'project_id', 'name', name=op.f('uq_re_buildings_tenant_id_project_id_name'))
    )
    op.create_table('re_reception_days',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('project_id', sa.BigInteger(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('order', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('state', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('set_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'project_id'], ['re_projects.tenant_id', 're_projects.id'], name=op.f('fk_re_reception_days_tenant_id_project_id_re_projects')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_re_reception_days_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_re_reception_days')),
    sa.UniqueConstraint('tenant_id', 'project_id', 'day', name=op.f('uq_re_reception_days_tenant_id_project_id_day'))
    )
    op.create_table('re_attribution_overrides',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('batch', sa.String(length=40), nullable=False),
    sa.Column('customer_id', sa.BigInteger(), nullable=False),
    sa.Column('event', sa.String(length=20), nullable=True),
    sa.Column('performance', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('bonus', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('follow_up_id', sa.BigInteger(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('decided_by', sa.BigInteger(), nullable=False),
    sa.Column('decided_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decision_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id', 'customer_id'], ['customers.tenant_id', 'customers.id'], name=op.f('fk_re_attribution_overrides_tenant_id_customer_id_customers')),
    sa.ForeignKeyConstraint(['tenant_id', 'decided_by'], ['users.tenant_id', 'users.id'], name=op.f('fk_re_attribution_overrides_tenant_id_decided_by_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_re_attribution_overrides_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_re_attribution_overrides'))
    )
    op.create_index('ix_re_attribution_overrides_customer', 're_attribution_overrides', ['tenant_id', 'customer_id'], unique=False)
    op.create_table('re_follow_ups',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('customer_id', sa.BigInteger(), nullable=False),
    sa.Column('salesperson_id', sa.BigInteger(), nullable=False),
    sa.Column('intent_class', sa.String(length=1), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('entered_by', sa.BigInteger(), nullable=True),
    sa.Column('entered_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'customer_id'], ['customers.tenant_id', 'customers.id'], name=op.f('fk_re_follow_ups_tenant_id_customer_id_customers')),
    sa.ForeignKeyConstraint(['tenant_id', 'salesperson_id'], ['users.tenant_id', 'users.id'], name=op.f('fk_re_follow_ups_tenant_id_salesperson_id_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_re_follow_ups_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_re_follow_ups'))
    )
    op.create_index('ix_re_follow_ups_customer', 're_follow_ups', ['tenant_id', 'customer_id', 'day'], unique=False)
    op.create_table('re_meeting_minutes',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('project_id', sa.BigInteger(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('recorded_by', sa.BigInteger(), nullable=False),
    sa.Column('recorded_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'project_id'], ['re_projects.tenant_id', 're_projects.id'], name=op.f('fk_re_meeting_minutes_tenant_id_project_id_re_projects')),
    sa.ForeignKeyConstraint(['tenant_id', 'recorded_by'], ['users.tenant_id', 'users.id'], name=op.f('fk_re_meeting_minutes_tenant_id_recorded_by_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_re_meeting_minutes_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_re_meeting_minutes')),
    sa.UniqueConstraint('tenant_id', 'project_id', 'day', name=op.f('uq_re_meeting_minutes_tenant_id_project_id_day'))
    )
    op.create_table('re_plans',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('plan', sa.Text(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('submitted_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('summarised_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id', 'user_id'], ['users.tenant_id', 'users.id'], name=op.f('fk_re_plans_tenant_id_user_id_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_re_plans_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_re_plans')),
    sa.UniqueConstraint('tenant_id', 'user_id', 'kind', 'day', name=op.f('uq_re_plans_tenant_id_user_id_kind_day'))
    )
    op.create_table('re_units',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('project_id', sa.BigInteger(), nullable=False),
    sa.Column('building_id', sa.BigInteger(), nullable=False),
    sa.Column('number', sa.String(length=30), nullable=False),
    sa.Column('floor', sa.Integer(), nullable=True),
    sa.Column('layout', sa.String(length=50), nullable=True),
    sa.Column('area', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('price', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('orientation', sa.String(length=20), nullable=True),
    sa.Column('popularity', sa.String(length=10), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('customer_id', sa.BigInteger(), nullable=True),
    sa.Column('salesperson_id', sa.BigInteger(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'building_id'], ['re_buildings.tenant_id', 're_buildings.id'], name=op.f('fk_re_units_tenant_id_building_id_re_buildings')),
    sa.ForeignKeyConstraint(['tenant_id', 'project_id'], ['re_projects.tenant_id', 're_projects.id'], name=op.f('fk_re_units_tenant_id_project_id_re_projects')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_re_units_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_re_units')),
    sa.UniqueConstraint('tenant_id', 'project_id', 'number', name=op.f('uq_re_units_tenant_id_project_id_number'))
    )
    op.create_index('ix_re_units_state', 're_units', ['tenant_id', 'project_id', 'state'], unique=False)
    op.create_table('re_deposits',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('unit_id', sa.BigInteger(), nullable=False),
    sa.Column('customer_id', sa.BigInteger(), nullable=False),
    sa.Column('salesperson_id', sa.BigInteger(), nullable=True),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('receipt_no', sa.String(length=50), nullable=False),
    sa.Column('received_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.BigInteger(), nullable=False),
    sa.Column('refunded_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('refund_receipt_no', sa.String(length=50), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id', 'customer_id'], ['customers.tenant_id', 'customers.id'], name=op.f('fk_re_deposits_tenant_id_customer_id_customers')),
    sa.ForeignKeyConstraint(['tenant_id', 'recorded_by'], ['users.tenant_id', 'users.id'], name=op.f('fk_re_deposits_tenant_id_recorded_by_users')),
    sa.ForeignKeyConstraint(['tenant_id', 'unit_id'], ['re_units.tenant_id', 're_units.id'], name=op.f('fk_re_deposits_tenant_id_unit_id_re_units')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_re_deposits_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_re_deposits')),
    sa.UniqueConstraint('tenant_id', 'receipt_no', name=op.f('uq_re_deposits_tenant_id_receipt_no'))
    )
    op.create_index('ix_re_deposits_at', 're_deposits', ['tenant_id', 'received_at'], unique=False)
    op.create_table('re_holds',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('unit_id', sa.BigInteger(), nullable=False),
    sa.Column('customer_id', sa.BigInteger(), nullable=True),
    sa.Column('holder_id', sa.BigInteger(), nullable=False),
    sa.Column('held_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('ended_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('extended_by', sa.BigInteger(), nullable=True),
    sa.Column('decision_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id', 'customer_id'], ['customers.tenant_id', 'customers.id'], name=op.f('fk_re_holds_tenant_id_customer_id_customers')),
    sa.ForeignKeyConstraint(['tenant_id', 'holder_id'], ['users.tenant_id', 'users.id'], name=op.f('fk_re_holds_tenant_id_holder_id_users')),
    sa.ForeignKeyConstraint(['tenant_id', 'unit_id'], ['re_units.tenant_id', 're_units.id'], name=op.f('fk_re_holds_tenant_id_unit_id_re_units')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_re_holds_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_re_holds'))
    )
    op.create_index('ix_re_holds_expiry', 're_holds', ['tenant_id', 'status', 'expires_at'], unique=False)
    op.create_index('uq_re_holds_active_unit', 're_holds', ['tenant_id', 'unit_id'], unique=True, postgresql_where=sa.text("status = 'active'"), sqlite_where=sa.text("status = 'active'"))
    op.create_table('re_meeting_lines',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('minutes_id', sa.BigInteger(), nullable=False),
    sa.Column('customer_id', sa.BigInteger(), nullable=False),
    sa.Column('salesperson_id', sa.BigInteger(), nullable=False),
    sa.Column('new_customer', sa.Boolean(), nullable=False),
    sa.Column('follow_up', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id', 'customer_id'], ['customers.tenant_id', 'customers.id'], name=op.f('fk_re_meeting_lines_tenant_id_customer_id_customers')),
    sa.ForeignKeyConstraint(['tenant_id', 'minutes_id'], ['re_meeting_minutes.tenant_id', 're_meeting_minutes.id'], name=op.f('fk_re_meeting_lines_tenant_id_minutes_id_re_meeting_minutes')),
    sa.ForeignKeyConstraint(['tenant_id', 'salesperson_id'], ['users.tenant_id', 'users.id'], name=op.f('fk_re_meeting_lines_tenant_id_salesperson_id_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_re_meeting_lines_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_re_meeting_lines')),
    sa.UniqueConstraint('tenant_id', 'minutes_id', 'customer_id', name=op.f('uq_re_meeting_lines_tenant_id_minutes_id_customer_id'))
    )
    op.create_index('ix_re_meeting_lines_customer', 're_meeting_lines', ['tenant_id', 'customer_id'], unique=False)
    op.create_table('re_receptions',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('project_id', sa.BigInteger(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('entered_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('late_entry', sa.Boolean(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('customer_id', sa.BigInteger(), nullable=False),
    sa.Column('register_entry_id', sa.BigInteger(), nullable=True),
    sa.Column('visited_before', sa.String(length=5), nullable=False),
    sa.Column('said_received_by', sa.BigInteger(), nullable=True),
    sa.Column('named', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('designated_id', sa.BigInteger(), nullable=True),
    sa.Column('refused_id', sa.BigInteger(), nullable=True),
    sa.Column('receiver_id', sa.BigInteger(), nullable=True),
    sa.Column('received_as', sa.String(length=20), nullable=False),
    sa.Column('turn_consumed', sa.Boolean(), nullable=False),
    sa.Column('assisting_for', sa.BigInteger(), nullable=True),
    sa.Column('standby_id', sa.BigInteger(), nullable=True),
    sa.Column('present', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('forgot', sa.Boolean(), nullable=False),
    sa.Column('event', sa.String(length=20), nullable=True),
    sa.Column('referred_by_customer_id', sa.BigInteger(), nullable=True),
    sa.Column('intent_class', sa.String(length=1), nullable=True),
    sa.Column('background', sa.Text(), nullable=True),
    sa.Column('deal_status', sa.String(length=20), nullable=False),
    sa.Column('no_deal_reason', sa.Text(), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.Column('suggestions', sa.Text(), nullable=True),
    sa.Column('decision_id', sa.BigInteger(), nullable=True),
    sa.Column('recorded_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'customer_id'], ['customers.tenant_id', 'customers.id'], name=op.f('fk_re_receptions_tenant_id_customer_id_customers')),
    sa.ForeignKeyConstraint(['tenant_id', 'project_id'], ['re_projects.tenant_id', 're_projects.id'], name=op.f('fk_re_receptions_tenant_id_project_id_re_projects')),
    sa.ForeignKeyConstraint(['tenant_id', 'receiver_id'], ['users.tenant_id', 'users.id'], name=op.f('fk_re_receptions_tenant_id_receiver_id_users')),
    sa.ForeignKeyConstraint(['tenant_id', 'register_entry_id'], ['register_entries.tenant_id', 'register_entries.id'], name=op.f('fk_re_receptions_tenant_id_register_entry_id_register_entries')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_re_receptions_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_re_receptions'))
    )
    op.create_index('ix_re_receptions_customer', 're_receptions', ['tenant_id', 'customer_id', 'at'], unique=False)
    op.create_index('ix_re_receptions_day', 're_receptions', ['tenant_id', 'project_id', 'day'], unique=False)
    op.create_table('re_subscriptions',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('number', sa.String(length=30), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('previous_id', sa.BigInteger(), nullable=True),
    sa.Column('unit_id', sa.BigInteger(), nullable=False),
    sa.Column('customer_id', sa.BigInteger(), nullable=False),
    sa.Column('salesperson_id', sa.BigInteger(), nullable=False),
    sa.Column('buyer_name', sa.String(length=100), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('mailing_address', sa.String(length=300), nullable=False),
    sa.Column('postcode', sa.String(length=6), nullable=False),
    sa.Column('price', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('balance', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('schedule', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('signed_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('copies', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('amendment_reason', sa.Text(), nullable=True),
    sa.Column('approved_by', sa.BigInteger(), nullable=True),
    sa.Column('credit_id', sa.BigInteger(), nullable=True),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'customer_id'], ['customers.tenant_id', 'customers.id'], name=op.f('fk_re_subscriptions_tenant_id_customer_id_customers')),
    sa.ForeignKeyConstraint(['tenant_id', 'previous_id'], ['re_subscriptions.tenant_id', 're_subscriptions.id'], name=op.f('fk_re_subscriptions_tenant_id_previous_id_re_subscriptions')),
    sa.ForeignKeyConstraint(['tenant_id', 'salesperson_id'], ['users.tenant_id', 'users.id'], name=op.f('fk_re_subscriptions_tenant_id_salesperson_id_users')),
    sa.ForeignKeyConstraint(['tenant_id', 'unit_id'], ['re_units.tenant_id', 're_units.id'], name=op.f('fk_re_subscriptions_tenant_id_unit_id_re_units')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_re_subscriptions_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_re_subscriptions')),
    sa.UniqueConstraint('tenant_id', 'number', 'version', name=op.f('uq_re_subscriptions_tenant_id_number_version'))
    )
    op.create_index('ix_re_subscriptions_unit', 're_subscriptions', ['tenant_id', 'unit_id'], unique=False)
    op.create_table('re_changes',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('subscription_id', sa.BigInteger(), nullable=False),
    sa.Column('from_unit_id', sa.BigInteger(), nullable=True),
    sa.Column('to_unit_id', sa.BigInteger(), nullable=True),
    sa.Column('old_name', sa.String(length=100), nullable=True),
    sa.Column('new_name', sa.String(length=100), nullable=True),
    sa.Column('fee', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('fee_paid_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('fee_receipt_no', sa.String(length=50), nullable=True),
    sa.Column('retention_note', sa.Text(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('requested_by', sa.BigInteger(), nullable=False),
    sa.Column('requested_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('approved_by', sa.BigInteger(), nullable=True),
    sa.Column('decided_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('done_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decision_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id', 'requested_by'], ['users.tenant_id', 'users.id'], name=op.f('fk_re_changes_tenant_id_requested_by_users')),
    sa.ForeignKeyConstraint(['tenant_id', 'subscription_id'], ['re_subscriptions.tenant_id', 're_subscriptions.id'], name=op.f('fk_re_changes_tenant_id_subscription_id_re_subscriptions')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_re_changes_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_re_changes'))
    )
    op.create_index('ix_re_changes_subscription', 're_changes', ['tenant_id', 'subscription_id'], unique=False)
    op.create_table('re_contracts',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('number', sa.String(length=50), nullable=False),
    sa.Column('subscription_id', sa.BigInteger(), nullable=False),
    sa.Column('unit_id', sa.BigInteger(), nullable=False),
    sa.Column('customer_id', sa.BigInteger(), nullable=False),
    sa.Column('buyer_name', sa.String(length=100), nullable=False),
    sa.Column('price', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('signed_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('custodian_id', sa.BigInteger(), nullable=False),
    sa.Column('salesperson_id', sa.BigInteger(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'customer_id'], ['customers.tenant_id', 'customers.id'], name=op.f('fk_re_contracts_tenant_id_customer_id_customers')),
    sa.ForeignKeyConstraint(['tenant_id', 'subscription_id'], ['re_subscriptions.tenant_id', 're_subscriptions.id'], name=op.f('fk_re_contracts_tenant_id_subscription_id_re_subscriptions')),
    sa.ForeignKeyConstraint(['tenant_id', 'unit_id'], ['re_units.tenant_id', 're_units.id'], name=op.f('fk_re_contracts_tenant_id_unit_id_re_units')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_re_contracts_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_re_contracts')),
    sa.UniqueConstraint('tenant_id', 'number', name=op.f('uq_re_contracts_tenant_id_number')),
    sa.UniqueConstraint('tenant_id', 'subscription_id', name=op.f('uq_re_contracts_tenant_id_subscription_id'))
    )
    op.create_index('ix_re_contracts_signed', 're_contracts', ['tenant_id', 'signed_at'], unique=False)
    op.create_table('re_instalments',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('subscription_id', sa.BigInteger(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('paid_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('receipt_no', sa.String(length=50), nullable=True),
    sa.Column('notice_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('notice_decision_id', sa.BigInteger(), nullable=True),
    sa.Column('breach_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('breach_decision_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id', 'subscription_id'], ['re_subscriptions.tenant_id', 're_subscriptions.id'], name=op.f('fk_re_instalments_tenant_id_subscription_id_re_subscriptions')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_re_instalments_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_re_instalments')),
    sa.UniqueConstraint('tenant_id', 'subscription_id', 'seq', name=op.f('uq_re_instalments_tenant_id_subscription_id_seq'))
    )
    op.create_index('ix_re_instalments_due', 're_instalments', ['tenant_id', 'due_on'], unique=False)

    rls.grant_app_role(op)
    for table in TABLES:
        rls.enable_rls(op, table)

def downgrade():
    for table in TABLES:
        rls.disable_rls(op, table)
    op.drop_index('ix_re_instalments_due', table_name='re_instalments')
    op.drop_table('re_instalments')
    op.drop_index('ix_re_contracts_signed', table_name='re_contracts')
    op.drop_table('re_contracts')
    op.drop_index('ix_re_changes_subscription', table_name='re_changes')
    op.drop_table('re_changes')
    op.drop_index('ix_re_subscriptions_unit', table_name='re_subscriptions')
    op.drop_table('re_subscriptions')
    op.drop_index('ix_re_receptions_day', table_name='re_receptions')
    op.drop_index('ix_re_receptions_customer', table_name='re_receptions')
    op.drop_table('re_receptions')
    op.drop_index('ix_re_meeting_lines_customer', table_name='re_meeting_lines')
    op.drop_table('re_meeting_lines')
    op.drop_index('uq_re_holds_active_unit', table_name='re_holds', postgresql_where=sa.text("status = 'active'"), sqlite_where=sa.text("status = 'active'"))
    op.drop_index('ix_re_holds_expiry', table_name='re_holds')
    op.drop_table('re_holds')
    op.drop_index('ix_re_deposits_at', table_name='re_deposits')
    op.drop_table('re_deposits')
    op.drop_index('ix_re_units_state', table_name='re_units')
    op.drop_table('re_units')
    op.drop_table('re_plans')
    op.drop_table('re_meeting_minutes')
    op.drop_index('ix_re_follow_ups_customer', table_name='re_follow_ups')
    op.drop_table('re_follow_ups')
    op.drop_index('ix_re_attribution_overrides_customer', table_name='re_attribution_overrides')
    op.drop_table('re_attribution_overrides')
    op.drop_table('re_reception_days')
    op.drop_table('re_buildings')
    op.drop_index('ix_re_attribution_events_customer', table_name='re_attribution_events')
    op.drop_table('re_attribution_events')
    op.drop_table('re_projects')
