"""After completion, end to end (SVC-14 return visits with CMP-63 issues, SVC-16 custody documents and
missing records, SVC-23 post-completion documents), with the spec's vectors and real 2026 dates. The
completion and record steps belong to other modules: here the order is moved with ``orders.move`` and
the hooks those steps call (``on_feedback``, ``on_completed_remote``, ``on_recorded``) are called
directly. Every job runs twice with one effect."""
import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.db import db
from core.errors import Conflict
from core.service import orders, return_visits
from core.staff.models import StaffEntry
from core.tenancy import tenant_scope
from tests.helpers import policy_since
from tests.web.api.service_desk import ServiceDesk

PRE15_CATALOG = {"catalog": {
    "svc_missing_record": {"tiers": {"on_site": {"amount": 30}, "remote": {"amount": 50}}},
    "svc_document_lost": {"amount": 50, "per": "document"},
}}
POST_DOCS = {"installation": {"within": "3 days", "docs": ["implementation_form", "acceptance_form", "go_live_plan"],
                              "penalty": 500}}
INSTALL = {"type": "installation", "data": {"request_doc": "实施申请单 2026-07", "asset_list": [{"plate": "京A12345"}]}}
RATED = {"mode": "phone", "attitude": 5, "skill": 4, "outcome": "resolved"}


def t(text):
    return dt.datetime.fromisoformat(text)


@pytest.fixture
def desk(client, make_tenant):
    desk = ServiceDesk(client, make_tenant, "huaxin-after")
    desk.users["qian"] = make_tenant.user(desk.handle, "qian", roles=["cs_manager"])
    r = client.patch(f"/api/v1/users/{desk.id('qian')}", headers=desk.headers(),
                     json={"department_id": desk.department_id})
    assert r.status_code == 200, r.get_json()
    return desk


def complete(desk, order, at, *, technician="wu", feedback=None, recorded=None, remote=False):
    """Dispatch, (arrive,) complete at ``at``; the feedback form and the record when given."""
    with tenant_scope(desk.handle.id):
        wo = orders.get_order(order["id"])
        wo.assignee_id = desk.id(technician)
        orders.move(wo, "dispatched", by=None, at=t(at) - dt.timedelta(hours=3))
        if not remote:
            orders.move(wo, "on_site", by=None, at=t(at) - dt.timedelta(hours=2))
        orders.move(wo, "completed", by=None, at=t(at))
        if feedback:
            return_visits.on_feedback(wo, t(feedback))
        if recorded:
            orders.move(wo, "recorded", by=None, at=t(recorded))
            return_visits.on_recorded(wo)
        db.session.commit()


def record_order(desk, order, at, hook=True):
    with tenant_scope(desk.handle.id):
        wo = orders.get_order(order["id"])
        orders.move(wo, "recorded", by=None, at=t(at))
        if hook:
            return_visits.on_recorded(wo)
        db.session.commit()


def visits(desk, order):
    r = desk.client.get(f"/api/v1/work-orders/{order['id']}/return-visits", headers=desk.headers())
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def record(desk, visit_id, who="ma", **body):
    return desk.client.post(f"/api/v1/service-return-visits/{visit_id}/record", headers=desk.headers(who),
                            json={**RATED, **body})


def entries(desk, **where):
    with tenant_scope(desk.handle.id):
        stmt = select(StaffEntry).order_by(StaffEntry.id)
        for name, value in where.items():
            stmt = stmt.where(getattr(StaffEntry, name) == value)
        return list(db.session.scalars(stmt))


# ------------------------------------------------------------------ SVC-14

