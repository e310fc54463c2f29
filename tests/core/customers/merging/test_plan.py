"""CUS-15 merge planning without I/O: the references found in the metadata, which rows move, the undo
window and the reasons."""
import datetime as dt
from zoneinfo import ZoneInfo

from core.calendar.policy import calendar_from_policy, load_calendar_policy
from core.customers.merging import plan
from core.customers.merging.service import OWN_TABLES
from core.db import db

SH = ZoneInfo("Asia/Shanghai")
CAL = calendar_from_policy(load_calendar_policy({}), timezone="Asia/Shanghai")


def test_references_come_from_the_metadata(app):
    refs = {(r.table, r.column): r for r in plan.references(db.metadata, exclude=OWN_TABLES)}
    # the tables the spec names move: contacts, timeline, documents, points, claims
    for table in ("customer_phones", "customer_contacts", "contact_log", "customer_transactions", "customer_documents",
                  "points_entries", "customer_claims", "customer_deals", "ownership_changes"):
        assert refs[(table, "customer_id")].movable, table
    # per-customer rows keyed by the customer itself stay with the tombstone
    for table in ("customer_keys", "customer_ownership", "customer_grades", "key_accounts", "credit_lines"):
        assert not refs[(table, "customer_id")].movable, table
    assert refs[("customer_documents", "customer_id")].uniques == (("item_code",),)
    assert refs[("household_links", "customer_id")].others == ("related_id",)
    assert refs[("household_links", "related_id")].others == ("customer_id",)
    assert ("customer_referrals", "referee_id") in refs and ("points_entries", "referee_id") in refs
    assert not any(table in OWN_TABLES or table == "customers" for table, _ in refs)


def test_references_include_a_table_added_later():
    from sqlalchemy import BigInteger, Column, ForeignKeyConstraint, MetaData, String, Table, UniqueConstraint

    md = MetaData()
    Table("customers", md, Column("tenant_id", BigInteger, primary_key=True), Column("id", BigInteger, primary_key=True))
    Table("work_orders", md, Column("tenant_id", BigInteger, primary_key=True), Column("id", BigInteger, primary_key=True),
          Column("customer_id", BigInteger), Column("code", String),
          ForeignKeyConstraint(["tenant_id", "customer_id"], ["customers.tenant_id", "customers.id"]),
          UniqueConstraint("tenant_id", "customer_id", "code"))
    Table("plugin_state", md, Column("tenant_id", BigInteger, primary_key=True),
          Column("customer_id", BigInteger, primary_key=True),
          ForeignKeyConstraint(["tenant_id", "customer_id"], ["customers.tenant_id", "customers.id"]))
    assert set(plan.references(md)) == {
        plan.Reference("plugin_state", "customer_id", False),
        plan.Reference("work_orders", "customer_id", True, (("code",),)),
    }


A, B = 100, 200


def test_rows_move_unless_a_unique_key_or_a_link_between_the_two_forbids():
    ref = plan.Reference("customer_documents", "customer_id", True, (("item_code",),))
    rows = [plan.Row(3, {}, (("id_copy",),)), plan.Row(1, {}, (("licence",),)), plan.Row(2, {}, ((None,),))]
    decided = plan.plan_rows(ref, rows, {(0, ("id_copy",))}, A, B)
    assert decided.moved == [1, 2]  # NULLs never collide, as in SQL
    assert decided.kept == [(3, plan.KEPT_UNIQUE)]
    # two rows of B with the same key cannot both land on A (cannot happen under the constraint, but safe)
    twice = plan.plan_rows(ref, [plan.Row(5, {}, (("x",),)), plan.Row(6, {}, (("x",),))], set(), A, B)
    assert (twice.moved, twice.kept) == ([5], [(6, plan.KEPT_UNIQUE)])


def test_a_link_between_a_and_b_stays_with_the_tombstone():
    ref = plan.Reference("household_links", "customer_id", True, (("related_id",),), ("related_id",))
    rows = [plan.Row(7, {"related_id": A}, ((A,),)), plan.Row(8, {"related_id": 300}, ((300,),))]
    decided = plan.plan_rows(ref, rows, set(), A, B)
    assert decided.moved == [8] and decided.kept == [(7, plan.KEPT_SELF)]


def test_rows_of_a_table_keyed_by_the_customer_never_move():
    ref = plan.Reference("customer_grades", "customer_id", False)
    decided = plan.plan_rows(ref, [plan.Row(1)], set(), A, B)
    assert decided.moved == [] and decided.kept == []


def test_undo_window_30_days_cal05():
    merged_at = dt.datetime(2026, 5, 5, 10, 0, tzinfo=SH)
    deadline = plan.undo_deadline(CAL, merged_at, "30 days")
    assert deadline == dt.datetime(2026, 6, 5, 0, 0, tzinfo=SH)  # through 2026-06-04
    assert plan.undo_allowed(dt.datetime(2026, 5, 15, 10, 0, tzinfo=SH), deadline)  # day 10 (vector 2)
    assert plan.undo_allowed(dt.datetime(2026, 6, 4, 23, 59, tzinfo=SH), deadline)
    assert not plan.undo_allowed(dt.datetime(2026, 6, 5, 0, 0, tzinfo=SH), deadline)
    assert plan.undo_deadline(CAL, merged_at, "48 hours") == dt.datetime(2026, 5, 7, 10, 0, tzinfo=SH)


def test_reasons_name_both_customers_and_owners():
    zh, en = plan.merge_reasons(A, B, {"owner_id": 1}, {"owner_id": 2}, {"owner_id": 2}, {1: "张三", 2: "李四"})
    assert "#200" in zh and "#100" in zh and "张三" in zh and zh.endswith("合并后归属李四。")
    assert "surviving owner is 李四" in en and "CUS-15" in en and "CUS-21" in en
    zh, en = plan.merge_reasons(A, B, None, None, None, {})
    assert "公共池" in zh and "public pool" in en
    zh, en = plan.undo_reasons(A, B, {"owner_id": 1}, {"owner_id": 2}, {1: "张三", 2: "李四"})
    assert "#100归属张三" in zh and "#200归属李四" in zh and "stay with #100" in en
