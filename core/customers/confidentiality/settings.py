"""Settings of confidentiality, archive lending and retention: the ``cus`` keys ``visibility``,
``visibility_roles``, ``pii`` (CUS-70), ``secrecy`` (CUS-71), ``view_request`` (CUS-72), ``loan``
(CUS-73), ``export`` (CUS-74), ``leak`` and ``inspection`` (CUS-75), ``retention`` (CUS-07).

Names and defaults are DOMAIN.md's; ``load({})`` gives them. Approval requirements (loans, exports)
are written as a list of steps, every step needed, each step one role or several separated by ``|``
(any of them): ``["gm|info_supervisor"]`` is "GM or information supervisor",
``["info_supervisor", "cs_manager"]`` is "information supervisor and CS manager together".
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from marshmallow import Schema, ValidationError, fields, validate

from core.calendar import Duration
from core.calendar.policy import DurationField, unique_values
from core.policy.sections import section as _section

VISIBILITY = ("own", "own_and_department", "all")
LEVELS = ("normal", "confidential", "secret", "top_secret")  # CUS-71: 普通, 秘密, 机密, 绝密
EXPORT_KINDS = ("ordinary", "important", "external")
GRANT_ACCESS = ("view_only", "view_and_download")
#: relationship roles of CUS-70 (not user roles): the customer's owner and the archive's custodian
OWNER, CUSTODIAN = "owner", "custodian"

_ROLE = fields.String(validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,49}$"))
_STEP = r"^[a-z][a-z0-9_]{0,49}(\|[a-z][a-z0-9_]{0,49})*$"




def _roles(default: list[str]) -> fields.List:
    return fields.List(_ROLE, load_default=lambda: list(default), validate=unique_values("role"))


def _money() -> fields.Decimal:
    return fields.Decimal(places=2, rounding=ROUND_HALF_UP, as_string=True, validate=validate.Range(min=0),
                          load_default=lambda: Decimal("0.00"))


def _steps(default: list[str]) -> fields.List:
    return fields.List(fields.String(validate=validate.Regexp(_STEP, error="roles separated by |")),
                       load_default=lambda: list(default))


class VisibilityRolesSchema(Schema):
    """``cus.visibility_roles``: which roles see every customer (``all``) and which their
    department's (``department``, only under ``own_and_department``); other roles see their own."""

    all = _roles(["tenant_admin", "gm", "vp", "resource_director", "assistant", "cs_agent", "cs_supervisor",
                  "cs_manager", "technician", "finance"])
    department = _roles(["dept_manager", "supervisor", "sales_manager"])


class PiiSchema(Schema):
    """``cus.pii.unmasked_roles`` (CUS-70, the ``pii.view`` right): roles, plus ``owner`` and
    ``custodian`` for the customer's owner and the archive's custodian."""

    unmasked_roles = _roles([OWNER, CUSTODIAN, "dept_manager"])


class SecrecySchema(Schema):
    """``cus.secrecy`` (CUS-71)."""

    default_level = fields.String(validate=validate.OneOf(LEVELS), load_default="normal")
    #: who names a level, its custodian and viewer list, and extends a secrecy period
    managers = _roles(["tenant_admin", "gm", "cs_manager"])


class ApproverSchema(Schema):
    """``cus.view_request.approver``: the role that approves a request, by case."""

    own = fields.String(load_default="dept_manager")
    other = fields.String(load_default="gm")
    classified = fields.String(load_default="cs_manager")


class GrantSchema(Schema):
    access = fields.String(validate=validate.OneOf(GRANT_ACCESS), load_default="view_only")
    period = DurationField(units=("hours", "days", "weeks", "months"), load_default=Duration(1, "days"))


class ViewRequestSchema(Schema):
    """``cus.view_request`` (CUS-72): approver by case and the grant given."""

    approver = _section(ApproverSchema)
    grant = _section(GrantSchema)


class LoanSchema(Schema):
    """``cus.loan`` (CUS-73; CAR preset ``{max: 1 day, late_fine: 10, ban_on_late: true, loss_fine: 50}``)."""

    max = DurationField(units=("hours", "days", "weeks", "working_days"), load_default=Duration(3, "days"))
    late_fine = _money()
    ban_on_late = fields.Boolean(load_default=False)
    loss_fine = _money()
    ban_on_loss = fields.Boolean(load_default=True)
    #: approval steps (篇六: the information specialist, here the archive keeper ``assistant``;
    #: CAR: ``["sales_manager|supervisor", "assistant"]``)
    approvers = _steps(["assistant"])


class ApprovalField(fields.Field):
    """``none`` (no approval) or ``{kind: [steps]}`` for kinds ordinary, important, external."""

    def _deserialize(self, value, attr, data, **kwargs):
        if value in (None, "none"):
            return {}
        if not isinstance(value, dict):
            raise ValidationError('"none" or {kind: [steps]}')
        out = {}
        for kind, steps in value.items():
            if kind not in EXPORT_KINDS:
                raise ValidationError(f"unknown export kind {kind!r} (one of {', '.join(EXPORT_KINDS)})")
            out[kind] = _steps([]).deserialize(steps)
        return out

    def _serialize(self, value, attr, obj, **kwargs):
        return value or "none"


class ExportSchema(Schema):
    """``cus.export`` (CUS-74; 篇六 preset ``{important: [gm|info_supervisor], external:
    [info_supervisor, cs_manager]}``). ``classified`` are the steps of an export holding a record
    above ``normal`` when ``approval`` names none for its kind (CUS-71: exported only with approval)."""

    approval = ApprovalField(load_default=dict)
    classified = _steps(["gm"])


class LeakSchema(Schema):
    """``cus.leak`` (CUS-75): who is told at once of a reported leak."""

    notify = _roles(["info_supervisor", "cs_manager"])


class InspectionSchema(Schema):
    """``cus.inspection`` (CUS-75): archive custody inspection every ``every``, from 1 January."""

    every = DurationField(units=("months",), load_default=Duration(6, "months"))
    assignees = _roles(["cs_manager"])


class RetentionField(DurationField):
    """A period in years, months or days, or ``none`` (kept for ever)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if value in (None, "none"):
            return None
        return super()._deserialize(value, attr, data, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return "none" if value is None else super()._serialize(value, attr, obj, **kwargs)


class RetentionSchema(Schema):
    """``cus.retention`` (CUS-07): customer records are kept ``default`` after their last activity
    (``none``: for ever); then they wait in the destruction queue for ``destroy_approver``."""

    default = RetentionField(units=("days", "months", "years"), load_default=None)
    destroy_approver = fields.String(load_default="cs_manager")


class ConfidentialityPolicySchema(Schema):
    """The confidentiality part of the ``cus`` document (CUS-07, CUS-70..75)."""

    visibility = fields.String(validate=validate.OneOf(VISIBILITY), load_default="own_and_department")
    #: the public pool (公海: customers nobody owns) and claimable customers (CUS-20/24/25) are visible
    #: to everyone who may claim, else nobody could claim them; their PII stays masked in lists
    pool_visible = fields.Boolean(load_default=True)
    visibility_roles = _section(VisibilityRolesSchema)
    pii = _section(PiiSchema)
    secrecy = _section(SecrecySchema)
    view_request = _section(ViewRequestSchema)
    loan = _section(LoanSchema)
    export = _section(ExportSchema)
    leak = _section(LeakSchema)
    inspection = _section(InspectionSchema)
    retention = _section(RetentionSchema)


def money(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
