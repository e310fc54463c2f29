"""CMP-80 reports and packs, CMP-81 digest: the jobs against a realistic September 2026 (see
report_world), with the spec's vectors — 2026-10-01 builds September's closed-case statistics due
2026-10-10; the 2026-09-21 07:50 digest holds the cases open at 2026-09-20 24:00 — each job run twice
with one effect, another tenant never counted, and the queries set-based (as many statements for 30
more cases)."""
import datetime as dt

import pytest
from sqlalchemy import event, func, select

from core.complaints import reports_rules as rules
from core.complaints.reports import statistics
from core.complaints.reports_models import ComplaintReportPack
from core.db import db
from core.decisions.models import Decision
from core.notifications.models import Notification
from core.tenancy import tenant_scope
from tests.core.complaints.report_world import build_world, t
from tests.helpers import policy_since
from workers.runtime import execute


@pytest.fixture
def world(make_tenant):
    return build_world(make_tenant)


def job(world, name, as_of, key=None):
    db.session.rollback()
    return execute(world.handle.id, name, {"as_of": as_of}, dedupe_key=key or f"{name}@{as_of}")


def pack_of(world, kind):
    with tenant_scope(world.handle.id):
        rows = list(db.session.scalars(select(ComplaintReportPack).where(ComplaintReportPack.kind == kind)))
        db.session.expunge_all()
        return rows


def count(world, model, *where):
    with tenant_scope(world.handle.id):
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_cmp80_monthly_statistics_built_on_october_1st_for_september_due_october_10th(world):
    result = job(world, "cmp.monthly_statistics", "2026-10-01T02:16:00+08:00")
    assert (result["kind"], result["period"], result["due_on"], result["created"]) == (
        "monthly_statistics", "2026-09", "2026-10-10", True)
    [pack] = pack_of(world, "monthly_statistics")
    assert (pack.first_day, pack.last_day, pack.basis, pack.due_on) == (
        dt.date(2026, 9, 1), dt.date(2026, 9, 30), "closed", dt.date(2026, 10, 10))
    assert pack.period_start == t("09-01 00:00") and pack.period_end == t("2026-10-01 00:00")
    data = pack.data
    # closed in September: A, the lift (L1 with L2 and L3 folded: CMP-13), E and G; not J (resolved
    # only), H (closed 10-02), I (August)
    assert data["summary"] == {"issues": 4, "complainants": 6, "cases": 6, "major": 1, "repeats": 1,
                               "repeat_rate": 0.25}
    assert [(c["category"], c["issues"], c["complainants"], c["label_zh"]) for c in data["categories"]] == [
        ("staff_attitude", 2, 2, "服务态度"), ("interdepartment_dispute", 1, 1, "部门间纠纷"),
        ("service_not_delivered", 1, 3, "服务未兑现")]
    assert [(c["cause"], c["issues"]) for c in data["causes"]] == [("attitude", 1), ("equipment", 1), (None, 2)]
    assert [(c["root_cause"], c["issues"]) for c in data["root_causes"]] == [
        ('=HYPERLINK("http://x")', 1), ("培训不足", 1), ("维保不到位", 1), (None, 1)]
    assert [(d["department"], d["issues"], d["complainants"], d["major"]) for d in data["departments"]] == [
        ("客服部", 3, 3, 0), ("工程部", 1, 3, 1)]
    assert [(e["name"], e["department"], e["issues"], e["repeats"]) for e in data["employees"]] == [
        ("zhou", "工程部", 2, 1)]
    assert data["satisfaction"] == {"responses": 4, "mean": 3.5,
                                    "distribution": {"1": 0, "2": 1, "3": 1, "4": 1, "5": 1}}
    # open at the end of September (10-01 00:00): C (with K: 2 complainants, reply breached), D (reply
    # due 09-21 11:00, unmet), F (reply due 09-22 08:00, unmet), H (closed 10-02, nothing late yet)
    oo = data["open_overdue"]
    assert oo["at"] == "2026-09-30T16:00:00+00:00"
    assert [(r["department"], r["handler"], r["open"], r["overdue"], r["complainants"]) for r in oo["rows"]] == [
        ("客服部", "ma", 2, 2, 3), ("工程部", "wang", 1, 0, 1), ("工程部", "zhou", 1, 1, 1)]
    assert oo["total"] == {"open": 4, "overdue": 3, "complainants": 5}
    # deadlines due in September (masters only, the linked cases' clocks cancelled); H's resolve is
    # due in October and I's were due in August
    assert [(m["milestone"], m["due"], m["met_on_time"], m["met_late"], m["not_met"], m["rate"])
            for m in data["sla_attainment"]] == [
        ("reply", 9, 6, 0, 3, 0.6667), ("solution", 9, 5, 1, 3, 0.5556), ("resolve", 8, 5, 0, 3, 0.625)]
    assert data["return_visits"] == {"eligible": 0, "visited": 0, "rate": None}  # closed directly, no CMP-60 decision
    [decision] = _decisions(world, "CMP-80")
    assert decision.outcome == {"kind": "monthly_statistics", "period": "2026-09", "due_on": "2026-10-10"}
    assert "2026-10-10" in decision.reason_zh and pack.decision_id == decision.id

    again = job(world, "cmp.monthly_statistics", "2026-10-01T02:16:00+08:00", key="retry")
    later = job(world, "cmp.monthly_statistics", "2026-10-05T09:00:00+08:00")
    assert again["created"] is later["created"] is False and again["pack_id"] == later["pack_id"] == pack.id
    assert len(pack_of(world, "monthly_statistics")) == 1 and len(_decisions(world, "CMP-80")) == 1


