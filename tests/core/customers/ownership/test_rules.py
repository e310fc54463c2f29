"""Ownership and protection rules, pure (DOMAIN.md 3.3 CUS-20..CUS-27, CUS-60), with the spec's vectors.

Official 2026 calendar, Asia/Shanghai. Each test names the rule (and vector number) it checks.
"""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from core.calendar import CalendarPolicySchema, Duration, WorkCalendar, calendar_from_policy
from core.customers.ownership.arbitration import ArbitrationCase, Objection, Quarrel, Ruling, arbitrate
from core.customers.ownership.claims import first_claim
from core.customers.ownership.contacts import check_contact_log, classify_contacts
from core.customers.ownership.expiry import expiry_action
from core.customers.ownership.facts import Claim, ContactEvent, Deal, Staff
from core.customers.ownership.settings import OnExpiry, OwnershipPolicySchema, QuarrelRule, load_ownership_policy
from core.customers.ownership.state import ownership_state

SH = ZoneInfo("Asia/Shanghai")
CAL = calendar_from_policy(CalendarPolicySchema().load({}))

A = Staff("A", department="sales1")
B = Staff("B", department="sales1")
C = Staff("C", department="dept1")
D = Staff("D", department="dept2")
M = Staff("M", "刘经理", "Manager Liu", department="sales1")
WQ = Staff("wq", "王强", "Wang Qiang")


def at(y, m, d, hh=0, mm=0, ss=0):
    return dt.datetime(y, m, d, hh, mm, ss, tzinfo=SH)


def policy(**ownership):
    """RE-like preset: fixed 2-month archive (CUS-22); keyword overrides go to ``ownership``."""
    raw = {"ownership": {"mode": "fixed_from_registration", **ownership}}
    return load_ownership_policy(raw)


def rolling_policy(**rolling):
    """CAR-like preset: rolling windows from the card signature (CUS-23, CAR-10)."""
    return load_ownership_policy({
        "ownership": {"mode": "rolling_from_last_valid_contact", "rolling": rolling},
        "claim": {"evidence": ["card_signature"]},
    })


def health_policy(**ownership):
    """Health-product preset (PRE): under-service window, submitted lists, assistant arbiter, ¥100 fines."""
    return load_ownership_policy({
        "ownership": {"mode": "under_service_window", **ownership},
        "claim": {"evidence": ["submitted_list"]},
        "arbitration": {"arbiter": "assistant", "quarrel_consequence": "fine_each:100"},
    })


def register(who, t, record_id=None, **kw):
    return Claim(who, "register", t, record_id, **kw)


def state_of(pol, claims, now, contacts=(), deals=()):
    return ownership_state(pol, CAL, claims, contacts, deals, now)


# ----------------------------------------------------------------- settings schema


def test_schema_defaults_are_the_spec_defaults():
    loaded = OwnershipPolicySchema().load({})
    own = loaded["ownership"]
    assert own["mode"] == "none"  # CUS-20: none for tenants without a preset
    assert own["validity"] == Duration(2, "months") and own["renew_on_contact"] is False  # CUS-22
    rolling = own["rolling"]  # CUS-23
    assert rolling["first_within"] == Duration(3, "days") and rolling["every"] == Duration(7, "days")
    assert rolling["valid_channels"] == ["phone_answered", "visit", "home_visit", "sms", "im"]
    assert rolling["weak_channels"] == ["sms"] and rolling["weak_streak_limit"] == 3
    assert rolling["confirm_from_contact_no"] == 2 and rolling["confirm_within"] == Duration(24, "hours")
    under = own["under_service"]  # CUS-24
    assert under == {"window": Duration(3, "months"), "qualifying": ["event_attended", "home_visit"],
                     "claim_approver": "resource_director"}
    assert own["warn_before"] == Duration(3, "days") and own["on_expiry"] == OnExpiry("claimable")  # CUS-25
    assert loaded["claim"] == {"evidence": ["register", "meeting_record"]}  # CUS-21
    assert loaded["arbitration"] == {  # CUS-27
        "objection_window": Duration(3, "days"), "arbiter": ["dept_manager"], "escalate_to": "gm",
        "quarrel_consequence": QuarrelRule("forfeit_to_department"),
    }


def test_schema_partial_nested_keeps_other_defaults_and_round_trips():
    loaded = load_ownership_policy({"ownership": {"rolling": {"every": "10 days"},
                                                  "on_expiry": "transfer_to_role: dept_manager"},
                                    "arbitration": {"arbiter": ["supervisor", "dept_manager"],
                                                    "quarrel_consequence": "fine_each:100"}})
    assert loaded["ownership"]["rolling"]["every"] == Duration(10, "days")
    assert loaded["ownership"]["rolling"]["first_within"] == Duration(3, "days")
    assert loaded["ownership"]["validity"] == Duration(2, "months")
    assert loaded["ownership"]["on_expiry"] == OnExpiry("transfer_to_role", "dept_manager")
    assert loaded["arbitration"]["quarrel_consequence"] == QuarrelRule("fine_each", Decimal("100.00"))
    assert loaded["arbitration"]["arbiter"] == ["supervisor", "dept_manager"]
    dumped = OwnershipPolicySchema().dump(loaded)
    assert dumped["ownership"]["on_expiry"] == "transfer_to_role:dept_manager"
    assert dumped["ownership"]["rolling"]["every"] == "10 days"
    assert load_ownership_policy(dumped) == loaded


