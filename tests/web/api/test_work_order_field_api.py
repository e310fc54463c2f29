"""Field work end to end: swaps and the asset register (SVC-10), completion checks (SVC-11), the signed
feedback form (SVC-12), service records and the customer's timeline (SVC-13), plugin vetoes on completion
(SVC-02 test 2) and rework. Orders are brought on site with ``orders.move`` (dispatch is another part's
endpoint)."""
import io

import pytest

from core.db import db
from core.service import orders
from core.tenancy import tenant_scope
from tests.helpers import policy_since
from tests.web.api.service_desk import ServiceDesk

SIGNED = {"result": "已修复，终端上线", "opinion": "满意", "signatory": "王建国", "signed": True}
VECTOR = [{"kind": "terminal", "old": "T-0012", "new": "T-0458"},
          {"kind": "sim", "old": "1440012345678", "new": "1440098765432", "note": "SIM卡损坏"}]


@pytest.fixture
def desk(client, make_tenant):
    desk = ServiceDesk(client, make_tenant, "huaxin-field")
    desk.users["qian"] = make_tenant.user(desk.handle, "qian", roles=["cs_manager"])
    desk.users["sun"] = make_tenant.user(desk.handle, "sun", roles=["cs_supervisor"])
    return desk


@pytest.fixture
def utility(client, make_tenant):
    utility = ServiceDesk(client, make_tenant, "water-field", plugins=("sample",))
    policy_since(utility.handle.id, "svc", {"feedback": {"photo_required": False}}, "2026-01-01")
    return utility


def customer(desk, name="北京顺达物流有限公司", phone="13800138000"):
    r = desk.client.post("/api/v1/customers", headers=desk.headers(), json={
        "name": name, "phones": [{"number": phone}]})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def bring(desk, order, *states):
    """Move the order through ``states`` (default: dispatched to Wu, then on site)."""
    with tenant_scope(desk.handle.id):
        wo = orders.get_order(order["id"])
        wo.assignee_id = desk.id("wu")
        for state in states or ("dispatched", "on_site"):
            orders.move(wo, state, by=None)
        db.session.commit()
    return desk.get(order)


def asset(desk, identifier):
    found = desk.client.get(f"/api/v1/service-assets?identifier={identifier}", headers=desk.headers()).get_json()
    assert len(found) == 1, found
    return desk.client.get(f"/api/v1/service-assets/{found[0]['id']}", headers=desk.headers()).get_json()


# ------------------------------------------------------------------------------------------- SVC-10


def test_swap_vector_on_the_order_and_on_the_assets_history(desk):
    """SVC-10 (1): swap terminal T-0012 → T-0458 and SIM 1440012345678 → 1440098765432 → both on the
    order and on the asset's history."""
    customer_id = customer(desk)
    order = desk.order(customer_id=customer_id, customer_name=None)
    bring(desk, order)
    r = desk.post(order, "swaps", who="wu", items=VECTOR)
    assert r.status_code == 200, r.get_json()
    swaps = r.get_json()["swaps"]
    assert [(s["kind"], s["old_identifier"], s["new_identifier"]) for s in swaps] == [
        ("terminal", "T-0012", "T-0458"), ("sim", "1440012345678", "1440098765432")]
    assert swaps[0]["by"] == desk.id("wu") and swaps[1]["note"] == "SIM卡损坏"
    history = [(e["kind"], e["data"].get("old"), e["data"].get("new")) for e in desk.get(order)["events"]]
    assert ("swapped", "T-0012", "T-0458") in history and ("swapped", "1440012345678", "1440098765432") in history

    new = asset(desk, "T-0458")
    assert (new["kind"], new["status"], new["customer_id"], new["last_order_id"]) == (
        "terminal", "installed", customer_id, order["id"])
    assert [(e["kind"], e["order_number"], e["data"]["replaces"], e["to_status"]) for e in new["history"]] == [
        ("swapped_in", order["number"], "T-0012", "installed")]
    old = asset(desk, "T-0012")
    assert old["status"] == "retired"
    assert [(e["kind"], e["order_number"], e["data"]["replaced_by"]) for e in old["history"]] == [
        ("swapped_out", order["number"], "T-0458")]
    sim = asset(desk, "1440098765432")
    assert sim["kind"] == "sim" and sim["history"][0]["data"]["replaces"] == "1440012345678"

    again = desk.post(order, "swaps", who="wu", items=VECTOR)  # the same request sent twice: recorded once
    assert again.status_code == 200 and len(again.get_json()["swaps"]) == 2
    assert len(asset(desk, "T-0458")["history"]) == 1


