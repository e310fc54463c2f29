"""Complaint aftercare (CMP-60..63 return visits, CMP-70/71 consequences, CMP-06 findings): the
return-visit selection of each case, the visits and the issues found on them, the consequence
occurrences and the customer transfers.

Revision ID: 0019_cmp_aftercare
Revises: 0018_cmp_resolution
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

from core.db import JSONType, UTCDateTime
from core.tenancy import rls

revision = "0019_cmp_aftercare"
down_revision = "0018_cmp_resolution"
branch_labels = None
depends_on = None

TABLES = ["complaint_visit_selections", "complaint_return_visits", "complaint_visit_issues",
          "complaint_consequences", "complaint_customer_transfers"]


def _fk(table: str, column: str, target: str):
    return sa.ForeignKeyConstraint(["tenant_id", column], [f"{target}.tenant_id", f"{target}.id"],
                                   name=op.f(f"fk_{table}_tenant_id_{column}_{target}"))


def _tenant(table: str):
    return sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f(f"fk_{table}_tenant_id_tenants"))


def _keys(table: str):
    return [sa.Column("tenant_id", sa.BigInteger(), nullable=False),
            sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False)]


def upgrade():
    t = "complaint_visit_selections"
    op.create_table(
        t, *_keys(t),
        sa.Column("complaint_id", sa.BigInteger(), nullable=False),
        sa.Column("written_reply_only", sa.Boolean(), nullable=False),
        sa.Column("reply_letter", sa.Text(), nullable=True),
        sa.Column("flagged_by", sa.BigInteger(), nullable=True),
        sa.Column("flagged_at", UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("reason", sa.String(length=30), nullable=True),
        sa.Column("month", sa.Date(), nullable=True),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.Column("severity", sa.String(length=20), nullable=True),
        sa.Column("visited_before", sa.Integer(), nullable=True),
        sa.Column("resolved_count", sa.Integer(), nullable=True),
        sa.Column("rate", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("decision_id", sa.BigInteger(), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        _fk(t, "complaint_id", "complaints"),
        _tenant(t),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f(f"pk_{t}")),
        sa.UniqueConstraint("tenant_id", "complaint_id", name=op.f(f"uq_{t}_tenant_id_complaint_id")),
    )
    op.create_index("ix_complaint_visit_selections_month", t, ["tenant_id", "month", "resolved_at"])

    t = "complaint_return_visits"
    op.create_table(
        t, *_keys(t),
        sa.Column("complaint_id", sa.BigInteger(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("visitor_roles", JSONType, nullable=False),
        sa.Column("visitor_id", sa.BigInteger(), nullable=True),
        sa.Column("assigned_by", sa.BigInteger(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("mode", sa.String(length=20), nullable=True),
        sa.Column("label", sa.String(length=40), nullable=True),
        sa.Column("customer_signed", sa.Boolean(), nullable=False),
        sa.Column("signature_ref", sa.String(length=500), nullable=True),
        sa.Column("visited_at", UTCDateTime(), nullable=True),
        sa.Column("recorded_by", sa.BigInteger(), nullable=True),
        sa.Column("rating_attitude", sa.Integer(), nullable=True),
        sa.Column("rating_skill", sa.Integer(), nullable=True),
        sa.Column("rating_outcome", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("overdue_alerted_at", UTCDateTime(), nullable=True),
        sa.Column("decision_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _fk(t, "complaint_id", "complaints"),
        _fk(t, "visitor_id", "users"),
        _tenant(t),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f(f"pk_{t}")),
        sa.UniqueConstraint("tenant_id", "complaint_id", "number", name=op.f(f"uq_{t}_tenant_id_complaint_id_number")),
    )
    op.create_index("ix_complaint_return_visits_due", t, ["tenant_id", "state", "due_at"])
    op.create_index("ix_complaint_return_visits_visitor", t, ["tenant_id", "visitor_id", "state"])

    t = "complaint_visit_issues"
    op.create_table(
        t, *_keys(t),
        sa.Column("complaint_id", sa.BigInteger(), nullable=False),
        sa.Column("visit_id", sa.BigInteger(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("found_at", UTCDateTime(), nullable=False),
        sa.Column("manager_id", sa.BigInteger(), nullable=True),
        sa.Column("assign_due_at", UTCDateTime(), nullable=False),
        sa.Column("reply_by", UTCDateTime(), nullable=True),
        sa.Column("assignee_id", sa.BigInteger(), nullable=True),
        sa.Column("assigned_by", sa.BigInteger(), nullable=True),
        sa.Column("assigned_at", UTCDateTime(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("outcome_at", UTCDateTime(), nullable=True),
        sa.Column("outcome_by", sa.BigInteger(), nullable=True),
        sa.Column("escalated_at", UTCDateTime(), nullable=True),
        sa.Column("escalated_to", JSONType, nullable=False),
        sa.Column("decision_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _fk(t, "complaint_id", "complaints"),
        _fk(t, "visit_id", "complaint_return_visits"),
        _fk(t, "assignee_id", "users"),
        _tenant(t),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f(f"pk_{t}")),
    )
    op.create_index("ix_complaint_visit_issues_assign", t, ["tenant_id", "state", "assign_due_at"])
    op.create_index("ix_complaint_visit_issues_case", t, ["tenant_id", "complaint_id"])

    t = "complaint_consequences"
    op.create_table(
        t, *_keys(t),
        sa.Column("complaint_id", sa.BigInteger(), nullable=False),
        sa.Column("event", sa.String(length=60), nullable=False),
        sa.Column("occurrence", sa.String(length=120), nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("policy_version", sa.Integer(), nullable=True),
        sa.Column("liable", JSONType, nullable=False),
        sa.Column("entry_ids", JSONType, nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.BigInteger(), nullable=True),
        sa.Column("decision_id", sa.BigInteger(), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _fk(t, "complaint_id", "complaints"),
        _tenant(t),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f(f"pk_{t}")),
        sa.UniqueConstraint("tenant_id", "complaint_id", "occurrence",
                            name=op.f(f"uq_{t}_tenant_id_complaint_id_occurrence")),
    )
    op.create_index("ix_complaint_consequences_due", t, ["tenant_id", "state", "occurred_at"])

    t = "complaint_customer_transfers"
    op.create_table(
        t, *_keys(t),
        sa.Column("complaint_id", sa.BigInteger(), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("strategy", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("from_owner_id", sa.BigInteger(), nullable=True),
        sa.Column("from_department_id", sa.BigInteger(), nullable=True),
        sa.Column("to_owner_id", sa.BigInteger(), nullable=True),
        sa.Column("to_department_id", sa.BigInteger(), nullable=True),
        sa.Column("seed", sa.BigInteger(), nullable=True),
        sa.Column("candidates", JSONType, nullable=False),
        sa.Column("shuffled", JSONType, nullable=False),
        sa.Column("skipped", JSONType, nullable=False),
        sa.Column("decision_id", sa.BigInteger(), nullable=True),
        sa.Column("override_until", UTCDateTime(), nullable=True),
        sa.Column("overridden_by", sa.BigInteger(), nullable=True),
        sa.Column("overridden_at", UTCDateTime(), nullable=True),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("override_decision_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _fk(t, "complaint_id", "complaints"),
        _fk(t, "customer_id", "customers"),
        _tenant(t),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f(f"pk_{t}")),
        sa.UniqueConstraint("tenant_id", "complaint_id", name=op.f(f"uq_{t}_tenant_id_complaint_id")),
    )
    rls.grant_app_role(op)
    for table in TABLES:
        rls.enable_rls(op, table)


def downgrade():
    for table in reversed(TABLES):
        rls.disable_rls(op, table)
    op.drop_table("complaint_customer_transfers")
    op.drop_index("ix_complaint_consequences_due", table_name="complaint_consequences")
    op.drop_table("complaint_consequences")
    op.drop_index("ix_complaint_visit_issues_case", table_name="complaint_visit_issues")
    op.drop_index("ix_complaint_visit_issues_assign", table_name="complaint_visit_issues")
    op.drop_table("complaint_visit_issues")
    op.drop_index("ix_complaint_return_visits_visitor", table_name="complaint_return_visits")
    op.drop_index("ix_complaint_return_visits_due", table_name="complaint_return_visits")
    op.drop_table("complaint_return_visits")
    op.drop_index("ix_complaint_visit_selections_month", table_name="complaint_visit_selections")
    op.drop_table("complaint_visit_selections")
