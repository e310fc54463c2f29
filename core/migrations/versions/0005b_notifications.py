"""Notifications (提醒) for users: expiry warnings, reminders, alerts raised by rules and jobs.

Revision ID: 0005b_notifications
Revises: 0005_org_contact_log
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

from core.db import UTCDateTime
from core.tenancy import rls

revision = "0005b_notifications"
down_revision = "0005_org_contact_log"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "notifications",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("rule_id", sa.String(length=60), nullable=True),
        sa.Column("subject_type", sa.String(length=40), nullable=True),
        sa.Column("subject_id", sa.BigInteger(), nullable=True),
        sa.Column("title_zh", sa.String(length=300), nullable=False),
        sa.Column("title_en", sa.String(length=300), nullable=False),
        sa.Column("body_zh", sa.Text(), nullable=True),
        sa.Column("body_en", sa.Text(), nullable=True),
        sa.Column("due_at", UTCDateTime(), nullable=True),
        sa.Column("dedupe_key", sa.String(length=300), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("read_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_notifications_tenant_id_tenants")),
        sa.ForeignKeyConstraint(["tenant_id", "user_id"], ["users.tenant_id", "users.id"],
                                name=op.f("fk_notifications_tenant_id_user_id_users")),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("tenant_id", "dedupe_key", name=op.f("uq_notifications_tenant_id_dedupe_key")),
    )
    with op.batch_alter_table("notifications") as batch:
        batch.create_index("ix_notifications_user", ["tenant_id", "user_id", "created_at"])
    rls.grant_app_role(op)
    rls.enable_rls(op, "notifications")


def downgrade():
    rls.disable_rls(op, "notifications")
    op.drop_table("notifications")
