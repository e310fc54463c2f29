"""Return visits after resolution through the API and the jobs (CMP-60..63): the spec's vectors with
their dates, the seniority and accused checks (409), visit modes (422), issues and their escalation,
and every job run twice with one effect."""
import pytest
from sqlalchemy import func, select

from core.complaints import return_visits
from core.complaints.models import Complaint
from core.db import db
from core.decisions import service as decisions
from core.decisions.models import Decision
from core.notifications.models import Notification
from core.tenancy import tenant_scope
from tests.web.api.aftercare_office import build_office

RATED = {"attitude": 5, "skill": 4, "outcome": 5}


@pytest.fixture
def office(make_tenant):
    return build_office(make_tenant, "rv")


def plan(client, office, complaint_id):
    r = client.get(f"/api/v1/complaints/{complaint_id}/return-visits", headers=office.h())
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_cmp60_june_sampling_to_the_rate_due_dates_and_cmp61_exemptions(client, office):
    order = [("G1", "general"), ("A", "general"), ("G2", "general"), ("I1", "important"), ("G3", "general"),
             ("M1", "major"), ("G4", "general"), ("W", "general"), ("G5", "general"), ("G6", "general"),
             ("I2", "important"), ("G7", "general")]
    cases = {}
    for n, (name, severity) in enumerate(order):
        body = {"received_at": f"2026-06-{10 + n:02d}T09:00:00+08:00", "severity": severity}
        if name == "A":
            body["anonymous"] = True  # CMP-61: no visit, out of the denominator
        cases[name] = office.complain(client, **body)["id"]
    # CMP-61: a superior authority asked only for a written reply: flagged before resolution
    r = client.put(f"/api/v1/complaints/{cases['W']}/return-visit-exemption", headers=office.h("sup"),
                   json={"written_reply_only": True, "reply_letter": "复函：已整改"})
    assert r.status_code == 200 and r.get_json()["selection"]["outcome"] is None
    assert client.put(f"/api/v1/complaints/{cases['W']}/return-visit-exemption", headers=office.h("agent"),
                      json={"written_reply_only": True}).status_code == 403
    office.resolve(cases["G1"], "2026-06-16T15:00:00+08:00")  # Tue; Fri 06-19 is the Dragon Boat holiday
    for n, (name, _severity) in enumerate(order[1:], start=1):
        office.resolve(cases[name], f"2026-06-{16 + n:02d}T10:00:00+08:00")
    # 06-20 00:31: G1, A, G2 and I1 are resolved; G1's visit was due through 06-19 → overdue alert
    first = office.job("cmp.return_visits", "2026-06-20T00:31:00+08:00")
    assert (first["selected"], first["not_selected"], first["exempt"], first["overdue_alerts"]) == (2, 1, 1, 1)
    second = office.job("cmp.return_visits", "2026-06-30T00:31:00+08:00")
    assert (second["selected"], second["not_selected"], second["exempt"], second["overdue_alerts"]) == (3, 4, 1, 4)
    again = office.job("cmp.return_visits", "2026-06-30T00:31:00+08:00", run=2)
    assert (again["selected"], again["not_selected"], again["exempt"], again["overdue_alerts"]) == (0, 0, 0, 0)
    plans = {name: plan(client, office, cid) for name, cid in cases.items()}
    visited = [name for name, _s in order if plans[name]["visits"]]
    assert visited == ["G1", "I1", "M1", "G5", "I2"]  # 5/10 = 50%
    assert plans["A"]["selection"]["outcome"] == "exempt" and plans["A"]["selection"]["reason"] == "anonymous"
    assert plans["W"]["selection"]["reason"] == "written_reply_only"
    assert plans["W"]["selection"]["reply_letter"] == "复函：已整改"
    assert (plans["G5"]["selection"]["visited_before"], plans["G5"]["selection"]["resolved_count"]) == (3, 7)
    g1 = plans["G1"]["visits"][0]
    assert g1["due_at"] == "2026-06-19T16:00:00+00:00"  # through Fri 2026-06-19, calendar days
    assert (g1["number"], g1["visitor_roles"], g1["visitor_id"]) == (1, ["cs_agent"], office.ids["agent"])
    assert plans["I1"]["visits"][0]["visitor_id"] == office.ids["sup"]  # supervisor level: the CS supervisor
    assert plans["M1"]["visits"][0]["visitor_roles"] == ["company_manager"]
    assert plans["M1"]["visits"][0]["visitor_id"] == office.ids["boss"]
    # once decided, the flag cannot change the month's count any more
    r = client.put(f"/api/v1/complaints/{cases['G2']}/return-visit-exemption", headers=office.h("sup"),
                   json={"written_reply_only": True})
    assert r.status_code == 409
    with tenant_scope(office.handle.id):
        reasons = [d.reason_en for d in db.session.scalars(select(Decision).where(
            Decision.subject_type == "complaint", Decision.subject_id == cases["G5"], Decision.rule_id == "CMP-60"))]
        assert len(reasons) == 1 and "3/7" in reasons[0] and "through 2026-06-27" in reasons[0]
        # G1's overdue alert went to its visitor and the head of her department, once each
        assert count(Notification, Notification.kind == "cmp.return_visit_overdue",
                     Notification.subject_id == cases["G1"]) == 2
    # CMP-80: the reports' return-visit rate: 10 eligible (A and W exempt), none visited yet; then G1's
    june = {"date_from": "2026-06-01", "date_to": "2026-06-30", "basis": "received"}
    report = client.get("/api/v1/complaint-reports/statistics", headers=office.h("boss"), query_string=june)
    assert report.status_code == 200, report.get_json()
    assert report.get_json()["return_visits"] == {"eligible": 10, "visited": 0, "rate": 0.0}
    r = client.post(f"/api/v1/complaints/return-visits/{g1['id']}/record", headers=office.h("agent"), json={
        "mode": "on_site", "customer_signed": True, "ratings": RATED, "visited_at": "2026-06-18T10:00:00+08:00"})
    assert r.status_code == 200, r.get_json()
    report = client.get("/api/v1/complaint-reports/statistics", headers=office.h("boss"), query_string=june)
    assert report.get_json()["return_visits"] == {"eligible": 10, "visited": 1, "rate": 0.1}


