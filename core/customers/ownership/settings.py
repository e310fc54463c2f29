"""Settings of the ownership rules: the ``ownership``, ``claim`` and ``arbitration`` sections of the
``cus`` policy document (CUS-20..CUS-27), names and defaults exactly as DOMAIN.md writes them.

:class:`OwnershipPolicySchema` is one of the bases of ``core.customers.policy.CusPolicySchema``;
:func:`load_ownership_policy` loads a raw document (``{}`` → every default).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Mapping, Sequence

from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from core.calendar import Duration
from core.calendar.policy import DurationField
from core.customers.ownership.vocabulary import (
    CENT, CONTACT_KINDS, EVIDENCE_KINDS, EXPIRY_ACTIONS, MODES, NONE, QUARREL_KINDS, ROLE_RE,
)


def _role_error(value: Any) -> str:
    return f"Not a valid role code: {value!r} (lower-case letters, digits, underscores)."


class RoleField(fields.Field):
    """A role code (``dept_manager``, plugin roles too)."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        return value

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str) or not ROLE_RE.match(value):
            raise ValidationError(_role_error(value))
        return value


class RoleListField(fields.Field):
    """One role or several acting jointly: ``"dept_manager"`` or ``["supervisor", "dept_manager"]`` → list."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else list(value)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> list[str]:
        roles = [value] if isinstance(value, str) else value
        if not isinstance(roles, (list, tuple)) or not roles:
            raise ValidationError("Give a role or a non-empty list of roles.")
        for role in roles:
            if not isinstance(role, str) or not ROLE_RE.match(role):
                raise ValidationError(_role_error(role))
        if len(set(roles)) != len(roles):
            raise ValidationError("Duplicate role.")
        return list(roles)


@dataclass(frozen=True)
class OnExpiry:
    """``cus.ownership.on_expiry`` (CUS-25): ``claimable`` | ``release_to_pool`` | ``reassign`` |
    ``transfer_to_role: <role>``."""

    action: str = "claimable"
    role: str | None = None

    def __str__(self) -> str:
        return f"{self.action}:{self.role}" if self.role else self.action


class OnExpiryField(fields.Field):
    """``"transfer_to_role: dept_manager"`` ↔ ``OnExpiry("transfer_to_role", "dept_manager")``."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else str(value)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> OnExpiry:
        if not isinstance(value, str):
            raise ValidationError("Not a valid action: expected a string.")
        action, _, role = (part.strip() for part in value.partition(":"))
        if action not in EXPIRY_ACTIONS:
            raise ValidationError(f"Unknown action {action!r}; use one of {', '.join(EXPIRY_ACTIONS)}.")
        if action == "transfer_to_role":
            if not role:
                raise ValidationError("transfer_to_role needs a role, e.g. 'transfer_to_role: dept_manager'.")
            if not ROLE_RE.match(role):
                raise ValidationError(_role_error(role))
            return OnExpiry(action, role)
        if role:
            raise ValidationError(f"{action} takes no argument.")
        return OnExpiry(action)


@dataclass(frozen=True)
class QuarrelRule:
    """``cus.arbitration.quarrel_consequence`` (CUS-27): ``forfeit_to_department`` |
    ``fine_each:<yuan>`` | ``dismissal_flag_each`` | ``none``."""

    kind: str = "forfeit_to_department"
    amount: Decimal | None = None

    def __str__(self) -> str:
        return f"{self.kind}:{self.amount}" if self.amount is not None else self.kind


