"""The customer archive record (CUS-01): archive columns of customers, contacts, addresses; checklist
documents (CUS-03); the paper archive and its handover log (CUS-02); filing duties and their
reminders (CUS-04); the confirmation of an archive (CUS-06).

Revision ID: 0012_cus_archive
Revises: 0011_cus_visits
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

from core.db import JSONType, UTCDateTime
from core.tenancy import rls

revision = "0012_cus_archive"
down_revision = "0011_cus_visits"
branch_labels = None
depends_on = None

TABLES = ["customer_contacts", "customer_addresses", "customer_documents", "paper_archives", "archive_handovers",
          "customer_filings", "filing_reminders"]


def _keys(table: str):
    return [
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f(f"fk_{table}_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f(f"pk_{table}")),
    ]


def _customer_fk(table: str):
    return sa.ForeignKeyConstraint(["tenant_id", "customer_id"], ["customers.tenant_id", "customers.id"],
                                   name=op.f(f"fk_{table}_tenant_id_customer_id_customers"))


def upgrade():
    with op.batch_alter_table("customers") as batch:
        batch.add_column(sa.Column("category", sa.String(length=50), nullable=True))
        batch.add_column(sa.Column("lifecycle_stage", sa.String(length=50), nullable=True))
        batch.add_column(sa.Column("flags", JSONType, nullable=False, server_default="[]"))
        batch.add_column(sa.Column("extra", JSONType, nullable=False, server_default="{}"))
        batch.add_column(sa.Column("confirmed_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("confirmed_by", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("effective_at", UTCDateTime(), nullable=True))
    with op.batch_alter_table("customers") as batch:
        batch.alter_column("flags", server_default=None)
        batch.alter_column("extra", server_default=None)
    # archives made before confirmations existed took effect when they were created (CUS-06)
    op.execute("update customers set effective_at = created_at")
    op.create_table(
        "customer_contacts",
        *_keys("customer_contacts"),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=True),
        sa.Column("title", sa.String(length=100), nullable=True),
        sa.Column("department", sa.String(length=100), nullable=True),
        sa.Column("mobile", sa.String(length=32), nullable=True),
        sa.Column("landline", sa.String(length=32), nullable=True),
        sa.Column("landline_extension", sa.String(length=10), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("im", sa.String(length=100), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        _customer_fk("customer_contacts"),
    )
    op.create_table(
        "customer_addresses",
        *_keys("customer_addresses"),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("district", sa.String(length=100), nullable=True),
        _customer_fk("customer_addresses"),
    )
    op.create_table(
        "customer_documents",
        *_keys("customer_documents"),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("item_code", sa.String(length=50), nullable=False),
        sa.Column("form", sa.String(length=10), nullable=False),
        sa.Column("both_sides", sa.Boolean(), nullable=False),
        sa.Column("customer_signed", sa.Boolean(), nullable=False),
        sa.Column("staff_signed", sa.Boolean(), nullable=False),
        sa.Column("scan_ref", sa.String(length=500), nullable=True),
        sa.Column("missing", sa.Boolean(), nullable=False),
        sa.Column("handover_id", sa.BigInteger(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("updated_by", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        _customer_fk("customer_documents"),
        sa.UniqueConstraint("tenant_id", "customer_id", "item_code",
                            name=op.f("uq_customer_documents_tenant_id_customer_id_item_code")),
    )
    op.create_table(
        "paper_archives",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("cabinet", sa.String(length=100), nullable=False),
        sa.Column("pouch_no", sa.String(length=50), nullable=False),
        sa.Column("custodian_id", sa.BigInteger(), nullable=True),
        sa.Column("updated_by", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_paper_archives_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("tenant_id", "customer_id", name=op.f("pk_paper_archives")),
        _customer_fk("paper_archives"),
    )
    op.create_table(
        "archive_handovers",
        *_keys("archive_handovers"),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("from_user_id", sa.BigInteger(), nullable=False),
        sa.Column("to_user_id", sa.BigInteger(), nullable=False),
        sa.Column("from_signed", sa.Boolean(), nullable=False),
        sa.Column("to_signed", sa.Boolean(), nullable=False),
        sa.Column("received", JSONType, nullable=False),
        sa.Column("missing", JSONType, nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _customer_fk("archive_handovers"),
    )
    op.create_table(
        "customer_filings",
        *_keys("customer_filings"),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("basis_at", UTCDateTime(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("due_through", sa.Date(), nullable=False),
        sa.Column("policy_version", sa.Integer(), nullable=False),
        sa.Column("filed_at", UTCDateTime(), nullable=True),
        sa.Column("filed_by", sa.BigInteger(), nullable=True),
        sa.Column("decision_id", sa.BigInteger(), nullable=True),
        sa.Column("penalty_decision_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _customer_fk("customer_filings"),
    )
    op.create_table(
        "filing_reminders",
        *_keys("filing_reminders"),
        sa.Column("filing_id", sa.BigInteger(), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id", "filing_id"], ["customer_filings.tenant_id", "customer_filings.id"],
                                name=op.f("fk_filing_reminders_tenant_id_filing_id_customer_filings")),
        sa.UniqueConstraint("tenant_id", "filing_id", "day", name=op.f("uq_filing_reminders_tenant_id_filing_id_day")),
    )
    with op.batch_alter_table("customer_contacts") as batch:
        batch.create_index("ix_customer_contacts_customer", ["tenant_id", "customer_id"])
    with op.batch_alter_table("customer_addresses") as batch:
        batch.create_index("ix_customer_addresses_customer", ["tenant_id", "customer_id"])
    with op.batch_alter_table("archive_handovers") as batch:
        batch.create_index("ix_archive_handovers_customer", ["tenant_id", "customer_id", "on"])
    with op.batch_alter_table("customer_filings") as batch:
        batch.create_index("ix_customer_filings_customer", ["tenant_id", "customer_id"])
        batch.create_index("ix_customer_filings_open", ["tenant_id", "filed_at", "due_at"])
    rls.grant_app_role(op)
    for table in TABLES:
        rls.enable_rls(op, table)


def downgrade():
    for table in reversed(TABLES):
        rls.disable_rls(op, table)
    for table in reversed(TABLES):
        op.drop_table(table)
    with op.batch_alter_table("customers") as batch:
        for column in ("effective_at", "confirmed_by", "confirmed_at", "extra", "flags", "lifecycle_stage",
                       "category"):
            batch.drop_column(column)
