"""Recurring duties (SVC-30, SVC-32; PM-07, PM-09) and inspection checklists (SVC-31; PM-06) through the API
and the jobs ``svc.duty_generation`` and ``svc.missed_duties``, with the spec's vectors and real 2026 dates;
every job run twice with one effect."""
import datetime as dt

import pytest
from sqlalchemy import select

from core.db import db
from core.decisions.models import Decision
from core.service import orders
from core.service.duties_settings import PM_DUTIES
from core.tenancy import tenant_scope
from tests.helpers import policy_since
from tests.web.api.service_desk import ServiceDesk

PEST = {"code": "pest_control", "title": "公共区域除虫灭害", "work_order_type": "maintenance", "at_least": 2,
        "period": "month", "site": "阳光花园", "asset_class": "公共区域", "starts_on": "2026-09-01"}
#: a property company takes repairs with an address and the fault (what an inspection can give)
PM_REPAIR = {"required_fields": {"repair": ["address", "fault"]}}


@pytest.fixture
def desk(client, make_tenant):
    return ServiceDesk(client, make_tenant, "sunny-pm")


def api(desk, verb, path, who=None, expect=None, **body):
    r = getattr(desk.client, verb)(f"/api/v1{path}", headers=desk.headers(who), json=body if verb != "get" else None)
    if expect is not None:
        assert r.status_code == expect, r.get_json()
    return r.get_json()


def duty_decisions(desk, duty_id, rule_id):
    with tenant_scope(desk.handle.id):
        return list(db.session.scalars(select(Decision).where(
            Decision.subject_type == "service_duty", Decision.subject_id == duty_id, Decision.rule_id == rule_id)
            .order_by(Decision.id)))


def complete(desk, order_id, at):
    """Dispatch, arrive and complete (the field steps are another module's; the core move suffices here)."""
    at = dt.datetime.fromisoformat(at)
    with tenant_scope(desk.handle.id):
        order = orders.get_order(order_id)
        for state in ("dispatched", "on_site", "completed"):
            orders.move(order, state, by=desk.id("wu"), at=at)
        db.session.commit()


# ------------------------------------------------------------------------------------------ SVC-30


def test_september_pest_control_orders_due_09_15_and_09_30_one_done_alert_10_01(desk):
    """SVC-30 (1): September 2026 pest control → orders due 09-15 and 09-30 (real deadlines: the second,
    never done, is breached by the SLA sweep); one done → alert 2026-10-01 "1 of 2" to the responsible
    manager, once."""
    duty = api(desk, "post", "/service-duties", who="zhao", expect=201, **PEST, responsible_user_id=desk.id("zhao"))
    assert duty["scope"] == "阳光花园 · 公共区域" and duty["source"] == "manual"
    first, again = desk.twice("svc.duty_generation", "2026-09-01T00:16:00+08:00")
    # with the yearly customer survey every tenant has by default (SVC-32, seeded on the first run)
    assert (first["seeded"], first["periods"], first["orders"]) == (1, 2, 2)
    assert (again["seeded"], again["periods"], again["orders"]) == (0, 0, 0)
    run = api(desk, "get", f"/service-duties/{duty['id']}", expect=200)["runs"]
    assert len(run) == 1 and run[0]["due_dates"] == ["2026-09-15", "2026-09-30"] and run[0]["state"] == "generated"
    made = [desk.get({"id": order_id}) for order_id in run[0]["order_ids"]]
    assert [(o["channel"], o["source_type"], o["source_id"], o["type"]) for o in made] == \
        [("duty", "duty", duty["id"], "maintenance")] * 2
    assert made[0]["address"] == "阳光花园" and made[0]["data"] == {"asset": "公共区域"}
    assert made[0]["description"] == "公共区域除虫灭害（2026-09 第1/2次；阳光花园 · 公共区域）"
    # each order's completion is due at 24:00 of its day (Beijing), on the deadline engine
    assert [[(m["code"], m["rule_id"], m["due_at"]) for m in o["milestones"]] for o in made] == [
        [("complete", "SVC-30", "2026-09-15T16:00:00+00:00")], [("complete", "SVC-30", "2026-09-30T16:00:00+00:00")]]
    generated = duty_decisions(desk, duty["id"], "SVC-30")
    assert len(generated) == 1 and [o["number"] for o in generated[0].outcome["orders"]] == \
        [made[0]["number"], made[1]["number"]]

    complete(desk, made[0]["id"], "2026-09-14T15:00:00+08:00")
    # the period is not over on 09-30: nothing counted yet
    assert desk.job("svc.missed_duties", "2026-09-30T23:50:00+08:00")["checked"] == 0
    # the second order's deadline passes: the SVC-07 sweep breaches it
    assert desk.job("cmp.sla_timers", "2026-10-01T00:01:00+08:00")["breached"] == 1
    # unassigned, it is the responsible manager's department's (服务部: head Zhao, supervisor Li)
    assert made[1]["department_id"] == desk.department_id
    assert {(n.subject_id, n.user_id) for n in desk.notified("svc.deadline_breach")} == \
        {(made[1]["id"], desk.id("zhao")), (made[1]["id"], desk.id("li"))}
    first, again = desk.twice("svc.missed_duties", "2026-10-01T00:22:00+08:00")
    assert (first["checked"], first["missed"]) == (1, 1) and again["checked"] == 0
    alert = duty_decisions(desk, duty["id"], "SVC-30")[-1]
    assert alert.outcome["text"] == "1 of 2" and alert.outcome["missed"] is True
    assert "1 of 2" in alert.reason_en and "（1 of 2）" in alert.reason_zh
    notes = desk.notified("svc.missed_duty")
    assert [(n.user_id, n.rule_id) for n in notes] == [(desk.id("zhao"), "SVC-30")]
    assert "1 of 2" in notes[0].title_en
    run = api(desk, "get", f"/service-duties/{duty['id']}", expect=200)["runs"][0]
    assert (run["state"], run["done"], run["notified"]) == ("missed", 1, [desk.id("zhao")])


