"""Complaint intake and handling (CMP-01, CMP-11, CMP-13, CMP-22): the reports a customer also made to
the manufacturer, an authority or the media; a suggestion's promised reply date and adoption; the
complainant count as taken in; the supplier flag; open letters linked to the cases they answer.

Revision ID: 0016_cmp_intake
Revises: 0015_cmp_stf_core
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

from core.db import UTCDateTime, JSONType
from core.tenancy import rls

revision = "0016_cmp_intake"
down_revision = "0015_cmp_stf_core"
branch_labels = None
depends_on = None

TABLES = ["complaint_letters", "complaint_letter_cases"]


def _keys(table: str):
    return [
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f(f"fk_{table}_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f(f"pk_{table}")),
    ]


def upgrade():
    with op.batch_alter_table("complaints") as batch:
        batch.add_column(sa.Column("reported_to", JSONType, nullable=False, server_default="[]"))
        batch.add_column(sa.Column("promised_reply_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("adopted", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("intake_complainant_count", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("supplier", sa.String(length=200), nullable=True))
    with op.batch_alter_table("complaints") as batch:
        batch.alter_column("reported_to", server_default=None)
        batch.alter_column("intake_complainant_count", server_default=None)
    op.create_table(
        "complaint_letters",
        *_keys("complaint_letters"),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        sa.Column("issued_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_complaint_letters_issued", "complaint_letters", ["tenant_id", "issued_at"], unique=False)
    op.create_table(
        "complaint_letter_cases",
        *_keys("complaint_letter_cases"),
        sa.Column("letter_id", sa.BigInteger(), nullable=False),
        sa.Column("complaint_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id", "letter_id"], ["complaint_letters.tenant_id", "complaint_letters.id"],
                                name=op.f("fk_complaint_letter_cases_tenant_id_letter_id_complaint_letters")),
        sa.ForeignKeyConstraint(["tenant_id", "complaint_id"], ["complaints.tenant_id", "complaints.id"],
                                name=op.f("fk_complaint_letter_cases_tenant_id_complaint_id_complaints")),
        sa.UniqueConstraint("tenant_id", "letter_id", "complaint_id",
                            name=op.f("uq_complaint_letter_cases_tenant_id_letter_id_complaint_id")),
    )
    op.create_index("ix_complaint_letter_cases_case", "complaint_letter_cases", ["tenant_id", "complaint_id"],
                    unique=False)
    rls.grant_app_role(op)
    for table in TABLES:
        rls.enable_rls(op, table)


def downgrade():
    for table in reversed(TABLES):
        rls.disable_rls(op, table)
    op.drop_index("ix_complaint_letter_cases_case", table_name="complaint_letter_cases")
    op.drop_table("complaint_letter_cases")
    op.drop_index("ix_complaint_letters_issued", table_name="complaint_letters")
    op.drop_table("complaint_letters")
    with op.batch_alter_table("complaints") as batch:
        batch.drop_column("supplier")
        batch.drop_column("intake_complainant_count")
        batch.drop_column("adopted")
        batch.drop_column("promised_reply_at")
        batch.drop_column("reported_to")
