"""Inspection checklists (SVC-31; PM-06 "damage found on inspections opens repairs", PM-12 patrols).

A template lists the items of an inspection; a checklist records one inspection: each item ``ok`` or
``damaged`` with a note and optionally a photo (an attachment id). Each damaged item opens a repair
order through :func:`core.service.orders.create_order` (type ``repair``, ``channel = checklist``,
``source_type = checklist``, ``source_id`` = the checklist, the inspection order it fulfils as
``parent_id``): the site is the address, the item and its note the fault, the inspector the contact
unless the item names one; the item may carry what else the tenant's ``svc.required_fields`` asks of a
repair (customer, model, purchase date...). When that data is still missing, the checklist is recorded
all the same and the item is kept ``repair_pending`` with the 422 reasons (a decision says so); the
repair is opened later with :func:`open_repair` and the missing data. Each outcome is a decision
(SVC-31) on the checklist.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.accounts.models import User
from core.customers.fact_time import fact_time
from core.db import db, get_one
from core.decisions import service as decisions
from core.errors import Conflict, InvalidInput, NotFound
from core.service import orders
from core.service.checklists_models import Checklist, ChecklistItem, ChecklistTemplate
from core.service.models import WorkOrder
from core.service.policy import svc_policy

SUBJECT = "service_checklist"
REPAIR_INTAKE = ("priority", "customer_id", "customer_name", "contact_name", "contact_phone", "data")


# ------------------------------------------------------------------------------------------ templates


def _check_items(items: list[dict], field: str = "items") -> dict[str, list[str]]:
    codes = [i["code"] for i in items]
    errors = {}
    if not items:
        errors[field] = ["at least one item"]
    elif len(set(codes)) != len(codes):
        errors[field] = ["each item code once"]
    return errors


def create_template(data: dict, *, by: int | None) -> ChecklistTemplate:
    errors = _check_items(data["items"])
    if db.session.scalar(select(ChecklistTemplate.id).where(ChecklistTemplate.code == data["code"])) is not None:
        errors["code"] = ["a template with this code exists"]
    if errors:
        raise InvalidInput("invalid checklist template", fields=errors)
    template = ChecklistTemplate(code=data["code"], title=data["title"], site=data.get("site"), active=True,
                                 items=[{"code": i["code"], "label": i["label"]} for i in data["items"]],
                                 created_by=by)
    db.session.add(template)
    db.session.flush()
    return template


def update_template(template: ChecklistTemplate, data: dict) -> ChecklistTemplate:
    """Change a template; checklists already recorded keep their items."""
    if "items" in data:
        errors = _check_items(data["items"])
        if errors:
            raise InvalidInput("invalid checklist template", fields=errors)
        template.items = [{"code": i["code"], "label": i["label"]} for i in data["items"]]
    for key in ("title", "site", "active"):
        if key in data:
            setattr(template, key, data[key])
    db.session.flush()
    return template


def get_template(template_id: int) -> ChecklistTemplate:
    found = db.session.scalars(select(ChecklistTemplate).where(ChecklistTemplate.id == template_id)).first()
    if found is None:
        raise NotFound("checklist template not found")
    return found


def templates(active: bool | None = None):
    stmt = select(ChecklistTemplate).order_by(ChecklistTemplate.code)
    return stmt.where(ChecklistTemplate.active.is_(active)) if active is not None else stmt


# ------------------------------------------------------------------------------------------ checklists


def get_checklist(checklist_id: int, *, for_update: bool = False) -> Checklist:
    return get_one(Checklist, checklist_id, "checklist", for_update=for_update)


def items_of(checklist: Checklist) -> list[ChecklistItem]:
    return list(db.session.scalars(select(ChecklistItem).where(ChecklistItem.checklist_id == checklist.id)
                                   .order_by(ChecklistItem.position)))


def get_item(checklist: Checklist, item_id: int) -> ChecklistItem:
    found = db.session.scalars(select(ChecklistItem).where(ChecklistItem.checklist_id == checklist.id,
                                                           ChecklistItem.id == item_id)).first()
    if found is None:
        raise NotFound("checklist item not found")
    return found


def search(*, site: str | None = None, template_id: int | None = None, damaged: bool | None = None,
           since: dt.datetime | None = None, until: dt.datetime | None = None):
    stmt = select(Checklist)
    if site:
        stmt = stmt.where(Checklist.site == site)
    if template_id is not None:
        stmt = stmt.where(Checklist.template_id == template_id)
    if damaged is not None:
        stmt = stmt.where(Checklist.damaged > 0 if damaged else Checklist.damaged == 0)
    if since is not None:
        stmt = stmt.where(Checklist.at >= since)
    if until is not None:
        stmt = stmt.where(Checklist.at < until)
    return stmt.order_by(Checklist.at.desc(), Checklist.id.desc())


def _resolve_items(template: ChecklistTemplate | None, items: list[dict]) -> tuple[list[dict], dict]:
    """Each answered item with its code and label: a template's items are all answered, by code, once."""
    errors: dict[str, list[str]] = {}
    if template is None:
        for n, item in enumerate(items):
            if not (item.get("label") or "").strip():
                errors[f"items.{n}.label"] = ["required without a template"]
        codes = [i["code"] for i in items if i.get("code")]
        if len(set(codes)) != len(codes):
            errors["items"] = ["each item code once"]
        return [{**i, "label": (i.get("label") or "").strip()} for i in items], errors
    labels = {i["code"]: i["label"] for i in template.items}
    seen = []
    out = []
    for n, item in enumerate(items):
        code = item.get("code")
        if code not in labels:
            errors[f"items.{n}.code"] = [f"one of the template's items: {', '.join(labels)}"]
            continue
        if code in seen:
            errors[f"items.{n}.code"] = ["answered twice"]
            continue
        seen.append(code)
        out.append({**item, "label": labels[code]})
    missing = [code for code in labels if code not in seen]
    if missing:
        errors.setdefault("items", []).append(f"answer every item of the template: {', '.join(missing)} missing")
    return out, errors


