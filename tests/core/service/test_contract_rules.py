"""Service contracts, pure (SVC-20 periods and serials, SVC-21 reminder day and notice, SVC-22 payment
limit and the renewed period), with the spec's vectors and real 2026 dates."""
import datetime as dt

import pytest
from marshmallow import ValidationError

from core.calendar import Duration
from core.calendar.workcalendar import WorkCalendar
from core.service import contract_rules as rules
from core.service.policy import SvcPolicySchema

D = dt.date


def test_svc20_period_from_the_installation_date():
    """SVC-20 (1): signed 2026-03-01, installed 2026-03-10, 1 year → 2026-03-10..2027-03-09."""
    start, basis = rules.first_start(D(2026, 3, 1), D(2026, 3, 10), "installation")
    assert (start, basis) == (D(2026, 3, 10), "installation")
    assert rules.period_end(start, "1 years") == D(2027, 3, 9)


def test_svc20_without_installation_the_period_starts_at_signing():
    """SVC-20 (2): no installation date → 2026-03-01..2027-02-28."""
    start, basis = rules.first_start(D(2026, 3, 1), None, "installation")
    assert (start, basis) == (D(2026, 3, 1), "signing")
    assert rules.period_end(start, Duration(1, "years")) == D(2027, 2, 28)


def test_svc20_setting_signing_ignores_the_installation():
    assert rules.first_start(D(2026, 3, 1), D(2026, 3, 10), "signing") == (D(2026, 3, 1), "signing")
    with pytest.raises(ValueError):
        rules.first_start(D(2026, 3, 1), None, "delivery")


@pytest.mark.parametrize("start, term, end", [
    (D(2026, 11, 15), "1 years", D(2027, 11, 14)),  # SVC-22 renewed period
    (D(2026, 5, 1), "1 months", D(2026, 5, 31)),
    (D(2026, 1, 31), "1 months", D(2026, 2, 28)),  # no 02-31: the month's last day
    (D(2026, 3, 31), "1 months", D(2026, 4, 30)),
    (D(2027, 3, 1), "1 years", D(2028, 2, 29)),  # the leap day is covered
    (D(2028, 2, 29), "1 years", D(2029, 2, 28)),
    (D(2026, 3, 10), "30 days", D(2026, 4, 8)),  # start day counted
    (D(2026, 3, 10), "2 weeks", D(2026, 3, 23)),
    (D(2026, 3, 10), "3 years", D(2029, 3, 9)),
])
def test_svc20_periods_include_their_start_day(start, term, end):
    assert rules.period_end(start, term) == end


def test_consecutive_periods_leave_no_gap():
    period = rules.Period(1, D(2026, 1, 31), rules.period_end(D(2026, 1, 31), "1 months"))
    for seq in range(2, 14):
        nxt = rules.renewed_period(period.ends_on, "1 months", seq)
        assert nxt.starts_on == period.ends_on + dt.timedelta(days=1) and nxt.ends_on > nxt.starts_on
        period = nxt
    assert period.ends_on == D(2027, 2, 28)


def test_terms_are_calendar_periods():
    assert rules.term_errors("1 years") == [] and rules.term_errors("6 months") == []
    assert rules.term_errors("3 working_days") == ["a term is counted in days, weeks, months, years"]
    assert rules.term_errors("0 years") == ["a term is at least 1"]
    assert rules.term_errors("a year")[0].startswith("invalid duration")


def test_svc20_serials_are_fresh_licence_keys():
    serials = {rules.new_serial() for _ in range(200)}
    assert len(serials) == 200
    for serial in serials:
        groups = serial.split("-")
        assert len(groups) == 4 and all(len(g) == 4 and set(g) <= set(rules.SERIAL_ALPHABET) for g in groups)
    assert not set("01IO") & set(rules.SERIAL_ALPHABET) and len(set(rules.SERIAL_ALPHABET)) == 32
    assert rules.new_serial(choice=lambda alphabet: alphabet[0]) == "AAAA-AAAA-AAAA-AAAA"
    assert rules.clean_serial("  ab12-cd34 ") == "AB12-CD34" and rules.clean_serial("  ") is None


def test_svc20_serial_valid_through_its_period_and_renewed_with_it():
    """SVC-20 (1): the serial of 2026-03-10..2027-03-09 is valid to 2027-03-09; the renewal's serial after."""
    periods = [rules.Period(1, D(2026, 3, 10), D(2027, 3, 9), "AAAA-BBBB-CCCC-DDDD"),
               rules.Period(2, D(2027, 3, 10), D(2028, 3, 9), "EEEE-FFFF-GGGG-HHHH")]
    ok = rules.serial_status(periods, D(2027, 3, 9))
    assert (ok["serial"], ok["valid"], ok["valid_to"], ok["period_seq"]) == (
        "AAAA-BBBB-CCCC-DDDD", True, D(2027, 3, 9), 1)
    old = rules.serial_status(periods, D(2027, 3, 10), "aaaa-bbbb-cccc-dddd")
    assert (old["valid"], old["valid_to"]) == (False, D(2027, 3, 9)) and "renewal" in old["reason_en"]
    assert rules.serial_status(periods, D(2027, 3, 10))["serial"] == "EEEE-FFFF-GGGG-HHHH"
    early = rules.serial_status(periods, D(2026, 6, 1), "EEEE-FFFF-GGGG-HHHH")
    assert early["valid"] is False and early["valid_from"] == D(2027, 3, 10)
    assert rules.serial_status(periods, D(2026, 6, 1), "ZZZZ-ZZZZ-ZZZZ-ZZZZ")["valid"] is False
    after = rules.serial_status(periods, D(2028, 3, 10))
    assert after["valid"] is False and after["serial"] is None
    pending = rules.serial_status([rules.Period(1, D(2026, 3, 1), D(2027, 2, 28))], D(2026, 6, 1))
    assert pending["valid"] is False and "after installation" in pending["reason_en"]


