"""A service company for the work-order tests: desk agent Ma, technicians Wu and Zheng, supervisor Li,
department manager Zhao (head of 服务部), GM Chen, finance Fu. Shared by the SVC test modules."""
from __future__ import annotations

from sqlalchemy import select

from core.db import db
from core.decisions.models import Decision
from core.notifications.models import Notification
from core.tenancy import tenant_scope
from workers.runtime import execute

REPAIR = {"type": "repair", "customer_name": "王建国", "address": "北京市朝阳区建国路88号", "contact_name": "王建国",
          "contact_phone": "13800138000", "description": "终端不开机",
          "data": {"model": "GT-06", "purchase_date": "2026-01-05"}}


class ServiceDesk:
    def __init__(self, client, make_tenant, slug, plugins=()):
        self.client = client
        self.handle = make_tenant(slug, "华信服务", plugins=plugins)
        self.users = {}
        for name, roles in (("ma", ["cs_agent"]), ("wu", ["technician"]), ("zheng", ["technician"]),
                            ("li", ["supervisor"]), ("zhao", ["dept_manager"]), ("chen", ["gm"]),
                            ("fu", ["finance"])):
            self.users[name] = make_tenant.user(self.handle, name, roles=roles)
        h = self.handle.headers()
        dept = client.post("/api/v1/departments", headers=h, json={"name": "服务部", "head_user_id": self.id("zhao")})
        assert dept.status_code == 201, dept.get_json()
        self.department_id = dept.get_json()["id"]
        for name in ("ma", "wu", "zheng", "li", "zhao"):
            r = client.patch(f"/api/v1/users/{self.id(name)}", headers=h, json={"department_id": self.department_id})
            assert r.status_code == 200, r.get_json()
        self.runs = 0

    def id(self, name):
        return self.users[name][0]

    def headers(self, name=None):
        return self.handle.headers(self.users[name][1] if name else None)

    def order(self, who="ma", expect=201, **body):
        r = self.client.post("/api/v1/work-orders", headers=self.headers(who), json={**REPAIR, **body})
        assert r.status_code == expect, r.get_json()
        return r.get_json()

    def get(self, order):
        return self.client.get(f"/api/v1/work-orders/{order['id']}", headers=self.headers()).get_json()

    def post(self, order, path, who="ma", **body):
        return self.client.post(f"/api/v1/work-orders/{order['id']}/{path}", headers=self.headers(who), json=body)

    def job(self, name, as_of, **kwargs):
        """Run a job as of ``as_of`` (a fresh dedupe key each time, so a second run really runs)."""
        self.runs += 1
        db.session.rollback()
        result = execute(self.handle.id, name, {"as_of": as_of, **kwargs}, dedupe_key=f"{name}@{as_of}#{self.runs}")
        assert result is not None, f"{name} failed"
        return result

    def twice(self, name, as_of, **kwargs):
        return self.job(name, as_of, **kwargs), self.job(name, as_of, **kwargs)

    def decisions(self, order, rule_id=None):
        with tenant_scope(self.handle.id):
            stmt = select(Decision).where(Decision.subject_type == "work_order", Decision.subject_id == order["id"])
            if rule_id:
                stmt = stmt.where(Decision.rule_id == rule_id)
            return list(db.session.scalars(stmt.order_by(Decision.id)))

    def notified(self, kind):
        with tenant_scope(self.handle.id):
            return list(db.session.scalars(select(Notification).where(Notification.kind == kind)
                                           .order_by(Notification.id)))
