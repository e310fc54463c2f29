"""Ownership and protection of customers: pure rules (DOMAIN.md 3.3, CUS-20..CUS-27, and CUS-60).

Every function here is ``(policy values, calendar, facts, now) → outcome``: no database, no Flask,
no clock. The service layer loads the facts (claims, contact log, deals, arbitration records) and
the ``cus`` policy version in force at the time of the fact (section 1 "Policy versions"), calls
these functions and stores the outcomes with their decisions (rule id, facts with record ids,
outcome, reason in Chinese and English).

Rules and where they live
-------------------------
- CUS-20 ownership model: :func:`ownership_state` (states ``unowned``, ``protected``, ``expiring``,
  ``claimable``, ``locked``; ``summary()`` answers "who owns this customer and why").
- CUS-21 first-claim evidence and precedence (首访原则): :func:`first_claim`; expired evidence is
  handled by the replay in :func:`ownership_state`.
- CUS-22 fixed from registration (建档有效期), CUS-23 rolling from the last valid contact, CUS-24
  under-service window (服务不到位): the protection window of :func:`ownership_state`.
- CUS-25 warnings and expiry action: ``OwnershipState.warning_from`` and :func:`expiry_action`.
- CUS-26 a deal locks ownership: :func:`ownership_state`.
- CUS-27 arbitration (判客 / 撞单): :func:`arbitrate`.
- CUS-60 contact log and valid contacts: :func:`check_contact_log`, :func:`classify_contacts`.

Time
----
All instants are aware datetimes (naive ones are refused by the calendar, CAL-08); day boundaries
are the tenant's (``calendar.tz``). Every period is added with the calendar
(:meth:`WorkCalendar.add_duration`, audience ``internal``: a window ending on a holiday is not
rolled, CAL-05). A window "through X" ends at ``window_end`` = 00:00 of X+1 (CAL model
:class:`~core.calendar.model.Deadline`); a fact is in time when it happens strictly before it.

Settings (the ``cus`` policy document; :class:`OwnershipPolicySchema` loads them)
---------------------------------------------------------------------------------
``ownership.mode``, ``ownership.validity``, ``ownership.renew_on_contact``, ``ownership.rolling.*``,
``ownership.under_service.*``, ``ownership.warn_before``, ``ownership.on_expiry``,
``claim.evidence``, ``arbitration.*`` — names and defaults exactly as DOMAIN.md writes them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Iterable, Mapping, Sequence
from zoneinfo import ZoneInfo

from marshmallow import (
    Schema,
    ValidationError,
    fields,
    validate,
    validates,
    validates_schema,
)

from core.calendar import Duration, WorkCalendar
from core.calendar.model import DEFAULT_TIMEZONE, require_aware
from core.calendar.policy import DurationField

__all__ = [
    "ARBITRATION_STATUSES",
    "ASSIGNMENT",
    "CONTACT_KINDS",
    "EVIDENCE_KINDS",
    "EXPIRY_ACTIONS",
    "MODES",
    "QUARREL_KINDS",
    "STATUSES",
    "ArbitrationCase",
    "ArbitrationOutcome",
    "Claim",
    "ClaimDecision",
    "Consequence",
    "ContactCheck",
    "ContactEvent",
    "ContactVerdict",
    "Deal",
    "ExpiryOutcome",
    "Fact",
    "Objection",
    "OnExpiry",
    "OwnershipPeriod",
    "OwnershipPolicySchema",
    "OwnershipState",
    "Quarrel",
    "QuarrelRule",
    "RuleDecision",
    "Ruling",
    "Staff",
    "arbitrate",
    "check_contact_log",
    "classify_contacts",
    "expiry_action",
    "first_claim",
    "load_ownership_policy",
    "ownership_state",
]

# --------------------------------------------------------------------------- vocabulary

FIXED = "fixed_from_registration"  #: CUS-22
ROLLING = "rolling_from_last_valid_contact"  #: CUS-23
UNDER_SERVICE = "under_service_window"  #: CUS-24
NONE = "none"  #: CUS-20: no protection window
MODES = (FIXED, ROLLING, UNDER_SERVICE, NONE)

#: CUS-21 evidence kinds a tenant may accept (``cus.claim.evidence``), in the order of the spec.
EVIDENCE_KINDS = ("register", "meeting_record", "card_signature", "submitted_list")
#: A decided ownership change (CUS-24 approval aside: CUS-25 action, CUS-27 ruling, CUS-33/34/35
#: reassignment, CAR-14 transfer). Always accepted and displaces any owner, even a locked one.
ASSIGNMENT = "assignment"

#: CUS-60 channels with their outcome, as the ownership settings name them.
CONTACT_KINDS = (
    "phone_answered",
    "phone_unanswered",
    "sms",
    "visit",
    "home_visit",
    "on_site",
    "im",
    "email",
    "letter",
    "fax",
    "event_attended",
    "event_invited",
)

UNOWNED, PROTECTED, EXPIRING, CLAIMABLE, LOCKED = "unowned", "protected", "expiring", "claimable", "locked"
STATUSES = (UNOWNED, PROTECTED, EXPIRING, CLAIMABLE, LOCKED)

#: why a window ended (``OwnershipState.end_reason``)
EXPIRED = "expired"  # CUS-22
VOID_MISSED_CONTACT = "void_missed_contact"  # CUS-23 deadline missed
VOID_WEAK_STREAK = "void_weak_streak"  # CUS-23 N consecutive weak-channel contacts
NO_QUALIFYING_SERVICE = "no_qualifying_service"  # CUS-24

EXPIRY_ACTIONS = ("claimable", "release_to_pool", "reassign", "transfer_to_role")
QUARREL_KINDS = ("forfeit_to_department", "fine_each", "dismissal_flag_each", "none")
VERDICTS = ("uphold", "overturn", "cannot_decide")
ARBITRATION_STATUSES = ("objection_window", "awaiting_arbiter", "escalated", "final")

_ROLE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_ONE_DAY = dt.timedelta(days=1)
_CENT = Decimal("0.01")

_EVIDENCE_ZH = {
    "register": "登记",
    "meeting_record": "经理晚会记录",
    "card_signature": "组长签卡",
    "submitted_list": "按时提交名单上的确认邀约",
    ASSIGNMENT: "分配决定",
}
_EVIDENCE_EN = {
    "register": "register entry",
    "meeting_record": "manager's evening-meeting record",
    "card_signature": "group leader's card signature",
    "submitted_list": "confirmed invitation on an on-time list",
    ASSIGNMENT: "assignment decision",
}
_CLAIM_VERB_ZH = {
    "register": "首访登记",
    "meeting_record": "经经理晚会记录认定接待",
    "card_signature": "经组长签卡认定",
    "submitted_list": "经按时提交的邀约名单认定",
    ASSIGNMENT: "受分配",
}
_CLAIM_VERB_EN = {
    "register": "registered",
    "meeting_record": "claimed (manager's evening-meeting record)",
    "card_signature": "claimed (card signed by the group leader)",
    "submitted_list": "claimed (confirmed invitation on an on-time list)",
    ASSIGNMENT: "was assigned",
}
_CONTACT_ZH = {
    "phone_answered": "电话（接通）",
    "phone_unanswered": "电话（未接通）",
    "sms": "短信",
    "visit": "来访",
    "home_visit": "家访",
    "on_site": "上门服务",
    "im": "即时通讯",
    "email": "电子邮件",
    "letter": "信函",
    "fax": "传真",
    "event_attended": "参加活动",
    "event_invited": "活动邀约（未参加）",
}
_CONTACT_EN = {
    "phone_answered": "answered call",
    "phone_unanswered": "unanswered call",
    "sms": "SMS",
    "visit": "visit",
    "home_visit": "home visit",
    "on_site": "on-site visit",
    "im": "IM message",
    "email": "email",
    "letter": "letter",
    "fax": "fax",
    "event_attended": "event attendance",
    "event_invited": "event invitation (not attended)",
}
_ROLE_ZH = {
    "gm": "总经理",
    "vp": "副总经理",
    "dept_manager": "部门经理",
    "supervisor": "主管",
    "salesperson": "销售员",
    "assistant": "协调助理",
    "resource_director": "顾客资源总监",
    "cs_manager": "客服经理",
}
_ROLE_EN = {
    "gm": "general manager",
    "vp": "vice president",
    "dept_manager": "department manager",
    "supervisor": "supervisor",
    "salesperson": "salesperson",
    "assistant": "coordination assistant",
    "resource_director": "customer-resource director",
    "cs_manager": "customer-service manager",
}
_UNIT_ZH = {
    "minutes": "分钟",
    "hours": "小时",
    "business_hours": "个工作小时",
    "days": "天",
    "weeks": "周",
    "months": "个月",
    "years": "年",
    "working_days": "个工作日",
}


# --------------------------------------------------------------------------- settings


def _role_error(value: Any) -> str:
    return f"Not a valid role code: {value!r} (lower-case letters, digits, underscores)."


class RoleField(fields.Field):
    """A role code (``dept_manager``, plugin roles too)."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        return value

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str) or not _ROLE_RE.match(value):
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
            if not isinstance(role, str) or not _ROLE_RE.match(role):
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
            if not _ROLE_RE.match(role):
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
        return QuarrelRule(kind, amount.quantize(_CENT, rounding=ROUND_HALF_UP))


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