@pytest.mark.parametrize("raw, path", [
    ({"ownership": {"mode": "forever"}}, ("ownership", "mode")),
    ({"ownership": {"validity": "two months"}}, ("ownership", "validity")),
    ({"ownership": {"warn_before": "1 months"}}, ("ownership", "warn_before")),
    ({"ownership": {"on_expiry": "transfer_to_role"}}, ("ownership", "on_expiry")),
    ({"ownership": {"on_expiry": "archive"}}, ("ownership", "on_expiry")),
    ({"ownership": {"rolling": {"valid_channels": ["phone_unanswered"]}}}, ("ownership", "rolling", "valid_channels")),
    ({"ownership": {"rolling": {"valid_channels": ["pigeon"]}}}, ("ownership", "rolling", "valid_channels")),
    ({"ownership": {"rolling": {"weak_channels": ["email"]}}}, ("ownership", "rolling", "weak_channels")),
    ({"ownership": {"rolling": {"weak_streak_limit": -1}}}, ("ownership", "rolling", "weak_streak_limit")),
    ({"ownership": {"rolling": {"weak_streak_limit": "3"}}}, ("ownership", "rolling", "weak_streak_limit")),
    ({"ownership": {"under_service": {"qualifying": ["event_invited"]}}},
     ("ownership", "under_service", "qualifying")),
    ({"ownership": {"under_service": {"qualifying": []}}}, ("ownership", "under_service", "qualifying")),
    ({"ownership": {"under_service": {"claim_approver": "Resource Director"}}},
     ("ownership", "under_service", "claim_approver")),
    ({"claim": {"evidence": []}}, ("claim", "evidence")),
    ({"claim": {"evidence": ["register", "register"]}}, ("claim", "evidence")),
    ({"claim": {"evidence": ["rumour"]}}, ("claim", "evidence")),
    ({"arbitration": {"quarrel_consequence": "fine_each:abc"}}, ("arbitration", "quarrel_consequence")),
    ({"arbitration": {"quarrel_consequence": "fine_each:-5"}}, ("arbitration", "quarrel_consequence")),
    ({"arbitration": {"arbiter": []}}, ("arbitration", "arbiter")),
    ({"arbitration": {"objection_window": "3 fortnights"}}, ("arbitration", "objection_window")),
    ({"ownership": {"colour": "red"}}, ("ownership", "colour")),
    ({"household": {}}, ("household",)),
])
def test_schema_field_level_errors(raw, path):
    with pytest.raises(ValidationError) as info:
        OwnershipPolicySchema().load(raw)
    errors = info.value.messages
    for key in path:
        assert key in errors, (path, errors)
        errors = errors[key]


# ----------------------------------------------------------------- CUS-20


def test_cus20_v1_owner_of_a_customer_claimed_by_b():
    state = state_of(policy(), [register(B, at(2026, 3, 1, 10), 11)], at(2026, 3, 15, 12))
    assert state.summary() == {"owner": "B", "state": "protected", "until": dt.date(2026, 5, 1),
                               "decisions": ["CUS-21", "CUS-22"]}
    record = state.to_decision()
    assert record["rule_id"] == "CUS-22"
    assert record["facts"][0] == {"kind": "claim:register", "record_id": 11,
                                  "at": "2026-03-01T02:00:00+00:00", "detail": "B:claim"}
    assert record["outcome"]["owner"] == "B" and record["outcome"]["valid_through"] == "2026-05-01"
    assert state.decisions[0].to_record()["outcome"]["owner"] == "B"


def test_cus20_reason_template_example():
    state = state_of(policy(), [register(WQ, at(2026, 3, 1, 9, 30))], at(2026, 3, 10))
    assert state.reason_zh == "客户于2026-03-01由王强首访登记，建档有效期至2026-05-01。"
    assert state.reason_en == "Wang Qiang registered the customer on 2026-03-01; the archive is valid through 2026-05-01."


def test_cus20_unowned_without_valid_claim():
    state = state_of(policy(), [], at(2026, 3, 10))
    assert state.status == "unowned" and state.owner is None and state.rule_id == "CUS-20"


def test_cus20_mode_none_keeps_the_first_claim_without_window():
    pol = load_ownership_policy({})
    claims = [register(A, at(2026, 1, 2, 10)), register(B, at(2026, 9, 1, 10))]
    state = state_of(pol, claims, at(2026, 12, 31))
    assert state.status == "protected" and state.owner == A and state.window_end is None
    assert state.rule_ids == ("CUS-21", "CUS-20")


# ----------------------------------------------------------------- CUS-21


def test_cus21_v1_earlier_register_entry_wins():
    claims = [register(B, at(2026, 3, 5, 14, 30), 2), register(A, at(2026, 3, 5, 10, 2), 1)]
    decision = first_claim(policy(), claims, CAL)
    assert decision.owner == A and decision.rule_id == "CUS-21" and not decision.tie
    assert [c.claimant for c in decision.overruled] == [B]
    assert "2026-03-05 10:02" in decision.reason_zh and "CUS-21" in decision.reason_en
    assert state_of(policy(), claims, at(2026, 3, 6)).owner == A


