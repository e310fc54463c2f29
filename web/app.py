"""The application factory."""
from __future__ import annotations

import logging
import re

from flask import Flask
from sqlalchemy import event

from core.db import db
from core.plugins import KehuPlugins, set_plugins
from web.config import load_settings
from web.logging import configure_logging

log = logging.getLogger("kehu.app")


def _import_models() -> None:
    """Every model module, so that the metadata is complete (migrations, export, schema tests)."""
    import core.accounts.models  # noqa: F401
    import core.attachments.models  # noqa: F401
    import core.attachments.storage  # noqa: F401  (files of rolled-back uploads removed)
    import core.audit.models  # noqa: F401
    import core.audit.recorder  # noqa: F401  (flush listener)
    import core.complaints.consequence_models  # noqa: F401
    import core.complaints.deadlines_models  # noqa: F401
    import core.complaints.models  # noqa: F401
    import core.complaints.letter_models  # noqa: F401
    import core.complaints.reports_models  # noqa: F401
    import core.complaints.resolution_models  # noqa: F401
    import core.complaints.return_visit_models  # noqa: F401
    import core.customers.archive.models  # noqa: F401
    import core.customers.assignment.models  # noqa: F401
    import core.customers.confidentiality.models  # noqa: F401
    import core.customers.credit.models  # noqa: F401
    import core.customers.events.models  # noqa: F401
    import core.customers.grades.models  # noqa: F401
    import core.customers.merging.models  # noqa: F401
    import core.customers.models  # noqa: F401
    import core.customers.ownership.models  # noqa: F401
    import core.customers.points.models  # noqa: F401
    import core.customers.visits.models  # noqa: F401
    import core.decisions.models  # noqa: F401
    import core.notifications.models  # noqa: F401
    import core.policy.models  # noqa: F401
    import core.service.dispatch_models  # noqa: F401
    import core.service.contract_models  # noqa: F401
    import core.service.fees_models  # noqa: F401
    import core.service.checklists_models  # noqa: F401
    import core.service.duties_models  # noqa: F401
    import core.service.field_models  # noqa: F401
    import core.service.models  # noqa: F401
    import core.service.reports_models  # noqa: F401
    import core.service.records_watch_models  # noqa: F401
    import core.service.return_visit_models  # noqa: F401
    import core.sla.models  # noqa: F401
    import core.staff.appeals_models  # noqa: F401
    import core.staff.correction_models  # noqa: F401
    import core.staff.credit_models  # noqa: F401
    import core.staff.models  # noqa: F401
    import core.staff.pay_models  # noqa: F401
    import core.staff.scorecards_models  # noqa: F401
    import core.staff.slips_models  # noqa: F401
    import core.staff.statements_models  # noqa: F401
    import core.tenancy.scoping  # noqa: F401  (query criteria, stamping, RLS setting)
    import tenants.models  # noqa: F401
    import workers.dispatch  # noqa: F401  (enqueue after commit)
    import workers.models  # noqa: F401


def _import_jobs() -> None:
    """Modules of the core that register job functions (plugins register theirs on import)."""
    import core.complaints.consequence_jobs  # noqa: F401
    import core.complaints.counter_jobs  # noqa: F401
    import core.complaints.deadlines_jobs  # noqa: F401
    import core.complaints.major_jobs  # noqa: F401
    import core.complaints.reports_jobs  # noqa: F401
    import core.complaints.return_visit_jobs  # noqa: F401
    import core.customers.archive.jobs  # noqa: F401
    import core.customers.assignment.jobs  # noqa: F401
    import core.customers.confidentiality.jobs  # noqa: F401
    import core.customers.credit.jobs  # noqa: F401
    import core.customers.events.jobs  # noqa: F401
    import core.customers.grades.jobs  # noqa: F401
    import core.customers.ownership.jobs  # noqa: F401
    import core.customers.transfer.jobs  # noqa: F401
    import core.customers.visits.jobs  # noqa: F401
    import core.service.contract_jobs  # noqa: F401
    import core.service.fees_jobs  # noqa: F401
    import core.service.reports_jobs  # noqa: F401
    import core.service.duties_jobs  # noqa: F401
    import core.service.records_watch_jobs  # noqa: F401
    import core.service.return_visit_jobs  # noqa: F401
    import core.sla.jobs  # noqa: F401
    import core.staff.pay_jobs  # noqa: F401
    import core.staff.penalty_jobs  # noqa: F401
    import core.staff.slips_jobs  # noqa: F401
    import tenants.jobs  # noqa: F401


def _max_request_bytes(attachment_max_mb: int) -> int:
    """The largest request body: the larger of an attachment (KEHU_ATTACHMENT_MAX_MB) and a customer
    import (50 MB, checked by its endpoint), plus 1 MB for the rest of a multipart form. Larger → 413."""
    from core.customers.transfer.uploads import MAX_UPLOAD

    return max(attachment_max_mb * 1024 * 1024, MAX_UPLOAD) + 1024 * 1024


def _engine_options(url: str, pre_ping: bool, app_role: str) -> dict:
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30}}
    options = {"pool_pre_ping": pre_ping, "pool_recycle": 1800, "pool_size": 10, "max_overflow": 10}
    # no pre-ping round trip per request: connections are recycled, and a dropped one is replaced on
    # the next checkout after the error (KEHU_DB_PRE_PING=1 turns pinging on)
    if app_role:
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", app_role):
            raise ValueError(f"KEHU_DB_APP_ROLE {app_role!r} is not a plain role name")
        # act as the role that owns no table (RLS applies) from the connection's first statement:
        # set in the start-up packet, it costs no round trip
        options["connect_args"] = {"options": f"-c role={app_role}"}
    return options


def _configure_engine(app: Flask) -> None:
    engine = db.engine
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            # SQLAlchemy, not the sqlite3 module, decides where transactions begin (so savepoints
            # and rollbacks mean what they say)
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            conn.exec_driver_sql("BEGIN")


def create_app(config: dict | None = None, plugins: KehuPlugins | None = None) -> Flask:
    settings = load_settings(config)
    app = Flask("web", instance_path=settings["INSTANCE_PATH"], static_url_path="/static")
    app.config.update(settings)
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = _max_request_bytes(app.config["KEHU_ATTACHMENT_MAX_MB"])
    app.json.ensure_ascii = False  # Chinese as it is, not \uXXXX
    if app.config["KEHU_PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["KEHU_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", _engine_options(
        settings["SQLALCHEMY_DATABASE_URI"], settings["KEHU_DB_PRE_PING"], settings["KEHU_DB_APP_ROLE"]))
    configure_logging(app.config["KEHU_LOG_FORMAT"])

    _import_models()
    db.init_app(app)
    with app.app_context():
        _configure_engine(app)

    if plugins is None:
        plugins = KehuPlugins(load_entry_points=app.config["KEHU_LOAD_ENTRY_POINTS"])
    set_plugins(plugins)
    app.extensions["kehu_plugins"] = plugins

    from workers.backends import backend_for
    from workers.runtime import set_application

    _import_jobs()
    app.extensions["kehu_jobs"] = backend_for(app)
    set_application(app)

    from web import errors, requests
    from web.api import register_api
    from web.portal import register_portal

    requests.init_app(app)
    register_api(app)
    register_portal(app)
    errors.init_app(app)  # last: replaces flask-smorest's handler with the one error shape
    return app