# --------------------------------------------------------------------------- facts


@dataclass(frozen=True)
class Staff:
    """An employee as the facts name them; equal by ``id`` only.

    ``name`` is used in Chinese reasons, ``name_en`` (else ``name``) in English ones; both fall
    back to the id.
    """

    id: int | str
    name: str = field(default="", compare=False)
    name_en: str = field(default="", compare=False)
    department: str | None = field(default=None, compare=False)

    @property
    def zh(self) -> str:
        return self.name or str(self.id)

    @property
    def en(self) -> str:
        return self.name_en or self.name or str(self.id)


@dataclass(frozen=True)
class Claim:
    """Evidence of a claim on a customer (CUS-21), or a decided assignment.

    ``at`` is the evidence's effective time: register entry time, the recorded end of the evening
    meeting, the card signature time (CUS-06, CAR-10), the list's confirmation time, or the time an
    assignment takes effect. ``confirmed = False`` (CUS-06: archive not yet confirmed) gives no
    protection. ``approved_at``/``approved_by``: the claim approver's approval of a takeover of a
    claimable customer in the under-service mode (CUS-24). ``rule_id`` names the decision behind an
    ``assignment`` (``CUS-25``, ``CUS-27``, ``CUS-34``...).
    """

    claimant: Staff
    kind: str
    at: dt.datetime
    record_id: int | str | None = None
    confirmed: bool = True
    approved_at: dt.datetime | None = None
    approved_by: Staff | None = None
    rule_id: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in EVIDENCE_KINDS and self.kind != ASSIGNMENT:
            raise ValueError(f"unknown evidence kind {self.kind!r}")
        require_aware(self.at)
        if self.approved_at is not None:
            require_aware(self.approved_at)


@dataclass(frozen=True)
class ContactEvent:
    """One contact-log entry (CUS-60) reduced to what the ownership rules read.

    ``kind`` is one of :data:`CONTACT_KINDS` (channel and outcome: ``phone_answered``,
    ``phone_unanswered``, ``event_attended``, ``event_invited``...). ``by`` is the employee who made
    it (``None``: unknown, counted for the owner). ``confirmed_at``: the supervisor's confirmation
    of the contact's valid date (CAR-12). ``customer_signed``: the customer's signature on an
    on-site visit (CUS-60).
    """

    kind: str
    at: dt.datetime
    by: Staff | None = None
    record_id: int | str | None = None
    confirmed_at: dt.datetime | None = None
    customer_signed: bool | None = None

    def __post_init__(self) -> None:
        if self.kind not in CONTACT_KINDS:
            raise ValueError(f"unknown contact kind {self.kind!r}; expected one of {CONTACT_KINDS}")
        require_aware(self.at)
        if self.confirmed_at is not None:
            require_aware(self.confirmed_at)


@dataclass(frozen=True)
class Deal:
    """A deal as the plugin defines it (RE subscription, CAR paid order...) (CUS-26)."""

    at: dt.datetime
    performance_owner: Staff
    kind: str = "deal"
    record_id: int | str | None = None

    def __post_init__(self) -> None:
        require_aware(self.at)


@dataclass(frozen=True)
class Fact:
    """A fact a decision used: its kind, source record id, time and a short detail."""

    kind: str
    record_id: int | str | None
    at: dt.datetime | None = None
    detail: str = ""

    def to_record(self) -> dict[str, Any]:
        return {"kind": self.kind, "record_id": self.record_id, "at": _iso(self.at), "detail": self.detail}


@dataclass(frozen=True)
class RuleDecision:
    """One decision of a chain: rule id, facts, outcome, reasons (the shape of a Decision row)."""

    rule_id: str
    facts: tuple[Fact, ...]
    outcome: Mapping[str, Any]
    reason_zh: str
    reason_en: str

    def to_record(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "facts": [f.to_record() for f in self.facts],
            "outcome": {k: _jsonable(v) for k, v in self.outcome.items()},
            "reason_zh": self.reason_zh,
            "reason_en": self.reason_en,
        }


# --------------------------------------------------------------------------- CUS-60


@dataclass(frozen=True)
class ContactCheck:
    """Whether a contact may be logged (CUS-60): ``accepted`` | ``pending_signature`` | ``rejected``."""

    status: str
    field: str | None
    rule_id: str
    reason_zh: str
    reason_en: str


def check_contact_log(contact: ContactEvent, *, offline_capture: bool = False) -> ContactCheck:
    """CUS-60: an on-site visit needs the customer's signature.

    Without it the entry is ``rejected`` (the web layer answers 422 naming ``customer_signed``),
    or ``pending_signature`` when offline capture is enabled. Every other contact is
    ``accepted`` — logging is not validity: an unanswered call is logged but never counts
    (:func:`classify_contacts`).
    """
    if contact.kind == "on_site" and not contact.customer_signed:
        if offline_capture:
            return ContactCheck(
                "pending_signature", "customer_signed", "CUS-60",
                "上门服务尚缺客户签字，离线采集待补签。",
                "On-site visit without the customer's signature: pending signature (offline capture).",
            )
        return ContactCheck(
            "rejected", "customer_signed", "CUS-60",
            "上门服务须有客户签字。",
            "An on-site visit needs the customer's signature.",
        )
    return ContactCheck("accepted", None, "CUS-60", "联系记录已登记。", "Contact logged.")


@dataclass(frozen=True)
class ContactVerdict:
    """How one contact counts for ownership (CUS-23, CUS-60).

    ``code``: ``valid`` | ``pending_confirmation`` (valid, its valid date awaits the confirmation,
    counted as the contact's date meanwhile) | ``late_confirmation`` (valid, valid date = the
    confirmation's date) | ``unanswered`` | ``channel_not_valid`` | ``unsigned_on_site`` |
    ``weak_streak`` (invalid and voids the claim) | ``before_claim`` | ``other_employee``.
    ``number``: the contact's number among valid-channel contacts since the claim.
    """

    contact: ContactEvent
    valid: bool
    code: str
    number: int | None
    valid_at: dt.datetime | None
    valid_date: dt.date | None
    reason_zh: str
    reason_en: str

    @property
    def fact(self) -> Fact:
        return Fact(f"contact:{self.contact.kind}", self.contact.record_id, self.contact.at, self.code)


def classify_contacts(
    policy: Mapping[str, Any],
    calendar: WorkCalendar,
    contacts: Iterable[ContactEvent],
    *,
    owner: Staff | None = None,
    since: dt.datetime | None = None,
    as_of: dt.datetime | None = None,
) -> tuple[ContactVerdict, ...]:
    """CUS-60 / CUS-23: which contacts are valid, their numbers and valid dates, in time order.

    Reads ``ownership.rolling``. Contacts after ``as_of`` are left out (not yet known);
    confirmations after ``as_of`` are treated as missing. Contacts before ``since`` (the claim's
    effective time) or made by another employee than ``owner`` are listed but not numbered.
    Unanswered calls never count; an unsigned on-site visit does not count; a channel outside
    ``valid_channels`` does not count. Invalid contacts do not break a weak streak; a valid
    contact on a non-weak channel does. The ``weak_streak_limit``-th consecutive weak contact is
    invalid and voids the claim (threshold inclusive, CAL-10). From contact number
    ``confirm_from_contact_no`` on, a confirmation later than ``confirm_within`` makes the
    confirmation's date the valid date; a confirmation given after that contact's own window
    (valid date + ``every``) has lapsed cannot extend it (the claim had already ended then), and
    a missing one leaves the contact's own date (``pending_confirmation``).
    """
    rolling = policy["ownership"]["rolling"]
    valid_channels = set(rolling["valid_channels"])
    weak = set(rolling["weak_channels"])
    limit = rolling["weak_streak_limit"]
    confirm_from = rolling["confirm_from_contact_no"]
    result: list[ContactVerdict] = []
    number = 0
    streak = 0
    for contact in sorted(contacts, key=_contact_key):
        if as_of is not None and contact.at > as_of:
            continue
        kind_zh, kind_en = _CONTACT_ZH[contact.kind], _CONTACT_EN[contact.kind]
        day = calendar.local_date(contact.at).isoformat()

        def invalid(code: str, zh: str, en: str, n: int | None = None) -> ContactVerdict:
            return ContactVerdict(contact, False, code, n, None, None, zh, en)

        if since is not None and contact.at < since:
            result.append(invalid("before_claim", f"{day}的{kind_zh}早于认领生效时间，不计。",
                                  f"The {kind_en} on {day} precedes the claim's effective time."))
            continue
        if owner is not None and contact.by is not None and contact.by != owner:
            result.append(invalid("other_employee", f"{day}的{kind_zh}由{contact.by.zh}而非{owner.zh}完成，不计。",
                                  f"The {kind_en} on {day} was made by {contact.by.en}, not {owner.en}."))
            continue
        if contact.kind == "phone_unanswered":
            result.append(invalid("unanswered", f"{day}未接通的电话不计为有效联系（CUS-23）。",
                                  f"The unanswered call on {day} never counts as a valid contact (CUS-23)."))
            continue
        if contact.kind == "on_site" and not contact.customer_signed:
            result.append(invalid("unsigned_on_site", f"{day}的上门服务缺客户签字，不计（CUS-60）。",
                                  f"The on-site visit on {day} lacks the customer's signature (CUS-60)."))
            continue
        if contact.kind not in valid_channels:
            result.append(invalid("channel_not_valid", f"{day}的{kind_zh}不属有效联系渠道。",
                                  f"The {kind_en} on {day} is not on a valid contact channel."))
            continue
        number += 1
        streak = streak + 1 if contact.kind in weak else 0
        if limit and streak >= limit:
            result.append(invalid(
                "weak_streak",
                f"{day}的{kind_zh}为连续第{streak}次{kind_zh}联系，该次联系无效，认领作废（CUS-23）。",
                f"The {kind_en} on {day} is the {_ordinal(streak)} consecutive contact by {kind_en}: "
                f"it is invalid and voids the claim (CUS-23).",
                number,
            ))
            continue
        valid_at, code = contact.at, "valid"
        zh = f"{day}的{kind_zh}为第{number}次有效联系"
        en = f"The {kind_en} on {day} is valid contact no. {number}"
        if confirm_from and number >= confirm_from:
            limit_at = calendar.add_duration(contact.at, rolling["confirm_within"]).at
            own_window_end = calendar.add_duration(contact.at, rolling["every"]).at
            confirmed = contact.confirmed_at
            if confirmed is not None and as_of is not None and confirmed > as_of:
                confirmed = None
            if confirmed is None:
                code = "pending_confirmation"
                zh += "，待主管确认有效日期"
                en += ", awaiting the confirmation of its valid date"
            elif confirmed <= limit_at:
                zh += f"，已于{_minute(calendar, confirmed)}确认"
                en += f", confirmed {_minute(calendar, confirmed)}"
            elif confirmed < own_window_end:
                valid_at, code = confirmed, "late_confirmation"
                zh += f"，确认晚于{_dur_zh(rolling['confirm_within'])}，以确认日期为有效日期"
                en += f", confirmed later than {_dur_en(rolling['confirm_within'])}: the confirmation date is its valid date"
            else:
                code = "pending_confirmation"
                zh += "，确认过晚（已过该次联系的保护期），仍以联系日期计"
                en += ", confirmed after its own window had lapsed: counted at its own date"
        valid_date = calendar.local_date(valid_at)
        result.append(ContactVerdict(
            contact, True, code, number, valid_at, valid_date,
            zh + f"，有效日期{valid_date.isoformat()}。", en + f"; valid date {valid_date.isoformat()}.",
        ))
    return tuple(result)


