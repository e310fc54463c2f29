"""The real-estate plugin registers through hooks alone: its policy document with the spec's defaults,
its roles, its preset; a tenant without the plugin has none of them."""
from __future__ import annotations

from decimal import Decimal

import pytest

from core.plugins import KehuPlugins
from plugins.real_estate import hooks


@pytest.fixture
def plugins():
    return KehuPlugins(load_entry_points=False, extra=[hooks])


def test_the_re_policy_has_the_spec_defaults(plugins):
    spec = plugins.relay(["real_estate"]).records("kehu_policy_schemas")["re"]
    values = spec.schema().load({})
    assert values["rotation"]["standby_required"] is True
    assert values["rotation"]["accruing_absences"] == ["company_business", "with_customer"]  # RE-01
    assert values["penalty"]["provoking_share"] == Decimal("0.50")  # RE-28
    assert values["validity"]["checked_at"] == "takeover_visit"  # RE-11
    assert values["absent_owner"]["split"] == "b80_c20"  # RE-14, the tenant may choose same_day_50_50
    assert values["nth_visit"] == {"split_earlier": "equal", "require_valid_archive": True}  # RE-19
    assert values["deal_event"] == "subscription"  # RE-26
    assert (values["hold"]["ttl"].amount, values["hold"]["ttl"].unit) == (30, "minutes")  # RE-31
    assert values["subscription"]["copies"] == {"customer": 1, "finance": 1, "sales": 2}  # RE-33
    assert (values["default"]["breach_after"].amount, values["default"]["breach_after"].unit) == (2, "months")  # RE-42
    assert spec.schema().load(spec.schema().dump(values)) == values  # the stored form reads back the same


def test_bad_settings_are_refused_by_field(plugins):
    from marshmallow import ValidationError

    spec = plugins.relay(["real_estate"]).records("kehu_policy_schemas")["re"]
    with pytest.raises(ValidationError) as err:
        spec.schema().load({"absent_owner": {"split": "60_40"}, "plans": {"weekly_day": "funday"}})
    assert set(err.value.messages) == {"absent_owner", "plans"}


def test_nothing_of_the_plugin_for_a_tenant_without_it(plugins):
    assert "re" not in plugins.relay([]).records("kehu_policy_schemas")
    assert "sales_supervisor" not in plugins.relay([]).records("kehu_roles")
    assert "sales_supervisor" in plugins.relay(["real_estate"]).records("kehu_roles")
    presets = {p.name: p for batch in plugins.hook.kehu_industry_presets() for p in batch or ()}
    assert presets["real_estate"].plugins == ("real_estate",)


def test_the_preset_policies_are_valid_documents(plugins):
    """A tenant created from the real-estate preset gets version 1 of each policy it names: every body
    must pass its module's schema (RE-10 evidence, RE-21 referrals)."""
    presets = {p.name: p for batch in plugins.hook.kehu_industry_presets() for p in batch or ()}
    schemas = plugins.relay(["real_estate"]).records("kehu_policy_schemas")
    preset = presets["real_estate"]
    for module, body in preset.policies.items():
        values = schemas[module].schema().load(body)
        assert values, module
    cus = schemas["cus"].schema().load(preset.policies["cus"])
    assert cus["claim"]["evidence"][:2] == ["register", "meeting_record"]
    assert cus["referral"]["owner_rule"] == "referrer_owner"