def test_svc14_form_received_thursday_visit_due_monday_then_recorded_and_closed(desk):
    """SVC-14 (1): form received Thu 2026-09-24 → visit due through Mon 2026-09-28; the order waits for
    its record, then return_visit_due; the visit goes on the customer's timeline and closes the order."""
    customer = desk.client.post("/api/v1/customers", headers=desk.headers(), json={
        "name": "王建国", "phones": [{"number": "13800138000"}]})
    assert customer.status_code == 201, customer.get_json()
    order = desk.order(requested_at="2026-09-23T10:00:00+08:00", customer_id=customer.get_json()["id"])
    complete(desk, order, "2026-09-24T15:00:00+08:00", feedback="2026-09-24T16:30:00+08:00")
    plan = visits(desk, order)
    visit = plan["visits"][0]
    assert (visit["due_on"], visit["due_at"], visit["state"]) == ("2026-09-28", "2026-09-28T16:00:00+00:00", "due")
    assert (visit["reason"], visit["visitor_id"], visit["selected"]) == ("feedback", desk.id("ma"), True)
    assert desk.get(order)["status"] == "completed"  # waits for its service record
    decision = desk.decisions(order, "SVC-14")[0]
    assert "至2026-09-28止" in decision.reason_zh and decision.outcome["visit_id"] == visit["id"]
    assert [n.user_id for n in desk.notified("svc.return_visit_due")] == [desk.id("ma")]
    with tenant_scope(desk.handle.id):  # the completion step calling twice decides once
        again = return_visits.on_feedback(orders.get_order(order["id"]), t("2026-09-24T17:00:00+08:00"))
        assert again.id == visit["id"]
        db.session.commit()
    record_order(desk, order, "2026-09-25T09:00:00+08:00")
    assert desk.get(order)["status"] == "return_visit_due"
    listed = desk.client.get("/api/v1/service-return-visits?state=due&due_before=2026-09-29T00:00:00%2B08:00",
                             headers=desk.headers()).get_json()
    assert [v["id"] for v in listed] == [visit["id"]]
    assert desk.client.get("/api/v1/service-return-visits?due_before=2026-09-28T00:00:00%2B08:00",
                           headers=desk.headers()).get_json() == []
    # the technician never records the return visit of his own work; customer service does
    assert record(desk, visit["id"], who="wu").status_code == 403
    bad = record(desk, visit["id"], attitude=6, outcome="fine", visited_at="2026-09-24T10:00:00+08:00")
    assert bad.status_code == 422 and {"attitude", "outcome"} <= set(bad.get_json()["errors"]["json"])
    early = record(desk, visit["id"], visited_at="2026-09-24T10:00:00+08:00")
    assert early.status_code == 422 and "visited_at" in early.get_json()["errors"]["json"]
    r = record(desk, visit["id"], visited_at="2026-09-28T10:00:00+08:00", who_came="吴师傅", who_came_id=desk.id("wu"),
               notes="客户满意")
    assert r.status_code == 200, r.get_json()
    done = r.get_json()
    assert (done["state"], done["label"], done["who_came"], done["order_status"]) == ("done", "电话回访", "吴师傅", "closed")
    assert (done["attitude"], done["skill"], done["outcome"], done["issues"]) == (5, 4, "resolved", [])
    assert record(desk, visit["id"], visited_at="2026-09-28T11:00:00+08:00").status_code == 409
    history = [e["kind"] for e in desk.get(order)["events"]]
    assert history[-3:] == ["return_visit_due", "return_visit_done", "closed"]
    timeline = desk.client.get(f"/api/v1/customers/{customer.get_json()['id']}/timeline?types=service_return_visit",
                               headers=desk.headers()).get_json()
    assert len(timeline) == 1 and timeline[0]["actor_id"] == desk.id("ma") and timeline[0]["rule_id"] == "SVC-14"
    assert "电话回访" in timeline[0]["summary_zh"] and "态度5分" in timeline[0]["summary_zh"]


def test_svc14_national_day_and_an_order_recorded_before_its_form(desk):
    """SVC-14 (2): received Wed 2026-09-30 → through 2026-10-08; an order already recorded moves at once."""
    order = desk.order(requested_at="2026-09-29T10:00:00+08:00")
    complete(desk, order, "2026-09-30T10:00:00+08:00", recorded="2026-09-30T10:30:00+08:00")
    assert desk.get(order)["status"] == "recorded"  # no visit decided yet: it waits
    with tenant_scope(desk.handle.id):
        return_visits.on_feedback(orders.get_order(order["id"]), t("2026-09-30T11:00:00+08:00"))
        db.session.commit()
    visit = visits(desk, order)["visits"][0]
    assert (visit["due_on"], visit["state"]) == ("2026-10-08", "due")
    assert desk.get(order)["status"] == "return_visit_due"