# --------------------------------------------------------------------------- CUS-21


@dataclass(frozen=True)
class ClaimDecision:
    """CUS-21 result: the earliest valid evidence and what it prevailed over."""

    claim: Claim
    overruled: tuple[Claim, ...]
    corroborating: tuple[Claim, ...]
    ignored: tuple[tuple[Claim, str], ...]
    tie: bool
    rule_id: str
    reason_zh: str
    reason_en: str
    facts: tuple[Fact, ...]

    @property
    def owner(self) -> Staff:
        return self.claim.claimant

    def to_decision(self) -> RuleDecision:
        return RuleDecision(self.rule_id, self.facts, {"owner": self.owner, "tie": self.tie},
                            self.reason_zh, self.reason_en)


def first_claim(
    policy: Mapping[str, Any], claims: Iterable[Claim], calendar: WorkCalendar | None = None
) -> ClaimDecision | None:
    """CUS-21 (首访原则): the earliest valid evidence wins.

    Only kinds listed in ``claim.evidence`` count (plus decided ``assignment`` s); unconfirmed
    evidence (CUS-06) does not. Evidence is ranked by its effective time; at the same instant
    the kind listed first in ``claim.evidence`` wins, then the lower record id, and ``tie`` is set
    so that an arbitration can be opened (CUS-27). A claimant's own later evidence corroborates
    (e.g. the evening-meeting record of the register entry); later evidence of others is overruled.
    This function knows no windows: evidence whose window is over is dropped by
    :func:`ownership_state`, which replays the claims. ``calendar`` only gives the time zone of the
    reasons (default Asia/Shanghai).
    """
    accepted, ignored = _accepted_claims(policy, claims)
    if not accepted:
        return None
    ranked = sorted(accepted, key=lambda c: _claim_key(policy, c))
    winner = ranked[0]
    tie = any(
        c.claimant != winner.claimant and c.at == winner.at and _rank(policy, c) == _rank(policy, winner)
        for c in ranked[1:]
    )
    overruled = tuple(c for c in ranked[1:] if c.claimant != winner.claimant)
    corroborating = tuple(c for c in ranked[1:] if c.claimant == winner.claimant)
    zh, en = _claim_reason(calendar, winner, overruled, corroborating, None)
    if tie:
        zh += "证据时间相同，建议开立判客案件（CUS-27）。"
        en += " Evidence at the same instant: an arbitration case should be opened (CUS-27)."
    facts = tuple(_claim_fact(c, "winner" if c is winner else "overruled" if c in overruled else "corroborating")
                  for c in ranked) + tuple(_claim_fact(c, f"ignored:{why}") for c, why in ignored)
    return ClaimDecision(winner, overruled, corroborating, tuple(ignored), tie, "CUS-21", zh, en, facts)


def _accepted_claims(policy: Mapping[str, Any], claims: Iterable[Claim]) -> tuple[list[Claim], list[tuple[Claim, str]]]:
    allowed = set(policy["claim"]["evidence"]) | {ASSIGNMENT}
    accepted, ignored = [], []
    for claim in claims:
        if claim.kind not in allowed:
            ignored.append((claim, "evidence_not_accepted"))
        elif not claim.confirmed:
            ignored.append((claim, "unconfirmed"))
        else:
            accepted.append(claim)
    return accepted, ignored


def _rank(policy: Mapping[str, Any], claim: Claim) -> int:
    evidence = list(policy["claim"]["evidence"])
    return evidence.index(claim.kind) if claim.kind in evidence else len(evidence)


def _claim_key(policy: Mapping[str, Any], claim: Claim) -> tuple:
    return (claim.at, _rank(policy, claim), _id_key(claim.record_id))


# --------------------------------------------------------------------------- CUS-20, CUS-22..CUS-26


@dataclass(frozen=True)
class OwnershipPeriod:
    """One owner's tenure in the replay (an OwnershipHistory row)."""

    owner: Staff | None
    start: dt.datetime
    end: dt.datetime | None
    end_reason: str | None
    rule_id: str
    record_id: int | str | None


@dataclass(frozen=True)
class OwnershipState:
    """Who owns the customer at ``now`` and why (CUS-20).

    ``status``: ``unowned`` | ``protected`` | ``expiring`` (warning period, CUS-25) | ``claimable``
    (window over, old owner kept until someone else claims) | ``locked`` (deal, CUS-26).
    ``window_end``: aware instant the protection ends (00:00 after ``valid_through``; the contact
    time for a weak-streak void); ``None`` without a window (mode ``none``, locked, unowned).
    ``ended_at``/``end_reason``: set once the window is over. ``pending_action``: the CUS-25
    action (``reassign``/``transfer_to_role``) the sweep must still carry out with
    :func:`expiry_action`. ``pending_claims``: takeovers awaiting approval (CUS-24).
    ``decisions``: the chain explaining the current state (first the claim, then the window).
    ``rule_id``/``reason_*``/``facts``: those of the last decision of the chain.
    """

    status: str
    owner: Staff | None
    department: str | None
    mode: str
    since: dt.datetime | None
    valid_through: dt.date | None
    window_end: dt.datetime | None
    warning_from: dt.date | None
    warning_at: dt.datetime | None
    ended_at: dt.datetime | None
    end_reason: str | None
    previous_owner: Staff | None
    claim: Claim | None
    deal: Deal | None
    last_contact: ContactVerdict | None
    pending_confirmation: tuple[int | str | None, ...]
    pending_claims: tuple[Claim, ...]
    pending_action: OnExpiry | None
    overruled: tuple[tuple[Claim, str], ...]
    history: tuple[OwnershipPeriod, ...]
    provisional: bool
    decisions: tuple[RuleDecision, ...]
    now: dt.datetime

    @property
    def rule_id(self) -> str:
        return self.decisions[-1].rule_id

    @property
    def reason_zh(self) -> str:
        return self.decisions[-1].reason_zh

    @property
    def reason_en(self) -> str:
        return self.decisions[-1].reason_en

    @property
    def facts(self) -> tuple[Fact, ...]:
        return self.decisions[-1].facts

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(d.rule_id for d in self.decisions)

    def summary(self) -> dict[str, Any]:
        """The CUS-20 answer: ``{owner, state, until, decisions}``."""
        return {
            "owner": None if self.owner is None else self.owner.id,
            "state": self.status,
            "until": self.valid_through,
            "decisions": list(self.rule_ids),
        }

    def to_decision(self) -> dict[str, Any]:
        """The last decision as a Decision-row dict (JSON-friendly)."""
        return self.decisions[-1].to_record()


@dataclass
class _Tenure:
    """One owner's tenure during the replay; ``decision`` is ``None`` for a CUS-21 claim (built at
    the end, when the evidence it overruled is known); ``previous``: the owner and window it followed."""

    owner: Staff
    start: dt.datetime
    claim: Claim | None
    rule_id: str
    decision: RuleDecision | None
    deal: Deal | None = None
    previous: tuple[Staff, "_Window"] | None = None
    overruled: list = field(default_factory=list)


