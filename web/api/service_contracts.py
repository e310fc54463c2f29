"""Service contracts, periods and serial numbers (SVC-20), expiry reminders (SVC-21), renewals (SVC-22).

Contracts
- ``POST /service-contracts`` ``{customer_id, kind: service|warranty, subject, reference, signed_on,
  installed_on, term: "1 years", amount, installation_order_id, serial, note}`` → 201 the contract with
  its first period: from the installation date (``svc.period.start = installation``), else the signing
  date; the serial (generated, or the one given) once the installation is known. 422 naming each bad
  field.
- ``GET /service-contracts?customer_id=&state=&kind=&expiring_before=&serial=`` → the soonest to run
  out first (``expiring_before``: covered through that day at most).
- ``GET /service-contracts/<id>`` → the contract with its periods, renewals and reminders.
- ``POST /service-contracts/<id>/installed`` ``{installed_on, serial}`` → the first period
  re-dated from the installation (unless renewed) and the serial issued (decision SVC-20).
- ``GET /service-contracts/<id>/serial?on=&serial=`` → whether the serial (default: the one in
  force) is valid on that day (default today): valid through its period's end.
- ``POST /service-contracts/<id>/renewals`` ``{signed_on, method: fax|e_sign|paper, amount,
  term, note}`` → 201 the renewal with its payment limit (``svc.renewal.pay_within``, decision SVC-22);
  409 while another renewal awaits payment.

Renewals
- ``GET /service-renewals/<id>``.
- ``POST /service-renewals/<id>/payment`` ``{paid_on, amount, receipt_no, serial}`` (finance) →
  the next period from the day after the old end with a new serial (decision SVC-22).
- ``POST /service-renewals/<id>/cancel`` ``{reason}``.

Expiry reminders (made by the job ``svc.contract_expiry``; the return-visit list of contracts)
- ``GET /service-contract-reminders?state=&outcome=&assignee_id=&contract_id=&customer_id=&due_before=``.
- ``POST /service-contract-reminders/<id>/response`` ``{outcome: renew|decline|undecided, note,
  responded_at}``.
"""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from core.db import db
from core.service import contracts
from core.service import contract_rules as rules
from web.api.auth import require_roles
from web.api.pagination import page_of

PREFIX = ""
blp = Blueprint("service_contracts", __name__,
                description="Service contracts, periods and serial numbers, expiry reminders, renewals (SVC-20..22)")

#: who writes contracts, renewals and customers' responses: customer service and sales managers, cs agents
WRITERS = ("cs_agent", "cs_supervisor", "cs_manager", "sales_manager", "dept_manager", "gm", "vp", "tenant_admin")
#: who records renewal payments
FINANCE = ("finance", "tenant_admin")


class SvcPeriodSchema(Schema):
    id = fields.Integer()
    contract_id = fields.Integer()
    seq = fields.Integer(metadata={"description": "1 = the initial period, 2.. = renewals"})
    kind = fields.String(metadata={"description": "initial | renewal"})
    starts_on = fields.Date()
    ends_on = fields.Date(metadata={"description": "covered through this day (start day included)"})
    serial = fields.String(allow_none=True, metadata={"description": "serial number or licence key, valid "
                                                                     "through ends_on; null until installed"})
    serial_source = fields.String(allow_none=True, metadata={"description": "generated | given"})
    serial_issued_on = fields.Date(allow_none=True)
    decision_id = fields.Integer(allow_none=True)


