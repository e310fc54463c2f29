"""Guards of the service module found in review, each a behaviour a user relies on: a hold is no way
round reassignment (SVC-05); resuming keeps the times of the steps (SVC-40 on-time figures); only the
order's own technician (or the desk, or a manager) completes, records or swaps on it (SVC-10..13); the
photo of a signed feedback form cannot be deleted from under it (SVC-12); the technician whose work is
visited neither records the visit nor settles its issues (SVC-14, CMP-63); a record made late is
flagged even when it was made before the nightly check (SVC-16); a duty created mid-month owes from the
next month (SVC-30); numbers too large for the database are 422, and an upload of a request that fails
leaves no file behind."""
import datetime as dt
import io

import pytest
from sqlalchemy import select

from core.db import db
from core.service import orders, return_visits
from core.staff.models import StaffEntry
from core.tenancy import tenant_scope
from tests.core.attachments.files import png_bytes
from tests.web.api.service_desk import ServiceDesk


@pytest.fixture
def desk(client, make_tenant):
    d = ServiceDesk(client, make_tenant, "svc-guards")
    for name in ("wu", "zheng"):
        client.put(f"/api/v1/service-technicians/{d.id(name)}", headers=d.headers(), json={"skills": ["*"], "areas": ["*"]})
    return d


def at(text):
    return dt.datetime.fromisoformat(text)


def upload(desk, order, who="wu", kind="signed_form"):
    r = desk.client.post("/api/v1/attachments", headers=desk.headers(who), content_type="multipart/form-data", data={
        "file": (io.BytesIO(png_bytes()), "form.png"), "subject_type": "work_order", "subject_id": str(order["id"]),
        "kind": kind})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def on_site(desk, order, who="wu"):
    assert desk.post(order, "dispatch", who="li", assignee_id=desk.id(who), at="2026-09-24T09:00:00+08:00").status_code == 200
    r = desk.post(order, "arrive", who=who, at="2026-09-24T10:00:00+08:00")
    assert r.status_code == 200, r.get_json()


def test_a_hold_is_no_way_round_reassignment_and_resuming_keeps_the_step_times(desk):
    order = desk.order(requested_at="2026-09-24T08:00:00+08:00")
    on_site(desk, order)
    assert desk.post(order, "hold", reason="awaiting_parts", at="2026-09-24T11:00:00+08:00").status_code == 200
    r = desk.post(order, "resume", at="2026-09-24T15:00:00+08:00")
    assert r.get_json()["status"] == "on_site" and r.get_json()["on_site_at"] == "2026-09-24T02:00:00+00:00"
    other = desk.order(requested_at="2026-09-24T08:00:00+08:00")
    assert desk.post(other, "dispatch", who="li", assignee_id=desk.id("wu"), at="2026-09-24T09:00:00+08:00").status_code == 200
    assert desk.post(other, "hold", reason="customer_unavailable", at="2026-09-24T09:30:00+08:00").status_code == 200
    r = desk.post(other, "dispatch", who="ma", assignee_id=desk.id("zheng"), at="2026-09-24T10:00:00+08:00")
    assert r.status_code == 409 and r.get_json()["rule_id"] == "SVC-05"
    assert desk.get(other)["assignee_id"] == desk.id("wu")


def test_only_the_orders_technician_completes_and_records_and_the_signed_photo_stays(desk):
    order = desk.order(requested_at="2026-09-24T08:00:00+08:00")
    on_site(desk, order)
    photo = upload(desk, order)
    feedback = {"result": "已修复", "signatory": "王建国", "signed": True, "photo_attachment_id": photo}
    r = desk.post(order, "complete", who="zheng", at="2026-09-24T12:00:00+08:00", feedback=feedback)
    assert r.status_code == 403 and desk.get(order)["status"] == "on_site"
    assert desk.post(order, "complete", who="wu", at="2026-09-24T12:00:00+08:00", feedback=feedback).status_code == 200
    assert desk.post(order, "record", who="zheng", summary="x").status_code == 403
    gone = desk.client.delete(f"/api/v1/attachments/{photo}", headers=desk.headers("wu"))
    assert gone.status_code == 409 and "signed feedback form" in gone.get_json()["message"]
    assert desk.client.get(f"/api/v1/attachments/{photo}/content", headers=desk.headers()).status_code == 200
    spare = upload(desk, order, kind="photo")
    assert desk.client.delete(f"/api/v1/attachments/{spare}", headers=desk.headers("wu")).status_code == 204


