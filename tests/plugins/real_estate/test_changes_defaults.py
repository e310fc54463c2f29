"""RE-42 default through the job ``re.defaults`` and the API: an instalment due 2026-03-10 unpaid → the
payment-demand notice on 2026-03-11 (decision, the salesperson and finance notified, the notice readable);
still unpaid → breach handling from 2026-05-11 (decision, the manager notified); a second run changes
nothing; finance alone records payments (403 otherwise, nothing written); a paid instalment gets no notice."""
import datetime as dt

import pytest

from core.db import db

from core.decisions.models import Decision
from core.notifications.models import Notification
from plugins.real_estate.office_models import Instalment
from tests.plugins.real_estate.changes_world import SH, add_instalment, build_office, rows
from workers.runtime import execute

API = "/api/v1/re/instalments"


@pytest.fixture
def office(make_tenant):
    return build_office(make_tenant)


def run(office, day: dt.date, hour=9):
    moment = dt.datetime.combine(day, dt.time(hour, 5), SH)
    db.session.rollback()  # the job runs in a session of its own
    try:
        return execute(office.handle.id, "re.defaults", {"as_of": moment.isoformat()},
                       dedupe_key=f"re.defaults@{moment.isoformat()}")
    finally:
        db.session.rollback()


def _state(office):
    with office.scope():
        return ([(i.notice_at is not None, i.breach_at is not None) for i in rows(Instalment)],
                len(rows(Decision, subject_type="re_instalment")), len(rows(Notification, kind="re.default")))


def test_re42_notice_the_day_after_then_breach_after_two_months(client, office):
    instalment_id = add_instalment(office, due_on=dt.date(2026, 3, 10))
    assert run(office, dt.date(2026, 3, 10))["notices"] == []  # due today: not overdue yet
    result = run(office, dt.date(2026, 3, 11))
    assert result["notices"] == [instalment_id] and result["breaches"] == []
    with office.scope():
        instalment = rows(Instalment)[0]
        assert instalment.notice_at.astimezone(SH).date() == dt.date(2026, 3, 11)
        decision = rows(Decision, id=instalment.notice_decision_id)[0]
        assert decision.rule_id == "RE-42" and decision.outcome["action"] == "notice"
        assert decision.outcome["breach_from"] == "2026-05-11" and "催款通知单" in decision.reason_zh
        assert {n.user_id for n in rows(Notification, kind="re.default")} == {office.ids["wang"], office.ids["zhao"]}
    # twice the same day, then on later days before the breach: nothing changes
    before = _state(office)
    assert run(office, dt.date(2026, 3, 11), hour=10)["notices"] == []
    assert run(office, dt.date(2026, 5, 10))["breaches"] == []
    assert _state(office) == before
    notice = client.get(f"{API}/{instalment_id}/notice", headers=office.headers("wang"))
    assert notice.status_code == 200
    assert notice.get_json()["buyer_name"] == "陈先生" and notice.get_json()["breach_from"] == "2026-05-11"
    # 2 months through 05-10: breach handling from 05-11, the manager notified
    result = run(office, dt.date(2026, 5, 11))
    assert result["breaches"] == [instalment_id]
    with office.scope():
        instalment = rows(Instalment)[0]
        breach = rows(Decision, id=instalment.breach_decision_id)[0]
        assert breach.outcome["stage"] == "breach" and "违约处理" in breach.reason_zh
        assert office.ids["li"] in {n.user_id for n in rows(Notification, kind="re.default")}
    after = _state(office)
    assert run(office, dt.date(2026, 5, 11), hour=11) == {"day": "2026-05-11", "checked": 1, "notices": [],
                                                           "breaches": []}
    assert _state(office) == after
    listed = client.get(f"{API}?stage=breach", headers=office.headers("li")).get_json()
    assert [i["id"] for i in listed] == [instalment_id]


def test_a_late_first_run_issues_the_notice_and_the_breach_together(office):
    add_instalment(office, due_on=dt.date(2026, 3, 10))
    result = run(office, dt.date(2026, 6, 1))
    assert len(result["notices"]) == 1 and result["notices"] == result["breaches"]


def test_finance_alone_records_payments_and_a_paid_instalment_gets_no_notice(client, office):
    instalment_id = add_instalment(office, due_on=dt.date(2026, 3, 10))
    body = {"receipt_no": "SK-0310", "paid_at": "2026-03-09T15:00:00+08:00"}
    for who in ("wang", "li", "sun"):
        assert client.post(f"{API}/{instalment_id}/pay", json=body, headers=office.headers(who)).status_code == 403
    with office.scope():
        assert rows(Instalment)[0].paid_at is None and rows(Decision, subject_type="re_instalment") == []
    assert client.post(f"{API}/{instalment_id}/pay", json={"receipt_no": ""},
                       headers=office.headers("zhao")).status_code == 422
    paid = client.post(f"{API}/{instalment_id}/pay", json=body, headers=office.headers("zhao"))
    assert paid.status_code == 200 and paid.get_json()["receipt_no"] == "SK-0310"
    assert paid.get_json()["stage"] == "paid"
    assert client.post(f"{API}/{instalment_id}/pay", json=body, headers=office.headers("zhao")).status_code == 409
    assert run(office, dt.date(2026, 3, 11))["checked"] == 0
    assert client.get(f"{API}/{instalment_id}/notice", headers=office.headers("wang")).status_code == 404
