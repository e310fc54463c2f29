"""The ``kehu`` command: a Flask CLI group bound to the app.

    kehu up                      migrate, provision demo tenants on a new instance, serve the portal
    kehu db upgrade|current|downgrade REV
    kehu tenants list|create|demo|enable-plugin|disable-plugin|add-user|token|export|erase
    kehu platform create-admin USERNAME
    kehu worker [--queue Q] [--burst] [--fanout]   rq worker (KEHU_REDIS_URL)
    kehu scheduler               the once-a-minute periodic fan-out (KEHU_REDIS_URL)
    kehu jobs failed|retry       failed background jobs per tenant
    kehu run                     Flask's development server (no periodic jobs)
"""
from __future__ import annotations

import functools
import json
import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import select

from core.db import db
from core.errors import KehuError


def _create_app():
    from web.app import create_app

    return create_app()


def cli_errors(fn):
    """A domain error becomes a one-line message (and field messages), exit status 1; no traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except KehuError as err:
            db.session.rollback()
            details = "; ".join(f"{field}: {', '.join(map(str, msgs)) if isinstance(msgs, list) else msgs}"
                                for field, msgs in err.fields.items())
            raise click.ClickException(err.message + (f" ({details})" if details else "")) from None

    return wrapper


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main():
    """Kehu (客户): multi-tenant customer management."""


# --- db ------------------------------------------------------------------------------------------

@main.group("db")
def db_group():
    """Database migrations (core and plugins)."""


@db_group.command("upgrade")
@click.argument("target", default="heads")
@with_appcontext
def db_upgrade(target):
    """Apply migrations up to TARGET (default: every head)."""
    from core.migrations import runner

    runner.upgrade(current_app.config["SQLALCHEMY_DATABASE_URI"], target)
    click.echo("database is up to date")


@db_group.command("downgrade")
@click.argument("target")
@with_appcontext
def db_downgrade(target):
    """Revert migrations down to TARGET."""
    from core.migrations import runner

    runner.downgrade(current_app.config["SQLALCHEMY_DATABASE_URI"], target)


@db_group.command("current")
@with_appcontext
def db_current():
    """Show the applied revisions."""
    from core.migrations import runner

    runner.current(current_app.config["SQLALCHEMY_DATABASE_URI"])


@db_group.command("revision")
@click.option("-m", "--message", required=True)
@with_appcontext
def db_revision(message):
    """Generate a migration from the models (review it before committing)."""
    from core.migrations import runner

    runner.revision(current_app.config["SQLALCHEMY_DATABASE_URI"], message)


# --- tenants -------------------------------------------------------------------------------------

@main.group("tenants")
def tenants_group():
    """Create, configure, export and erase tenants."""


def _tenant(slug: str):
    from tenants.registry import find_tenant_by_slug

    tenant = find_tenant_by_slug(slug)
    if tenant is None:
        raise click.ClickException(f"no tenant with slug {slug!r}")
    return tenant


@tenants_group.command("list")
@with_appcontext
def tenants_list():
    """Every tenant with its industry and enabled plugins."""
    from tenants.models import Tenant
    from tenants.registry import enabled_plugin_names

    for tenant in db.session.scalars(select(Tenant).order_by(Tenant.id)):
        plugins = ",".join(enabled_plugin_names(tenant.id)) or "-"
        click.echo(f"{tenant.id}\t{tenant.slug}\t{tenant.name}\t{tenant.industry}\t{tenant.status}\t{plugins}")


@tenants_group.command("create")
@click.argument("slug")
@click.argument("name")
@click.option("--industry", default="generic", show_default=True, help="industry preset")
@click.option("--timezone", default="Asia/Shanghai", show_default=True)
@click.option("--region", default="CN", show_default=True)
@click.option("--admin", "admin_username", help="username of the first tenant admin")
@click.option("--admin-password", help="password of the first tenant admin")
@with_appcontext
@cli_errors
def tenants_create(slug, name, industry, timezone, region, admin_username, admin_password):
    """Create a tenant from an industry preset."""
    from tenants.service import create_tenant

    admin = None
    if admin_username:
        if not admin_password:
            raise click.ClickException("--admin-password is required with --admin")
        admin = {"username": admin_username, "password": admin_password}
    tenant = create_tenant(slug, name, industry, timezone=timezone, region=region, admin=admin)
    db.session.commit()
    click.echo(f"created tenant {tenant.id} {tenant.slug}: portal /t/{tenant.slug}/")


@tenants_group.command("enable-plugin")
@click.argument("slug")
@click.argument("plugin")
@click.option("--config", "config_json", help="per-tenant plugin config as JSON")
@with_appcontext
@cli_errors
def tenants_enable_plugin(slug, plugin, config_json):
    """Enable an installed plugin for a tenant."""
    from tenants.service import set_plugin

    try:
        config = json.loads(config_json) if config_json else None
    except json.JSONDecodeError as err:
        raise click.ClickException(f"--config is not valid JSON: {err}") from None
    set_plugin(_tenant(slug), plugin, True, config)
    db.session.commit()
    click.echo(f"{plugin} enabled for {slug}")


@tenants_group.command("disable-plugin")
@click.argument("slug")
@click.argument("plugin")
@with_appcontext
@cli_errors
def tenants_disable_plugin(slug, plugin):
    """Disable a plugin for a tenant (its data stays)."""
    from tenants.service import set_plugin

    set_plugin(_tenant(slug), plugin, False)
    db.session.commit()
    click.echo(f"{plugin} disabled for {slug}")


@tenants_group.command("add-user")
@click.argument("slug")
@click.argument("username")
@click.option("--name", "display_name", help="display name (default: the username)")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", "roles", multiple=True, help="a role code; repeat for several")
@click.option("--phone")
@with_appcontext
@cli_errors
def tenants_add_user(slug, username, display_name, password, roles, phone):
    """Create a user in a tenant."""
    from core.accounts.service import create_user
    from core.audit.recorder import acting_as
    from core.tenancy import tenant_scope

    tenant = _tenant(slug)
    with tenant_scope(tenant.id), acting_as("cli"):
        user = create_user(username, display_name or username, password, roles=list(roles), phone=phone,
                           region=tenant.region)
        db.session.commit()
        click.echo(f"created user {user.id} {username} in {slug}")


@tenants_group.command("token")
@click.argument("slug")
@click.argument("username")
@click.option("--name", default="cli", show_default=True)
@click.option("--scope", "scopes", multiple=True, default=("read", "write"), show_default=True)
@with_appcontext
@cli_errors
def tenants_token(slug, username, name, scopes):
    """Issue an API token for a user of a tenant (printed once)."""
    from core.accounts.service import find_user, issue_token
    from core.audit.recorder import acting_as
    from core.tenancy import tenant_scope

    tenant = _tenant(slug)
    with tenant_scope(tenant.id), acting_as("cli"):
        user = find_user(username)
        if user is None:
            raise click.ClickException(f"no user {username!r} in {slug}")
        if "admin" in scopes and not user.has_role("tenant_admin"):
            raise click.ClickException(f"{username} is not a tenant admin: no 'admin' scope")
        _token, raw = issue_token(user, name, scopes)
        db.session.commit()
    click.echo(raw)


@tenants_group.command("export")
@click.argument("slug")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="zip file to write")
@with_appcontext
@cli_errors
def tenants_export(slug, output):
    """Export everything a tenant owns (JSON lines in a zip)."""
    from tenants.service import export_tenant

    data = export_tenant(_tenant(slug))
    output = output or f"kehu-{slug}.zip"
    with open(output, "wb") as fh:
        fh.write(data)
    click.echo(f"wrote {output} ({len(data)} bytes)")


@tenants_group.command("erase")
@click.argument("slug")
@click.option("--yes", is_flag=True, help="do not ask")
@with_appcontext
@cli_errors
def tenants_erase(slug, yes):
    """Erase a tenant and everything it owns. Irreversible: export first."""
    from tenants.service import erase_tenant

    tenant = _tenant(slug)
    if not yes:
        click.confirm(f"Erase tenant {slug} ({tenant.name}) and all its data?", abort=True)
    counts = erase_tenant(tenant)
    db.session.commit()
    click.echo(f"erased {slug}: " + ", ".join(f"{t} {n}" for t, n in counts.items() if n))


@tenants_group.command("demo")
@with_appcontext
@cli_errors
def tenants_demo():
    """Provision the demo tenants (one per industry preset) if they do not exist."""
    from tenants.demo import provision_demo_tenants

    _print_logins(provision_demo_tenants())


def _print_logins(result, base: str = "") -> None:
    for slug, name, logins in result:
        click.echo(f"\n  {name}  →  {base}/t/{slug}/")
        for username, password, roles in logins:
            click.echo(f"    {username:<10} {password:<12} {roles}")


# --- platform ------------------------------------------------------------------------------------

@main.group("platform")
def platform_group():
    """Platform administrators (they manage tenants, apart from them)."""


@platform_group.command("create-admin")
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
@cli_errors
def platform_create_admin(username, password):
    """Create a platform admin and print its API token (once)."""
    from tenants.platform import create_admin

    _admin, token = create_admin(username, password)
    db.session.commit()
    click.echo(token)


# --- jobs ----------------------------------------------------------------------------------------

def _redis_or_fail():
    url = current_app.config.get("KEHU_REDIS_URL")
    if not url:
        raise click.ClickException("KEHU_REDIS_URL is not set: without Redis, jobs run inside `kehu up`")
    import redis

    connection = redis.Redis.from_url(url)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError as err:
        raise click.ClickException(f"Redis at {url} is not reachable: {err}") from None
    return connection


@main.command("worker")
@click.option("--queue", "queues", multiple=True, default=("default", "long"), show_default=True)
@click.option("--burst", is_flag=True, help="stop when the queues are empty")
@click.option("--fanout/--no-fanout", default=False, help="also run the once-a-minute periodic fan-out")
@with_appcontext
def worker(queues, burst, fanout):
    """Run an rq worker (with rq's scheduler) for the given queues."""
    import os
    import threading

    from rq import Queue
    from rq.serializers import JSONSerializer

    from workers.fanout import RedisLedger, redis_minute_lock, tick_forever
    from workers.rq_worker import KehuWorker

    connection = _redis_or_fail()
    app = current_app._get_current_object()
    engine = db.engine
    os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))  # no shared connections
    stop = threading.Event()
    if fanout:
        threading.Thread(target=tick_forever, args=(app, RedisLedger(connection), stop),
                         kwargs={"lock": redis_minute_lock(connection)}, daemon=True).start()
    from workers.runtime import warm_up

    warm_up()  # every forked job starts with the job statements compiled
    rq_queues = [Queue(name, connection=connection, serializer=JSONSerializer) for name in queues]
    try:
        KehuWorker(rq_queues, connection=connection, serializer=JSONSerializer).work(burst=burst, with_scheduler=True)
    finally:
        stop.set()


