"""A plugin used by the tests: optional (enabled per tenant), implements every hook."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, render_template
from flask.views import MethodView
from flask_smorest import Blueprint as SmorestBlueprint
from sqlalchemy import select
from marshmallow import Schema, fields, validate

from core.db import db, get_one
from core.plugins import hookimpl
from core.plugins.records import (
    ApiEndpoints, ChecklistTemplate,
    CommissionSplit,
    ComplaintCategory,
    ComplaintField,
    CompletionCheck,
    CustomerField,
    IndustryPreset,
    NavItem,
    PeriodicJob,
    PluginInfo,
    PolicySchema,
    PortalPages,
    Recognition,
    Role,
    ShareLine,
    TransitionVeto,
    WorkOrderType,
)
from tests.plugins.sample_models import SampleReading  # the plugin's table
from web.portal.tenant_pages import login_required
from workers.registry import tenant_job
from workers.runtime import TransientJobError

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
    return [NavItem("sample", "示例", "Sample", "portal.home", order=50),
            NavItem("sample_page", "示例页面", "Sample page", "plugin_pages.sample_pages.index", order=51)]


sample_pages = Blueprint("sample_pages", __name__, url_prefix="/sample", template_folder="sample_templates")


@sample_pages.route("", methods=["GET", "POST"], endpoint="index")
@login_required
def sample_index():
    return render_template("sample/index.html")



readings_api = SmorestBlueprint("sample_readings", __name__, description="Sample plugin: meter readings")


class ReadingSchema(Schema):
    id = fields.Integer(dump_only=True)
    meter = fields.String(required=True, validate=validate.Length(min=1, max=50))
    value = fields.Integer(required=True)


@readings_api.route("")
class Readings(MethodView):
    @readings_api.response(200, ReadingSchema(many=True))
    def get(self):
        """The tenant's readings."""
        return list(db.session.scalars(select(SampleReading).order_by(SampleReading.id)))

    @readings_api.arguments(ReadingSchema)
    @readings_api.response(201, ReadingSchema)
    def post(self, data):
        """Record a reading."""
        reading = SampleReading(**data)
        db.session.add(reading)
        db.session.commit()
        return reading


@readings_api.route("/<int:reading_id>")
class Reading(MethodView):
    @readings_api.response(200, ReadingSchema)
    def get(self, reading_id):
        """One reading."""
        return get_one(SampleReading, reading_id, "reading")


@hookimpl
def kehu_api_endpoints():
    return [ApiEndpoints("sample", readings_api, "/sample/readings")]


@hookimpl
def kehu_portal_pages():
    return [PortalPages("sample", sample_pages, translations=str(Path(__file__).parent / "sample_translations"))]


@hookimpl
def kehu_tenant_created(tenant_id):
    CALLS.append(("tenant_created", tenant_id))


@hookimpl
def kehu_provision_demo(tenant_id):
    CALLS.append(("provision_demo", tenant_id))
    return [("reader", "demo-pass", "meter_reader")]


@hookimpl
def kehu_periodic_jobs():
    return [PeriodicJob("sample.tick", "* * * * *"), PeriodicJob("sample.nightly", "0 3 * * *")]


@hookimpl
def kehu_customer_fields():
    return [
        CustomerField("meter_no", "表号", "Meter number", fields.String(validate=validate.Regexp(r"^M\d{6}$")),
                      searchable=True),
        CustomerField("supply_capacity_kva", "报装容量", "Supply capacity (kVA)",
                      fields.Integer(validate=validate.Range(min=1)), kinds=("organisation",)),
    ]


@hookimpl
def kehu_checklist_templates():
    return [
        ChecklistTemplate("sample_connection", "报装资料", "Connection file", when={"field": "extra.meter_no", "op": "present"},
                          items=(
                              {"code": "application_form", "label_zh": "报装申请表", "customer_signature": True},
                              {"code": "id_or_licence", "label_zh": "身份证或营业执照", "any_of": [
                                  {"code": "id_copy", "label_zh": "身份证复印件", "both_sides": True},
                                  {"code": "business_licence", "label_zh": "营业执照复印件"}]},
                          )),
    ]


@hookimpl
def kehu_complaint_categories():
    return [ComplaintCategory("meter_fault", "计量故障", "Meter fault", department="计量班")]


