"""Service-contract settings of the ``svc`` policy document (SVC-20..22), names and defaults as DOMAIN.md
writes them::

    svc.period.start = installation        SVC-20  the first period starts on the installation date
                                                   (``installation``, falling back to the signing date
                                                   while the installation is unknown) or always on the
                                                   signing date (``signing``)
    svc.expiry.remind_before = 1 month     SVC-21  the customer is reminded this long before a period
                                                   ends (days, weeks, months or years)
    svc.expiry.template = 尊敬的{customer}：您的{product}{kind}将于{ends_on}届满。…
                                           SVC-21  the notice to the customer; placeholders {customer},
                                                   {product}, {ends_on}, {starts_on}, {serial}, {kind},
                                                   {reference} (checked when the policy is saved)
    svc.renewal.pay_within = 3 days        SVC-22  payment is due within this of the renewal's signing
                                                   (days, weeks, months or working_days)

:class:`ContractPolicySchema` is one of the bases of :class:`core.service.policy.SvcPolicySchema`.
"""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from core.calendar import Duration
from core.calendar.policy import DurationField
from core.service.contract_rules import DEFAULT_TEMPLATE, PERIOD_STARTS, template_errors


def _template_ok(value: str) -> None:
    problems = template_errors(value)
    if problems:
        raise ValidationError(problems)


class PeriodSchema(Schema):
    start = fields.String(validate=validate.OneOf(PERIOD_STARTS), load_default="installation",
                          metadata={"description": "SVC-20: installation (fallback signing) | signing"})


class ExpirySchema(Schema):
    remind_before = DurationField(units=("days", "weeks", "months", "years"),
                                  load_default=lambda: Duration(1, "months"))
    template = fields.String(validate=[validate.Length(max=2000), _template_ok], load_default=DEFAULT_TEMPLATE)


class RenewalSchema(Schema):
    pay_within = DurationField(units=("days", "weeks", "months", "working_days"),
                               load_default=lambda: Duration(3, "days"))


class ContractPolicySchema(Schema):
    """``svc.period``, ``svc.expiry``, ``svc.renewal`` (SVC-20..22)."""

    period = fields.Nested(PeriodSchema, load_default=lambda: PeriodSchema().load({}))
    expiry = fields.Nested(ExpirySchema, load_default=lambda: ExpirySchema().load({}))
    renewal = fields.Nested(RenewalSchema, load_default=lambda: RenewalSchema().load({}))
