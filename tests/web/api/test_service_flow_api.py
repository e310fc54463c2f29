"""A GPS installer's order from intake to the closed return visit, through the API only (PRE-03 on the
SVC core): approval by the department manager (SVC-04), dispatch (SVC-05), the pre-departure checklist
and arrival (SVC-06), terminal and SIM swaps (SVC-10), completion with the customer's signed feedback
form and its photo (SVC-12), the service record (SVC-13), the return visit due the next working day
(SVC-14: form received Thu 2026-09-24 → through Mon 09-28), and the service contract waiting for the
installation getting its period and serial from the completion day (SVC-20)."""
import io

from tests.core.attachments.files import png_bytes
from tests.helpers import policy_since
from tests.web.api.service_desk import ServiceDesk

PRE03 = {"approval": {"installation": "dept_manager", "repair": "dept_manager"},
         "checklist": {"required": True}}


def test_installation_from_intake_to_the_closed_return_visit(client, make_tenant):
    desk = ServiceDesk(client, make_tenant, "gps-install")
    policy_since(desk.handle.id, "svc", PRE03, "2026-01-01")
    h = desk.headers()
    customer = client.post("/api/v1/customers", headers=h, json={
        "name": "北京顺达物流有限公司", "phones": [{"number": "13800138000"}]}).get_json()
    order = desk.order(type="installation", customer_id=customer["id"], address="北京市大兴区物流园3号库",
                       contact_name="车队长老周", contact_phone="13911112222", requested_at="2026-09-22T09:00:00+08:00",
                       data={"request_doc": "安装申请单 GPS-0922", "asset_list": [
                           {"plate": "京A12345", "driver": "张师傅"}, {"plate": "京A67890", "driver": "李师傅"}]})
    contract = client.post("/api/v1/service-contracts", headers=h, json={
        "customer_id": customer["id"], "subject": "GPS定位服务", "signed_on": "2026-09-20", "term": "1 years",
        "installation_order_id": order["id"]})
    assert contract.status_code == 201, contract.get_json()
    assert contract.get_json()["periods"][0]["starts_on"] == "2026-09-20"  # installation not known yet

    # SVC-04: no dispatch before the division manager signs
    client.put(f"/api/v1/service-technicians/{desk.id('wu')}", headers=h, json={"skills": ["*"], "areas": ["*"]})
    dispatch = {"assignee_id": desk.id("wu"), "eta_at": "2026-09-24T09:00:00+08:00", "at": "2026-09-22T10:00:00+08:00"}
    assert desk.post(order, "dispatch", who="li", **dispatch).status_code == 409
    assert desk.post(order, "approve", who="ma", at="2026-09-22T09:30:00+08:00").status_code == 403
    r = desk.post(order, "approve", who="zhao", at="2026-09-22T09:30:00+08:00")
    assert r.status_code == 200 and r.get_json()["approved_by"] == desk.id("zhao"), r.get_json()
    r = desk.post(order, "dispatch", who="li", **dispatch)
    assert r.status_code == 200 and r.get_json()["status"] == "dispatched", r.get_json()

    # SVC-06: not on site before the checklist the company requires
    assert desk.post(order, "arrive", who="wu", at="2026-09-24T09:05:00+08:00").status_code == 409
    r = desk.post(order, "checklist", who="wu", at="2026-09-24T08:00:00+08:00",
                  items={"job_details": True, "tools": True, "parts": True, "documents": True})
    assert r.status_code in (200, 201), r.get_json()
    r = desk.post(order, "arrive", who="wu", at="2026-09-24T09:05:00+08:00")
    assert r.status_code == 200 and r.get_json()["status"] == "on_site", r.get_json()

    # SVC-10: the old terminal and SIM out, the new ones in
    r = desk.post(order, "swaps", who="wu", at="2026-09-24T11:00:00+08:00", items=[
        {"kind": "terminal", "old": "T-0012", "new": "T-0458"},
        {"kind": "sim", "old": "1440012345678", "new": "1440098765432"}])
    assert r.status_code == 200, r.get_json()

    # SVC-12: completion needs the signed form and its photo, an attachment of this order
    assert desk.post(order, "complete", who="wu", at="2026-09-24T16:00:00+08:00").status_code == 409
    photo = client.post("/api/v1/attachments", headers=desk.headers("wu"), content_type="multipart/form-data", data={
        "file": (io.BytesIO(png_bytes()), "反馈单.png"), "subject_type": "work_order", "subject_id": str(order["id"]),
        "kind": "signed_form"})
    assert photo.status_code == 201, photo.get_json()
    r = desk.post(order, "complete", who="wu", at="2026-09-24T16:00:00+08:00", feedback={
        "result": "两台车已安装调试完毕", "opinion": "满意", "signatory": "车队长老周", "signed": True,
        "photo_attachment_id": photo.get_json()["id"]})
    assert r.status_code == 200 and r.get_json()["status"] == "completed", r.get_json()

    # SVC-20: the contract's period now starts on the installation day, with its serial
    period = client.get(f"/api/v1/service-contracts/{contract.get_json()['id']}", headers=h).get_json()["periods"][0]
    assert (period["starts_on"], period["ends_on"]) == ("2026-09-24", "2027-09-23") and period["serial"]

    # SVC-13, SVC-14: recorded → the return visit, due through Monday 09-28
    r = desk.post(order, "record", who="wu", at="2026-09-24T17:00:00+08:00", summary="安装GPS终端两台，调试正常")
    assert r.status_code == 200 and r.get_json()["status"] == "return_visit_due", r.get_json()
    [visit] = client.get(f"/api/v1/work-orders/{order['id']}/return-visits", headers=h).get_json()["visits"]
    assert visit["due_on"] == "2026-09-28"
    r = client.post(f"/api/v1/service-return-visits/{visit['id']}/record", headers=desk.headers("ma"), json={
        "mode": "phone", "visited_at": "2026-09-25T10:00:00+08:00", "who_came": "吴师傅", "attitude": 5, "skill": 5,
        "outcome": "resolved"})
    assert r.status_code == 200, r.get_json()
    final = desk.get(order)
    assert final["status"] == "closed"
    assert [e["to_state"] for e in final["events"] if e["to_state"]] == [
        "requested", "approval_pending", "approved", "dispatched", "on_site", "completed", "recorded",
        "return_visit_due", "closed"]
    rules = {d.rule_id for d in desk.decisions(order)}
    assert {"SVC-03", "SVC-04", "SVC-05", "SVC-12", "SVC-14"} <= rules
