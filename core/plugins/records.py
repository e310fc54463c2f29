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
class PeriodicJob:
    """A job to run for every tenant that has the plugin, on a cadence in the tenant's time zone.

    ``job`` names a function registered with ``@tenant_job``; ``cadence`` is a cron expression
    (``"0 3 * * *"``: daily at 03:00) or an interval (``"every 5 minutes"``, ``"every 2 hours"``,
    ``"every 1 days"``, counted from local midnight). The queue, timeout and retries are the job's own.
    """

    job: str
    cadence: str

    def __post_init__(self):
        from workers.cadence import validate_cadence

        validate_cadence(self.cadence)  # a bad cadence fails where the plugin declares it

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
