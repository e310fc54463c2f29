"""sample plugin: readings table

Revision ID: s001_sample
Revises:
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

from core.tenancy import rls

revision = "s001_sample"
down_revision = None
branch_labels = ("sample",)
depends_on = "0001_core"


def upgrade():
    op.create_table(
        "sample_readings",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("meter", sa.String(length=50), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_sample_readings_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_sample_readings")),
        sa.UniqueConstraint("tenant_id", "meter", name=op.f("uq_sample_readings_tenant_id_meter")),
    )
    rls.grant_app_role(op)
    rls.enable_rls(op, "sample_readings")


def downgrade():
    rls.disable_rls(op, "sample_readings")
    op.drop_table("sample_readings")