@dataclass(frozen=True)
class _Window:
    rule_id: str
    end: dt.datetime | None
    through: dt.date | None
    end_reason: str | None
    last: ContactVerdict | None
    considered: tuple[ContactVerdict, ...]
    provisional: bool
    pending: tuple[int | str | None, ...] = ()


def ownership_state(
    policy: Mapping[str, Any],
    calendar: WorkCalendar,
    claims: Iterable[Claim],
    contacts: Iterable[ContactEvent],
    deals: Iterable[Deal],
    now: dt.datetime,
) -> OwnershipState:
    """CUS-20..CUS-26: replay the claims and deals up to ``now`` and judge the current window.

    Pass the claims of every household member together (CUS-14) or of both merged customers
    (CUS-15): the earliest valid claim owns them all. The replay, in time order:

    - a deal locks ownership to its performance owner; later claims are overruled (CUS-26);
    - an ``assignment`` always takes effect (kept locked after a deal);
    - the first accepted claim starts a tenure (CUS-21);
    - a later claim never displaces an owner whose window is still running at the claim's time
      (CUS-21); after the window is over it starts a new tenure (CUS-22 (2)) — in the
      under-service mode another employee's claim takes effect only at its approval (CUS-24).

    The current tenure's window then gives the status at ``now``; when it is over,
    ``ownership.on_expiry`` applies (CUS-25): ``claimable`` keeps the owner, ``release_to_pool``
    clears it, ``reassign``/``transfer_to_role`` keep it with ``pending_action`` set.
    """
    local_now = calendar.local(now)
    mode = policy["ownership"]["mode"]
    accepted, ignored = _accepted_claims(policy, claims)
    accepted = [c for c in accepted if c.at <= now]
    contacts = tuple(contacts)
    events: list[tuple[tuple, Claim | Deal]] = [(_claim_key(policy, c) + (0,), c) for c in accepted]
    events += [((d.at, 99, _id_key(d.record_id), 1), d) for d in deals if d.at <= now]
    events.sort(key=lambda e: e[0])

    tenure: _Tenure | None = None
    history: list[OwnershipPeriod] = []
    pending: list[Claim] = []

    def close(end: dt.datetime | None, reason: str | None) -> None:
        if tenure is not None:
            history.append(OwnershipPeriod(tenure.owner, tenure.start, end, reason, tenure.rule_id,
                                           tenure.claim.record_id if tenure.claim else None))

    for _, event in events:
        if isinstance(event, Deal):
            close(event.at, "deal")
            decision = _lock_decision(calendar, event, tenure)
            tenure = _Tenure(event.performance_owner, event.at, tenure.claim if tenure else None, "CUS-26",
                             decision, deal=event)
            continue
        claim = event
        if claim.kind == ASSIGNMENT:
            close(claim.at, "assignment")
            tenure = _Tenure(claim.claimant, claim.at, claim, claim.rule_id or "CUS-34",
                             _assignment_decision(calendar, claim, tenure),
                             deal=tenure.deal if tenure else None)
            continue
        if tenure is None:
            tenure = _Tenure(claim.claimant, claim.at, claim, "CUS-21", None)
            continue
        if tenure.deal is not None:
            tenure.overruled.append((claim, "locked"))
            continue
        window = _window(policy, calendar, tenure, contacts, claim.at)
        if window.end is None or claim.at < window.end:
            tenure.overruled.append((claim, "corroborates" if claim.claimant == tenure.owner else "owner_protected"))
            continue
        previous = (tenure.owner, window)
        released = policy["ownership"]["on_expiry"].action == "release_to_pool"
        if mode == UNDER_SERVICE and claim.claimant != tenure.owner and not released:
            if claim.approved_at is None or claim.approved_at > now:
                pending.append(claim)
                continue
            start = max(claim.at, claim.approved_at)
            close(window.end, window.end_reason)
            decision = _takeover_decision(policy, calendar, claim, start, previous)
            tenure = _Tenure(claim.claimant, start, claim, "CUS-24", decision)
            continue
        close(window.end, window.end_reason)
        tenure = _Tenure(claim.claimant, claim.at, claim, "CUS-21", None, previous=previous)

    overruled = tuple(tenure.overruled) if tenure else ()
    ignored_pairs = tuple(ignored)
    if tenure is None:
        decision = RuleDecision(
            "CUS-20", tuple(_claim_fact(c, f"ignored:{why}") for c, why in ignored_pairs),
            {"status": UNOWNED, "owner": None},
            "客户无有效认领，处于公海（未归属）。", "No valid claim: the customer is unowned (public pool).",
        )
        return _state(UNOWNED, None, mode, local_now, decisions=(decision,), pending_claims=tuple(pending),
                      overruled=(), history=())

    first = tenure.decision or _claim_decision(calendar, tenure)

    if tenure.deal is not None:
        return _state(LOCKED, tenure.owner, mode, local_now, since=tenure.start, claim=tenure.claim,
                      deal=tenure.deal, decisions=(first,), overruled=overruled,
                      history=tuple(history), pending_claims=tuple(pending))

    window = _window(policy, calendar, tenure, contacts, now)
    warning_at = _warning_at(policy, calendar, window)
    ended = window.end is not None and now >= window.end
    window_decision = _window_decision(policy, calendar, tenure, window, warning_at, ended, now)
    decisions = (first, window_decision)
    common = dict(
        since=tenure.start, claim=tenure.claim, last_contact=window.last,
        valid_through=window.through, window_end=window.end,
        warning_from=None if warning_at is None else calendar.local_date(warning_at), warning_at=warning_at,
        pending_confirmation=window.pending, pending_claims=tuple(pending), overruled=overruled,
        provisional=window.provisional or bool(window.pending),
    )
    if not ended:
        status = EXPIRING if warning_at is not None and now >= warning_at else PROTECTED
        return _state(status, tenure.owner, mode, local_now, decisions=decisions,
                      history=tuple(history), **common)

    close(window.end, window.end_reason)
    on_expiry: OnExpiry = policy["ownership"]["on_expiry"]
    ended_state = _state(CLAIMABLE, tenure.owner, mode, local_now, decisions=decisions,
                         ended_at=window.end, end_reason=window.end_reason, history=tuple(history),
                         pending_action=None if on_expiry.action in ("claimable", "release_to_pool") else on_expiry,
                         **common)
    action = expiry_action(policy, ended_state)
    decisions = decisions + (action.decision,)
    if on_expiry.action == "release_to_pool":
        return _state(UNOWNED, None, mode, local_now, decisions=decisions, ended_at=window.end,
                      end_reason=window.end_reason, previous_owner=tenure.owner, history=tuple(history),
                      **common)
    return _replace_decisions(ended_state, decisions)


def _state(status: str, owner: Staff | None, mode: str, now: dt.datetime, *, decisions: tuple,
           since=None, valid_through=None, window_end=None, warning_from=None, warning_at=None,
           ended_at=None, end_reason=None, previous_owner=None, claim=None, deal=None, last_contact=None,
           pending_confirmation=(), pending_claims=(), pending_action=None, overruled=(), history=(),
           provisional=False) -> OwnershipState:
    return OwnershipState(
        status=status, owner=owner, department=None if owner is None else owner.department, mode=mode,
        since=since, valid_through=valid_through, window_end=window_end, warning_from=warning_from,
        warning_at=warning_at, ended_at=ended_at, end_reason=end_reason, previous_owner=previous_owner,
        claim=claim, deal=deal, last_contact=last_contact, pending_confirmation=pending_confirmation,
        pending_claims=pending_claims, pending_action=pending_action, overruled=overruled,
        history=history, provisional=provisional, decisions=decisions, now=now,
    )


def _replace_decisions(state: OwnershipState, decisions: tuple) -> OwnershipState:
    values = {name: getattr(state, name) for name in OwnershipState.__dataclass_fields__}
    values["decisions"] = decisions
    return OwnershipState(**values)


def _window(policy: Mapping[str, Any], calendar: WorkCalendar, tenure: _Tenure,
            contacts: Sequence[ContactEvent], as_of: dt.datetime) -> _Window:
    """The protection window of ``tenure`` with the facts known at ``as_of`` (CUS-22/23/24)."""
    mode = policy["ownership"]["mode"]
    if mode == FIXED:
        return _fixed_window(policy, calendar, tenure, contacts, as_of)
    if mode == ROLLING:
        return _rolling_window(policy, calendar, tenure, contacts, as_of)
    if mode == UNDER_SERVICE:
        return _under_service_window(policy, calendar, tenure, contacts, as_of)
    return _Window("CUS-20", None, None, None, None, (), False)


def _fixed_window(policy, calendar, tenure, contacts, as_of) -> _Window:
    """CUS-22: ``validity`` from the claim; a valid contact renews only with ``renew_on_contact``."""
    validity = policy["ownership"]["validity"]
    deadline = calendar.add_duration(tenure.start, validity)
    provisional = deadline.provisional
    last = None
    considered: list[ContactVerdict] = []
    if policy["ownership"]["renew_on_contact"]:
        for verdict in classify_contacts(policy, calendar, contacts, owner=tenure.owner, since=tenure.start,
                                         as_of=as_of):
            if verdict.code in ("before_claim", "other_employee"):
                continue
            if verdict.contact.at >= deadline.at:
                break
            considered.append(verdict)
            if not verdict.valid:
                continue
            renewed = calendar.add_duration(verdict.contact.at, validity)
            provisional |= renewed.provisional
            if renewed.at > deadline.at:
                deadline, last = renewed, verdict
    return _Window("CUS-22", deadline.at, deadline.through, EXPIRED, last, tuple(considered), provisional)


