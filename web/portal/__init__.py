"""Tenant web portal: ``/t/<slug>/...``, server-rendered, zh_Hans by default."""
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


def register_portal(app: Flask) -> None:
    from web.portal import session_user, views

    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)  # the portal checks its own forms
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.user_loader(session_user.load)
    Babel(app, locale_selector=select_locale, default_translation_directories="translations")
    app.extensions["kehu_login_limiter"] = limiter_for(app)
    app.register_blueprint(views.bp)
    app.add_url_rule("/", "landing", views.landing)
