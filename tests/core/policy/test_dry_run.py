"""Dry-run of policy drafts (core.policy.dry_run): the spec's deadline vectors moved by a draft, the
count of changed items, and nothing written."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from core.customers.models import CustomerOwnership
from core.db import db
from core.decisions.models import Decision
from core.errors import InvalidInput
from core.policy import dry_run
from core.policy.models import PolicyDocument
from core.sla.models import SlaMilestone
from core.tenancy import tenant_scope
from tests.helpers import policy_since
from tests.web.api.service_desk import ServiceDesk

SH = ZoneInfo("Asia/Shanghai")


def at(text):
    return dt.datetime.fromisoformat(text)


@pytest.fixture
def desk(make_tenant):
    a = make_tenant("dry-desk", "客服中心")
    agent, token = make_tenant.user(a, "ma", roles=["cs_agent"])
    return a, token


def complaint(client, a, token, **body):
    r = client.post("/api/v1/complaints", headers=a.headers(token), json={
        "channel": "phone", "content": "投诉内容", **body})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def snapshot():
    rows = {model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
            for model in (SlaMilestone, Decision, CustomerOwnership, PolicyDocument)}
    rows["due"] = sorted((m.id, m.due_at, m.warn_at) for m in db.session.scalars(select(SlaMilestone)))
    rows["until"] = sorted((o.customer_id, o.until, o.state) for o in db.session.scalars(select(CustomerOwnership)))
    return rows


def test_a_shorter_cmp_reply_deadline_moves_open_complaints_earlier(client, desk):
    """CMP-31 vector: received 2026-09-30 10:00 → reply due 10-01 10:00 (24 h), resolve through Sat 10-10
    (3 working days over National Day). Draft: reply 4 hours, resolve 2 working days → 09-30 14:00 and
    through 10-09."""
    a, token = desk
    first = complaint(client, a, token, received_at="2026-09-30T10:00:00+08:00")
    second = complaint(client, a, token, received_at="2026-09-30T10:00:00+08:00")
    inquiry = complaint(client, a, token, received_at="2026-09-30T10:00:00+08:00", case_type="inquiry")
    now = at("2026-09-30T12:00:00+08:00")
    with tenant_scope(a.id):
        before = snapshot()
        result = dry_run.run("cmp", {"sla": {"reply": "4 hours", "resolve": "2 working_days"}}, now=now)
        assert snapshot() == before  # nothing written
    assert result.evaluated and not result.applying  # CMP-37: a comparison, the cases keep their version
    moved = {(c.subject_id, c.what): (c.before, c.after, c.rule_id) for c in result.changes}
    assert len(result.changes) == 4  # reply and resolve of both complaints; the inquiry's reply stays 24 h
    assert moved[(first["id"], "reply")] == (at("2026-10-01T10:00:00+08:00"), at("2026-09-30T14:00:00+08:00"), "CMP-31")
    assert moved[(second["id"], "resolve")][:2] == (at("2026-10-11T00:00:00+08:00"), at("2026-10-10T00:00:00+08:00"))
    assert (first["id"], "solution") not in moved and inquiry["id"] not in {c.subject_id for c in result.changes}
    change = next(c for c in result.changes if c.subject_id == first["id"] and c.what == "reply")
    assert change.label == first["number"] and "4 hours" in change.reason_en and "答复期限" in change.reason_zh
    # a draft equal to the version in force changes nothing
    with tenant_scope(a.id):
        assert dry_run.run("cmp", {}, now=now).changes == []


def test_a_calendar_draft_moves_open_deadlines_and_applies(client, desk):
    """CAL-09: the make-up workday Sat 2026-10-10 made a day off → the resolve deadline through 10-10
    moves through Mon 10-12; reply (clock hours) and solution (through 10-08) stay."""
    a, token = desk
    case = complaint(client, a, token, received_at="2026-09-30T10:00:00+08:00")
    with tenant_scope(a.id):
        before = snapshot()
        result = dry_run.run("cal", {"overrides": [{"date": "2026-10-10", "kind": "off"}]},
                             now=at("2026-09-30T12:00:00+08:00"))
        assert snapshot() == before
    assert [(c.subject_id, c.what, c.before, c.after, c.rule_id, c.applies) for c in result.changes] == [
        (case["id"], "resolve", at("2026-10-11T00:00:00+08:00"), at("2026-10-13T00:00:00+08:00"), "CAL-09", True)]


def test_svc_draft_moves_an_open_work_order_deadline(client, make_tenant):
    """SVC-07 vector: urgent repair Fri 2026-06-19 21:10, on site within 45 minutes → 21:55; draft 30
    minutes → 21:40."""
    desk = ServiceDesk(client, make_tenant, "dry-svc")
    policy_since(desk.handle.id, "svc", {"sla": {"repair": {"urgent": {"arrive": "45 minutes"}}}}, "2026-01-01")
    order = desk.order(priority="urgent", requested_at="2026-06-19T21:10:00+08:00")
    with tenant_scope(desk.handle.id):
        before = snapshot()
        result = dry_run.run("svc", {"sla": {"repair": {"urgent": {"arrive": "30 minutes"}}}},
                             now=at("2026-06-19T21:15:00+08:00"))
        assert snapshot() == before
    assert [(c.subject_id, c.what, c.before, c.after) for c in result.changes] == [
        (order["id"], "arrive", at("2026-06-19T21:55:00+08:00"), at("2026-06-19T21:40:00+08:00"))]


def test_cus_draft_shortens_a_protection_window(client, make_tenant):
    """CUS-22: fixed protection from registration, 2 months; the draft's 1 month ends it a month
    earlier."""
    a = make_tenant("dry-cus", "销售部")
    policy_since(a.id, "cus", {"ownership": {"mode": "fixed_from_registration", "validity": "2 months"}}, "2026-01-01")
    h = a.headers()
    customer = client.post("/api/v1/customers", headers=h, json={
        "name": "王先生", "phones": [{"number": "13800138000"}]}).get_json()
    claim = client.post(f"/api/v1/customers/{customer['id']}/claims", headers=h, json={"kind": "register"})
    assert claim.status_code == 201, claim.get_json()
    with tenant_scope(a.id):
        row = db.session.scalars(select(CustomerOwnership)).one()
        assert row.state == "protected" and row.until is not None
        before = snapshot()
        result = dry_run.run("cus", {"ownership": {"mode": "fixed_from_registration", "validity": "1 months"}})
        assert snapshot() == before
        same = dry_run.run("cus", {"ownership": {"mode": "fixed_from_registration", "validity": "2 months"}})
    assert same.changes == []
    [change] = result.changes
    assert change.subject_type == "customer" and change.subject_id == customer["id"] and change.label == "王先生"
    assert change.rule_id == "CUS-22" and change.after < change.before
    assert 27 <= (change.before - change.after).days <= 31


def test_a_module_without_an_evaluator_says_so_and_an_invalid_draft_is_refused(client, desk):
    a, _token = desk
    with tenant_scope(a.id):
        result = dry_run.run("stf", {})
        assert result.evaluated is False and result.changes == []
        with pytest.raises(InvalidInput) as err:
            dry_run.run("cmp", {"sla": {"warn_at": "2"}})
        assert "warn_at" in err.value.fields["sla"]


def test_an_evaluator_that_writes_is_refused_and_rolled_back(client, desk):
    a, _token = desk

    @dry_run.evaluator("stf")
    def writes(current, draft, now):
        db.session.add(PolicyDocument(module="stf", version=99, effective_from=dt.date(2026, 1, 1), body={}))
        return []

    try:
        with tenant_scope(a.id):
            with pytest.raises(RuntimeError):
                dry_run.run("stf", {})
            assert db.session.scalar(select(func.count()).select_from(PolicyDocument)) == 0
    finally:
        dry_run._EVALUATORS["stf"].remove(writes)
