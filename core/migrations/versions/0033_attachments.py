"""Attachments: files per tenant attached to work orders, complaints, customers

Revision ID: 0033_attachments
Revises: 0026_svc_orders
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

from core.db import UTCDateTime
from core.tenancy import rls


revision = "0033_attachments"
down_revision = '0026_svc_orders'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('attachments',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('subject_type', sa.String(length=40), nullable=False),
    sa.Column('subject_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_key', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by', sa.BigInteger(), nullable=True),
    sa.Column('uploaded_at', UTCDateTime(), nullable=False),
    sa.Column('custodian_id', sa.BigInteger(), nullable=True),
    sa.Column('deleted_at', UTCDateTime(), nullable=True),
    sa.Column('deleted_by', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id', 'custodian_id'], ['users.tenant_id', 'users.id'], name=op.f('fk_attachments_tenant_id_custodian_id_users')),
    sa.ForeignKeyConstraint(['tenant_id', 'deleted_by'], ['users.tenant_id', 'users.id'], name=op.f('fk_attachments_tenant_id_deleted_by_users')),
    sa.ForeignKeyConstraint(['tenant_id', 'uploaded_by'], ['users.tenant_id', 'users.id'], name=op.f('fk_attachments_tenant_id_uploaded_by_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_attachments_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_attachments')),
    sa.UniqueConstraint('tenant_id', 'storage_key', name=op.f('uq_attachments_tenant_id_storage_key'))
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index('ix_attachments_subject', ['tenant_id', 'subject_type', 'subject_id', 'uploaded_at'], unique=False)
    rls.grant_app_role(op)
    rls.enable_rls(op, "attachments")


def downgrade():
    rls.disable_rls(op, "attachments")
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index('ix_attachments_subject')

    op.drop_table('attachments')