def _rolling_window(policy, calendar, tenure, contacts, as_of) -> _Window:
    """CUS-23: first valid contact within ``first_within``, then within ``every`` of each valid date.

    A contact never shortens the window: the deadline is the later of the running one and the
    contact's valid date + ``every``.
    """
    rolling = policy["ownership"]["rolling"]
    deadline = calendar.add_duration(tenure.start, rolling["first_within"])
    provisional = deadline.provisional
    last = None
    considered: list[ContactVerdict] = []
    pending: list = []
    for verdict in classify_contacts(policy, calendar, contacts, owner=tenure.owner, since=tenure.start,
                                     as_of=as_of):
        if verdict.code in ("before_claim", "other_employee"):
            continue
        if verdict.contact.at >= deadline.at:
            break
        considered.append(verdict)
        if verdict.code == "weak_streak":
            at = calendar.local(verdict.contact.at)
            return _Window("CUS-23", at, at.date(), VOID_WEAK_STREAK, verdict, tuple(considered), provisional,
                           tuple(pending))
        if not verdict.valid:
            continue
        following = calendar.add_duration(verdict.valid_at, rolling["every"])
        provisional |= following.provisional
        if following.at > deadline.at:
            deadline = following
        last = verdict
        if verdict.code == "pending_confirmation":
            pending.append(verdict.contact.record_id)
    return _Window("CUS-23", deadline.at, deadline.through, VOID_MISSED_CONTACT, last, tuple(considered),
                   provisional, tuple(pending))


def _under_service_window(policy, calendar, tenure, contacts, as_of) -> _Window:
    """CUS-24: protected while a qualifying service happens within ``window`` of the previous one."""
    settings = policy["ownership"]["under_service"]
    qualifying = set(settings["qualifying"])
    deadline = calendar.add_duration(tenure.start, settings["window"])
    provisional = deadline.provisional
    last = None
    considered: list[ContactVerdict] = []
    for contact in sorted(contacts, key=_contact_key):
        if contact.at > as_of or contact.at < tenure.start:
            continue
        if contact.by is not None and contact.by != tenure.owner:
            continue
        if contact.at >= deadline.at:
            break
        day = calendar.local_date(contact.at)
        kind_zh, kind_en = _CONTACT_ZH[contact.kind], _CONTACT_EN[contact.kind]
        if contact.kind not in qualifying:
            considered.append(ContactVerdict(contact, False, "not_qualifying", None, None, None,
                                             f"{day}的{kind_zh}不属合格服务。",
                                             f"The {kind_en} on {day} is not a qualifying service."))
            continue
        verdict = ContactVerdict(contact, True, "qualifying", None, contact.at, day,
                                 f"{day}的{kind_zh}为合格服务。", f"The {kind_en} on {day} is a qualifying service.")
        considered.append(verdict)
        following = calendar.add_duration(contact.at, settings["window"])
        provisional |= following.provisional
        if following.at > deadline.at:
            deadline = following
        last = verdict
    return _Window("CUS-24", deadline.at, deadline.through, NO_QUALIFYING_SERVICE, last, tuple(considered),
                   provisional)


def _warning_at(policy: Mapping[str, Any], calendar: WorkCalendar, window: _Window) -> dt.datetime | None:
    """CUS-25: ``warn_before`` counted back from the last day (days, weeks) or the end (clock units)."""
    if window.end is None or window.end_reason == VOID_WEAK_STREAK:
        return None
    warn: Duration = policy["ownership"]["warn_before"]
    if warn.unit in ("days", "weeks"):
        days = int(warn.amount) * (7 if warn.unit == "weeks" else 1)
        return calendar.start_of_day(window.through - dt.timedelta(days=days))
    minutes = Decimal(warn.amount) * (60 if warn.unit == "hours" else 1)
    return calendar.local(window.end - dt.timedelta(minutes=float(minutes)))


# --------------------------------------------------------------------------- CUS-25


@dataclass(frozen=True)
class ExpiryOutcome:
    """What happens at the end of a window (CUS-25): the action and the resulting owner."""

    action: str
    at: dt.datetime
    previous_owner: Staff | None
    new_owner: Staff | None
    status: str
    role: str | None
    decision: RuleDecision

    @property
    def rule_id(self) -> str:
        return self.decision.rule_id

    @property
    def reason_zh(self) -> str:
        return self.decision.reason_zh

    @property
    def reason_en(self) -> str:
        return self.decision.reason_en

    def assignment(self) -> Claim | None:
        """The fact to store so that later replays see the new owner (``reassign``/``transfer``)."""
        if self.new_owner is None or self.action not in ("reassign", "transfer_to_role"):
            return None
        return Claim(self.new_owner, ASSIGNMENT, self.at, rule_id="CUS-25")


def expiry_action(
    policy: Mapping[str, Any], state: OwnershipState, successor: Staff | None = None
) -> ExpiryOutcome | None:
    """CUS-25: the ``ownership.on_expiry`` action for a state whose window is over (else ``None``).

    ``claimable``: the owner is kept until someone else claims. ``release_to_pool``: the owner is
    cleared. ``reassign`` (CUS-30 strategy) and ``transfer_to_role: <role>`` need the person the
    service resolves (``successor``: the strategy's pick, or the holder of the role in the owner's
    department); without one the action stays pending. The new ownership starts at the window
    end; store :meth:`ExpiryOutcome.assignment` as a claim.
    """
    if state.ended_at is None or state.status == LOCKED:
        return None
    on_expiry: OnExpiry = policy["ownership"]["on_expiry"]
    previous = state.owner or state.previous_owner
    at = state.ended_at.astimezone(state.now.tzinfo)
    when = _minute_of(at)
    through = state.valid_through.isoformat() if state.valid_through else when
    who_zh = previous.zh if previous else "原负责人"
    who_en = previous.en if previous else "the previous owner"
    head_zh = f"{who_zh}的保护期至{through}结束（{_END_ZH[state.end_reason]}）；依据CUS-25（on_expiry = {on_expiry}），"
    head_en = f"{who_en}'s protection ran through {through} ({_END_EN[state.end_reason]}); under CUS-25 (on_expiry = {on_expiry}) "
    role = on_expiry.role
    if on_expiry.action == "claimable":
        new_owner, status = previous, CLAIMABLE
        zh = head_zh + f"自{when}起客户可被他人认领，认领前仍由{who_zh}保留。"
        en = head_en + f"the customer is claimable from {when}; {who_en} keeps it until someone else claims."
    elif on_expiry.action == "release_to_pool":
        new_owner, status = None, UNOWNED
        zh = head_zh + f"自{when}起客户释放至公海，{who_zh}不再负责。"
        en = head_en + f"the customer is released to the public pool from {when}; {who_en} no longer owns it."
    elif on_expiry.action == "reassign":
        new_owner = successor
        status = PROTECTED if successor else CLAIMABLE
        if successor:
            zh = head_zh + f"自{when}起按分配策略（CUS-30）重新分配给{successor.zh}。"
            en = head_en + f"the customer is reassigned by the assignment strategy (CUS-30) to {successor.en} from {when}."
        else:
            zh = head_zh + f"自{when}起待按分配策略（CUS-30）重新分配。"
            en = head_en + f"the customer awaits reassignment by the assignment strategy (CUS-30) from {when}."
    else:
        new_owner = successor
        status = PROTECTED if successor else CLAIMABLE
        role_zh, role_en = _ROLE_ZH.get(role, role), _ROLE_EN.get(role, role)
        if successor:
            zh = head_zh + f"自{when}起移交{role_zh}{successor.zh}。"
            en = head_en + f"the customer is transferred to the {role_en} {successor.en} from {when}."
        else:
            zh = head_zh + f"自{when}起待移交{role_zh}。"
            en = head_en + f"the customer awaits transfer to the {role_en} from {when}."
    facts = (Fact("window_end", state.claim.record_id if state.claim else None, at, state.end_reason or ""),)
    outcome = {"action": on_expiry.action, "role": role, "at": at, "previous_owner": previous,
               "new_owner": new_owner, "status": status}
    decision = RuleDecision("CUS-25", facts, outcome, zh, en)
    return ExpiryOutcome(on_expiry.action, at, previous, new_owner, status, role, decision)


# --------------------------------------------------------------------------- CUS-27


@dataclass(frozen=True)
class Objection:
    """A party's objection to the proposal (CUS-27)."""

    party: Staff
    at: dt.datetime
    record_id: int | str | None = None


@dataclass(frozen=True)
class Ruling:
    """An arbiter's ruling: ``uphold`` the proposal, ``overturn`` (give ``owner``) or ``cannot_decide``."""

    role: str
    by: Staff
    at: dt.datetime
    verdict: str
    owner: Staff | None = None
    record_id: int | str | None = None

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.verdict!r}")
        if self.verdict == "overturn" and self.owner is None:
            raise ValueError("an overturning ruling names the owner")


