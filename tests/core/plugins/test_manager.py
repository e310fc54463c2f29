"""The plugin manager, registry hooks and the per-tenant relay."""
import pytest

from core.plugins import KehuPlugins, PluginConflict, hookimpl
from core.plugins.records import PluginInfo, Role
from tests.plugins import sample_plugin


class Clash:
    @hookimpl
    def kehu_plugin_info(self):
        return PluginInfo(name="clash", title_zh="冲突", title_en="Clash")

    @hookimpl
    def kehu_roles(self):
        return [Role("salesperson", "重复", "Duplicate")]


def test_kehu_plugin_info_names_every_plugin(plugins):
    infos = plugins.infos()
    assert infos["core"].core is True
    assert infos["sample"].core is False
    assert set(plugins.optional_plugins()) == {"sample", "real_estate"}


def test_kehu_industry_presets_collects_every_plugins_presets(plugins):
    names = {p.name for batch in plugins.hook.kehu_industry_presets() for p in batch}
    assert {"generic", "sample_industry"} <= names


def test_relay_runs_only_enabled_plugins(plugins):
    without = plugins.relay([]).records("kehu_roles")
    with_sample = plugins.relay(["sample"]).records("kehu_roles")
    assert "meter_reader" not in without and "salesperson" in without
    assert "meter_reader" in with_sample


def test_kehu_policy_schemas_per_plugin_set(plugins):
    assert set(plugins.relay([]).records("kehu_policy_schemas")) == {"cal", "cus", "cmp", "stf", "svc"}
    assert set(plugins.relay(["sample"]).records("kehu_policy_schemas")) == {"cal", "cus", "cmp", "stf", "svc", "sample"}


def test_kehu_nav_items_of_disabled_plugin_are_absent(plugins):
    assert "sample" not in plugins.relay([]).records("kehu_nav_items")
    assert "sample" in plugins.relay(["sample"]).records("kehu_nav_items")


def test_relays_are_shared_by_plugin_set(plugins):
    assert plugins.relay(["sample"]) is plugins.relay(["sample"])
    assert plugins.relay([]) is not plugins.relay(["sample"])


def test_duplicate_record_keys_are_a_conflict():
    plugins = KehuPlugins(load_entry_points=False, extra=[Clash()])
    with pytest.raises(PluginConflict):
        plugins.relay(["clash"]).records("kehu_roles")


def test_two_plugins_with_one_name_conflict():
    plugins = KehuPlugins(load_entry_points=False, extra=[sample_plugin])

    class Impostor:
        @hookimpl
        def kehu_plugin_info(self):
            return PluginInfo(name="sample", title_zh="假", title_en="Fake")

    with pytest.raises(PluginConflict):
        plugins.register(Impostor())


def test_entry_point_discovery(monkeypatch):
    """Third-party plugins are found through the kehu.plugins entry-point group."""
    import importlib.metadata as md

    class EP:
        def load(self):
            return sample_plugin

    def fake_entry_points(group=None):
        assert group == "kehu.plugins"
        return [EP()]

    monkeypatch.setattr(md, "entry_points", fake_entry_points)
    plugins = KehuPlugins(load_entry_points=True)
    assert "sample" in plugins.infos()


def test_for_tenant_follows_enable_and_disable(make_tenant, plugins):
    from core.db import db
    from tenants.registry import get_tenant
    from tenants.service import set_plugin

    handle = make_tenant("acme", "阿克米")
    tenant = get_tenant(handle.id)
    assert "meter_reader" not in plugins.for_tenant(tenant).records("kehu_roles")
    set_plugin(tenant, "sample", True, {"greeting": "您好"})
    db.session.commit()
    assert "meter_reader" in plugins.for_tenant(get_tenant(handle.id)).records("kehu_roles")
    set_plugin(tenant, "sample", False)
    db.session.commit()
    assert "meter_reader" not in plugins.for_tenant(get_tenant(handle.id)).records("kehu_roles")


def test_kehu_tenant_created_runs_for_plugins_of_the_new_tenant(make_tenant):
    sample_plugin.CALLS.clear()
    plain = make_tenant("plain", "普通")
    assert ("tenant_created", plain.id) not in sample_plugin.CALLS
    with_sample = make_tenant("meters", "水务", industry="sample_industry")
    assert ("tenant_created", with_sample.id) in sample_plugin.CALLS


def test_kehu_provision_demo_adds_each_enabled_plugins_logins(ctx):
    from tenants.demo import provision_demo_tenants

    result = {slug: logins for slug, _name, logins in provision_demo_tenants(only="huaxin")}
    usernames = {login[0] for login in result["huaxin"]}
    assert {"admin", "sales1", "cs"} <= usernames
    assert "reader" not in usernames  # the sample plugin is not enabled for the generic demo tenant
    # the real-estate preset's demo tenant, with the plugin's logins too: tests/plugins/real_estate/test_demo_office.py


def test_kehu_customer_fields_and_kehu_checklist_templates_per_plugin_set(plugins):
    assert plugins.relay([]).records("kehu_customer_fields") == {}
    fields = plugins.relay(["sample"]).records("kehu_customer_fields")
    assert set(fields) == {"meter_no", "supply_capacity_kva"} and fields["meter_no"].searchable
    assert fields["supply_capacity_kva"].kinds == ("organisation",)
    assert plugins.relay([]).records("kehu_checklist_templates") == {}
    assert set(plugins.relay(["sample"]).records("kehu_checklist_templates")) == {"sample_connection"}


def test_kehu_complaint_fields_per_plugin_set(plugins):
    assert plugins.relay([]).records("kehu_complaint_fields") == {}
    fields = plugins.relay(["sample"]).records("kehu_complaint_fields")
    assert set(fields) == {"meter_no", "reading"}
    assert fields["meter_no"].required and callable(fields["meter_no"].verify) and not fields["reading"].required