def test_a_period_fully_done_is_met_without_alert_and_october_follows(desk):
    duty = api(desk, "post", "/service-duties", who="zhao", expect=201, **PEST, responsible_role="dept_manager")
    desk.job("svc.duty_generation", "2026-09-02T00:16:00+08:00")  # a day late: September is made up
    run = api(desk, "get", f"/service-duties/{duty['id']}")["runs"][0]
    for order_id in run["order_ids"]:
        complete(desk, order_id, "2026-09-20T10:00:00+08:00")
    result = desk.job("svc.missed_duties", "2026-10-01T00:22:00+08:00")
    assert (result["met"], result["missed"]) == (1, 0) and desk.notified("svc.missed_duty") == []
    assert duty_decisions(desk, duty["id"], "SVC-30")[-1].outcome["text"] == "2 of 2"
    assert desk.job("svc.duty_generation", "2026-10-01T00:16:00+08:00")["orders"] == 2
    runs = api(desk, "get", f"/service-duties/{duty['id']}")["runs"]
    assert [(r["period_start"], r["state"]) for r in runs] == [("2026-10-01", "generated"), ("2026-09-01", "met")]
    assert runs[0]["due_dates"] == ["2026-10-15", "2026-10-31"]


def test_pm_preset_seeds_the_table_and_water_tanks_are_due_06_30_and_12_31(desk):
    """PM-07 (1): the PM preset of svc.duties is copied into the duty table; 2026 water-tank orders due
    06-30 and 12-31; pest control twice in January; a daily inspection round each day."""
    policy_since(desk.handle.id, "svc", {"duties": PM_DUTIES}, "2026-01-01")
    first, again = desk.twice("svc.duty_generation", "2026-01-01T00:16:00+08:00")
    assert (first["seeded"], first["periods"], first["orders"]) == (4, 4, 5)  # + the yearly survey (SVC-32)
    assert (again["seeded"], again["periods"], again["orders"]) == (0, 0, 0)
    table = {d["code"]: d for d in api(desk, "get", "/service-duties", expect=200)}
    assert set(table) == {"pest_control", "water_tanks", "inspection_rounds", "customer_survey"}
    assert {d["source"] for d in table.values()} == {"policy"} and table["water_tanks"]["evidence"] == ["sample_test"]
    tanks = api(desk, "get", f"/service-duties/{table['water_tanks']['id']}")["runs"][0]
    assert tanks["due_dates"] == ["2026-06-30", "2026-12-31"]
    due = [desk.get({"id": i})["milestones"][0]["due_at"] for i in tanks["order_ids"]]
    assert due == ["2026-06-30T16:00:00+00:00", "2026-12-31T16:00:00+00:00"]
    pests = api(desk, "get", f"/service-duties/{table['pest_control']['id']}")["runs"][0]
    assert pests["due_dates"] == ["2026-01-15", "2026-01-31"]
    # the next day: only the daily round has a new period
    assert desk.job("svc.duty_generation", "2026-01-02T00:16:00+08:00")["orders"] == 1
    # a deactivated preset duty stays off: not seeded again, no new period
    api(desk, "patch", f"/service-duties/{table['inspection_rounds']['id']}", who="zhao", expect=200, active=False)
    result = desk.job("svc.duty_generation", "2026-01-03T00:16:00+08:00")
    assert (result["seeded"], result["orders"]) == (0, 0)


