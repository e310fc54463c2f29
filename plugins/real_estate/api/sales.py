"""Sales control (销控) over REST, RE-30..RE-34: ``/api/v1/re/sales/...``.

- ``GET|POST /projects`` · ``GET /projects/<project_id>`` · ``GET|POST /projects/<project_id>/buildings`` ·
  ``GET /buildings/<building_id>`` · ``GET|POST /buildings/<building_id>/units`` · ``GET /units`` (filters
  project_id, building_id, state) · ``GET|PATCH /units/<unit_id>`` (price, popularity, ...: managers and
  master sales control).
- RE-31 ``POST /units/<unit_id>/holds`` {customer_id} → 201, 409 naming who holds it · ``GET /holds`` ·
  ``GET /holds/<hold_id>`` · ``POST /holds/<hold_id>/release`` (holder or manager) ·
  ``POST /holds/<hold_id>/extend`` {until} (manager).
- RE-32 ``POST /units/<unit_id>/deposits`` {kind, amount, receipt_no, customer_id, received_at} → 201
  (finance only: 403 for anybody else) · ``GET /deposits`` (the registers: kind, start, end) ·
  ``GET /deposits/<deposit_id>``.
- RE-33 ``GET|POST /subscriptions`` · ``GET|PATCH /subscriptions/<subscription_id>`` (409 once signed) ·
  ``POST .../sign`` · ``POST .../amendments`` → 201 v2 · ``POST .../approve`` (manager) · ``GET .../copies``.
- RE-34 ``POST /subscriptions/<subscription_id>/contract`` {number, custodian_id, signed_at} → 201 ·
  ``GET /contracts/<contract_id>`` · ``GET /signing-list``.
"""
from __future__ import annotations

from flask import abort, g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from core.db import db
from plugins.real_estate import contracts, deposits, holds, subscriptions, units
from plugins.real_estate.sales_models import DEPOSIT_KINDS, HOLD_STATUSES, SUBSCRIPTION_STATUSES
from plugins.real_estate.unit_rules import STATES
from web.api.auth import require_roles
from web.api.pagination import page_of

blp = Blueprint("re_sales", __name__, description="Real estate: units and sales control (销控, RE-30..34)")

Money = lambda **kw: fields.Decimal(as_string=True, places=2, **kw)  # noqa: E731


class ReProjectSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    city = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=50))
    address = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    department_id = fields.Integer(load_default=None, allow_none=True)


class ReBuildingSchema(Schema):
    id = fields.Integer(dump_only=True)
    project_id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=50))
    floors = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=300))


class ReUnitSchema(Schema):
    id = fields.Integer(dump_only=True)
    project_id = fields.Integer(dump_only=True)
    building_id = fields.Integer(dump_only=True)
    number = fields.String(required=True, validate=validate.Length(min=1, max=30), metadata={"example": "3-1502"})
    floor = fields.Integer(allow_none=True)
    layout = fields.String(allow_none=True, validate=validate.Length(max=50))
    area = Money(required=True, metadata={"description": "m²"})
    price = Money(required=True, metadata={"description": "yuan"})
    orientation = fields.String(allow_none=True, validate=validate.Length(max=20))
    popularity = fields.String(validate=validate.Length(max=10))  # one of re.units.popularity_classes
    state = fields.String(dump_only=True, metadata={"description": " | ".join(STATES)})
    customer_id = fields.Integer(dump_only=True, allow_none=True)
    salesperson_id = fields.Integer(dump_only=True, allow_none=True)
    version = fields.Integer(dump_only=True)


class ReUnitImportSchema(Schema):
    csv = fields.String(required=True, metadata={"description": "CSV text with a header row: number, floor, layout, "
                                                               "area, price, orientation, popularity"})


class ReUnitPatchSchema(Schema):
    number = fields.String(validate=validate.Length(min=1, max=30))
    floor = fields.Integer(allow_none=True)
    layout = fields.String(allow_none=True, validate=validate.Length(max=50))
    area = Money()
    price = Money()
    orientation = fields.String(allow_none=True, validate=validate.Length(max=20))
    popularity = fields.String(validate=validate.Length(max=10))  # one of re.units.popularity_classes


class ReUnitQuerySchema(Schema):
    project_id = fields.Integer()
    building_id = fields.Integer()
    state = fields.String(validate=validate.OneOf(STATES))


class ReHoldInSchema(Schema):
    customer_id = fields.Integer(load_default=None, allow_none=True)


