"""CAL-10 inclusive thresholds and brackets."""

import pytest

from core.calendar import AT_MOST, Bracket, Threshold, resolve_bracket
from core.calendar.thresholds import overlaps

PRE04_ESCORTS = [
    Bracket("<5", high=5, high_inclusive=False),
    Bracket("5–10", low=5, high=10),
    Bracket(">10", low=10, low_inclusive=False),
]


def test_cal10_three_complaints_reach_inclusive_threshold():
    assert Threshold(3).reached(3)


def test_cal10_three_complaints_do_not_reach_exclusive_threshold():
    assert not Threshold(3, inclusive=False).reached(3)
    assert Threshold(3, inclusive=False).reached(4)


def test_cal10_at_most_thresholds():
    assert Threshold(5, bound=AT_MOST).reached(5)  # 5人以下 includes 5
    assert not Threshold(5, inclusive=False, bound=AT_MOST).reached(5)
    assert str(Threshold(5, bound=AT_MOST)) == "≤5"
    with pytest.raises(ValueError):
        Threshold(5, bound="around")


def test_cal10_five_guests_fall_in_pre04_middle_bracket():
    assert resolve_bracket(5, PRE04_ESCORTS).label == "5–10"
    assert resolve_bracket(10, PRE04_ESCORTS).label == "5–10"
    assert resolve_bracket(4, PRE04_ESCORTS).label == "<5"
    assert resolve_bracket(11, PRE04_ESCORTS).label == ">10"
    assert overlaps(PRE04_ESCORTS, range(0, 20)) == []


def test_cal10_unresolved_source_overlap_refused():
    source = [Bracket("5人以下", high=5), Bracket("5至10人", low=5, high=10), Bracket("10人以上", low=10)]
    with pytest.raises(ValueError, match="overlapping"):
        resolve_bracket(5, source)
    assert overlaps(source, range(0, 20)) == [(5, ["5人以下", "5至10人"]), (10, ["5至10人", "10人以上"])]
    with pytest.raises(ValueError, match="no bracket"):
        resolve_bracket(3, [Bracket("5–10", 5, 10)])