def test_cus21_v2_meeting_record_decides_alone_without_register_entry():
    meeting = Claim(B, "meeting_record", at(2026, 3, 5, 21, 0), 7)  # time = recorded end of the meeting
    claims = [register(A, at(2026, 3, 6, 9, 0), 8), meeting]
    assert first_claim(policy(), claims).owner == B
    state = state_of(policy(), claims, at(2026, 3, 7))
    assert state.owner == B and "经理晚会记录" in state.decisions[0].reason_zh


def test_cus21_meeting_record_corroborates_the_register_entry():
    claims = [register(A, at(2026, 3, 5, 10, 2), 1), Claim(A, "meeting_record", at(2026, 3, 5, 21), 2),
              register(B, at(2026, 3, 5, 14, 30), 3)]
    decision = first_claim(policy(), claims)
    assert decision.owner == A and [c.record_id for c in decision.corroborating] == [2]
    state = state_of(policy(), claims, at(2026, 3, 6))
    assert state.valid_through == dt.date(2026, 5, 5)  # the corroborating record does not renew
    assert {c.record_id: why for c, why in state.overruled} == {2: "corroborates", 3: "owner_protected"}


def test_cus21_v3_expired_evidence_does_not_count():
    claims = [register(A, at(2026, 1, 2, 10), 1), register(B, at(2026, 3, 10, 10), 2)]
    state = state_of(policy(), claims, at(2026, 3, 11))
    assert state.owner == B and state.status == "protected" and state.valid_through == dt.date(2026, 5, 10)
    assert state.history[0].owner == A and state.history[0].end == at(2026, 3, 3)
    first = state.decisions[0]
    assert first.rule_id == "CUS-21" and "2026-03-02" in first.reason_zh and "2026-03-02" in first.reason_en
    # without windows (mode none) A's evidence would still win
    assert first_claim(policy(), claims).owner == A


def test_cus21_only_accepted_and_confirmed_evidence_counts():
    car = rolling_policy()
    claims = [register(A, at(2026, 6, 1, 9)), Claim(B, "card_signature", at(2026, 6, 1, 16)),
              Claim(C, "card_signature", at(2026, 6, 1, 8), confirmed=False)]  # CUS-06: unconfirmed
    decision = first_claim(car, claims)
    assert decision.owner == B
    assert sorted(why for _, why in decision.ignored) == ["evidence_not_accepted", "unconfirmed"]


def test_cus21_same_instant_is_a_tie_for_arbitration():
    t = at(2026, 3, 5, 10)
    decision = first_claim(policy(), [register(B, t, 5), register(A, t, 4)])
    assert decision.owner == A and decision.tie and "CUS-27" in decision.reason_en


def test_re10_v1_first_visit_principle():
    claims = [register(A, at(2026, 5, 4, 10, 12)), register(B, at(2026, 5, 4, 15, 40))]
    assert first_claim(policy(), claims).owner == A


def test_car15_v1_duplicate_cards_first_signature_wins():
    fang, gao = Staff("fang", "方"), Staff("gao", "高")
    claims = [Claim(gao, "card_signature", at(2026, 6, 2, 11)), Claim(fang, "card_signature", at(2026, 6, 2, 9, 30))]
    assert first_claim(rolling_policy(), claims).owner == fang


def test_cus14_v1_household_claims_pooled_earliest_owns():
    wife = register(B, at(2026, 3, 20, 10), 1)
    husband = register(A, at(2026, 4, 2, 10), 2)
    assert state_of(policy(), [wife, husband], at(2026, 4, 3)).owner == B


def test_cus15_v1_merge_keeps_the_earliest_valid_claim():
    claims = [register(C, at(2026, 5, 1, 10)), register(D, at(2026, 4, 20, 10))]
    assert state_of(policy(), claims, at(2026, 5, 2)).owner == D


# ----------------------------------------------------------------- CUS-22


def test_cus22_v1_protected_through_and_return_visit_stays_b():
    claims = [register(B, at(2026, 3, 1, 10), 1), register(A, at(2026, 4, 15, 10), 2)]
    visit = ContactEvent("visit", at(2026, 4, 15, 10), by=B)
    state = state_of(policy(), claims, at(2026, 4, 15, 12), contacts=[visit])
    assert state.owner == B and state.status == "protected"
    assert state.valid_through == dt.date(2026, 5, 1) and state.window_end == at(2026, 5, 2)  # 05-01 holiday: no roll
    assert state.overruled == ((claims[1], "owner_protected"),)


def test_re11_v1_archive_valid_through():
    assert state_of(policy(), [register(B, at(2026, 3, 1))], at(2026, 3, 2)).valid_through == dt.date(2026, 5, 1)


def test_cus22_v2_return_after_validity_is_claimable_then_new_claim():
    b = register(B, at(2026, 3, 1, 10), 1)
    state = state_of(policy(), [b], at(2026, 5, 2, 9))
    assert state.status == "claimable" and state.owner == B and state.end_reason == "expired"
    assert state.ended_at == at(2026, 5, 2) and state.rule_ids == ("CUS-21", "CUS-22", "CUS-25")
    a = register(A, at(2026, 5, 2, 10), 2)
    state = state_of(policy(), [b, a], at(2026, 5, 2, 11))
    assert state.owner == A and state.status == "protected" and state.valid_through == dt.date(2026, 7, 2)
    assert [p.owner for p in state.history] == [B]