def test_an_order_deadline_already_set_by_svc_sla_is_fixed_to_the_duty_day(desk):
    policy_since(desk.handle.id, "svc", {"sla": {"*": {"*": {"complete": "24 hours", "dispatch": "4 hours"}}}},
                 "2026-01-01")
    duty = api(desk, "post", "/service-duties", who="zhao", expect=201, **PEST, responsible_role="dept_manager")
    desk.job("svc.duty_generation", "2026-09-01T00:16:00+08:00")
    order_id = api(desk, "get", f"/service-duties/{duty['id']}")["runs"][0]["order_ids"][0]
    milestones = {m["code"]: m for m in desk.get({"id": order_id})["milestones"]}
    assert milestones["complete"]["due_at"] == "2026-09-15T16:00:00+00:00"
    assert milestones["complete"]["rule_id"] == "SVC-30"
    assert milestones["dispatch"]["due_at"] == "2026-08-31T20:16:00+00:00"  # svc.sla's own, kept


def test_duty_input_is_checked(desk):
    r = api(desk, "post", "/service-duties", who="zhao", expect=422, **{**PEST, "work_order_type": "meter_install"},
            responsible_role="dept_manager")
    assert r["errors"]["json"]["work_order_type"] == ["unknown work-order type 'meter_install' (SVC-01)"]
    r = api(desk, "post", "/service-duties", who="zhao", expect=422, **{**PEST, "work_order_type": "repair"},
            responsible_role="dept_manager")
    assert "contact_name" in r["errors"]["json"]["work_order_type"][0]  # a repair needs data a duty lacks
    r = api(desk, "post", "/service-duties", who="zhao", expect=422, **PEST)
    assert "responsible_user_id" in r["errors"]["json"]
    r = api(desk, "post", "/service-duties", who="zhao", expect=422, **{**PEST, "period": "fortnight", "at_least": 0},
            responsible_role="dept_manager")
    assert set(r["errors"]["json"]) == {"period", "at_least"}
    r = api(desk, "post", "/service-duties", who="zhao", expect=422, **{**PEST, "kind": "survey"},
            responsible_role="dept_manager")
    assert "kind" in r["errors"]["json"]
    api(desk, "post", "/service-duties", who="wu", expect=403, **PEST, responsible_role="dept_manager")
    made = api(desk, "post", "/service-duties", who="zhao", expect=201, **PEST, responsible_role="dept_manager")
    r = api(desk, "post", "/service-duties", who="zhao", expect=422, **PEST, responsible_role="dept_manager")
    assert r["errors"]["json"]["code"] == ["a duty with this code exists"]
    r = api(desk, "patch", f"/service-duties/{made['id']}", who="zhao", expect=422, responsible_user_id=987654321)
    assert r["errors"]["json"]["responsible_user_id"] == ["not a user of this company"]
    r = api(desk, "patch", f"/service-duties/{made['id']}", who="zhao", expect=200, at_least=4)
    assert r["at_least"] == 4
    assert [d["code"] for d in api(desk, "get", "/service-duties?active=true", expect=200)] == ["pest_control"]


