"""STF-01 the monthly close deducts a month's final fines from pay and, with stf.fund, credits them to
the department fund (PRE-15 after_sales_fund): effective (or upheld/modified) fines only — a fine
still waiting for its slip waits for a later close — once each, through the stf.monthly_close job."""
import datetime as dt

import pytest

from core.db import db
from core.staff import ledger
from core.tenancy import tenant_scope
from tests.helpers import policy_since
from workers.runtime import execute

SH = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def shop(make_tenant):
    a = make_tenant("stf-deduct", "售后服务部")
    wang, wang_token = make_tenant.user(a, "wang", roles=["salesperson"])
    boss, boss_token = make_tenant.user(a, "boss", roles=["dept_manager"])
    return a, wang, wang_token, boss_token


def fine(tenant_id, user_id, amount, day, *, unit="yuan", kind="penalty", to=("approved", "effective")):
    with tenant_scope(tenant_id):
        entry = ledger.record_entry(kind=kind, offence="late_handover", rule_id="STF-02", amount=amount, unit=unit,
                                    user_id=user_id, occurred_at=dt.datetime(2026, 9, day, 10, tzinfo=SH),
                                    reason_zh="逾期", reason_en="late")
        for state in to:
            ledger.move(entry, state, by=None)
        db.session.commit()
        return entry.id


def close(tenant_id, day):
    db.session.rollback()
    at = f"2026-10-{day:02d}T03:07:00+08:00"
    return execute(tenant_id, "stf.monthly_close", {"as_of": at}, dedupe_key=f"close@{at}")


def states(tenant_id, ids):
    with tenant_scope(tenant_id):
        return [ledger.get_entry(i).state for i in ids]


def test_stf01_the_close_deducts_final_fines_and_credits_the_fund(client, shop):
    a, wang, wang_token, boss_token = shop
    policy_since(a.id, "stf", {"fund": "after_sales_fund"}, "2026-01-01")
    effective = fine(a.id, wang, "50", 10)
    waiting = fine(a.id, wang, "30", 12, to=("approved",))  # its slip is not signed yet (STF-20)
    points = fine(a.id, wang, "3", 14, unit="points")
    reward = fine(a.id, wang, "20", 15, kind="reward")
    first = close(a.id, 1)
    assert first["month"] == "2026-09" and first["deduction"]["deducted"] == 1
    assert first["deduction"]["amount"] == "50.00" and first["deduction"]["fund"] == "after_sales_fund"
    assert states(a.id, [effective, waiting, points, reward]) == ["deducted", "approved", "effective", "effective"]
    assert close(a.id, 2)["deduction"] == {"deducted": 0, "amount": "0.00", "fund": None}  # nothing new
    with tenant_scope(a.id):
        ledger.move(ledger.get_entry(waiting), "effective", by=None)  # signed on 10-02
        db.session.commit()
    third = close(a.id, 3)
    assert third["deduction"]["deducted"] == 1 and third["deduction"]["amount"] == "30.00"
    r = client.get("/api/v1/staff/fund-postings?month=2026-09", headers=a.headers(boss_token))
    assert r.status_code == 200
    assert [(p["month"], p["fund"], p["amount"], p["entries"]) for p in r.get_json()] == [
        ("2026-09", "after_sales_fund", "80.00", 2)]
    assert client.get("/api/v1/staff/fund-postings", headers=a.headers(wang_token)).status_code == 403
    decisions = client.get("/api/v1/decisions?rule_id=STF-01&subject_type=staff_month",
                           headers=a.headers()).get_json()
    assert [d["outcome"]["amount"] for d in decisions] == ["30.00", "50.00"]  # newest first
    assert "after_sales_fund" in decisions[1]["reason_zh"]


def test_stf01_without_slips_an_approved_fine_is_final_and_without_a_fund_nothing_is_posted(client, shop):
    a, wang, _wang_token, boss_token = shop
    policy_since(a.id, "stf", {"slip": {"required": False}}, "2026-01-01")
    approved = fine(a.id, wang, "50", 10, to=("approved",))
    proposed = fine(a.id, wang, "40", 11, to=())
    result = close(a.id, 1)["deduction"]
    assert result["deducted"] == 1 and result["fund"] is None
    assert states(a.id, [approved, proposed]) == ["deducted", "proposed"]
    assert client.get("/api/v1/staff/fund-postings", headers=a.headers(boss_token)).get_json() == []


def test_stf01_what_is_deducted_is_what_is_left_after_an_appeal(client, shop):
    a, wang, _wang_token, boss_token = shop
    policy_since(a.id, "stf", {"fund": "after_sales_fund"}, "2026-01-01")
    cut = fine(a.id, wang, "100", 10, to=("approved", "effective", "appealed", "modified"))
    with tenant_scope(a.id):  # the appeal cut it to ¥60 (STF-21): a partial reversal of ¥40
        ledger.reverse(ledger.get_entry(cut), amount="40", by=None, reason_zh="申诉改为60元", reason_en="cut to 60",
                       at=dt.datetime(2026, 9, 20, 10, tzinfo=SH))
        db.session.commit()
    result = close(a.id, 1)["deduction"]
    assert (result["deducted"], result["amount"]) == (1, "60.00")
    postings = client.get("/api/v1/staff/fund-postings", headers=a.headers(boss_token)).get_json()
    assert [(p["amount"], p["entries"]) for p in postings] == [("60.00", 1)]


def test_stf01_a_fine_approved_after_its_months_statement_counts_in_the_month_of_approval(client, shop):
    a, wang, _wang_token, boss_token = shop
    with tenant_scope(a.id):
        counted = ledger.record_entry(kind="penalty", offence="x", rule_id="STF-02", amount="20", user_id=wang,
                                      occurred_at=dt.datetime(2026, 8, 5, 10, tzinfo=SH), state="approved",
                                      reason_zh="迟到", reason_en="late")
        late = ledger.record_entry(kind="penalty", offence="x", rule_id="STF-02", amount="50", user_id=wang,
                                   occurred_at=dt.datetime(2026, 8, 20, 10, tzinfo=SH), reason_zh="逾期",
                                   reason_en="late handover")
        db.session.commit()
        counted_id, late_id = counted.id, late.id
    db.session.rollback()
    execute(a.id, "stf.monthly_close", {"as_of": "2026-09-01T03:07:00+08:00"}, dedupe_key="close-aug")
    august = client.get(f"/api/v1/staff/statements?user_id={wang}&month=2026-08", headers=a.headers(boss_token))
    assert [s["penalty_yuan"] for s in august.get_json()] == ["20.00"]  # the ¥50 was still a proposal
    with tenant_scope(a.id):
        entry = ledger.move(ledger.get_entry(late_id), "approved", by=None, at=dt.datetime(2026, 9, 5, 10, tzinfo=SH))
        assert entry.payroll_month == dt.date(2026, 9, 1) and entry.facts["statement_month_closed"] == "2026-08"
        assert ledger.get_entry(counted_id).payroll_month == dt.date(2026, 8, 1)
        db.session.commit()
    september = client.get(f"/api/v1/staff/totals?user_id={wang}&month=2026-09", headers=a.headers(boss_token))
    assert september.get_json()["penalty_yuan"] == "50.00"