def test_cus22_v3_renew_on_contact_extends_window():
    b = register(B, at(2026, 3, 1, 10))
    visit = ContactEvent("visit", at(2026, 4, 15, 15), by=B, record_id=40)
    state = state_of(policy(renew_on_contact=True), [b], at(2026, 5, 20), contacts=[visit])
    assert state.status == "protected" and state.valid_through == dt.date(2026, 6, 15)
    assert "续期" in state.reason_zh and "renewed" in state.reason_en
    # default: contacts do not renew
    assert state_of(policy(), [b], at(2026, 5, 20), contacts=[visit]).status == "claimable"


def test_cus22_renewal_ignores_unanswered_calls_and_other_employees():
    b = register(B, at(2026, 3, 1, 10))
    contacts = [ContactEvent("phone_unanswered", at(2026, 4, 20), by=B), ContactEvent("visit", at(2026, 4, 21), by=A)]
    state = state_of(policy(renew_on_contact=True), [b], at(2026, 4, 22), contacts=contacts)
    assert state.valid_through == dt.date(2026, 5, 1)


# ----------------------------------------------------------------- CUS-23 (and CAR-11..CAR-14)


def card(who, t, record_id=None):
    return Claim(who, "card_signature", t, record_id)


def test_cus23_v1_no_first_contact_voids_the_claim():
    claims = [card(A, at(2026, 6, 1, 15), 1)]
    before = state_of(rolling_policy(), claims, at(2026, 6, 4, 23, 59, 59))
    assert before.status == "expiring" and before.valid_through == dt.date(2026, 6, 4)
    after = state_of(rolling_policy(), claims, at(2026, 6, 5))
    assert after.status == "claimable" and after.ended_at == at(2026, 6, 5)
    assert after.end_reason == "void_missed_contact"
    assert "作废" in after.decisions[1].reason_zh and "void" in after.decisions[1].reason_en


def test_car11_v1_first_return_visit_within_3_days():
    state = state_of(rolling_policy(), [card(A, at(2026, 6, 1, 15))], at(2026, 6, 5, 0, 5))
    assert state.ended_at == at(2026, 6, 5) and state.rule_ids[1] == "CUS-23"


def test_cus23_v2_confirmed_second_contact_sets_next_due():
    contacts = [ContactEvent("phone_answered", at(2026, 6, 3, 11), by=A, record_id=1),
                ContactEvent("phone_answered", at(2026, 6, 9, 10), by=A, record_id=2,
                             confirmed_at=at(2026, 6, 9, 18))]
    state = state_of(rolling_policy(), [card(A, at(2026, 6, 1, 15))], at(2026, 6, 10), contacts)
    assert state.status == "protected" and state.valid_through == dt.date(2026, 6, 16)
    assert state.last_contact.number == 2 and state.last_contact.valid_date == dt.date(2026, 6, 9)
    assert "2026-06-16" in state.reason_zh and "due through 2026-06-16" in state.reason_en


def test_cus23_v3_three_sms_in_a_row_void_the_claim():
    contacts = [ContactEvent("sms", at(2026, 6, 3, 10), by=A, record_id=1),
                ContactEvent("sms", at(2026, 6, 9, 10), by=A, record_id=2, confirmed_at=at(2026, 6, 9, 12)),
                ContactEvent("sms", at(2026, 6, 15, 10), by=A, record_id=3, confirmed_at=at(2026, 6, 15, 12))]
    claims = [card(A, at(2026, 6, 1, 15))]
    verdicts = classify_contacts(rolling_policy(), CAL, contacts)
    assert [v.code for v in verdicts] == ["valid", "valid", "weak_streak"] and not verdicts[2].valid
    before = state_of(rolling_policy(), claims, at(2026, 6, 15, 9), contacts)
    assert before.status == "expiring" and before.valid_through == dt.date(2026, 6, 16)
    state = state_of(rolling_policy(), claims, at(2026, 6, 15, 12), contacts)
    assert state.status == "claimable" and state.end_reason == "void_weak_streak"
    assert state.ended_at == at(2026, 6, 15, 10)
    assert state.rule_ids == ("CUS-21", "CUS-23", "CUS-25")
    assert "连续第3次" in state.decisions[1].reason_zh and "3rd consecutive" in state.decisions[1].reason_en


def test_car13_v2_sms_streak_broken_by_a_call():
    contacts = [ContactEvent("sms", at(2026, 6, 3, 10), by=A),
                ContactEvent("phone_answered", at(2026, 6, 9, 10), by=A, confirmed_at=at(2026, 6, 9, 12)),
                ContactEvent("sms", at(2026, 6, 15, 10), by=A, confirmed_at=at(2026, 6, 15, 12))]
    state = state_of(rolling_policy(), [card(A, at(2026, 6, 1, 15))], at(2026, 6, 16), contacts)
    assert state.status == "protected" and state.valid_through == dt.date(2026, 6, 22)


