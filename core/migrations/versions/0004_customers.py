"""Customers (CUS-01), their phones (CUS-10) and duplicate look-up keys (CUS-13).

Revision ID: 0004_customers
Revises: 0003_core_stale_jobs_fn
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

from core.db import UTCDateTime
from core.tenancy import rls

revision = "0004_customers"
down_revision = "0003_core_stale_jobs_fn"
branch_labels = None
depends_on = None

TABLES = ["customers", "customer_phones", "customer_keys"]


def upgrade():
    op.create_table(
        "customers",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("name_pinyin", sa.String(length=1000), nullable=False),
        sa.Column("name_initials", sa.String(length=200), nullable=False),
        sa.Column("resident_id", sa.String(length=18), nullable=True),
        sa.Column("uscc", sa.String(length=18), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("gender", sa.String(length=10), nullable=True),
        sa.Column("district", sa.String(length=100), nullable=True),
        sa.Column("address", sa.String(length=500), nullable=True),
        sa.Column("source", sa.String(length=100), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_customers_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_customers")),
    )
    op.create_table(
        "customer_phones",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("e164", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("extension", sa.String(length=10), nullable=True),
        sa.Column("label", sa.String(length=50), nullable=True),
        sa.ForeignKeyConstraint(["tenant_id", "customer_id"], ["customers.tenant_id", "customers.id"],
                                name=op.f("fk_customer_phones_tenant_id_customer_id_customers")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_customer_phones_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_customer_phones")),
    )
    op.create_table(
        "customer_keys",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("key", sa.String(length=1000), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id", "customer_id"], ["customers.tenant_id", "customers.id"],
                                name=op.f("fk_customer_keys_tenant_id_customer_id_customers")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_customer_keys_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("tenant_id", "key", "customer_id", name=op.f("pk_customer_keys")),
    )
    with op.batch_alter_table("customer_phones") as batch:
        batch.create_index("ix_customer_phones_customer", ["tenant_id", "customer_id"])
    with op.batch_alter_table("customer_keys") as batch:
        batch.create_index("ix_customer_keys_customer", ["tenant_id", "customer_id"])
    rls.grant_app_role(op)
    for table in TABLES:
        rls.enable_rls(op, table)


def downgrade():
    for table in reversed(TABLES):
        rls.disable_rls(op, table)
    op.drop_table("customer_keys")
    op.drop_table("customer_phones")
    op.drop_table("customers")