def _photo_errors(items: list[dict]) -> dict[str, list[str]]:
    """An item's photo is an attachment uploaded first (``POST /attachments``), e.g. to the inspection order."""
    from core.attachments.service import require

    errors: dict[str, list[str]] = {}
    for n, item in enumerate(items):
        if isinstance(item, dict) and item.get("photo_attachment_id") is not None:
            field = f"items.{n}.photo_attachment_id"
            try:
                require(item["photo_attachment_id"], field=field, kinds=("photo", "scan"))
            except InvalidInput as exc:
                errors.update(exc.fields)
    return errors


def record_checklist(data: dict, *, by: int | None, region: str = "CN") -> Checklist:
    """Record an inspection (SVC-31). ``data``: template_id or items with labels, site (default the
    template's), at (default now), order_id, title, note, items: [{code, label, result, note,
    photo_attachment_id, repair: {priority, customer_id, customer_name, contact_name, contact_phone,
    data}}]. 422 naming each bad field; each damaged item opens its repair or is kept pending."""
    errors: dict[str, list[str]] = {}
    template = None
    if data.get("template_id") is not None:
        template = db.session.scalars(select(ChecklistTemplate).where(
            ChecklistTemplate.id == data["template_id"])).first()
        if template is None:
            errors["template_id"] = ["not a checklist template of this company"]
        elif not template.active:
            errors["template_id"] = ["the template is no longer in use"]
    items, item_errors = _resolve_items(template, data.get("items") or [])
    errors.update(item_errors)
    errors.update(_photo_errors(data.get("items") or []))
    if not data.get("items"):
        errors["items"] = ["at least one item"]
    site = (data.get("site") or (template.site if template else None) or "").strip()
    if not site:
        errors["site"] = ["where the inspection was done"]
    try:
        at = fact_time(data.get("at"), "at")
    except InvalidInput as exc:
        errors.update(exc.fields)
        at = None
    if data.get("order_id") is not None and db.session.scalar(
            select(WorkOrder.id).where(WorkOrder.id == data["order_id"])) is None:
        errors["order_id"] = ["not a work order of this company"]
    if errors:
        raise InvalidInput("invalid checklist", fields=errors, rule_id="SVC-31")
    checklist = Checklist(template_id=template.id if template else None, site=site, at=at, inspector_id=by,
                          title=(data.get("title") or (template.title if template else None) or "巡检记录")[:200],
                          order_id=data.get("order_id"), note=data.get("note"),
                          damaged=sum(1 for i in items if i["result"] == "damaged"))
    db.session.add(checklist)
    db.session.flush()
    for position, item in enumerate(items, start=1):
        row = ChecklistItem(checklist_id=checklist.id, position=position, code=item.get("code"), label=item["label"],
                            result=item["result"], note=item.get("note"),
                            photo_attachment_id=item.get("photo_attachment_id"), repair_errors={})
        db.session.add(row)
        db.session.flush()
        if row.result == "damaged":
            _try_repair(checklist, row, item.get("repair") or {}, by=by, region=region, at=at)
    return checklist


