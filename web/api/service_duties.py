"""Recurring duties (SVC-30, SVC-32) and inspection checklists (SVC-31).

Duties
- ``GET /service-duties?active=&kind=&period=`` → the tenant's duties by code.
- ``POST /service-duties`` ``{code, title, kind, site, building, asset_class, customer_id, work_order_type,
  at_least, period, evidence, responsible_user_id | responsible_role, department_id, active, starts_on}`` → 201; 422 naming
  each field that cannot work (an unknown work-order type, intake data its orders need and a duty cannot
  give, no responsible manager).
- ``GET /service-duties/<duty_id>`` → the duty with its periods (runs): orders generated with their due
  days, and once ended what was done and the outcome (met / missed / skipped).
- ``PATCH /service-duties/<duty_id>`` → change it (the periods already started keep their orders);
  ``active = false`` switches it off (no new period, no alert for the current one).
- ``POST /service-duties/seed`` → the ``svc.duties`` / ``svc.survey.every`` presets copied into the table
  now (the job ``svc.duty_generation`` does it daily).

Checklists
- ``GET/POST /service-checklist-templates`` ``{code, title, site, items: [{code, label}]}``;
  ``GET/PATCH /service-checklist-templates/<checklist_template_id>``.
- ``POST /service-checklists`` ``{template_id | items with labels, site, at, order_id, title, note, items:
  [{code, label, result: ok|damaged, note, photo_attachment_id, repair: {...}}]}`` → 201 the checklist;
  each damaged item opens a repair order linked to it (``repair_state = opened``, ``repair_order_id``),
  or, when the repair's required data is missing, ``repair_state = pending`` with ``repair_errors``.
- ``GET /service-checklists?site=&template_id=&damaged=&since=&until=``, ``GET
  /service-checklists/<checklist_id>``.
- ``POST /service-checklists/<checklist_id>/items/<checklist_item_id>/repair`` ``{customer_id,
  customer_name, contact_name, contact_phone, priority, data, at}`` → 201 the item with its repair order;
  422 naming what is still missing; 409 when the item is not damaged or its repair is open already.
"""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from core.db import db
from core.service import checklists, duties
from core.service.checklists_models import RESULTS
from core.service.duties_settings import CODE_RE, KINDS, PERIODS
from core.service.models import WorkOrder
from web.api.auth import require_roles
from web.api.pagination import page_of

PREFIX = ""
blp = Blueprint("service_duties", __name__,
                description="Recurring duties, periodic surveys and inspection checklists (SVC-30..32)")

#: who sets duties up and changes them
DUTY_MANAGERS = ("supervisor", "cs_manager", "dept_manager", "gm", "vp", "tenant_admin")
#: who records inspections (patrols, daily rounds)
INSPECTORS = (*DUTY_MANAGERS, "technician", "cs_agent", "cs_supervisor", "assistant", "property_assistant")

_CODE = validate.Regexp(CODE_RE, error="lower-case letters, digits, underscores")


# ------------------------------------------------------------------------------------------ duties


class SvcDutyInSchema(Schema):
    code = fields.String(required=True, validate=[validate.Length(max=60), _CODE])
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(load_default="work_order", validate=validate.OneOf(KINDS),
                         metadata={"description": "work_order (orders generated) | survey (CUS-64 surveys counted)"})
    site = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    building = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    asset_class = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    customer_id = fields.Integer(load_default=None, allow_none=True)
    work_order_type = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40),
                                    metadata={"description": "a type of GET /work-orders/types"})
    at_least = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=100))
    period = fields.String(required=True, validate=validate.OneOf(PERIODS))
    evidence = fields.List(fields.String(validate=_CODE), load_default=list,
                           metadata={"description": "check results the completion must carry, e.g. sample_test"})
    responsible_user_id = fields.Integer(load_default=None, allow_none=True)
    responsible_role = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=60))
    department_id = fields.Integer(load_default=None, allow_none=True,
                                   metadata={"description": "the department its orders go to; default the "
                                                            "responsible user's"})
    active = fields.Boolean(load_default=True)
    starts_on = fields.Date(load_default=None, allow_none=True,
                            metadata={"description": "the first period is the one holding this day; default today"})


