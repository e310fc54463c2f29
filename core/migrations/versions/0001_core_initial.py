"""Initial core schema: tenants, users, roles, API tokens, policies, decisions, audit; the id
allocator; the application role and row-level security on every tenant table.

Revision ID: 0001_core
Revises:
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

from core.db import ID_COUNTER_TABLE, ID_SEQUENCE, JSONType, UTCDateTime
from core.tenancy import rls

revision = "0001_core"
down_revision = None
branch_labels = ("core",)
depends_on = None

TENANT_TABLES = ["users", "user_roles", "api_tokens", "policy_documents", "decisions", "audit_log"]


def upgrade():
    op.create_table('platform_admins',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_platform_admins')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_platform_admins_token_hash')),
    sa.UniqueConstraint('username', name=op.f('uq_platform_admins_username'))
    )
    op.create_table('tenants',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('slug', sa.String(length=63), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('industry', sa.String(length=50), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('region', sa.String(length=2), nullable=False),
    sa.Column('locale', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('plugin_set_version', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tenants')),
    sa.UniqueConstraint('slug', name=op.f('uq_tenants_slug')),
    sqlite_autoincrement=True,
    )
    op.create_table('audit_log',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('at', UTCDateTime(), nullable=False),
    sa.Column('actor_user_id', sa.BigInteger(), nullable=True),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('entity_type', sa.String(length=50), nullable=False),
    sa.Column('entity_id', sa.String(length=100), nullable=False),
    sa.Column('before', JSONType, nullable=True),
    sa.Column('after', JSONType, nullable=True),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_audit_log_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entity', ['tenant_id', 'entity_type', 'entity_id'], unique=False)

    op.create_table('decisions',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('rule_id', sa.String(length=60), nullable=False),
    sa.Column('policy_module', sa.String(length=50), nullable=True),
    sa.Column('policy_version', sa.Integer(), nullable=True),
    sa.Column('subject_type', sa.String(length=50), nullable=False),
    sa.Column('subject_id', sa.BigInteger(), nullable=False),
    sa.Column('facts', JSONType, nullable=False),
    sa.Column('outcome', JSONType, nullable=False),
    sa.Column('reason_zh', sa.Text(), nullable=False),
    sa.Column('reason_en', sa.Text(), nullable=False),
    sa.Column('decided_by', sa.BigInteger(), nullable=True),
    sa.Column('supersedes_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_decisions_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_decisions'))
    )
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.create_index('ix_decisions_subject', ['tenant_id', 'subject_type', 'subject_id'], unique=False)

    op.create_table('policy_documents',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('module', sa.String(length=50), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('body', JSONType, nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('published_by', sa.BigInteger(), nullable=True),
    sa.Column('published_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_policy_documents_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_policy_documents')),
    sa.UniqueConstraint('tenant_id', 'module', 'version', name=op.f('uq_policy_documents_tenant_id_module_version'))
    )
    op.create_table('tenant_plugins',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('plugin', sa.String(length=100), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('config', JSONType, nullable=False),
    sa.Column('changed_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_tenant_plugins_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'plugin', name=op.f('pk_tenant_plugins'))
    )
    op.create_table('users',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('password_hash', sa.String(length=200), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('locale', sa.String(length=10), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('last_login_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_users_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_users')),
    sa.UniqueConstraint('tenant_id', 'username', name=op.f('uq_users_tenant_id_username'))
    )
    op.create_table('api_tokens',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('scopes', JSONType, nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('expires_at', UTCDateTime(), nullable=True),
    sa.Column('last_used_at', UTCDateTime(), nullable=True),
    sa.Column('revoked_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id', 'user_id'], ['users.tenant_id', 'users.id'], name=op.f('fk_api_tokens_tenant_id_user_id_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_api_tokens_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_api_tokens'))
    )
    op.create_table('user_roles',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('role', sa.String(length=50), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'user_id'], ['users.tenant_id', 'users.id'], name=op.f('fk_user_roles_tenant_id_user_id_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_user_roles_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'user_id', 'role', name=op.f('pk_user_roles'))
    )

    # one id allocator for every tenant table: ids never repeat across tenants
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE SEQUENCE {ID_SEQUENCE} AS bigint START 1000")
    else:
        op.create_table(ID_COUNTER_TABLE, sa.Column("value", sa.BigInteger(), nullable=False))
        op.execute(f"INSERT INTO {ID_COUNTER_TABLE} (value) VALUES (999)")

    rls.create_app_role(op)
    rls.grant_app_role(op)
    for table in TENANT_TABLES:
        rls.enable_rls(op, table)


def downgrade():
    for table in TENANT_TABLES:
        rls.disable_rls(op, table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP SEQUENCE IF EXISTS {ID_SEQUENCE}")
    else:
        op.drop_table(ID_COUNTER_TABLE)
    op.drop_table('user_roles')
    op.drop_table('api_tokens')
    op.drop_table('users')
    op.drop_table('tenant_plugins')
    op.drop_table('policy_documents')
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.drop_index('ix_decisions_subject')

    op.drop_table('decisions')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entity')

    op.drop_table('audit_log')
    op.drop_table('tenants')
    op.drop_table('platform_admins')