@hookimpl
def kehu_commission_split(deal):
    """STF-30 as an industry plugin decides it: ``facts.team`` (user ids) shares both sets equally;
    ``facts.assisted_by`` (a user id) keeps the performance with the owner and pays the helper 20% of
    the commission. Any other deal: no answer (the core decides)."""
    from core.staff.credit_rules import equal_percents

    team = deal.facts.get("team")
    if team:
        lines = tuple(ShareLine(p, user_id=u) for u, p in zip(team, equal_percents(len(team))))
        return CommissionSplit(lines, lines, "sample:team_sale", "团队成交，业绩与提成均分。",
                               "A team sale: performance and commission shared equally.", facts={"team": team})
    helper = deal.facts.get("assisted_by")
    if helper:
        return CommissionSplit(
            performance=(ShareLine("100.00", user_id=deal.owner_id),),
            bonus=(ShareLine("80.00", user_id=deal.owner_id), ShareLine("20.00", user_id=helper)),
            rule_id="sample:co_selling", reason_zh="协助成交：业绩归接待人，提成接待人80%、协助人20%。",
            reason_en="Assisted sale: performance to the salesperson; commission 80% to them, 20% to the helper.",
            facts={"assisted_by": helper})
    return None


@hookimpl
def kehu_credit_recognition(deal):
    """STF-31 as the dealership decides it for a GMAC loan: counted when the remittance report is in,
    never before pickup (``facts.pickup_at``, ``facts.remittance_report_at``); pending until both."""
    import datetime as dt

    if deal.facts.get("payment") != "gmac":
        return None
    pickup, report = deal.facts.get("pickup_at"), deal.facts.get("remittance_report_at")
    if not (pickup and report):
        return Recognition(None, "STF-31", "GMAC贷款车：待提车并收到放款报告后计入业绩。",
                           "GMAC loan: counts once the car is picked up and the remittance report is in.")
    at = max(dt.datetime.fromisoformat(pickup), dt.datetime.fromisoformat(report))
    return Recognition(at, "STF-31", "GMAC贷款车：已提车且收到放款报告，计入业绩。",
                       "GMAC loan: picked up and the remittance report received; the deal counts.")
def meter_on_file(meter: str) -> bool:
    """The sample's master data: a meter is on file once it has a reading."""
    from sqlalchemy import select

    from core.db import db
    from tests.plugins.sample_models import SampleReading

    return db.session.scalar(select(SampleReading.id).where(SampleReading.meter == meter)) is not None


@hookimpl
def kehu_complaint_fields():
    return [
        ComplaintField("meter_no", "表号", "Meter number", fields.String(validate=validate.Regexp(r"^M\d{6}$")),
                       required=True, verify=meter_on_file),
        ComplaintField("reading", "当前读数", "Current reading", fields.Integer(validate=validate.Range(min=0))),
    ]


@hookimpl
def kehu_work_order_types():
    """A utility's meter installation (SVC-01): a meter number is required and a safety test must pass
    before completion (SVC-11)."""
    return [
        WorkOrderType("meter_install", "装表", "Meter installation",
                      fields={"meter_no": fields.String(validate=validate.Regexp(r"^M\d{6}$"))},
                      required=("address", "meter_no"),
                      completion_checks=(CompletionCheck("safety_test", "安全检测", "Safety test"),)),
    ]


@hookimpl
def kehu_work_order_transition(order, to_state, data):
    """SVC-02: a meter installation is not completed without its seal photo."""
    if order.type == "meter_install" and to_state == "completed" and not data.get("seal_photo"):
        return TransitionVeto("装表完工须上传铅封照片", "a meter installation needs the seal photo to complete",
                              rule_id="SVC-02")
    return None


# --- jobs ------------------------------------------------------------------------------------------

def record_reading(meter: str, value: int = 1) -> bool:
    """The effect of the sample jobs: one reading per natural key, however often a job runs."""
    from sqlalchemy import select

    from core.db import db
    from tests.plugins.sample_models import SampleReading

    if db.session.scalars(select(SampleReading).where(SampleReading.meter == meter)).first():
        return False
    db.session.add(SampleReading(meter=meter, value=value))
    db.session.commit()
    return True


@tenant_job("sample.tick", plugin="sample")
def tick(job):
    """Periodic: one reading per slot (its dedupe key is the natural key)."""
    return {"new": record_reading(job.dedupe_key)}


@tenant_job("sample.nightly", plugin="sample")
def nightly(job):
    return {"new": record_reading(job.dedupe_key)}


@tenant_job("sample.flaky", retry_intervals=(1, 1, 1), plugin="sample")
def flaky(job, *, fail_times: int, kind: str = "transient", meter: str = "flaky"):
    """Fails its first ``fail_times`` attempts, transiently or with bad data."""
    if job.attempt <= fail_times:
        if kind == "transient":
            raise TransientJobError("upstream unavailable")
        raise ValueError(f"bad row {job.attempt}: amount is not a number")
    return {"new": record_reading(meter)}


@tenant_job("sample.slow", timeout=120, retry_intervals=(1, 1, 1), plugin="sample")
def slow(job, *, seconds: float, meter: str):
    """Sleeps (reporting progress), then records its reading once."""
    import time

    steps = max(1, int(seconds * 10))
    for i in range(steps):
        job.progress(i, steps, "waiting")
        time.sleep(seconds / steps)
    return {"new": record_reading(meter)}