def test_svc14_ambiguous_next_calendar_day(desk):
    policy_since(desk.handle.id, "svc", {"return_visit": {"after": "1 day"}}, "2026-01-01")
    order = desk.order(requested_at="2026-09-23T10:00:00+08:00")
    complete(desk, order, "2026-09-24T15:00:00+08:00", feedback="2026-09-24T16:30:00+08:00")
    assert visits(desk, order)["visits"][0]["due_on"] == "2026-09-25"


def test_svc14_remote_orders_the_sweep_and_overdue_alerts(desk):
    """SVC-14 remote types: after completion. The daily sweep plans a remote order the completion step did
    not, moves recorded orders on, and alerts overdue visits once (visitor, supervisor, service manager)."""
    remote = desk.order(type="remote_service", requested_at="2026-09-23T10:00:00+08:00", data={})
    complete(desk, remote, "2026-09-24T15:00:00+08:00", remote=True)
    first, again = desk.twice("svc.return_visit_due", "2026-09-25T00:43:00+08:00")
    assert (first["planned"], again["planned"]) == (1, 0)
    visit = visits(desk, remote)["visits"][0]
    assert (visit["reason"], visit["due_on"], visit["trigger_at"]) == (
        "remote_completion", "2026-09-28", "2026-09-24T07:00:00+00:00")
    on_site = desk.order(requested_at="2026-09-23T10:00:00+08:00")
    complete(desk, on_site, "2026-09-24T15:00:00+08:00")
    with tenant_scope(desk.handle.id):  # an on-site order is visited after its feedback form
        with pytest.raises(Conflict):
            return_visits.on_completed_remote(orders.get_order(on_site["id"]))
        db.session.rollback()
    record_order(desk, remote, "2026-09-25T10:00:00+08:00", hook=False)  # the record step forgot the hook
    first, again = desk.twice("svc.return_visit_due", "2026-09-26T00:43:00+08:00")
    assert (first["orders_moved"], again["orders_moved"]) == (1, 0)
    assert desk.get(remote)["status"] == "return_visit_due"
    assert desk.job("svc.return_visit_due", "2026-09-28T23:59:00+08:00")["overdue_alerts"] == 0
    first, again = desk.twice("svc.return_visit_due", "2026-09-29T00:43:00+08:00")
    assert (first["overdue_alerts"], again["overdue_alerts"]) == (1, 0)
    overdue = visits(desk, remote)["visits"][0]
    assert overdue["state"] == "overdue" and overdue["overdue_at"] == "2026-09-28T16:43:00+00:00"
    told = {n.user_id for n in desk.notified("svc.return_visit_overdue")}
    assert told == {desk.id("ma"), desk.id("li"), desk.id("qian")}
    with tenant_scope(desk.handle.id):
        from core.decisions.models import Decision

        alert = db.session.scalars(select(Decision).where(Decision.subject_type == "service_return_visit",
                                                          Decision.rule_id == "SVC-14")).all()
        assert len(alert) == 1 and "逾期" in alert[0].reason_zh and "2026-09-28" in alert[0].reason_en
    late = record(desk, visit["id"], visited_at="2026-09-29T10:00:00+08:00", mode="on_site")
    assert late.status_code == 200 and late.get_json()["state"] == "done" and late.get_json()["label"] is None
    assert late.get_json()["order_status"] == "closed"


