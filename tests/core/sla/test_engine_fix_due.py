"""core.sla.engine.fix_due: a new due time fixed on an open milestone (used by SVC-08 delay notices),
with real 2026 dates: the due time, its warning and the sweep follow the new time, pauses no longer
move it, and a breach is never undone."""
import datetime as dt

import pytest

from core.calendar import Duration
from core.db import db
from core.errors import Conflict
from core.sla import engine
from core.sla.rules import MilestoneSpec
from core.tenancy import tenant_scope

CST = dt.timezone(dt.timedelta(hours=8))


def t(day, hh, mm=0):
    return dt.datetime(2026, 9, day, hh, mm, tzinfo=CST)


@pytest.fixture
def tenant(make_tenant):
    handle = make_tenant("fix-due", "定时公司")
    with tenant_scope(handle.id):
        yield handle
        db.session.rollback()


def _start(subject_id=1):
    """``complete`` 3 working days from Fri 2026-09-18 10:00: through Tue 09-22 (Sun 09-20 is a make-up
    workday of National Day)."""
    spec = MilestoneSpec("complete", Duration(3, "working_days"), "SVC-07")
    return engine.start("fix_due_test", subject_id, [spec], t(18, 10), policy=None)[0]


def test_fixing_moves_the_due_time_and_its_warning(tenant):
    row = _start()
    assert row.due_at == t(23, 0)
    new = engine.fix_due(row, t(24, 18), at=t(22, 21), reason="delay notice 1")
    assert new.utc == row.due_at == t(24, 18)
    assert row.state == "open" and row.next_check_at is not None and row.next_check_at <= t(24, 18)
    computed = row.computed_from
    assert computed["source"] == "fixed"
    assert computed["fixed"] == [{"at": "2026-09-22T13:00:00+00:00", "from": "2026-09-22T16:00:00+00:00",
                                  "to": "2026-09-24T10:00:00+00:00", "reason": "delay notice 1"}]
    assert computed["trace"][0].startswith("fixed at 2026-09-24T18:00:00+08:00")
    # fixed again later: both kept
    engine.fix_due(row, t(25, 9), at=t(24, 12))
    assert row.due_at == t(25, 9) and len(row.computed_from["fixed"]) == 2


def test_a_fixed_time_is_not_moved_by_a_pause(tenant):
    row = _start(2)
    engine.fix_due(row, t(24, 18), at=t(21, 9))
    _pause, paused = engine.pause("fix_due_test", 2, "awaiting_parts", t(21, 10))
    assert paused == []
    engine.resume("fix_due_test", 2, t(22, 10))
    assert row.due_at == t(24, 18)


def test_fixing_a_paused_milestone_ends_its_pause_for_it(tenant):
    row = _start(3)
    engine.pause("fix_due_test", 3, "awaiting_parts", t(21, 10))
    assert row.next_check_at is None
    engine.fix_due(row, t(24, 18), at=t(22, 10))
    assert row.due_at == t(24, 18) and row.next_check_at is not None
    assert not row.computed_from.get("paused_since")


def test_a_breach_is_not_undone(tenant):
    row = _start(4)
    with pytest.raises(Conflict):  # due at 09-23 00:00; the sweep has not run yet, still too late
        engine.fix_due(row, t(24, 18), at=t(23, 0, 1))
    with pytest.raises(Conflict):  # a new due time in the past
        engine.fix_due(row, t(22, 8), at=t(22, 9))
    row.state = "breached"
    with pytest.raises(Conflict):
        engine.fix_due(row, t(24, 18), at=t(22, 9))
    assert row.due_at == t(23, 0)
