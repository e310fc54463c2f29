"""RE-33/RE-34: the subscription's fields, copies and versions; the contract and the signing list (pure)."""
from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from plugins.real_estate.policy import RePolicySchema
from plugins.real_estate.subscription_rules import (
    ContractFacts,
    Instalment,
    SubscriptionDraft,
    SubscriptionVersion,
    amendment_check,
    contract_errors,
    copies,
    copies_total,
    edit_check,
    signing_list_row,
    subscription_errors,
)
from plugins.real_estate.unit_rules import move_check

SH = ZoneInfo("Asia/Shanghai")


def settings(**overrides):
    return RePolicySchema().load(overrides)


def draft(**kw):
    base = dict(buyer_name="王芳", unit_id=31502, price=Decimal("1480000"), balance=Decimal("1430000"),
                schedule=(Instalment(dt.date(2026, 10, 10), Decimal("430000")),
                          Instalment(dt.date(2027, 1, 10), Decimal("1000000"))),
                mailing_address="成都市锦江区红星路二段 88 号", postcode="610021", phone="13912345678")
    base.update(kw)
    return SubscriptionDraft(**base)


# ------------------------------------------------------------------ RE-33


def test_re33_a_complete_subscription_has_no_errors():
    assert subscription_errors(draft()) == {}


def test_re33_missing_postcode_is_a_422():
    errors = subscription_errors(draft(postcode=None))
    assert set(errors) == {"postcode"} and "RE-33" in errors["postcode"][0]
    assert set(subscription_errors(draft(postcode="61002"))) == {"postcode"}


def test_re33_every_required_field():
    empty = SubscriptionDraft(buyer_name=" ", unit_id=None, price=None, balance=None)
    assert set(subscription_errors(empty)) == {"buyer_name", "unit_id", "price", "balance", "schedule",
                                               "mailing_address", "postcode", "phone"}
    assert set(subscription_errors(draft(phone="12345"))) == {"phone"}
    assert set(subscription_errors(draft(mailing_address=""))) == {"mailing_address"}


def test_re33_balance_and_schedule_add_up():
    assert set(subscription_errors(draft(balance=Decimal("1500000")))) == {"balance"}
    wrong = subscription_errors(draft(balance=Decimal("1400000")))
    assert set(wrong) == {"schedule"} and "¥1,430,000.00" in wrong["schedule"][0]
    assert subscription_errors(draft(balance=Decimal("0"), schedule=())) == {}  # paid in full: no schedule
    assert set(subscription_errors(draft(schedule=(Instalment(dt.date(2026, 10, 10), "-1"),)))) == {"schedule"}


def test_re33_four_copies_customer_finance_sales():
    s = settings()
    assert [(c.holder, c.count) for c in copies(s)] == [("customer", 1), ("finance", 1), ("sales", 2)]
    assert copies_total(s) == 4
    assert copies_total(settings(subscription={"copies": {"sales": 1}})) == 3


def test_re33_patch_on_a_signed_subscription_is_a_409():
    signed = SubscriptionVersion(subscription_id=9, version=1, signed=True)
    check = edit_check(signed)
    assert not check.allowed and check.status == 409 and check.rule_id == "RE-33"
    assert edit_check(dataclasses.replace(signed, signed=False)).mode == "edit"


def test_re33_an_amendment_with_the_managers_approval_is_v2_and_v1_is_kept():
    signed = SubscriptionVersion(subscription_id=9, version=1, signed=True)
    check = amendment_check(signed, {"sales_manager"})
    assert check.allowed and (check.mode, check.new_version, check.kept_version) == ("new_version", 2, 1)
    assert "v2" in check.reason_en and "第2版" in check.reason_zh
    unapproved = amendment_check(signed, set())
    assert not unapproved.allowed and unapproved.status == 403
    assert amendment_check(signed, {"salesperson"}).status == 403
    assert amendment_check(dataclasses.replace(signed, signed=False), {"sales_manager"}).status == 409


# ------------------------------------------------------------------ RE-34


def contract(**kw):
    base = dict(contract_id=77, subscription_id=9, subscription_signed=True, unit_id=31502, buyer_name="王芳",
                price=Decimal("1480000"), signed_at=dt.datetime(2026, 5, 20, 15, 42, 37, tzinfo=SH),
                salesperson_id=7, custodian_id=12)
    base.update(kw)
    return ContractFacts(**base)


def test_re34_a_signed_contract_gets_its_signing_list_row_the_same_minute():
    facts = contract()
    assert contract_errors(facts) == {}
    row = signing_list_row(facts)
    assert row.listed_at == dt.datetime(2026, 5, 20, 15, 42, tzinfo=SH) and row.rule_id == "RE-34"
    assert (row.contract_id, row.unit_id, row.price, row.salesperson_id) == (77, 31502, Decimal("1480000.00"), 7)
    assert move_check("subscribed", "contracted", {"assistant"}).allowed


def test_re34_the_contract_follows_a_signed_subscription_and_has_a_custodian():
    assert set(contract_errors(contract(subscription_signed=False, custodian_id=None))) == {
        "subscription_id", "custodian_id"}
