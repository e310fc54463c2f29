"""Dates outside the calendar's years (1900–2099) are refused with 422 naming the field, never a 500:
the statistics period, a promised reply time, the received time of a case."""
import pytest

from tests.web.api.aftercare_office import build_office


@pytest.fixture
def office(make_tenant):
    return build_office(make_tenant, "dates")


def test_statistics_period_far_ahead_or_over_a_year_after_the_defaults_is_422(client, office):
    url = "/api/v1/complaint-reports/statistics"
    for query, field in (("date_to=9999-12-31", "date_to"), ("date_from=0001-01-01&date_to=0001-01-31", "date_from"),
                         ("date_from=2000-01-01", "date_from")):  # to the default date_to (today): > 366 days
        r = client.get(f"{url}?{query}", headers=office.h("csm"))
        assert r.status_code == 422, (query, r.status_code, r.get_json())
        assert field in str(r.get_json()["errors"]), (query, r.get_json())
    assert client.get(f"{url}?date_from=2026-01-01&date_to=2026-03-31", headers=office.h("csm")).status_code == 200


def test_a_reply_time_in_year_9999_is_422(client, office):
    case = office.complain(client, received_at="2026-03-10T11:00:00+08:00")
    for customer in (None, office.customer):
        if customer is not None:
            case = office.complain(client, received_at="2026-03-10T11:00:00+08:00", customer_id=customer)
        r = client.post(f"/api/v1/complaints/{case['id']}/reply-times", headers=office.h(),
                        json={"due_at": "9999-12-30T10:00:00+08:00", "text": "回电"})
        assert r.status_code == 422, r.get_json()
        assert "due_at" in str(r.get_json()["errors"])


def test_a_case_received_in_year_1_is_422(client, office):
    r = client.post("/api/v1/complaints", headers=office.h(),
                    json={"channel": "phone", "content": "投诉", "received_at": "0001-01-01T00:00:00+00:00"})
    assert r.status_code == 422, r.get_json()
    assert "received_at" in str(r.get_json()["errors"])