def test_contract_states():
    assert rules.contract_state(D(2026, 11, 14), D(2026, 11, 14)) == "active"
    assert rules.contract_state(D(2026, 11, 14), D(2026, 11, 15)) == "expired"
    assert rules.contract_state(D(2026, 11, 14), D(2026, 11, 15), declined=True) == "ended"
    assert rules.contract_state(D(2026, 11, 14), D(2026, 12, 1), renewal_open=True) == "renewal_pending"


def test_svc21_reminder_one_month_before_the_end():
    """SVC-21 (1): period ends 2026-11-14 → reminder on 2026-10-14."""
    assert rules.reminder_on(D(2026, 11, 14), "1 months") == D(2026, 10, 14)
    assert not rules.due_for_reminder(D(2026, 11, 14), D(2026, 10, 13), "1 months")
    assert rules.due_for_reminder(D(2026, 11, 14), D(2026, 10, 14), "1 months")
    assert rules.due_for_reminder(D(2026, 11, 14), D(2026, 11, 14), "1 months")  # a missed day caught up
    assert not rules.due_for_reminder(D(2026, 11, 14), D(2026, 11, 15), "1 months")  # ended: too late
    assert rules.reminder_on(D(2026, 3, 31), "1 months") == D(2026, 2, 28)
    assert rules.reminder_on(D(2026, 11, 14), "15 days") == D(2026, 10, 30)
    assert rules.reminder_on(D(2026, 11, 14), "2 weeks") == D(2026, 10, 31)
    for before in ("1 months", "15 days", "2 weeks", "1 years"):
        today = rules.reminder_on(D(2026, 11, 14), before)
        assert rules.reminder_horizon(today, before) >= D(2026, 11, 14)


def test_svc21_notice_template():
    notice = rules.render_notice(rules.DEFAULT_TEMPLATE, customer="北京恒通物流有限公司", product="GT车载管理软件",
                                 starts_on=D(2025, 11, 15), ends_on=D(2026, 11, 14))
    assert notice.startswith("尊敬的北京恒通物流有限公司：您的GT车载管理软件服务期将于2026年11月14日届满。")
    warranty = rules.render_notice("{customer}的{product}{kind}至{ends_on}，序列号{serial}", customer="王建国",
                                   product="GT-06终端", starts_on=D(2026, 1, 5), ends_on=D(2027, 1, 4),
                                   kind="warranty", serial="AAAA-BBBB-CCCC-DDDD")
    assert warranty == "王建国的GT-06终端保修期至2027年1月4日，序列号AAAA-BBBB-CCCC-DDDD"
    assert rules.template_errors(rules.DEFAULT_TEMPLATE) == []
    assert rules.template_errors("您好{name}")[0].startswith("unknown placeholder {name}")
    assert rules.template_errors("{ends_on:%Y}") == ["placeholder {ends_on} takes no format"]
    assert rules.template_errors("到期{ends_on")[0].startswith("bad braces")
    assert rules.template_errors("  ") == ["the template is empty"]
    assert rules.template_errors("{{客户}}{customer}") == []


def test_svc21_template_checked_when_the_policy_is_saved():
    values = SvcPolicySchema().load({})
    assert values["period"]["start"] == "installation"
    assert values["expiry"]["remind_before"] == Duration(1, "months")
    assert values["expiry"]["template"] == rules.DEFAULT_TEMPLATE
    assert values["renewal"]["pay_within"] == Duration(3, "days")
    with pytest.raises(ValidationError) as bad:
        SvcPolicySchema().load({"expiry": {"template": "尊敬的{客户}"}})
    assert "template" in bad.value.messages["expiry"]
    with pytest.raises(ValidationError) as bad:
        SvcPolicySchema().load({"expiry": {"remind_before": "20 working_days"}, "period": {"start": "delivery"}})
    assert set(bad.value.messages) == {"expiry", "period"}
    ok = SvcPolicySchema().load({"expiry": {"remind_before": "2 weeks"}, "renewal": {"pay_within": "2 working_days"}})
    assert ok["expiry"]["template"] == rules.DEFAULT_TEMPLATE
    assert ok["renewal"]["pay_within"] == Duration(2, "working_days")


def test_svc22_payment_due_and_renewed_period():
    """SVC-22 (1): renewal signed 2026-10-20 → payment due through 10-23 (late from 10-24 00:00); paid →
    new period 2026-11-15..2027-11-14."""
    calendar = WorkCalendar(timezone="Asia/Shanghai")
    due = rules.pay_due(calendar, D(2026, 10, 20), "3 days")
    assert due.through == D(2026, 10, 23)
    assert due.at == dt.datetime(2026, 10, 24, tzinfo=calendar.tz)
    nxt = rules.renewed_period(D(2026, 11, 14), "1 years", 2)
    assert (nxt.starts_on, nxt.ends_on) == (D(2026, 11, 15), D(2027, 11, 14))


def test_svc22_payment_due_on_a_holiday_rolls_for_the_customer():
    """Signed Mon 2026-09-28: 3 days end on 10-01 (National Day) → the customer pays through the next
    working day (CAL-05, customer audience)."""
    calendar = WorkCalendar(timezone="Asia/Shanghai")
    due = rules.pay_due(calendar, D(2026, 9, 28), "3 days")
    assert due.through > D(2026, 10, 7) and calendar.is_working_day(due.through)