def test_cus23_unanswered_call_does_not_break_an_sms_streak():
    contacts = [ContactEvent("sms", at(2026, 6, 3, 10), by=A),
                ContactEvent("phone_unanswered", at(2026, 6, 5, 10), by=A),
                ContactEvent("sms", at(2026, 6, 9, 10), by=A, confirmed_at=at(2026, 6, 9, 12)),
                ContactEvent("sms", at(2026, 6, 15, 10), by=A, confirmed_at=at(2026, 6, 15, 12))]
    state = state_of(rolling_policy(), [card(A, at(2026, 6, 1, 15))], at(2026, 6, 16), contacts)
    assert state.end_reason == "void_weak_streak"


def test_car12_signed_visit_validity_and_weekly_cadence():
    claims = [card(A, at(2026, 6, 1, 9))]
    contacts = [ContactEvent("phone_answered", at(2026, 6, 3, 10), by=A, record_id=1),
                ContactEvent("phone_answered", at(2026, 6, 9, 10), by=A, record_id=2, confirmed_at=at(2026, 6, 9, 18)),
                ContactEvent("phone_answered", at(2026, 6, 15, 10), by=A, record_id=3,
                             confirmed_at=at(2026, 6, 17, 9))]
    pol = rolling_policy()
    assert state_of(pol, claims, at(2026, 6, 12), contacts).valid_through == dt.date(2026, 6, 16)
    waiting = state_of(pol, claims, at(2026, 6, 17, 8), contacts)  # signature not given yet
    assert waiting.status == "protected" and waiting.pending_confirmation == (3,) and waiting.provisional
    assert waiting.valid_through == dt.date(2026, 6, 22)
    signed = state_of(pol, claims, at(2026, 6, 17, 10), contacts)
    assert signed.last_contact.code == "late_confirmation" and signed.last_contact.valid_date == dt.date(2026, 6, 17)
    assert signed.valid_through == dt.date(2026, 6, 24) and not signed.pending_confirmation
    void = state_of(pol, claims, at(2026, 6, 25), contacts)
    assert void.status == "claimable" and void.ended_at == at(2026, 6, 25)


def test_cus23_confirmation_after_the_contacts_own_window_cannot_revive():
    claims = [card(A, at(2026, 6, 1, 9))]
    contacts = [ContactEvent("phone_answered", at(2026, 6, 3, 10), by=A),
                ContactEvent("phone_answered", at(2026, 6, 9, 10), by=A, confirmed_at=at(2026, 6, 20, 9))]
    early = state_of(rolling_policy(), claims, at(2026, 6, 17), contacts)
    late = state_of(rolling_policy(), claims, at(2026, 6, 21), contacts)
    assert early.ended_at == late.ended_at == at(2026, 6, 17)


def test_car14_v1_void_card_transferred_restarts_the_rules():
    fang = Staff("fang", "方")
    claims = [card(A, at(2026, 6, 1, 9), 1), card(fang, at(2026, 6, 26, 10), 2)]
    contacts = [ContactEvent("phone_answered", at(2026, 6, 3, 10), by=A),
                ContactEvent("phone_answered", at(2026, 6, 9, 10), by=A, confirmed_at=at(2026, 6, 9, 18)),
                ContactEvent("phone_answered", at(2026, 6, 15, 10), by=A, confirmed_at=at(2026, 6, 17, 9))]
    state = state_of(rolling_policy(), claims, at(2026, 6, 26, 11), contacts)
    assert state.owner == fang and state.since == at(2026, 6, 26, 10)
    assert state.valid_through == dt.date(2026, 6, 29)
    assert state.history[0].end == at(2026, 6, 25) and state.history[0].end_reason == "void_missed_contact"


# ----------------------------------------------------------------- CUS-24


def health_claim(who, t, record_id=None, **kw):
    return Claim(who, "submitted_list", t, record_id, **kw)


def under_service_facts():
    claims = [health_claim(C, at(2026, 1, 15, 10), 1)]
    contacts = [ContactEvent("event_attended", at(2026, 2, 10, 14), by=C, record_id=21),
                ContactEvent("event_invited", at(2026, 4, 20, 10), by=C, record_id=22)]
    return claims, contacts


def test_cus24_v1_invitation_not_attended_does_not_qualify():
    claims, contacts = under_service_facts()
    state = state_of(health_policy(), claims, at(2026, 5, 10, 23, 59), contacts)
    assert state.owner == C and state.valid_through == dt.date(2026, 5, 10)
    assert state.last_contact.contact.record_id == 21
    assert "不属合格服务" in state.reason_zh
    state = state_of(health_policy(), claims, at(2026, 5, 11), contacts)
    assert state.status == "claimable" and state.ended_at == at(2026, 5, 11)
    assert state.end_reason == "no_qualifying_service" and "2026-05-11" in state.decisions[1].reason_zh


def test_cus24_v2_other_department_claim_approved_by_director():
    claims, contacts = under_service_facts()
    director = Staff("dir", "赵敏", "Zhao Min")
    takeover = health_claim(D, at(2026, 5, 12, 10), 2, approved_at=at(2026, 5, 13, 11), approved_by=director)
    pending = health_claim(D, at(2026, 5, 12, 10), 2)
    waiting = state_of(health_policy(), claims + [pending], at(2026, 5, 12, 12), contacts)
    assert waiting.owner == C and waiting.status == "claimable" and waiting.pending_claims == (pending,)
    state = state_of(health_policy(), claims + [takeover], at(2026, 5, 14), contacts)
    assert state.owner == D and state.department == "dept2" and state.since == at(2026, 5, 13, 11)
    assert state.valid_through == dt.date(2026, 8, 13)
    first = state.decisions[0]
    assert first.rule_id == "CUS-24"
    for day in ("2026-02-10", "2026-05-10", "2026-05-11", "2026-05-12", "2026-05-13"):
        assert day in first.reason_zh and day in first.reason_en
    assert {f.kind for f in first.facts} >= {"claim:submitted_list", "approval", "window_end"}


