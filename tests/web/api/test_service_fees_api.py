"""Fees collected in the field (SVC-15) end to end with the spec's vectors on the 2026 calendar: the
remittance limit over the National Day holiday, the reminders of ``svc.fee_remittance`` (working days,
one per fee and day), remittance by finance, the parts-only rule out of warranty, the receipt number
(PRE-03: a ¥150 repair fee without an invoice number → 422), companies that forbid field collection.
Orders are put on site with ``orders.move`` (dispatch and arrival are other modules' endpoints)."""
import datetime as dt

import pytest

from core.db import db
from core.service import orders
from core.tenancy import tenant_scope
from tests.helpers import policy_since
from tests.web.api.service_desk import ServiceDesk


@pytest.fixture
def desk(client, make_tenant):
    return ServiceDesk(client, make_tenant, "huaxin-fees")


def on_site(desk, order, at="2026-09-30T14:00:00+08:00", assignee="wu", *more):
    """Dispatch the order to ``assignee`` and put it on site at ``at`` (then ``more`` states)."""
    at = dt.datetime.fromisoformat(at)
    with tenant_scope(desk.handle.id):
        wo = orders.get_order(order["id"])
        wo.assignee_id = desk.id(assignee) if assignee else None
        orders.move(wo, "dispatched", by=desk.id("ma"), at=wo.requested_at)
        orders.move(wo, "on_site", by=desk.id(assignee) if assignee else None, at=at)
        for state in more:
            orders.move(wo, state, by=None, at=at)
        db.session.commit()
    return order


def fee(desk, order, who="wu", expect=201, **body):
    r = desk.post(order, "fees", who, **body)
    assert r.status_code == expect, r.get_json()
    return r.get_json()


def fees_url(desk, path=""):
    return f"/api/v1/service-fees{path}"


def test_380_collected_before_national_day_is_due_through_10_08_and_reminded_on_10_09(desk):
    """SVC-15 (1): ¥380 collected Wed 2026-09-30 15:00 → remit through 2026-10-08; not remitted →
    reminder 10-09 (to the collector, his supervisor and finance), one per day, working days only."""
    order = on_site(desk, desk.order(requested_at="2026-09-30T09:00:00+08:00"))
    got = fee(desk, order, amount_parts="300", amount_labour="80", amount="380", receipt_no="FP-20260930-001",
              collected_at="2026-09-30T15:00:00+08:00")
    assert (got["amount"], got["amount_parts"], got["amount_labour"]) == ("380.00", "300.00", "80.00")
    assert (got["remit_due_on"], got["remit_due_at"]) == ("2026-10-08", "2026-10-08T16:00:00+00:00")
    assert got["state"] == "collected" and got["collector_id"] == desk.id("wu") and got["in_warranty"] is True
    assert got["overdue"] is True  # it is December now
    decision = desk.decisions(order, "SVC-15")[0]
    assert decision.outcome["fee_id"] == got["id"] and decision.outcome["remit_due_on"] == "2026-10-08"
    assert "应于2026-10-08前交财务" in decision.reason_zh and "National Day" in decision.facts["trace"]
    assert [e["kind"] for e in desk.get(order)["events"]][-1] == "fee_collected"

    assert desk.job("svc.fee_remittance", "2026-10-08T09:02:00+08:00")["reminders"] == 0  # still in time
    first, again = desk.twice("svc.fee_remittance", "2026-10-09T09:02:00+08:00")
    assert (first["reminders"], again["reminders"]) == (1, 0)
    notes = desk.notified("svc.fee_remittance")
    assert {n.user_id for n in notes} == {desk.id("wu"), desk.id("li"), desk.id("fu")}
    assert notes[0].title_zh == f"现场收费未交财务：工单{order['number']} ¥380.00（应于2026-10-08前）"
    reminders = [d for d in desk.decisions(order, "SVC-15") if "reminder" in d.outcome]
    assert len(reminders) == 1 and reminders[0].outcome["reminder"] == "2026-10-09"
    assert reminders[0].facts["working_days_late"] == 1
    assert desk.job("svc.fee_remittance", "2026-10-10T09:02:00+08:00")["reminders"] == 1  # Saturday make-up workday
    sunday = desk.job("svc.fee_remittance", "2026-10-11T09:02:00+08:00")
    assert sunday["reminders"] == 0 and sunday["working_day"] is False

    unremitted = desk.client.get(fees_url(desk), headers=desk.headers("fu"),
                                 query_string={"state": "collected", "overdue": "true"}).get_json()
    assert [(f["id"], f["reminders"], f["last_reminded_on"]) for f in unremitted] == [(got["id"], 2, "2026-10-10")]

    assert desk.client.post(fees_url(desk, f"/{got['id']}/remit"), headers=desk.headers("wu"), json={}).status_code == 403
    r = desk.client.post(fees_url(desk, f"/{got['id']}/remit"), headers=desk.headers("fu"),
                         json={"remitted_at": "2026-10-12T10:00:00+08:00", "note": "现金已收"})
    assert r.status_code == 200, r.get_json()
    assert (r.get_json()["state"], r.get_json()["remitted_by"], r.get_json()["overdue"]) == ("remitted", desk.id("fu"), False)
    again = desk.client.post(fees_url(desk, f"/{got['id']}/remit"), headers=desk.headers("fu"), json={})
    assert again.status_code == 409 and again.get_json()["rule_id"] == "SVC-15"
    assert desk.job("svc.fee_remittance", "2026-10-12T09:02:00+08:00")["reminders"] == 0
    assert desk.client.get(fees_url(desk), headers=desk.headers("fu"),
                           query_string={"state": "collected", "overdue": "true"}).get_json() == []
    history = desk.get(order)["events"]
    assert [e["kind"] for e in history][-1] == "fee_remitted" and history[-1]["data"]["late"] is True