class ReHoldSchema(Schema):
    id = fields.Integer()
    unit_id = fields.Integer()
    customer_id = fields.Integer(allow_none=True)
    holder_id = fields.Integer()
    held_at = fields.DateTime()
    expires_at = fields.DateTime()
    status = fields.String(metadata={"description": " | ".join(HOLD_STATUSES)})
    ended_at = fields.DateTime(allow_none=True)
    extended_by = fields.Integer(allow_none=True)
    decision_id = fields.Integer(allow_none=True)


class ReHoldQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(HOLD_STATUSES))
    unit_id = fields.Integer()


class ReExtendInSchema(Schema):
    until = fields.AwareDateTime(required=True)


class ReDepositInSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(DEPOSIT_KINDS))
    amount = fields.Decimal(required=True, as_string=True)
    receipt_no = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=50))
    customer_id = fields.Integer(load_default=None, allow_none=True,
                                 metadata={"description": "default: the hold's customer"})
    salesperson_id = fields.Integer(load_default=None, allow_none=True,
                                    metadata={"description": "default: the holder"})
    received_at = fields.AwareDateTime(load_default=None, metadata={"description": "default now"})


class ReDepositSchema(Schema):
    id = fields.Integer()
    unit_id = fields.Integer()
    customer_id = fields.Integer()
    salesperson_id = fields.Integer(allow_none=True)
    kind = fields.String()
    amount = Money()
    receipt_no = fields.String()
    received_at = fields.DateTime()
    recorded_by = fields.Integer()
    refunded_at = fields.DateTime(allow_none=True)


class ReRegisterQuerySchema(Schema):
    kind = fields.String(validate=validate.OneOf(DEPOSIT_KINDS))
    start = fields.AwareDateTime()
    end = fields.AwareDateTime()
    unit_id = fields.Integer()


class ReScheduleLineSchema(Schema):
    due_on = fields.Date(required=True)
    amount = fields.Decimal(required=True, as_string=True)


class ReSubscriptionFieldsSchema(Schema):
    buyer_name = fields.String(allow_none=True, validate=validate.Length(max=100))
    phone = fields.String(allow_none=True, validate=validate.Length(max=40))
    mailing_address = fields.String(allow_none=True, validate=validate.Length(max=300))
    postcode = fields.String(allow_none=True, validate=validate.Length(max=20))
    price = fields.Decimal(allow_none=True, as_string=True)
    balance = fields.Decimal(allow_none=True, as_string=True)
    schedule = fields.List(fields.Nested(ReScheduleLineSchema))


class ReSubscriptionInSchema(ReSubscriptionFieldsSchema):
    unit_id = fields.Integer(required=True)
    customer_id = fields.Integer(load_default=None, allow_none=True,
                                 metadata={"description": "default: the customer of the unit's deposits"})


class ReAmendmentInSchema(ReSubscriptionFieldsSchema):
    schedule = fields.List(fields.Nested(ReScheduleLineSchema))
    amendment_reason = fields.String(required=True, validate=validate.Length(max=2000))


class ReSubscriptionSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    version = fields.Integer()
    previous_id = fields.Integer(allow_none=True)
    unit_id = fields.Integer()
    customer_id = fields.Integer()
    salesperson_id = fields.Integer()
    buyer_name = fields.String()
    phone = fields.String()
    mailing_address = fields.String()
    postcode = fields.String()
    price = Money()
    balance = Money()
    schedule = fields.List(fields.Dict())
    status = fields.String(metadata={"description": " | ".join(SUBSCRIPTION_STATUSES)})
    signed_at = fields.DateTime(allow_none=True)
    copies = fields.Dict()
    amendment_reason = fields.String(allow_none=True)
    approved_by = fields.Integer(allow_none=True)
    credit_id = fields.Integer(allow_none=True)


class ReSubscriptionQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(SUBSCRIPTION_STATUSES))
    unit_id = fields.Integer()
    customer_id = fields.Integer()


class ReCopySchema(Schema):
    holder = fields.String()
    title_zh = fields.String()
    n = fields.Integer()
    of = fields.Integer()


