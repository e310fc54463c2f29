"""STF-30/32 pure rules: amounts per share (half-up, residue to the first holder), share sets that
sum to exactly 100.00%, the core's default attribution."""
import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from core.plugins.records import Deal, ShareLine
from core.staff import credit_rules as rules

D = Decimal
AT = dt.datetime(2026, 9, 10, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def test_stf30_amounts_per_share_vector():
    # performance {A 100}, bonus {A 80, B 20} on ¥12,345.67
    assert rules.allocate("12345.67", ["100"]) == [D("12345.67")]
    assert rules.allocate("12345.67", ["80", "20"]) == [D("9876.54"), D("2469.13")]


def test_stf30_equal_thirds_and_the_residue_to_the_first():
    assert rules.equal_percents(3) == [D("33.34"), D("33.33"), D("33.33")]
    assert sum(rules.equal_percents(6)) == D("100.00") and rules.equal_percents(6)[0] == D("16.70")
    # ¥100.00 in thirds: 33.34 + 33.33 + 33.33 of it, half-up per share, the fen left over to the first
    assert rules.allocate("100.00", rules.equal_percents(3)) == [D("33.34"), D("33.33"), D("33.33")]
    assert rules.allocate("0.10", rules.equal_percents(3)) == [D("0.04"), D("0.03"), D("0.03")]


def test_stf30_share_sets_must_sum_to_exactly_100():
    ok = [ShareLine("80.00", user_id=1), ShareLine("20.00", department_id=7)]
    assert rules.share_errors(ok, what="bonus") == []
    assert rules.share_errors([ShareLine("80", user_id=1), ShareLine("19.99", user_id=2)], what="bonus") == [
        "bonus: the shares add up to 99.99%, not 100.00%"]
    assert rules.share_errors([], what="performance") == ["performance: at least one holder"]
    assert "listed twice" in rules.share_errors([ShareLine("50", user_id=1), ShareLine("50", user_id=1)],
                                                what="bonus")[0]
    assert "not both" in rules.share_errors([ShareLine("100", user_id=1, department_id=2)], what="bonus")[0]
    assert "2 decimals" in rules.share_errors([ShareLine("33.333", user_id=1), ShareLine("66.667", user_id=2)],
                                              what="bonus")[0]
    assert "above 0" in rules.share_errors([ShareLine("0", user_id=1), ShareLine("100", user_id=2)], what="bonus")[0]


def test_stf30_core_default_is_100_percent_to_the_owner_and_stf32_mentor_takes_the_performance():
    deal = Deal(None, "car_order", 88, D("100000.00"), owner_id=5, deal_at=AT)
    split = rules.default_split(deal)
    assert split.rule_id == "STF-30"
    assert [(line.user_id, line.percent) for line in split.performance] == [(5, D("100.00"))]
    assert [(line.user_id, line.percent) for line in split.bonus] == [(5, D("100.00"))]
    # probationer Gao (6) sells car #90, mentor Fang (7): performance Fang 100%, commission payee Gao
    mentored = rules.default_split(Deal(None, "car_order", 90, D("150000.00"), owner_id=6, deal_at=AT, mentor_id=7))
    assert mentored.rule_id == "STF-32"
    assert [(line.user_id, line.percent) for line in mentored.performance] == [(7, D("100.00"))]
    assert [(line.user_id, line.percent) for line in mentored.bonus] == [(6, D("100.00"))]
    assert rules.default_recognition(deal).at == AT


@st.composite
def share_sets(draw):
    """A share set of 1..8 holders: a random partition of 10,000 basis points, none empty."""
    count = draw(st.integers(min_value=1, max_value=8))
    cuts = sorted(draw(st.lists(st.integers(min_value=1, max_value=9999), min_size=count - 1, max_size=count - 1,
                                unique=True)))
    edges = [0, *cuts, 10000]
    return [D(b - a) / 100 for a, b in zip(edges, edges[1:])]


@settings(max_examples=300, deadline=None)
@given(percents=share_sets(),
       amount=st.decimals(min_value=D("0.01"), max_value=D("999999999.99"), places=2, allow_nan=False))
def test_stf30_property_shares_sum_to_100_and_amounts_to_the_deal(percents, amount):
    lines = [ShareLine(p, user_id=i + 1) for i, p in enumerate(percents)]
    assert sum(percents) == D("100.00")
    assert rules.share_errors(lines, what="bonus") == []
    parts = rules.allocate(amount, percents)
    assert sum(parts) == amount
    assert all(part == part.quantize(D("0.01")) for part in parts)
    # every holder but the first gets exactly its half-up share; the first is within the residue
    for part, percent in list(zip(parts, percents))[1:]:
        assert part == rules.money(amount * percent / 100)
    assert abs(parts[0] - rules.money(amount * percents[0] / 100)) <= D("0.01") * len(parts)
    # reversing the deal reverses every share: the negative amounts sum to the negative deal amount
    assert sum(-part for part in parts) == -amount


@settings(max_examples=100, deadline=None)
@given(count=st.integers(min_value=1, max_value=40))
def test_stf30_property_equal_shares_sum_to_100(count):
    percents = rules.equal_percents(count)
    assert sum(percents) == D("100.00") and len(percents) == count
    assert rules.share_errors([ShareLine(p, user_id=i) for i, p in enumerate(percents)], what="performance") == []