def test_cus24_takeover_during_protection_is_overruled():
    claims, contacts = under_service_facts()
    early = health_claim(D, at(2026, 4, 1, 10), 3, approved_at=at(2026, 4, 2, 10))
    state = state_of(health_policy(), claims + [early], at(2026, 4, 3), contacts)
    assert state.owner == C and state.overruled == ((early, "owner_protected"),)


def test_cus24_v3_home_visit_extends_protection():
    claims, contacts = under_service_facts()
    contacts.append(ContactEvent("home_visit", at(2026, 5, 9, 15), by=C, record_id=23))
    state = state_of(health_policy(), claims, at(2026, 5, 20), contacts)
    assert state.status == "protected" and state.valid_through == dt.date(2026, 8, 9)


# ----------------------------------------------------------------- CUS-25


def test_cus25_v1_warning_three_days_before():
    claims = [register(B, at(2026, 3, 1, 10))]
    state = state_of(policy(), claims, at(2026, 4, 27, 23, 59))
    assert state.status == "protected" and state.warning_from == dt.date(2026, 4, 28)
    assert state.warning_at == at(2026, 4, 28)
    state = state_of(policy(), claims, at(2026, 4, 28, 0, 5))
    assert state.status == "expiring" and "2026-04-28" in state.reason_zh and "CUS-25" in state.reason_en


def test_cus25_v2_transfer_to_role_at_window_end():
    pol = policy(on_expiry="transfer_to_role: dept_manager")
    claims = [register(B, at(2026, 3, 1, 10), 1)]
    state = state_of(pol, claims, at(2026, 5, 2))
    assert state.status == "claimable" and state.pending_action == OnExpiry("transfer_to_role", "dept_manager")
    outcome = expiry_action(pol, state, successor=M)
    assert outcome.rule_id == "CUS-25" and outcome.at == at(2026, 5, 2)
    assert outcome.new_owner == M and outcome.previous_owner == B and outcome.status == "protected"
    assert "部门经理刘经理" in outcome.reason_zh and "department manager Manager Liu" in outcome.reason_en
    after = state_of(pol, claims + [outcome.assignment()], at(2026, 5, 3))
    assert after.owner == M and after.status == "protected" and after.rule_ids[0] == "CUS-25"
    assert after.valid_through == dt.date(2026, 7, 2)


def test_cus25_release_to_pool_and_pending_reassign():
    claims = [register(B, at(2026, 3, 1, 10))]
    released = state_of(policy(on_expiry="release_to_pool"), claims, at(2026, 5, 2))
    assert released.status == "unowned" and released.owner is None and released.previous_owner == B
    assert released.rule_id == "CUS-25" and "公海" in released.reason_zh
    again = state_of(policy(on_expiry="release_to_pool"), claims + [register(A, at(2026, 5, 5))], at(2026, 5, 6))
    assert again.owner == A
    pol = policy(on_expiry="reassign")
    pending = state_of(pol, claims, at(2026, 5, 2))
    assert pending.status == "claimable" and pending.pending_action == OnExpiry("reassign")
    outcome = expiry_action(pol, pending)
    assert outcome.new_owner is None and outcome.status == "claimable" and outcome.assignment() is None
    assert expiry_action(pol, state_of(pol, claims, at(2026, 4, 1))) is None


# ----------------------------------------------------------------- CUS-26


def test_cus26_v1_deal_locks_ownership():
    claims = [register(B, at(2026, 3, 1, 10)), register(C, at(2026, 6, 1, 10))]
    deal = Deal(at(2026, 4, 20, 15), A, "subscription", 812)
    for now in (at(2026, 4, 21), at(2026, 6, 2)):  # the 2-month window no longer matters
        state = state_of(policy(), claims, now, deals=[deal])
        assert state.status == "locked" and state.owner == A and state.window_end is None
        assert state.rule_id == "CUS-26" and state.facts[0].record_id == 812
    assert state.overruled == ((claims[1], "locked"),)
    assert "业绩归属人A" in state.reason_zh


def test_cus26_assignment_after_deal_stays_locked():
    deal = Deal(at(2026, 4, 20), A, "subscription")
    moved = Claim(B, "assignment", at(2026, 7, 1), rule_id="CUS-33")
    state = state_of(policy(), [register(A, at(2026, 3, 1)), moved], at(2026, 7, 2), deals=[deal])
    assert state.status == "locked" and state.owner == B and state.rule_id == "CUS-33"


# ----------------------------------------------------------------- CUS-27