def test_orders_that_cannot_be_generated_are_a_decision_an_alert_and_a_missed_period(desk):
    duty = api(desk, "post", "/service-duties", who="zhao", expect=201, **PEST, responsible_user_id=desk.id("zhao"))
    # the tenant later requires a contact for maintenance orders: a duty cannot give one
    policy_since(desk.handle.id, "svc", {"required_fields": {"maintenance": ["contact"]}}, "2026-08-01")
    first, again = desk.twice("svc.duty_generation", "2026-09-01T00:16:00+08:00")
    assert (first["failed"], first["orders"]) == (1, 0) and again["failed"] == 1  # retried, quietly
    run = api(desk, "get", f"/service-duties/{duty['id']}")["runs"][0]
    assert run["state"] == "failed" and set(run["errors"]) == {"contact_name", "contact_phone"}
    assert [n.user_id for n in desk.notified("svc.duty_generation_failed")] == [desk.id("zhao")]
    assert len([d for d in duty_decisions(desk, duty["id"], "SVC-30") if d.outcome.get("generated") is False]) == 1
    result = desk.job("svc.missed_duties", "2026-10-01T00:22:00+08:00")
    assert result["missed"] == 1
    assert duty_decisions(desk, duty["id"], "SVC-30")[-1].outcome["text"] == "0 of 2"


def test_a_duty_switched_off_is_not_alerted(desk):
    duty = api(desk, "post", "/service-duties", who="zhao", expect=201, **PEST, responsible_role="dept_manager")
    desk.job("svc.duty_generation", "2026-09-01T00:16:00+08:00")
    api(desk, "patch", f"/service-duties/{duty['id']}", who="zhao", expect=200, active=False)
    result = desk.job("svc.missed_duties", "2026-10-01T00:22:00+08:00")
    assert (result["skipped"], result["missed"]) == (1, 0) and desk.notified("svc.missed_duty") == []


# ------------------------------------------------------------------------------------------ SVC-32


@pytest.fixture
def qian(desk, make_tenant):
    """The customer-service manager: owns the survey's corrective action (cus.survey.capa_role)."""
    return make_tenant.user(desk.handle, "qian", roles=["cs_manager"])[0]


def test_no_survey_in_2026_is_a_missed_duty_alert_on_2027_01_01(desk, qian):
    """SVC-32 (1) / PM-09 (2): svc.survey.every = 1 year (default); no survey recorded in 2026 by 12-31 →
    missed-duty alert 2027-01-01."""
    desk.job("svc.duty_generation", "2026-01-05T00:16:00+08:00")
    survey = [d for d in api(desk, "get", "/service-duties?kind=survey") if d["code"] == "customer_survey"]
    assert len(survey) == 1 and (survey[0]["period"], survey[0]["at_least"]) == ("year", 1)
    assert survey[0]["responsible_role"] == "cs_manager"
    assert desk.job("svc.missed_duties", "2026-12-31T23:50:00+08:00")["checked"] == 0
    first, again = desk.twice("svc.missed_duties", "2027-01-01T00:22:00+08:00")
    assert first["missed"] == 1 and again["checked"] == 0
    alert = duty_decisions(desk, survey[0]["id"], "SVC-32")[-1]
    assert (alert.outcome["period"], alert.outcome["text"]) == ("2026", "0 of 1")
    assert [(n.user_id, n.rule_id) for n in desk.notified("svc.missed_duty")] == [(qian, "SVC-32")]


def test_a_survey_answered_in_2026_meets_the_duty(desk, qian):
    """SVC-32: a CUS-64 survey round answered in the year counts (its results below the threshold open the
    corrective action there, CUS-64)."""
    desk.job("svc.duty_generation", "2026-01-05T00:16:00+08:00")
    survey = api(desk, "post", "/surveys", who="zhao", expect=201, name="2026年度满意度调查", method="phone",
                 items=[{"code": "service", "label": "服务态度"}])
    api(desk, "post", f"/surveys/{survey['id']}/responses", who="zhao", expect=201, scores={"service": 90},
        responded_at="2026-11-10T10:00:00+08:00")
    result = desk.job("svc.missed_duties", "2027-01-01T00:22:00+08:00")
    assert (result["met"], result["missed"]) == (1, 0) and desk.notified("svc.missed_duty") == []


def test_no_survey_duty_when_the_tenant_switches_it_off(desk):
    policy_since(desk.handle.id, "svc", {"survey": {"every": None}}, "2026-01-01")
    assert desk.job("svc.duty_generation", "2026-01-05T00:16:00+08:00")["seeded"] == 0
    assert api(desk, "get", "/service-duties") == []


# ------------------------------------------------------------------------------------------ SVC-31


