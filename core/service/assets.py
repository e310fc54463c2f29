"""The service-asset register and swaps (SVC-10).

:func:`swap` records on an order each unit replaced old → new (a terminal, a SIM, a meter, a part, a
device): the swap on the order (a :class:`WorkOrderSwap` and a ``swapped`` step of its history) and on
both units' histories. A unit the register does not know yet is registered by the swap. The old unit
is ``retired`` (removed from the customer) unless it is taken back for repair at once (``take_back:
{plate, fault}``); the new one is ``installed`` at the order's customer. The same swap sent twice on an
order is recorded once.

:func:`take_back` labels a unit taken back for repair with its plate number and fault (``in_repair``);
it is tracked until :func:`give_back` (``returned``). None of these commits.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.audit.recorder import json_safe
from core.customers.fact_time import fact_time
from core.db import db, get_one
from core.errors import Conflict, InvalidInput
from core.service import field_rules, orders
from core.service.field_models import ServiceAsset, ServiceAssetEvent, WorkOrderSwap
from core.service.models import WorkOrder

#: the states of an order in which swaps are recorded (on site; remote types from dispatch; and the
#: completed order whose paperwork is being finished)
SWAP_STATES = ("dispatched", "on_site", "completed")


def get_asset(asset_id: int, *, for_update: bool = False) -> ServiceAsset:
    """The asset; 404 when the tenant has none with this id."""
    return get_one(ServiceAsset, asset_id, "service asset", for_update=for_update)


def find(kind: str, identifier: str, *, for_update: bool = False) -> ServiceAsset | None:
    stmt = select(ServiceAsset).where(ServiceAsset.kind == kind, ServiceAsset.identifier == identifier)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return db.session.scalars(stmt).first()


def search(*, status: str | None = None, kind: str | None = None, customer_id: int | None = None,
           identifier: str | None = None):
    """Assets, those taken back longest ago first when listing units in repair, else newest first."""
    stmt = select(ServiceAsset)
    for column, value in ((ServiceAsset.status, status), (ServiceAsset.kind, kind),
                          (ServiceAsset.customer_id, customer_id)):
        if value is not None:
            stmt = stmt.where(column == value)
    if identifier:
        stmt = stmt.where(ServiceAsset.identifier == field_rules.normalise_identifier(identifier))
    if status == "in_repair":
        return stmt.order_by(ServiceAsset.taken_back_at, ServiceAsset.id)
    return stmt.order_by(ServiceAsset.created_at.desc(), ServiceAsset.id.desc())


def history(asset: ServiceAsset) -> list[ServiceAssetEvent]:
    return list(db.session.scalars(select(ServiceAssetEvent).where(ServiceAssetEvent.asset_id == asset.id)
                                   .order_by(ServiceAssetEvent.at, ServiceAssetEvent.id)))


def swaps_of(order: WorkOrder) -> list[WorkOrderSwap]:
    return list(db.session.scalars(select(WorkOrderSwap).where(WorkOrderSwap.order_id == order.id)
                                   .order_by(WorkOrderSwap.at, WorkOrderSwap.id)))


def order_numbers(order_ids) -> dict[int, str]:
    ids = {i for i in order_ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(WorkOrder.id, WorkOrder.number).where(WorkOrder.id.in_(ids))).all())


def _event(asset: ServiceAsset, kind: str, *, at: dt.datetime, by: int | None, from_status: str | None,
           order_id: int | None = None, note: str | None = None, data: dict | None = None) -> ServiceAssetEvent:
    event = ServiceAssetEvent(asset_id=asset.id, kind=kind, order_id=order_id, at=at, by=by, from_status=from_status,
                              to_status=asset.status, note=note, data=json_safe(data or {}))
    db.session.add(event)
    return event


def _register(kind: str, identifier: str, status: str, customer_id: int | None) -> ServiceAsset:
    asset = ServiceAsset(kind=kind, identifier=identifier, status=status, customer_id=customer_id)
    db.session.add(asset)
    db.session.flush()
    return asset


def _label_errors(plate, fault, prefix: str = "") -> dict[str, list[str]]:
    errors = {}
    if not (plate or "").strip():
        errors[f"{prefix}plate"] = ["the plate number written on the unit's label is required (SVC-10)"]
    if not (fault or "").strip():
        errors[f"{prefix}fault"] = ["the fault is required (SVC-10)"]
    return errors


def swap(order: WorkOrder, items: list[dict], *, by: int | None, at: dt.datetime | None = None) -> list[WorkOrderSwap]:
    """Record the swaps ``items`` (``{kind, old, new, note, take_back: {plate, fault}}``) on ``order``;
    returns the order's swaps of this request (those already recorded included)."""
    at = fact_time(at, "at")
    if order.status not in SWAP_STATES:
        raise Conflict(f"swaps are recorded on an order dispatched, on site or completed, not {order.status}",
                       reason_zh="工单须已派工、到场或完工才能登记更换", rule_id="SVC-10", state=order.status)
    errors = field_rules.swap_errors(items)
    for i, item in enumerate(items):
        if item.get("take_back") is not None:
            errors.update(_label_errors(item["take_back"].get("plate"), item["take_back"].get("fault"),
                                        f"items.{i}.take_back."))
    if errors:
        raise InvalidInput("invalid swaps", fields=errors, rule_id="SVC-10")
    recorded = {(s.kind, s.old_identifier, s.new_identifier): s for s in swaps_of(order)}
    out = []
    for i, item in enumerate(items):
        kind = item["kind"]
        old_id = field_rules.normalise_identifier(item["old"])
        new_id = field_rules.normalise_identifier(item["new"])
        if (kind, old_id, new_id) in recorded:  # the same swap sent again
            out.append(recorded[(kind, old_id, new_id)])
            continue
        out.append(_swap_one(order, i, kind, old_id, new_id, item, by=by, at=at))
    db.session.flush()
    return out