def _decisions(world, rule_id):
    with tenant_scope(world.handle.id):
        rows = list(db.session.scalars(select(Decision).where(Decision.rule_id == rule_id)))
        db.session.expunge_all()
        return rows


def test_cmp81_digest_at_0750_lists_the_cases_open_at_midnight_per_team_to_each_head(world):
    early = job(world, "cmp.daily_digest", "2026-09-21T07:40:00+08:00")
    assert early["created"] is False and early["pack_id"] is None and pack_of(world, "daily_digest") == []
    result = job(world, "cmp.daily_digest", "2026-09-21T07:50:00+08:00")
    assert (result["period"], result["created"]) == ("2026-09-20", True)
    [pack] = pack_of(world, "daily_digest")
    data = pack.data
    assert data["period"]["cut_off"] == "2026-09-20T16:00:00+00:00"  # 2026-09-20 24:00 Shanghai
    assert data["period"]["ready_at"] == "2026-09-20T23:50:00+00:00"  # 07:50
    n = world.numbers
    teams = {team["department"]: team for team in data["teams"]}
    assert list(teams) == ["客服部", "工程部"]
    cs, eng = teams["客服部"], teams["工程部"]
    # unresolved at 09-20 24:00: C (reply breached, K linked: 2 complainants) and D (received that day);
    # J (resolved 09-21 12:00) for 工程部; not E (resolved 09-20 15:00), not F (received 09-21)
    assert [(c["number"], c["overdue"], c["complainants"]) for c in cs["unresolved"]] == [
        (n["C"], True, 2), (n["D"], False, 1)]
    assert [(c["number"], c["overdue"]) for c in eng["unresolved"]] == [(n["J"], False)]
    # new on 09-20: D, and K (linked to C, shown with its master's number)
    assert [(c["number"], c["master_number"]) for c in cs["new"]] == [(n["D"], None), (n["K"], n["C"])]
    assert eng["new"] == []
    assert cs["counts"] == {"unresolved": 2, "overdue": 1, "new": 2} and cs["notify"] == [world.uid("li")]
    assert eng["counts"] == {"unresolved": 1, "overdue": 0, "new": 0} and eng["notify"] == [world.uid("wang")]
    assert pack.summary == {"unresolved": 3, "overdue": 1, "new": 2, "teams": 2}
    with tenant_scope(world.handle.id):
        notes = {row.user_id: row for row in db.session.scalars(
            select(Notification).where(Notification.kind == "cmp.daily_digest"))}
        assert set(notes) == {world.uid("li"), world.uid("wang")}
        li = notes[world.uid("li")]
        assert (li.rule_id, li.subject_id, li.due_at) == ("CMP-81", pack.id, t("09-21 07:50"))
        assert "未解决2件，新增2件" in li.title_zh and n["C"] in li.body_zh
        db.session.expunge_all()
    # the next runs of the morning find it built: one pack, one decision, one notification per head
    for as_of in ("2026-09-21T07:54:00+08:00", "2026-09-21T18:00:00+08:00"):
        assert job(world, "cmp.daily_digest", as_of)["created"] is False
    assert len(pack_of(world, "daily_digest")) == 1 and len(_decisions(world, "CMP-81")) == 1
    assert count(world, Notification, Notification.kind == "cmp.daily_digest") == 2


def test_cmp81_cases_of_no_team_go_to_the_cs_manager(world):
    with tenant_scope(world.handle.id):
        from core.accounts.models import User

        ma = db.session.get(User, (world.handle.id, world.uid("ma")))
        ma.department_id = None  # D has no handler and its owner no department
        db.session.commit()
    job(world, "cmp.daily_digest", "2026-09-21T07:50:00+08:00")
    [pack] = pack_of(world, "daily_digest")
    nobody = pack.data["teams"][-1]
    assert nobody["department_id"] is None and [c["number"] for c in nobody["unresolved"]] == [world.numbers["D"]]
    assert nobody["notify"] == [world.uid("li")]  # the cs_manager


