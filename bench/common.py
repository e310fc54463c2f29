"""Shared pieces of the benchmarks: a scratch PostgreSQL database, the Kehu app on it, timing helpers."""
from __future__ import annotations

import contextlib
import gc
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

PG_ADMIN_URL = os.environ.get("KEHU_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
# the job and fan-out benchmarks use (and flush) this one Redis database only
REDIS_URL = os.environ.get("KEHU_BENCH_REDIS", "redis://127.0.0.1:6379/12")


def _sqlalchemy_url(admin_url: str, database: str) -> str:
    base = admin_url.rsplit("/", 1)[0]
    if base.startswith("postgresql://"):
        base = base.replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}/{database}"


@contextlib.contextmanager
def scratch_database():
    """A fresh database ``kehu_bench_<random>``, dropped at the end (even after an error)."""
    import psycopg

    name = f"kehu_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name, _sqlalchemy_url(PG_ADMIN_URL, name)
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class BenchEnv:
    """One scratch database, migrated, with the full Kehu app on it (acting as ``kehu_app``, RLS live)."""

    database: str
    url: str
    app: object
    owner_engine: object  # plain engine as the connecting (owner) role: bypasses RLS


def app_config(url: str, instance: str, **overrides) -> dict:
    """The configuration of every Kehu app of the benchmarks: PostgreSQL at ``url``, acting as
    ``kehu_app`` (RLS live), no entry-point plugins, no access log; ``overrides`` on top."""
    return {
        "SQLALCHEMY_DATABASE_URI": url,
        "INSTANCE_PATH": instance,
        "SECRET_KEY": "bench-secret",
        "KEHU_REDIS_URL": None,
        "KEHU_LOAD_ENTRY_POINTS": False,
        "KEHU_DB_APP_ROLE": "kehu_app",
        "KEHU_ACCESS_LOG": False,
        **overrides,
    }


def check_app_role(app) -> None:
    from sqlalchemy import text

    from core.db import db

    with app.app_context():
        role = db.session.execute(text("select current_user")).scalar_one()
        db.session.rollback()
        if role != "kehu_app":
            raise RuntimeError(f"the app connects as {role!r}, not kehu_app: RLS would not be live")


@contextlib.contextmanager
def bench_env():
    from sqlalchemy import create_engine

    from core.db import db
    from core.migrations import runner
    from core.plugins import KehuPlugins
    from web.app import create_app

    with scratch_database() as (name, url), tempfile.TemporaryDirectory(prefix="kehu-bench-") as instance:
        app = create_app(app_config(url, instance), plugins=KehuPlugins(load_entry_points=False))
        runner.upgrade(url)
        check_app_role(app)
        owner_engine = create_engine(url)
        env = BenchEnv(name, url, app, owner_engine)
        try:
            yield env
        finally:
            owner_engine.dispose()
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


# --- Redis ----------------------------------------------------------------------------------------


@contextlib.contextmanager
def bench_redis():
    """A connection to the benchmarks' own Redis database (``KEHU_BENCH_REDIS``, default index 12),
    flushed before and after; nothing else on the server is touched."""
    import redis

    connection = redis.Redis.from_url(REDIS_URL)
    connection.ping()
    connection.flushdb()
    try:
        yield connection
    finally:
        connection.flushdb()
        connection.close()


# --- timing ----------------------------------------------------------------------------------------


def timed(fn: Callable[[], object]) -> float:
    """Seconds one call of ``fn`` takes (after a full collection, so that garbage of an earlier
    measurement is not charged to this one)."""
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def interleaved(measures: dict[str, Callable[[], float]], rounds: int) -> dict[str, list[float]]:
    """Run every measure once per round, rotating the order each round, so that drift of the machine
    (other processes, CPU frequency) spreads over all of them instead of favouring one."""
    names = list(measures)
    results: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        order = names[r % len(names):] + names[: r % len(names)]
        for name in order:
            results[name].append(measures[name]())
    return results


def median(values: list[float]) -> float:
    return statistics.median(values)


def spread(values: list[float]) -> str:
    """min-max of the rounds relative to the median, e.g. ``±4%``."""
    mid = statistics.median(values)
    if not mid:
        return "n/a"
    return f"±{max(abs(max(values) - mid), abs(mid - min(values))) / mid * 100:.0f}%"