class QuarrelField(fields.Field):
    """``"fine_each:100"`` ↔ ``QuarrelRule("fine_each", Decimal("100.00"))``."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else str(value)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> QuarrelRule:
        if not isinstance(value, str):
            raise ValidationError("Not a valid consequence: expected a string.")
        kind, _, arg = (part.strip() for part in value.partition(":"))
        if kind not in QUARREL_KINDS:
            raise ValidationError(f"Unknown consequence {kind!r}; use one of {', '.join(QUARREL_KINDS)}.")
        if kind != "fine_each":
            if arg:
                raise ValidationError(f"{kind} takes no argument.")
            return QuarrelRule(kind)
        try:
            amount = Decimal(arg)
        except InvalidOperation:
            raise ValidationError("fine_each needs an amount in yuan, e.g. 'fine_each:100'.") from None
        if not amount.is_finite() or amount <= 0:
            raise ValidationError("The fine must be a positive amount in yuan.")
        return QuarrelRule(kind, amount.quantize(CENT, rounding=ROUND_HALF_UP))


def _kind_list(choices: Sequence[str], what: str, **kwargs: Any) -> fields.List:
    def unique(values: list) -> None:
        if len(set(values)) != len(values):
            raise ValidationError(f"Duplicate {what}.")

    return fields.List(
        fields.String(validate=validate.OneOf(choices, error="Unknown " + what + " {input!r}; use one of {choices}.")),
        validate=unique,
        **kwargs,
    )


class RollingSchema(Schema):
    """``cus.ownership.rolling.*`` (CUS-23, CUS-60)."""

    first_within = DurationField(load_default=Duration(3, "days"))
    every = DurationField(load_default=Duration(7, "days"))
    valid_channels = _kind_list(
        CONTACT_KINDS, "contact kind",
        load_default=lambda: ["phone_answered", "visit", "home_visit", "sms", "im"],
    )
    weak_channels = _kind_list(CONTACT_KINDS, "contact kind", load_default=lambda: ["sms"])
    #: N consecutive weak contacts void the claim; 0 switches the rule off.
    weak_streak_limit = fields.Integer(strict=True, validate=validate.Range(min=0), load_default=3)
    #: contacts from this number on need a confirmation (CAR-12); 0 = never.
    confirm_from_contact_no = fields.Integer(strict=True, validate=validate.Range(min=0), load_default=2)
    confirm_within = DurationField(load_default=Duration(24, "hours"))

    @validates("valid_channels")
    def _unanswered_never_counts(self, value: list, data_key: str | None = None, **kwargs: Any) -> None:
        if "phone_unanswered" in value:
            raise ValidationError("An unanswered call never counts as a valid contact (CUS-23).")

    @validates_schema
    def _weak_are_valid(self, data: dict, **kwargs: Any) -> None:
        valid, weak = data.get("valid_channels"), data.get("weak_channels")
        if valid is not None and weak is not None:
            stray = [k for k in weak if k not in valid]
            if stray:
                raise ValidationError(
                    f"Weak channels must also be valid channels: {', '.join(stray)}.", field_name="weak_channels"
                )


class UnderServiceSchema(Schema):
    """``cus.ownership.under_service.*`` (CUS-24)."""

    window = DurationField(load_default=Duration(3, "months"))
    qualifying = fields.List(
        fields.String(validate=validate.OneOf(CONTACT_KINDS, error="Unknown contact kind {input!r}; use one of {choices}.")),
        validate=validate.Length(min=1, error="Give at least one qualifying service."),
        load_default=lambda: ["event_attended", "home_visit"],
    )
    claim_approver = RoleField(load_default="resource_director")

    @validates("qualifying")
    def _qualifying_rules(self, value: list, data_key: str | None = None, **kwargs: Any) -> None:
        if len(set(value)) != len(value):
            raise ValidationError("Duplicate contact kind.")
        for bad in ("event_invited", "phone_unanswered"):
            if bad in value:
                raise ValidationError(f"{bad} never qualifies as a service (CUS-24).")


class OwnershipSchema(Schema):
    """``cus.ownership.*`` (CUS-20, CUS-22..CUS-25)."""

    mode = fields.String(validate=validate.OneOf(MODES), load_default=NONE)
    validity = DurationField(load_default=Duration(2, "months"))
    renew_on_contact = fields.Boolean(load_default=False)
    rolling = fields.Nested(RollingSchema, load_default=lambda: RollingSchema().load({}))
    under_service = fields.Nested(UnderServiceSchema, load_default=lambda: UnderServiceSchema().load({}))
    #: counted back from the last day "through X" (days, weeks) or from the window end (hours, minutes)
    warn_before = DurationField(units=("minutes", "hours", "days", "weeks"), load_default=Duration(3, "days"))
    on_expiry = OnExpiryField(load_default=OnExpiry("claimable"))


class ClaimSchema(Schema):
    """``cus.claim.*`` (CUS-21)."""

    evidence = _kind_list(
        EVIDENCE_KINDS, "evidence kind",
        load_default=lambda: ["register", "meeting_record"],
    )

    @validates("evidence")
    def _not_empty(self, value: list, data_key: str | None = None, **kwargs: Any) -> None:
        if not value:
            raise ValidationError("Give at least one evidence kind.")


class ArbitrationSchema(Schema):
    """``cus.arbitration.*`` (CUS-27)."""

    objection_window = DurationField(load_default=Duration(3, "days"))
    arbiter = RoleListField(load_default=lambda: ["dept_manager"])
    escalate_to = RoleField(load_default="gm")
    quarrel_consequence = QuarrelField(load_default=QuarrelRule("forfeit_to_department"))


class OwnershipPolicySchema(Schema):
    """The ownership part of the ``cus`` policy document (CUS-20..CUS-27).

    ``load({})`` gives every default of DOMAIN.md; unknown keys are refused (marshmallow RAISE),
    a nested key given partly keeps the defaults of the others. Loaded values: durations are
    :class:`~core.calendar.durations.Duration`, ``on_expiry`` an :class:`OnExpiry`,
    ``quarrel_consequence`` a :class:`QuarrelRule`, ``arbiter`` a list of roles. The ``cus``
    document schema can inherit from this class to get the keys ``ownership``, ``claim`` and
    ``arbitration``.
    """

    ownership = fields.Nested(OwnershipSchema, load_default=lambda: OwnershipSchema().load({}))
    claim = fields.Nested(ClaimSchema, load_default=lambda: ClaimSchema().load({}))
    arbitration = fields.Nested(ArbitrationSchema, load_default=lambda: ArbitrationSchema().load({}))


def load_ownership_policy(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Validate and load the ownership settings (``{}`` → all defaults)."""
    return OwnershipPolicySchema().load(raw)
