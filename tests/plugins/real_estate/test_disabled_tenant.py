"""Issue 8: the plugin disabled for a tenant means none of its rules, pages, jobs or endpoints exist for
that tenant — read from the running application (its URL map, its OpenAPI document, its job registry),
so a page, endpoint or job added later is covered without touching this file."""
from __future__ import annotations

import re

import pytest

from core.db import db
from core.plugins import get_plugins
from core.staff import credit
from core.tenancy import tenant_scope
from tests.web.portal.test_login import _csrf, login
from workers.registry import JOBS
from workers.runtime import JobRefused, execute

PLUGIN_PAGE = re.compile(r"^/t/<slug>/re(/|$)")


@pytest.fixture
def tenants(make_tenant):
    """An estate agency with the plugin and a plain company without it, each with a user holding every
    role the company has (the plugin's roles do not exist in the plain company)."""
    office = make_tenant("estate", "置业公司", plugins=["real_estate"])
    plain = make_tenant("plain-co", "普通公司")
    make_tenant.user(plain, "everyone", roles=sorted(get_plugins().relay([]).records("kehu_roles")))
    make_tenant.user(office, "everyone", roles=sorted(get_plugins().relay(["real_estate"]).records("kehu_roles")))
    return office, plain


def _filled(rule: str, slug: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: slug if m.group(1) == "slug" else "1", rule)


def test_no_page_of_the_plugin_exists_for_a_tenant_without_it(app, client, tenants):
    office, plain = tenants
    rules = [r for r in app.url_map.iter_rules() if PLUGIN_PAGE.match(r.rule)]
    assert len(rules) >= 20  # reception, attribution, sales control, changes, reports
    login(client, "plain-co", "everyone")
    token = _csrf(client.get("/t/plain-co/").get_data(as_text=True))
    home = client.get("/t/plain-co/").get_data(as_text=True)
    assert "接待台" not in home and "销控" not in home and "判客" not in home  # no menu entries
    for rule in rules:
        url = _filled(rule.rule, "plain-co")
        if "GET" in rule.methods:
            assert client.get(url).status_code == 404, url
        if "POST" in rule.methods:
            assert client.post(url, data={"csrf_token": token}).status_code == 404, url
    # the same pages exist for the office (its menu shows them)
    login(client, "estate", "everyone")
    home = client.get("/t/estate/").get_data(as_text=True)
    assert "接待台" in home and "销控" in home and "判客" in home
    assert client.get("/t/estate/re/sales").status_code == 200


def test_no_endpoint_of_the_plugin_exists_for_a_tenant_without_it(client, tenants):
    office, plain = tenants
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = [p for p in spec["paths"] if p.startswith("/api/v1/re/")]
    assert len(paths) >= 20
    for path in paths:
        url = re.sub(r"{\w+}", "1", path)
        for method in spec["paths"][path]:
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            response = getattr(client, method)(url, headers=plain.headers(), json={})
            assert response.status_code == 404, (method, url, response.status_code)
    assert client.get("/api/v1/policies/re", headers=plain.headers()).status_code == 404
    assert client.get("/api/v1/policies/re", headers=office.headers()).status_code == 200


def test_no_job_of_the_plugin_runs_for_a_tenant_without_it(ctx, tenants):
    office, plain = tenants
    names = sorted(name for name, spec in JOBS.items() if spec.plugin == "real_estate")
    assert {"re.hold_lapse", "re.defaults", "re.follow_up_reminders", "re.plan_reminders"} <= set(names)
    for name in names:
        with pytest.raises(JobRefused, match="has not enabled"):
            execute(plain.id, name, {}, dedupe_key=f"{name}@plain")
    periodic = get_plugins().relay([]).records("kehu_periodic_jobs")
    assert not [job for job in periodic if job.startswith("re.")]
    assert set(names) <= set(get_plugins().relay(["real_estate"]).records("kehu_periodic_jobs"))


def test_no_rule_of_the_plugin_decides_for_a_tenant_without_it(ctx, tenants):
    """A deal of the plugin's subject type in a plain company is the core's: 100% to the owner (STF-30),
    counted when recorded — not the plugin's attribution or its RE-26 recognition."""
    office, plain = tenants
    with tenant_scope(plain.id):
        from core.accounts.service import find_user

        seller = find_user("everyone")
        deal = credit.record_deal(subject_type="re_subscription", subject_id=1, amount="1480000", owner_id=seller.id,
                                  facts={"customer_id": 1, "milestones": {"contract": None}})
        shares = credit.shares_of(deal)
        assert [(s.kind, s.user_id, str(s.percent)) for s in shares] == [
            ("performance", seller.id, "100.00"), ("bonus", seller.id, "100.00")]
        assert deal.state == "recognised"
        db.session.rollback()