def _swap_one(order, i, kind, old_id, new_id, item, *, by, at) -> WorkOrderSwap:
    note = (item.get("note") or "").strip() or None
    take_back = item.get("take_back")
    old = find(kind, old_id, for_update=True)
    new = find(kind, new_id, for_update=True)
    if old is not None:
        refusal = field_rules.move_refusal(old.status, "swap_out")
        if refusal:
            raise Conflict(f"{kind} {old_id}: {refusal[1]}", reason_zh=f"{old_id}：{refusal[0]}", rule_id="SVC-10",
                           fields={f"items.{i}.old": [refusal[1]]})
    refusal = field_rules.install_refusal(new.status if new else None, order.customer_id,
                                          new.customer_id if new else None)
    if refusal:
        raise Conflict(f"{kind} {new_id}: {refusal[1]}", reason_zh=f"{new_id}：{refusal[0]}", rule_id="SVC-10",
                       fields={f"items.{i}.new": [refusal[1]]})
    old_known = old is not None
    old = old or _register(kind, old_id, "installed", order.customer_id)
    new_from = new.status if new else None
    new = new or _register(kind, new_id, "installed", order.customer_id)
    old_from = old.status
    old.status, old.last_order_id = "retired", order.id
    _event(old, "swapped_out", at=at, by=by, from_status=old_from, order_id=order.id, note=note,
           data={"replaced_by": new_id, "order_number": order.number, "registered": not old_known})
    new.status, new.customer_id, new.last_order_id, new.fault = "installed", order.customer_id, order.id, None
    _event(new, "swapped_in", at=at, by=by, from_status=new_from, order_id=order.id, note=note,
           data={"replaces": old_id, "order_number": order.number, "registered": new_from is None})
    row = WorkOrderSwap(order_id=order.id, kind=kind, old_asset_id=old.id, new_asset_id=new.id, old_identifier=old_id,
                        new_identifier=new_id, note=note, at=at, by=by)
    db.session.add(row)
    orders.log_event(order, "swapped", by=by, at=at, note=note,
                     data={"kind": kind, "old": old_id, "new": new_id, "old_asset_id": old.id, "new_asset_id": new.id})
    if take_back is not None:
        take_back_asset(old, plate=take_back["plate"], fault=take_back["fault"], by=by, at=at, order_id=order.id)
    return row


def take_back_asset(asset: ServiceAsset, *, plate: str | None, fault: str | None, by: int | None,
                    at: dt.datetime | None = None, order_id: int | None = None,
                    note: str | None = None) -> ServiceAssetEvent:
    """Label a unit taken back for repair with its plate number and fault (SVC-10): ``in_repair``
    until it is returned."""
    at = fact_time(at, "at")
    errors = _label_errors(plate, fault)
    if errors:
        raise InvalidInput("the label needs the plate number and the fault", fields=errors, rule_id="SVC-10")
    refusal = field_rules.move_refusal(asset.status, "take_back")
    if refusal:
        raise Conflict(refusal[1], reason_zh=refusal[0], rule_id="SVC-10", status=asset.status)
    if order_id is not None:
        if db.session.scalar(select(WorkOrder.id).where(WorkOrder.id == order_id)) is None:
            raise InvalidInput("unknown work order", fields={"order_id": ["no such work order"]})
        asset.last_order_id = order_id
    from_status = asset.status
    asset.status, asset.plate, asset.fault = "in_repair", plate.strip(), fault.strip()
    asset.taken_back_at, asset.returned_at = at, None
    return _event(asset, "taken_back", at=at, by=by, from_status=from_status, order_id=order_id, note=note,
                  data={"plate": asset.plate, "fault": asset.fault})


def give_back(asset: ServiceAsset, *, by: int | None, at: dt.datetime | None = None,
              note: str | None = None) -> ServiceAssetEvent:
    """A unit back from repair (SVC-10): ``returned``; its label stays in its history."""
    at = fact_time(at, "at")
    refusal = field_rules.move_refusal(asset.status, "return")
    if refusal:
        raise Conflict(refusal[1], reason_zh=refusal[0], rule_id="SVC-10", status=asset.status)
    if asset.taken_back_at is not None and at < asset.taken_back_at:
        raise InvalidInput("invalid time", fields={"at": ["before the unit was taken back"]})
    asset.status, asset.returned_at = "returned", at
    return _event(asset, "returned", at=at, by=by, from_status="in_repair", note=note,
                  data={"plate": asset.plate, "fault": asset.fault,
                        "days_in_repair": (at - asset.taken_back_at).days if asset.taken_back_at else None})