def test_out_of_warranty_repair_charges_parts_only(desk):
    """SVC-15 (2): out of warranty, parts ¥120 and labour ¥80 → refused, labour must be 0."""
    old = on_site(desk, desk.order(requested_at="2026-09-30T09:00:00+08:00",
                                   data={"model": "GT-06", "purchase_date": "2024-05-10"}))
    refused = fee(desk, old, expect=422, amount_parts="120", amount_labour="80", receipt_no="FP-0001",
                  collected_at="2026-09-30T15:00:00+08:00")
    assert refused["rule_id"] == "SVC-15"
    assert refused["errors"]["json"]["amount_labour"][0].startswith(
        "must be 0: out of warranty (the warranty ended 2025-05-09)")
    parts = fee(desk, old, amount_parts="120", amount_labour="0", receipt_no="FP-0001",
                collected_at="2026-09-30T15:00:00+08:00")
    assert (parts["amount"], parts["in_warranty"], parts["warranty_until"]) == ("120.00", False, "2025-05-09")

    flagged = on_site(desk, desk.order(requested_at="2026-09-30T09:00:00+08:00",
                                       data={"model": "GT-06", "purchase_date": "2026-06-01", "warranty": False}))
    refused = fee(desk, flagged, expect=422, amount_parts="120", amount_labour="80", receipt_no="FP-0002")
    assert "marked out of warranty" in refused["errors"]["json"]["amount_labour"][0]
    inside = on_site(desk, desk.order(requested_at="2026-09-30T09:00:00+08:00",
                                      data={"model": "GT-06", "purchase_date": "2026-06-01"}))
    assert fee(desk, inside, amount_parts="120", amount_labour="80", receipt_no="FP-0003")["amount"] == "200.00"

    policy_since(desk.handle.id, "svc", {"fees": {"out_of_warranty": "all"}}, "2026-01-01")
    later = on_site(desk, desk.order(requested_at="2026-10-09T09:00:00+08:00",
                                     data={"model": "GT-06", "purchase_date": "2024-05-10"}), "2026-10-09T11:00:00+08:00")
    assert fee(desk, later, amount_parts="120", amount_labour="80", receipt_no="FP-0004")["amount"] == "200.00"