class SvcDutyPatchSchema(Schema):
    title = fields.String(validate=validate.Length(min=1, max=200))
    site = fields.String(allow_none=True, validate=validate.Length(max=200))
    building = fields.String(allow_none=True, validate=validate.Length(max=200))
    asset_class = fields.String(allow_none=True, validate=validate.Length(max=100))
    customer_id = fields.Integer(allow_none=True)
    work_order_type = fields.String(allow_none=True, validate=validate.Length(max=40))
    at_least = fields.Integer(strict=True, validate=validate.Range(min=1, max=100))
    period = fields.String(validate=validate.OneOf(PERIODS))
    evidence = fields.List(fields.String(validate=_CODE))
    responsible_user_id = fields.Integer(allow_none=True)
    responsible_role = fields.String(allow_none=True, validate=validate.Length(max=60))
    department_id = fields.Integer(allow_none=True)
    active = fields.Boolean()
    starts_on = fields.Date()


class SvcDutySchema(Schema):
    id = fields.Integer()
    code = fields.String()
    title = fields.String()
    kind = fields.String()
    site = fields.String(allow_none=True)
    building = fields.String(allow_none=True)
    asset_class = fields.String(allow_none=True)
    scope = fields.Function(duties.scope_text)
    customer_id = fields.Integer(allow_none=True)
    work_order_type = fields.String(allow_none=True)
    at_least = fields.Integer()
    period = fields.String()
    evidence = fields.List(fields.String())
    responsible_user_id = fields.Integer(allow_none=True)
    responsible_role = fields.String(allow_none=True)
    department_id = fields.Integer(allow_none=True)
    active = fields.Boolean()
    starts_on = fields.Date()
    source = fields.String(metadata={"description": "manual | policy (seeded from svc.duties / svc.survey)"})
    created_by = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class SvcDutyRunSchema(Schema):
    id = fields.Integer()
    period = fields.String()
    period_start = fields.Date()
    period_end = fields.Date()
    required = fields.Integer()
    order_ids = fields.List(fields.Integer())
    due_dates = fields.List(fields.String())
    state = fields.String(metadata={"description": "generated | failed | met | missed | skipped"})
    errors = fields.Dict(metadata={"description": "why its orders could not be generated"})
    generated_at = fields.DateTime()
    generation_decision_id = fields.Integer(allow_none=True)
    done = fields.Integer(allow_none=True)
    checked_at = fields.DateTime(allow_none=True)
    check_decision_id = fields.Integer(allow_none=True)
    notified = fields.List(fields.Integer())


class SvcDutyDetailSchema(SvcDutySchema):
    runs = fields.Function(lambda duty: SvcDutyRunSchema(many=True).dump(duties.runs_of(duty)[:24]),
                           metadata={"description": "its latest periods, newest first"})


class SvcDutyQuerySchema(Schema):
    active = fields.Boolean()
    kind = fields.String(validate=validate.OneOf(KINDS))
    period = fields.String(validate=validate.OneOf(PERIODS))


