"""Cross-tenant suite for the portal: every page and form of ``/t/<slug>/``, core and plugins.

Tenants A and B hold the same data (``seed``). Logged in to A's portal as a user holding every role,
each page is opened and each form posted with B's ids in its path. Nothing may show B's data, every
page or form about one of B's objects answers 404, and afterwards every row B owns is as before.
Routes are read from the application's URL map, so a new page is covered without touching this file;
a new path parameter must be seeded in ``tests/isolation/seed.py``.
"""
from __future__ import annotations

import re

from core.plugins import get_plugins
from tests.isolation.conftest import OPTIONAL_PLUGINS
from tests.isolation.seed import marker, seed
from tests.isolation.test_cross_tenant_api import SHARED_NAMES, _snapshot
from tests.web.portal.test_login import _csrf, login

PORTAL = "/t/<slug>"
NOT_PAGES = {"portal.login", "portal.logout", "portal.switch_language"}


def _portal_rules(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.rule.startswith(PORTAL) and rule.endpoint not in NOT_PAGES:
            yield rule


def test_every_portal_page_is_isolated(app, client, two_tenants, make_tenant, owner_engine):
    a, b = two_tenants
    seed(client, a)
    b_ids = seed(client, b)
    b_mark = marker(b)
    before = _snapshot(owner_engine, b.id)
    every_role = sorted(get_plugins().relay(OPTIONAL_PLUGINS).records("kehu_roles"))
    make_tenant.user(a, "every-role", roles=every_role)
    assert login(client, "tenant-a", "every-role").status_code == 302
    token = _csrf(client.get("/t/tenant-a/").get_data(as_text=True))
    rules = list(_portal_rules(app))
    assert len(rules) >= 10
    problems = []
    for rule in rules:
        params = [p for p in rule.arguments if p != "slug"]
        unknown = [p for p in params if p not in b_ids]
        if unknown:
            problems.append(f"{rule.rule}: seed has no {unknown} (add it to tests/isolation/seed.py)")
            continue
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(b_ids[m.group(1)]) if m.group(1) != "slug" else "tenant-a",
                     rule.rule)
        targets_b_object = any(p not in SHARED_NAMES for p in params)
        for method in sorted(rule.methods & {"GET", "POST"}):
            if method == "GET":
                response = client.get(url)
            else:
                response = client.post(url, data={"csrf_token": token})
            body = response.get_data(as_text=True)
            if b_mark in body:
                problems.append(f"{method} {url}: shows tenant B's data")
            if response.status_code >= 500:
                problems.append(f"{method} {url}: {response.status_code}")
            if targets_b_object and response.status_code != 404:
                problems.append(f"{method} {url}: {response.status_code} on tenant B's object (want 404)")
    assert problems == []
    assert _snapshot(owner_engine, b.id) == before


def test_a_portal_session_never_opens_another_tenants_pages(app, client, two_tenants):
    """Logged in to A, every page of B's portal asks for B's log-in (or does not exist for B)."""
    login(client, "tenant-a")
    for rule in _portal_rules(app):
        if "<" in rule.rule[len(PORTAL):] or "GET" not in rule.methods:
            continue
        response = client.get(rule.rule.replace(PORTAL, "/t/tenant-b"))
        assert response.status_code in (302, 404), rule.rule
        if response.status_code == 302:
            assert "/t/tenant-b/login" in response.headers["Location"], rule.rule