@dataclass(frozen=True)
class Quarrel:
    """Parties quarrelling in front of customers (CUS-27)."""

    parties: tuple[Staff, ...]
    at: dt.datetime
    record_id: int | str | None = None


@dataclass(frozen=True)
class ArbitrationCase:
    """The facts of one arbitration case (判客 / 撞单).

    ``proposed_owner``/``proposal_rule``: the outcome the plugin hook ``attribute_owner`` proposes
    (e.g. RE-27); without it the system proposes by :func:`ownership_state` at ``opened_at`` over
    ``claims``, ``contacts`` and ``deals``. ``department``: the department a forfeiture goes to.
    """

    opened_at: dt.datetime
    claims: tuple[Claim, ...] = ()
    contacts: tuple[ContactEvent, ...] = ()
    deals: tuple[Deal, ...] = ()
    objections: tuple[Objection, ...] = ()
    rulings: tuple[Ruling, ...] = ()
    quarrels: tuple[Quarrel, ...] = ()
    proposed_owner: Staff | None = None
    proposal_rule: str | None = None
    department: str | None = None
    record_id: int | str | None = None


@dataclass(frozen=True)
class Consequence:
    """A quarrel consequence (CUS-27): ``forfeit_to_department`` | ``fine`` (STF entry, yuan) |
    ``dismissal_flag`` (HR review flag; dismissal is never automatic)."""

    kind: str
    party: Staff | None
    amount: Decimal | None
    department: str | None
    quarrel_record_id: int | str | None


@dataclass(frozen=True)
class ArbitrationOutcome:
    """Where a case stands at ``now`` (CUS-27).

    ``status``: ``objection_window`` | ``awaiting_arbiter`` | ``escalated`` | ``final``.
    ``assigned_roles``: who must decide now. ``final_owner`` (``None`` with ``final_department``
    after a forfeiture) is what the service writes as ownership (an ``assignment`` claim) and
    passes to STF-30 for the performance shares.
    """

    status: str
    proposed_owner: Staff | None
    proposal_rule: str
    objection_through: dt.date
    objection_end: dt.datetime
    objections: tuple[Objection, ...]
    late_objections: tuple[Objection, ...]
    assigned_roles: tuple[str, ...]
    final_owner: Staff | None
    final_department: str | None
    decided_by: Staff | None
    decided_at: dt.datetime | None
    consequences: tuple[Consequence, ...]
    rule_id: str
    reason_zh: str
    reason_en: str
    facts: tuple[Fact, ...]

    def to_decision(self) -> dict[str, Any]:
        outcome = {"status": self.status, "proposed_owner": self.proposed_owner, "final_owner": self.final_owner,
                   "final_department": self.final_department, "decided_by": self.decided_by,
                   "decided_at": self.decided_at, "assigned_roles": list(self.assigned_roles),
                   "consequences": [{"kind": c.kind, "party": c.party, "amount": c.amount,
                                     "department": c.department} for c in self.consequences]}
        return RuleDecision(self.rule_id, self.facts, outcome, self.reason_zh, self.reason_en).to_record()

    def assignment(self) -> Claim | None:
        """The ownership fact to store once final (an ``assignment`` with rule CUS-27)."""
        if self.status != "final" or self.final_owner is None:
            return None
        return Claim(self.final_owner, ASSIGNMENT, self.decided_at, rule_id="CUS-27")


def arbitrate(policy: Mapping[str, Any], calendar: WorkCalendar, case: ArbitrationCase,
              now: dt.datetime) -> ArbitrationOutcome:
    """CUS-27: propose, take objections within ``objection_window``, rule, escalate, finalise.

    - The proposal is the hook's (``case.proposed_owner``) or the current owner by the rules.
    - Objections strictly before the window end (from ``opened_at``) count; later ones are listed
      as late. Without an objection in time the proposal becomes final at the window end.
    - Rulings count in time order when made by a role currently assigned: ``arbiter`` first
      (several roles decide jointly and must agree), then ``escalate_to``. ``cannot_decide`` or a
      disagreement escalates; the last level stays assigned.
    - A quarrel applies ``quarrel_consequence``: ``forfeit_to_department`` makes the case final
      with the department as the holder; ``fine_each:N`` gives one fine of ¥N per party;
      ``dismissal_flag_each`` one HR review flag per party.
    """
    settings = policy["arbitration"]
    calendar.local(now)
    window = calendar.add_duration(case.opened_at, settings["objection_window"])
    facts: list[Fact] = [Fact("case", case.record_id, case.opened_at, "opened")]
    facts += [_claim_fact(c, "claim") for c in case.claims]

    # proposal
    if case.proposed_owner is not None:
        proposed, proposal_rule = case.proposed_owner, case.proposal_rule or "attribute_owner"
    else:
        state = ownership_state(policy, calendar, case.claims, case.contacts, case.deals, case.opened_at)
        proposed = state.owner if state.status != UNOWNED else None
        proposal_rule = state.decisions[0].rule_id if proposed else "CUS-21"
    opened = _minute(calendar, case.opened_at)
    through = window.through.isoformat()
    if proposed:
        zh = [f"判客案件于{opened}开立；系统依据{proposal_rule}建议客户归{proposed.zh}，异议期至{through}。"]
        en = [f"Arbitration opened {opened}; under {proposal_rule} the system proposes {proposed.en}; "
              f"objections through {through}."]
    else:
        zh = [f"判客案件于{opened}开立；规则无法给出建议，由裁决人决定。"]
        en = [f"Arbitration opened {opened}; the rules give no proposal, the arbiter decides."]

    # quarrels (CUS-27 consequence)
    rule: QuarrelRule = settings["quarrel_consequence"]
    consequences: list[Consequence] = []
    forfeited_at: dt.datetime | None = None
    for quarrel in sorted((q for q in case.quarrels if q.at <= now), key=lambda q: q.at):
        names_zh = "、".join(p.zh for p in quarrel.parties)
        names_en = " and ".join(p.en for p in quarrel.parties)
        day = calendar.local_date(quarrel.at).isoformat()
        facts.append(Fact("quarrel", quarrel.record_id, quarrel.at, ",".join(str(p.id) for p in quarrel.parties)))
        if rule.kind == "forfeit_to_department":
            consequences.append(Consequence("forfeit_to_department", None, None, case.department, quarrel.record_id))
            forfeited_at = forfeited_at or quarrel.at
            dept = f" {case.department}" if case.department else ""
            zh.append(f"{names_zh}于{day}在客户面前争执，该单位业绩与提成归部门{dept.strip()}。")
            en.append(f"{names_en} quarrelled in front of the customer on {day}: the unit's performance and bonus "
                      f"go to the department{dept}.")
        elif rule.kind == "fine_each":
            for party in quarrel.parties:
                consequences.append(Consequence("fine", party, rule.amount, None, quarrel.record_id))
            zh.append(f"{names_zh}于{day}在客户面前争执，各罚款¥{rule.amount}。")
            en.append(f"{names_en} quarrelled in front of the customer on {day}: a fine of ¥{rule.amount} each.")
        elif rule.kind == "dismissal_flag_each":
            for party in quarrel.parties:
                consequences.append(Consequence("dismissal_flag", party, None, None, quarrel.record_id))
            zh.append(f"{names_zh}于{day}在客户面前争执，各记人事审查标记（不自动辞退）。")
            en.append(f"{names_en} quarrelled in front of the customer on {day}: an HR review flag each "
                      f"(dismissal is never automatic).")

    # objections
    in_time = tuple(o for o in sorted(case.objections, key=lambda o: o.at) if o.at <= now and o.at < window.at)
    late = tuple(o for o in sorted(case.objections, key=lambda o: o.at) if o.at <= now and o.at >= window.at)
    for objection in in_time:
        facts.append(Fact("objection", objection.record_id, objection.at, str(objection.party.id)))
        zh.append(f"{objection.party.zh}于{calendar.local_date(objection.at)}提出异议。")
        en.append(f"{objection.party.en} objected on {calendar.local_date(objection.at)}.")
    for objection in late:
        facts.append(Fact("objection", objection.record_id, objection.at, f"late:{objection.party.id}"))
        zh.append(f"{objection.party.zh}于{calendar.local_date(objection.at)}的异议已过异议期，不予受理。")
        en.append(f"{objection.party.en}'s objection on {calendar.local_date(objection.at)} came after the window.")

    def outcome(status, roles, owner=None, department=None, by=None, at=None) -> ArbitrationOutcome:
        return ArbitrationOutcome(status, proposed, proposal_rule, window.through, window.at, in_time, late,
                                  tuple(roles), owner, department, by, at, tuple(consequences), "CUS-27",
                                  "".join(zh), " ".join(en), tuple(facts))

    if forfeited_at is not None:
        zh.append("裁决生效：该单位归部门。")
        en.append("Final: the unit goes to the department.")
        return outcome("final", (), department=case.department, at=forfeited_at)

    # rulings
    levels = [tuple(settings["arbiter"]), (settings["escalate_to"],)]
    level = 0
    votes: dict[str, Ruling] = {}
    auto_final_at = window.at if proposed is not None and not in_time else None
    for ruling in sorted((r for r in case.rulings if r.at <= now), key=lambda r: r.at):
        if auto_final_at is not None and level == 0 and ruling.at >= auto_final_at:
            break
        roles = levels[level]
        if ruling.role not in roles:
            facts.append(Fact("ruling", ruling.record_id, ruling.at, f"ignored:{ruling.role}"))
            continue
        facts.append(Fact("ruling", ruling.record_id, ruling.at, f"{ruling.role}:{ruling.verdict}"))
        role_zh, role_en = _ROLE_ZH.get(ruling.role, ruling.role), _ROLE_EN.get(ruling.role, ruling.role)
        day = calendar.local_date(ruling.at)
        if ruling.verdict == "cannot_decide":
            zh.append(f"{role_zh}{ruling.by.zh}于{day}表示无法裁决。")
            en.append(f"The {role_en} {ruling.by.en} could not decide on {day}.")
            level, votes = _escalate(level, levels, zh, en)
            continue
        owner = proposed if ruling.verdict == "uphold" else ruling.owner
        if owner is None:
            zh.append(f"{role_zh}{ruling.by.zh}于{day}维持建议，但并无建议，不予采纳。")
            en.append(f"The {role_en} {ruling.by.en} upheld a proposal that does not exist on {day}; ignored.")
            continue
        verb_zh = "维持建议" if ruling.verdict == "uphold" else "改判"
        verb_en = "upheld the proposal" if ruling.verdict == "uphold" else "overturned it"
        zh.append(f"{role_zh}{ruling.by.zh}于{day}{verb_zh}，客户归{owner.zh}。")
        en.append(f"The {role_en} {ruling.by.en} {verb_en} on {day}: {owner.en}.")
        votes[ruling.role] = ruling
        if all(role in votes for role in roles):
            owners = {(proposed if v.verdict == "uphold" else v.owner) for v in votes.values()}
            if len(owners) == 1:
                final = owners.pop()
                zh.append(f"裁决生效：客户归{final.zh}。")
                en.append(f"Final: the customer belongs to {final.en}.")
                return outcome("final", (), owner=final, by=ruling.by, at=ruling.at)
            zh.append("裁决人意见不一致。")
            en.append("The arbiters disagree.")
            level, votes = _escalate(level, levels, zh, en)

    if level == 0 and auto_final_at is not None and now >= auto_final_at:
        zh.append(f"异议期内无人提出异议，建议于{_minute(calendar, auto_final_at)}生效：客户归{proposed.zh}。")
        en.append(f"No objection within the window: the proposal became final at {_minute(calendar, auto_final_at)}; "
                  f"the customer belongs to {proposed.en}.")
        return outcome("final", (), owner=proposed, at=auto_final_at)
    if level == 1:
        return outcome("escalated", levels[1])
    if auto_final_at is not None:
        return outcome("objection_window", levels[0])
    roles_zh = "、".join(_ROLE_ZH.get(r, r) for r in levels[0])
    zh.append(f"待{roles_zh}裁决。")
    en.append(f"Awaiting the ruling of: {', '.join(_ROLE_EN.get(r, r) for r in levels[0])}.")
    return outcome("awaiting_arbiter", levels[0])