def test_a_fee_needs_its_invoice_number_and_sensible_amounts(desk):
    """PRE-03 (3): a repair fee of ¥150 with no invoice number → 422."""
    order = on_site(desk, desk.order(requested_at="2026-09-30T09:00:00+08:00"))
    r = fee(desk, order, expect=422, amount_parts="150")
    assert r["errors"]["json"] == {"receipt_no": ["an invoice or receipt number is required (SVC-15)"]}
    assert fee(desk, order, expect=422, amount_parts="150", receipt_no="  ")["errors"]["json"]["receipt_no"]
    bad = fee(desk, order, expect=422, amount_parts="100", amount_labour="50", amount="160", receipt_no="FP-1",
              collected_at="2026-09-29T15:00:00+08:00")
    assert bad["errors"]["json"] == {"amount": ["must be parts + labour = 150.00"],
                                     "collected_at": ["before the order was requested"]}
    assert "amount" in fee(desk, order, expect=422, amount="150", receipt_no="FP-1")["errors"]["json"]
    assert "amount_parts" in fee(desk, order, expect=422, amount_parts="1.005", receipt_no="FP-1")["errors"]["json"]
    assert "collected_at" in fee(desk, order, expect=422, amount_parts="150", receipt_no="FP-1",
                                 collected_at="2099-01-01T10:00:00+08:00")["errors"]["json"]
    first = fee(desk, order, amount_parts="150", receipt_no="FP-1")
    twice = fee(desk, order, expect=422, amount_parts="150", receipt_no="FP-1")
    assert twice["errors"]["json"]["receipt_no"] == [f"already recorded on fee {first['id']} of order {order['number']}"]
    assert desk.decisions(order, "SVC-15")[-1].outcome["fee_id"] == first["id"]  # the refusals wrote nothing
    listed = desk.client.get(f"/api/v1/work-orders/{order['id']}/fees", headers=desk.headers("li")).get_json()
    assert [f["id"] for f in listed] == [first["id"]]


def test_companies_that_forbid_field_collection_refuse_it(desk):
    """RE-32: all money through finance (svc.fees.field_collection_allowed = false) → 409 SVC-15."""
    policy_since(desk.handle.id, "svc", {"fees": {"field_collection_allowed": False}}, "2026-01-01")
    order = on_site(desk, desk.order(requested_at="2026-09-30T09:00:00+08:00"))
    r = fee(desk, order, expect=409, amount_parts="150", receipt_no="FP-1")
    assert r["rule_id"] == "SVC-15" and r["setting"] == "svc.fees.field_collection_allowed"
    assert desk.decisions(order, "SVC-15") == []


def test_no_fee_before_the_technician_is_on_site(desk):
    order = desk.order(requested_at="2026-09-30T09:00:00+08:00")
    r = fee(desk, order, who="ma", expect=409, amount_parts="150", receipt_no="FP-1", collector_id=desk.id("wu"))
    assert r["rule_id"] == "SVC-15" and r["state"] == "requested"
    done = on_site(desk, desk.order(requested_at="2026-09-30T09:00:00+08:00"), "2026-09-30T14:00:00+08:00", "wu",
                   "completed")
    assert fee(desk, done, amount_parts="150", receipt_no="FP-2")["state"] == "collected"  # collected at completion