def test_the_technician_does_not_visit_nor_settle_his_own_work(desk):
    order = desk.order(requested_at="2026-09-24T08:00:00+08:00")
    on_site(desk, order)
    desk.post(order, "complete", who="wu", at="2026-09-24T12:00:00+08:00", feedback={
        "result": "已修复", "signatory": "王建国", "signed": True, "photo_attachment_id": upload(desk, order)})
    desk.post(order, "record", who="wu", at="2026-09-24T13:00:00+08:00", summary="更换主板")
    [visit] = desk.client.get(f"/api/v1/work-orders/{order['id']}/return-visits", headers=desk.headers()).get_json()["visits"]
    path = f"/api/v1/service-return-visits/{visit['id']}/record"
    body = {"mode": "phone", "visited_at": "2026-09-25T10:00:00+08:00", "attitude": 3, "skill": 3, "outcome": "partly"}
    assert desk.client.post(path, headers=desk.headers("ma"), json={**body, "visitor_id": desk.id("wu")}).status_code == 403
    r = desk.client.post(path, headers=desk.headers("ma"), json=body)
    assert r.status_code == 200, r.get_json()
    issue = r.get_json()["issues"][0]["id"]
    settle = f"/api/v1/service-visit-issues/{issue}/outcome"
    r = desk.client.post(settle, headers=desk.headers("zheng"), json={"outcome": "已处理"})
    assert r.status_code == 409  # nobody assigned yet: the service manager assigns first (CMP-63)
    assign = f"/api/v1/service-visit-issues/{issue}/assign"
    assert desk.client.post(assign, headers=desk.headers("zhao"), json={"assignee_id": desk.id("zheng")}).status_code == 200
    assert desk.client.post(settle, headers=desk.headers("wu"), json={"outcome": "我修好了"}).status_code == 403
    assert desk.client.post(settle, headers=desk.headers("zheng"), json={"outcome": "已上门处理"}).status_code == 200
    assert desk.get(order)["status"] == "closed"


def test_a_record_made_late_is_flagged_even_before_the_nightly_check(desk):
    """SVC-16: completed Mon 11-02 17:00, record due through 11-03; made 11-04 10:00, checked 11-05 00:41."""
    order = desk.order(requested_at="2026-11-02T09:00:00+08:00")
    with tenant_scope(desk.handle.id):
        wo = orders.get_order(order["id"])
        wo.assignee_id = desk.id("wu")
        for state, when in (("dispatched", "2026-11-02T10:00:00+08:00"), ("on_site", "2026-11-02T11:00:00+08:00"),
                            ("completed", "2026-11-02T17:00:00+08:00"), ("recorded", "2026-11-04T10:00:00+08:00")):
            orders.move(wo, state, by=None, at=at(when))
        return_visits.on_recorded(wo)
        db.session.commit()
    first, again = desk.twice("svc.missing_records", "2026-11-05T00:41:00+08:00")
    assert (first["missing_records"], again["missing_records"]) == (1, 0)
    with tenant_scope(desk.handle.id):
        [entry] = db.session.scalars(select(StaffEntry).where(StaffEntry.offence == "svc_missing_record")).all()
        assert (entry.user_id, entry.rule_id) == (desk.id("wu"), "SVC-16")


def test_a_duty_created_mid_month_owes_from_the_next_month(desk):
    duty = desk.client.post("/api/v1/service-duties", headers=desk.headers("zhao"), json={
        "code": "pest", "title": "除虫", "work_order_type": "maintenance", "at_least": 2, "period": "month",
        "site": "阳光花园", "starts_on": "2026-09-20", "responsible_user_id": desk.id("zhao")})
    assert duty.status_code == 201, duty.get_json()
    desk.job("svc.duty_generation", "2026-09-21T00:16:00+08:00")
    runs = desk.client.get(f"/api/v1/service-duties/{duty.get_json()['id']}", headers=desk.headers()).get_json()["runs"]
    assert runs == []  # no order born past due on 09-15, no half month judged
    desk.job("svc.duty_generation", "2026-10-01T00:16:00+08:00")
    runs = desk.client.get(f"/api/v1/service-duties/{duty.get_json()['id']}", headers=desk.headers()).get_json()["runs"]
    assert [r["due_dates"] for r in runs] == [["2026-10-15", "2026-10-31"]]


def test_numbers_too_large_are_422_and_a_failed_upload_leaves_no_file(desk, app):
    huge = "99999999999999999999"
    r = desk.client.post("/api/v1/attachments", headers=desk.headers("wu"), content_type="multipart/form-data", data={
        "file": (io.BytesIO(png_bytes()), "x.png"), "subject_type": "work_order", "subject_id": huge, "kind": "photo"})
    assert r.status_code == 422 and "subject_id" in str(r.get_json()["errors"])
    r = desk.client.post("/api/v1/work-orders", headers=desk.headers("ma"), json={
        "type": "inspection", "customer_id": int(huge)})
    assert r.status_code == 422
    from core.attachments import service as attachments, storage

    order = desk.order()
    with tenant_scope(desk.handle.id):
        stored = attachments.store("work_order", order["id"], io.BytesIO(png_bytes()), "a.png", kind="photo", by=None)
        path = storage.path_of(desk.handle.id, stored.storage_key, stored.uploaded_at)
        assert path.is_file()
        db.session.close()  # the request ended with an unexpected error: no commit, no rollback event
    assert not path.exists()
