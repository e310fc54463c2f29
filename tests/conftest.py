"""Test fixtures. The database is PostgreSQL (default) or SQLite (``KEHU_TEST_DB=sqlite``): a fresh
database per test session, migrated with ``kehu db upgrade``'s code path, emptied after each test.
On PostgreSQL the app acts as the ``kehu_app`` role, so row-level security is live in every test."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine, inspect, text

from core.db import ID_COUNTER_TABLE
from core.plugins import KehuPlugins
from tests import helpers
from plugins.real_estate import hooks as real_estate_hooks
from tests.plugins import sample_plugin

PG_ADMIN_URL = os.environ.get("KEHU_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
BACKEND = os.environ.get("KEHU_TEST_DB", "postgres")


def _cheap_password_hashing() -> None:
    """Argon2id as in production, with the smallest cost: the fixtures create thousands of users, and
    the recommended parameters (~140 ms a hash here) made password hashing minutes of the suite."""
    from argon2 import PasswordHasher

    from core.accounts import passwords

    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)


_cheap_password_hashing()


def pytest_collection_modifyitems(config, items):
    if BACKEND != "postgres":
        skip = pytest.mark.skip(reason="needs PostgreSQL (KEHU_TEST_DB=postgres)")
        for item in items:
            if "postgres_only" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    if BACKEND == "sqlite":
        path = tmp_path_factory.mktemp("db") / "kehu.db"
        yield f"sqlite:///{path}"
        return
    name = f"kehu_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    yield f"{base.replace('postgresql://', 'postgresql+psycopg://', 1)}/{name}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def plugins():
    return KehuPlugins(load_entry_points=False, extra=[sample_plugin, real_estate_hooks])


@pytest.fixture(scope="session")
def app(database_url, plugins, tmp_path_factory):
    from core.migrations import runner
    from web.app import create_app

    instance = tmp_path_factory.mktemp("instance")
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "INSTANCE_PATH": str(instance),
            "SECRET_KEY": "test-secret",
            "KEHU_REDIS_URL": None,
            "KEHU_JOBS_MODE": "inline",
            "KEHU_LOAD_ENTRY_POINTS": False,
        },
        plugins=plugins,
    )
    runner.upgrade(database_url)
    return app


@pytest.fixture(scope="session")
def owner_engine(database_url, app):
    """A connection as the table owner (bypasses RLS): for cleaning up and for inspecting the truth."""
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


def _empty_tables(engine) -> None:
    tables = [t for t in inspect(engine).get_table_names() if t not in ("alembic_version", ID_COUNTER_TABLE)]
    with engine.begin() as conn:
        # emptying every table costs per table, rows or not: find the tables the test wrote to (one query)
        probe = " UNION ALL ".join(f"SELECT '{t}' WHERE EXISTS (SELECT 1 FROM \"{t}\")" for t in tables)
        used = list(conn.execute(text(probe)).scalars())
        if engine.dialect.name == "postgresql":
            # DELETE, not TRUNCATE: TRUNCATE works file by file and, through the foreign keys to tenants,
            # would take every table along; foreign-key triggers are off for this transaction (superuser)
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            for table in used:
                conn.execute(text(f'DELETE FROM "{table}"'))
        else:
            conn.execute(text("PRAGMA foreign_keys=OFF"))
            for table in used:
                conn.execute(text(f'DELETE FROM "{table}"'))
            conn.execute(text("PRAGMA foreign_keys=ON"))


@pytest.fixture
def ctx(app, owner_engine):
    """An application context; every table is emptied afterwards."""
    with app.app_context():
        yield app
        from core.db import db

        db.session.rollback()
        db.session.remove()
    _empty_tables(owner_engine)
    app.extensions["kehu_login_limiter"].counters.__init__()


@pytest.fixture
def client(ctx):
    return ctx.test_client()


@pytest.fixture
def make_tenant(ctx):
    return helpers.TenantFactory(ctx)


@pytest.fixture
def two_tenants(make_tenant):
    """Tenants A and B, each with an admin user and an admin-scoped API token."""
    return make_tenant("tenant-a", "甲公司"), make_tenant("tenant-b", "乙公司")


@pytest.fixture
def three_tenants(make_tenant):
    """For jobs and fan-out: A (sample plugin), B (sample, Asia/Urumqi), C (no plugin)."""
    from core.db import db
    from tenants.registry import get_tenant

    a = make_tenant("fan-a", "甲", plugins=["sample"])
    b = make_tenant("fan-b", "乙", plugins=["sample"])
    get_tenant(b.id).timezone = "Asia/Urumqi"
    c = make_tenant("fan-c", "丙")
    db.session.commit()
    return a, b, c


@pytest.fixture
def record_of_b(make_tenant):
    """Tenants A and B (both with the sample plugin) and the id of a queued job record of B."""
    from core.db import db
    from core.tenancy import tenant_scope
    from workers.models import JobRecord

    a = make_tenant("job-a", "甲", plugins=["sample"])
    b = make_tenant("job-b", "乙", plugins=["sample"])
    with tenant_scope(b.id):
        b_job = JobRecord(name="sample.flaky", args={"fail_times": 0, "meter": "b"}, status="queued")
        db.session.add(b_job)
        db.session.commit()
        return a, b, b_job.id


@pytest.fixture
def artifacts_dir():
    path = Path(os.environ.get("KEHU_TEST_ARTIFACTS", "test-artifacts"))
    path.mkdir(parents=True, exist_ok=True)
    return path
