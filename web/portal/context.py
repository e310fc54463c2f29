"""What every portal template knows: the language, the tenant's industry, role titles, and the
navigation (the core's items and those of the tenant's enabled plugins, filtered by the user's roles)."""
from __future__ import annotations

import logging

from flask import Flask, g, request, url_for
from werkzeug.routing import BuildError

from core.plugins import get_plugins
from tenants.service import presets
from web.portal.localise import localise

log = logging.getLogger("kehu.portal")


def navigation(relay, locale: str) -> list[dict]:
    english = locale == "en"
    nav = []
    for item in sorted(relay.records("kehu_nav_items").values(), key=lambda i: (i.order, i.key)):
        if item.roles and not g.user.has_role(*item.roles):
            continue
        try:
            url = url_for(item.endpoint)
        except BuildError:
            log.warning("nav item %s points to unknown endpoint %s", item.key, item.endpoint)
            continue
        nav.append({"key": item.key, "title": item.title_en if english else localise(item.title_zh, locale),
                    "url": url, "endpoint": item.endpoint})
    # the item of the page shown: the longest URL that starts this page's path
    path = request.path
    matches = [n for n in nav if path == n["url"] or (n["url"].endswith("/") is False and path.startswith(n["url"] + "/"))]
    current = max(matches, key=lambda n: len(n["url"]), default=None)
    if current is None:
        current = next((n for n in nav if n["url"] == path), None)
    for item in nav:
        item["current"] = item is current
    return nav


def register(app: Flask) -> None:
    @app.context_processor
    def _portal_context():
        if g.get("tenant") is None:
            return {}
        from web.portal import LOCALES, select_locale

        locale = select_locale()
        relay = get_plugins().for_tenant(g.tenant)
        english = locale == "en"
        role_titles = {code: (r.title_en if english else localise(r.title_zh, locale))
                       for code, r in relay.records("kehu_roles").items()}
        preset = presets().get(g.tenant.industry)
        industry = (preset.title_en if english else localise(preset.title_zh, locale)) if preset else g.tenant.industry
        nav = navigation(relay, locale) if g.get("user") is not None else []
        return {"nav": nav, "locale": locale, "locales": LOCALES, "role_titles": role_titles, "industry": industry,
                "zh": lambda text: localise(text, locale),
                "pick": lambda zh_text, en_text: en_text if english else localise(zh_text, locale)}
