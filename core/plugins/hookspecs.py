"""Hook specifications: the contract between the Kehu core and its plugins.

Two scopes:

- **global** hooks describe what is installed; they are called on the process-wide manager
  (``get_plugins().hook.<name>``).
- **tenant** hooks carry a tenant's rules, data and pages; they are only ever called through the
  per-tenant relay (``get_plugins().for_tenant(tenant).<name>``), so a tenant never runs the rules of a
  plugin it has not enabled. Calling one on the process-wide manager raises ``TenantScopeError``.

Registry hooks return lists of typed records from ``core.plugins.records``; their keys must be unique
among the plugins a tenant has enabled. Event hooks return nothing and must not block: slow work is
enqueued as a job. Every hook here is documented in ``docs/plugin-guide.md`` and tested
(``tests/core/plugins/test_contract.py`` enforces both).
"""
from __future__ import annotations

from core.plugins.markers import hookspec

GLOBAL_HOOKS: set[str] = set()
TENANT_HOOKS: set[str] = set()


def _global(fn):
    GLOBAL_HOOKS.add(fn.__name__)
    return fn


def _tenant(fn):
    TENANT_HOOKS.add(fn.__name__)
    return fn


# --- global: what is installed -------------------------------------------------------------------


@_global
@hookspec(firstresult=False)
def kehu_plugin_info():
    """Describe this plugin.

    Every plugin implements it once and returns one :class:`~core.plugins.records.PluginInfo`: its
    unique ``name`` (also the name it is enabled by per tenant), titles in Chinese and English, whether
    it is a ``core`` plugin (always on), the ``industry`` it serves, an optional marshmallow
    ``config_schema`` for per-tenant plugin configuration, and an optional ``migrations_dir`` holding
    the Alembic versions of its own tables.
    """


@_global
@hookspec
def kehu_industry_presets():
    """Return a list of :class:`~core.plugins.records.IndustryPreset`.

    A preset is what a new tenant of an industry starts with: the plugins to enable and policy values
    to publish as version 1 of each module's policy. Offered when a tenant is created.
    """


@_global
@hookspec
def kehu_portal_pages():
    """Return a list of :class:`~core.plugins.records.PortalPages`: the plugin's own portal pages.

    Called once when the application starts, for every installed plugin: each blueprint is mounted
    under ``/t/<slug>/`` inside the portal (the tenant is entered, the user resolved, forms checked for
    their CSRF token, exactly as for the core's pages), with endpoints named
    ``plugin_pages.<blueprint name>.<view>``. For a tenant that has not enabled the plugin every one of
    those pages answers 404. Point a :func:`kehu_nav_items` entry at them to put them in the menu;
    give ``translations`` (a folder of ``<locale>/*.po``) for the pages' Chinese texts.
    """


@_global
@hookspec
def kehu_api_endpoints():
    """Return a list of :class:`~core.plugins.records.ApiEndpoints`: the plugin's own REST endpoints.

    Called once when the application starts, for every installed plugin: each flask-smorest blueprint is
    registered under ``/api/v1`` + ``url_prefix`` like the core's (token authentication, the token's tenant
    entered, row-level security, the one error shape, the OpenAPI document and the API reference). For a
    tenant that has not enabled the plugin every one of those endpoints answers 404.
    """


# --- tenant: rules, data and pages of one tenant -------------------------------------------------


@_tenant
@hookspec
def kehu_policy_schemas():
    """Return a list of :class:`~core.plugins.records.PolicySchema`, one per policy module.

    The schema validates the tenant's policy document of that module (field-level errors go back to
    the user as they are) and ``schema().load({})`` must give the defaults of the spec.
    """


@_tenant
@hookspec
def kehu_roles():
    """Return a list of :class:`~core.plugins.records.Role` that users of the tenant may hold.

    The core declares the roles of the spec (tenant_admin, gm, salesperson, cs_agent, ...); a plugin
    adds its industry's roles (e.g. 抄表员 for a utility).
    """


@_tenant
@hookspec
def kehu_nav_items():
    """Return a list of :class:`~core.plugins.records.NavItem` for the tenant's portal navigation.

    Items of plugins the tenant has not enabled are never shown; their pages answer 404.
    """


@_tenant
@hookspec
def kehu_tenant_created(tenant_id):
    """Called inside the tenant's scope once the plugin is on for it: for every plugin of a new
    tenant after it has been created, and for one plugin alone when it is enabled later.

    Create the rows the plugin needs to work (default categories, sequences, ...). Must be idempotent.
    """


@_tenant
@hookspec
def kehu_periodic_jobs():
    """Return a list of :class:`~core.plugins.records.PeriodicJob` to run for the tenant.

    The fan-out (``kehu scheduler``, or the embedded scheduler thread) evaluates each cadence in the
    tenant's time zone once a minute and enqueues each due job once per slot per tenant. Only
    tenants that have the plugin enabled run its periodic jobs.
    """


