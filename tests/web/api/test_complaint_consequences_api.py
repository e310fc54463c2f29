"""Complaint consequences through the API and the job (CMP-70 PRE-01 matrix, CMP-71 transfer, CMP-06
findings): the spec's vector with its dates, the job twice with one effect, the director's override."""
import datetime as dt

import pytest
from sqlalchemy import select

from core.complaints import consequences
from core.complaints.consequence_settings import PRE01_PENALTIES
from core.complaints.models import Complaint
from core.customers import ownership_store
from core.db import db, utcnow
from core.decisions.models import Decision
from core.staff.models import StaffEntry
from core.tenancy import tenant_scope
from tests.web.api.aftercare_office import build_office


@pytest.fixture
def office(make_tenant):
    return build_office(make_tenant, "pre01", {"penalties": {**PRE01_PENALTIES,
                                                             "finding_general_error": {"employee": 50}}})


def entries(client, office, user):
    r = client.get(f"/api/v1/staff/entries?user_id={office.ids[user]}", headers=office.handle.headers())
    assert r.status_code == 200
    return [(e["offence"], e["amount"], e["rule_id"], e["state"], e["payroll_month"]) for e in r.get_json()]


def consequences_of(client, office, complaint_id, who="csm"):
    """As the customer-service manager (a ledger manager: sees every entry)."""
    r = client.get(f"/api/v1/complaints/{complaint_id}/consequences", headers=office.h(who))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_cmp70_pre01_vector_and_cmp71_transfer(client, office):
    grumble = office.complain(client, channel="grumble", received_at="2026-03-10T11:00:00+08:00",
                              customer_id=office.customer, content="顾客抱怨没人邀约")
    # at once: ¥100 to the employee concerned (nobody accused: the customer's owner s1)
    assert entries(client, office, "s1") == [("grumble_noticed", "100.00", "CMP-70", "proposed", "2026-03")]
    listed = consequences_of(client, office, grumble["id"])["consequences"]
    assert [(c["event"], c["state"], c["occurred_at"]) for c in listed] == [
        ("grumble_noticed", "applied", "2026-03-10T03:00:00+00:00"),
        ("unresolved_after", "pending", "2026-03-13T16:00:00+00:00")]  # through 2026-03-13
    assert listed[0]["liable"]["basis"] == "customer_owner"
    assert listed[0]["entries"][0]["user_id"] == office.ids["s1"]
    # the complaint to the GM the same day: ¥100 + ¥100 more
    to_gm = office.complain(client, channel="to_gm", received_at="2026-03-10T15:00:00+08:00",
                            customer_id=office.customer, accused_user_id=office.ids["s1"])
    assert [(e["role"], e["user_id"], e["amount"]) for e in consequences_of(client, office, to_gm["id"])[
        "consequences"][0]["entries"]] == [("employee", office.ids["s1"], "100.00"),
                                           ("dept_manager", office.ids["dm1"], "100.00")]
    office.resolve(to_gm["id"], "2026-03-12T17:00:00+08:00")  # resolved in time: no unresolved fine for it
    # still unresolved through 2026-03-13 → at 2026-03-14 00:00
    assert office.job("cmp.breach_consequences", "2026-03-13T23:59:00+08:00")["applied"] == 0
    ran = office.job("cmp.breach_consequences", "2026-03-14T00:04:00+08:00")
    assert (ran["applied"], ran["cancelled"], ran["transfers"]) == (1, 1, 1)
    again = office.job("cmp.breach_consequences", "2026-03-14T00:04:00+08:00", run=2)
    assert (again["applied"], again["cancelled"], again["transfers"]) == (0, 0, 0)
    assert entries(client, office, "s1") == [
        ("grumble_noticed", "100.00", "CMP-70", "proposed", "2026-03"),
        ("complaint_to_gm", "100.00", "CMP-70", "proposed", "2026-03"),
        ("unresolved_after", "500.00", "CMP-70", "proposed", "2026-03")]
    assert entries(client, office, "dm1") == [
        ("complaint_to_gm", "100.00", "CMP-70", "proposed", "2026-03"),
        ("unresolved_after", "500.00", "CMP-70", "proposed", "2026-03")]
    after = consequences_of(client, office, grumble["id"])
    unresolved = after["consequences"][1]
    assert unresolved["state"] == "applied" and {e["occurred_at"] for e in unresolved["entries"]} == {
        "2026-03-13T16:00:00+00:00"}
    transfer = after["transfer"]
    assert transfer["state"] == "transferred" and transfer["from_owner_id"] == office.ids["s1"]
    assert transfer["to_owner_id"] in (office.ids["s2"], office.ids["s3"])  # division 2's staff
    assert transfer["candidates"] == sorted([office.ids["s2"], office.ids["s3"]])
    assert transfer["shuffled"][0] == transfer["to_owner_id"] and transfer["seed"] is not None
    with tenant_scope(office.handle.id):
        row = ownership_store.current(office.customer)
        assert (row.owner_id, row.department_id) == (transfer["to_owner_id"], office.departments["二部"])
        decision = db.session.get(Decision, (office.handle.id, transfer["decision_id"]))
        assert decision.rule_id == "CMP-71" and decision.facts["seed"] == transfer["seed"]
        assert consequences_of(client, office, to_gm["id"])["consequences"][1]["state"] == "cancelled"
    # the window of the director's override (24 hours) is long past
    r = client.post(f"/api/v1/complaints/{grumble['id']}/customer-transfer/override", headers=office.h("director"),
                    json={"owner_id": office.ids["s3"], "reason": "熟悉该客户"})
    assert r.status_code == 409 and r.get_json()["rule_id"] == "CMP-71"


