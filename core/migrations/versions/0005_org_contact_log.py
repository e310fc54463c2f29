"""Departments and staff availability (CAL-11, CUS-30/70), the contact log (CUS-60), customer
transactions (CUS-43/51/93), and who owns a customer with the history of changes (CUS-20).

Revision ID: 0005_org_contact_log
Revises: 0004_customers
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

from core.db import UTCDateTime
from core.tenancy import rls

revision = "0005_org_contact_log"
down_revision = "0004_customers"
branch_labels = None
depends_on = None

TABLES = ["departments", "contact_log", "customer_transactions", "customer_ownership", "ownership_changes"]


def _keys(table: str):
    return [
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f(f"fk_{table}_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f(f"pk_{table}")),
    ]


def _customer_fk(table: str):
    return sa.ForeignKeyConstraint(["tenant_id", "customer_id"], ["customers.tenant_id", "customers.id"],
                                   name=op.f(f"fk_{table}_tenant_id_customer_id_customers"))


def upgrade():
    op.create_table(
        "departments",
        *_keys("departments"),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("parent_id", sa.BigInteger(), nullable=True),
        sa.Column("head_user_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id", "parent_id"], ["departments.tenant_id", "departments.id"],
                                name=op.f("fk_departments_tenant_id_parent_id_departments")),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_departments_tenant_id_name")),
    )
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("department_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("team", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("availability", sa.String(length=30), nullable=False, server_default="on_duty"))
        batch.add_column(sa.Column("availability_until", UTCDateTime(), nullable=True))
        batch.create_foreign_key(op.f("fk_users_tenant_id_department_id_departments"), "departments",
                                 ["tenant_id", "department_id"], ["tenant_id", "id"])
    with op.batch_alter_table("users") as batch:
        batch.alter_column("availability", server_default=None)
    op.create_table(
        "contact_log",
        *_keys("contact_log"),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("channel", sa.String(length=30), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("content", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(length=500), nullable=True),
        sa.Column("next_step", sa.String(length=500), nullable=True),
        sa.Column("return_visit", sa.Boolean(), nullable=False),
        sa.Column("customer_signed", sa.Boolean(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("confirmed_at", UTCDateTime(), nullable=True),
        sa.Column("confirmed_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _customer_fk("contact_log"),
    )
    op.create_table(
        "customer_transactions",
        *_keys("customer_transactions"),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("refund_of", sa.BigInteger(), nullable=True),
        sa.Column("event_id", sa.BigInteger(), nullable=True),
        sa.Column("gross_profit", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _customer_fk("customer_transactions"),
    )
    op.create_table(
        "customer_ownership",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("owner_id", sa.BigInteger(), nullable=True),
        sa.Column("department_id", sa.BigInteger(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("since", UTCDateTime(), nullable=False),
        sa.Column("until", UTCDateTime(), nullable=True),
        sa.Column("decision_id", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_customer_ownership_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("tenant_id", "customer_id", name=op.f("pk_customer_ownership")),
        _customer_fk("customer_ownership"),
    )
    op.create_table(
        "ownership_changes",
        *_keys("ownership_changes"),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("from_owner_id", sa.BigInteger(), nullable=True),
        sa.Column("to_owner_id", sa.BigInteger(), nullable=True),
        sa.Column("from_department_id", sa.BigInteger(), nullable=True),
        sa.Column("to_department_id", sa.BigInteger(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("until", UTCDateTime(), nullable=True),
        sa.Column("rule_id", sa.String(length=60), nullable=False),
        sa.Column("decision_id", sa.BigInteger(), nullable=True),
        sa.Column("decided_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _customer_fk("ownership_changes"),
    )
    with op.batch_alter_table("customer_ownership") as batch:
        batch.create_index("ix_customer_ownership_owner", ["tenant_id", "owner_id"])
        batch.create_index("ix_customer_ownership_department", ["tenant_id", "department_id"])
    with op.batch_alter_table("ownership_changes") as batch:
        batch.create_index("ix_ownership_changes_customer", ["tenant_id", "customer_id", "at"])
    with op.batch_alter_table("contact_log") as batch:
        batch.create_index("ix_contact_log_customer_at", ["tenant_id", "customer_id", "at"])
    with op.batch_alter_table("customer_transactions") as batch:
        batch.create_index("ix_customer_transactions_customer_at", ["tenant_id", "customer_id", "at"])
    rls.grant_app_role(op)
    for table in TABLES:
        rls.enable_rls(op, table)


def downgrade():
    for table in reversed(TABLES):
        rls.disable_rls(op, table)
    op.drop_table("ownership_changes")
    op.drop_table("customer_ownership")
    op.drop_table("customer_transactions")
    op.drop_table("contact_log")
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint(op.f("fk_users_tenant_id_department_id_departments"), type_="foreignkey")
        batch.drop_column("availability_until")
        batch.drop_column("availability")
        batch.drop_column("team")
        batch.drop_column("department_id")
    op.drop_table("departments")
