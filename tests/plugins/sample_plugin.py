"""A plugin used by the tests: optional (enabled per tenant), implements every hook."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from pathlib import Path

from core.plugins import hookimpl
from core.plugins.records import IndustryPreset, NavItem, PluginInfo, PolicySchema, Role
from tests.plugins import sample_models  # noqa: F401  (the plugin's table)

CALLS: list[tuple[str, int]] = []


class SampleConfig(Schema):
    greeting = fields.String(load_default="你好", validate=validate.Length(max=20))


class SamplePolicy(Schema):
    visit_every_days = fields.Integer(load_default=7, validate=validate.Range(min=1, max=365))
    note = fields.String(load_default="")


@hookimpl
def kehu_plugin_info():
    return PluginInfo(name="sample", title_zh="示例", title_en="Sample", industry="sample",
                      config_schema=SampleConfig,
                      migrations_dir=str(Path(__file__).parent / "sample_migrations"))


@hookimpl
def kehu_industry_presets():
    return [IndustryPreset(name="sample_industry", title_zh="示例行业", title_en="Sample industry",
                           plugins=("sample",), policies={"sample": {"visit_every_days": 3}})]


@hookimpl
def kehu_policy_schemas():
    return [PolicySchema("sample", SamplePolicy, "示例制度", "Sample policy")]


@hookimpl
def kehu_roles():
    return [Role("meter_reader", "抄表员", "Meter reader")]


@hookimpl
def kehu_nav_items():
    return [NavItem("sample", "示例", "Sample", "portal.home", order=50)]


@hookimpl
def kehu_tenant_created(tenant_id):
    CALLS.append(("tenant_created", tenant_id))


@hookimpl
def kehu_provision_demo(tenant_id):
    CALLS.append(("provision_demo", tenant_id))
    return [("reader", "demo-pass", "meter_reader")]