def _photo(desk) -> int:
    """A photo taken on the round, uploaded to an inspection order first (SVC-31)."""
    import io

    from tests.core.attachments.files import png_bytes

    inspection = desk.order(type="inspection", data={}, customer_name=None)
    r = desk.client.post("/api/v1/attachments", headers=desk.headers("wu"), content_type="multipart/form-data", data={
        "file": (io.BytesIO(png_bytes()), "light.png"), "subject_type": "work_order",
        "subject_id": str(inspection["id"]), "kind": "photo"})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def test_corridor_light_3f_broken_opens_a_linked_repair_order(desk):
    """SVC-31 (1): checklist item "corridor light 3F broken" → repair order created with link."""
    policy_since(desk.handle.id, "svc", PM_REPAIR, "2026-01-01")
    photo = _photo(desk)
    bad = api(desk, "post", "/service-checklists", who="wu", expect=422, site="阳光花园1号楼",
              items=[{"label": "corridor light 3F broken", "result": "damaged", "photo_attachment_id": 999999}])
    assert "items.0.photo_attachment_id" in bad["errors"]["json"]
    checklist = api(desk, "post", "/service-checklists", who="wu", expect=201, site="阳光花园1号楼",
                    at="2026-09-14T09:00:00+08:00", title="每日巡查",
                    items=[{"label": "corridor light 3F broken", "result": "damaged", "photo_attachment_id": photo},
                           {"label": "fire door 3F", "result": "ok"}])
    assert checklist["damaged"] == 1 and checklist["inspector_id"] == desk.id("wu")
    broken, fine = checklist["items"]
    assert (broken["repair_state"], broken["photo_attachment_id"], broken["repair_errors"]) == ("opened", photo, {})
    assert fine["repair_state"] is None and fine["repair_order_id"] is None
    repair = desk.get({"id": broken["repair_order_id"]})
    assert (repair["type"], repair["channel"], repair["source_type"], repair["source_id"]) == \
        ("repair", "checklist", "checklist", checklist["id"])
    assert repair["number"] == broken["repair_order_number"] and repair["address"] == "阳光花园1号楼"
    assert repair["description"].startswith("corridor light 3F broken")
    assert repair["requested_at"] == "2026-09-14T01:00:00+00:00"
    assert "from_checklist" in [e["kind"] for e in repair["events"]]
    with tenant_scope(desk.handle.id):
        decision = db.session.get(Decision, (desk.handle.id, broken["decision_id"]))
        assert (decision.rule_id, decision.subject_type, decision.outcome["number"]) == \
            ("SVC-31", "service_checklist", repair["number"])
    listed = api(desk, "get", "/service-checklists?damaged=true", expect=200)
    assert [c["id"] for c in listed] == [checklist["id"]]


def test_a_repair_missing_required_data_waits_on_the_item_and_opens_later(desk):
    """SVC-31 with the default svc.required_fields of a repair (customer, contact, model, purchase date):
    the checklist is recorded, the damaged item kept repair_pending with the reasons; given the data,
    the repair opens."""
    template = api(desk, "post", "/service-checklist-templates", who="li", expect=201, code="b1_daily",
                   title="1号楼每日巡查", site="阳光花园1号楼",
                   items=[{"code": "light_3f", "label": "3F走廊灯"}, {"code": "pump", "label": "水泵房"}])
    r = api(desk, "post", "/service-checklists", who="wu", expect=422, template_id=template["id"],
            items=[{"code": "light_3f", "result": "ok"}, {"code": "lift", "result": "ok"}])
    assert set(r["errors"]["json"]) == {"items", "items.1.code"}
    checklist = api(desk, "post", "/service-checklists", who="wu", expect=201, template_id=template["id"],
                    at="2026-09-14T09:00:00+08:00",
                    items=[{"code": "light_3f", "result": "damaged", "note": "灯管损坏"},
                           {"code": "pump", "result": "ok"}])
    assert checklist["site"] == "阳光花园1号楼" and checklist["title"] == "1号楼每日巡查"
    item = checklist["items"][0]
    assert item["label"] == "3F走廊灯" and item["repair_state"] == "pending" and item["repair_order_id"] is None
    assert {"customer_name", "contact_phone", "data.model", "data.purchase_date"} <= set(item["repair_errors"])
    path = f"/service-checklists/{checklist['id']}/items"
    r = api(desk, "post", f"{path}/{item['id']}/repair", who="wu", expect=422, customer_name="阳光花园业委会")
    assert "data.model" in r["errors"]["json"]
    opened = api(desk, "post", f"{path}/{item['id']}/repair", who="wu", expect=201, customer_name="阳光花园业委会",
                 contact_name="吴师傅", contact_phone="13800138001",
                 data={"model": "T8 LED", "purchase_date": "2025-03-01"})
    assert opened["repair_state"] == "opened" and opened["repair_errors"] == {}
    repair = desk.get({"id": opened["repair_order_id"]})
    assert (repair["source_type"], repair["source_id"], repair["description"]) == \
        ("checklist", checklist["id"], "3F走廊灯：灯管损坏（1号楼每日巡查，阳光花园1号楼）")
    again = desk.client.post(f"/api/v1{path}/{item['id']}/repair", headers=desk.headers("wu"), json={})
    assert again.status_code == 409
    ok_item = checklist["items"][1]
    assert desk.client.post(f"/api/v1{path}/{ok_item['id']}/repair", headers=desk.headers("wu"),
                            json={}).status_code == 409
    # a retired template is not used any more
    api(desk, "patch", f"/service-checklist-templates/{template['id']}", who="li", expect=200, active=False)
    r = api(desk, "post", "/service-checklists", who="wu", expect=422, template_id=template["id"],
            items=[{"code": "light_3f", "result": "ok"}, {"code": "pump", "result": "ok"}])
    assert r["errors"]["json"]["template_id"] == ["the template is no longer in use"]
    assert desk.client.post("/api/v1/service-checklists", headers=desk.headers("fu"),
                            json={"site": "x", "items": [{"label": "x", "result": "ok"}]}).status_code == 403


