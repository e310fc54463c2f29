"""Checklists of a customer's archive (CUS-03): the tenant's templates, the documents its archive
holds, and the completeness computed by :mod:`core.customers.archive.checklist_rules`.

Templates come from the tenant's enabled plugins (hook ``kehu_checklist_templates``) and from its
``cus.checklists`` policy; a policy template replaces a plugin's of the same code.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select

from core.customers.archive import checklist_rules as rules
from core.customers.archive.models import CustomerDocument
from core.customers.archive.settings import ChecklistTemplateSchema
from core.customers.models import Customer
from core.db import db
from core.errors import InvalidInput, NotFound

_CODE = re.compile(r"^[a-z][a-z0-9_]{0,49}$")


def templates(policy_values: Mapping[str, Any] | None = None) -> dict[str, dict]:
    """The tenant's checklist templates by code (loaded shape of ``ChecklistTemplateSchema``)."""
    from core.customers.policy import cus_policy
    from core.plugins import get_plugins
    from core.tenancy import current_tenant_id

    found: dict[str, dict] = {}
    for record in get_plugins().for_tenant(current_tenant_id()).records("kehu_checklist_templates").values():
        body = {k: v for k, v in dataclasses.asdict(record).items() if k != "code"}
        body["items"] = list(body["items"])
        if body.get("when") is None:
            body.pop("when")
        try:
            found[record.code] = ChecklistTemplateSchema().load(body)
        except ValidationError as err:
            raise ValueError(f"kehu_checklist_templates: template {record.code!r} is invalid: {err.messages}") from err
        found[record.code]["source"] = "plugin"
    values = policy_values if policy_values is not None else cus_policy().values
    for code, template in values.get("checklists", {}).items():
        found[code] = {**template, "source": "policy"}
    return found


def item_codes(all_templates: Mapping[str, dict]) -> set[str]:
    return {code for t in all_templates.values() for item in t["items"]
            for code in [item["code"], *(a["code"] for a in item.get("any_of", []))]}


def facts_of(customer: Customer) -> dict:
    """The archive fields conditions read."""
    return {"kind": customer.kind, "category": customer.category, "lifecycle_stage": customer.lifecycle_stage,
            "source": customer.source, "district": customer.district, "flags": list(customer.flags or []),
            "extra": dict(customer.extra or {})}


def documents_of(customer_id: int) -> list[CustomerDocument]:
    return list(db.session.scalars(select(CustomerDocument).where(CustomerDocument.customer_id == customer_id)
                                   .order_by(CustomerDocument.item_code)))


def provided(doc: CustomerDocument) -> rules.Provided:
    return rules.Provided(doc.item_code, doc.form, doc.both_sides, doc.customer_signed, doc.staff_signed,
                          doc.missing)


def checklist(customer: Customer, template: str | None = None) -> list[rules.ChecklistResult]:
    """The completeness of the customer's archive under each template that applies to it (or under
    ``template`` alone, applicable or not)."""
    all_templates = templates()
    facts = facts_of(customer)
    if template is not None:
        if template not in all_templates:
            raise NotFound(f"no checklist template {template!r}")
        chosen = {template: all_templates[template]}
    else:
        chosen = {code: t for code, t in sorted(all_templates.items()) if rules.applies(t, facts)}
    docs = [provided(d) for d in documents_of(customer.id)]
    return [rules.evaluate(code, t, facts, docs) for code, t in chosen.items()]


def check_codes(codes, field: str, all_templates: Mapping[str, dict] | None = None) -> None:
    known = item_codes(all_templates if all_templates is not None else templates())
    unknown = sorted({c for c in codes if c not in known})
    if unknown:
        raise InvalidInput("unknown checklist item", fields={field: [
            f"not an item of the tenant's checklists: {', '.join(unknown)}"]})


def get_document(customer_id: int, item_code: str) -> CustomerDocument:
    doc = db.session.scalars(select(CustomerDocument).where(CustomerDocument.customer_id == customer_id,
                                                            CustomerDocument.item_code == item_code)).first()
    if doc is None:
        raise NotFound("document not found")
    return doc


def put_document(customer: Customer, item_code: str, data: Mapping[str, Any], by: int | None,
                 handover_id: int | None = None) -> CustomerDocument:
    """Record that the archive holds ``item_code`` (with its attributes and scan reference); it is no
    longer missing."""
    doc = db.session.scalars(select(CustomerDocument).where(CustomerDocument.customer_id == customer.id,
                                                            CustomerDocument.item_code == item_code)).first()
    if doc is None:
        doc = CustomerDocument(customer_id=customer.id, item_code=item_code)
        db.session.add(doc)
    doc.form = data.get("form") or "copy"
    for name in ("both_sides", "customer_signed", "staff_signed"):
        setattr(doc, name, bool(data.get(name, False)))
    doc.scan_ref = data.get("scan_ref")
    doc.note = data.get("note")
    doc.missing = False
    doc.updated_by = by
    if handover_id is not None:
        doc.handover_id = handover_id
    db.session.flush()
    return doc


def mark_missing(customer: Customer, item_code: str, by: int | None, handover_id: int) -> CustomerDocument:
    """A handover noted ``item_code`` missing (CUS-02): the item is unsatisfied until provided."""
    doc = db.session.scalars(select(CustomerDocument).where(CustomerDocument.customer_id == customer.id,
                                                            CustomerDocument.item_code == item_code)).first()
    if doc is None:
        doc = CustomerDocument(customer_id=customer.id, item_code=item_code, form="copy", both_sides=False,
                               customer_signed=False, staff_signed=False)
        db.session.add(doc)
    doc.missing = True
    doc.handover_id = handover_id
    doc.updated_by = by
    db.session.flush()
    return doc