def test_cmp63_issues_found_go_to_the_service_manager_and_the_outcome_closes(desk):
    """CMP-63: issue found 2026-09-30 16:00 → assignment due 2026-10-08 11:00; none → escalation (once);
    the order waits in return_visit_due until its issue is settled, then closes."""
    order = desk.order(requested_at="2026-09-29T10:00:00+08:00")
    complete(desk, order, "2026-09-30T10:00:00+08:00", feedback="2026-09-30T11:00:00+08:00",
             recorded="2026-09-30T12:00:00+08:00")
    visit = visits(desk, order)["visits"][0]
    r = record(desk, visit["id"], visited_at="2026-09-30T16:00:00+08:00", outcome="partly",
               who_came="郑师傅", who_came_id=desk.id("zheng"), notes="偶尔仍死机",
               issues=[{"description": "客户质疑收费"}])
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["order_status"] == "return_visit_due"  # an issue is open: not closed yet
    [issue] = body["issues"]  # the written issue stands for the result "partly"
    assert issue["description"] == "客户质疑收费" and issue["state"] == "open"
    assert issue["manager_id"] == desk.id("qian") and issue["assign_due_at"] == "2026-10-08T03:00:00+00:00"
    with tenant_scope(desk.handle.id):
        from core.decisions.models import Decision

        visit_decision = db.session.scalars(select(Decision).where(
            Decision.subject_type == "service_return_visit", Decision.subject_id == visit["id"])).one()
        assert visit_decision.outcome["other_technician"] is True  # the customer names Zheng, Wu was dispatched
        assert "与派工不符" in visit_decision.reason_zh
        issue_decision = db.session.scalars(select(Decision).where(
            Decision.subject_type == "service_visit_issue", Decision.subject_id == issue["id"])).one()
        assert issue_decision.rule_id == "CMP-63" and "2026-10-08 11:00" in issue_decision.reason_zh
    assert [n.user_id for n in desk.notified("svc.visit_issue")] == [desk.id("qian")]
    assert desk.job("svc.return_visit_due", "2026-10-08T10:59:00+08:00")["issues_escalated"] == 0
    first, again = desk.twice("svc.return_visit_due", "2026-10-08T11:05:00+08:00")
    assert (first["issues_escalated"], again["issues_escalated"]) == (1, 0)
    assert {n.user_id for n in desk.notified("svc.visit_issue_escalated")} == {desk.id("zhao"), desk.id("qian")}
    listed = desk.client.get("/api/v1/service-visit-issues?state=open", headers=desk.headers()).get_json()
    assert [i["id"] for i in listed] == [issue["id"]] and listed[0]["escalated_to"] == [desk.id("zhao")]
    assign = f"/api/v1/service-visit-issues/{issue['id']}/assign"
    assert desk.client.post(assign, headers=desk.headers("ma"), json={"assignee_id": desk.id("zheng")}).status_code == 403
    r = desk.client.post(assign, headers=desk.headers("qian"),
                         json={"assignee_id": desk.id("zheng"), "assigned_at": "2026-10-08T11:30:00+08:00"})
    assert r.status_code == 200 and r.get_json()["state"] == "assigned"
    outcome = f"/api/v1/service-visit-issues/{issue['id']}/outcome"
    assert desk.client.post(outcome, headers=desk.headers("qian"), json={"outcome": ""}).status_code == 422
    r = desk.client.post(outcome, headers=desk.headers("qian"),
                         json={"outcome": "已向客户解释收费标准", "settled_at": "2026-10-08T15:00:00+08:00"})
    assert r.status_code == 200 and r.get_json()["state"] == "settled"
    assert desk.get(order)["status"] == "closed"
    assert desk.client.post(outcome, headers=desk.headers("qian"), json={"outcome": "again"}).status_code == 409


def test_cmp63_an_unresolved_result_is_an_issue_even_unwritten(desk):
    order = desk.order(requested_at="2026-09-29T10:00:00+08:00")
    complete(desk, order, "2026-09-30T10:00:00+08:00", feedback="2026-09-30T11:00:00+08:00",
             recorded="2026-09-30T12:00:00+08:00")
    visit = visits(desk, order)["visits"][0]
    r = record(desk, visit["id"], visited_at="2026-10-08T10:00:00+08:00", outcome="unresolved", notes="终端仍不开机")
    assert r.status_code == 200, r.get_json()
    assert [i["description"] for i in r.get_json()["issues"]] == ["客户反映问题未解决（unresolved）：终端仍不开机"]
    assert r.get_json()["order_status"] == "return_visit_due"
    # while it waits, the order may still go to rework (返修)
    assert "rework" in desk.get(order)["next_states"]