def test_on_resolution_decides_at_once_in_order(client, office):
    first = office.complain(client, received_at="2026-07-01T09:00:00+08:00")["id"]
    second = office.complain(client, received_at="2026-07-01T10:00:00+08:00")["id"]
    office.resolve(first, "2026-07-02T10:00:00+08:00")
    office.resolve(second, "2026-07-03T10:00:00+08:00")
    with tenant_scope(office.handle.id):
        case = db.session.scalars(select(Complaint).where(Complaint.id == second)).one()
        row = return_visits.on_resolution(case)
        assert (row.outcome, row.visited_before, row.resolved_count) == ("not_selected", 1, 2)
        db.session.commit()
    assert plan(client, office, first)["selection"]["outcome"] == "selected"  # decided first, in order
    # the sweep judges resolutions since the start of the previous month only
    old = office.complain(client, received_at="2026-04-01T09:00:00+08:00")["id"]
    office.resolve(old, "2026-04-30T10:00:00+08:00")
    assert office.job("cmp.return_visits", "2026-06-01T00:31:00+08:00")["selected"] == 0
    assert office.job("cmp.return_visits", "2026-05-31T00:31:00+08:00")["selected"] == 1


def test_cmp60_seniority_and_cmp21_accused_never_visits(client, office):
    major = office.complain(client, received_at="2026-06-10T09:00:00+08:00", severity="major",
                            accused_user_id=office.ids["vp"])["id"]
    office.resolve(major, "2026-06-16T15:00:00+08:00")
    office.job("cmp.return_visits", "2026-06-17T00:31:00+08:00")
    visit = plan(client, office, major)["visits"][0]
    assert visit["visitor_id"] == office.ids["boss"]  # the accused vice president is passed over
    url = f"/api/v1/complaints/return-visits/{visit['id']}/visitor"
    r = client.put(url, headers=office.h("sup"), json={"visitor_id": office.ids["agent"]})
    assert r.status_code == 409 and r.get_json()["rule_id"] == "CMP-60"
    r = client.put(url, headers=office.h("sup"), json={"visitor_id": office.ids["dm1"]})
    assert r.status_code == 409  # a department manager is not the company's management
    r = client.put(url, headers=office.h("sup"), json={"visitor_id": office.ids["vp"]})
    assert r.status_code == 409 and r.get_json()["rule_id"] == "CMP-21"
    assert client.put(url, headers=office.h("agent"), json={"visitor_id": office.ids["boss"]}).status_code == 403
    assert client.put(url, headers=office.h("sup"), json={"visitor_id": 999999999}).status_code == 422
    r = client.put(url, headers=office.h("sup"), json={"visitor_id": office.ids["boss"]})
    assert r.status_code == 200 and r.get_json()["visitor_id"] == office.ids["boss"]
    with tenant_scope(office.handle.id):  # the case's selection stays the current answer to "why?"
        assert "CMP-60" in {d.rule_id for d in decisions.current_for("complaint", major)}
    # the accused cannot record the visit as its visitor either; nothing is written then
    r = client.post(f"/api/v1/complaints/return-visits/{visit['id']}/record", headers=office.h("vp"), json={
        "mode": "on_site", "customer_signed": True, "ratings": RATED, "visitor_id": office.ids["vp"],
        "visited_at": "2026-06-18T10:00:00+08:00"})
    assert r.status_code == 404  # the accused never sees the case (CMP-21)
    assert plan(client, office, major)["visits"][0]["state"] == "planned"


