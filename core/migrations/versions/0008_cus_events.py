"""Events, their divisions, invitations and joint-event lists (CUS-81..CUS-83).

Revision ID: 0008_cus_events
Revises: 0007_cus_assignment
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

from core.db import JSONType, UTCDateTime
from core.tenancy import rls

revision = "0008_cus_events"
down_revision = "0007_cus_assignment"
branch_labels = None
depends_on = None

TABLES = ["customer_events", "customer_event_divisions", "event_invitations", "event_lists"]


def _tenant_fk(table: str):
    return sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f(f"fk_{table}_tenant_id_tenants"))


def _keys(table: str):
    return [
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        _tenant_fk(table),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f(f"pk_{table}")),
    ]


def _fk(table: str, column: str, referred: str):
    return sa.ForeignKeyConstraint(["tenant_id", column], [f"{referred}.tenant_id", f"{referred}.id"],
                                   name=op.f(f"fk_{table}_tenant_id_{column}_{referred}"))


def upgrade():
    op.create_table(
        "customer_events",
        *_keys("customer_events"),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("session", sa.String(length=20), nullable=False),
        sa.Column("venue", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "customer_event_divisions",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("department_id", sa.BigInteger(), nullable=False),
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        _tenant_fk("customer_event_divisions"),
        sa.PrimaryKeyConstraint("tenant_id", "event_id", "department_id", name=op.f("pk_customer_event_divisions")),
        _fk("customer_event_divisions", "event_id", "customer_events"),
        _fk("customer_event_divisions", "department_id", "departments"),
        sa.UniqueConstraint("tenant_id", "event_id", "code", name=op.f("uq_customer_event_divisions_tenant_id_event_id_code")),
    )
    op.create_table(
        "event_invitations",
        *_keys("event_invitations"),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("department_id", sa.BigInteger(), nullable=False),
        sa.Column("employee_id", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("invited_at", UTCDateTime(), nullable=False),
        sa.Column("confirmed_at", UTCDateTime(), nullable=True),
        sa.Column("effective_day", sa.Date(), nullable=True),
        sa.Column("listed_at", UTCDateTime(), nullable=True),
        sa.Column("list_id", sa.BigInteger(), nullable=True),
        sa.Column("listed_on_time", sa.Boolean(), nullable=True),
        sa.Column("attended_at", UTCDateTime(), nullable=True),
        sa.Column("attendance_by", sa.BigInteger(), nullable=True),
        sa.Column("sold_at", UTCDateTime(), nullable=True),
        sa.Column("lost_to_id", sa.BigInteger(), nullable=True),
        sa.Column("decision_id", sa.BigInteger(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _fk("event_invitations", "event_id", "customer_events"),
        _fk("event_invitations", "customer_id", "customers"),
        _fk("event_invitations", "department_id", "departments"),
        _fk("event_invitations", "employee_id", "users"),
    )
    op.create_table(
        "event_lists",
        *_keys("event_lists"),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("department_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("final", sa.Boolean(), nullable=False),
        sa.Column("submitted_at", UTCDateTime(), nullable=True),
        sa.Column("submitted_by", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("customer_ids", JSONType, nullable=False),
        sa.Column("fine", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("fined_user_id", sa.BigInteger(), nullable=True),
        sa.Column("decision_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _fk("event_lists", "event_id", "customer_events"),
        _fk("event_lists", "department_id", "departments"),
        sa.UniqueConstraint("tenant_id", "event_id", "department_id", "kind", "day",
                            name=op.f("uq_event_lists_tenant_id_event_id_department_id_kind_day")),
    )
    with op.batch_alter_table("customer_events") as batch:
        batch.create_index("ix_customer_events_starts_at", ["tenant_id", "starts_at"])
    with op.batch_alter_table("event_invitations") as batch:
        batch.create_index("ix_event_invitations_event_customer", ["tenant_id", "event_id", "customer_id"])
        batch.create_index("ix_event_invitations_customer", ["tenant_id", "customer_id"])
    rls.grant_app_role(op)
    for table in TABLES:
        rls.enable_rls(op, table)


def downgrade():
    for table in reversed(TABLES):
        rls.disable_rls(op, table)
    op.drop_table("event_lists")
    op.drop_table("event_invitations")
    op.drop_table("customer_event_divisions")
    op.drop_table("customer_events")