def test_svc14_pm05_rate_30_percent(desk):
    """PM-05 repair preset: within 1 month, 30% of the month's orders; the orders not selected close when
    recorded; their visit cannot be recorded."""
    policy_since(desk.handle.id, "svc", {"return_visit": {"after": "1 month", "rate": "30%"}}, "2026-01-01")
    made = []
    for day in range(10, 14):
        order = desk.order(requested_at=f"2026-09-{day - 1:02d}T10:00:00+08:00")
        complete(desk, order, f"2026-09-{day}T10:00:00+08:00", feedback=f"2026-09-{day}T11:00:00+08:00",
                 recorded=f"2026-09-{day}T12:00:00+08:00")
        made.append(order)
    plans = [visits(desk, o)["visits"][0] for o in made]
    assert [p["selected"] for p in plans] == [True, False, False, True]
    assert plans[0]["due_on"] == "2026-10-10"  # PM-05 (1): completed 2026-09-10 → through 2026-10-10
    assert [p["state"] for p in plans] == ["due", "not_selected", "not_selected", "due"]
    assert [(p["visited_before"], p["decided_count"]) for p in plans] == [(0, 1), (1, 2), (1, 3), (1, 4)]
    assert [desk.get(o)["status"] for o in made] == ["return_visit_due", "closed", "closed", "return_visit_due"]
    assert "1/2" in desk.decisions(made[1], "SVC-14")[0].reason_zh
    assert record(desk, plans[1]["id"], visited_at="2026-09-20T10:00:00+08:00").status_code == 409


# ------------------------------------------------------------------ SVC-16

def test_svc16_missing_record_pre15_amounts(desk):
    """SVC-16 (1): on-site order completed 2026-11-02 17:00, no record by 2026-11-03 24:00 → ¥30 proposal
    on the technician (PRE-15 catalog); a remote record ¥50; a record in time → nothing. Once."""
    policy_since(desk.handle.id, "stf", PRE15_CATALOG, "2026-01-01")
    on_site = desk.order(requested_at="2026-11-02T09:00:00+08:00")
    complete(desk, on_site, "2026-11-02T17:00:00+08:00")
    remote = desk.order(type="remote_service", requested_at="2026-11-02T09:00:00+08:00", data={})
    complete(desk, remote, "2026-11-02T17:00:00+08:00", technician="zheng", remote=True)
    in_time = desk.order(requested_at="2026-11-02T09:00:00+08:00")
    complete(desk, in_time, "2026-11-02T17:00:00+08:00", recorded="2026-11-03T23:00:00+08:00")
    assert desk.job("svc.missing_records", "2026-11-03T23:59:00+08:00")["missing_records"] == 0
    first, again = desk.twice("svc.missing_records", "2026-11-04T00:41:00+08:00")
    assert (first["missing_records"], again["missing_records"]) == (2, 0)
    wu = entries(desk, user_id=desk.id("wu"), offence="svc_missing_record")
    zheng = entries(desk, user_id=desk.id("zheng"), offence="svc_missing_record")
    assert [(e.amount, e.rule_id, e.subject_id) for e in wu] == [(Decimal("30.00"), "SVC-16", on_site["id"])]
    assert [(e.amount, e.subject_id) for e in zheng] == [(Decimal("50.00"), remote["id"])]
    decision = desk.decisions(on_site, "SVC-16")[0]
    assert "2026-11-03" in decision.reason_zh and decision.outcome["kind"] == "on_site"
    assert desk.decisions(in_time, "SVC-16") == []
    checks = desk.client.get(f"/api/v1/work-orders/{on_site['id']}/aftercare-checks", headers=desk.headers()).get_json()
    assert [(c["kind"], c["result"], c["due_on"], c["entry_ids"]) for c in checks] == [
        ("missing_record", "missing", "2026-11-03", [wu[0].id])]
    assert {n.user_id for n in desk.notified("svc.record_missing")} >= {desk.id("wu"), desk.id("li")}


def test_svc16_unpriced_offence_is_an_open_proposal(desk):
    order = desk.order(requested_at="2026-11-02T09:00:00+08:00")
    complete(desk, order, "2026-11-02T17:00:00+08:00")
    assert desk.job("svc.missing_records", "2026-11-04T00:41:00+08:00")["missing_records"] == 1
    [entry] = entries(desk, offence="svc_missing_record")
    assert entry.amount == Decimal("0.00") and entry.facts["pricing"]["open"] is True and entry.user_id == desk.id("wu")


