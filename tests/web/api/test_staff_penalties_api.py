"""Staff penalties through the API and the jobs, with the spec's vectors and dates: catalog and approval
(STF-02, STF-23), points and supervisor liability (STF-03), doubling (STF-10), the correction loop
(STF-11), HR flags from complaint counters (STF-12, CMP-73), ladders (STF-13), unit liability (STF-14)."""
import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from core.accounts.models import Department, User
from core.audit.recorder import acting_as
from core.complaints.models import Complaint
from core.complaints.service import create_complaint
from core.db import db
from core.staff.models import StaffEntry
from core.tenancy import tenant_scope
from tests.helpers import policy_since
from workers.runtime import execute

CATALOG = {
    "attitude_reasonable": {"min": 50, "max": 100, "label_zh": "服务态度（合理投诉）"},
    "late_handover": {"amount": 50, "family": "archive", "approver": "resource_director"},
    "missing_signature": {"amount": 20, "family": "archive", "approver": "resource_director"},
    "processing_defect": {"amount": 200},
    "doors_left_open": {"amount": 50, "when_unidentified": "head"},
    "safety_breach": {"tiers": {"no_hazard": {"min": 200, "max": 500}, "serious": {"flag": "dismissal_review"}},
                      "approver": "dept_manager"},
}


@dataclass
class Office:
    a: object
    ids: dict
    tokens: dict
    departments: dict

    def h(self, who="boss"):
        return self.a.headers(self.tokens[who])


def build(make_tenant, slug, stf: dict, users=None) -> Office:
    a = make_tenant(slug, "奖惩公司")
    policy_since(a.id, "stf", stf, "2026-01-01")
    ids, tokens = {}, {}
    users = users or {"wang": ["salesperson"], "li": ["salesperson"], "boss": ["dept_manager"],
                      "zhao": ["supervisor"], "director": ["resource_director"], "store": ["dept_manager"]}
    for username, roles in users.items():
        ids[username], tokens[username] = make_tenant.user(a, username, roles=roles)
    with tenant_scope(a.id), acting_as("test"):
        shop = Department(name="门店", head_user_id=ids.get("store"))
        factory = Department(name="加工厂")
        group = Department(name="车队一组", head_user_id=ids.get("zhao"))
        db.session.add_all([shop, factory, group])
        db.session.flush()
        for user in db.session.scalars(select(User)):
            if user.id in (ids.get("wang"), ids.get("li")):
                user.department_id = shop.id
        departments = {"shop": shop.id, "factory": factory.id, "group": group.id}
        db.session.commit()
    db.session.rollback()
    return Office(a, ids, tokens, departments)


@pytest.fixture
def office(make_tenant):
    return build(make_tenant, "stf-pen", {"catalog": CATALOG})


