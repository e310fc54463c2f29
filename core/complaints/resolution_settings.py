"""Settings of the case from handling to closure (CMP-41, CMP-42, CMP-50..55) in the ``cmp`` document::

    cmp.authority.limits = {handler: 500, dept_head: 1000, vp: 5000}      CMP-41 (the GM has no limit)
    cmp.major = {notify: [dept_manager, gm], ack_within: 1 hours,
                 group_warning_within: 24 hours, group_member: false}       CMP-42
    cmp.approval.mode = none                    (gm | vp | matrix)           CMP-50
    cmp.approval.matrix = {dept_manager: 1000, vp: 5000, gm: above}         CMP-50
    cmp.reply = {forms: {letter: [letter, email], email: [email, letter]},
                 form_follows_channel: true}                                 CMP-52
    cmp.close.requires_confirmation = false                                  CMP-53
    cmp.improvement = {countersign_department: 市场部, approve_department: 总经理办公室}   CMP-55

The amounts are examples (the sources give none); a company writes its own. ``cmp.major`` also holds
the CMP-11 criteria of the severity rules: both parts are joined into one nested section when merged.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from marshmallow import Schema, ValidationError, fields, validate, validates

from core.calendar import Duration
from core.calendar.policy import DurationField
from core.complaints.settings import _code

#: CMP-41 authority ladder: handler → department head → VP in charge → GM (the GM has no limit)
AUTHORITY_LADDER = ("handler", "dept_head", "vp", "gm")
APPROVAL_MODES = ("none", "gm", "vp", "matrix")
ABOVE = "above"
#: CMP-52 reply methods (on the spot, phone, letter, visit, SMS, email)
REPLY_METHODS = ("on_the_spot", "phone", "letter", "visit", "sms", "email")


def _money(value) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError("Not an amount of yuan.") from None
    if amount < 0:
        raise ValidationError("Must be 0 or more.")
    return amount


class LimitField(fields.Field):
    """An amount in yuan, or ``above`` (the tier that takes everything above the others)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return value if value == ABOVE or value is None else str(value)

    def _deserialize(self, value, attr, data, **kwargs):
        if value == ABOVE:
            return ABOVE
        if isinstance(value, bool):
            raise ValidationError("Not an amount of yuan.")
        return _money(value)


class AmountField(fields.Field):
    """An amount in yuan (a JSON number or string)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else str(value)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise ValidationError("Not an amount of yuan.")
        return _money(value)


class AuthoritySchema(Schema):
    """``cmp.authority`` (CMP-41): the largest amount each level may grant on its own; a level not
    listed has no limit."""

    limits = fields.Dict(keys=fields.String(validate=validate.OneOf(AUTHORITY_LADDER[:-1])), values=AmountField(),
                         load_default=lambda: {"handler": Decimal("500.00"), "dept_head": Decimal("1000.00"),
                                               "vp": Decimal("5000.00")})


class MajorPathSchema(Schema):
    """``cmp.major`` (CMP-42): who is told at once, the acknowledgement limit, the group warning."""

    notify = fields.List(_code("role"), load_default=lambda: ["dept_manager", "gm"], validate=validate.Length(min=1))
    ack_within = DurationField(load_default=Duration(1, "hours"))
    group_warning_within = DurationField(load_default=Duration(24, "hours"))
    group_member = fields.Boolean(load_default=False, metadata={
        "description": "the company belongs to a group: the group warning report is due (off by default)"})


class ApprovalSchema(Schema):
    """``cmp.approval`` (CMP-50): who approves the solution before the customer is told."""

    mode = fields.String(load_default="none", validate=validate.OneOf(APPROVAL_MODES))
    matrix = fields.Dict(keys=_code("role"), values=LimitField(),
                         load_default=lambda: {"dept_manager": Decimal("1000.00"), "vp": Decimal("5000.00"),
                                               "gm": ABOVE})

    @validates("matrix")
    def _matrix(self, value: dict, **kwargs) -> None:
        if not value:
            raise ValidationError("Name at least one approver.")
        if list(value.values()).count(ABOVE) != 1:
            raise ValidationError("Exactly one approver takes the amounts 'above' the others.")


class ReplySchema(Schema):
    """``cmp.reply`` (CMP-52): the reply forms each channel needs (a written complaint gets a written
    reply); a channel not listed may be answered in any form."""

    forms = fields.Dict(keys=_code("channel"),
                        values=fields.List(fields.String(validate=validate.OneOf(REPLY_METHODS)),
                                           validate=validate.Length(min=1)),
                        load_default=lambda: {"letter": ["letter", "email"], "email": ["email", "letter"]})
    form_follows_channel = fields.Boolean(load_default=True, metadata={
        "description": "false: the company allows any reply form whatever the channel"})


class CloseSchema(Schema):
    """``cmp.close`` (CMP-53)."""

    requires_confirmation = fields.Boolean(load_default=False)


class ImprovementSchema(Schema):
    """``cmp.improvement`` (CMP-55): the departments that countersign and approve an improvement
    proposal (null: the step is skipped; the GM may always approve)."""

    countersign_department = fields.String(load_default="市场部", allow_none=True, validate=validate.Length(min=1, max=100))
    approve_department = fields.String(load_default="总经理办公室", allow_none=True,
                                       validate=validate.Length(min=1, max=100))


class ResolutionPolicySchema(Schema):
    authority = fields.Nested(AuthoritySchema, load_default=lambda: AuthoritySchema().load({}))
    major = fields.Nested(MajorPathSchema, load_default=lambda: MajorPathSchema().load({}))
    approval = fields.Nested(ApprovalSchema, load_default=lambda: ApprovalSchema().load({}))
    reply = fields.Nested(ReplySchema, load_default=lambda: ReplySchema().load({}))
    close = fields.Nested(CloseSchema, load_default=lambda: CloseSchema().load({}))
    improvement = fields.Nested(ImprovementSchema, load_default=lambda: ImprovementSchema().load({}))
