"""The tenant's complaint categories and channels (CMP-02, CMP-04): the ``cmp`` policy's own list plus
the categories its enabled plugins contribute (hook ``kehu_complaint_categories``), each with the
department it routes to (``cmp.routing`` wins over a plugin's default)."""
from __future__ import annotations

from dataclasses import dataclass

from core.complaints.settings import CHANNELS, CORE_CATEGORIES

_CORE_LABELS = {
    "service_not_delivered": ("服务未兑现", "Service not delivered"),
    "staff_conduct": ("员工行为", "Staff conduct"),
    "staff_attitude": ("服务态度", "Staff attitude"),
    "interdepartment_dispute": ("部门间纠纷", "Inter-department dispute"),
    "other": ("其他", "Other"),
}


@dataclass(frozen=True)
class Category:
    code: str
    label_zh: str
    label_en: str
    department: str | None  # routed to (CMP-04)
    source: str  # policy | plugin


def categories(values: dict) -> dict[str, Category]:
    """All categories of the current tenant under the ``cmp`` policy ``values``."""
    from core.plugins import get_plugins
    from core.tenancy import current_tenant_id

    routing = values.get("routing") or {}
    found: dict[str, Category] = {}
    for code in values.get("categories") or CORE_CATEGORIES:
        zh, en = _CORE_LABELS.get(code, (code, code))
        found[code] = Category(code, zh, en, routing.get(code), "policy")
    records = get_plugins().for_tenant(current_tenant_id()).records("kehu_complaint_categories")
    for code, record in records.items():
        found[code] = Category(code, record.label_zh, record.label_en, routing.get(code, record.department), "plugin")
    return found


def channels(values: dict) -> tuple[str, ...]:
    return CHANNELS + tuple(c for c in (values.get("channels") or {}).get("extra", ()) if c not in CHANNELS)