def propose(client, office, offence, when, who="wang", **extra):
    body = {"offence": offence, "occurred_at": when, **extra}
    if who is not None:
        body["user_id"] = office.ids[who]
    r = client.post("/api/v1/staff/penalties", headers=office.h(), json=body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def job(office, name, as_of, run=1):
    db.session.rollback()
    return execute(office.a.id, name, {"as_of": as_of}, dedupe_key=f"{name}@{as_of}#{run}")


def entries(client, office, **query):
    return client.get("/api/v1/staff/entries", headers=office.h(), query_string=query).get_json()


def test_stf02_range_proposal_approver_sets_within_range_and_stf23_approves(client, office):
    fine = propose(client, office, "attitude_reasonable", "2026-09-29T10:00:00+08:00")[0]
    assert (fine["amount"], fine["state"], fine["rule_id"]) == ("50.00", "proposed", "STF-02")
    assert fine["facts"]["pricing"]["range"] == ["50.00", "100.00"] and "下限" in fine["reason_zh"]
    url = f"/api/v1/staff/penalties/{fine['id']}"
    # not the approver (dept_manager): 403; out of range: 422; nothing changes
    assert client.post(f"{url}/amount", headers=office.h("zhao"), json={"amount": "80", "reason": "x"}).status_code == 403
    r = client.post(f"{url}/amount", headers=office.h(), json={"amount": "120", "reason": "情节较重"})
    assert r.status_code == 422 and "amount" in r.get_json()["errors"]["json"]
    assert client.post(f"{url}/amount", headers=office.h(), json={"amount": "80"}).status_code == 422  # no reason
    r = client.post(f"{url}/amount", headers=office.h(), json={"amount": "80", "reason": "态度恶劣，客户二次投诉"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["amount"] == "80.00" and r.get_json()["facts"]["proposed_amount"] == "50.00"
    why = client.get(f"/api/v1/decisions/{r.get_json()['decision_id']}", headers=office.h()).get_json()
    assert why["rule_id"] == "STF-02" and why["decided_by"] == office.ids["boss"] and "态度恶劣" in why["reason_zh"]
    r = client.post(f"{url}/approve", headers=office.h(), json={})
    assert r.status_code == 200 and (r.get_json()["state"], r.get_json()["amount"]) == ("approved", "80.00")
    assert r.get_json()["payroll_month"] == "2026-09"
    assert client.post(f"{url}/approve", headers=office.h(), json={}).status_code == 409
    assert client.post(f"{url}/amount", headers=office.h(), json={"amount": "90", "reason": "x"}).status_code == 409
    totals = client.get(f"/api/v1/staff/totals?user_id={office.ids['wang']}&month=2026-09", headers=office.h())
    assert totals.get_json()["penalty_yuan"] == "80.00"


def test_stf23_archive_fine_approved_only_by_the_resource_director(client, office):
    fine = propose(client, office, "late_handover", "2026-09-10T10:00:00+08:00")[0]
    url = f"/api/v1/staff/penalties/{fine['id']}/approve"
    r = client.post(url, headers=office.h("zhao"), json={})
    assert r.status_code == 403 and "resource_director" in r.get_json()["message"]
    assert client.post(url, headers=office.h("boss"), json={}).status_code == 403
    # a fixed amount cannot be set, even by the approver
    assert client.post(f"/api/v1/staff/penalties/{fine['id']}/amount", headers=office.h("director"),
                       json={"amount": "60", "reason": "x"}).status_code == 422
    r = client.post(url, headers=office.h("director"), json={})
    assert r.status_code == 200 and r.get_json()["state"] == "approved"
    assert client.get("/api/v1/decisions", headers=office.h(),
                      query_string={"subject_type": "staff_entry", "subject_id": fine["id"], "rule_id": "STF-23"}
                      ).get_json()[0]["decided_by"] == office.ids["director"]


def test_stf02_unknown_offence_outcome_and_missing_person(client, office):
    h = office.h()
    r = client.post("/api/v1/staff/penalties", headers=h, json={"offence": "smoking", "user_id": office.ids["wang"]})
    assert r.status_code == 422 and "offence" in r.get_json()["errors"]["json"]
    r = client.post("/api/v1/staff/penalties", headers=h, json={"offence": "attitude_reasonable"})
    assert r.status_code == 422 and "user_id" in r.get_json()["errors"]["json"]
    r = client.post("/api/v1/staff/penalties", headers=office.h("wang"), json={
        "offence": "attitude_reasonable", "user_id": office.ids["li"]})
    assert r.status_code == 403
    assert entries(client, office) == []


def test_stf02_tiers_by_outcome_and_nobody_approves_their_own_penalty(client, office):
    r = client.post("/api/v1/staff/penalties", headers=office.h(), json={
        "offence": "safety_breach", "user_id": office.ids["wang"], "occurred_at": "2026-09-15T11:00:00+08:00"})
    assert r.status_code == 422 and "outcome" in r.get_json()["errors"]["json"]
    serious = propose(client, office, "safety_breach", "2026-09-15T11:00:00+08:00", outcome="serious")[0]
    assert (serious["kind"], serious["label"], serious["amount"]) == ("flag", "dismissal_review", "0.00")
    hazard = propose(client, office, "safety_breach", "2026-09-15T11:00:00+08:00", who="boss", outcome="no_hazard")[0]
    assert hazard["facts"]["pricing"]["range"] == ["200.00", "500.00"] and hazard["amount"] == "200.00"
    r = client.post(f"/api/v1/staff/penalties/{hazard['id']}/approve", headers=office.h(), json={})
    assert r.status_code == 403 and r.get_json()["rule_id"] == "STF-23"


def test_stf10_salesperson_september_then_october(client, office):
    sept = [propose(client, office, offence, when) for offence, when in (
        ("late_handover", "2026-09-10T10:00:00+08:00"), ("late_handover", "2026-09-22T10:00:00+08:00"),
        ("missing_signature", "2026-09-28T10:00:00+08:00"))]
    main = [written[0] for written in sept]
    assert [(e["amount"], e["multiplier"], e["sequence_in_month"]) for e in main] == [
        ("50.00", 1, 1), ("100.00", 2, 2), ("40.00", 2, 3)]
    assert main[1]["rule_id"] == "STF-10" and main[1]["base_amount"] == "50.00" and "STF-10" in main[1]["reason_en"]
    # the threshold reached on 09-22: the 10–30% performance-pay deduction is proposed, once
    perf = [e for written in sept for e in written[1:]]
    assert [(e["kind"], e["label"], e["facts"]["percent_range"]) for e in perf] == [
        ("flag", "perf_pay_deduction", ["10", "30"])]
    october = propose(client, office, "late_handover", "2026-10-08T10:00:00+08:00")
    assert (october[0]["amount"], october[0]["sequence_in_month"], len(october)) == ("50.00", 1, 1)


def test_stf10_service_advisor_from_the_third(client, office):
    amounts = [propose(client, office, "late_handover", f"2026-09-{day:02d}T10:00:00+08:00", who="li",
                       role="service_advisor")[0]["amount"] for day in (7, 8, 9, 10)]
    assert amounts == ["50.00", "50.00", "100.00", "100.00"]


def test_stf10_a_revoked_penalty_does_not_count(client, office):
    first = propose(client, office, "late_handover", "2026-09-10T10:00:00+08:00")[0]
    r = client.post(f"/api/v1/staff/entries/{first['id']}/reverse", headers=office.h(),
                    json={"reason_zh": "申诉成立", "reason_en": "appeal upheld"})
    assert r.status_code == 409  # a proposal counts for nothing yet: it is withdrawn, not reversed
    r = client.post(f"/api/v1/staff/entries/{first['id']}/revoke", headers=office.h(), json={"reason": "记录有误"})
    assert r.status_code == 200 and r.get_json()["state"] == "revoked"
    assert propose(client, office, "late_handover", "2026-09-22T10:00:00+08:00")[0]["amount"] == "50.00"


def test_stf03_points_and_double_for_the_store_manager(client, make_tenant):
    office = build(make_tenant, "stf-retail", {"points": {"item": 3, "absence": 10, "supervisor_multiplier": 2}})
    log = propose(client, office, "work_log_missing", "2026-09-28T17:31:00+08:00")[0]
    assert (log["unit"], log["amount"], log["rule_id"]) == ("points", "3.00", "STF-03")
    url = f"/api/v1/staff/penalties/{log['id']}/supervisor"
    r = client.post(url, headers=office.h(), json={"reason": "未检查工作日志"})
    assert r.status_code == 201, r.get_json()
    manager = r.get_json()
    assert (manager["user_id"], manager["unit"], manager["amount"], manager["rule_id"]) == (
        office.ids["store"], "points", "6.00", "STF-03")
    assert client.post(url, headers=office.h(), json={}).status_code == 409
    absent = propose(client, office, "absence_from_post", "2026-09-28T15:00:00+08:00")[0]
    assert absent["amount"] == "10.00"
    r = client.post(f"/api/v1/staff/penalties/{absent['id']}/supervisor", headers=office.h(),
                    json={"supervisor_id": office.ids["wang"]})
    assert r.status_code == 422  # the employee is not their own supervisor


def test_stf14_nobody_identified_unit_or_group_leader(client, office):
    defect = propose(client, office, "processing_defect", "2026-09-15T11:00:00+08:00", who=None,
                     department_id=office.departments["factory"])[0]
    assert (defect["user_id"], defect["department_id"], defect["rule_id"], defect["amount"]) == (
        None, office.departments["factory"], "STF-14", "200.00")
    assert defect["facts"]["nobody_identified"] is True and "STF-14" in defect["reason_zh"]
    doors = propose(client, office, "doors_left_open", "2026-09-15T11:00:00+08:00", who=None,
                    department_id=office.departments["group"])[0]
    assert (doors["user_id"], doors["facts"]["liable"]) == (office.ids["zhao"], "head")


CAR = {"ladders": {"late_arrival": {"steps": [{"nth": 1, "amount": 20}, {"nth": 2, "amount": 40, "cash_same_day": True},
                                              {"nth": 3, "flag": "dismissal_review"}]}}}
PRE16 = {"ladders": {"late_arrival": {"unit": "points", "steps": [{"nth": 1, "amount": 0}, {"nth": 2, "amount": 2}],
                                      "extras": [{"at": 3, "amount": 5}],
                                      "reclassify": [{"offence": "absenteeism", "late_from": "30 minutes",
                                                      "late_to": "3 hours"}]}},
         "catalog": {"absenteeism": {"amount": 10, "unit": "points"}}}


def test_stf13_car_lateness_ladder(client, make_tenant):
    office = build(make_tenant, "stf-car", CAR)
    written = [propose(client, office, "late_arrival", f"2026-09-{d}T08:40:00+08:00") for d in ("03", "15", "24")]
    main = [w[0] for w in written]
    assert [(e["kind"], e["amount"], e["label"]) for e in main] == [
        ("penalty", "20.00", None), ("penalty", "40.00", None), ("flag", "0.00", "dismissal_review")]
    assert [e["pay_in_cash_by"] for e in main] == [None, "2026-09-15T16:00:00+00:00", None]  # 09-15 24:00
    assert {e["rule_id"] for e in main} == {"STF-13"}


def test_stf13_pre16_points_ladder_and_absenteeism(client, make_tenant):
    office = build(make_tenant, "stf-pre16", PRE16)
    written = [e for d in ("02", "09", "16") for e in propose(client, office, "late_arrival",
                                                              f"2026-09-{d}T09:10:00+08:00", minutes_late=10)]
    assert [(e["unit"], e["amount"]) for e in written] == [("points", "0.00"), ("points", "2.00"), ("points", "2.00"),
                                                            ("points", "5.00")]
    assert sum(float(e["amount"]) for e in written) == 9
    absent = propose(client, office, "late_arrival", "2026-09-21T09:45:00+08:00", minutes_late=45)
    assert [(e["offence"], e["facts"]["reclassified_from"]) for e in absent] == [("absenteeism", "late_arrival")]
    # the absenteeism is not a 4th late arrival
    fourth = propose(client, office, "late_arrival", "2026-09-22T09:05:00+08:00", minutes_late=5)
    assert [(e["sequence_in_month"], e["amount"]) for e in fourth] == [(4, "2.00")]


def test_stf11_correction_loop_across_national_day(client, office):
    fine = propose(client, office, "missing_signature", "2026-09-29T10:00:00+08:00")[0]
    assert fine["amount"] == "20.00"
    r = client.post(f"/api/v1/staff/penalties/{fine['id']}/correction", headers=office.h(),
                    json={"ordered_at": "2026-09-29T10:00:00+08:00"})
    assert r.status_code == 201, r.get_json()
    order = r.get_json()
    assert order["next_check_at"] == "2026-09-30T16:00:00+00:00" and order["within"] == "1 working_days"
    assert client.post(f"/api/v1/staff/penalties/{fine['id']}/correction", headers=office.h(), json={}).status_code == 409
    job(office, "stf.correction_loop", "2026-09-30T23:59:00+08:00")
    assert len(entries(client, office, offence="missing_signature", kind="penalty")) == 1  # the limit has not ended
    for run in (1, 2):
        job(office, "stf.correction_loop", "2026-10-01T00:08:00+08:00", run)
    repeats = entries(client, office, offence="missing_signature", kind="penalty")
    assert [(e["occurred_at"], e["amount"], e["payroll_month"], e["rule_id"]) for e in repeats] == [
        ("2026-09-29T02:00:00+00:00", "20.00", "2026-09", "STF-02"),
        ("2026-09-30T15:59:59+00:00", "40.00", "2026-09", "STF-11")]  # 09-30, the 2nd in September
    for run in (1, 2):
        job(office, "stf.correction_loop", "2026-10-09T00:08:00+08:00", run)
    r = client.post(f"/api/v1/staff/corrections/{order['id']}/corrected", headers=office.h(),
                    json={"corrected_at": "2026-10-09T11:00:00+08:00"})
    assert r.status_code == 200 and (r.get_json()["state"], r.get_json()["repeats"]) == ("corrected", 2)
    assert client.post(f"/api/v1/staff/corrections/{order['id']}/corrected", headers=office.h(),
                       json={}).status_code == 409
    job(office, "stf.correction_loop", "2026-10-10T00:08:00+08:00")
    found = entries(client, office, offence="missing_signature", kind="penalty")
    assert [(e["occurred_at"][:10], e["amount"], e["sequence_in_month"]) for e in found] == [
        ("2026-09-29", "20.00", 1), ("2026-09-30", "40.00", 2), ("2026-10-08", "20.00", 1)]  # 10-08 16:00Z+8 = 10-08
    assert sum(float(e["amount"]) for e in found) == 80


def test_stf11_a_correction_recorded_late_withdraws_the_repeats_after_it(client, office):
    fine = propose(client, office, "missing_signature", "2026-09-29T10:00:00+08:00")[0]
    order = client.post(f"/api/v1/staff/penalties/{fine['id']}/correction", headers=office.h(),
                        json={"ordered_at": "2026-09-29T10:00:00+08:00"}).get_json()
    job(office, "stf.correction_loop", "2026-10-12T00:08:00+08:00")  # limits through 09-30, 10-08, 10-09, 10-10
    assert [e["amount"] for e in entries(client, office, offence="missing_signature", kind="penalty")] == [
        "20.00", "40.00", "20.00", "40.00", "40.00"]
    r = client.post(f"/api/v1/staff/corrections/{order['id']}/corrected", headers=office.h(),
                    json={"corrected_at": "2026-10-09T11:00:00+08:00"})
    assert r.status_code == 200, r.get_json()
    found = entries(client, office, offence="missing_signature", kind="penalty")
    assert [(e["amount"], e["state"]) for e in found] == [
        ("20.00", "proposed"), ("40.00", "proposed"), ("20.00", "proposed"), ("40.00", "revoked"), ("40.00", "revoked")]
    counting = [e for e in found if e["state"] != "revoked"]
    assert sum(float(e["amount"]) for e in counting) == 80
    mine = client.get("/api/v1/staff/corrections", headers=office.h("wang")).get_json()
    assert [c["id"] for c in mine] == [order["id"]]
    assert client.get("/api/v1/staff/corrections", headers=office.h("li")).get_json() == []
    assert client.get(f"/api/v1/staff/corrections/{order['id']}", headers=office.h("li")).status_code == 403


ZHOU_FLAG = {"counter": "complaints", "window": "6 months", "threshold": 3, "label": "demotion_or_dismissal_review"}


def complain(office, user, when, finding="general_error", category="staff_attitude"):
    with tenant_scope(office.a.id), acting_as("test"):
        case = create_complaint({"channel": "phone", "content": "态度差", "accused_user_id": user, "category": category,
                                 "received_at": dt.datetime.fromisoformat(when)}, by=None)
        case.finding = finding
        db.session.commit()
        return case.id


@pytest.mark.parametrize("inclusive, flagged", [(True, True), (False, False)])
def test_cmp73_three_verified_complaints_in_six_months_flag_zhou(client, make_tenant, inclusive, flagged):
    office = build(make_tenant, f"stf-zhou-{inclusive}".lower(), {"flags": [{**ZHOU_FLAG, "inclusive": inclusive}]},
                   users={"zhou": ["salesperson"], "boss": ["dept_manager"]})
    zhou = office.ids["zhou"]
    for when in ("2026-01-05T10:00:00+08:00", "2026-03-20T10:00:00+08:00", "2026-06-30T10:00:00+08:00"):
        complain(office, zhou, when)
    complain(office, zhou, "2026-06-10T10:00:00+08:00", finding="customer_side")  # not verified: does not count
    for run in (1, 2):
        job(office, "cmp.employee_counters", "2026-07-01T01:30:00+08:00", run)
        job(office, "stf.flags", "2026-07-01T01:40:00+08:00", run)
    found = entries(client, office, user_id=zhou, kind="flag")
    if flagged:
        assert [(e["occurred_at"], e["label"], e["rule_id"], e["facts"]["count"]) for e in found] == [
            ("2026-06-30T02:00:00+00:00", "demotion_or_dismissal_review", "CMP-73", 3)]
        assert found[0]["subject_type"] == "complaint"
    else:
        assert found == []
    counters = client.get(f"/api/v1/staff/counters?user_id={zhou}&at=2026-07-01T02:00:00%2B08:00",
                          headers=office.h()).get_json()
    assert [(c["counter"], c["count"], c["reached"]) for c in counters] == [
        ("complaints", 0 if flagged else 3, False)]


def test_cmp73_a_finding_recorded_months_later_still_raises_the_flag(client, make_tenant):
    """Zhou's third complaint (2026-06-30) is verified only in September: the nightly job of 09-16 flags it
    at its received time, 06-30 (the counters look back past the jobs' usual 62 days for complaints)."""
    office = build(make_tenant, "stf-zhou-late", {"flags": [ZHOU_FLAG]},
                   users={"zhou": ["salesperson"], "boss": ["dept_manager"]})
    zhou = office.ids["zhou"]
    for when in ("2026-01-05T10:00:00+08:00", "2026-03-20T10:00:00+08:00"):
        complain(office, zhou, when)
    third = complain(office, zhou, "2026-06-30T10:00:00+08:00", finding=None)
    job(office, "cmp.employee_counters", "2026-07-01T01:30:00+08:00")
    assert entries(client, office, user_id=zhou, kind="flag") == []
    with tenant_scope(office.a.id):
        db.session.get(Complaint, (office.a.id, third)).finding = "general_error"  # verified on 09-15
        db.session.commit()
    job(office, "cmp.employee_counters", "2026-09-16T01:30:00+08:00")
    found = entries(client, office, user_id=zhou, kind="flag")
    assert [(e["occurred_at"], e["rule_id"]) for e in found] == [("2026-06-30T02:00:00+00:00", "CMP-73")]


def test_cmp73_verified_only_false_counts_every_complaint(client, make_tenant):
    office = build(make_tenant, "stf-all-complaints", {"flags": [ZHOU_FLAG]},
                   users={"zhou": ["salesperson"], "boss": ["dept_manager"]})
    policy_since(office.a.id, "cmp", {"counters": {"verified_only": False}}, "2026-01-01")
    for when in ("2026-01-05T10:00:00+08:00", "2026-03-20T10:00:00+08:00", "2026-06-30T10:00:00+08:00"):
        complain(office, office.ids["zhou"], when, finding=None)
    job(office, "cmp.employee_counters", "2026-07-01T01:30:00+08:00")
    assert len(entries(client, office, user_id=office.ids["zhou"], kind="flag")) == 1


def test_stf12_ledger_counter_flags_the_third_late_arrival_by_the_nightly_job(client, make_tenant):
    rule = {"counter": "offence:quota_shortfall", "window": "calendar_month", "threshold": 5, "inclusive": False,
            "label": "dismissal_review"}
    office = build(make_tenant, "stf-quota", {"flags": [rule], "catalog": {"quota_shortfall": {"amount": 50}}})
    for day in range(1, 7):
        propose(client, office, "quota_shortfall", f"2026-09-{day:02d}T23:00:00+08:00")
    for run in (1, 2):
        job(office, "stf.flags", "2026-09-07T01:40:00+08:00", run)
    flags = entries(client, office, kind="flag")
    assert [(e["occurred_at"][:10], e["label"], e["rule_id"], e["facts"]["count"]) for e in flags] == [
        ("2026-09-06", "dismissal_review", "STF-12", 6)]  # more than 5: the 6th


def test_catalog_endpoint_shows_the_sections_in_force(client, office):
    r = client.get("/api/v1/staff/catalog?at=2026-09-01", headers=office.h("wang"))
    body = r.get_json()
    assert r.status_code == 200 and body["version"] == 1
    assert body["catalog"]["attitude_reasonable"]["min"] == "50.00"
    assert body["doubling"] == {"archive": {"salesperson": 2, "service_advisor": 3}, "perf_pay_deduction": "10%..30%"}
    assert body["correction"] == {"within": "1 working_days"}
    with tenant_scope(office.a.id):
        assert db.session.scalars(select(StaffEntry)).first() is None and \
            db.session.scalars(select(Complaint)).first() is None