def test_unit_taken_back_for_repair_is_labelled_and_tracked_until_it_returns(desk):
    """SVC-10: a unit taken back for repair is labelled (plate number and fault) and tracked until it
    returns; a unit in repair cannot be installed."""
    first = desk.order(customer_id=customer(desk), customer_name=None)
    bring(desk, first)
    desk.post(first, "swaps", who="wu", items=VECTOR[:1])
    old = asset(desk, "T-0012")
    path = f"/api/v1/service-assets/{old['id']}"
    bad = desk.client.post(f"{path}/take-back", headers=desk.headers("wu"), json={"plate": " ", "fault": "不开机"})
    assert bad.status_code == 422 and "plate" in bad.get_json()["errors"]["json"]
    r = desk.client.post(f"{path}/take-back", headers=desk.headers("wu"),
                         json={"plate": "京A12345", "fault": "不开机", "order_id": first["id"]})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert (body["status"], body["plate"], body["fault"]) == ("in_repair", "京A12345", "不开机")
    assert body["history"][-1]["kind"] == "taken_back" and body["history"][-1]["data"] == {"plate": "京A12345",
                                                                                          "fault": "不开机"}
    in_repair = desk.client.get("/api/v1/service-assets?status=in_repair", headers=desk.headers()).get_json()
    assert [(a["identifier"], a["plate"]) for a in in_repair] == [("T-0012", "京A12345")]
    again = desk.client.post(f"{path}/take-back", headers=desk.headers("wu"), json={"plate": "京A12345", "fault": "x"})
    assert again.status_code == 409 and again.get_json()["rule_id"] == "SVC-10"

    second = desk.order(customer_id=customer(desk, "北京安达物流有限公司", "13911112222"), customer_name=None)
    bring(desk, second)
    refused = desk.post(second, "swaps", who="wu", items=[{"kind": "terminal", "old": "T-0777", "new": "T-0012"}])
    assert refused.status_code == 409 and "items.0.new" in refused.get_json()["errors"]["json"]
    assert desk.client.get("/api/v1/service-assets?identifier=T-0777", headers=desk.headers()).get_json() == []

    back = desk.client.post(f"{path}/return", headers=desk.headers("wu"), json={"note": "已修复"})
    assert back.status_code == 200 and back.get_json()["status"] == "returned"
    assert back.get_json()["returned_at"] is not None
    assert desk.client.get("/api/v1/service-assets?status=in_repair", headers=desk.headers()).get_json() == []
    assert desk.client.post(f"{path}/return", headers=desk.headers("wu"), json={}).status_code == 409
    reinstalled = desk.post(second, "swaps", who="wu", items=[{"kind": "terminal", "old": "T-0777", "new": "T-0012"}])
    assert reinstalled.status_code == 200, reinstalled.get_json()
    assert [e["kind"] for e in asset(desk, "T-0012")["history"]] == ["swapped_out", "taken_back", "returned",
                                                                     "swapped_in"]
    busy = desk.post(first, "swaps", who="wu", items=[{"kind": "terminal", "old": "T-0458", "new": "T-0012"}])
    assert busy.status_code == 409  # installed at the other customer now


def test_swap_with_the_old_unit_taken_back_at_once(desk):
    order = desk.order()
    bring(desk, order)
    r = desk.post(order, "swaps", who="wu", items=[{"kind": "sim", "old": "1440012345678", "new": "1440098765432",
                                                    "take_back": {"plate": "京B67890", "fault": "无信号"}}])
    assert r.status_code == 200, r.get_json()
    old = asset(desk, "1440012345678")
    assert (old["status"], old["plate"], old["fault"]) == ("in_repair", "京B67890", "无信号")
    assert [e["kind"] for e in old["history"]] == ["swapped_out", "taken_back"]


def test_swaps_need_an_order_at_work_and_the_right_role(desk):
    order = desk.order()
    r = desk.post(order, "swaps", who="ma", items=VECTOR)
    assert r.status_code == 409 and r.get_json()["rule_id"] == "SVC-10"
    assert desk.post(order, "swaps", who="wu", items=VECTOR).status_code == 403  # not his order
    bring(desk, order)
    assert desk.post(order, "swaps", who="fu", items=VECTOR).status_code == 403
    assert desk.post(order, "swaps", who="zheng", items=VECTOR).status_code == 403  # another technician's
    bad = desk.post(order, "swaps", who="wu", items=[{"kind": "terminal", "old": "T-1", "new": "T-1"}])
    assert bad.status_code == 422 and bad.get_json()["errors"]["json"] == {
        "items.0.new": ["the new unit must differ from the old one"]}
    assert desk.post(order, "swaps", who="wu", items=[]).status_code == 422


