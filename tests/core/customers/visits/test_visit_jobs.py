"""CUS-61..63 through the job layer (inline): due visits generated once per natural key, holiday
visits, fulfilment by the contact log, overdue flags, report reminders, missing plans, commitment
alerts; and a run for tenant A never touches tenant B."""
import datetime as dt

import pytest
from sqlalchemy import func, select, text

from core.customers import contact_log
from core.customers.visits.contacts import on_contact
from core.customers.visits.commitments import create_commitment
from core.customers.visits.models import Commitment, DueVisit, VisitPlan
from core.customers.visits.plans import report_due_at, submit_plan
from core.customers.models import ContactLogEntry
from core.db import db
from core.decisions.models import Decision
from core.notifications.models import Notification
from core.tenancy import tenant_scope
from tests.core.customers.visits.world import SH, at, build_world
from workers.runtime import execute

D = dt.date


@pytest.fixture
def world(make_tenant):
    return build_world(make_tenant)


def run(world, job, when, key=None):
    return execute(world.handle.id, job, {"as_of": at(when).isoformat()}, dedupe_key=key or f"{job}@{when}")


def visits(world, **filters):
    db.session.rollback()
    with tenant_scope(world.handle.id):
        stmt = select(DueVisit).order_by(DueVisit.role, DueVisit.period_key, DueVisit.slot)
        for key, value in filters.items():
            stmt = stmt.where(getattr(DueVisit, key) == value)
        rows = list(db.session.scalars(stmt))
        db.session.expunge_all()  # snapshots: later rollbacks do not reload them
        return rows


def notes(world, kind):
    db.session.rollback()
    with tenant_scope(world.handle.id):
        rows = list(db.session.scalars(select(Notification).where(Notification.kind == kind)
                                       .order_by(Notification.user_id)))
        db.session.expunge_all()
        return rows


def log(world, user_id, channel, when, **fields):
    db.session.rollback()  # a fresh snapshot: jobs commit in sessions of their own
    with tenant_scope(world.handle.id):
        entry = contact_log.log_contact(world.customer, channel=channel, at=at(when), user_id=user_id, **fields)
        on_contact(entry)
        db.session.commit()
        return entry.id


def test_cus61_vector_1_october_2026_visits_of_an_a_customer(world):
    result = run(world, "cus.visit_generation", "2026-10-01 00:30")
    assert result["created"] == 5
    rows = visits(world)
    assert [(v.role, v.period_key, v.slot, v.due_on, v.mode, v.performer_id) for v in rows] == [
        ("agent", "2026-10", 1, D(2026, 10, 31), "phone_ok", world.agent),
        ("gm", "2026", 1, D(2026, 12, 31), "on_site", world.gm),
        ("supervisor", "2026-10", 1, D(2026, 10, 15), "phone_ok", world.supervisor),
        ("supervisor", "2026-10", 2, D(2026, 10, 31), "phone_ok", world.supervisor),
        ("supervisor", "2026-Q4", 1, D(2026, 12, 31), "on_site", world.supervisor),
    ]
    assert rows[2].due_at == dt.datetime(2026, 10, 16, tzinfo=SH)  # through 10-15: until 24:00
    with tenant_scope(world.handle.id):
        decision = db.session.get(Decision, (world.handle.id, rows[2].decision_id))
        assert decision.rule_id == "CUS-61" and decision.policy_module == "cus" and decision.policy_version == 1
        assert "2026-10-15" in decision.reason_en and decision.facts["tier"] == "A"
    again = run(world, "cus.visit_generation", "2026-10-02 00:30")  # the next day: nothing new
    assert again["created"] == 0 and len(visits(world)) == 5
    november = run(world, "cus.visit_generation", "2026-11-01 00:30")  # a new month: its three visits
    assert november["created"] == 3 and len(visits(world, period_key="2026-11")) == 3


def test_cus61_vector_2_holiday_visit_created_three_days_before_national_day(world):
    run(world, "cus.visit_generation", "2026-09-27 00:30")
    assert visits(world, kind="holiday") == []
    run(world, "cus.visit_generation", "2026-09-28 00:30")
    run(world, "cus.visit_generation", "2026-09-29 00:30")
    [task] = visits(world, kind="holiday")
    assert (task.period_key, task.available_from, task.due_on, task.performer_id, task.holiday) == (
        "holiday:2026-10-01", D(2026, 9, 28), D(2026, 9, 30), world.agent, "National Day")
    [note] = notes(world, "cus.holiday_visit")
    assert note.user_id == world.agent and note.due_at == dt.datetime(2026, 10, 1, tzinfo=SH)


