"""Pure rules after completion: SVC-14 return visits (due date, monthly rate, the record), SVC-16 record
limit, SVC-23 post-completion documents — with the spec's vectors on the real 2026 calendar (Mid-Autumn
Festival Fri 2026-09-25, National Day 10-01..10-07)."""
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from marshmallow import ValidationError

from core.calendar.policy import calendar_from_policy, load_calendar_policy
from core.service import records_watch_rules as records
from core.service import return_visit_rules as rules
from core.service.policy import SvcPolicySchema

CAL = calendar_from_policy(load_calendar_policy({}), timezone="Asia/Shanghai")
TZ = ZoneInfo("Asia/Shanghai")


def at(*args):
    return dt.datetime(*args, tzinfo=TZ)


@pytest.mark.parametrize("received, through", [
    (at(2026, 9, 24, 16, 30), dt.date(2026, 9, 28)),  # Thu; Fri Mid-Autumn, then the weekend
    (at(2026, 9, 30, 11, 0), dt.date(2026, 10, 8)),  # Wed; National Day 10-01..10-07
    (at(2026, 11, 2, 9, 0), dt.date(2026, 11, 3)),  # an ordinary Monday → Tuesday
])
def test_svc14_visit_due_the_next_working_day(received, through):
    """SVC-14 (1) form received Thu 2026-09-24 → through Mon 09-28; (2) Wed 09-30 → through 10-08."""
    values = SvcPolicySchema().load({})
    due = rules.visit_due(CAL, received, values["return_visit"]["after"])
    assert due.through == through
    assert due.at == at(through.year, through.month, through.day) + dt.timedelta(days=1)  # 24:00 of that day


def test_svc14_ambiguous_alternative_one_calendar_day():
    """SVC-14 ambiguous 次日: the alternative ``1 day`` is the next calendar day, holiday or not."""
    values = SvcPolicySchema().load({"return_visit": {"after": "1 day"}})
    assert rules.visit_due(CAL, at(2026, 9, 24, 16, 30), values["return_visit"]["after"]).through == dt.date(2026, 9, 25)
    assert rules.visit_due(CAL, at(2026, 9, 30, 11), "1 day").through == dt.date(2026, 10, 1)


def test_pm05_repair_preset_within_one_month():
    """PM-05 (1) repair completed 2026-09-10 → visit due through 2026-10-10."""
    assert rules.visit_due(CAL, at(2026, 9, 10, 15), "1 month").through == dt.date(2026, 10, 10)


def test_rate_100_visits_every_order():
    picks = rules.sample_month(5, rate=Decimal("100"))
    assert all(p.selected and p.reason == "all" for p in picks)


def test_pm05_rate_30_percent_twenty_repairs_six_visits():
    """PM-05 (1): 20 repairs in September at 30% → 6 visited (rounded up), spread through the month."""
    picks = rules.sample_month(20, rate=Decimal("30"))
    assert sum(p.selected for p in picks) == 6
    assert [i + 1 for i, p in enumerate(picks) if p.selected] == [1, 4, 7, 11, 14, 17]
    second = picks[1]
    assert (second.selected, second.reason, second.visited_before, second.decided_count) == (False, "rate_met", 1, 2)
    assert "1/2" in second.reason_zh and "30%" in second.reason_en


def test_rate_selection_arithmetic():
    assert rules.select_order(visited_before=3, decided_before=10, rate=Decimal("30")).selected is True  # 300 < 330
    assert rules.select_order(visited_before=4, decided_before=10, rate=Decimal("30")).selected is False  # 400 ≥ 330
    assert rules.select_order(visited_before=0, decided_before=0, rate=Decimal("0")).selected is False


def test_check_record():
    label, errors = rules.check_record(mode="phone", ratings={"attitude": 5, "skill": 4}, outcome="resolved")
    assert (label, errors) == ("电话回访", {})
    label, errors = rules.check_record(mode="on_site", ratings={"attitude": 5, "skill": 4}, outcome="partly")
    assert (label, errors) == (None, {})
    _, errors = rules.check_record(mode="email", ratings={"attitude": 6, "skill": None}, outcome="fine")
    assert set(errors) == {"mode", "attitude", "skill", "outcome"}
    _, errors = rules.check_record(mode="phone", ratings={"attitude": True, "skill": 0}, outcome="unresolved")
    assert set(errors) == {"attitude", "skill"}


def test_cmp63_a_result_not_resolved_is_an_issue():
    assert not rules.raises_issue("resolved")
    assert rules.raises_issue("partly") and rules.raises_issue("unresolved")
    assert rules.unresolved_text("unresolved", " 终端仍不开机 ") == "客户反映问题未解决（unresolved）：终端仍不开机"


def test_svc16_record_due_through_the_end_of_the_next_day():
    """SVC-16 (1): on-site order completed 2026-11-02 17:00 → record due through 2026-11-03 24:00."""
    values = SvcPolicySchema().load({})
    due = records.record_due(CAL, at(2026, 11, 2, 17), values["record_within"])
    assert due.through == dt.date(2026, 11, 3) and due.at == at(2026, 11, 4)


def test_svc16_recorded_means_after_the_latest_completion():
    assert records.is_recorded(at(2026, 11, 2, 17), at(2026, 11, 3, 9))
    assert not records.is_recorded(at(2026, 11, 2, 17), None)
    assert not records.is_recorded(at(2026, 11, 5, 17), at(2026, 11, 3, 9))  # recorded before a rework's completion
    assert (records.record_kind(True), records.record_kind(False)) == ("on_site", "remote")


def test_svc23_post_docs_due_and_missing():
    """SVC-23 (1): implementation ended 2026-07-02 → due through 07-05 (a Sunday: calendar days)."""
    values = SvcPolicySchema().load({"post_docs": {"installation": {
        "within": "3 days", "docs": ["implementation_form", "acceptance_form", "go_live_plan"], "penalty": 500}}})
    spec = values["post_docs"]["installation"]
    assert spec["penalty"] == Decimal("500.00")
    assert records.post_docs_due(CAL, at(2026, 7, 2, 18), spec["within"]).through == dt.date(2026, 7, 5)
    assert records.missing_docs(spec["docs"], ["acceptance_form"]) == ["implementation_form", "go_live_plan"]
    assert records.missing_docs(spec["docs"], spec["docs"]) == []


def test_settings_defaults_and_validation():
    values = SvcPolicySchema().load({})
    assert str(values["return_visit"]["after"]) == "1 working_days"
    assert values["return_visit"]["rate"] == Decimal("100.00") and values["return_visit"]["visitor"] == "cs_agent"
    assert str(values["record_within"]) == "1 days" and values["post_docs"] == {}
    assert SvcPolicySchema().load({"return_visit": {"rate": "30%"}})["return_visit"]["rate"] == Decimal("30.00")
    with pytest.raises(ValidationError) as bad:
        SvcPolicySchema().load({"post_docs": {"installation": {"docs": []}}, "return_visit": {"rate": "130%"}})
    assert set(bad.value.messages) == {"post_docs", "return_visit"}
    assert set(bad.value.messages["post_docs"]["installation"]["value"]) == {"within", "docs"}