@main.command("scheduler")
@with_appcontext
def scheduler():
    """Run the periodic fan-out: once a minute, every tenant's due jobs are enqueued once.
    Several schedulers may run (one per machine); each minute runs once."""
    import threading

    from workers.fanout import RedisLedger, redis_minute_lock, tick_forever

    connection = _redis_or_fail()
    click.echo("scheduler: fan-out every minute (Ctrl+C to stop)")
    try:
        tick_forever(current_app._get_current_object(), RedisLedger(connection), threading.Event(),
                     lock=redis_minute_lock(connection))
    except KeyboardInterrupt:
        pass


@main.group("jobs")
def jobs_group():
    """Background jobs: failures and retries."""


def _each_tenant(slug: str | None):
    from tenants.models import Tenant

    if slug:
        return [_tenant(slug)]
    return list(db.session.scalars(select(Tenant).order_by(Tenant.id)))


@jobs_group.command("failed")
@click.option("--tenant", "slug", help="only this tenant")
@with_appcontext
def jobs_failed(slug):
    """Failed jobs per tenant: TENANT:ID, job, attempts, when, error."""
    from core.tenancy import tenant_scope
    from workers.models import JobRecord

    found = 0
    for tenant in _each_tenant(slug):
        with tenant_scope(tenant.id):
            for job in db.session.scalars(select(JobRecord).where(JobRecord.status == "failed")
                                          .order_by(JobRecord.id)):
                found += 1
                ended = job.ended_at.strftime("%Y-%m-%d %H:%M") if job.ended_at else "-"
                click.echo(f"{tenant.slug}:{job.id}	{job.name}	attempts {job.attempts}	{ended}	{job.error}")
    if not found:
        click.echo("no failed jobs")


