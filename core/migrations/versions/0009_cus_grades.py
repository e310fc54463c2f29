"""Grades, tiers and key accounts (CUS-50..52); credit records, ratings, lines, approvals and
evaluations (CUS-90..96).

Revision ID: 0009_cus_grades
Revises: 0008_cus_events
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

from core.db import JSONType, UTCDateTime
from core.tenancy import rls

revision = "0009_cus_grades"
down_revision = "0008_cus_events"
branch_labels = None
depends_on = None

TABLES = ["customer_grades", "grade_changes", "key_accounts", "grading_tasks", "credit_records", "credit_ratings",
          "credit_lines", "credit_approvals", "credit_evaluations"]


def _tenant_fk(table: str):
    return sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f(f"fk_{table}_tenant_id_tenants"))


def _keys(table: str):
    return [
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        _tenant_fk(table),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f(f"pk_{table}")),
    ]


def _per_customer(table: str, *extra_keys: str):
    """tenant_id + customer_id (+ extra key columns) as the primary key: one row per customer."""
    return [
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        _tenant_fk(table),
        sa.PrimaryKeyConstraint("tenant_id", "customer_id", *extra_keys, name=op.f(f"pk_{table}")),
        _customer_fk(table),
    ]


def _customer_fk(table: str):
    return sa.ForeignKeyConstraint(["tenant_id", "customer_id"], ["customers.tenant_id", "customers.id"],
                                   name=op.f(f"fk_{table}_tenant_id_customer_id_customers"))


def _customer_id():
    return sa.Column("customer_id", sa.BigInteger(), nullable=False)


def upgrade():
    op.create_table(
        "customer_grades",
        *_per_customer("customer_grades", "scheme"),
        sa.Column("scheme", sa.String(length=30), nullable=False),
        sa.Column("tier", sa.String(length=30), nullable=False),
        sa.Column("temporary", sa.Boolean(), nullable=False),
        sa.Column("since", UTCDateTime(), nullable=False),
        sa.Column("change_id", sa.BigInteger(), nullable=True),
        sa.Column("decision_id", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "grade_changes",
        *_keys("grade_changes"),
        _customer_id(),
        sa.Column("scheme", sa.String(length=30), nullable=False),
        sa.Column("from_tier", sa.String(length=30), nullable=True),
        sa.Column("to_tier", sa.String(length=30), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("temporary", sa.Boolean(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.BigInteger(), nullable=True),
        sa.Column("approved_by", sa.BigInteger(), nullable=True),
        sa.Column("rule_id", sa.String(length=60), nullable=False),
        sa.Column("decision_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _customer_fk("grade_changes"),
    )
    op.create_table(
        "key_accounts",
        *_per_customer("key_accounts"),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("basis", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("marked_by", sa.BigInteger(), nullable=True),
        sa.Column("since", UTCDateTime(), nullable=False),
        sa.Column("decision_id", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "grading_tasks",
        *_keys("grading_tasks"),
        _customer_id(),
        sa.Column("scheme", sa.String(length=30), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("cycle", sa.String(length=20), nullable=False),
        sa.Column("opens_at", UTCDateTime(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("due_through", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("change_id", sa.BigInteger(), nullable=True),
        sa.Column("overdue_decision_id", sa.BigInteger(), nullable=True),
        sa.Column("decision_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _customer_fk("grading_tasks"),
        sa.UniqueConstraint("tenant_id", "customer_id", "scheme", "kind", "cycle",
                            name=op.f("uq_grading_tasks_tenant_id_customer_id_scheme_kind_cycle")),
    )
    op.create_table(
        "credit_records",
        *_per_customer("credit_records"),
        sa.Column("sections", JSONType, nullable=False),
        sa.Column("assessment", JSONType, nullable=False),
        sa.Column("filled_by", sa.BigInteger(), nullable=True),
        sa.Column("reviewed_by", sa.BigInteger(), nullable=True),
        sa.Column("filed_by", sa.BigInteger(), nullable=True),
        sa.Column("refreshed_on", sa.Date(), nullable=False),
        sa.Column("refresh_due", sa.Date(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "credit_ratings",
        *_keys("credit_ratings"),
        _customer_id(),
        sa.Column("grade", sa.String(length=1), nullable=False),
        sa.Column("rule_grade", sa.String(length=1), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("proposed_by", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("steps", JSONType, nullable=False),
        sa.Column("grade_decision_id", sa.BigInteger(), nullable=False),
        sa.Column("decision_id", sa.BigInteger(), nullable=True),
        sa.Column("effective_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _customer_fk("credit_ratings"),
    )
    op.create_table(
        "credit_lines",
        *_per_customer("credit_lines"),
        sa.Column("grade", sa.String(length=1), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("credit_limit", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("term", sa.String(length=30), nullable=False),
        sa.Column("mortgage_value", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("granted_by", sa.BigInteger(), nullable=False),
        sa.Column("granted_at", UTCDateTime(), nullable=False),
        sa.Column("decision_id", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "credit_approvals",
        *_keys("credit_approvals"),
        _customer_id(),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("approved_by", sa.BigInteger(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.Column("used_decision_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _customer_fk("credit_approvals"),
    )
    op.create_table(
        "credit_evaluations",
        *_keys("credit_evaluations"),
        _customer_id(),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("credit_limit", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("exposure", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("decision_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _customer_fk("credit_evaluations"),
        sa.UniqueConstraint("tenant_id", "customer_id", "month",
                            name=op.f("uq_credit_evaluations_tenant_id_customer_id_month")),
    )
    with op.batch_alter_table("customer_grades") as batch:
        batch.create_index("ix_customer_grades_scheme_tier", ["tenant_id", "scheme", "tier"])
    with op.batch_alter_table("grade_changes") as batch:
        batch.create_index("ix_grade_changes_customer", ["tenant_id", "customer_id", "scheme", "at"])
    with op.batch_alter_table("key_accounts") as batch:
        batch.create_index("ix_key_accounts_status", ["tenant_id", "status"])
    with op.batch_alter_table("grading_tasks") as batch:
        batch.create_index("ix_grading_tasks_open", ["tenant_id", "status", "due_at"])
    with op.batch_alter_table("credit_records") as batch:
        batch.create_index("ix_credit_records_refresh_due", ["tenant_id", "refresh_due"])
    with op.batch_alter_table("credit_ratings") as batch:
        batch.create_index("ix_credit_ratings_customer", ["tenant_id", "customer_id", "created_at"])
    with op.batch_alter_table("credit_approvals") as batch:
        batch.create_index("ix_credit_approvals_customer", ["tenant_id", "customer_id"])
    rls.grant_app_role(op)
    for table in TABLES:
        rls.enable_rls(op, table)


def downgrade():
    for table in reversed(TABLES):
        rls.disable_rls(op, table)
    for table in reversed(TABLES):
        op.drop_table(table)
