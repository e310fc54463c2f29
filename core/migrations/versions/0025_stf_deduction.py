"""The month's deduction of fines (STF-01): postings of deducted fines to the tenant's department fund.

Revision ID: 0025_stf_deduction
Revises: 0024_due_timers_fn
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

from core.db import UTCDateTime
from core.tenancy import rls

revision = "0025_stf_deduction"
down_revision = "0024_due_timers_fn"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "staff_fund_postings",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("fund", sa.String(length=100), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_staff_fund_postings_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_staff_fund_postings")),
        sa.UniqueConstraint("tenant_id", "month", "fund", name=op.f("uq_staff_fund_postings_tenant_id_month_fund")),
    )
    rls.grant_app_role(op)
    rls.enable_rls(op, "staff_fund_postings")


def downgrade():
    rls.disable_rls(op, "staff_fund_postings")
    op.drop_table("staff_fund_postings")