class ReContractInSchema(Schema):
    number = fields.String(required=True, validate=validate.Length(max=50))
    custodian_id = fields.Integer(load_default=None, allow_none=True)
    signed_at = fields.AwareDateTime(load_default=None, metadata={"description": "default now"})
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class ReContractSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    subscription_id = fields.Integer()
    unit_id = fields.Integer()
    customer_id = fields.Integer()
    buyer_name = fields.String()
    price = Money()
    signed_at = fields.DateTime()
    custodian_id = fields.Integer()
    salesperson_id = fields.Integer(allow_none=True)
    note = fields.String(allow_none=True)


class ReSigningRowSchema(Schema):
    contract_id = fields.Integer()
    number = fields.String()
    subscription_id = fields.Integer()
    unit_id = fields.Integer()
    buyer_name = fields.String()
    price = Money()
    salesperson_id = fields.Integer(allow_none=True)
    signed_at = fields.DateTime()
    listed_at = fields.DateTime(metadata={"description": "the signing minute (RE-34)"})


class RePeriodQuerySchema(Schema):
    start = fields.AwareDateTime()
    end = fields.AwareDateTime()


def _needs(*roles: str) -> None:
    """The caller holds one of ``roles`` (403 otherwise), checked after the object was looked up (another
    tenant's object is a 404 for everyone)."""
    if not g.user.has_role(*roles):
        abort(403, description=f"needs role: {' or '.join(roles)}")


def _done(result):
    db.session.commit()
    return result


# ------------------------------------------------------------------ projects, buildings, units


@blp.route("/projects")
class Projects(MethodView):
    @require_roles(*units.SALES_READERS)
    @blp.response(200, ReProjectSchema(many=True))
    def get(self):
        """The tenant's projects."""
        from sqlalchemy import select

        from plugins.real_estate.sales_models import Project

        return list(db.session.scalars(select(Project).order_by(Project.name)))

    @require_roles(*units.UNIT_EDITORS, admin_scope=False)
    @blp.arguments(ReProjectSchema)
    @blp.response(201, ReProjectSchema)
    def post(self, data):
        """A project (managers, master sales control)."""
        return _done(units.create_project(data))


@blp.route("/projects/<int:project_id>")
class ProjectItem(MethodView):
    @require_roles(*units.SALES_READERS)
    @blp.response(200, ReProjectSchema)
    def get(self, project_id):
        return units.get_project(project_id)


@blp.route("/projects/<int:project_id>/buildings")
class Buildings(MethodView):
    @require_roles(*units.SALES_READERS)
    @blp.response(200, ReBuildingSchema(many=True))
    def get(self, project_id):
        return units.buildings_of(units.get_project(project_id).id)

    @require_roles(*units.UNIT_EDITORS, admin_scope=False)
    @blp.arguments(ReBuildingSchema)
    @blp.response(201, ReBuildingSchema)
    def post(self, data, project_id):
        return _done(units.create_building(units.get_project(project_id), data))


@blp.route("/buildings/<int:building_id>")
class BuildingItem(MethodView):
    @require_roles(*units.SALES_READERS)
    @blp.response(200, ReBuildingSchema)
    def get(self, building_id):
        return units.get_building(building_id)


@blp.route("/buildings/<int:building_id>/units")
class BuildingUnits(MethodView):
    @require_roles(*units.SALES_READERS)
    @blp.response(200, ReUnitSchema(many=True))
    def get(self, building_id):
        return list(db.session.scalars(units.units(building_id=units.get_building(building_id).id)))

    @require_roles(*units.UNIT_EDITORS, admin_scope=False)
    @blp.arguments(ReUnitSchema)
    @blp.response(201, ReUnitSchema)
    def post(self, data, building_id):
        """A unit of the building, available (RE-30)."""
        return _done(units.create_unit(units.get_building(building_id), data))


@blp.route("/buildings/<int:building_id>/units/import")
class UnitImport(MethodView):
    @require_roles(*units.UNIT_EDITORS, admin_scope=False)
    @blp.arguments(ReUnitImportSchema)
    @blp.response(201, ReUnitSchema(many=True))
    def post(self, data, building_id):
        """Units of the building from CSV (all or nothing; 422 naming the rows)."""
        return _done(units.import_units(units.get_building(building_id), data["csv"]))