@blp.route("/service-duties")
class ServiceDuties(MethodView):
    @blp.arguments(SvcDutyQuerySchema, location="query")
    @blp.response(200, SvcDutySchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """The tenant's duties, by code (SVC-30, SVC-32)."""
        return page_of(duties.search(**args), pagination_parameters)

    @require_roles(*DUTY_MANAGERS, admin_scope=False)
    @blp.arguments(SvcDutyInSchema)
    @blp.response(201, SvcDutyDetailSchema)
    def post(self, data):
        """Set a duty up: at least N per period for a scope (SVC-30)."""
        duty = duties.create_duty(data, by=g.user.id)
        db.session.commit()
        return duty


@blp.route("/service-duties/seed")
class ServiceDutySeed(MethodView):
    @require_roles(*DUTY_MANAGERS, admin_scope=False)
    @blp.response(200, SvcDutySchema(many=True))
    def post(self):
        """Copy the policy's preset duties the table lacks (svc.duties, svc.survey.every)."""
        from core.db import utcnow

        created = duties.seed_from_policy(utcnow(), by=g.user.id)
        db.session.commit()
        return created


@blp.route("/service-duties/<int:duty_id>")
class ServiceDuty(MethodView):
    @blp.response(200, SvcDutyDetailSchema)
    def get(self, duty_id):
        """One duty with its periods."""
        return duties.get_duty(duty_id)

    @require_roles(*DUTY_MANAGERS, admin_scope=False)
    @blp.arguments(SvcDutyPatchSchema)
    @blp.response(200, SvcDutyDetailSchema)
    def patch(self, data, duty_id):
        """Change a duty; the next periods follow the change."""
        duty = duties.update_duty(duties.get_duty(duty_id, for_update=True), data)
        db.session.commit()
        return duty


# ------------------------------------------------------------------------------------------ checklists


class SvcChecklistTemplateItemSchema(Schema):
    code = fields.String(required=True, validate=[validate.Length(max=60), _CODE])
    label = fields.String(required=True, validate=validate.Length(min=1, max=200))


class SvcChecklistTemplateInSchema(Schema):
    code = fields.String(required=True, validate=[validate.Length(max=60), _CODE])
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    site = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    items = fields.List(fields.Nested(SvcChecklistTemplateItemSchema), required=True,
                        validate=validate.Length(min=1, max=200))


class SvcChecklistTemplatePatchSchema(Schema):
    title = fields.String(validate=validate.Length(min=1, max=200))
    site = fields.String(allow_none=True, validate=validate.Length(max=200))
    items = fields.List(fields.Nested(SvcChecklistTemplateItemSchema), validate=validate.Length(min=1, max=200))
    active = fields.Boolean()


class SvcChecklistTemplateSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    title = fields.String()
    site = fields.String(allow_none=True)
    items = fields.List(fields.Nested(SvcChecklistTemplateItemSchema))
    active = fields.Boolean()
    created_by = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class SvcRepairIntakeSchema(Schema):
    priority = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    customer_id = fields.Integer(load_default=None, allow_none=True)
    customer_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    contact_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    contact_phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    data = fields.Dict(load_default=None, allow_none=True,
                       metadata={"description": "the repair type's fields: model, purchase_date..."})


class SvcRepairInSchema(SvcRepairIntakeSchema):
    at = fields.AwareDateTime(load_default=None, metadata={"description": "when the repair is requested; default now"})


class SvcChecklistItemInSchema(Schema):
    code = fields.String(load_default=None, allow_none=True, validate=[validate.Length(max=60), _CODE],
                         metadata={"description": "the template's item; optional without a template"})
    label = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200),
                          metadata={"description": "required without a template"})
    result = fields.String(required=True, validate=validate.OneOf(RESULTS))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    photo_attachment_id = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1),
                                         metadata={"description": "an attachment's id"})
    repair = fields.Nested(SvcRepairIntakeSchema, load_default=None, allow_none=True,
                           metadata={"description": "more repair intake data for a damaged item (SVC-03)"})


class SvcChecklistInSchema(Schema):
    template_id = fields.Integer(load_default=None, allow_none=True)
    title = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    site = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200),
                         metadata={"description": "default the template's site"})
    at = fields.AwareDateTime(load_default=None, metadata={"description": "when it was inspected; default now"})
    order_id = fields.Integer(load_default=None, allow_none=True,
                              metadata={"description": "the inspection work order it fulfils"})
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))
    items = fields.List(fields.Nested(SvcChecklistItemInSchema), required=True,
                        validate=validate.Length(min=1, max=200))


def _repair_number(item) -> str | None:
    if item.repair_order_id is None:
        return None
    return db.session.scalar(select(WorkOrder.number).where(WorkOrder.id == item.repair_order_id))


class SvcChecklistItemSchema(Schema):
    id = fields.Integer()
    position = fields.Integer()
    code = fields.String(allow_none=True)
    label = fields.String()
    result = fields.String()
    note = fields.String(allow_none=True)
    photo_attachment_id = fields.Integer(allow_none=True)
    repair_state = fields.String(allow_none=True, metadata={"description": "opened | pending (damaged items)"})
    repair_order_id = fields.Integer(allow_none=True)
    repair_order_number = fields.Function(_repair_number)
    repair_errors = fields.Dict(metadata={"description": "what the repair still needs (SVC-03)"})
    decision_id = fields.Integer(allow_none=True)