def test_a_checklist_may_fulfil_an_inspection_duty_order(desk):
    """The daily round (a duty order of type inspection) and its checklist: the repair's parent is the round."""
    policy_since(desk.handle.id, "svc", PM_REPAIR, "2026-01-01")
    duty = api(desk, "post", "/service-duties", who="zhao", expect=201, code="rounds", title="日常巡查",
               work_order_type="inspection", at_least=1, period="day", site="阳光花园", responsible_role="supervisor",
               starts_on="2026-09-14")
    desk.job("svc.duty_generation", "2026-09-14T00:16:00+08:00")
    round_id = api(desk, "get", f"/service-duties/{duty['id']}")["runs"][0]["order_ids"][0]
    assert desk.get({"id": round_id})["data"] == {"scope": "阳光花园"}
    checklist = api(desk, "post", "/service-checklists", who="wu", expect=201, site="阳光花园", order_id=round_id,
                    at="2026-09-14T09:00:00+08:00", items=[{"label": "2F消防栓漏水", "result": "damaged"}])
    assert desk.get({"id": checklist["items"][0]["repair_order_id"]})["parent_id"] == round_id
    r = api(desk, "post", "/service-checklists", who="wu", expect=422, site="阳光花园", order_id=987654321,
            items=[{"label": "x", "result": "ok"}])
    assert r["errors"]["json"]["order_id"] == ["not a work order of this company"]


def test_a_preset_duty_of_a_type_the_company_lacks_fails_loudly_and_can_be_switched_off(desk):
    policy_since(desk.handle.id, "svc", {"duties": [{"code": "readings", "title": "抄表", "at_least": 1,
                                                     "period": "month", "work_order_type": "meter_reading"}],
                                         "survey": {"every": None}}, "2026-01-01")
    result = desk.job("svc.duty_generation", "2026-09-01T00:16:00+08:00")
    assert (result["seeded"], result["failed"]) == (1, 1)
    seeded = api(desk, "get", "/service-duties", expect=200)
    assert [(d["code"], d["source"], d["responsible_role"], d["starts_on"]) for d in seeded] == [
        ("readings", "policy", "dept_manager", "2026-09-01")]
    assert api(desk, "post", "/service-duties/seed", who="zhao", expect=200) == []  # already in the table
    api(desk, "post", "/service-duties/seed", who="wu", expect=403)
    assert [n.user_id for n in desk.notified("svc.duty_generation_failed")] == [desk.id("zhao")]
    duty_id = seeded[0]["id"]
    api(desk, "patch", f"/service-duties/{duty_id}", who="zhao", expect=422, at_least=3)  # still unknown type
    assert api(desk, "patch", f"/service-duties/{duty_id}", who="zhao", expect=200, active=False)["active"] is False
    assert desk.job("svc.missed_duties", "2026-10-01T00:22:00+08:00")["skipped"] == 1
