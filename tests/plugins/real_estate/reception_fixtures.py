"""Shared set-up of the reception tests: a real-estate tenant with a project, a manager, a front desk and
three salespeople Wang, Li and Zhang; helpers to call the reception API."""
from __future__ import annotations

from core.db import db
from core.tenancy import tenant_scope
from plugins.real_estate.sales_models import Project

API = "/api/v1/re/reception"
DAY = "2026-09-21"


def at(hm: str, day: str = DAY) -> str:
    return f"{day}T{hm}:00+08:00"


class Office:
    """Tenant ``handle`` with ``project_id``; ``ids`` by name; ``tokens`` by name."""

    def __init__(self, client, handle, project_id, ids, tokens):
        self.client, self.handle, self.project_id, self.ids, self.tokens = client, handle, project_id, ids, tokens
        self.names = {v: k for k, v in ids.items()}

    def call(self, method, path, who="manager", **kw):
        return getattr(self.client, method)(f"{API}{path}", headers=self.handle.headers(self.tokens[who]), **kw)

    def set_order(self, names, day=DAY):
        r = self.call("put", f"/projects/{self.project_id}/day",
                      json={"day": day, "order": [self.ids[n] for n in names]})
        assert r.status_code == 200, r.get_json()
        return r.get_json()

    def absent(self, day_id, name, reason, start, end=None):
        r = self.call("post", f"/days/{day_id}/absences",
                      json={"staff_id": self.ids[name], "reason": reason, "start": start, "end": end})
        assert r.status_code == 201, r.get_json()
        return r.get_json()

    def arrive(self, hm, phone, name="客户", who="desk", status=201, day=DAY, **extra):
        body = {"at": at(hm, day), "customer_name": name, "phone": phone, "visited_before": "no", **extra}
        r = self.call("post", f"/projects/{self.project_id}/receptions", who=who, json=body)
        assert r.status_code == status, r.get_json()
        return r.get_json()

    def receiver(self, reception):
        return self.names.get(reception["receiver_id"])


def make_office(client, make_tenant) -> Office:
    """Each test module's ``office`` fixture calls this."""
    a = make_tenant("re-a", "甲置业", plugins=["real_estate"])
    ids, tokens = {}, {}
    for name, roles in (("Wang", ["salesperson"]), ("Li", ["salesperson"]), ("Zhang", ["salesperson"]),
                        ("manager", ["sales_manager"]), ("desk", ["front_desk"]), ("finance", ["finance"])):
        ids[name], tokens[name] = make_tenant.user(a, name.lower(), roles=roles)
        client.patch(f"/api/v1/users/{ids[name]}", headers=a.headers(), json={"display_name": name})
    with tenant_scope(a.id):
        project = Project(name="锦城花园", city="成都", address="天府大道")
        db.session.add(project)
        db.session.commit()
        project_id = project.id
    return Office(client, a, project_id, ids, tokens)
