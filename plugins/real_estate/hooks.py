"""The real-estate plugin's hook implementations: thin, delegating to the plugin's modules."""
from __future__ import annotations

from pathlib import Path

from core.plugins import hookimpl
from core.plugins.records import (
    ApiEndpoints,
    IndustryPreset,
    NavItem,
    PeriodicJob,
    PluginInfo,
    PolicySchema,
    PortalPages,
    Role,
)
from plugins.real_estate import changes_jobs  # noqa: F401  (registers the part's jobs)
from plugins.real_estate import models  # noqa: F401  (the plugin's tables join the metadata)
from plugins.real_estate import office_jobs  # noqa: F401  (RE-51/52 jobs join the registry)
from plugins.real_estate import sales_jobs  # noqa: F401  (RE-31 hold lapses join the registry)

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
def kehu_commission_split(deal):
    from plugins.real_estate.attribution import commission_split

    return commission_split(deal)


@hookimpl
def kehu_credit_recognition(deal):
    from plugins.real_estate.attribution import credit_recognition

    return credit_recognition(deal)


@hookimpl
def kehu_provision_demo(tenant_id):
    from plugins.real_estate.demo import provision

    return provision()  # the sales office of 锦城·天府里 with a month of work (plugins/real_estate/demo.py)


# --- the parts' pages, endpoints, menu and jobs: one line per part ------------------------------------


@hookimpl
def kehu_api_endpoints():
    from plugins.real_estate.api import attribution as attribution_api
    from plugins.real_estate.api import changes as changes_api
    from plugins.real_estate.api import office as office_api
    from plugins.real_estate.api import sales as sales_api
    from plugins.real_estate.api.reception import blp as reception_api

    return [
        ApiEndpoints(NAME, reception_api, "/re/reception"),  # RE-01..05, RE-28
        attribution_api.ENDPOINTS,  # RE-10..27
        ApiEndpoints(NAME, sales_api.blp, "/re/sales"),  # RE-30..34
        *(ApiEndpoints(NAME, bp, prefix) for prefix, bp in changes_api.ENDPOINTS),  # RE-40..43
        office_api.ENDPOINTS,  # RE-50..52
    ]


@hookimpl
def kehu_portal_pages():
    from plugins.real_estate.portal import TRANSLATIONS
    from plugins.real_estate.portal import attribution as attribution_pages
    from plugins.real_estate.portal import changes as changes_pages
    from plugins.real_estate.portal import office as office_pages
    from plugins.real_estate.portal import sales as sales_pages
    from plugins.real_estate.portal.reception import bp as reception_pages

    return [
        PortalPages(NAME, reception_pages, translations=TRANSLATIONS),  # RE-01..05
        attribution_pages.PAGES,  # RE-10..27
        PortalPages(NAME, sales_pages.bp, translations=TRANSLATIONS),  # RE-30..34
        PortalPages(NAME, changes_pages.bp, translations=TRANSLATIONS),  # RE-40..43
        office_pages.PAGES,  # RE-50..52
    ]


@hookimpl
def kehu_nav_items():
    from plugins.real_estate.api.changes import VIEWERS as CHANGES_VIEWERS
    from plugins.real_estate.api.reception import RECEIVERS
    from plugins.real_estate.portal import attribution as attribution_pages
    from plugins.real_estate.portal import office as office_pages
    from plugins.real_estate.units import SALES_READERS

    return [
        NavItem("re_reception", "接待台", "Reception desk", "plugin_pages.re_reception.index", order=12,
                roles=RECEIVERS),
        attribution_pages.NAV,  # RE-10..27
        NavItem("re_sales", "销控", "Sales control", "plugin_pages.re_sales.board", order=14, roles=SALES_READERS),
        NavItem("re_changes", "换房退房", "Swaps & refunds", "plugin_pages.re_changes.index", order=16,
                roles=CHANGES_VIEWERS),
        *office_pages.NAV_ITEMS,  # RE-50..52
    ]


@hookimpl
def kehu_periodic_jobs():
    return [
        *sales_jobs.PERIODIC,  # RE-31 hold lapses
        PeriodicJob(changes_jobs.DEFAULTS, changes_jobs.CADENCE),  # RE-42 notices and breach handling
        *office_jobs.PERIODIC,  # RE-51/52 reminders
    ]