def test_cmp71_director_overrides_within_a_day(client, office):
    received = (utcnow() - dt.timedelta(days=4)).isoformat()
    case = office.complain(client, received_at=received, customer_id=office.customer)
    office.job("cmp.breach_consequences", utcnow().isoformat())
    transfer = consequences_of(client, office, case["id"])["transfer"]
    assert transfer["state"] == "transferred"
    other = office.ids["s3"] if transfer["to_owner_id"] == office.ids["s2"] else office.ids["s2"]
    url = f"/api/v1/complaints/{case['id']}/customer-transfer/override"
    assert client.post(url, headers=office.h("dm2"), json={"owner_id": other, "reason": "x"}).status_code == 403
    r = client.post(url, headers=office.h("director"), json={"owner_id": other, "reason": " "})
    assert r.status_code == 422 and "reason" in r.get_json()["errors"]["json"]
    r = client.post(url, headers=office.h("director"), json={"owner_id": other, "reason": "该员工与客户同住一小区"})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert (body["state"], body["to_owner_id"], body["overridden_by"]) == ("overridden", other, office.ids["director"])
    with tenant_scope(office.handle.id):
        assert ownership_store.current(office.customer).owner_id == other
        override = db.session.get(Decision, (office.handle.id, body["override_decision_id"]))
        assert override.rule_id == "CMP-71" and override.decided_by == office.ids["director"]
        assert override.supersedes_id == transfer["decision_id"]
    assert client.post(url, headers=office.h("director"), json={"owner_id": other, "reason": "再改"}).status_code == 409


def test_cmp70_events_recorded_by_a_manager(client, office):
    case = office.complain(client, received_at="2026-05-06T10:00:00+08:00", customer_id=office.customer,
                           accused_user_id=office.ids["s2"])
    url = f"/api/v1/complaints/{case['id']}/consequences"
    body = {"event": "complaint_to_gm", "occurred_at": "2026-05-07T09:00:00+08:00", "note": "客户找到总经理"}
    assert client.post(url, headers=office.h("s1"), json=body).status_code == 403
    r = client.post(url, headers=office.h("dm2"), json=body)
    assert r.status_code == 201, r.get_json()
    assert [(e["role"], e["user_id"], e["amount"]) for e in r.get_json()["entries"]] == [
        ("employee", office.ids["s2"], "100.00"), ("dept_manager", office.ids["dm2"], "100.00")]
    assert client.post(url, headers=office.h("dm2"), json=body).status_code == 409  # the same occurrence
    r = client.post(url, headers=office.h("dm2"), json={"event": "unresolved_after"})
    assert r.status_code == 422 and "event" in r.get_json()["errors"]["json"]
    r = client.post(url, headers=office.h("dm2"), json={"event": "verified_attitude"})
    assert r.status_code == 201 and r.get_json()["state"] == "none"  # recorded, not priced by this tenant