class SvcChecklistSchema(Schema):
    id = fields.Integer()
    template_id = fields.Integer(allow_none=True)
    title = fields.String()
    site = fields.String()
    at = fields.DateTime()
    inspector_id = fields.Integer(allow_none=True)
    order_id = fields.Integer(allow_none=True)
    note = fields.String(allow_none=True)
    damaged = fields.Integer()
    created_at = fields.DateTime()


class SvcChecklistDetailSchema(SvcChecklistSchema):
    items = fields.Function(lambda c: SvcChecklistItemSchema(many=True).dump(checklists.items_of(c)))


class SvcChecklistQuerySchema(Schema):
    site = fields.String()
    template_id = fields.Integer()
    damaged = fields.Boolean()
    since = fields.AwareDateTime()
    until = fields.AwareDateTime()


class SvcTemplateQuerySchema(Schema):
    active = fields.Boolean()


@blp.route("/service-checklist-templates")
class ChecklistTemplates(MethodView):
    @blp.arguments(SvcTemplateQuerySchema, location="query")
    @blp.response(200, SvcChecklistTemplateSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """Inspection checklist templates, by code (SVC-31)."""
        return page_of(checklists.templates(args.get("active")), pagination_parameters)

    @require_roles(*DUTY_MANAGERS, admin_scope=False)
    @blp.arguments(SvcChecklistTemplateInSchema)
    @blp.response(201, SvcChecklistTemplateSchema)
    def post(self, data):
        """A checklist template: its items."""
        template = checklists.create_template(data, by=g.user.id)
        db.session.commit()
        return template


@blp.route("/service-checklist-templates/<int:checklist_template_id>")
class ChecklistTemplate(MethodView):
    @blp.response(200, SvcChecklistTemplateSchema)
    def get(self, checklist_template_id):
        """One template."""
        return checklists.get_template(checklist_template_id)

    @require_roles(*DUTY_MANAGERS, admin_scope=False)
    @blp.arguments(SvcChecklistTemplatePatchSchema)
    @blp.response(200, SvcChecklistTemplateSchema)
    def patch(self, data, checklist_template_id):
        """Change a template (recorded checklists keep their items); ``active = false`` retires it."""
        template = checklists.update_template(checklists.get_template(checklist_template_id), data)
        db.session.commit()
        return template


@blp.route("/service-checklists")
class Checklists(MethodView):
    @blp.arguments(SvcChecklistQuerySchema, location="query")
    @blp.response(200, SvcChecklistSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """Recorded inspections, newest first."""
        return page_of(checklists.search(**args), pagination_parameters)

    @require_roles(*INSPECTORS, admin_scope=False)
    @blp.arguments(SvcChecklistInSchema)
    @blp.response(201, SvcChecklistDetailSchema)
    def post(self, data):
        """Record an inspection; each damaged item opens a linked repair order or waits for its data (SVC-31)."""
        checklist = checklists.record_checklist(data, by=g.user.id, region=g.tenant.region)
        db.session.commit()
        return checklist


@blp.route("/service-checklists/<int:checklist_id>")
class Checklist(MethodView):
    @blp.response(200, SvcChecklistDetailSchema)
    def get(self, checklist_id):
        """One inspection with its items and their repair orders."""
        return checklists.get_checklist(checklist_id)


@blp.route("/service-checklists/<int:checklist_id>/items/<int:checklist_item_id>/repair")
class ChecklistItemRepair(MethodView):
    @require_roles(*INSPECTORS, admin_scope=False)
    @blp.arguments(SvcRepairInSchema)
    @blp.response(201, SvcChecklistItemSchema)
    def post(self, data, checklist_id, checklist_item_id):
        """Open the repair of a damaged item kept pending, with the data that was missing (SVC-31)."""
        checklist = checklists.get_checklist(checklist_id, for_update=True)
        item = checklists.get_item(checklist, checklist_item_id)
        at = data.pop("at", None)
        item = checklists.open_repair(checklist, item, data, by=g.user.id, region=g.tenant.region, at=at)
        db.session.commit()
        return item
