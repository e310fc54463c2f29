"""Referrals, referral attendances, the points ledger and cash referral rewards (CUS-40..CUS-44).

Revision ID: 0006_cus_points
Revises: 0005b_notifications
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

from core.db import UTCDateTime
from core.tenancy import rls

revision = "0006_cus_points"
down_revision = "0005b_notifications"
branch_labels = None
depends_on = None

TABLES = ["customer_referrals", "referral_attendances", "points_entries", "referral_rewards"]


def _keys(table: str):
    return [
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f(f"fk_{table}_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f(f"pk_{table}")),
    ]


def _customer_fk(table: str, column: str):
    return sa.ForeignKeyConstraint(["tenant_id", column], ["customers.tenant_id", "customers.id"],
                                   name=op.f(f"fk_{table}_tenant_id_{column}_customers"))


def upgrade():
    op.create_table(
        "customer_referrals",
        *_keys("customer_referrals"),
        sa.Column("referee_id", sa.BigInteger(), nullable=False),
        sa.Column("referrer_id", sa.BigInteger(), nullable=False),
        sa.Column("referrer_owner_id", sa.BigInteger(), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("claimed_staff_id", sa.BigInteger(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("decision_id", sa.BigInteger(), nullable=True),
        sa.Column("recorded_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _customer_fk("customer_referrals", "referee_id"),
        _customer_fk("customer_referrals", "referrer_id"),
        sa.UniqueConstraint("tenant_id", "referee_id", name=op.f("uq_customer_referrals_tenant_id_referee_id")),
    )
    op.create_table(
        "referral_attendances",
        *_keys("referral_attendances"),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("entry_id", sa.BigInteger(), nullable=True),
        sa.Column("decision_id", sa.BigInteger(), nullable=True),
        sa.Column("recorded_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _customer_fk("referral_attendances", "customer_id"),
        sa.UniqueConstraint("tenant_id", "customer_id", "event_id",
                            name=op.f("uq_referral_attendances_tenant_id_customer_id_event_id")),
    )
    op.create_table(
        "points_entries",
        *_keys("points_entries"),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.String(length=60), nullable=False),
        sa.Column("source_type", sa.String(length=20), nullable=False),
        sa.Column("source_id", sa.BigInteger(), nullable=True),
        sa.Column("referee_id", sa.BigInteger(), nullable=True),
        sa.Column("reverses", sa.BigInteger(), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("reason_zh", sa.Text(), nullable=False),
        sa.Column("reason_en", sa.Text(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("decision_id", sa.BigInteger(), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _customer_fk("points_entries", "customer_id"),
        _customer_fk("points_entries", "referee_id"),
        sa.ForeignKeyConstraint(["tenant_id", "reverses"], ["points_entries.tenant_id", "points_entries.id"],
                                name=op.f("fk_points_entries_tenant_id_reverses_points_entries")),
        sa.UniqueConstraint("tenant_id", "customer_id", "source_type", "source_id",
                            name=op.f("uq_points_entries_tenant_id_customer_id_source_type_source_id")),
    )
    op.create_table(
        "referral_rewards",
        *_keys("referral_rewards"),
        sa.Column("referrer_id", sa.BigInteger(), nullable=False),
        sa.Column("referee_id", sa.BigInteger(), nullable=False),
        sa.Column("deal_type", sa.String(length=40), nullable=False),
        sa.Column("deal_id", sa.BigInteger(), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("reverses", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("paid_at", UTCDateTime(), nullable=True),
        sa.Column("paid_by", sa.BigInteger(), nullable=True),
        sa.Column("decision_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _customer_fk("referral_rewards", "referrer_id"),
        _customer_fk("referral_rewards", "referee_id"),
        sa.ForeignKeyConstraint(["tenant_id", "reverses"], ["referral_rewards.tenant_id", "referral_rewards.id"],
                                name=op.f("fk_referral_rewards_tenant_id_reverses_referral_rewards")),
        sa.UniqueConstraint("tenant_id", "deal_type", "deal_id", "direction",
                            name=op.f("uq_referral_rewards_tenant_id_deal_type_deal_id_direction")),
    )
    with op.batch_alter_table("customer_referrals") as batch:
        batch.create_index("ix_customer_referrals_referrer", ["tenant_id", "referrer_id"])
    with op.batch_alter_table("points_entries") as batch:
        batch.create_index("ix_points_entries_customer_at", ["tenant_id", "customer_id", "at"])
    with op.batch_alter_table("referral_rewards") as batch:
        batch.create_index("ix_referral_rewards_referrer", ["tenant_id", "referrer_id"])
        batch.create_index("ix_referral_rewards_referee", ["tenant_id", "referee_id"])
    rls.grant_app_role(op)
    for table in TABLES:
        rls.enable_rls(op, table)


def downgrade():
    for table in reversed(TABLES):
        rls.disable_rls(op, table)
    for table in reversed(TABLES):
        op.drop_table(table)
