"""REST API under /api/v1 (flask-smorest: marshmallow schemas, OpenAPI document at /api/v1/openapi.json,
a server-rendered reference at /api/v1/docs)."""
from __future__ import annotations

from flask import Flask
from flask_smorest import Api

API_PREFIX = "/api/v1"


def _modules() -> tuple:
    """The blueprint modules, in the order of the API reference."""
    from web.api import (
        accounts,
        attachments,
        audit,
        calendar,
        complaint_reports,
        complaint_resolution,
        complaint_aftercare,
        complaint_deadlines,
        complaint_letters,
        complaints,
        contact_log,
        customer_archive,
        customer_assignment,
        customer_confidentiality,
        customer_credit,
        customer_events,
        customer_grades,
        customer_merge,
        customer_ownership,
        customer_points,
        customer_timeline,
        customer_transfer,
        customer_visits,
        customers,
        decisions,
        jobs,
        notifications,
        platform,
        service_technicians,
        work_order_dispatch,
        service_duties,
        service_assets,
        work_order_field,
        work_orders,
        service_contracts,
        service_fees,
        service_reports,
        service_aftercare,
        plugins,
        policies,
        staff_credit,
        staff_ledger,
        staff_slips,
        staff_scorecards,
        staff_penalties,
    )

    return (
        accounts,
        customers,
        customer_archive,
        customer_transfer,
        contact_log,
        customer_timeline,
        customer_ownership,
        customer_merge,
        customer_assignment,
        customer_points,
        customer_events,
        customer_grades,
        customer_credit,
        customer_visits,
        customer_confidentiality,
        complaints,
        complaint_reports,
        complaint_resolution,
        complaint_aftercare,
        complaint_deadlines,
        complaint_letters,
        staff_ledger,
        staff_slips,
        staff_credit,
        staff_scorecards,
        staff_penalties,
        work_orders,
        work_order_dispatch,
        service_technicians,
        service_contracts,
        service_fees,
        service_reports,
        service_duties,
        service_aftercare,
        work_order_field,
        service_assets,
        attachments,
        policies,
        decisions,
        audit,
        calendar,
        plugins,
        jobs,
        notifications,
        platform,
    )


def _register_plugin_endpoints(app: Flask, api: Api) -> None:
    """The plugins' own endpoints (``kehu_api_endpoints``), each answering 404 for a tenant that has not
    enabled its plugin — checked after the token has named the tenant, before the endpoint runs."""
    from flask import abort, g, request

    from core.plugins import get_plugins

    owners = {}
    for found in app.extensions["kehu_plugins"].api_endpoints():
        api.register_blueprint(found.blueprint, url_prefix=f"{API_PREFIX}{found.url_prefix}")
        owners[found.blueprint.name] = found.plugin
    if not owners:
        return

    @app.before_request
    def _only_enabled_plugins():
        plugin = owners.get((request.blueprint or "").split(".", 1)[0])
        if plugin is not None and (g.get("tenant") is None
                                   or plugin not in get_plugins().for_tenant(g.tenant).enabled):
            abort(404)


def register_api(app: Flask) -> Api:
    from web.api import auth, docs

    api = Api(app, spec_kwargs={
        "info": {"description": "Kehu (客户): customers, complaints and service under each tenant's regulations."},
    })
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    auth.init_app(app)
    for module in _modules():
        api.register_blueprint(module.blp, url_prefix=f"{API_PREFIX}{module.PREFIX}")
    _register_plugin_endpoints(app, api)
    docs.init_app(app, api)
    app.extensions["kehu_api"] = api
    return api
