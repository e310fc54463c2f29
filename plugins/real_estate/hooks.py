"""The real-estate plugin's hook implementations: thin, delegating to the plugin's modules."""
from __future__ import annotations

from pathlib import Path

from core.plugins import hookimpl
from core.plugins.records import IndustryPreset, PluginInfo, PolicySchema, Role
from plugins.real_estate import models  # noqa: F401  (the plugin's tables join the metadata)

NAME = "real_estate"


@hookimpl
def kehu_plugin_info():
    return PluginInfo(name=NAME, title_zh="房地产销售", title_en="Real estate sales", industry="real_estate",
                      description="售楼部：轮流接待、判客与业绩分成、销控、换房换名、售楼报表 (spec RE)",
                      migrations_dir=str(Path(__file__).parent / "migrations"))


@hookimpl
def kehu_industry_presets():
    return [IndustryPreset(name="real_estate", title_zh="房地产", title_en="Real estate", plugins=(NAME,),
                           # RE-10: the register and the evening-meeting minutes are the evidence (CUS-21);
                           # RE-21: a referred customer belongs to the referrer's original receiver
                           policies={"cus": {"claim": {"evidence": ["register", "meeting_record"]},
                                             "referral": {"owner_rule": "referrer_owner"}}},
                           demo_slug="jincheng", demo_name="锦城置业有限公司")]


@hookimpl
def kehu_roles():
    return [Role("sales_supervisor", "销售主管", "Sales supervisor"),
            Role("front_desk", "前台接待", "Front desk"),
            Role("master_sales_control", "总销控", "Master sales control")]


@hookimpl
def kehu_policy_schemas():
    from plugins.real_estate.policy import MODULE, RePolicySchema

    return [PolicySchema(MODULE, RePolicySchema, "房地产销售制度", "Real-estate sales rules")]


@hookimpl
def kehu_provision_demo(tenant_id):
    from plugins.real_estate.demo import provision

    return provision()  # the sales office of 锦城·天府里 with a month of work (plugins/real_estate/demo.py)


# --- the parts' pages, endpoints, menu and jobs: one line per part ------------------------------------


@hookimpl
def kehu_api_endpoints():
    return []


@hookimpl
def kehu_portal_pages():
    return []


@hookimpl
def kehu_nav_items():
    return []


@hookimpl
def kehu_periodic_jobs():
    return []
