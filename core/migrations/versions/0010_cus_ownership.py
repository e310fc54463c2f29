"""Ownership and protection (CUS-14, CUS-21, CUS-24, CUS-26, CUS-27): claims with their evidence, deals
that lock ownership, arbitration cases with their events, household links.

Revision ID: 0010_cus_ownership
Revises: 0009_cus_grades
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

from core.db import JSONType, UTCDateTime
from core.tenancy import rls

revision = "0010_cus_ownership"
down_revision = "0009_cus_grades"
branch_labels = None
depends_on = None

TABLES = ["customer_claims", "customer_deals", "ownership_cases", "ownership_case_events", "household_links"]


def _keys(table: str):
    return [
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f(f"fk_{table}_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f(f"pk_{table}")),
    ]


def _customer_fk(table: str, column: str = "customer_id"):
    return sa.ForeignKeyConstraint(["tenant_id", column], ["customers.tenant_id", "customers.id"],
                                   name=op.f(f"fk_{table}_tenant_id_{column}_customers"))


def upgrade():
    op.create_table(
        "customer_claims",
        *_keys("customer_claims"),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("claimant_id", sa.BigInteger(), nullable=False),
        sa.Column("department_id", sa.BigInteger(), nullable=True),
        sa.Column("source_type", sa.String(length=60), nullable=True),
        sa.Column("source_id", sa.BigInteger(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("void", sa.Boolean(), nullable=False),
        sa.Column("approved_at", UTCDateTime(), nullable=True),
        sa.Column("approved_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _customer_fk("customer_claims"),
    )
    op.create_table(
        "customer_deals",
        *_keys("customer_deals"),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("performance_owner_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _customer_fk("customer_deals"),
    )
    op.create_table(
        "ownership_cases",
        *_keys("ownership_cases"),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("opened_by", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("claim_ids", JSONType, nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("proposed_owner_id", sa.BigInteger(), nullable=True),
        sa.Column("proposal_rule", sa.String(length=60), nullable=True),
        sa.Column("objection_end", UTCDateTime(), nullable=True),
        sa.Column("assigned_roles", JSONType, nullable=False),
        sa.Column("final_owner_id", sa.BigInteger(), nullable=True),
        sa.Column("final_department_id", sa.BigInteger(), nullable=True),
        sa.Column("decided_by", sa.BigInteger(), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("consequences", JSONType, nullable=False),
        sa.Column("decision_id", sa.BigInteger(), nullable=True),
        sa.Column("applied", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _customer_fk("ownership_cases"),
    )
    op.create_table(
        "ownership_case_events",
        *_keys("ownership_case_events"),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("role", sa.String(length=50), nullable=True),
        sa.Column("verdict", sa.String(length=20), nullable=True),
        sa.Column("owner_id", sa.BigInteger(), nullable=True),
        sa.Column("parties", JSONType, nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id", "case_id"], ["ownership_cases.tenant_id", "ownership_cases.id"],
                                name=op.f("fk_ownership_case_events_tenant_id_case_id_ownership_cases")),
    )
    op.create_table(
        "household_links",
        *_keys("household_links"),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("related_id", sa.BigInteger(), nullable=False),
        sa.Column("relation", sa.String(length=20), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _customer_fk("household_links"),
        _customer_fk("household_links", "related_id"),
        sa.UniqueConstraint("tenant_id", "customer_id", "related_id",
                            name=op.f("uq_household_links_tenant_id_customer_id_related_id")),
    )
    with op.batch_alter_table("customer_claims") as batch:
        batch.create_index("ix_customer_claims_customer_at", ["tenant_id", "customer_id", "at"])
    with op.batch_alter_table("customer_deals") as batch:
        batch.create_index("ix_customer_deals_customer_at", ["tenant_id", "customer_id", "at"])
    with op.batch_alter_table("ownership_cases") as batch:
        batch.create_index("ix_ownership_cases_customer", ["tenant_id", "customer_id"])
    with op.batch_alter_table("ownership_case_events") as batch:
        batch.create_index("ix_ownership_case_events_case", ["tenant_id", "case_id"])
    with op.batch_alter_table("household_links") as batch:
        batch.create_index("ix_household_links_related", ["tenant_id", "related_id"])
    rls.grant_app_role(op)
    for table in TABLES:
        rls.enable_rls(op, table)


def downgrade():
    for table in reversed(TABLES):
        rls.disable_rls(op, table)
    op.drop_table("household_links")
    op.drop_table("ownership_case_events")
    op.drop_table("ownership_cases")
    op.drop_table("customer_deals")
    op.drop_table("customer_claims")
