"""The case from handling to closure (CMP-41, CMP-42, CMP-55): authority ladder steps, the major-complaint
track and its meeting minutes, improvement proposals; on ``complaints`` the CMP-55 tracking columns.

Revision ID: 0018_cmp_resolution
Revises: 0017_cmp_sla
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

from core.db import JSONType, UTCDateTime
from core.tenancy import rls

revision = "0018_cmp_resolution"
down_revision = "0017_cmp_sla"
branch_labels = None
depends_on = None

TABLES = ["complaint_authority_steps", "complaint_major_tracks", "complaint_meetings", "complaint_improvements"]


def _keys(table: str) -> list:
    """Tenant, primary key and the case (every table here belongs to one complaint)."""
    return [
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f(f"fk_{table}_tenant_id_tenants")),
        sa.ForeignKeyConstraint(["tenant_id", "complaint_id"], ["complaints.tenant_id", "complaints.id"],
                                name=op.f(f"fk_{table}_tenant_id_complaint_id_complaints")),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f(f"pk_{table}")),
    ]


def _head() -> list:
    return [sa.Column("tenant_id", sa.BigInteger(), nullable=False),
            sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
            sa.Column("complaint_id", sa.BigInteger(), nullable=False)]


def upgrade():
    with op.batch_alter_table("complaints") as batch:
        batch.add_column(sa.Column("human_negligence", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("improvement_tracked", sa.Boolean(), nullable=True))
    op.create_table(
        "complaint_authority_steps", *_head(),
        sa.Column("from_level", sa.String(length=20), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=30), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("limit", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("offered_to", JSONType, nullable=False),
        sa.Column("skipped", JSONType, nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("by", sa.BigInteger(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("decision_id", sa.BigInteger(), nullable=True),
        *_keys("complaint_authority_steps"),
    )
    op.create_index("ix_complaint_authority_steps_case", "complaint_authority_steps", ["tenant_id", "complaint_id", "at"])
    op.create_table(
        "complaint_major_tracks", *_head(),
        sa.Column("flagged_at", UTCDateTime(), nullable=False),
        sa.Column("recipients", JSONType, nullable=False),
        sa.Column("acknowledgements", JSONType, nullable=False),
        sa.Column("ack_due_at", UTCDateTime(), nullable=False),
        sa.Column("ack_overdue_at", UTCDateTime(), nullable=True),
        sa.Column("group_warning_due_at", UTCDateTime(), nullable=True),
        sa.Column("group_warning_sent_at", UTCDateTime(), nullable=True),
        sa.Column("group_warning_sent_by", sa.BigInteger(), nullable=True),
        sa.Column("group_warning_to", JSONType, nullable=False),
        sa.Column("group_warning_text", sa.Text(), nullable=True),
        sa.Column("group_warning_overdue_at", UTCDateTime(), nullable=True),
        sa.Column("next_check_at", UTCDateTime(), nullable=True),
        sa.Column("policy_version", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.BigInteger(), nullable=True),
        *_keys("complaint_major_tracks"),
        sa.UniqueConstraint("tenant_id", "complaint_id", name=op.f("uq_complaint_major_tracks_tenant_id_complaint_id")),
    )
    op.create_index("ix_complaint_major_tracks_check", "complaint_major_tracks", ["tenant_id", "next_check_at"])
    op.create_table(
        "complaint_meetings", *_head(),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("held_at", UTCDateTime(), nullable=False),
        sa.Column("convened_by", sa.BigInteger(), nullable=True),
        sa.Column("attendees", JSONType, nullable=False),
        sa.Column("minutes", sa.Text(), nullable=False),
        sa.Column("resolutions", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        *_keys("complaint_meetings"),
    )
    op.create_index("ix_complaint_meetings_case", "complaint_meetings", ["tenant_id", "complaint_id", "held_at"])
    op.create_table(
        "complaint_improvements", *_head(),
        sa.Column("department_id", sa.BigInteger(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("drafted_by", sa.BigInteger(), nullable=True),
        sa.Column("drafted_at", UTCDateTime(), nullable=False),
        sa.Column("signed_by", sa.BigInteger(), nullable=True),
        sa.Column("signed_at", UTCDateTime(), nullable=True),
        sa.Column("countersigned_by", sa.BigInteger(), nullable=True),
        sa.Column("countersigned_at", UTCDateTime(), nullable=True),
        sa.Column("approved_by", sa.BigInteger(), nullable=True),
        sa.Column("approved_at", UTCDateTime(), nullable=True),
        sa.Column("returned_note", sa.Text(), nullable=True),
        sa.Column("decision_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        *_keys("complaint_improvements"),
        sa.ForeignKeyConstraint(["tenant_id", "department_id"], ["departments.tenant_id", "departments.id"],
                                name=op.f("fk_complaint_improvements_tenant_id_department_id_departments")),
    )
    op.create_index("ix_complaint_improvements_case", "complaint_improvements", ["tenant_id", "complaint_id"])
    op.create_index("ix_complaint_improvements_state", "complaint_improvements", ["tenant_id", "state"])
    rls.grant_app_role(op)
    for table in TABLES:
        rls.enable_rls(op, table)


def downgrade():
    for table in reversed(TABLES):
        rls.disable_rls(op, table)
    op.drop_index("ix_complaint_improvements_state", table_name="complaint_improvements")
    op.drop_index("ix_complaint_improvements_case", table_name="complaint_improvements")
    op.drop_index("ix_complaint_meetings_case", table_name="complaint_meetings")
    op.drop_index("ix_complaint_major_tracks_check", table_name="complaint_major_tracks")
    op.drop_index("ix_complaint_authority_steps_case", table_name="complaint_authority_steps")
    for table in reversed(TABLES):
        op.drop_table(table)
    with op.batch_alter_table("complaints") as batch:
        batch.drop_column("improvement_tracked")
        batch.drop_column("human_negligence")