def test_cmp80_weekly_report_on_monday_and_half_year_review_in_december(world):
    weekly = job(world, "cmp.weekly_reports", "2026-09-21T09:12:00+08:00")
    assert (weekly["period"], weekly["due_on"], weekly["created"]) == ("2026-09-14..2026-09-20", "2026-09-21", True)
    # received 09-14..09-20: J, C (+K), E, D
    assert weekly["summary"] == {"issues": 4, "complainants": 5, "cases": 5, "major": 0, "repeats": 0,
                                 "repeat_rate": 0.0}
    [pack] = pack_of(world, "weekly_report")
    assert pack.data["open_overdue"]["total"] == {"open": 3, "overdue": 1, "complainants": 4}  # at 09-20 24:00
    assert job(world, "cmp.weekly_reports", "2026-09-22T09:12:00+08:00")["created"] is False  # Tuesday: built
    assert len(pack_of(world, "weekly_report")) == 1

    review = job(world, "cmp.half_year_review", "2026-12-01T02:22:00+08:00")
    assert (review["period"], review["due_on"]) == ("2026-06..2026-11", "2026-12-10")
    # closed June..November: I (August), A, L1 (3 complainants), E, G, H (October)
    assert review["summary"]["issues"] == 6 and review["summary"]["complainants"] == 8
    assert job(world, "cmp.half_year_review", "2026-12-02T02:22:00+08:00")["created"] is False
    outside = job(world, "cmp.half_year_review", "2026-12-11T02:22:00+08:00")
    assert outside["pack_id"] is None and "outside" in outside["skipped"]
    assert len(pack_of(world, "half_year_review")) == 1


def test_cmp80_the_tenants_settings_decide_due_day_report_day_and_digest_time(world):
    policy_since(world.handle.id, "cmp", {"reports": {"monthly_due_day": 5, "weekly_day": "fri"},
                                          "digest": {"at": "08:30"}}, "2026-09-01")
    assert job(world, "cmp.monthly_statistics", "2026-10-01T02:16:00+08:00")["due_on"] == "2026-10-05"
    weekly = job(world, "cmp.weekly_reports", "2026-09-21T09:12:00+08:00")
    assert (weekly["period"], weekly["due_on"]) == ("2026-09-11..2026-09-17", "2026-09-18")
    assert job(world, "cmp.daily_digest", "2026-09-21T07:50:00+08:00")["pack_id"] is None
    assert job(world, "cmp.daily_digest", "2026-09-21T08:29:00+08:00")["period"] == "2026-09-20"


def test_reports_never_count_another_tenants_cases(make_tenant):
    a = build_world(make_tenant, "cmp-reports-a")
    b = build_world(make_tenant, "cmp-reports-b")
    with tenant_scope(b.handle.id):
        from core.complaints import service

        service.create_complaint({"channel": "phone", "content": "b only", "received_at": t("09-10 10:00")}, by=None)
        db.session.commit()
    job(a, "cmp.monthly_statistics", "2026-10-01T02:16:00+08:00")
    job(b, "cmp.weekly_reports", "2026-09-14T09:12:00+08:00")
    [pack] = pack_of(a, "monthly_statistics")
    assert pack.summary["issues"] == 4 and pack.data["open_overdue"]["total"]["open"] == 4
    assert pack_of(b, "monthly_statistics") == [] and pack_of(a, "weekly_report") == []
    [b_week] = pack_of(b, "weekly_report")
    assert b_week.summary["issues"] == 2  # L1 and B's own case of 09-10 (received 09-07..09-13)


def test_each_section_is_one_grouped_query_whatever_the_number_of_cases(make_tenant):
    world = build_world(make_tenant)
    period = rules.custom_period(dt.date(2026, 9, 1), dt.date(2026, 9, 30), "received")

    def statements():
        seen = []

        def count_it(*args):
            seen.append(1)

        engine = db.engine
        event.listen(engine, "before_cursor_execute", count_it)
        try:
            with tenant_scope(world.handle.id):
                report = statistics(period, as_of=t("2026-10-01 02:00"))
                db.session.rollback()
        finally:
            event.remove(engine, "before_cursor_execute", count_it)
        return len(seen), report

    before, small = statements()
    with tenant_scope(world.handle.id):
        from core.complaints import service

        for i in range(30):
            service.create_complaint({"channel": "phone", "content": f"more {i}", "category": "other",
                                      "received_at": t("09-15 09:00") + dt.timedelta(minutes=i)},
                                     by=world.uid("xu"))
        db.session.commit()
    after, big = statements()
    assert big["summary"]["issues"] == small["summary"]["issues"] + 30
    assert after == before
