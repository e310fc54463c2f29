"""Confidentiality, archive lending and retention (CUS-07, CUS-70..75): the access log of customer
views, confidentiality levels with custodian and viewer lists, viewing requests and grants, archive
loans and borrowing bans, export requests and approvals, leak reports, custody inspections and the
destruction queue.

Revision ID: 0013_cus_confidentiality
Revises: 0012_cus_archive
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

from core.db import JSONType, UTCDateTime
from core.tenancy import rls

revision = "0013_cus_confidentiality"
down_revision = "0012_cus_archive"
branch_labels = None
depends_on = None

TABLES = ["customer_views", "customer_secrecy", "customer_secrecy_viewers", "view_requests", "archive_loans",
          "loan_bans", "customer_exports", "cus_approvals", "leak_reports", "archive_inspections",
          "retention_queue"]


def _tenant(table: str):
    return [
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f(f"fk_{table}_tenant_id_tenants")),
    ]


def _keys(table: str):
    return [
        *_tenant(table),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f(f"pk_{table}")),
    ]


def _customer_fk(table: str):
    return sa.ForeignKeyConstraint(["tenant_id", "customer_id"], ["customers.tenant_id", "customers.id"],
                                   name=op.f(f"fk_{table}_tenant_id_customer_id_customers"))


def upgrade():
    op.create_table(
        "customer_views",
        *_keys("customer_views"),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("basis", sa.String(length=20), nullable=False),
        sa.Column("unmasked", sa.Boolean(), nullable=False),
        sa.Column("grant_id", sa.BigInteger(), nullable=True),
        sa.Column("export_id", sa.BigInteger(), nullable=True),
        _customer_fk("customer_views"),
    )
    op.create_table(
        "customer_secrecy",
        *_tenant("customer_secrecy"),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("custodian_id", sa.BigInteger(), nullable=True),
        sa.Column("secret_until", sa.Date(), nullable=True),
        sa.Column("extensions", sa.Integer(), nullable=False),
        sa.Column("set_by", sa.BigInteger(), nullable=True),
        sa.Column("decision_id", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "customer_id", name=op.f("pk_customer_secrecy")),
        _customer_fk("customer_secrecy"),
    )
    op.create_table(
        "customer_secrecy_viewers",
        *_tenant("customer_secrecy_viewers"),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "customer_id", "user_id", name=op.f("pk_customer_secrecy_viewers")),
        _customer_fk("customer_secrecy_viewers"),
    )
    op.create_table(
        "view_requests",
        *_keys("view_requests"),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("requester_id", sa.BigInteger(), nullable=False),
        sa.Column("purpose", sa.String(length=500), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("case", sa.String(length=20), nullable=False),
        sa.Column("approver_role", sa.String(length=50), nullable=False),
        sa.Column("external_name", sa.String(length=200), nullable=True),
        sa.Column("external_document", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("endorser_id", sa.BigInteger(), nullable=True),
        sa.Column("endorsed_by", sa.BigInteger(), nullable=True),
        sa.Column("endorsed_at", UTCDateTime(), nullable=True),
        sa.Column("decided_by", sa.BigInteger(), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("decision_note", sa.String(length=500), nullable=True),
        sa.Column("view_only", sa.Boolean(), nullable=False),
        sa.Column("grant_from", UTCDateTime(), nullable=True),
        sa.Column("grant_until", UTCDateTime(), nullable=True),
        sa.Column("decision_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _customer_fk("view_requests"),
    )
    op.create_table(
        "archive_loans",
        *_keys("archive_loans"),
        sa.Column("customer_id", sa.BigInteger(), nullable=True),
        sa.Column("material", sa.String(length=300), nullable=False),
        sa.Column("copies", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("borrower_id", sa.BigInteger(), nullable=False),
        sa.Column("borrower_signature", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("steps", JSONType, nullable=False),
        sa.Column("borrowed_at", UTCDateTime(), nullable=True),
        sa.Column("due_at", UTCDateTime(), nullable=True),
        sa.Column("due_through", sa.Date(), nullable=True),
        sa.Column("returned_at", UTCDateTime(), nullable=True),
        sa.Column("lost_at", UTCDateTime(), nullable=True),
        sa.Column("late_fine", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("loss_fine", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("late_decision_id", sa.BigInteger(), nullable=True),
        sa.Column("decision_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _customer_fk("archive_loans"),
    )
    op.create_table(
        "loan_bans",
        *_tenant("loan_bans"),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("since", UTCDateTime(), nullable=False),
        sa.Column("loan_id", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("decision_id", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "user_id", name=op.f("pk_loan_bans")),
    )
    op.create_table(
        "customer_exports",
        *_keys("customer_exports"),
        sa.Column("requester_id", sa.BigInteger(), nullable=False),
        sa.Column("purpose", sa.String(length=500), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=True),
        sa.Column("customer_ids", JSONType, nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("steps", JSONType, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decision_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("done_at", UTCDateTime(), nullable=True),
    )
    op.create_table(
        "cus_approvals",
        *_keys("cus_approvals"),
        sa.Column("subject_type", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("roles", JSONType, nullable=False),
        sa.Column("approved", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("tenant_id", "subject_type", "subject_id", "user_id",
                            name=op.f("uq_cus_approvals_tenant_id_subject_type_subject_id_user_id")),
    )
    op.create_table(
        "leak_reports",
        *_keys("leak_reports"),
        sa.Column("reporter_id", sa.BigInteger(), nullable=True),
        sa.Column("customer_id", sa.BigInteger(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("actions", JSONType, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        _customer_fk("leak_reports"),
    )
    op.create_table(
        "archive_inspections",
        *_keys("archive_inspections"),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("findings", sa.Text(), nullable=True),
        sa.Column("done_by", sa.BigInteger(), nullable=True),
        sa.Column("done_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("tenant_id", "period_start", name=op.f("uq_archive_inspections_tenant_id_period_start")),
    )
    op.create_table(
        "retention_queue",
        *_keys("retention_queue"),
        sa.Column("subject_type", sa.String(length=30), nullable=False),
        sa.Column("subject_id", sa.BigInteger(), nullable=False),
        sa.Column("retention_class", sa.String(length=30), nullable=False),
        sa.Column("last_activity_at", UTCDateTime(), nullable=False),
        sa.Column("kept_through", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decided_by", sa.BigInteger(), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("decision_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("tenant_id", "subject_type", "subject_id", "kept_through",
                            name=op.f("uq_retention_queue_subject")),
    )
    with op.batch_alter_table("customer_views") as batch:
        batch.create_index("ix_customer_views_customer_at", ["tenant_id", "customer_id", "at"])
    with op.batch_alter_table("view_requests") as batch:
        batch.create_index("ix_view_requests_requester", ["tenant_id", "requester_id", "status"])
    with op.batch_alter_table("archive_loans") as batch:
        batch.create_index("ix_archive_loans_status_due", ["tenant_id", "status", "due_at"])
        batch.create_index("ix_archive_loans_borrower", ["tenant_id", "borrower_id"])
    with op.batch_alter_table("customer_exports") as batch:
        batch.create_index("ix_customer_exports_requester", ["tenant_id", "requester_id"])
    rls.grant_app_role(op)
    for table in TABLES:
        rls.enable_rls(op, table)


def downgrade():
    for table in reversed(TABLES):
        rls.disable_rls(op, table)
    for table in reversed(TABLES):
        op.drop_table(table)