def _escalate(level: int, levels: list, zh: list, en: list) -> tuple[int, dict]:
    target = levels[1][0]
    if level == 0:
        zh.append(f"案件升级至{_ROLE_ZH.get(target, target)}。")
        en.append(f"The case is escalated to the {_ROLE_EN.get(target, target)}.")
    else:
        zh.append(f"已在最高一级（{_ROLE_ZH.get(target, target)}），仍待其裁决。")
        en.append(f"Already at the top level ({_ROLE_EN.get(target, target)}); the case awaits its ruling.")
    return 1, {}


# --------------------------------------------------------------------------- reasons

_END_ZH = {
    EXPIRED: "建档有效期届满",
    VOID_MISSED_CONTACT: "未按时有效联系，认领作废",
    VOID_WEAK_STREAK: "连续弱渠道联系，认领作废",
    NO_QUALIFYING_SERVICE: "服务不到位",
    None: "保护期结束",
}
_END_EN = {
    EXPIRED: "archive validity over",
    VOID_MISSED_CONTACT: "no valid contact in time, claim void",
    VOID_WEAK_STREAK: "consecutive weak-channel contacts, claim void",
    NO_QUALIFYING_SERVICE: "no qualifying service",
    None: "window over",
}


def _claim_reason(calendar: WorkCalendar | None, claim: Claim, overruled: Sequence[Claim],
                  corroborating: Sequence[Claim], previous: tuple[Staff, _Window] | None) -> tuple[str, str]:
    who_zh, who_en = claim.claimant.zh, claim.claimant.en
    when = _minute(calendar, claim.at)
    zh = f"{who_zh}于{when}的{_EVIDENCE_ZH[claim.kind]}为最早的有效证据，依据CUS-21首访原则，客户归{who_zh}。"
    en = (f"The {_EVIDENCE_EN[claim.kind]} of {who_en} at {when} is the earliest valid evidence; under CUS-21 "
          f"(first claim) the customer belongs to {who_en}.")
    if previous is not None:
        prev_owner, window = previous
        zh = (f"{prev_owner.zh}的认领已于{_minute(calendar, window.end)}失效（{_END_ZH[window.end_reason]}，"
              f"保护至{window.through}），过期证据不计；") + zh
        en = (f"{prev_owner.en}'s claim ended at {_minute(calendar, window.end)} ({_END_EN[window.end_reason]}, "
              f"protected through {window.through}) and expired evidence does not count. ") + en
    if overruled:
        zh += "较晚的证据（" + "、".join(f"{c.claimant.zh} {_minute(calendar, c.at)}" for c in overruled) + "）不能取代。"
        en += " Later evidence (" + ", ".join(f"{c.claimant.en} {_minute(calendar, c.at)}" for c in overruled) + \
              ") does not displace it."
    if corroborating:
        zh += "佐证：" + "、".join(f"{_EVIDENCE_ZH[c.kind]} {_minute(calendar, c.at)}" for c in corroborating) + "。"
        en += " Corroborated by: " + ", ".join(f"{_EVIDENCE_EN[c.kind]} {_minute(calendar, c.at)}"
                                               for c in corroborating) + "."
    return zh, en


def _claim_decision(calendar: WorkCalendar, tenure: _Tenure) -> RuleDecision:
    """CUS-21 decision of a tenure started by a claim: what it overruled, what corroborates it and
    the expired claim it followed."""
    claim, previous = tenure.claim, tenure.previous
    others = [c for c, why in tenure.overruled if why in ("owner_protected", "locked")]
    own = [c for c, why in tenure.overruled if why == "corroborates"]
    zh, en = _claim_reason(calendar, claim, others, own, previous)
    facts = [_claim_fact(claim, "winner")]
    facts += [_claim_fact(c, "overruled") for c in others] + [_claim_fact(c, "corroborating") for c in own]
    outcome: dict[str, Any] = {"owner": claim.claimant, "since": claim.at}
    if previous is not None:
        facts.append(Fact("previous_window_end", None, previous[1].end, f"{previous[0].id}:{previous[1].end_reason}"))
        outcome["previous_owner"] = previous[0]
    return RuleDecision("CUS-21", tuple(facts), outcome, zh, en)


def _assignment_decision(calendar: WorkCalendar, claim: Claim, tenure: _Tenure | None) -> RuleDecision:
    rule = claim.rule_id or "CUS-34"
    when = _minute(calendar, claim.at)
    before_zh = f"（原负责人{tenure.owner.zh}）" if tenure and tenure.owner != claim.claimant else ""
    before_en = f" (previously {tenure.owner.en})" if tenure and tenure.owner != claim.claimant else ""
    zh = f"依据{rule}的决定，客户自{when}起归{claim.claimant.zh}{before_zh}。"
    en = f"By a {rule} decision the customer belongs to {claim.claimant.en} from {when}{before_en}."
    return RuleDecision(rule, (_claim_fact(claim, "assignment"),), {"owner": claim.claimant, "since": claim.at},
                        zh, en)


def _takeover_decision(policy: Mapping[str, Any], calendar: WorkCalendar, claim: Claim, start: dt.datetime,
                       previous: tuple[Staff, _Window]) -> RuleDecision:
    """CUS-24 (2): another employee's claim on a customer without service, approved."""
    old, window = previous
    approver_role = policy["ownership"]["under_service"]["claim_approver"]
    role_zh, role_en = _ROLE_ZH.get(approver_role, approver_role), _ROLE_EN.get(approver_role, approver_role)
    by_zh = claim.approved_by.zh if claim.approved_by else ""
    by_en = f" {claim.approved_by.en}" if claim.approved_by else ""
    last_zh = f"最近一次合格服务{window.last.valid_date}，" if window.last else "无合格服务，"
    last_en = f"last qualifying service {window.last.valid_date}, " if window.last else "no qualifying service, "
    claim_day = calendar.local_date(claim.at)
    approved_day = calendar.local_date(claim.approved_at)
    from_day = calendar.local_date(window.end)
    zh = (f"{old.zh}的客户服务不到位（{last_zh}保护至{window.through}，自{from_day}起可认领）；"
          f"{claim.claimant.zh}于{claim_day}邀约并上报，{role_zh}{by_zh}于{approved_day}批准，"
          f"依据CUS-24客户归{claim.claimant.zh}。")
    en = (f"{old.en}'s customer was not served ({last_en}protected through {window.through}, claimable from "
          f"{from_day}); {claim.claimant.en} invited and reported the customer on {claim_day} and the "
          f"{role_en}{by_en} approved on {approved_day}: under CUS-24 the customer belongs to {claim.claimant.en}.")
    facts = (
        _claim_fact(claim, "takeover"),
        Fact("approval", claim.record_id, claim.approved_at,
             str(claim.approved_by.id) if claim.approved_by else approver_role),
        Fact("window_end", None, window.end, f"{old.id}:{window.end_reason}"),
    ) + ((window.last.fact,) if window.last else ())
    outcome = {"owner": claim.claimant, "previous_owner": old, "since": start,
               "claimable_from": from_day, "approved_at": claim.approved_at}
    return RuleDecision("CUS-24", facts, outcome, zh, en)


