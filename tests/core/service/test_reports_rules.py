"""Service reports (SVC-40), pure: periods, the on-time rate with one decimal, open orders, fees,
statistics, and the CSV tables (generic rendering of a section added later, formulas neutralised)."""
import datetime as dt

import pytest

from core.service import reports_export as export
from core.service import reports_rules as rules


def test_monthly_pack_covers_the_previous_month():
    assert rules.monthly_period(dt.date(2026, 10, 1)) == rules.Period("monthly", "2026-09", dt.date(2026, 9, 1),
                                                                      dt.date(2026, 9, 30))
    assert rules.monthly_period(dt.date(2027, 1, 1)).key == "2026-12"
    assert rules.monthly_period(dt.date(2026, 3, 1)).last_day == dt.date(2026, 2, 28)


def test_custom_period_at_most_366_days():
    assert rules.custom_period(dt.date(2026, 1, 1), dt.date(2026, 12, 31)).key == "2026-01-01..2026-12-31"
    assert rules.custom_period(dt.date(2026, 1, 1), dt.date(2027, 1, 1)).last_day == dt.date(2027, 1, 1)  # 366 days
    with pytest.raises(ValueError, match="366"):
        rules.custom_period(dt.date(2026, 1, 1), dt.date(2027, 1, 2))
    with pytest.raises(ValueError, match="ends before"):
        rules.custom_period(dt.date(2026, 9, 30), dt.date(2026, 9, 1))


def test_on_time_rate_september_40_orders_34_on_time():
    """SVC-40 (1): 40 due, 34 on time → 85.0%."""
    rows = rules.on_time([{"milestone": "complete", "due": 40, "met_on_time": 34, "met_late": 4},
                          {"milestone": "arrive", "due": 3, "met_on_time": 2, "met_late": 0}])
    assert rows == [
        {"milestone": "arrive", "due": 3, "met_on_time": 2, "met_late": 0, "not_met": 1, "rate": 66.7},
        {"milestone": "complete", "due": 40, "met_on_time": 34, "met_late": 4, "not_met": 2, "rate": 85.0}]
    assert rules.rate(1, 8) == 12.5 and rules.rate(1, 16) == 6.3  # half up
    assert rules.rate(0, 0) is None
    assert export.on_time_tables(rows)[0][2][1][-1] == "85.0%"


def test_open_orders_by_type_and_technician():
    out = rules.open_orders([
        {"type": "repair", "technician_id": 7, "technician": "wu", "open": 3, "overdue": 1},
        {"type": "repair", "technician_id": None, "technician": None, "open": 1, "overdue": 0},
        {"type": "installation", "technician_id": 7, "technician": "wu", "open": 2, "overdue": None}])
    assert [(r["type"], r["technician"]) for r in out["rows"]] == [("installation", "wu"), ("repair", "wu"),
                                                                   ("repair", None)]
    assert out["by_type"] == [{"type": "repair", "open": 4, "overdue": 1},
                              {"type": "installation", "open": 2, "overdue": 0}]
    assert out["by_technician"][0] == {"technician_id": 7, "technician": "wu", "open": 5, "overdue": 1}
    assert out["by_technician"][-1]["technician_id"] is None and out["total"] == {"open": 6, "overdue": 1}


def test_fees_collected_vs_remitted():
    total = {"collected_count": 3, "collected_amount": 680.0, "remitted_count": 2, "remitted_amount": "300",
             "remitted_on_time_count": 1, "remitted_on_time_amount": 150, "outstanding_count": 1,
             "outstanding_amount": 380, "overdue_count": 1, "overdue_amount": 380, "void_count": 1,
             "void_amount": 50, "parts_amount": 500, "labour_amount": 180}
    out = rules.fees(total, [{"collector_id": 7, "collector": "wu", **total}], {"count": 2, "amount": None})
    assert out["collected"] == {"count": 3, "amount": "680.00"} and out["overdue"] == {"count": 1, "amount": "380.00"}
    assert out["remittance_rate"] == 66.7 and out["on_time_rate"] == 33.3
    assert out["remitted_in_period"] == {"count": 2, "amount": "0.00"}
    assert out["by_collector"][0]["collector"] == "wu"


def test_statistics_average_time_to_complete():
    utc = dt.timezone.utc
    t0 = dt.datetime(2026, 9, 1, 8, tzinfo=utc)
    out = rules.statistics(
        [{"type": "repair", "state": "completed", "orders": 2}, {"type": "repair", "state": "dispatched", "orders": 1},
         {"type": "installation", "state": "requested", "orders": 1}],
        [("repair", t0, t0 + dt.timedelta(hours=10)), ("repair", t0, t0 + dt.timedelta(hours=15)),
         ("installation", t0, t0 + dt.timedelta(hours=3, minutes=20))],
        [{"type": "repair", "orders": 1}])
    repair = out["types"][0]
    assert repair == {"type": "repair", "requested": 3, "states": {"completed": 2, "dispatched": 1}, "completed": 2,
                      "average_hours_to_complete": 12.5, "cancelled": 1}
    assert out["total"] == {"requested": 4, "completed": 3, "average_hours_to_complete": 9.4, "cancelled": 1}
    assert rules.average_hours([]) is None


def test_a_section_without_its_own_tables_is_rendered_generically_and_formulas_stay_text():
    tables = export.generic_tables({"rate": 85.0, "rows": [{"who": "=1+1", "visits": 3, "nested": {"x": 1}}]},
                                   "回访结果 return visits")
    assert tables[0] == ("回访结果 return visits", ["项目 item", "值 value"], [["rate", 85.0]])
    assert tables[1] == ("回访结果 return visits · rows", ["who", "visits"], [["=1+1", 3]])
    body = export.csv_bytes(tables).decode("utf-8-sig")
    assert "'=1+1,3" in body.split("\r\n")
    assert export.generic_tables(None, "x")[0][2] == [["暂无数据 not available", ""]]


def test_return_visit_results_of_a_month():
    """SVC-40 return-visit results: 4 visits due in September; 3 done (2 in time, 1 a day late), 1 still
    open past due; marks averaged over those done; outcomes counted."""
    import datetime as dt

    from core.service.reports_sections import visit_results

    utc = dt.timezone.utc
    due = dt.datetime(2026, 9, 10, 16, tzinfo=utc)
    visits = [
        {"state": "done", "due_at": due, "visited_at": due - dt.timedelta(hours=5), "attitude": 5, "skill": 4,
         "outcome": "resolved"},
        {"state": "done", "due_at": due, "visited_at": due, "attitude": 4, "skill": 4, "outcome": "resolved"},
        {"state": "done", "due_at": due, "visited_at": due + dt.timedelta(days=1), "attitude": 3, "skill": 2,
         "outcome": "partly"},
        {"state": "overdue", "due_at": due, "visited_at": None, "attitude": None, "skill": None, "outcome": None},
    ]
    assert visit_results(visits, dt.datetime(2026, 10, 1, tzinfo=utc)) == {
        "due": 4, "done": 3, "done_in_time": 2, "done_rate": "75.0", "in_time_rate": "50.0", "overdue_open": 1,
        "attitude_avg": "4.00", "skill_avg": "3.33", "outcomes": {"partly": 1, "resolved": 2}}
    assert visit_results([], dt.datetime(2026, 10, 1, tzinfo=utc))["done_rate"] is None
