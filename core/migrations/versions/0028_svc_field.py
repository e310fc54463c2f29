"""Field work: service-asset register and history, swaps on work orders, feedback forms, service records (SVC-10..13)

Revision ID: 0028_svc_field
Revises: 0027_svc_dispatch
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

from core.db import JSONType, UTCDateTime
from core.tenancy import rls

revision = "0028_svc_field"
down_revision = "0027_svc_dispatch"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('service_assets',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('identifier', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('customer_id', sa.BigInteger(), nullable=True),
    sa.Column('plate', sa.String(length=60), nullable=True),
    sa.Column('fault', sa.Text(), nullable=True),
    sa.Column('last_order_id', sa.BigInteger(), nullable=True),
    sa.Column('taken_back_at', UTCDateTime(), nullable=True),
    sa.Column('returned_at', UTCDateTime(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'customer_id'], ['customers.tenant_id', 'customers.id'], name=op.f('fk_service_assets_tenant_id_customer_id_customers')),
    sa.ForeignKeyConstraint(['tenant_id', 'last_order_id'], ['work_orders.tenant_id', 'work_orders.id'], name=op.f('fk_service_assets_tenant_id_last_order_id_work_orders')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_service_assets_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_service_assets')),
    sa.UniqueConstraint('tenant_id', 'kind', 'identifier', name=op.f('uq_service_assets_tenant_id_kind_identifier'))
    )
    with op.batch_alter_table('service_assets', schema=None) as batch_op:
        batch_op.create_index('ix_service_assets_customer', ['tenant_id', 'customer_id'], unique=False)
        batch_op.create_index('ix_service_assets_status', ['tenant_id', 'status', 'kind'], unique=False)

    op.create_table('work_order_feedback',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('order_id', sa.BigInteger(), nullable=False),
    sa.Column('result', sa.Text(), nullable=True),
    sa.Column('opinion', sa.Text(), nullable=True),
    sa.Column('signatory', sa.String(length=100), nullable=True),
    sa.Column('signed', sa.Boolean(), nullable=False),
    sa.Column('photo_attachment_id', sa.BigInteger(), nullable=True),
    sa.Column('received_at', UTCDateTime(), nullable=False),
    sa.Column('by', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id', 'by'], ['users.tenant_id', 'users.id'], name=op.f('fk_work_order_feedback_tenant_id_by_users')),
    sa.ForeignKeyConstraint(['tenant_id', 'order_id'], ['work_orders.tenant_id', 'work_orders.id'], name=op.f('fk_work_order_feedback_tenant_id_order_id_work_orders')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_work_order_feedback_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_work_order_feedback'))
    )
    with op.batch_alter_table('work_order_feedback', schema=None) as batch_op:
        batch_op.create_index('ix_work_order_feedback_order', ['tenant_id', 'order_id', 'received_at'], unique=False)

    op.create_table('work_order_records',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('order_id', sa.BigInteger(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('fields', JSONType, nullable=False),
    sa.Column('required', JSONType, nullable=False),
    sa.Column('recorded_at', UTCDateTime(), nullable=False),
    sa.Column('entered_at', UTCDateTime(), nullable=False),
    sa.Column('recorded_by', sa.BigInteger(), nullable=True),
    sa.Column('policy_version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'order_id'], ['work_orders.tenant_id', 'work_orders.id'], name=op.f('fk_work_order_records_tenant_id_order_id_work_orders')),
    sa.ForeignKeyConstraint(['tenant_id', 'recorded_by'], ['users.tenant_id', 'users.id'], name=op.f('fk_work_order_records_tenant_id_recorded_by_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_work_order_records_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_work_order_records'))
    )
    with op.batch_alter_table('work_order_records', schema=None) as batch_op:
        batch_op.create_index('ix_work_order_records_order', ['tenant_id', 'order_id', 'recorded_at'], unique=False)

    op.create_table('service_asset_events',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('asset_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('order_id', sa.BigInteger(), nullable=True),
    sa.Column('at', UTCDateTime(), nullable=False),
    sa.Column('by', sa.BigInteger(), nullable=True),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('data', JSONType, nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'asset_id'], ['service_assets.tenant_id', 'service_assets.id'], name=op.f('fk_service_asset_events_tenant_id_asset_id_service_assets')),
    sa.ForeignKeyConstraint(['tenant_id', 'by'], ['users.tenant_id', 'users.id'], name=op.f('fk_service_asset_events_tenant_id_by_users')),
    sa.ForeignKeyConstraint(['tenant_id', 'order_id'], ['work_orders.tenant_id', 'work_orders.id'], name=op.f('fk_service_asset_events_tenant_id_order_id_work_orders')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_service_asset_events_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_service_asset_events'))
    )
    with op.batch_alter_table('service_asset_events', schema=None) as batch_op:
        batch_op.create_index('ix_service_asset_events_asset', ['tenant_id', 'asset_id', 'at'], unique=False)

    op.create_table('work_order_swaps',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('order_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('old_asset_id', sa.BigInteger(), nullable=False),
    sa.Column('new_asset_id', sa.BigInteger(), nullable=False),
    sa.Column('old_identifier', sa.String(length=100), nullable=False),
    sa.Column('new_identifier', sa.String(length=100), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('at', UTCDateTime(), nullable=False),
    sa.Column('by', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id', 'by'], ['users.tenant_id', 'users.id'], name=op.f('fk_work_order_swaps_tenant_id_by_users')),
    sa.ForeignKeyConstraint(['tenant_id', 'new_asset_id'], ['service_assets.tenant_id', 'service_assets.id'], name=op.f('fk_work_order_swaps_tenant_id_new_asset_id_service_assets')),
    sa.ForeignKeyConstraint(['tenant_id', 'old_asset_id'], ['service_assets.tenant_id', 'service_assets.id'], name=op.f('fk_work_order_swaps_tenant_id_old_asset_id_service_assets')),
    sa.ForeignKeyConstraint(['tenant_id', 'order_id'], ['work_orders.tenant_id', 'work_orders.id'], name=op.f('fk_work_order_swaps_tenant_id_order_id_work_orders')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_work_order_swaps_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_work_order_swaps'))
    )
    with op.batch_alter_table('work_order_swaps', schema=None) as batch_op:
        batch_op.create_index('ix_work_order_swaps_order', ['tenant_id', 'order_id'], unique=False)
    rls.grant_app_role(op)
    rls.enable_rls(op, "service_assets")
    rls.enable_rls(op, "work_order_feedback")
    rls.enable_rls(op, "work_order_records")
    rls.enable_rls(op, "service_asset_events")
    rls.enable_rls(op, "work_order_swaps")


def downgrade():
    rls.disable_rls(op, "work_order_swaps")
    rls.disable_rls(op, "service_asset_events")
    rls.disable_rls(op, "work_order_records")
    rls.disable_rls(op, "work_order_feedback")
    rls.disable_rls(op, "service_assets")
    with op.batch_alter_table('work_order_swaps', schema=None) as batch_op:
        batch_op.drop_index('ix_work_order_swaps_order')

    op.drop_table('work_order_swaps')
    with op.batch_alter_table('service_asset_events', schema=None) as batch_op:
        batch_op.drop_index('ix_service_asset_events_asset')

    op.drop_table('service_asset_events')
    with op.batch_alter_table('work_order_records', schema=None) as batch_op:
        batch_op.drop_index('ix_work_order_records_order')

    op.drop_table('work_order_records')
    with op.batch_alter_table('work_order_feedback', schema=None) as batch_op:
        batch_op.drop_index('ix_work_order_feedback_order')

    op.drop_table('work_order_feedback')
    with op.batch_alter_table('service_assets', schema=None) as batch_op:
        batch_op.drop_index('ix_service_assets_status')
        batch_op.drop_index('ix_service_assets_customer')

    op.drop_table('service_assets')