def test_contacts_fulfil_visits_of_the_right_mode_by_the_performer(world):
    run(world, "cus.visit_generation", "2026-10-01 00:30")
    log(world, world.agent, "phone_answered", "2026-10-03 10:00")  # the agent's call: not the supervisor's
    log(world, world.supervisor, "phone_unanswered", "2026-10-04 10:00")  # logged, not a visit
    call = log(world, world.supervisor, "phone_answered", "2026-10-05 10:00")
    supervisor = {(v.period_key, v.slot): v for v in visits(world, role="supervisor")}
    assert supervisor[("2026-10", 1)].status == "done" and supervisor[("2026-10", 1)].contact_entry_id == call
    assert supervisor[("2026-10", 2)].status == "open"
    assert supervisor[("2026-Q4", 1)].status == "open"  # a call is not an on-site visit
    assert visits(world, role="agent")[0].status == "done"
    on_site = log(world, world.supervisor, "on_site", "2026-10-20 15:00", customer_signed=True)
    supervisor = {(v.period_key, v.slot): v for v in visits(world, role="supervisor")}
    assert supervisor[("2026-Q4", 1)].contact_entry_id == on_site  # the quarterly on-site visit
    assert supervisor[("2026-10", 2)].contact_entry_id == on_site  # and the month's second contact


def test_job_reconciles_contacts_logged_before_the_visits_existed(world):
    with tenant_scope(world.handle.id):
        contact_log.log_contact(world.customer, channel="phone_answered", at=at("2026-10-01 00:10"),
                                user_id=world.agent)
        db.session.commit()
    result = run(world, "cus.visit_generation", "2026-10-01 00:30")
    assert result["done"] == 1 and visits(world, role="agent")[0].status == "done"


def test_overdue_visits_are_flagged_and_the_performer_notified_once(world):
    run(world, "cus.visit_generation", "2026-10-01 00:30")
    run(world, "cus.visit_generation", "2026-10-15 23:59")
    assert [v.status for v in visits(world, role="supervisor", period_key="2026-10")] == ["open", "open"]
    run(world, "cus.visit_generation", "2026-10-16 00:30")
    run(world, "cus.visit_generation", "2026-10-17 00:30")
    first = visits(world, role="supervisor", period_key="2026-10")[0]
    assert first.status == "overdue" and first.overdue_at == at("2026-10-16 00:30")
    assert [(n.user_id, n.subject_id) for n in notes(world, "cus.visit_overdue")] == [(world.supervisor, first.id)]
    late = log(world, world.supervisor, "phone_answered", "2026-10-18 10:00")
    first = visits(world, role="supervisor", period_key="2026-10")[0]
    assert (first.status, first.contact_entry_id) == ("done", late)  # done late: the month's first contact


def test_agent_visits_follow_the_owner(world, make_tenant):
    from core.customers import ownership_store

    run(world, "cus.visit_generation", "2026-10-01 00:30")
    db.session.rollback()  # a fresh snapshot before writing (SQLite)
    other, _ = make_tenant.user(world.handle, "agent2", roles=["salesperson"])
    with tenant_scope(world.handle.id):
        ownership_store.set_owner(world.customer, owner_id=other, state="protected", rule_id="CUS-34",
                                  reason_zh="改派", reason_en="reassigned", at=at("2026-10-10 09:00"))
        db.session.commit()
    run(world, "cus.visit_generation", "2026-10-11 00:30")
    assert visits(world, role="agent")[0].performer_id == other


def test_cus62_vector_1_report_reminder_the_day_after_its_due(world):
    visit = log(world, world.agent, "visit", "2026-11-20 15:00")
    with tenant_scope(world.handle.id):
        entry = contact_log.get_entry(world.customer, visit)
        assert report_due_at(entry).through == D(2026, 11, 22)
    run(world, "cus.visit_plans_reports", "2026-11-22 18:00")
    assert notes(world, "cus.visit_report_due") == []
    run(world, "cus.visit_plans_reports", "2026-11-23 09:00")
    run(world, "cus.visit_plans_reports", "2026-11-23 18:00")
    [note] = notes(world, "cus.visit_report_due")
    assert note.user_id == world.agent and note.subject_id == visit
    assert note.due_at == dt.datetime(2026, 11, 23, tzinfo=SH) and "2026-11-22" in note.title_zh


def test_cus62_vector_2_no_december_plan_by_november_30_is_flagged(world, make_tenant):
    diligent, _ = make_tenant.user(world.handle, "diligent", roles=["salesperson"])
    with tenant_scope(world.handle.id):
        from core.accounts.models import User

        user = db.session.get(User, (world.handle.id, diligent))
        user.created_at = at("2026-01-01 00:00")
        submit_plan(user, D(2026, 12, 1), [{"customer_id": world.customer, "planned_on": D(2026, 12, 3),
                                            "purpose": "relationship", "expenses": "120.00", "gifts": "台历"}],
                    now=at("2026-11-28 10:00"))
        db.session.commit()
    run(world, "cus.visit_plans_reports", "2026-11-30 09:00")
    assert notes(world, "cus.visit_plan_reminder") == []  # the reminder goes out at 18:00 of the due day
    run(world, "cus.visit_plans_reports", "2026-11-30 18:00")
    assert [n.user_id for n in notes(world, "cus.visit_plan_reminder")] == [world.agent]
    with tenant_scope(world.handle.id):
        assert db.session.scalar(select(func.count()).select_from(VisitPlan).where(
            VisitPlan.status == "missing", VisitPlan.month == D(2026, 12, 1))) == 0
    run(world, "cus.visit_plans_reports", "2026-12-01 09:00")
    run(world, "cus.visit_plans_reports", "2026-12-02 09:00")
    db.session.rollback()  # a fresh snapshot: the job committed on its own connection
    with tenant_scope(world.handle.id):
        [flag] = db.session.scalars(select(VisitPlan).where(VisitPlan.month == D(2026, 12, 1),
                                                            VisitPlan.status == "missing")).all()
        assert flag.user_id == world.agent and flag.due_on == D(2026, 11, 30)
        decision = db.session.get(Decision, (world.handle.id, flag.flag_decision_id))
        assert decision.rule_id == "CUS-62" and "2026-11-30" in decision.reason_zh
        flag_id = flag.id
    flagged = [n.user_id for n in notes(world, "cus.visit_plan_missing") if n.subject_id == flag_id]
    assert sorted(flagged) == sorted([world.agent, world.supervisor])  # the salesperson and the supervisor