def test_cus27_v1_objection_then_manager_upholds():
    claims = (register(B, at(2026, 5, 4, 10), 1), register(A, at(2026, 5, 4, 15), 2))
    case = ArbitrationCase(at(2026, 5, 10, 9), claims=claims,
                           objections=(Objection(A, at(2026, 5, 12, 10), 31),),
                           rulings=(Ruling("dept_manager", M, at(2026, 5, 14, 10), "uphold", record_id=32),))
    pending = arbitrate(policy(), CAL, case, at(2026, 5, 12, 11))
    assert pending.status == "awaiting_arbiter" and pending.proposed_owner == B
    assert pending.objection_through == dt.date(2026, 5, 13) and pending.assigned_roles == ("dept_manager",)
    final = arbitrate(policy(), CAL, case, at(2026, 5, 14, 11))
    assert final.status == "final" and final.final_owner == B and final.decided_by == M
    assert final.rule_id == "CUS-27" and "维持建议" in final.reason_zh and "upheld" in final.reason_en
    assert final.assignment() == Claim(B, "assignment", at(2026, 5, 14, 10), rule_id="CUS-27")
    assert {f.record_id for f in final.facts} >= {1, 2, 31, 32}


def test_cus27_without_objection_the_proposal_becomes_final():
    claims = (register(B, at(2026, 5, 4, 10)), register(A, at(2026, 5, 4, 15)))
    case = ArbitrationCase(at(2026, 5, 10, 9), claims=claims, objections=(Objection(A, at(2026, 5, 14, 9)),))
    assert arbitrate(policy(), CAL, case, at(2026, 5, 13, 12)).status == "objection_window"
    final = arbitrate(policy(), CAL, case, at(2026, 5, 14, 10))
    assert final.status == "final" and final.final_owner == B and final.decided_at == at(2026, 5, 14)
    assert len(final.late_objections) == 1 and "异议期" in final.reason_zh


def test_cus27_v2_health_quarrel_fines_each_party():
    case = ArbitrationCase(at(2026, 5, 10, 9), claims=(health_claim(A, at(2026, 5, 1)), health_claim(B, at(2026, 5, 2))),
                           quarrels=(Quarrel((A, B), at(2026, 5, 10, 10), 77),))
    outcome = arbitrate(health_policy(), CAL, case, at(2026, 5, 10, 11))
    fines = [(c.kind, c.party, c.amount) for c in outcome.consequences]
    assert fines == [("fine", A, Decimal("100.00")), ("fine", B, Decimal("100.00"))]
    assert "各罚款¥100.00" in outcome.reason_zh and outcome.status == "objection_window"


def test_cus27_v3_assistant_cannot_decide_escalates_to_gm():
    assistant, gm = Staff("as", "助理"), Staff("gm", "总经理")
    case = ArbitrationCase(at(2026, 5, 10, 9), claims=(health_claim(A, at(2026, 5, 1)), health_claim(B, at(2026, 5, 2))),
                           objections=(Objection(B, at(2026, 5, 11)),),
                           rulings=(Ruling("assistant", assistant, at(2026, 5, 12), "cannot_decide"),
                                    Ruling("dept_manager", M, at(2026, 5, 12, 10), "uphold"),
                                    Ruling("gm", gm, at(2026, 5, 15), "overturn", owner=B)))
    escalated = arbitrate(health_policy(), CAL, case, at(2026, 5, 13))
    assert escalated.status == "escalated" and escalated.assigned_roles == ("gm",)
    assert "总经理" in escalated.reason_zh and "escalated to the general manager" in escalated.reason_en
    final = arbitrate(health_policy(), CAL, case, at(2026, 5, 16))
    assert final.status == "final" and final.final_owner == B and final.decided_by == gm


def test_cus27_quarrel_forfeits_to_department_and_joint_arbiters():
    claims = (register(B, at(2026, 5, 4, 10)), register(A, at(2026, 5, 4, 15)))
    case = ArbitrationCase(at(2026, 5, 10, 9), claims=claims, department="sales1",
                           quarrels=(Quarrel((A, B), at(2026, 5, 10, 10)),))
    outcome = arbitrate(policy(), CAL, case, at(2026, 5, 10, 11))
    assert outcome.status == "final" and outcome.final_owner is None and outcome.final_department == "sales1"
    assert outcome.assignment() is None
    joint = load_ownership_policy({"ownership": {"mode": "fixed_from_registration"},
                                   "arbitration": {"arbiter": ["supervisor", "dept_manager"],
                                                   "quarrel_consequence": "dismissal_flag_each"}})
    sup = Staff("sup")
    case = ArbitrationCase(at(2026, 5, 10, 9), claims=claims, objections=(Objection(A, at(2026, 5, 11)),),
                           quarrels=(Quarrel((A, B), at(2026, 5, 10, 10)),),
                           rulings=(Ruling("supervisor", sup, at(2026, 5, 12), "uphold"),
                                    Ruling("dept_manager", M, at(2026, 5, 12, 1), "overturn", owner=A)))
    outcome = arbitrate(joint, CAL, case, at(2026, 5, 12, 2))
    assert [c.kind for c in outcome.consequences] == ["dismissal_flag", "dismissal_flag"]
    assert outcome.status == "escalated"  # the two arbiters disagree


# ----------------------------------------------------------------- CUS-60


