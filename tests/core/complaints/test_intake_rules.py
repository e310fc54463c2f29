"""CMP-01/03/04/14 intake checks as pure rules (no database)."""
import datetime as dt

from core.complaints.case_settings import CORE_TAGS
from core.complaints.intake_rules import DEMANDS, intake_errors, is_anonymous

DAY = dt.date(2026, 9, 18)


def errors(**changes):
    facts = dict(case_type="complaint", channel="phone", accused_user_id=None, signed=False, demands=[], tags=[],
                 tenant_tags=CORE_TAGS, cause=None, causes=[], reported_to=[], received_on=DAY,
                 promised_reply_on=None, complainant_count=1)
    facts.update(changes)
    return intake_errors(**facts)


def test_cmp03_signature_only_for_a_complaint_about_an_employee_taken_in_person():
    assert errors(accused_user_id=7, channel="phone") == {}  # spec test (3): by phone, no witnesses → fine
    assert set(errors(accused_user_id=7, channel="walk_in")) == {"complainant_signed"}
    assert errors(accused_user_id=7, channel="walk_in", signed=True) == {}
    assert errors(channel="walk_in") == {}  # nobody accused
    assert errors(accused_user_id=7, channel="walk_in", case_type="praise") == {}


def test_cmp03_demands_tags_causes_and_reports_are_vocabularies():
    assert errors(demands=list(DEMANDS), tags=["malicious", "motive_vent"]) == {}
    assert set(errors(demands=["free_car"])) == {"demands"}
    assert set(errors(tags=["vip"])) == {"tags"}
    assert errors(cause="rude_staff") == {}  # no cause list kept: free text
    assert set(errors(cause="rude_staff", causes=["water_leak", "noise"])) == {"cause"}
    assert errors(cause="noise", causes=["water_leak", "noise"]) == {}
    assert errors(reported_to=["to_authority", "media"]) == {}
    assert set(errors(reported_to=["to_gm"])) == {"reported_to"}
    assert set(errors(complainant_count=0)) == {"complainant_count"}


def test_cmp01_a_promised_reply_date_belongs_to_a_suggestion_after_its_day():
    assert errors(case_type="suggestion", promised_reply_on=dt.date(2026, 10, 12)) == {}
    assert errors(case_type="suggestion", promised_reply_on=DAY) == {}
    assert set(errors(case_type="suggestion", promised_reply_on=dt.date(2026, 9, 17))) == {"promised_reply_on"}
    assert set(errors(promised_reply_on=dt.date(2026, 10, 12))) == {"promised_reply_on"}


def test_cmp03_anonymous_when_said_or_nothing_identifies_the_complainant():
    assert is_anonymous(True, "刘先生", "+8613800138000", 5)
    assert is_anonymous(False, None, None, None)
    assert is_anonymous(False, "  ", "", None)
    assert not is_anonymous(False, "刘先生", None, None)
    assert not is_anonymous(False, None, "+8613800138000", None)
    assert not is_anonymous(False, None, None, 5)