# ------------------------------------------------------------------------------------------- SVC-11


def test_completion_check_missing_failed_then_passed(utility):
    """SVC-11 (1) completed without the safety test → 409; (2) result fail → stays on site (409, the
    result on the order); SVC-02 (2) a plugin's veto on completion (no seal photo) → 409 with its reason
    and a decision SVC-02; then with the test passed and the photo → completed."""
    order = utility.order(type="meter_install", data={"meter_no": "M123456"})
    bring(utility, order)
    missing = utility.post(order, "complete", who="wu", feedback=SIGNED, data={"seal_photo": "p.jpg"})
    assert missing.status_code == 409, missing.get_json()
    assert missing.get_json()["rule_id"] == "SVC-11" and missing.get_json()["missing"] == ["safety_test"]
    assert "安全检测" in missing.get_json()["reason_zh"]

    failed = utility.post(order, "complete", who="wu", checks={"safety_test": "fail"}, feedback=SIGNED,
                          data={"seal_photo": "p.jpg"})
    assert failed.status_code == 409 and failed.get_json()["stays"] == "on_site"
    body = utility.get(order)
    assert body["status"] == "on_site"
    step = body["events"][-1]
    assert (step["kind"], step["data"]["failed"]) == ("checks_failed", {"safety_test": "fail"})
    decision = utility.decisions(order, "SVC-11")[0]
    assert decision.outcome == {"stays": "on_site", "failed": {"safety_test": "fail"}}
    assert step["decision_id"] == decision.id

    vetoed = utility.post(order, "complete", who="wu", checks={"safety_test": "pass"}, feedback=SIGNED)
    assert vetoed.status_code == 409 and vetoed.get_json()["reasons_zh"] == ["装表完工须上传铅封照片"]
    assert utility.decisions(order, "SVC-02")[0].outcome == {"vetoed": "completed", "stays": "on_site"}
    assert utility.get(order)["status"] == "on_site"
    assert len(utility.decisions(order, "SVC-11")) == 1 and utility.decisions(order, "SVC-12") == []  # rolled back

    done = utility.post(order, "complete", who="wu", checks={"safety_test": "pass"}, feedback=SIGNED,
                        data={"seal_photo": "p.jpg"})
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["status"] == "completed" and done.get_json()["completed_at"]
    assert utility.decisions(order, "SVC-11")[-1].outcome == {"passed": {"safety_test": "pass"}}


def test_forced_close_by_a_manager_is_recorded(utility):
    """SVC-11: a forced close by a manager only, with a reason, recorded (it feeds UTL-41)."""
    order = utility.order(type="meter_install", data={"meter_no": "M123457"})
    bring(utility, order)
    body = {"feedback": SIGNED, "data": {"seal_photo": "p.jpg"}, "force": True}
    by_technician = utility.post(order, "complete", who="wu", reason="客户急用", **body)
    assert by_technician.status_code == 403
    no_reason = utility.post(order, "complete", who="zhao", **body)
    assert no_reason.status_code == 422 and "reason" in no_reason.get_json()["errors"]["json"]
    forced = utility.post(order, "complete", who="zhao", reason="检测仪故障，次日补测", **body)
    assert forced.status_code == 200, forced.get_json()
    assert forced.get_json()["status"] == "completed"
    decision = utility.decisions(order, "SVC-11")[0]
    assert decision.decided_by == utility.id("zhao")
    assert decision.outcome["forced"] is True and decision.outcome["missing"] == ["safety_test"]
    assert decision.outcome["assignee_id"] == utility.id("wu") and decision.outcome["reason"] == "检测仪故障，次日补测"
    assert "经理强制完工" in decision.reason_zh and "未做安全检测" in decision.reason_zh


# ------------------------------------------------------------------------------------------- SVC-12


