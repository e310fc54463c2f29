"""Alembic environment: runs against the connection the runner hands over (``core.migrations.runner``)."""
from alembic import context

from core.db import db
from web.app import _import_models

_import_models()
config = context.config
target_metadata = db.metadata


def run_migrations_online() -> None:
    connection = config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `kehu db upgrade`")
run_migrations_online()