def test_cus63_vector_promised_reply_alerted_at_17_00_to_the_owner(world):
    with tenant_scope(world.handle.id):
        promise = create_commitment(world.customer, owner_id=world.agent, kind="reply", text="回复报价",
                                    made_at=at("2026-09-18 10:00"), due_at=at("2026-09-18 17:00"))
        kept = create_commitment(world.customer, owner_id=world.supervisor, kind="reply", text="回复交期",
                                 made_at=at("2026-09-18 10:00"), due_at=at("2026-09-18 17:00"))
        db.session.commit()
        promise_id, kept_id = promise.id, kept.id
        # a contact written without the service (a bulk import, a restored backup): the job finds it
        db.session.add(ContactLogEntry(customer_id=world.customer, channel="phone_answered",
                                       at=at("2026-09-18 15:00"), user_id=world.supervisor))
        db.session.commit()
    assert run(world, "cus.commitment_alerts", "2026-09-18 16:55") == {"alerted": 0, "kept": 0,
                                                                        "as_of": at("2026-09-18 16:55").isoformat()}
    result = run(world, "cus.commitment_alerts", "2026-09-18 17:00")
    assert (result["alerted"], result["kept"]) == (1, 1)
    run(world, "cus.commitment_alerts", "2026-09-18 17:05")
    alerts = notes(world, "cus.commitment_overdue")
    assert [(n.user_id, n.subject_id) for n in alerts] == [(world.agent, promise_id), (world.supervisor, promise_id)]
    assert alerts[0].due_at == at("2026-09-18 17:00")
    with tenant_scope(world.handle.id):
        row = db.session.get(Commitment, (world.handle.id, promise_id))
        assert row.status == "open" and row.alerted_at == at("2026-09-18 17:00")
        assert db.session.get(Decision, (world.handle.id, row.alert_decision_id)).rule_id == "CUS-63"
        assert db.session.get(Commitment, (world.handle.id, kept_id)).status == "fulfilled"


def test_a_contact_keeps_the_owners_promise_at_once(world):
    with tenant_scope(world.handle.id):
        promise = create_commitment(world.customer, owner_id=world.agent, kind="next_visit", text="下周上门",
                                    made_at=at("2026-09-18 10:00"), due_at=at("2026-09-25 18:00"))
        db.session.commit()
        promise_id = promise.id
    log(world, world.agent, "phone_answered", "2026-09-19 10:00")  # a call does not keep a visit promise
    visit = log(world, world.agent, "visit", "2026-09-22 10:00")
    with tenant_scope(world.handle.id):
        row = db.session.get(Commitment, (world.handle.id, promise_id))
        assert (row.status, row.contact_entry_id, row.fulfilled_at) == ("fulfilled", visit, at("2026-09-22 10:00"))


def test_jobs_of_tenant_a_never_touch_tenant_b(make_tenant, owner_engine):
    from tests.isolation.test_cross_tenant_api import _snapshot

    a = build_world(make_tenant, "visits-a", "甲")
    b = build_world(make_tenant, "visits-b", "乙")
    with tenant_scope(b.handle.id):
        create_commitment(b.customer, owner_id=b.agent, kind="reply", text="乙的承诺",
                          made_at=at("2026-09-18 10:00"), due_at=at("2026-09-18 17:00"))
        contact_log.log_contact(b.customer, channel="visit", at=at("2026-11-20 15:00"), user_id=b.agent)
        db.session.commit()
    before = _snapshot(owner_engine, b.handle.id)
    run(a, "cus.visit_generation", "2026-09-28 00:30")
    run(a, "cus.visit_plans_reports", "2026-12-01 09:00")
    run(a, "cus.commitment_alerts", "2026-12-01 09:00")
    assert len(visits(a)) > 0
    assert _snapshot(owner_engine, b.handle.id) == before
    with owner_engine.connect() as conn:
        assert conn.execute(text("select count(*) from due_visits where tenant_id = :t"), {"t": b.handle.id}).scalar() == 0
    run(b, "cus.visit_generation", "2026-09-28 00:30")
    assert {v.customer_id for v in visits(b)} == {b.customer}