def _description(checklist: Checklist, item: ChecklistItem) -> str:
    return f"{item.label}" + (f"：{item.note}" if item.note else "") + f"（{checklist.title}，{checklist.site}）"


def _repair_intake(checklist: Checklist, item: ChecklistItem, extra: dict, at: dt.datetime) -> dict:
    intake = {"type": "repair", "channel": "checklist", "source_type": "checklist", "source_id": checklist.id,
              "parent_id": checklist.order_id, "requested_at": at, "address": checklist.site,
              "description": _description(checklist, item)[:10000]}
    intake.update({k: v for k, v in extra.items() if k in REPAIR_INTAKE and v is not None})
    if not intake.get("contact_name") and not intake.get("contact_phone") and checklist.inspector_id is not None:
        inspector = db.session.scalars(select(User).where(User.id == checklist.inspector_id)).first()
        if inspector is not None:  # the inspector who found the damage is the one to ask
            intake["contact_name"], intake["contact_phone"] = inspector.display_name, inspector.phone
    return intake


def _try_repair(checklist: Checklist, item: ChecklistItem, extra: dict, *, by: int | None, region: str,
                at: dt.datetime) -> None:
    """Open the item's repair, or keep it pending with the reasons (a decision either way)."""
    try:
        with db.session.begin_nested():
            order = orders.create_order(_repair_intake(checklist, item, extra, at), by=by, region=region)
    except InvalidInput as exc:
        item.repair_state, item.repair_errors = "pending", exc.fields
        reasons = "; ".join(f"{k}: {' '.join(v) if isinstance(v, list) else v}" for k, v in exc.fields.items())
        item.decision_id = decisions.record(
            "SVC-31", SUBJECT, checklist.id, policy=svc_policy(at), decided_by=by,
            outcome={"item_id": item.id, "label": item.label, "repair": "pending", "errors": exc.fields},
            facts={"site": checklist.site, "note": item.note, "photo_attachment_id": item.photo_attachment_id},
            reason_zh=f"巡检发现损坏「{item.label}」，维修工单暂未生成：缺少报修资料（{reasons}）",
            reason_en=f"damage found: {item.label}; the repair order waits for its required data ({reasons})").id
        db.session.flush()
        return
    item.repair_state, item.repair_order_id, item.repair_errors = "opened", order.id, {}
    item.decision_id = decisions.record(
        "SVC-31", SUBJECT, checklist.id, policy=svc_policy(at), decided_by=by,
        outcome={"item_id": item.id, "label": item.label, "repair": "opened", "order_id": order.id,
                 "number": order.number},
        facts={"site": checklist.site, "note": item.note, "photo_attachment_id": item.photo_attachment_id},
        reason_zh=f"巡检发现损坏「{item.label}」，已生成维修工单{order.number}",
        reason_en=f"damage found: {item.label}; repair order {order.number} opened").id
    orders.log_event(order, "from_checklist", by=by, at=at, note=item.label,
                     data={"checklist_id": checklist.id, "item_id": item.id,
                           "photo_attachment_id": item.photo_attachment_id})
    db.session.flush()


def open_repair(checklist: Checklist, item: ChecklistItem, extra: dict, *, by: int | None, region: str = "CN",
                at: dt.datetime | None = None) -> ChecklistItem:
    """Open the repair of a pending item with the data that was missing (422 naming what still is)."""
    if item.result != "damaged":
        raise Conflict("the item was found in order: nothing to repair", rule_id="SVC-31")
    if item.repair_state == "opened":
        raise Conflict("the item's repair order is already open", rule_id="SVC-31", order_id=item.repair_order_id)
    at = fact_time(at, "at")
    order = orders.create_order(_repair_intake(checklist, item, extra, at), by=by, region=region)
    item.repair_state, item.repair_order_id, item.repair_errors = "opened", order.id, {}
    item.decision_id = decisions.record(
        "SVC-31", SUBJECT, checklist.id, policy=svc_policy(at), decided_by=by,
        outcome={"item_id": item.id, "label": item.label, "repair": "opened", "order_id": order.id,
                 "number": order.number},
        facts={"site": checklist.site, "note": item.note, "completed_data": sorted(extra)},
        reason_zh=f"补齐报修资料后，巡检损坏项「{item.label}」已生成维修工单{order.number}",
        reason_en=f"with its missing data given, the repair of {item.label} is order {order.number}").id
    orders.log_event(order, "from_checklist", by=by, at=at, note=item.label,
                     data={"checklist_id": checklist.id, "item_id": item.id,
                           "photo_attachment_id": item.photo_attachment_id})
    db.session.flush()
    return item