def _finding(office, complaint_id, finding, accused=True):
    with tenant_scope(office.handle.id):
        case = db.session.scalars(select(Complaint).where(Complaint.id == complaint_id)).one()
        case.finding = finding
        if not accused:
            case.accused_user_id = None
        row = consequences.on_finding(case, dt.datetime(2026, 5, 20, 10, tzinfo=dt.timezone.utc))
        state = row.state if row is not None else None
        db.session.commit()
        return state


def _entries_of(office, complaint_id):
    with tenant_scope(office.handle.id):
        rows = db.session.scalars(select(StaffEntry).where(StaffEntry.subject_id == complaint_id,
                                                           StaffEntry.rule_id == "CMP-06"))
        return sorted((e.kind, e.offence, str(e.amount), e.user_id, e.label, e.state) for e in rows)


def test_cmp06_findings_make_staff_proposals(client, office, make_tenant):
    accused = office.ids["s2"]
    general = office.complain(client, received_at="2026-05-06T10:00:00+08:00", accused_user_id=accused)["id"]
    assert _finding(office, general, "general_error") == "applied"
    _finding(office, general, "general_error")  # twice: one proposal
    assert _entries_of(office, general) == [("penalty", "finding_general_error", "50.00", accused, None, "proposed")]
    side = office.complain(client, received_at="2026-05-06T10:00:00+08:00", accused_user_id=accused)["id"]
    assert _finding(office, side, "customer_side") is None
    assert _entries_of(office, side) == []
    nobody = office.complain(client, received_at="2026-05-06T10:00:00+08:00")["id"]
    assert _finding(office, nobody, "general_error", accused=False) is None
    discipline = office.complain(client, received_at="2026-05-06T10:00:00+08:00", accused_user_id=accused)["id"]
    _finding(office, discipline, "discipline")
    assert _entries_of(office, discipline) == [
        ("flag", "finding_discipline", "0.00", accused, "disciplinary_procedure", "proposed")]
    # a tenant whose matrix does not price the finding: an assessment proposal of ¥0 for the approver
    plain = build_office(make_tenant, "plain")
    unpriced = plain.complain(client, received_at="2026-05-06T10:00:00+08:00", accused_user_id=plain.ids["s2"])["id"]
    _finding(plain, unpriced, "general_error")
    assert _entries_of(plain, unpriced) == [("penalty", "finding_general_error", "0.00", plain.ids["s2"], None,
                                             "proposed")]


def test_core_default_has_no_penalties(client, make_tenant):
    plain = build_office(make_tenant, "none")
    case = plain.complain(client, channel="grumble", received_at="2026-03-10T11:00:00+08:00",
                          customer_id=plain.customer)
    assert plain.job("cmp.breach_consequences", "2026-03-20T00:04:00+08:00")["applied"] == 0
    body = consequences_of(client, plain, case["id"])
    assert body == {"complaint_id": case["id"], "consequences": [], "transfer": None}
    assert client.get(f"/api/v1/staff/entries?user_id={plain.ids['s1']}", headers=plain.handle.headers()).get_json() == []