def test_cmp62_modes_follow_ups_and_cmp63_issues(client, office):
    important = office.complain(client, received_at="2026-09-21T09:00:00+08:00", severity="important")["id"]
    office.resolve(important, "2026-09-29T10:00:00+08:00")
    office.job("cmp.return_visits", "2026-09-30T00:31:00+08:00")
    first = plan(client, office, important)["visits"][0]
    record = f"/api/v1/complaints/return-visits/{first['id']}/record"
    r = client.post(record, headers=office.h("sup"), json={"mode": "phone", "ratings": RATED,
                                                           "visited_at": "2026-09-30T16:00:00+08:00"})
    assert r.status_code == 422 and "mode" in r.get_json()["errors"]["json"]  # the first visit is on site
    r = client.post(record, headers=office.h("sup"), json={"mode": "on_site", "ratings": {"attitude": 5},
                                                           "visited_at": "2026-09-30T16:00:00+08:00"})
    assert r.status_code == 422 and {"customer_signed", "ratings"} <= set(r.get_json()["errors"]["json"])
    r = client.post(record, headers=office.h("sup"), json={
        "mode": "on_site", "customer_signed": True, "ratings": RATED, "visited_at": "2026-09-30T16:00:00+08:00",
        "issues": [{"description": "门锁仍然松动"}]})
    assert r.status_code == 422 and "next_visit_at" in r.get_json()["errors"]["json"]  # an appointed reply time
    assert plan(client, office, important)["issues"] == []
    r = client.post(record, headers=office.h("sup"), json={
        "mode": "on_site", "customer_signed": True, "signature_ref": "sig-001", "ratings": RATED,
        "visited_at": "2026-09-30T16:00:00+08:00", "issues": [{"description": "门锁仍然松动"}],
        "next_visit_at": "2026-10-09T10:00:00+08:00"})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    done, follow = body["visits"]
    assert (done["state"], done["mode"], done["label"], done["customer_signed"]) == ("done", "on_site", None, True)
    assert (done["rating_attitude"], done["rating_skill"], done["rating_outcome"]) == (5, 4, 5)
    assert (follow["number"], follow["reason"], follow["due_at"]) == (2, "follow_up", "2026-10-09T02:00:00+00:00")
    issue = body["issues"][0]
    assert issue["manager_id"] == office.ids["csm"]  # the service manager (cmp.return_visit.issue_to)
    assert issue["assign_due_at"] == "2026-10-08T03:00:00+00:00"  # 2026-10-08 11:00: 4 business hours
    assert client.post(record, headers=office.h("sup"), json={"mode": "on_site", "customer_signed": True,
                                                               "ratings": RATED}).status_code == 409
    # from the 2nd visit a non-major case may be visited by phone: labelled 电话回访
    r = client.post(f"/api/v1/complaints/return-visits/{follow['id']}/record", headers=office.h("sup"), json={
        "mode": "phone", "ratings": RATED, "visited_at": "2026-10-09T10:30:00+08:00"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["visits"][1]["label"] == "电话回访" and len(r.get_json()["visits"]) == 2
    # CMP-63: nobody assigned by 11:00 on 10-08 → escalation, once
    assert office.job("cmp.breach_consequences", "2026-10-08T10:59:00+08:00")["issues_escalated"] == 0
    assert office.job("cmp.breach_consequences", "2026-10-08T11:04:00+08:00")["issues_escalated"] == 1
    assert office.job("cmp.breach_consequences", "2026-10-08T11:09:00+08:00")["issues_escalated"] == 0
    assert office.job("cmp.return_visits", "2026-10-09T00:31:00+08:00")["issues_escalated"] == 0
    escalated = client.get("/api/v1/complaints/visit-issues?state=open", headers=office.h("csm")).get_json()
    assert [(i["id"], i["escalated_to"]) for i in escalated] == [(issue["id"], [office.ids["boss"]])]
    with tenant_scope(office.handle.id):
        assert count(Decision, Decision.rule_id == "CMP-63", Decision.subject_id == issue["id"]) == 2  # raised, escalated
    # assignment and outcome: every raised issue ends with one
    base = f"/api/v1/complaints/visit-issues/{issue['id']}"
    assert client.post(f"{base}/assign", headers=office.h("agent"), json={"assignee_id": office.ids["s1"]}).status_code == 403
    r = client.post(f"{base}/assign", headers=office.h("csm"), json={"assignee_id": office.ids["s1"]})
    assert r.status_code == 200 and r.get_json()["state"] == "assigned"
    assert client.post(f"{base}/outcome", headers=office.h("agent"), json={"outcome": "x"}).status_code == 403
    assert client.post(f"{base}/outcome", headers=office.h("s1"), json={"outcome": " "}).status_code == 422
    r = client.post(f"{base}/outcome", headers=office.h("s1"), json={"outcome": "已更换门锁，客户满意"})
    assert r.status_code == 200 and r.get_json()["state"] == "settled"
    assert client.post(f"{base}/outcome", headers=office.h("csm"), json={"outcome": "again"}).status_code == 409


def test_cmp62_major_case_is_always_visited_on_site(client, office):
    major = office.complain(client, received_at="2026-06-10T09:00:00+08:00", severity="major")["id"]
    office.resolve(major, "2026-06-16T15:00:00+08:00")
    office.job("cmp.return_visits", "2026-06-17T00:31:00+08:00")
    first = plan(client, office, major)["visits"][0]
    r = client.post(f"/api/v1/complaints/return-visits/{first['id']}/record", headers=office.h("boss"), json={
        "mode": "on_site", "customer_signed": True, "ratings": RATED, "visited_at": "2026-06-18T10:00:00+08:00",
        "issues": [{"description": "赔偿款未到账"}], "next_visit_at": "2026-06-25T10:00:00+08:00"})
    assert r.status_code == 200, r.get_json()
    second = r.get_json()["visits"][1]
    r = client.post(f"/api/v1/complaints/return-visits/{second['id']}/record", headers=office.h("boss"), json={
        "mode": "phone", "ratings": RATED, "visited_at": "2026-06-25T10:00:00+08:00"})
    assert r.status_code == 422 and "mode" in r.get_json()["errors"]["json"]
    planned = client.get(f"/api/v1/complaints/return-visits?state=planned&visitor_id={office.ids['boss']}",
                         headers=office.h("boss")).get_json()
    assert [v["id"] for v in planned] == [second["id"]]


def test_cmp21_the_accused_does_not_find_the_cases_visits_or_issues_in_the_lists(client, office):
    case = office.complain(client, received_at="2026-09-21T09:00:00+08:00", severity="important",
                           accused_user_id=office.ids["s2"])["id"]
    office.resolve(case, "2026-09-29T10:00:00+08:00")
    office.job("cmp.return_visits", "2026-09-30T00:31:00+08:00")
    first = plan(client, office, case)["visits"][0]
    r = client.post(f"/api/v1/complaints/return-visits/{first['id']}/record", headers=office.h("sup"), json={
        "mode": "on_site", "customer_signed": True, "ratings": RATED, "visited_at": "2026-09-30T16:00:00+08:00",
        "issues": [{"description": "门锁仍然松动"}], "next_visit_at": "2026-10-09T10:00:00+08:00"})
    assert r.status_code == 200, r.get_json()

    def listed(path, who):
        r = client.get(f"/api/v1/complaints/{path}", headers=office.h(who))
        assert r.status_code == 200, r.get_json()
        return [row["complaint_id"] for row in r.get_json()]

    assert listed("return-visits", "csm") == [case, case] and listed("visit-issues", "csm") == [case]
    assert listed("return-visits", "s2") == [] and listed("visit-issues", "s2") == []