class SvcRenewalSchema(Schema):
    id = fields.Integer()
    contract_id = fields.Integer()
    period_id = fields.Integer(metadata={"description": "the period it renews"})
    signed_on = fields.Date()
    method = fields.String(metadata={"description": "fax | e_sign | paper"})
    amount = fields.Decimal(as_string=True)
    term = fields.String()
    pay_within = fields.String()
    pay_due_on = fields.Date(metadata={"description": "paid through this day (SVC-22)"})
    pay_due_at = fields.DateTime(metadata={"description": "the instant it is late from"})
    state = fields.String(metadata={"description": "awaiting_payment | paid | cancelled"})
    paid_on = fields.Date(allow_none=True)
    paid_amount = fields.Decimal(as_string=True, allow_none=True)
    receipt_no = fields.String(allow_none=True)
    paid_late = fields.Boolean()
    payment_recorded_by = fields.Integer(allow_none=True)
    new_period_id = fields.Integer(allow_none=True)
    alerted_at = fields.DateTime(allow_none=True)
    alert_decision_id = fields.Integer(allow_none=True)
    cancelled_at = fields.DateTime(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    decision_id = fields.Integer(allow_none=True)
    payment_decision_id = fields.Integer(allow_none=True)
    created_by = fields.Integer(allow_none=True)


class SvcRenewalDetailSchema(SvcRenewalSchema):
    new_period = fields.Function(lambda r: SvcPeriodSchema().dump(contracts.get_period(r.new_period_id))
                                 if r.new_period_id else None, metadata={"description": "the period the payment added"})


class SvcReminderSchema(Schema):
    id = fields.Integer()
    contract_id = fields.Integer()
    period_id = fields.Integer()
    customer_id = fields.Integer()
    kind = fields.String(metadata={"description": "service | warranty"})
    due_on = fields.Date(metadata={"description": "the reminder day (svc.expiry.remind_before the end)"})
    ends_on = fields.Date()
    assignee_id = fields.Integer(allow_none=True, metadata={"description": "the customer's owner, else a cs agent"})
    notice = fields.String(metadata={"description": "rendered from svc.expiry.template"})
    state = fields.String(metadata={"description": "open | responded"})
    outcome = fields.String(allow_none=True, metadata={"description": "renew | decline | undecided"})
    note = fields.String(allow_none=True)
    responded_at = fields.DateTime(allow_none=True)
    responded_by = fields.Integer(allow_none=True)
    responses = fields.List(fields.Dict())
    decision_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class SvcContractSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "service | warranty"})
    customer_id = fields.Integer()
    subject = fields.String()
    reference = fields.String(allow_none=True)
    signed_on = fields.Date()
    installed_on = fields.Date(allow_none=True)
    term = fields.String()
    amount = fields.Decimal(as_string=True, allow_none=True)
    state = fields.String(metadata={"description": "active | expired | renewal_pending | ended"})
    period_basis = fields.String(metadata={"description": "installation | signing: what the first period starts on"})
    ends_on = fields.Date(metadata={"description": "the last day covered"})
    installation_order_id = fields.Integer(allow_none=True)
    note = fields.String(allow_none=True)
    policy_version = fields.Integer()
    decision_id = fields.Integer(allow_none=True)
    created_by = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class SvcContractDetailSchema(SvcContractSchema):
    periods = fields.Function(lambda c: SvcPeriodSchema(many=True).dump(contracts.periods_of(c.id)))
    renewals = fields.Function(lambda c: SvcRenewalSchema(many=True).dump(contracts.renewals_of(c.id)))
    reminders = fields.Function(lambda c: SvcReminderSchema(many=True).dump(contracts.reminders_of(c.id)))


class SvcContractInSchema(Schema):
    customer_id = fields.Integer(required=True)
    kind = fields.String(load_default="service", validate=validate.OneOf(rules.KINDS))
    subject = fields.String(required=True, validate=validate.Length(min=1, max=200),
                            metadata={"description": "the product: software name, device..."})
    reference = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=60),
                              metadata={"description": "the contract's own number"})
    signed_on = fields.Date(required=True)
    installed_on = fields.Date(load_default=None, allow_none=True,
                               metadata={"description": "SVC-20: the first period starts on it; later through "
                                                        "/installed"})
    term = fields.String(required=True, validate=validate.Length(max=30),
                         metadata={"description": "a duration in days, weeks, months or years: \"1 years\""})
    amount = fields.Decimal(load_default=None, allow_none=True, places=2, as_string=True)
    installation_order_id = fields.Integer(load_default=None, allow_none=True,
                                           metadata={"description": "a work order of type installation"})
    serial = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64),
                           metadata={"description": "the serial or licence key to use instead of a generated one "
                                                    "(needs installed_on)"})
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))