@_tenant
@hookspec
def kehu_customer_fields():
    """Return a list of :class:`~core.plugins.records.CustomerField`: archive fields the plugin adds to
    the tenant's customers (CUS-01).

    Values live in the customer's ``extra`` object; they are validated by the record's marshmallow
    field on every create and update (422 naming ``extra.<name>``), returned on read, and, when
    ``searchable``, filter ``GET /customers?field.<name>=<value>``. A tenant without the plugin gets
    422 ``unknown field`` for them. Names are unique among the tenant's plugins and never one of the
    archive's own fields.
    """


@_tenant
@hookspec
def kehu_checklist_templates():
    """Return a list of :class:`~core.plugins.records.ChecklistTemplate`: required-document checklists
    of the plugin's archive types (CUS-03), e.g. a dealership's new-car archive.

    Each template says which archives it applies to (customer kinds, lifecycle stages, categories, a
    condition on archive fields) and lists its items (required, conditional, either-or groups,
    attributes). A tenant's own ``cus.checklists`` entry with the same code replaces the plugin's.
    """


@_tenant
@hookspec
def kehu_complaint_categories():
    """Return a list of :class:`~core.plugins.records.ComplaintCategory`: complaint categories of the
    plugin's industry (CMP-04), added to the tenant's ``cmp.categories``, each with the department
    it routes to by default (a tenant's ``cmp.routing`` entry wins).

    A complaint naming a category that neither the tenant's policy nor one of its plugins declares is
    refused (422 on ``category``). Codes are unique among the tenant's plugins.
    """


@_tenant
@hookspec(firstresult=True)
def kehu_commission_split(deal):
    """Decide who gets a deal's performance and commission (STF-30): return a
    :class:`~core.plugins.records.CommissionSplit` for the :class:`~core.plugins.records.Deal`, or
    None to leave the decision to the next plugin.

    A decision hook: the first plugin that answers decides; the core's own answer comes last (100%
    of both sets to the owner; a probationer's performance to the mentor, STF-32). Each set must sum
    to exactly 100.00% (422 otherwise). The split is stored as a decision with the rule id and reason
    it gives; amounts are computed per share by the core (half-up to the fen, residue to the first).
    """


@_tenant
@hookspec(firstresult=True)
def kehu_credit_recognition(deal):
    """Decide when a deal counts (STF-31): return a :class:`~core.plugins.records.Recognition` with
    the time it counts, or with ``at=None`` while it is pending (the reason says what is missing), or
    None to leave the decision to the next plugin.

    Asked when the deal is recorded and again whenever facts are added to a pending deal; a deal once
    counted stays counted (a reversal is a decision of its own, STF-33). The core's own answer comes
    last: the deal counts when it is recorded.
    """


@_tenant
@hookspec
def kehu_complaint_fields():
    """Return a list of :class:`~core.plugins.records.ComplaintField`: intake fields of the plugin's
    industry (CMP-03), e.g. a dealership's vehicle plate verified against its vehicle master.

    Values live in the case's ``extra`` object; they are validated by the record's marshmallow field
    when the case is taken in (422 naming ``extra.<name>``; a name no enabled plugin declares is 422
    ``unknown field``); a ``required`` field missing from a complaint is 422. ``verify(value)`` is called
    inside the tenant's scope; ``False`` takes the case in with the warning ``not_verified``. Names are
    unique among the tenant's plugins.
    """


@_tenant
@hookspec
def kehu_work_order_types():
    """Return a list of :class:`~core.plugins.records.WorkOrderType`: the work-order types of the
    plugin's industry (SVC-01), e.g. a utility's ``meter_install`` or a software house's
    ``program_modification``, with their intake fields, required intake data (SVC-03), state machine
    and completion checks (SVC-11).

    Added to the core's generic types (installation, repair, maintenance, inspection, training,
    update, remote_service, on_site_service). A type that neither the core nor one of the tenant's
    plugins declares is refused on create (422 on ``type``). Codes are unique among the tenant's
    plugins and never one of the core's.
    """


@_tenant
@hookspec
def kehu_work_order_transition(order, to_state, data):
    """Veto a work order's move (SVC-02): return a :class:`~core.plugins.records.TransitionVeto` to
    refuse it, or None to let it happen.

    Asked of every enabled plugin before the order moves from ``order.status`` to ``to_state``, after
    the core's own checks passed; ``data`` is what the step was given (e.g. the completion data with
    its test results). Any veto refuses the move: the caller gets 409 with the reasons and each veto
    is recorded as a decision. Must not write: it is a check, not an event.
    """


@_tenant
@hookspec
def kehu_provision_demo(tenant_id):
    """Add realistic sample data to a demo tenant (runs inside its scope).

    Called by ``kehu tenants demo`` and by ``kehu up`` (``make run``) at every start, after the core
    has created the demo users, so it must be idempotent: add what is missing, change nothing else.
    Return a list of ``(username, password, roles)`` logins to print, or None.
    """