def test_cmp54_reopen_is_no_repeat_charges_no_channel_fine_again_and_keeps_the_excluded_out(client, office):
    """A reopened grumble: not a repeat of its parent (CMP-12) and so not major for it (CMP-11); the
    grumble's ¥100 (CMP-70) is not charged a second time; whoever was kept out of the parent is kept out
    of the child from intake — taking it in does not make them its owner (CMP-21)."""
    from core.complaints import reopen

    parent = office.complain(client, channel="grumble", received_at="2026-03-10T11:00:00+08:00",
                             customer_id=office.customer, category="other", excluded_user_ids=[office.ids["sup"]])
    office.resolve(parent["id"], "2026-03-11T10:00:00+08:00")
    with tenant_scope(office.handle.id):
        case = db.session.scalars(select(Complaint).where(Complaint.id == parent["id"])).one()
        child = reopen.reopen(case, reason="客户不接受结论", by=office.ids["sup"],
                              at=dt.datetime(2026, 3, 12, 9, tzinfo=dt.timezone.utc))
        db.session.commit()
        child_id = child.id
        assert (child.parent_id, child.is_repeat, child.repeat_of_id, child.severity) == (
            parent["id"], False, None, "general")
        assert child.owner_id is None and office.ids["sup"] in child.excluded_user_ids  # the queue owns it
        rules = set(db.session.scalars(select(Decision.rule_id).where(Decision.subject_id == child_id,
                                                                      Decision.subject_type == "complaint")))
        assert "CMP-12" not in rules and "CMP-11" not in rules
    db.session.rollback()
    assert entries(client, office, "s1") == [("grumble_noticed", "100.00", "CMP-70", "proposed", "2026-03")]
    listed = consequences_of(client, office, child_id)["consequences"]
    assert [(c["event"], c["state"]) for c in listed] == [("unresolved_after", "pending")]  # its own fresh limit


def test_cmp13_a_linked_case_is_not_fined_on_its_own_limit_and_its_excluded_reach_the_master(client, office):
    master = office.complain(client, received_at="2026-03-10T11:00:00+08:00", customer_id=office.customer)
    linked = office.complain(client, received_at="2026-03-10T12:00:00+08:00", complainant_name="王先生",
                             complainant_phone="13900139000", excluded_user_ids=[office.ids["s2"]])
    refused = office.complain(client, received_at="2026-03-10T12:30:00+08:00", complainant_name="赵先生",
                              complainant_phone="13700137000", accused_user_id=office.ids["s3"],
                              excluded_user_ids=[office.ids["agent"]])
    url = f"/api/v1/complaints/{master['id']}/link"
    r = client.post(url, headers=office.h("sup"), json={"complaint_ids": [refused["id"]]})
    assert r.status_code == 409 and r.get_json()["rule_id"] == "CMP-21"  # the master's owner is excluded there
    r = client.post(url, headers=office.h("sup"), json={"complaint_ids": [linked["id"]]})
    assert r.status_code == 200, r.get_json()
    with tenant_scope(office.handle.id):
        row = db.session.scalars(select(Complaint).where(Complaint.id == master["id"])).one()
        assert office.ids["s2"] in row.excluded_user_ids  # CMP-21 carried to the master
    db.session.rollback()
    office.resolve(master["id"], "2026-03-12T17:00:00+08:00")  # the master is resolved in time
    ran = office.job("cmp.breach_consequences", "2026-03-14T00:04:00+08:00")
    # the master and the linked case cancelled; only the unlinked case left open is fined
    assert (ran["applied"], ran["cancelled"]) == (1, 2)
    assert [c["state"] for c in consequences_of(client, office, linked["id"])["consequences"]] == ["cancelled"]
    assert [c["state"] for c in consequences_of(client, office, refused["id"], "sup")["consequences"]] == ["applied"]


def test_stf01_the_consequences_of_a_case_show_others_ledger_entries_only_to_ledger_managers(client, office):
    to_gm = office.complain(client, channel="to_gm", received_at="2026-03-10T15:00:00+08:00",
                            customer_id=office.customer, accused_user_id=office.ids["s1"])

    def seen(who):
        [row] = [c for c in consequences_of(client, office, to_gm["id"], who)["consequences"]
                 if c["event"] == "complaint_to_gm"]
        return sorted(e["user_id"] for e in row["entries"])

    assert seen("csm") == sorted([office.ids["s1"], office.ids["dm1"]])  # a ledger manager: everyone's
    assert seen("agent") == []  # an agent: none of the others' fines
    assert seen("dm1") == sorted([office.ids["s1"], office.ids["dm1"]])  # a department manager manages the ledger
    grumble = office.complain(client, channel="grumble", received_at="2026-03-10T11:00:00+08:00",
                              customer_id=office.customer)  # nobody accused: the customer's owner s1 answers
    [row] = [c for c in consequences_of(client, office, grumble["id"], "s1")["consequences"]
             if c["event"] == "grumble_noticed"]
    assert [e["user_id"] for e in row["entries"]] == [office.ids["s1"]]  # one's own entry is shown
