"""Policy documents: defaults, validation with field errors, versions, effective dates, history."""
import datetime as dt

import pytest

from core.db import db
from core.errors import InvalidInput, NotFound
from core.policy import service as policies
from core.tenancy import tenant_scope


@pytest.fixture
def tenant(make_tenant):
    handle = make_tenant("policy-co", "制度公司")
    with tenant_scope(handle.id):
        yield handle


def test_version_zero_is_the_spec_defaults(tenant):
    view = policies.in_force("cal")
    assert view.version == 0
    assert view.body["working_day_deadline_time"] == "24:00"
    assert view.body["weekly_rest_days"] == ["sat", "sun"]


def test_bad_policy_gets_field_level_errors_and_nothing_is_saved(tenant):
    with pytest.raises(InvalidInput) as err:
        policies.publish("cal", {"business_hours": [], "weekly_rest_days": ["funday"]})
    assert "business_hours" in err.value.fields
    assert "weekly_rest_days" in err.value.fields
    assert policies.history("cal") == []


def test_publish_creates_versions_and_keeps_history(tenant):
    today = policies.tenant_today()
    v1 = policies.publish("cal", {"overrides": [{"date": "2026-12-24", "kind": "off", "note": "年会"}]})
    v2 = policies.publish("cal", {"weekly_rest_days": ["sun"]}, effective_from=today + dt.timedelta(days=10))
    db.session.commit()
    assert (v1.version, v2.version) == (1, 2)
    assert policies.in_force("cal").version == 1
    assert policies.in_force("cal", today + dt.timedelta(days=10)).version == 2
    assert policies.in_force("cal", today + dt.timedelta(days=10)).values["weekly_rest_days"] == ["sun"]
    assert [d.version for d in policies.history("cal")] == [1, 2]
    # a published version is stored with its defaults filled in, so it never changes meaning
    assert policies.version("cal", 1).body["business_hours"] == policies.version("cal", 0).body["business_hours"]


def test_decisions_use_the_version_in_force_at_the_fact(tenant):
    today = policies.tenant_today()
    policies.publish("cal", {}, effective_from=today)
    policies.publish("cal", {"weekly_rest_days": []}, effective_from=today + dt.timedelta(days=30))
    assert policies.in_force("cal", today + dt.timedelta(days=29)).version == 1
    aware = dt.datetime.combine(today + dt.timedelta(days=31), dt.time(12), tzinfo=dt.timezone.utc)
    assert policies.in_force("cal", aware).version == 2


def test_publishing_into_the_past_is_refused(tenant):
    yesterday = policies.tenant_today() - dt.timedelta(days=1)
    with pytest.raises(InvalidInput) as err:
        policies.publish("cal", {}, effective_from=yesterday)
    assert "effective_from" in err.value.fields


def test_a_version_cannot_start_before_the_latest(tenant):
    today = policies.tenant_today()
    policies.publish("cal", {}, effective_from=today + dt.timedelta(days=5))
    with pytest.raises(InvalidInput):
        policies.publish("cal", {}, effective_from=today + dt.timedelta(days=4))


def test_validate_fills_defaults_without_saving(tenant):
    body = policies.validate("cal", {"working_day_deadline_time": "business_close"})
    assert body["working_day_deadline_time"] == "business_close" and body["weekly_rest_days"] == ["sat", "sun"]
    assert policies.history("cal") == []


def test_plugin_policy_module_only_for_tenants_with_the_plugin(make_tenant):
    plain = make_tenant("plain", "普通")
    meters = make_tenant("meters", "水务", industry="sample_industry")
    with tenant_scope(plain.id):
        with pytest.raises(NotFound):
            policies.in_force("sample")
    with tenant_scope(meters.id):
        # the preset published version 1 with its own value
        view = policies.in_force("sample")
        assert (view.version, view.values["visit_every_days"]) == (1, 3)
