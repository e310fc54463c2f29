"""Merge and undo of customers (CUS-15): the tombstone columns of ``customers`` and the merge records.

Revision ID: 0014_cus_merge
Revises: 0013_cus_confidentiality
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

from core.db import JSONType, UTCDateTime
from core.tenancy import rls

revision = "0014_cus_merge"
down_revision = "0013_cus_confidentiality"
branch_labels = None
depends_on = None

TABLES = ["customer_merges"]


def _customer_fk(table: str, column: str):
    return sa.ForeignKeyConstraint(["tenant_id", column], ["customers.tenant_id", "customers.id"],
                                   name=op.f(f"fk_{table}_tenant_id_{column}_customers"))


def upgrade():
    with op.batch_alter_table("customers") as batch:
        batch.add_column(sa.Column("merged_into_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("merged_at", UTCDateTime(), nullable=True))
    op.create_table(
        "customer_merges",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("survivor_id", sa.BigInteger(), nullable=False),
        sa.Column("merged_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("merged_by", sa.BigInteger(), nullable=True),
        sa.Column("merged_at", UTCDateTime(), nullable=False),
        sa.Column("undo_deadline", UTCDateTime(), nullable=False),
        sa.Column("moved", JSONType, nullable=False),
        sa.Column("kept", JSONType, nullable=False),
        sa.Column("merged_keys", JSONType, nullable=False),
        sa.Column("survivor_owner_before", JSONType, nullable=True),
        sa.Column("merged_owner_before", JSONType, nullable=True),
        sa.Column("survivor_owner_after", JSONType, nullable=True),
        sa.Column("decision_id", sa.BigInteger(), nullable=True),
        sa.Column("undone_at", UTCDateTime(), nullable=True),
        sa.Column("undone_by", sa.BigInteger(), nullable=True),
        sa.Column("undo_reason", sa.Text(), nullable=True),
        sa.Column("undo_decision_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_customer_merges_tenant_id_tenants")),
        _customer_fk("customer_merges", "survivor_id"),
        _customer_fk("customer_merges", "merged_id"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_customer_merges")),
    )
    op.create_index("ix_customer_merges_survivor", "customer_merges", ["tenant_id", "survivor_id"])
    op.create_index("ix_customer_merges_merged", "customer_merges", ["tenant_id", "merged_id"])
    rls.grant_app_role(op)
    for table in TABLES:
        rls.enable_rls(op, table)


def downgrade():
    for table in reversed(TABLES):
        rls.disable_rls(op, table)
    op.drop_index("ix_customer_merges_merged", table_name="customer_merges")
    op.drop_index("ix_customer_merges_survivor", table_name="customer_merges")
    for table in reversed(TABLES):
        op.drop_table(table)
    with op.batch_alter_table("customers") as batch:
        batch.drop_column("merged_at")
        batch.drop_column("merged_into_id")
