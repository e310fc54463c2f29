"""Work-order types (SVC-01): the core's generic set and those of the tenant's enabled plugins
(hook ``kehu_work_order_types``). :func:`tenant_types` is what a tenant may create; an unknown type
is 422 on ``type``."""
from __future__ import annotations

from marshmallow import fields, validate

from core.errors import InvalidInput
from core.plugins import get_plugins
from core.plugins.records import WorkOrderType
from core.tenancy import current_tenant_id


def _text(max_len: int = 200):
    return fields.String(validate=validate.Length(min=1, max=max_len))


_ASSET = fields.List(fields.Dict(), validate=validate.Length(max=500),
                     metadata={"description": "vehicles or devices: plate, model, driver, terminal, SIM..."})

CORE_TYPES: tuple[WorkOrderType, ...] = (
    WorkOrderType("installation", "安装", "Installation",
                  fields={"request_doc": _text(500), "asset_list": _ASSET, "model": _text()},
                  required=("request_doc", "asset_list")),
    WorkOrderType("repair", "维修", "Repair",
                  fields={"model": _text(), "purchase_date": fields.Date(), "serial_number": _text(100),
                          "warranty": fields.Boolean()},
                  required=("customer", "address", "contact", "model", "purchase_date", "fault")),
    WorkOrderType("maintenance", "保养", "Maintenance", fields={"model": _text(), "asset": _text()}),
    WorkOrderType("inspection", "巡检", "Inspection", fields={"scope": _text(500)}),
    WorkOrderType("training", "培训", "Training", fields={"topic": _text(500), "attendees": fields.Integer()}),
    WorkOrderType("update", "升级", "Update", fields={"version": _text(100)}, on_site=False),
    WorkOrderType("remote_service", "远程服务", "Remote service",
                  fields={"service_kind": _text(60)}, on_site=False),
    WorkOrderType("on_site_service", "上门服务", "On-site service", fields={"service_kind": _text(60)}),
)
CORE_CODES = frozenset(t.code for t in CORE_TYPES)


def tenant_types() -> dict[str, WorkOrderType]:
    """The types the current tenant may create: the core's, then its plugins' (a plugin may not
    reuse a core code)."""
    out = {t.code: t for t in CORE_TYPES}
    plugin_types = get_plugins().for_tenant(current_tenant_id()).records("kehu_work_order_types")
    for code, record in plugin_types.items():
        if code in CORE_CODES:
            raise ValueError(f"work-order type {code!r} of a plugin is one of the core's")
        out[code] = record
    return out


def is_on_site(code: str, types: dict[str, WorkOrderType] | None = None) -> bool:
    """Whether orders of type ``code`` are done at the customer's (a type no longer declared — its
    plugin switched off — counts as on site, the core's default)."""
    found = (types if types is not None else tenant_types()).get(code)
    return found.on_site if found is not None else True


def type_of(code: str) -> WorkOrderType:
    """The tenant's type ``code``; 422 on ``type`` when it has none (SVC-01)."""
    found = tenant_types().get(code)
    if found is None:
        raise InvalidInput("unknown work-order type", fields={"type": [f"unknown work-order type {code!r}"]},
                           rule_id="SVC-01")
    return found