def _lock_decision(calendar: WorkCalendar, deal: Deal, tenure: _Tenure | None) -> RuleDecision:
    owner = deal.performance_owner
    day = calendar.local_date(deal.at)
    zh = (f"客户于{day}成交（{deal.kind}），归属锁定给业绩归属人{owner.zh}；保护期不再适用，"
          f"后续跟进与售后由{owner.zh}负责（CUS-26）。")
    en = (f"The customer closed a deal ({deal.kind}) on {day}; ownership is locked to the performance owner "
          f"{owner.en}, windows no longer apply and follow-up and after-sales belong to {owner.en} (CUS-26).")
    facts = (Fact(f"deal:{deal.kind}", deal.record_id, deal.at, str(owner.id)),)
    outcome = {"owner": owner, "status": LOCKED,
               "previous_owner": tenure.owner if tenure and tenure.owner != owner else None}
    return RuleDecision("CUS-26", facts, outcome, zh, en)


def _window_decision(policy: Mapping[str, Any], calendar: WorkCalendar, tenure: _Tenure, window: _Window,
                     warning_at: dt.datetime | None, ended: bool, now: dt.datetime) -> RuleDecision:
    owner = tenure.owner
    start_day = calendar.local_date(tenure.start)
    kind = tenure.claim.kind if tenure.claim else ASSIGNMENT
    verb_zh = "经批准接手" if tenure.rule_id == "CUS-24" else _CLAIM_VERB_ZH[kind]
    verb_en = "took over (approved)" if tenure.rule_id == "CUS-24" else _CLAIM_VERB_EN[kind]
    through = window.through.isoformat() if window.through else None
    facts = [_claim_fact(tenure.claim, "claim")] if tenure.claim else []
    facts += [v.fact for v in window.considered]
    outcome: dict[str, Any] = {"owner": owner, "valid_through": window.through, "window_end": window.end,
                               "ended": ended, "end_reason": window.end_reason if ended else None}
    ownership = policy["ownership"]
    mode = ownership["mode"]

    if window.rule_id == "CUS-20":
        zh = (f"客户于{start_day}由{owner.zh}{verb_zh}；本租户未设保护期（cus.ownership.mode = none），"
              f"归属不自动到期。")
        en = (f"{owner.en} {verb_en} the customer on {start_day}; the tenant has no protection window "
              f"(cus.ownership.mode = none), so ownership does not expire.")
        return RuleDecision("CUS-20", tuple(facts), outcome, zh, en)

    if mode == FIXED:
        if window.last is not None:
            renew_day = calendar.local_date(window.last.contact.at)
            kind_zh, kind_en = _CONTACT_ZH[window.last.contact.kind], _CONTACT_EN[window.last.contact.kind]
            zh = (f"客户于{start_day}由{owner.zh}{verb_zh}；{renew_day}的{kind_zh}续期"
                  f"（renew_on_contact），建档有效期至{through}。")
            en = (f"{owner.en} {verb_en} the customer on {start_day}; the {kind_en} on {renew_day} renewed it "
                  f"(renew_on_contact), so the archive is valid through {through}.")
        else:
            zh = f"客户于{start_day}由{owner.zh}{verb_zh}，建档有效期至{through}。"
            en = f"{owner.en} {verb_en} the customer on {start_day}; the archive is valid through {through}."
        if ended:
            zh += f"有效期已过，自{calendar.local_date(window.end)}起客户可被认领。"
            en += f" The validity is over: the customer is claimable from {calendar.local_date(window.end)}."
    elif mode == ROLLING:
        rolling = ownership["rolling"]
        zh = (f"{owner.zh}自{_minute(calendar, tenure.start)}起认领客户（滚动保护：首次有效联系须在"
              f"{_dur_zh(rolling['first_within'])}内，此后每{_dur_zh(rolling['every'])}）。")
        en = (f"{owner.en} has claimed the customer since {_minute(calendar, tenure.start)} (rolling protection: "
              f"a first valid contact within {_dur_en(rolling['first_within'])}, then every "
              f"{_dur_en(rolling['every'])}).")
        last = window.last
        if window.end_reason == VOID_WEAK_STREAK and ended:
            zh += window.considered[-1].reason_zh
            en += " " + window.considered[-1].reason_en
        else:
            if last is not None:
                zh += (f"最近一次有效联系为{calendar.local_date(last.contact.at)}的{_CONTACT_ZH[last.contact.kind]}"
                       f"（有效日期{last.valid_date}{'，待确认' if last.code == 'pending_confirmation' else ''}）。")
                en += (f" Last valid contact: {_CONTACT_EN[last.contact.kind]} on "
                       f"{calendar.local_date(last.contact.at)} (valid date {last.valid_date}"
                       f"{', awaiting confirmation' if last.code == 'pending_confirmation' else ''}).")
            if ended:
                zh += f"未在{through}前完成有效联系，认领于{_minute(calendar, window.end)}作废。"
                en += f" No valid contact through {through}: the claim is void from {_minute(calendar, window.end)}."
            else:
                zh += f"下次有效联系须于{through}前完成。"
                en += f" The next valid contact is due through {through}."
    else:
        settings = ownership["under_service"]
        qualifying_zh = "、".join(_CONTACT_ZH[k] for k in settings["qualifying"])
        qualifying_en = ", ".join(_CONTACT_EN[k] for k in settings["qualifying"])
        zh = (f"{owner.zh}自{start_day}起负责该客户（服务不到位规则：{_dur_zh(settings['window'])}内须有"
              f"合格服务：{qualifying_zh}）。")
        en = (f"{owner.en} has owned the customer since {start_day} (under-service rule: a qualifying service — "
              f"{qualifying_en} — within {_dur_en(settings['window'])}).")
        for verdict in window.considered:
            if not verdict.valid:
                zh += verdict.reason_zh
                en += " " + verdict.reason_en
        if window.last is not None:
            zh += f"最近一次合格服务为{window.last.valid_date}的{_CONTACT_ZH[window.last.contact.kind]}，保护至{through}。"
            en += (f" Last qualifying service: {_CONTACT_EN[window.last.contact.kind]} on {window.last.valid_date}; "
                   f"protected through {through}.")
        else:
            zh += f"尚无合格服务，保护至{through}。"
            en += f" No qualifying service yet; protected through {through}."
        if ended:
            role = settings["claim_approver"]
            from_day = calendar.local_date(window.end)
            zh += (f"期内无合格服务，自{from_day}起其他部门员工可邀约该客户并立即上报"
                   f"{_ROLE_ZH.get(role, role)}批准变更（公司亦可重新分配，CUS-35）。")
            en += (f" No qualifying service in the window: from {from_day} an employee of another department may "
                   f"invite the customer and report at once to the {_ROLE_EN.get(role, role)} for approval "
                   f"(the company may also reassign, CUS-35).")
    if not ended and warning_at is not None and now >= warning_at:
        zh += f"自{calendar.local_date(warning_at)}起到期提醒负责人及经理（CUS-25）。"
        en += f" Expiry warnings to the owner and manager since {calendar.local_date(warning_at)} (CUS-25)."
    outcome["warning_from"] = None if warning_at is None else calendar.local_date(warning_at)
    return RuleDecision(window.rule_id, tuple(facts), outcome, zh, en)


# --------------------------------------------------------------------------- helpers


def _claim_fact(claim: Claim, detail: str) -> Fact:
    return Fact(f"claim:{claim.kind}", claim.record_id, claim.at, f"{claim.claimant.id}:{detail}")


def _contact_key(contact: ContactEvent) -> tuple:
    return (contact.at, _id_key(contact.record_id))


def _id_key(record_id: Any) -> tuple:
    if record_id is None:
        return (2, "")
    if isinstance(record_id, int):
        return (0, f"{record_id:020d}")
    return (1, str(record_id))


def _minute(calendar: WorkCalendar | None, t: dt.datetime) -> str:
    tz = calendar.tz if calendar is not None else ZoneInfo(DEFAULT_TIMEZONE)
    return t.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _minute_of(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M")


def _dur_zh(duration: Duration) -> str:
    return f"{duration.amount}{_UNIT_ZH[duration.unit]}"


def _dur_en(duration: Duration) -> str:
    return str(duration).replace("_", " ")


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).isoformat()
    return value.isoformat()


def _jsonable(value: Any) -> Any:
    if isinstance(value, Staff):
        return value.id
    if isinstance(value, (dt.datetime, dt.date)):
        return _iso(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (OnExpiry, QuarrelRule)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _jsonable(v) for k, v in value.items()}
    return value
