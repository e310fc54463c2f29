"""REST API under /api/v1 (flask-smorest: marshmallow schemas, OpenAPI document at /api/v1/openapi.json,
a server-rendered reference at /api/v1/docs)."""
from __future__ import annotations

from flask import Flask
from flask_smorest import Api

API_PREFIX = "/api/v1"


def register_api(app: Flask) -> Api:
    from web.api import (
        accounts, audit, auth, calendar, contact_log, customer_confidentiality, customers, decisions, docs, jobs, notifications, platform,
        plugins, policies,
    )

    api = Api(app, spec_kwargs={
        "info": {"description": "Kehu (客户): customers, complaints and service under each tenant's regulations."},
    })
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    auth.init_app(app)
    for module in (accounts, customers, contact_log, customer_confidentiality, policies, decisions, audit, calendar, plugins, jobs,
                   notifications, platform):
        api.register_blueprint(module.blp, url_prefix=f"{API_PREFIX}{module.PREFIX}")
    docs.init_app(app, api)
    app.extensions["kehu_api"] = api
    return api