class SvcContractQuerySchema(Schema):
    customer_id = fields.Integer()
    state = fields.String(validate=validate.OneOf(rules.STATES))
    kind = fields.String(validate=validate.OneOf(rules.KINDS))
    expiring_before = fields.Date(metadata={"description": "covered through this day at most"})
    serial = fields.String(validate=validate.Length(max=64))


class SvcInstalledInSchema(Schema):
    installed_on = fields.Date(required=True)
    serial = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64),
                           metadata={"description": "the serial or licence key to use instead of a generated one"})


class SvcSerialQuerySchema(Schema):
    on = fields.Date(metadata={"description": "default today"})
    serial = fields.String(validate=validate.Length(max=64), metadata={"description": "default the one in force"})


class SvcSerialStatusSchema(Schema):
    contract_id = fields.Integer()
    on = fields.Date()
    serial = fields.String(allow_none=True)
    valid = fields.Boolean()
    valid_from = fields.Date(allow_none=True)
    valid_to = fields.Date(allow_none=True)
    period_seq = fields.Integer(allow_none=True)
    reason_zh = fields.String()
    reason_en = fields.String()


class SvcRenewalInSchema(Schema):
    signed_on = fields.Date(required=True, metadata={"description": "the day the signed renewal came back"})
    method = fields.String(required=True, validate=validate.OneOf(rules.RENEWAL_METHODS))
    amount = fields.Decimal(required=True, places=2, as_string=True)
    term = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=30),
                         metadata={"description": "default the contract's term"})
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))


class SvcPaymentInSchema(Schema):
    paid_on = fields.Date(required=True)
    amount = fields.Decimal(required=True, places=2, as_string=True, metadata={"description": "the renewal's amount"})
    receipt_no = fields.String(required=True, validate=validate.Length(min=1, max=60))
    serial = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64),
                           metadata={"description": "the new serial to use instead of a generated one"})


class SvcCancelInSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class SvcReminderQuerySchema(Schema):
    state = fields.String(validate=validate.OneOf(rules.REMINDER_STATES))
    outcome = fields.String(validate=validate.OneOf(rules.OUTCOMES))
    assignee_id = fields.Integer()
    contract_id = fields.Integer()
    customer_id = fields.Integer()
    due_before = fields.Date(metadata={"description": "reminder day on or before"})


class SvcResponseInSchema(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(rules.OUTCOMES))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))
    responded_at = fields.AwareDateTime(load_default=None, metadata={"description": "default now"})


# ------------------------------------------------------------------ contracts

