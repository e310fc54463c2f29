"""Typed records returned by registry hooks. Each has a unique ``key`` among all enabled plugins."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class PluginInfo:
    """What a plugin is. ``core`` plugins are always on; the others are enabled per tenant."""

    name: str
    title_zh: str
    title_en: str
    description: str = ""
    core: bool = False
    industry: str | None = None
    config_schema: type | None = None  # marshmallow Schema class for per-tenant plugin config
    migrations_dir: str | None = None  # Alembic version location of the plugin's own tables

    @property
    def key(self) -> str:
        return self.name


@dataclass(frozen=True)
class PolicySchema:
    """The policy document of one module: its settings, validated by a marshmallow schema whose
    ``load({})`` gives the defaults of the spec."""

    module: str
    schema: type  # marshmallow Schema class
    title_zh: str
    title_en: str

    @property
    def key(self) -> str:
        return self.module


@dataclass(frozen=True)
class Role:
    code: str
    title_zh: str
    title_en: str

    @property
    def key(self) -> str:
        return self.code


@dataclass(frozen=True)
class NavItem:
    """An entry of the portal navigation. ``endpoint`` is a Flask endpoint taking ``slug``."""

    key: str
    title_zh: str
    title_en: str
    endpoint: str
    order: int = 100
    roles: tuple[str, ...] = ()  # empty: every user


@dataclass(frozen=True)
class PortalPages:
    """A plugin's own portal pages: a Flask ``Blueprint`` mounted under ``/t/<slug>/`` (its endpoints are
    ``plugin_pages.<blueprint name>.<view>``), answering 404 for every tenant that has not enabled ``plugin``.
    ``translations`` is a folder of ``<locale>/*.po`` catalogs for the pages' texts."""

    plugin: str
    blueprint: Any
    translations: str | None = None

    @property
    def key(self) -> str:
        return self.blueprint.name


@dataclass(frozen=True)
class ApiEndpoints:
    """A plugin's own REST endpoints: a flask-smorest ``Blueprint`` mounted under ``/api/v1`` + ``url_prefix``,
    in the OpenAPI document, answering 404 for every tenant that has not enabled ``plugin``."""

    plugin: str
    blueprint: Any
    url_prefix: str

    @property
    def key(self) -> str:
        return self.blueprint.name


@dataclass(frozen=True)
class PeriodicJob:
    """A job to run for every tenant that has the plugin, on a cadence in the tenant's time zone.

    ``job`` names a function registered with ``@tenant_job``; ``cadence`` is a cron expression
    (``"0 3 * * *"``: daily at 03:00) or an interval (``"every 5 minutes"``, ``"every 2 hours"``,
    ``"every 1 days"``, counted from local midnight). The queue, timeout and retries are the job's own.

    ``only_when_due`` names a timer source of :data:`workers.due.SOURCES` (``"sla"``: deadlines of
    complaints and work orders; ``"major"``: major-complaint limits): the fan-out then enqueues the job
    only for the tenants that have a timer of that source due by the end of the slot, found by one
    query for all tenants. An every-minute timer sweep thus costs nothing for the tenants with nothing due.
    """

    job: str
    cadence: str
    only_when_due: str | None = None

    def __post_init__(self):
        from workers.cadence import validate_cadence

        validate_cadence(self.cadence)  # a bad cadence fails where the plugin declares it
        if self.only_when_due is not None:
            from workers.due import SOURCES

            if self.only_when_due not in SOURCES:
                raise ValueError(f"only_when_due must be one of {sorted(SOURCES)}, got {self.only_when_due!r}")

    @property
    def key(self) -> str:
        return self.job


@dataclass(frozen=True)
class IndustryPreset:
    """A starting point for a new tenant: plugins to enable and policy values to publish."""

    name: str
    title_zh: str
    title_en: str
    plugins: tuple[str, ...] = ()
    policies: dict[str, dict[str, Any]] = field(default_factory=dict)
    demo_slug: str | None = None  # the demo tenant of this preset (make run), if any
    demo_name: str | None = None

    @property
    def key(self) -> str:
        return self.name


@dataclass(frozen=True)
class CustomerField:
    """An archive field a plugin adds to customers (CUS-01), stored in the customer's ``extra``.

    ``field`` is a marshmallow field instance or class (``fields.String(validate=...)``,
    ``fields.Date``); ``kinds`` the customer kinds it applies to; ``searchable`` lets
    ``GET /customers?field.<name>=<value>`` filter by it. ``required`` is not a field option: a tenant
    requires a field by naming it in ``cus.archive.required.<kind>``."""

    name: str
    label_zh: str
    label_en: str
    field: Any
    kinds: tuple[str, ...] = ("person", "organisation")
    searchable: bool = False

    @property
    def key(self) -> str:
        return self.name


@dataclass(frozen=True)
class ChecklistTemplate:
    """A required-document checklist a plugin contributes (CUS-03), in the shape of one entry of the
    ``cus.checklists`` policy (see ``core.customers.archive.settings.ChecklistTemplateSchema``):
    ``items`` is a list of item dicts; ``kinds``/``stages``/``categories``/``when`` say which
    archives it applies to. A tenant's ``cus.checklists`` entry with the same ``code`` replaces it."""

    code: str
    label_zh: str
    label_en: str
    items: tuple = ()
    kinds: tuple[str, ...] = ("person", "organisation")
    stages: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    when: dict | None = None

    @property
    def key(self) -> str:
        return self.code


@dataclass(frozen=True)
class ComplaintCategory:
    """A complaint category a plugin contributes to its tenants' taxonomy (CMP-04), e.g. a dealership's
    ``repair_quality``. ``department`` is the name of the department it routes to by default; a
    tenant's ``cmp.routing`` entry for the same code wins."""

    code: str
    label_zh: str
    label_en: str
    department: str | None = None

    @property
    def key(self) -> str:
        return self.code


@dataclass(frozen=True)
class ComplaintField:
    """An intake field a plugin adds to its tenants' complaints (CMP-03), stored in the case's ``extra``:
    a dealership's plate and model, a property manager's unit number. ``field`` is a marshmallow field
    instance or class; ``required`` makes it mandatory on cases of type ``complaint`` (other types may
    carry it); ``verify(value) -> bool`` runs inside the tenant's scope after the value is loaded (e.g.
    the plate against the vehicle master) — ``False`` takes the case in with the warning ``not_verified``."""

    name: str
    label_zh: str
    label_en: str
    field: Any
    required: bool = False
    verify: Any = None  # callable(value) -> bool, or None

    @property
    def key(self) -> str:
        return self.name


# --- decision hooks of performance credit (STF-30/31) ----------------------------------------------


@dataclass(frozen=True)
class Deal:
    """The facts of a deal given to ``kehu_commission_split`` and ``kehu_credit_recognition``: what
    was sold (``subject_type``/``subject_id``: a car order, a subscription, a customer transaction...),
    its ``amount`` in yuan, the employee who made it (``owner_id``) and their ``department_id``, a
    probationer's ``mentor_id`` (STF-32), when it was recorded (``deal_at``, aware) and the ``facts``
    the recording party and later events attached (JSON: payment kind, pickup time, helpers...)."""

    credit_id: int | None
    subject_type: str
    subject_id: int
    amount: Any  # Decimal
    owner_id: int
    deal_at: Any  # aware datetime
    department_id: int | None = None
    mentor_id: int | None = None
    facts: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ShareLine:
    """One holder of a share set: an employee (``user_id``) or the department (``department_id``:
    the share is forfeited to it) with a percentage (2 decimals)."""

    percent: Any  # Decimal or str, e.g. "80.00"
    user_id: int | None = None
    department_id: int | None = None


@dataclass(frozen=True)
class CommissionSplit:
    """An attribution decision (STF-30): the performance set (业绩, counts toward targets) and the
    bonus/commission set (奖金/提成, money), each summing to 100.00%, first holder first (it takes
    the rounding residue), with the rule id and the reason in Chinese and English."""

    performance: tuple
    bonus: tuple
    rule_id: str
    reason_zh: str
    reason_en: str
    facts: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Recognition:
    """When a deal counts (STF-31): ``at`` (aware), or None while it is pending, with the rule id and
    the reason (what is still missing while pending)."""

    at: Any  # aware datetime or None
    rule_id: str
    reason_zh: str
    reason_en: str


# --- service work orders (SVC-01/02) -----------------------------------------------------------------


@dataclass(frozen=True)
class CompletionCheck:
    """A check an order of the type must pass before it is completed (SVC-11), e.g. the post-work
    safety test of a gas-on order. ``name`` is the key of the check's result in the completion data;
    ``passing`` the results that let the order complete (any other result keeps it on site)."""

    name: str
    label_zh: str
    label_en: str
    passing: tuple[str, ...] = ("pass",)


@dataclass(frozen=True)
class WorkOrderType:
    """A kind of work order (SVC-01): its intake fields, required intake data, states and completion checks.

    - ``fields``: name → marshmallow field (instance or class) of the type's own intake data, stored in
      the order's ``data`` (e.g. ``model``, ``purchase_date``); validated on create (422 naming
      ``data.<name>``); a name the type does not declare is 422 ``unknown field``.
    - ``required``: the intake data an order of the type must have (SVC-03) when the tenant's
      ``svc.required_fields`` names none for it: the intake's own ``customer``, ``address``,
      ``contact`` (name and phone), ``fault`` (the description), or names of ``fields``. A list field
      must not be empty.
    - ``on_site``: the work is done at the customer's (dispatch, arrival, the signed feedback form,
      SVC-12); remote types go from dispatched to completed.
    - ``transitions``: state → the states it may move to, replacing the default machine
      (:data:`core.service.states.DEFAULT_TRANSITIONS`) for this type; None keeps the default.
    - ``completion_checks``: :class:`CompletionCheck` s required before completion (SVC-11).
    - ``record_fields``: fields the service record of the order must fill (SVC-13).
    """

    code: str
    title_zh: str
    title_en: str
    fields: dict[str, Any] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    on_site: bool = True
    transitions: dict[str, tuple[str, ...]] | None = None
    completion_checks: tuple[CompletionCheck, ...] = ()
    record_fields: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return self.code


@dataclass(frozen=True)
class TransitionVeto:
    """A plugin's refusal of a work-order transition (SVC-02): the order stays where it is, the caller
    gets 409 with the reason, and the veto is recorded as a decision under ``rule_id``."""

    reason_zh: str
    reason_en: str
    rule_id: str = "SVC-02"