def test_on_site_order_needs_the_signed_feedback_form(desk):
    """SVC-12 (1) complete without signature → 409; (2) signature with no photo when
    svc.feedback.photo_required = true (the default) → 422."""
    order = desk.order()
    bring(desk, order)
    none = desk.post(order, "complete", who="wu")
    assert none.status_code == 409 and none.get_json()["rule_id"] == "SVC-12"
    unsigned = desk.post(order, "complete", who="wu", feedback={**SIGNED, "signed": False})
    assert unsigned.status_code == 409 and unsigned.get_json()["rule_id"] == "SVC-12"
    no_photo = desk.post(order, "complete", who="wu", feedback=SIGNED)
    assert no_photo.status_code == 422
    assert list(no_photo.get_json()["errors"]["json"]) == ["feedback.photo_attachment_id"]
    incomplete = desk.post(order, "complete", who="wu", feedback={"signed": True, "photo_attachment_id": 1})
    assert incomplete.status_code == 422
    assert {"feedback.result", "feedback.signatory"} <= set(incomplete.get_json()["errors"]["json"])
    assert desk.get(order)["status"] == "on_site"


def test_feedback_form_goes_to_customer_relations(desk):
    """SVC-12: with photos not required the signed form completes the order and goes to the
    customer-relations team (cs_manager, cs_supervisor)."""
    policy_since(desk.handle.id, "svc", {"feedback": {"photo_required": False}}, "2026-01-01")
    order = desk.order()
    bring(desk, order)
    early = desk.post(order, "complete", who="wu", feedback=SIGNED, at="2026-01-02T10:00:00+08:00")
    assert early.status_code == 422 and "at" in early.get_json()["errors"]["json"]
    r = desk.post(order, "complete", who="wu", feedback=SIGNED)
    assert r.status_code == 200, r.get_json()
    form = desk.client.get(f"/api/v1/work-orders/{order['id']}/field-work", headers=desk.headers()).get_json()
    assert [(f["result"], f["signatory"], f["signed"], f["by"]) for f in form["feedback"]] == [
        ("已修复，终端上线", "王建国", True, desk.id("wu"))]
    notes = desk.notified("svc.feedback_received")
    assert {n.user_id for n in notes} == {desk.id("qian"), desk.id("sun")}
    assert all(n.subject_id == order["id"] and order["number"] in n.title_zh for n in notes)
    decision = desk.decisions(order, "SVC-12")[0]
    assert decision.outcome["sent_to"] == sorted([desk.id("qian"), desk.id("sun")])
    assert desk.decisions(order, "SVC-11") == []  # repair declares no completion checks


def test_photo_of_the_signed_form_is_an_attachment_of_the_order(desk):
    """SVC-12: with svc.feedback.photo_required = true (the default) the signed form completes the order
    with the photo of it, uploaded as an attachment of this order (core.attachments)."""
    from tests.core.attachments.files import png_bytes

    order, other = desk.order(), desk.order()
    bring(desk, order)

    def upload(subject, kind="signed_form"):
        r = desk.client.post("/api/v1/attachments", headers=desk.headers("wu"), content_type="multipart/form-data",
                             data={"file": (io.BytesIO(png_bytes()), "反馈单.png"), "subject_type": "work_order",
                                   "subject_id": str(subject["id"]), "kind": kind})
        assert r.status_code == 201, r.get_json()
        return r.get_json()["id"]

    for photo_id in (987654321, upload(other), upload(order, kind="document")):  # unknown, another order's, a document
        r = desk.post(order, "complete", who="wu", feedback={**SIGNED, "photo_attachment_id": photo_id})
        assert r.status_code == 422 and list(r.get_json()["errors"]["json"]) == ["feedback.photo_attachment_id"]
    photo_id = upload(order)
    r = desk.post(order, "complete", who="wu", feedback={**SIGNED, "photo_attachment_id": photo_id})
    assert r.status_code == 200, r.get_json()
    work = desk.client.get(f"/api/v1/work-orders/{order['id']}/field-work", headers=desk.headers()).get_json()
    assert work["feedback"][0]["photo_attachment_id"] == photo_id
    assert desk.decisions(order, "SVC-12")[0].facts == {"signed": True, "photo_attachment_id": photo_id,
                                                        "photo_required": True}


# ------------------------------------------------------------------------------------------- SVC-13