@blp.route("/service-contracts")
class ServiceContracts(MethodView):
    @blp.arguments(SvcContractQuerySchema, location="query")
    @blp.response(200, SvcContractSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """Contracts, the soonest to run out first."""
        return page_of(contracts.search(**args), pagination_parameters)

    @require_roles(*WRITERS, admin_scope=False)
    @blp.arguments(SvcContractInSchema)
    @blp.response(201, SvcContractDetailSchema)
    def post(self, data):
        """A signed contract with its first period and, once installed, its serial (SVC-20)."""
        contract = contracts.create_contract(data, by=g.user.id)
        db.session.commit()
        return contract


@blp.route("/service-contracts/<int:service_contract_id>")
class ServiceContractItem(MethodView):
    @blp.response(200, SvcContractDetailSchema)
    def get(self, service_contract_id):
        """One contract with its periods, renewals and expiry reminders."""
        return contracts.get_contract(service_contract_id)


@blp.route("/service-contracts/<int:service_contract_id>/installed")
class Installed(MethodView):
    @require_roles(*WRITERS, "technician", admin_scope=False)
    @blp.arguments(SvcInstalledInSchema)
    @blp.response(200, SvcContractDetailSchema)
    def post(self, data, service_contract_id):
        """The installation date: the first period re-dated from it unless renewed, the serial issued (SVC-20)."""
        contract = contracts.get_contract(service_contract_id, for_update=True)
        contracts.on_installed(contract, data["installed_on"], by=g.user.id, serial=data["serial"])
        db.session.commit()
        return contract


@blp.route("/service-contracts/<int:service_contract_id>/serial")
class Serial(MethodView):
    @blp.arguments(SvcSerialQuerySchema, location="query")
    @blp.response(200, SvcSerialStatusSchema)
    def get(self, args, service_contract_id):
        """Whether a serial is valid on a day: through its period's end (SVC-20)."""
        contract = contracts.get_contract(service_contract_id)
        return contracts.check_serial(contract, args.get("on"), args.get("serial"))


@blp.route("/service-contracts/<int:service_contract_id>/renewals")
class Renewals(MethodView):
    @require_roles(*WRITERS, admin_scope=False)
    @blp.arguments(SvcRenewalInSchema)
    @blp.response(201, SvcRenewalDetailSchema)
    def post(self, data, service_contract_id):
        """A renewal returned signed: payment due within svc.renewal.pay_within of the signing (SVC-22)."""
        contract = contracts.get_contract(service_contract_id, for_update=True)
        renewal = contracts.renew(contract, data, by=g.user.id)
        db.session.commit()
        return renewal


# ------------------------------------------------------------------ renewals

@blp.route("/service-renewals/<int:service_renewal_id>")
class RenewalItem(MethodView):
    @blp.response(200, SvcRenewalDetailSchema)
    def get(self, service_renewal_id):
        """One renewal with its payment and the period it added."""
        return contracts.get_renewal(service_renewal_id)


@blp.route("/service-renewals/<int:service_renewal_id>/payment")
class Payment(MethodView):
    @require_roles(*FINANCE, admin_scope=False)
    @blp.arguments(SvcPaymentInSchema)
    @blp.response(200, SvcRenewalDetailSchema)
    def post(self, data, service_renewal_id):
        """Finance records the payment: the next period from the day after the old end, a new serial (SVC-22)."""
        renewal = contracts.get_renewal(service_renewal_id, for_update=True)
        contracts.record_payment(renewal, data, by=g.user.id)
        db.session.commit()
        return renewal


@blp.route("/service-renewals/<int:service_renewal_id>/cancel")
class CancelRenewal(MethodView):
    @require_roles(*WRITERS, admin_scope=False)
    @blp.arguments(SvcCancelInSchema)
    @blp.response(200, SvcRenewalDetailSchema)
    def post(self, data, service_renewal_id):
        """A renewal that will not be paid, with its reason."""
        renewal = contracts.get_renewal(service_renewal_id, for_update=True)
        contracts.cancel_renewal(renewal, data["reason"], by=g.user.id)
        db.session.commit()
        return renewal


# ------------------------------------------------------------------ reminders

@blp.route("/service-contract-reminders")
class Reminders(MethodView):
    @blp.arguments(SvcReminderQuerySchema, location="query")
    @blp.response(200, SvcReminderSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """Expiry reminders (SVC-21), the earliest reminder day first."""
        return page_of(contracts.search_reminders(**args), pagination_parameters)


@blp.route("/service-contract-reminders/<int:service_reminder_id>/response")
class Response(MethodView):
    @require_roles(*WRITERS, admin_scope=False)
    @blp.arguments(SvcResponseInSchema)
    @blp.response(200, SvcReminderSchema)
    def post(self, data, service_reminder_id):
        """The customer's answer to the reminder: renew, decline or undecided (SVC-21)."""
        reminder = contracts.get_reminder(service_reminder_id, for_update=True)
        contracts.record_response(reminder, data["outcome"], data["note"], by=g.user.id, at=data["responded_at"])
        db.session.commit()
        return reminder