def test_cus60_v1_on_site_visit_needs_signature():
    visit = ContactEvent("on_site", at(2026, 6, 3, 10))
    rejected = check_contact_log(visit)
    assert rejected.status == "rejected" and rejected.field == "customer_signed" and rejected.rule_id == "CUS-60"
    assert check_contact_log(visit, offline_capture=True).status == "pending_signature"
    signed = ContactEvent("on_site", at(2026, 6, 3, 10), customer_signed=True)
    assert check_contact_log(signed).status == "accepted"


def test_cus60_v2_unanswered_call_logged_but_not_valid():
    call = ContactEvent("phone_unanswered", at(2026, 6, 3, 10), by=A, record_id=9)
    assert check_contact_log(call).status == "accepted"
    (verdict,) = classify_contacts(rolling_policy(), CAL, [call])
    assert not verdict.valid and verdict.code == "unanswered" and "CUS-23" in verdict.reason_en
    state = state_of(rolling_policy(), [card(A, at(2026, 6, 1, 15))], at(2026, 6, 5), [call])
    assert state.status == "claimable"


def test_cus60_channels_outside_policy_do_not_count():
    contacts = [ContactEvent("email", at(2026, 6, 2), by=A), ContactEvent("visit", at(2026, 6, 3), by=B),
                ContactEvent("visit", at(2026, 5, 30), by=A)]
    verdicts = classify_contacts(rolling_policy(), CAL, contacts, owner=A, since=at(2026, 6, 1))
    assert [v.code for v in verdicts] == ["before_claim", "channel_not_valid", "other_employee"]


def test_cus23_working_day_cadence_setting():
    pol = rolling_policy(first_within="3 working_days")
    state = state_of(pol, [card(A, at(2026, 9, 30, 10))], at(2026, 10, 1))
    assert state.valid_through == dt.date(2026, 10, 10)  # CAL-03: National Day, make-up Sat 10-10


# ----------------------------------------------------------------- properties

FAST = settings(max_examples=120, deadline=None, database=None)
START = at(2026, 6, 1, 9)
offsets = st.integers(min_value=0, max_value=40 * 24 * 60)  # minutes after START
kinds = st.sampled_from(["phone_answered", "sms", "visit", "phone_unanswered", "email"])
confirm_delays = st.one_of(st.none(), st.integers(min_value=0, max_value=10 * 24 * 60))


@st.composite
def contact_lists(draw):
    result = []
    for i, (offset, kind, delay) in enumerate(draw(st.lists(st.tuples(offsets, kinds, confirm_delays), max_size=8))):
        t = START + dt.timedelta(minutes=offset)
        confirmed = None if delay is None else t + dt.timedelta(minutes=delay)
        result.append(ContactEvent(kind, t, by=A, record_id=i, confirmed_at=confirmed))
    return result


@FAST
@given(contact_lists(), offsets, st.sampled_from(["phone_answered", "visit"]))
def test_cus23_property_valid_contact_never_shortens_rolling_window(contacts, offset, kind):
    pol, claims, now = rolling_policy(), [card(A, START)], START + dt.timedelta(days=60)
    before = state_of(pol, claims, now, contacts)
    extra = ContactEvent(kind, START + dt.timedelta(minutes=offset), by=A, record_id=99)
    after = state_of(pol, claims, now, contacts + [extra])
    assert after.window_end >= before.window_end


@FAST
@given(st.sampled_from(["rolling", "fixed", "fixed_renew", "under_service"]), contact_lists(), offsets, offsets)
def test_cus22_23_24_property_expiry_is_monotonic_in_now(mode, contacts, t1, t2):
    pol = {
        "rolling": rolling_policy(),
        "fixed": policy(validity="10 days"),
        "fixed_renew": policy(validity="10 days", renew_on_contact=True),
        "under_service": load_ownership_policy({"ownership": {
            "mode": "under_service_window", "under_service": {"window": "5 days", "qualifying": ["visit", "sms"]}}}),
    }[mode]
    claims = [Claim(A, "card_signature" if mode == "rolling" else "register", START)]
    early, late = sorted((START + dt.timedelta(minutes=t1), START + dt.timedelta(minutes=t2)))
    first, second = state_of(pol, claims, early, contacts), state_of(pol, claims, late, contacts)
    if first.ended_at is not None:  # once over, always over, at the same instant
        assert second.ended_at == first.ended_at and second.status == "claimable"
    else:  # nothing ends retroactively (a weak streak may end it early, but only after ``early``)
        assert second.window_end > early
        if second.end_reason != "void_weak_streak":
            assert second.window_end >= first.window_end


@FAST
@given(st.lists(st.tuples(st.sampled_from([A, B, C]), st.sampled_from(["register", "meeting_record"]), offsets),
                min_size=1, max_size=6), st.randoms())
def test_cus21_property_first_claim_is_the_earliest_and_order_independent(items, rnd):
    claims = [Claim(who, kind, START + dt.timedelta(minutes=o), i) for i, (who, kind, o) in enumerate(items)]
    decision = first_claim(policy(), claims)
    shuffled = list(claims)
    rnd.shuffle(shuffled)
    assert first_claim(policy(), shuffled).claim == decision.claim
    assert decision.claim.at == min(c.at for c in claims)


def test_calendar_built_directly_gives_the_same_windows():
    direct = ownership_state(policy(), WorkCalendar(), [register(B, at(2026, 3, 1))], (), (), at(2026, 3, 2))
    assert direct.valid_through == dt.date(2026, 5, 1)