@jobs_group.command("retry")
@click.argument("job")
@click.option("--tenant", "slug", help="the job's tenant (or write the job as TENANT:ID)")
@with_appcontext
@cli_errors
def jobs_retry(job, slug):
    """Run a failed job again."""
    from core.tenancy import tenant_scope
    from workers import dispatch
    from workers.models import JobRecord

    if ":" in job:
        slug, job = job.split(":", 1)
    if not job.isdigit():
        raise click.ClickException(f"{job!r} is not a job id")
    for tenant in _each_tenant(slug):
        with tenant_scope(tenant.id):
            record = db.session.scalars(select(JobRecord).where(JobRecord.id == int(job))).first()
            if record is None:
                continue
            dispatch.retry(record)
            db.session.commit()
            click.echo(f"{tenant.slug}:{job} {record.name} queued again")
            return
    raise click.ClickException(f"no job {job}" + (f" in {slug}" if slug else ""))


# --- one command ---------------------------------------------------------------------------------

@main.command("up")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="prepare only (migrate, demo data), do not serve")
@with_appcontext
@cli_errors
def up(host, port, no_serve):
    """Migrate, provision the demo tenants on a new instance, print the logins and serve."""
    from core.migrations import runner
    from tenants.demo import provision_demo_tenants

    app = current_app._get_current_object()
    runner.upgrade(app.config["SQLALCHEMY_DATABASE_URI"])
    result = provision_demo_tenants()
    base = f"http://{host}:{port}"
    click.echo(f"Kehu is ready. Database: {app.config['SQLALCHEMY_DATABASE_URI']}")
    click.echo(f"API reference: {base}/api/v1/docs   Demo tenants and logins (password for all: see below):")
    _print_logins(result, base)
    sys.stdout.flush()
    if not no_serve:
        from werkzeug.serving import run_simple

        from workers.backends import EmbeddedBackend

        if isinstance(app.extensions["kehu_jobs"], EmbeddedBackend):
            from workers.fanout import start_embedded_scheduler

            start_embedded_scheduler(app)  # periodic jobs in-process (no Redis)
        run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)


if __name__ == "__main__":
    main()
