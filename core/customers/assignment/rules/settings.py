"""Settings of the assignment rules: the ``cus.assign``, ``cus.rotation``, ``cus.batch``,
``cus.reassign``, ``cus.contacts`` and ``cus.ka`` sections (CUS-30..CUS-36, CUS-51 thresholds), with the
spec defaults as ``load_default``."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates

from core.calendar.policy import unique_values

STRATEGIES = ("round_robin", "equal_split", "random_draw", "by_tier", "manual")
ROTATION_ORDERS = ("fixed", "fewest_received_today")
OWED_TURNS_EXPIRY = ("never", "end_of_day")
ABSENCES = ("off_duty", "leave", "company_business", "with_customer")
BATCH_REMAINDERS = ("fewest_this_month", "seeded_shuffle")
ON_LEAVE_STRATEGIES = ("random_draw", "manual")
REASSIGN_SCOPES = ("same_department", "same_team", "tenant")
DEFAULT_TIMEZONE = "Asia/Shanghai"


def _one_of(choices: Sequence[str]) -> validate.OneOf:
    return validate.OneOf(choices, error="Must be one of: {choices}.")


class AssignSchema(Schema):
    """``cus.assign`` (CUS-30)."""

    default = fields.String(validate=_one_of(STRATEGIES), load_default="manual")
    by_tier = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1)),
        values=fields.List(fields.String(validate=validate.Length(min=1)), validate=validate.Length(min=1)),
        load_default=dict,
    )
    team_capacity = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1)),
        values=fields.Integer(strict=True, validate=validate.Range(min=0)),
        load_default=dict,
    )

    @validates("by_tier")
    def _teams_listed_once(self, value: dict, data_key: str | None = None, **kwargs: Any) -> None:
        errors = {}
        for grade, teams in value.items():
            try:
                unique_values("team")(teams)
            except ValidationError as exc:
                errors[grade] = exc.messages
        if errors:
            raise ValidationError(errors)


class RotationSchema(Schema):
    """``cus.rotation`` (CUS-31)."""

    accruing_absences = fields.List(
        fields.String(validate=_one_of(ABSENCES)),
        validate=unique_values("absence"),
        load_default=lambda: ["company_business", "with_customer"],
    )
    order = fields.String(validate=_one_of(ROTATION_ORDERS), load_default="fixed")
    owed_turns_expire = fields.String(validate=_one_of(OWED_TURNS_EXPIRY), load_default="never")


class BatchSchema(Schema):
    """``cus.batch`` (CUS-32)."""

    participants_only = fields.Boolean(load_default=True)
    remainder = fields.String(validate=_one_of(BATCH_REMAINDERS), load_default="fewest_this_month")


class ReassignSchema(Schema):
    """``cus.reassign`` (CUS-33, CUS-35)."""

    on_leave = fields.String(validate=_one_of(ON_LEAVE_STRATEGIES), load_default="random_draw")
    scope = fields.String(validate=_one_of(REASSIGN_SCOPES), load_default="same_department")
    block_deactivation = fields.Boolean(load_default=True)
    notify_customer = fields.Boolean(load_default=False)


class ContactsSchema(Schema):
    """``cus.contacts`` (CUS-36)."""

    min_for_flag = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1)),
        values=fields.Integer(strict=True, validate=validate.Range(min=1)),
        load_default=lambda: {"key_prospect": 2},
    )


class KaSchema(Schema):
    """``cus.ka``: the handover on signing (CUS-36) and the key-account thresholds (CUS-51)."""

    handover_on_signing = fields.Boolean(load_default=False)
    min_purchase = fields.Decimal(places=2, as_string=True, validate=validate.Range(min=0),
                                  load_default=lambda: Decimal("1000000.00"))
    min_profit_share = fields.Decimal(places=2, as_string=True, validate=validate.Range(min=0, max=100),
                                      load_default=lambda: Decimal("10.00"),
                                      metadata={"description": "percent of the company's gross profit"})
    period = fields.String(load_default="12 months", metadata={"description": "trailing period"})
    inclusive = fields.Boolean(load_default=False, metadata={"description": "CAL-10: thresholds are strict by default"})


class AssignmentPolicySchema(Schema):
    """The assignment part of the ``cus`` policy document (CUS-30..CUS-36). ``load({})`` → defaults."""

    assign = fields.Nested(AssignSchema, load_default=lambda: AssignSchema().load({}))
    rotation = fields.Nested(RotationSchema, load_default=lambda: RotationSchema().load({}))
    batch = fields.Nested(BatchSchema, load_default=lambda: BatchSchema().load({}))
    reassign = fields.Nested(ReassignSchema, load_default=lambda: ReassignSchema().load({}))
    contacts = fields.Nested(ContactsSchema, load_default=lambda: ContactsSchema().load({}))
    ka = fields.Nested(KaSchema, load_default=lambda: KaSchema().load({}))


def load_assignment_policy(raw: Mapping[str, Any] | None) -> dict[str, Any]:
    """Validate and load the assignment settings (``{}`` or ``None`` → all defaults)."""
    return AssignmentPolicySchema().load(dict(raw or {}))


_DEFAULTS = AssignmentPolicySchema().load({})


def _section(settings: Mapping[str, Any] | None, name: str) -> dict[str, Any]:
    """One section of the loaded settings, missing keys taking the spec defaults."""
    given = (settings or {}).get(name) or {}
    return {**_DEFAULTS[name], **given}
