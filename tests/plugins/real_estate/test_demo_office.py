"""The real-estate demo tenant (``make run``): the sales office of 锦城·天府里 with a month of work.

One provisioning for all the checks (a month of receptions takes a while): the counts are what
``plugins/real_estate/demo.py`` and ``demo_month.py`` say, the rows agree with the sales-control rules,
a second provisioning adds nothing, and every demo login opens the portal.
"""
from __future__ import annotations

import datetime as dt

from core.decisions import service as decisions
from core.staff import credit as credits
from collections import Counter
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from core.accounts.demo import DEMO_USERS
from tests.web.portal.test_login import login

SLUG = "jincheng"


def _counts(models) -> dict[str, int]:
    from core.db import db

    return {m.__tablename__: db.session.scalar(select(func.count()).select_from(m)) for m in models}


def _tables():
    from core.accounts.models import User
    from core.customers.assignment.models import RegisterEntry
    from core.customers.models import Customer
    from core.decisions.models import Decision
    from plugins.real_estate import office_models, reception_models, sales_models

    plugin = [getattr(module, name) for module in (office_models, reception_models, sales_models)
              for name in dir(module) if hasattr(getattr(module, name), "__tablename__")
              and getattr(module, name).__module__ == module.__name__]
    return [*plugin, RegisterEntry, Customer, Decision, User]


def test_the_demo_sales_office(ctx):
    from core.accounts.service import find_user
    from core.db import db
    from core.policy import service as policies
    from core.tenancy import tenant_scope
    from plugins.real_estate import demo, demo_month
    from plugins.real_estate.office_models import Instalment
    from plugins.real_estate.reception_models import Reception, ReceptionDay
    from plugins.real_estate.rotation_rules import DayRotation, Salesperson
    from plugins.real_estate.sales_models import (
        Contract,
        Deposit,
        Hold,
        Subscription,
        Unit,
    )
    from tenants.demo import provision_demo_tenants
    from tenants.registry import enabled_plugin_names, find_tenant_by_slug

    result = {slug: logins for slug, _name, logins in provision_demo_tenants(only="jincheng")}
    tenant = find_tenant_by_slug(SLUG)
    assert tenant.name == "锦城置业有限公司" and tenant.industry == "real_estate"
    assert "real_estate" in enabled_plugin_names(tenant.id)
    logins = result[SLUG]
    assert [u for u, _p, _r in logins] == [u for u, *_ in DEMO_USERS] + [u for u, *_ in demo.STAFF]
    assert logins[-len(demo.STAFF):] == demo.logins()

    with tenant_scope(tenant.id):
        cus = policies.in_force("cus").values  # the 房地产 preset's policies (RE-10, RE-21)
        assert cus["claim"]["evidence"] == ["register", "meeting_record"]
        assert cus["referral"]["owner_rule"] == "referrer_owner"
        before = _counts(_tables())

        # the units: states as demo.py says; money states through finance's deposits; one active hold a unit
        units = db.session.scalars(select(Unit)).all()
        assert Counter(u.state for u in units) == demo.unit_states()
        assert len(units) == 60 and all(900_000 <= u.price <= 1_800_000 and 76 <= u.area <= 140 for u in units)
        assert all(u.price % 100 == 0 for u in units)  # whole hundreds of yuan
        assert {u.popularity for u in units} == {"hot", "regular", "slow"}
        assert any(u.number == "3-1502" for u in units)
        deposits = Counter((d.unit_id, d.kind) for d in db.session.scalars(select(Deposit)))
        finance = find_user("finance").id
        assert all(d.recorded_by == finance and d.receipt_no for d in db.session.scalars(select(Deposit)))
        for unit in units:
            if unit.state == "available":
                assert not any(k[0] == unit.id for k in deposits) and unit.customer_id is None
            if unit.state in ("small_deposit", "big_deposit", "subscribed", "contracted"):
                assert deposits[(unit.id, "small")] == 1 and unit.customer_id is not None
            if unit.state in ("big_deposit", "subscribed", "contracted"):
                assert deposits[(unit.id, "big")] == 1
        active = db.session.scalars(select(Hold).where(Hold.status == "active")).all()
        assert len(active) == 1 and db.session.get(Unit, (tenant.id, active[0].unit_id)).state == "held"
        assert {h.status for h in db.session.scalars(select(Hold))} == {"active", "converted", "released", "lapsed"}
        subscriptions = db.session.scalars(select(Subscription)).all()
        sold = {u.id: u for u in units if u.state in ("subscribed", "contracted")}
        assert {s.unit_id for s in subscriptions} == set(sold) and len(subscriptions) == 6
        for s in subscriptions:
            assert s.status == "signed" and s.copies == {"customer": 1, "finance": 1, "sales": 2}
            assert sum(float(line["amount"]) for line in s.schedule) == float(s.balance)
            assert s.customer_id == sold[s.unit_id].customer_id
            # the sale's performance credit, attributed by the plugin's rules (RE-27) and counted (RE-26)
            credit = credits.get_credit(s.credit_id)
            assert credit.subject_type == "re_subscription" and credit.state == "recognised"
            assert credit.amount == s.price
            assert decisions.get(credit.decision_id).rule_id.startswith("RE-")
        contracts = db.session.scalars(select(Contract)).all()
        assert sorted(sold[c.unit_id].state for c in contracts) == ["contracted", "contracted"]
        today = dt.datetime.now(ZoneInfo(tenant.timezone)).date()
        overdue = [i for i in db.session.scalars(select(Instalment)) if i.paid_at is None and i.due_on < today]
        assert len(overdue) == 1

        # the month: receptions per kind as demo_month says, with the rotation state of each day
        sellers = [Salesperson(find_user(u).id, find_user(u).display_name) for u in demo.SALESPEOPLE]
        month = demo_month.simulate(today, sellers, timezone=tenant.timezone)
        contacts = month.contacts()
        receptions = db.session.scalars(select(Reception)).all()
        assert Counter((r.kind, r.received_as) for r in receptions) == Counter(
            (c.kind, c.reception.kind) for c in contacts)
        kinds = Counter(r.received_as for r in receptions)
        assert kinds["assisted"] == 2 and kinds["designated"] >= 3 and kinds["regular"] > 100
        visits = [r for r in receptions if r.kind == "visit"]
        assert 0.25 <= sum(r.visited_before == "no" for r in visits) / len(visits) <= 0.45
        assert Counter(r.event for r in visits)["launch"] == 15
        per_day = Counter((r.day, r.kind) for r in receptions)
        assert all(5 <= per_day[(d.day, "visit")] <= 15 and 10 <= per_day[(d.day, "call")] <= 25 for d in month.days)
        days = db.session.scalars(select(ReceptionDay).order_by(ReceptionDay.day)).all()
        assert [d.day for d in days] == [today - dt.timedelta(days=n) for n in range(30, 0, -1)]
        assert all(DayRotation.from_json(d.state).order == tuple(d.order) for d in days)
        assert {r.intent_class for r in visits} == {"A", "B", "C"}
        assert 0 < sum(r.late_entry for r in receptions) < 20  # now and then written the next morning (RE-03)

    # a second start adds nothing
    again = {slug: logins for slug, _name, logins in provision_demo_tenants(only="jincheng")}
    assert again[SLUG] == logins
    with tenant_scope(tenant.id):
        assert _counts(_tables()) == before

    for username, password, _roles in logins:  # every login opens the portal
        browser = ctx.test_client()
        assert login(browser, SLUG, username, password=password).status_code == 302, username
        assert browser.get(f"/t/{SLUG}/").status_code == 200, username