def test_who_records_reads_and_voids_fees(desk):
    order = on_site(desk, desk.order(requested_at="2026-09-30T09:00:00+08:00"))
    assert desk.post(order, "fees", "zheng", amount_parts="150", receipt_no="FP-1").status_code == 403  # not his order
    assert desk.post(order, "fees", "wu", amount_parts="150", receipt_no="FP-1",
                     collector_id=desk.id("zheng")).status_code == 403
    assert desk.post(order, "fees", "fu", amount_parts="150", receipt_no="FP-1").status_code == 403
    by_desk = fee(desk, order, who="ma", amount_parts="150", receipt_no="FP-1")
    assert (by_desk["collector_id"], by_desk["recorded_by"]) == (desk.id("wu"), desk.id("ma"))  # the assignee
    for_zheng = fee(desk, order, who="ma", amount_parts="60", receipt_no="FP-2", collector_id=desk.id("zheng"))
    unassigned = on_site(desk, desk.order(requested_at="2026-09-30T09:00:00+08:00"), "2026-09-30T14:00:00+08:00", None)
    missing = fee(desk, unassigned, who="ma", expect=422, amount_parts="150", receipt_no="FP-3")
    assert list(missing["errors"]["json"]) == ["collector_id"]

    seen = desk.client.get("/api/v1/service-fees", headers=desk.headers("wu")).get_json()
    assert [f["id"] for f in seen] == [by_desk["id"]]  # a technician sees his own fees
    assert desk.client.get(f"/api/v1/service-fees/{for_zheng['id']}", headers=desk.headers("wu")).status_code == 403
    assert desk.client.get(f"/api/v1/work-orders/{order['id']}/fees", headers=desk.headers("wu")).get_json()[0]["id"] \
        == by_desk["id"]
    every = desk.client.get("/api/v1/service-fees", headers=desk.headers("fu"),
                            query_string={"collector_id": desk.id("zheng")}).get_json()
    assert [f["id"] for f in every] == [for_zheng["id"]]
    assert desk.client.get("/api/v1/service-fees", headers=desk.headers("fu"),
                           query_string={"state": "paid"}).status_code == 422

    url = f"/api/v1/service-fees/{for_zheng['id']}/void"
    assert desk.client.post(url, headers=desk.headers("ma"), json={"reason": "录错"}).status_code == 403
    assert desk.client.post(url, headers=desk.headers("li"), json={"reason": ""}).status_code == 422
    voided = desk.client.post(url, headers=desk.headers("li"), json={"reason": "录错工单"})
    assert voided.status_code == 200 and voided.get_json()["state"] == "void"
    assert desk.client.post(f"/api/v1/service-fees/{for_zheng['id']}/remit", headers=desk.headers("fu"),
                            json={}).status_code == 409
    again = fee(desk, order, who="ma", amount_parts="60", receipt_no="FP-2", collector_id=desk.id("zheng"))
    assert again["receipt_no"] == "FP-2"  # a voided fee's receipt number may be recorded again
    early = desk.client.post(f"/api/v1/service-fees/{by_desk['id']}/remit", headers=desk.headers("fu"),
                             json={"remitted_at": "2026-09-30T08:00:00+08:00"})
    assert early.status_code == 422 and "remitted_at" in early.get_json()["errors"]["json"]
    assert desk.client.get("/api/v1/service-fees/999999999", headers=desk.headers("fu")).status_code == 404


@pytest.mark.postgres_only
def test_two_clerks_remitting_one_fee_at_once_remit_it_once(app, desk, make_tenant):
    """The fee row is locked by the remittance: of two finance clerks at the same moment, one 200, one 409."""
    import threading

    qian = make_tenant.user(desk.handle, "qian", roles=["finance"])
    order = on_site(desk, desk.order(requested_at="2026-09-30T09:00:00+08:00"))
    got = fee(desk, order, amount_parts="380", receipt_no="FP-1", collected_at="2026-09-30T15:00:00+08:00")
    token = {"fu": desk.headers("fu"), "qian": desk.handle.headers(qian[1])}
    start, codes = threading.Barrier(2), []

    def remit(who):
        with app.app_context():
            start.wait(10)
            r = app.test_client().post(f"/api/v1/service-fees/{got['id']}/remit", headers=token[who], json={})
            codes.append(r.status_code)

    threads = [threading.Thread(target=remit, args=(who,)) for who in token]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(codes) == [200, 409]
    events = [e["kind"] for e in desk.get(order)["events"]]
    assert events.count("fee_remitted") == 1