def test_remote_report_issue_record_needs_analysis_and_reaches_the_timeline(desk):
    """SVC-13 (1): report_issue without analysis → 422; every handled request leaves a service record in
    the customer's timeline."""
    customer_id = customer(desk)
    order = desk.order(type="remote_service", customer_id=customer_id, customer_name=None,
                       data={"service_kind": "report_issue"})
    bring(desk, order, "dispatched")
    completed = desk.post(order, "complete", who="wu")  # remote: no feedback form needed
    assert completed.status_code == 200, completed.get_json()
    work = desk.client.get(f"/api/v1/work-orders/{order['id']}/field-work", headers=desk.headers()).get_json()
    assert work["record_fields"] == ["report_name", "question", "analysis", "solution"]
    fields = {"report_name": "销售月报", "question": "合计与明细不符", "solution": "重新汇总并核对"}
    r = desk.post(order, "record", who="wu", summary="远程处理报表问题", fields=fields)
    assert r.status_code == 422 and r.get_json()["errors"]["json"] == {
        "fields.analysis": ["required for this service record (SVC-13)"]}
    assert r.get_json()["rule_id"] == "SVC-13"
    r = desk.post(order, "record", who="wu", summary="远程处理报表问题", fields={**fields, "analysis": "退货未冲减"})
    assert r.status_code == 200, r.get_json()
    # recorded, then on to its return visit (SVC-14: a remote order's visit is decided at completion)
    assert r.get_json()["status"] == "return_visit_due" and r.get_json()["recorded_at"]
    assert [e["kind"] for e in r.get_json()["events"]][-2:] == ["recorded", "return_visit_due"]
    records = desk.client.get(f"/api/v1/work-orders/{order['id']}/field-work", headers=desk.headers()).get_json()
    assert records["records"][0]["fields"]["analysis"] == "退货未冲减"
    assert desk.post(order, "record", who="wu", summary="again", fields=fields).status_code == 409

    timeline = desk.client.get(f"/api/v1/customers/{customer_id}/timeline?types=work_order,service_record",
                               headers=desk.headers()).get_json()
    assert [(i["type"], i["source_id"]) for i in timeline] == [
        ("service_record", records["records"][0]["id"]), ("work_order", order["id"])]
    assert timeline[0]["summary_zh"] == f"服务记录 {order['number']}：远程处理报表问题"
    assert timeline[1]["summary_zh"] == f"远程服务工单 {order['number']}（待回访）"
    assert timeline[0]["actor_name"] == "wu"


def test_tenant_record_fields(desk):
    """SVC-13: svc.record_fields by type or type.service_kind replaces the default of that key."""
    policy_since(desk.handle.id, "svc", {"record_fields": {"remote_service.report_issue": ["analysis"],
                                                           "update": ["version_installed"]}}, "2026-01-01")
    order = desk.order(type="remote_service", data={"service_kind": "report_issue"})
    bring(desk, order, "dispatched", "completed")
    assert desk.post(order, "record", who="wu", summary="x", fields={"analysis": "口径"}).status_code == 200
    update = desk.order(type="update", data={"version": "5.2"})
    bring(desk, update, "dispatched", "completed")
    r = desk.post(update, "record", who="wu", summary="  ", fields={})
    assert r.status_code == 422 and set(r.get_json()["errors"]["json"]) == {"summary", "fields.version_installed"}


# ------------------------------------------------------------------------------------------- rework


def test_rework_sends_a_done_order_back_to_be_dispatched(desk):
    policy_since(desk.handle.id, "svc", {"feedback": {"photo_required": False}}, "2026-01-01")
    order = desk.order()
    bring(desk, order)
    assert desk.post(order, "rework", reason="没修好").status_code == 409  # still on site
    assert desk.post(order, "complete", who="wu", feedback=SIGNED).status_code == 200
    assert desk.post(order, "rework", who="wu", reason="没修好").status_code == 403
    assert desk.post(order, "rework", reason=" ").status_code == 422
    r = desk.post(order, "rework", reason="客户反映仍不开机")
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert (body["status"], body["rework_count"], body["next_states"][0]) == ("rework", 1, "dispatched")
    assert body["events"][-1]["note"] == "客户反映仍不开机"
    bring(desk, order)  # dispatched again, on site again
    assert desk.post(order, "complete", who="wu").status_code == 409  # the form is needed again
    assert desk.post(order, "complete", who="wu", feedback=SIGNED).status_code == 200
    assert desk.post(order, "record", who="wu", summary="更换主板").status_code == 200
    work = desk.client.get(f"/api/v1/work-orders/{order['id']}/field-work", headers=desk.headers()).get_json()
    assert len(work["feedback"]) == 2 and len(work["records"]) == 1
