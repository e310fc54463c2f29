"""The calendar through the API, on the tenant's own policy (CAL-01, CAL-03, CAL-06)."""


def test_days_show_makeup_workdays_and_holidays(client, two_tenants):
    a, _b = two_tenants
    days = client.get("/api/v1/calendar/days?from=2026-10-01&to=2026-10-11", headers=a.headers()).get_json()
    working = {d["date"]: d["working"] for d in days}
    assert working["2026-10-05"] is False and working["2026-10-10"] is True and working["2026-10-11"] is False


def test_deadline_follows_tenant_override(client, two_tenants):
    a, b = two_tenants
    body = {"start": "2026-12-22T10:00:00+08:00", "duration": "3 working_days"}
    r = client.post("/api/v1/calendar/deadlines", headers=a.headers(), json=body)
    assert r.status_code == 200 and r.get_json()["through"] == "2026-12-25"
    client.post("/api/v1/policies/cal/versions", headers=a.headers(),
                json={"body": {"overrides": [{"date": "2026-12-24", "kind": "off"}]}})
    assert client.post("/api/v1/calendar/deadlines", headers=a.headers(), json=body).get_json()["through"] == "2026-12-28"
    # tenant B's calendar is its own
    assert client.post("/api/v1/calendar/deadlines", headers=b.headers(), json=body).get_json()["through"] == "2026-12-25"


def test_cal03_through_the_api(client, two_tenants):
    a, _b = two_tenants
    r = client.post("/api/v1/calendar/deadlines", headers=a.headers(),
                    json={"start": "2026-09-30T10:00:00+08:00", "duration": "3 working_days"})
    assert r.get_json()["through"] == "2026-10-10" and r.get_json()["rule"] == "CAL-03"


def test_bad_duration_and_naive_start_are_422(client, two_tenants):
    a, _b = two_tenants
    r = client.post("/api/v1/calendar/deadlines", headers=a.headers(), json={"start": "2026-09-30T10:00:00+08:00", "duration": "3 fortnights"})
    assert r.status_code == 422 and "duration" in r.get_json()["errors"]["json"]
    r = client.post("/api/v1/calendar/deadlines", headers=a.headers(), json={"start": "2026-09-30T10:00:00", "duration": "1 days"})
    assert r.status_code == 422 and "start" in r.get_json()["errors"]["json"]


def test_days_follow_the_version_in_force_on_each_day(client, two_tenants):
    import datetime as dt

    a, _b = two_tenants
    later = dt.date.today() + dt.timedelta(days=20)
    client.post("/api/v1/policies/cal/versions", headers=a.headers(), json={
        "body": {"overrides": [{"date": (later + dt.timedelta(days=1)).isoformat(), "kind": "off"}],
                 "weekly_rest_days": []},
        "effective_from": later.isoformat()})
    frm, to = (later - dt.timedelta(days=7)).isoformat(), (later + dt.timedelta(days=7)).isoformat()
    days = client.get(f"/api/v1/calendar/days?from={frm}&to={to}", headers=a.headers()).get_json()
    before = [d for d in days if d["date"] < later.isoformat()]
    after = [d for d in days if d["date"] >= later.isoformat()]
    assert any(not d["working"] and "rest" in d["reason"] for d in before)  # weekends still off
    off_after = [d["date"] for d in after if not d["working"]]
    assert (later + dt.timedelta(days=1)).isoformat() in off_after
    assert all("rest" not in d["reason"] for d in after)


def test_tenant_time_zone_drives_the_calendar(client, two_tenants):
    from core.db import db
    from tenants.registry import get_tenant

    a, _b = two_tenants
    get_tenant(a.id).timezone = "Asia/Urumqi"  # UTC+6
    db.session.commit()
    # 2026-09-17 17:30 UTC is 23:30 in Urumqi (Thu) but 01:30 Fri in Shanghai: the event day differs
    r = client.post("/api/v1/calendar/deadlines", headers=a.headers(),
                    json={"start": "2026-09-17T17:30:00+00:00", "duration": "1 working_days"})
    assert r.get_json()["through"] == "2026-09-18"
