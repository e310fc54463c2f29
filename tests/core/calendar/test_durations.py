"""Typed durations (DOMAIN.md section 1)."""

from decimal import Decimal

import pytest

from core.calendar import Duration, format_duration, parse_duration


@pytest.mark.parametrize(
    "text, amount, unit, kind",
    [
        ("3 working_days", 3, "working_days", "working"),
        ("24 hours", 24, "hours", "clock"),
        ("2 months", 2, "months", "calendar"),
        ("30 minutes", 30, "minutes", "clock"),
        ("4 business_hours", 4, "business_hours", "business"),
        ("1 weeks", 1, "weeks", "calendar"),
        ("1 week", 1, "weeks", "calendar"),
        ("15 days", 15, "days", "calendar"),
        ("1 day", 1, "days", "calendar"),
        ("2 years", 2, "years", "calendar"),
        ("1.5 hours", Decimal("1.5"), "hours", "clock"),
        ("  7   working_days ", 7, "working_days", "working"),
        ("0 days", 0, "days", "calendar"),
    ],
)
def test_sec1_parse_duration(text, amount, unit, kind):
    duration = parse_duration(text)
    assert duration == Duration(amount, unit)
    assert duration.kind == kind


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "expected '<amount> <unit>'"),
        ("three days", "expected '<amount> <unit>'"),
        ("3", "expected '<amount> <unit>'"),
        ("-3 days", "expected '<amount> <unit>'"),
        ("3 fortnights", "unknown unit 'fortnights'"),
        ("1.5 working_days", "whole number"),
        ("2.5 months", "whole number"),
    ],
)
def test_sec1_parse_duration_rejects_bad_input(text, message):
    with pytest.raises(ValueError, match=message):
        parse_duration(text)


def test_sec1_parse_duration_rejects_non_string():
    with pytest.raises(ValueError):
        parse_duration(3)


def test_sec1_format_duration_is_canonical_and_round_trips():
    assert format_duration(Duration(3, "working_days")) == "3 working_days"
    assert format_duration(parse_duration("1 week")) == "1 weeks"
    assert str(Duration(Decimal("1.50"), "hours")) == "1.5 hours"
    for text in ["3 working_days", "24 hours", "2 months", "30 minutes", "4 business_hours", "0.25 hours"]:
        assert format_duration(parse_duration(text)) == text


def test_sec1_duration_validates_fields():
    assert Duration(Decimal("2"), "day") == Duration(2, "days")
    with pytest.raises(ValueError, match="negative"):
        Duration(-1, "days")
    with pytest.raises(ValueError, match="unknown duration unit"):
        Duration(1, "fortnights")
    with pytest.raises(ValueError, match="int or Decimal"):
        Duration(1.5, "hours")
