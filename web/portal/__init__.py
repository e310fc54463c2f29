"""Tenant web portal: ``/t/<slug>/...``, server-rendered, zh_Hans by default.

The core's pages are the ``portal`` blueprint (``views``: log-in, language, users, decisions) and its
parts, one blueprint per module (``portal.customers``, ``portal.complaints``, ...). Plugins add
theirs through ``kehu_portal_pages``; they hang under the ``plugin_pages`` blueprint, which answers 404
for a tenant that has not enabled the plugin.
"""
from __future__ import annotations

from flask import Flask, g, request, session
from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from web.auth.ratelimit import limiter_for

LOCALES = ("zh_Hans", "zh_Hant", "en")
csrf = CSRFProtect()
login_manager = LoginManager()


def select_locale() -> str:
    lang = request.args.get("lang") or session.get("lang")
    if lang in LOCALES:
        return lang
    user = g.get("user")
    if user is not None and user.locale in LOCALES:
        return user.locale
    tenant = g.get("tenant")
    if tenant is not None and tenant.locale in LOCALES:
        return tenant.locale
    return "zh_Hans"


def _part_blueprints() -> list:
    """The portal's parts, one blueprint per module, mounted under ``/t/<slug>``."""
    from web.portal import (
        complaint_reports,  # CMP-80/81
        complaint_tools,  # CMP-13, CMP-42, CMP-52..54: the case's further steps
        complaints,
        customer_manage,  # CUS-15, CUS-20..27, grades: the sales managers' pages
        customer_reassign,  # CUS-33/35: reassignment as a job
        customers,
        dashboards,
        jobs,
        policies,
        service,
        service_aftercare,  # SVC-14/16/23
        service_contracts,  # SVC-20..22
        service_duties,  # SVC-30..32
        service_fees,  # SVC-15
        service_reports,  # SVC-40
        staff,
        transfers,
        users,
    )

    return [
        customers.bp,
        customer_manage.bp,
        customer_reassign.bp,
        complaints.bp,
        complaint_reports.bp,
        complaint_tools.bp,
        service.bp,
        service_aftercare.bp,
        service_fees.bp,
        service_contracts.bp,
        service_duties.bp,
        service_reports.bp,
        staff.bp,
        dashboards.bp,
        transfers.bp,
        jobs.bp,
        policies.bp,
        users.bp,
    ]


def register_portal(app: Flask) -> None:
    from web.portal import context, filters, session_user, views
    from web.portal.i18n import CORE_FOLDER, CatalogDomain
    from web.portal.tenant_pages import plugin_pages_blueprint

    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)  # the portal checks its own forms
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.user_loader(session_user.load)
    plugins = app.extensions["kehu_plugins"]
    pages = plugins.portal_pages()
    babel = Babel(app, locale_selector=select_locale)
    folders = dict.fromkeys(p.translations for p in pages if p.translations)  # a plugin's parts share one folder
    babel.domain_instance = CatalogDomain([CORE_FOLDER, *folders])
    app.extensions["kehu_login_limiter"] = limiter_for(app)
    filters.register(app)
    context.register(app)
    views.mount_parts(_part_blueprints())
    app.register_blueprint(views.bp)
    app.register_blueprint(plugin_pages_blueprint(pages))
    app.add_url_rule("/", "landing", views.landing)