@blp.route("/units")
class Units(MethodView):
    @require_roles(*units.SALES_READERS)
    @blp.arguments(ReUnitQuerySchema, location="query")
    @blp.response(200, ReUnitSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """Sales control: the units with their states (RE-30)."""
        return page_of(units.units(**args), pagination_parameters)


@blp.route("/units/<int:unit_id>")
class UnitItem(MethodView):
    @require_roles(*units.SALES_READERS)
    @blp.response(200, ReUnitSchema)
    def get(self, unit_id):
        return units.get_unit(unit_id)

    @require_roles(*units.UNIT_EDITORS, admin_scope=False)
    @blp.arguments(ReUnitPatchSchema)
    @blp.response(200, ReUnitSchema)
    def patch(self, data, unit_id):
        """Edit a unit's price, area, popularity... (not its state)."""
        return _done(units.update_unit(units.get_unit(unit_id, for_update=True), data))


# ------------------------------------------------------------------ RE-31 holds


@blp.route("/units/<int:unit_id>/holds")
class UnitHolds(MethodView):
    @require_roles(*units.SALES_READERS, admin_scope=False)
    @blp.arguments(ReHoldInSchema)
    @blp.response(201, ReHoldSchema)
    @blp.alt_response(409, description="the unit is held already (the answer names the holder)")
    def post(self, data, unit_id):
        """RE-31: hold the unit before a deposit (atomic; master sales control is notified)."""
        return _done(holds.hold(units.get_unit(unit_id), by=g.user, customer_id=data["customer_id"]))


@blp.route("/holds")
class Holds(MethodView):
    @require_roles(*units.SALES_READERS)
    @blp.arguments(ReHoldQuerySchema, location="query")
    @blp.response(200, ReHoldSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        from sqlalchemy import select

        from plugins.real_estate.sales_models import Hold

        stmt = select(Hold).order_by(Hold.id.desc())
        for key, value in args.items():
            stmt = stmt.where(getattr(Hold, key) == value)
        return page_of(stmt, pagination_parameters)


@blp.route("/holds/<int:hold_id>")
class HoldItem(MethodView):
    @require_roles(*units.SALES_READERS)
    @blp.response(200, ReHoldSchema)
    def get(self, hold_id):
        return holds.get_hold(hold_id)


@blp.route("/holds/<int:hold_id>/release")
class Release(MethodView):
    @require_roles(*units.SALES_READERS, admin_scope=False)
    @blp.response(200, ReHoldSchema)
    def post(self, hold_id):
        """RE-31: the holder or a manager releases the hold; the unit is available again."""
        return _done(holds.release(holds.get_hold(hold_id, for_update=True), by=g.user))


@blp.route("/holds/<int:hold_id>/extend")
class Extend(MethodView):
    @require_roles(*units.SALES_READERS, admin_scope=False)
    @blp.arguments(ReExtendInSchema)
    @blp.response(200, ReHoldSchema)
    def post(self, data, hold_id):
        """RE-31: the manager extends a hold to a later time."""
        return _done(holds.extend(holds.get_hold(hold_id, for_update=True), by=g.user, until=data["until"]))


# ------------------------------------------------------------------ RE-32 deposits


@blp.route("/units/<int:unit_id>/deposits")
class UnitDeposits(MethodView):
    @require_roles(*units.SALES_READERS, admin_scope=False)
    @blp.arguments(ReDepositInSchema)
    @blp.response(201, ReDepositSchema)
    @blp.alt_response(403, description="only finance records deposits (RE-32)")
    def post(self, data, unit_id):
        """RE-32: finance records a small or big deposit with its receipt number; the unit moves."""
        return _done(deposits.record(units.get_unit(unit_id, for_update=True), data, by=g.user))


@blp.route("/deposits")
class Deposits(MethodView):
    @require_roles(*deposits.REGISTER_READERS)
    @blp.arguments(ReRegisterQuerySchema, location="query")
    @blp.response(200, ReDepositSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """The deposit registers (小定/大定登记表): by kind and period, in the order received."""
        return page_of(deposits.register(**args), pagination_parameters)


@blp.route("/deposits/<int:deposit_id>")
class DepositItem(MethodView):
    @require_roles(*deposits.REGISTER_READERS)
    @blp.response(200, ReDepositSchema)
    def get(self, deposit_id):
        return deposits.get_deposit(deposit_id)


# ------------------------------------------------------------------ RE-33 subscriptions


@blp.route("/subscriptions")
class Subscriptions(MethodView):
    @require_roles(*subscriptions.READERS)
    @blp.arguments(ReSubscriptionQuerySchema, location="query")
    @blp.response(200, ReSubscriptionSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        return subscriptions.presented(page_of(subscriptions.search(**args), pagination_parameters))

    @require_roles(*subscriptions.WRITERS, admin_scope=False)
    @blp.arguments(ReSubscriptionInSchema)
    @blp.response(201, ReSubscriptionSchema)
    def post(self, data):
        """RE-33: a draft subscription (422 per missing field; 409 when the unit cannot be subscribed)."""
        return _done(subscriptions.create(data, by=g.user))


@blp.route("/subscriptions/<int:subscription_id>")
class SubscriptionItem(MethodView):
    @require_roles(*subscriptions.READERS)
    @blp.response(200, ReSubscriptionSchema)
    def get(self, subscription_id):
        return subscriptions.get_subscription(subscription_id)

    @require_roles(*subscriptions.READERS, admin_scope=False)
    @blp.arguments(ReSubscriptionFieldsSchema)
    @blp.response(200, ReSubscriptionSchema)
    def patch(self, data, subscription_id):
        """RE-33: edit a draft; a signed subscription is immutable (409: amend it)."""
        found = subscriptions.get_subscription(subscription_id, for_update=True)
        _needs(*subscriptions.WRITERS)
        return _done(subscriptions.edit(found, data, by=g.user))


@blp.route("/subscriptions/<int:subscription_id>/sign")
class Sign(MethodView):
    @require_roles(*subscriptions.READERS, admin_scope=False)
    @blp.response(200, ReSubscriptionSchema)
    def post(self, subscription_id):
        """RE-33: signed: the unit is subscribed, the instalments are created, the deal is recorded."""
        found = subscriptions.get_subscription(subscription_id, for_update=True)
        _needs(*subscriptions.WRITERS)
        return _done(subscriptions.sign(found, by=g.user))


@blp.route("/subscriptions/<int:subscription_id>/amendments")
class Amendments(MethodView):
    @require_roles(*subscriptions.READERS, admin_scope=False)
    @blp.arguments(ReAmendmentInSchema)
    @blp.response(201, ReSubscriptionSchema)
    def post(self, data, subscription_id):
        """RE-33: an amendment of a signed subscription: the next version, waiting for the manager."""
        current = subscriptions.get_subscription(subscription_id, for_update=True)
        _needs(*subscriptions.WRITERS)
        return _done(subscriptions.amend(current, data, by=g.user))


@blp.route("/subscriptions/<int:subscription_id>/approve")
class Approve(MethodView):
    @require_roles(*subscriptions.READERS, admin_scope=False)
    @blp.response(200, ReSubscriptionSchema)
    def post(self, subscription_id):
        """RE-33: the manager approves an amendment (403 for anyone else); the version before is kept."""
        found = subscriptions.get_subscription(subscription_id, for_update=True)
        return _done(subscriptions.approve(found, by=g.user))


@blp.route("/subscriptions/<int:subscription_id>/copies")
class Copies(MethodView):
    @require_roles(*subscriptions.READERS)
    @blp.response(200, ReCopySchema(many=True))
    def get(self, subscription_id):
        """RE-33: the labelled copies to print (customer 1, finance 1, sales 2 by default)."""
        return subscriptions.printed_copies(subscriptions.get_subscription(subscription_id))


# ------------------------------------------------------------------ RE-34 contracts


@blp.route("/subscriptions/<int:subscription_id>/contract")
class SubscriptionContract(MethodView):
    @require_roles(*subscriptions.READERS, admin_scope=False)
    @blp.arguments(ReContractInSchema)
    @blp.response(201, ReContractSchema)
    def post(self, data, subscription_id):
        """RE-34: the purchase contract of a signed subscription, with the custodian of the documents."""
        found = subscriptions.get_subscription(subscription_id, for_update=True)
        _needs(*subscriptions.WRITERS)
        return _done(contracts.sign(found, data, by=g.user))


@blp.route("/contracts/<int:contract_id>")
class ContractItem(MethodView):
    @require_roles(*subscriptions.READERS)
    @blp.response(200, ReContractSchema)
    def get(self, contract_id):
        return contracts.get_contract(contract_id)


@blp.route("/signing-list")
class SigningList(MethodView):
    @require_roles(*subscriptions.READERS)
    @blp.arguments(RePeriodQuerySchema, location="query")
    @blp.response(200, ReSigningRowSchema(many=True))
    def get(self, args):
        """RE-34: the signing list (签约一览表), in signing order."""
        return [{**row.__dict__, "number": contract.number} for contract, row in contracts.signing_list(**args)]