def scan_of(desk, order) -> int:
    """A scan uploaded to the order (the document's attachment, SVC-16/23)."""
    import io

    from tests.core.attachments.files import pdf_bytes

    r = desk.client.post("/api/v1/attachments", headers=desk.headers("wu"), content_type="multipart/form-data", data={
        "file": (io.BytesIO(pdf_bytes("scan")), "scan.pdf"), "subject_type": "work_order",
        "subject_id": str(order["id"]), "kind": "scan"})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def test_svc16_custody_documents_and_a_lost_sheet(desk):
    """SVC-16: customer originals archived with a custodian; losing them is a penalty event per sheet."""
    policy_since(desk.handle.id, "stf", PRE15_CATALOG, "2026-01-01")
    order = desk.order(requested_at="2026-11-02T09:00:00+08:00")
    path = f"/api/v1/work-orders/{order['id']}/documents"
    bad = desk.client.post(path, headers=desk.headers("wu"), json={"kind": "request_fax", "custodian_id": 999999,
                                                                   "attachment_id": 999999})
    assert bad.status_code == 422 and {"custodian_id", "attachment_id"} <= set(bad.get_json()["errors"]["json"])
    r = desk.client.post(path, headers=desk.headers("wu"), json={
        "kind": "request_fax", "description": "客户传真维修申请（盖章）", "custodian_id": desk.id("ma"), "sheets": 2,
        "attachment_id": scan_of(desk, order), "archived_at": "2026-11-02T10:00:00+08:00"})
    assert r.status_code == 201, r.get_json()
    doc = r.get_json()
    assert (doc["state"], doc["custodian_id"], doc["sheets"]) == ("archived", desk.id("ma"), 2)
    assert desk.client.get(path, headers=desk.headers()).get_json()[0]["id"] == doc["id"]
    lost = f"/api/v1/service-documents/{doc['id']}/lost"
    assert desk.client.post(lost, headers=desk.headers("wu"), json={"reason": "找不到"}).status_code == 403
    assert desk.client.post(lost, headers=desk.headers("li"), json={}).status_code == 422
    r = desk.client.post(lost, headers=desk.headers("li"), json={"reason": "归档时遗失", "lost_at": "2026-11-20T10:00:00+08:00"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["state"] == "lost" and len(r.get_json()["entry_ids"]) == 1
    [entry] = entries(desk, offence="svc_document_lost")
    assert (entry.user_id, entry.amount, entry.rule_id) == (desk.id("ma"), Decimal("100.00"), "SVC-16")  # ¥50 × 2
    assert desk.client.post(lost, headers=desk.headers("li"), json={"reason": "again"}).status_code == 409
    assert "document_lost" in [e["kind"] for e in desk.get(order)["events"]]


# ------------------------------------------------------------------ SVC-23

def test_svc23_post_completion_documents(desk):
    """SVC-23 (1): implementation ended 2026-07-02 → due through 07-05; nothing (complete) by then → ¥500."""
    policy_since(desk.handle.id, "svc", {"post_docs": POST_DOCS}, "2026-01-01")
    late = desk.order(requested_at="2026-06-30T10:00:00+08:00", **INSTALL)
    path = f"/api/v1/work-orders/{late['id']}/post-docs"
    early = desk.client.post(path, headers=desk.headers("zheng"), json={"doc": "acceptance_form"})
    assert early.status_code == 409  # not completed yet
    complete(desk, late, "2026-07-02T18:00:00+08:00", technician="zheng", recorded="2026-07-03T09:00:00+08:00")
    unknown = desk.client.post(path, headers=desk.headers("zheng"), json={"doc": "invoice"})
    assert unknown.status_code == 422 and "doc" in unknown.get_json()["errors"]["json"]
    r = desk.client.post(path, headers=desk.headers("zheng"), json={
        "doc": "acceptance_form", "attachment_id": scan_of(desk, late), "recorded_at": "2026-07-03T10:00:00+08:00"})
    assert r.status_code == 201, r.get_json()
    status = r.get_json()
    assert (status["due_on"], status["missing"], status["within"]) == (
        "2026-07-05", ["implementation_form", "go_live_plan"], "3 days")
    assert desk.client.post(path, headers=desk.headers("zheng"), json={"doc": "acceptance_form"}).status_code == 409
    complete_one = desk.order(requested_at="2026-06-30T10:00:00+08:00", **INSTALL)
    complete(desk, complete_one, "2026-07-02T18:00:00+08:00", recorded="2026-07-03T09:00:00+08:00")
    for doc in POST_DOCS["installation"]["docs"]:
        r = desk.client.post(f"/api/v1/work-orders/{complete_one['id']}/post-docs", headers=desk.headers("wu"),
                             json={"doc": doc, "recorded_at": "2026-07-04T10:00:00+08:00"})
        assert r.status_code == 201, r.get_json()
    assert r.get_json()["missing"] == [] and r.get_json()["check"]["result"] == "complete"
    repair = desk.order(requested_at="2026-06-30T10:00:00+08:00")
    none = desk.client.post(f"/api/v1/work-orders/{repair['id']}/post-docs", headers=desk.headers(), json={"doc": "x"})
    assert none.status_code == 422 and "svc.post_docs" in none.get_json()["errors"]["json"]["doc"][0]
    assert desk.job("svc.missing_records", "2026-07-05T23:59:00+08:00")["missing_post_docs"] == 0
    first, again = desk.twice("svc.missing_records", "2026-07-06T00:41:00+08:00")
    assert (first["missing_post_docs"], again["missing_post_docs"]) == (1, 0)
    [entry] = entries(desk, offence="svc_post_docs_missing")
    assert (entry.user_id, entry.amount, entry.rule_id, entry.subject_id) == (
        desk.id("zheng"), Decimal("500.00"), "SVC-23", late["id"])
    decision = desk.decisions(late, "SVC-23")[0]
    assert decision.outcome["missing"] == ["implementation_form", "go_live_plan"]
    assert "2026-07-05" in decision.reason_zh and "¥500" in decision.reason_zh
    assert desk.decisions(complete_one, "SVC-23") == []
    status = desk.client.get(path, headers=desk.headers()).get_json()
    assert status["check"]["result"] == "missing" and status["check"]["entry_ids"] == [entry.id]
    assert {n.user_id for n in desk.notified("svc.post_docs_missing")} == {desk.id("zheng"), desk.id("li")}


def test_a_plugin_veto_on_closing_keeps_the_visit_and_the_order_waits(desk, monkeypatch):
    """SVC-02 inside SVC-14: the visit is a fact and stays recorded; the refused closure is a decision and
    the order waits in return_visit_due (the nightly run tries again)."""
    from core.plugins.records import TransitionVeto

    order = desk.order(requested_at="2026-09-23T10:00:00+08:00")
    complete(desk, order, "2026-09-24T15:00:00+08:00", feedback="2026-09-24T16:30:00+08:00",
             recorded="2026-09-25T09:00:00+08:00")
    real = orders.check_move

    def veto_closing(wo, to_state, data=None):
        if to_state == "closed":
            raise orders.Vetoed(wo, to_state, [TransitionVeto("现场费用未交财务，不能关闭", "field fees not remitted",
                                                              rule_id="SVC-15")])
        return real(wo, to_state, data)

    monkeypatch.setattr(orders, "check_move", veto_closing)
    visit = visits(desk, order)["visits"][0]
    r = record(desk, visit["id"], visited_at="2026-09-28T10:00:00+08:00")
    assert r.status_code == 200 and r.get_json()["state"] == "done", r.get_json()
    assert r.get_json()["order_status"] == "return_visit_due"
    assert [d.outcome["vetoed"] for d in desk.decisions(order, "SVC-15")] == ["closed"]
    monkeypatch.setattr(orders, "check_move", real)
    first, again = desk.twice("svc.return_visit_due", "2026-09-29T00:43:00+08:00")
    assert (first["orders_moved"], again["orders_moved"], first["overdue_alerts"]) == (1, 0, 0)
    assert desk.get(order)["status"] == "closed"
    assert desk.decisions(order, "SVC-15")[0].outcome["stays"] == "return_visit_due"
