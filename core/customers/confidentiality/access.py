"""CUS-70 visibility applied to the database: which customers the current viewer may see, the PII
masking of lists, and the access log of full views.

- :func:`restrict` adds the viewer's visibility to a ``select(Customer)``: ``core.customers.service``
  calls it in ``get_customer`` (so every sub-resource of a customer answers 404 for a customer the
  viewer may not see) and in ``search`` (lists and search leave them out).
- :func:`present` masks the PII of listed customers for a viewer without the right.
- :func:`log_view` writes a :class:`~.models.CustomerView` row for a view of a full record.

The rules (scopes, departments, masking) are the pure functions of :mod:`.visibility_rules`; the
classified-customer and viewing-grant parts are CUS-71 and CUS-72.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, false, insert, or_, select, true

from core.accounts.models import Department, User
from core.customers.confidentiality import visibility_rules as rules
from core.customers.confidentiality.models import CustomerSecrecy, CustomerView, SecrecyViewer, ViewRequest
from core.customers.confidentiality.settings import CUSTODIAN, OWNER
from core.customers.confidentiality.viewer import Viewer, current_viewer, request_viewer
from core.customers.models import Customer, CustomerOwnership
from core.customers.ownership.models import CustomerClaim
from core.db import db, utcnow
from core.tenancy import current_tenant_id


def cus_values(viewer: Viewer | None = None) -> dict:
    """The ``cus`` values in force today (cached on the viewer for the rest of the request)."""
    from core.customers.policy import cus_policy

    if viewer is None:
        return cus_policy().values
    if "values" not in viewer.cache:
        viewer.cache["values"] = cus_policy().values
    return viewer.cache["values"]


def departments_of(viewer: Viewer) -> frozenset[int]:
    """The viewer's departments with their sub-departments (cached on the viewer)."""
    if "departments" not in viewer.cache:
        rows = db.session.execute(select(Department.id, Department.parent_id, Department.head_user_id)).all()
        viewer.cache["departments"] = rules.department_tree(rows, viewer.user_id, viewer.department_id)
    return viewer.cache["departments"]


def _owned_now():
    return select(CustomerOwnership.customer_id).where(CustomerOwnership.owner_id.is_not(None))


def _classified():
    return select(CustomerSecrecy.customer_id).where(CustomerSecrecy.level != "normal")


def grants_filter(user_id: int, now: dt.datetime, *, download: bool = False):
    """Conditions of the user's grants active at ``now`` (CUS-72); ``download``: only grants that
    allow downloading."""
    conditions = [ViewRequest.requester_id == user_id, ViewRequest.status == "approved",
                  ViewRequest.grant_from <= now, ViewRequest.grant_until > now]
    if download:
        conditions.append(ViewRequest.view_only.is_(False))
    return conditions


def visible_clause(viewer: Viewer, now: dt.datetime | None = None):
    """The SQL condition on :class:`Customer` of the customers ``viewer`` may see now."""
    if viewer.user_id is None:
        return false()
    now = now or utcnow()
    uid = viewer.user_id
    scope = rules.scope_of(viewer.roles, cus_values(viewer))
    own = or_(Customer.id.in_(select(CustomerOwnership.customer_id).where(CustomerOwnership.owner_id == uid)),
              and_(Customer.created_by == uid, Customer.id.not_in(_owned_now())))
    if cus_values(viewer)["pool_visible"]:
        claimable = select(CustomerOwnership.customer_id).where(CustomerOwnership.state == "claimable")
        own = or_(own, Customer.id.not_in(_owned_now()), Customer.id.in_(claimable))
    # a party to the customer's ownership: whoever holds live evidence on it (CUS-21) sees the
    # customer they registered, to follow their claim and dispute it (CUS-27); PII stays masked in lists
    claimed = select(CustomerClaim.customer_id).where(CustomerClaim.claimant_id == uid, CustomerClaim.void.is_(False))
    own = or_(own, Customer.id.in_(claimed))
    if scope == rules.ALL:
        base = true()
    elif scope == rules.DEPARTMENT:
        deps = sorted(departments_of(viewer))
        members = select(User.id).where(User.department_id.in_(deps))
        in_department = or_(
            Customer.id.in_(select(CustomerOwnership.customer_id).where(or_(
                CustomerOwnership.department_id.in_(deps), CustomerOwnership.owner_id.in_(members)))),
            and_(Customer.created_by.in_(members), Customer.id.not_in(_owned_now())),
        )
        base = or_(own, in_department) if deps else own
    else:
        base = own
    cleared = or_(
        Customer.id.in_(select(CustomerSecrecy.customer_id).where(CustomerSecrecy.custodian_id == uid)),
        Customer.id.in_(select(SecrecyViewer.customer_id).where(SecrecyViewer.user_id == uid)),
    )
    clauses = [and_(Customer.id.not_in(_classified()), base), cleared]
    if not viewer.writing:  # a grant is for viewing only (CUS-72)
        clauses.append(Customer.id.in_(select(ViewRequest.customer_id).where(*grants_filter(uid, now))))
    return or_(*clauses)


def restrict(stmt):
    """``stmt`` (a select of :class:`Customer`) limited to what the current viewer may see."""
    viewer = current_viewer()
    if viewer is None:
        return stmt
    return stmt.where(visible_clause(viewer))


def is_visible(customer_id: int, viewer: Viewer | None = None) -> bool:
    viewer = viewer if viewer is not None else current_viewer()
    if viewer is None:
        return True
    stmt = select(Customer.id).where(Customer.id == customer_id, visible_clause(viewer))
    return db.session.scalar(stmt) is not None


@dataclass(frozen=True)
class Relations:
    """What ties a viewer to one customer."""

    owner: bool = False  # owns it, or created it while nobody owns it
    custodian: bool = False
    designated: bool = False
    classified: bool = False
    grant_id: int | None = None
    grant_view_only: bool = True

    def names(self) -> set[str]:
        return {name for name, on in ((OWNER, self.owner), (CUSTODIAN, self.custodian)) if on}


def relations_of(customers: list[Customer], viewer: Viewer, now: dt.datetime | None = None) -> dict[int, Relations]:
    """The viewer's :class:`Relations` to each customer (one query per kind, whatever the count)."""
    ids = [c.id for c in customers]
    if not ids or viewer.user_id is None:
        return {i: Relations() for i in ids}
    now = now or utcnow()
    uid = viewer.user_id
    owners = dict(db.session.execute(select(CustomerOwnership.customer_id, CustomerOwnership.owner_id)
                                     .where(CustomerOwnership.customer_id.in_(ids))).all())
    secrecy = {s.customer_id: s for s in db.session.scalars(
        select(CustomerSecrecy).where(CustomerSecrecy.customer_id.in_(ids)))}
    designated = set(db.session.scalars(select(SecrecyViewer.customer_id).where(
        SecrecyViewer.customer_id.in_(ids), SecrecyViewer.user_id == uid)))
    grants = {}
    for grant in db.session.scalars(select(ViewRequest).where(ViewRequest.customer_id.in_(ids), *grants_filter(uid, now))
                                    .order_by(ViewRequest.view_only, ViewRequest.id)):
        grants.setdefault(grant.customer_id, grant)
    out = {}
    for customer in customers:
        owner = owners.get(customer.id)
        row = secrecy.get(customer.id)
        grant = grants.get(customer.id)
        out[customer.id] = Relations(
            owner=owner == uid or (owner is None and customer.created_by == uid),
            custodian=row is not None and row.custodian_id == uid,
            designated=customer.id in designated,
            classified=row is not None and row.level != "normal",
            grant_id=grant.id if grant else None,
            grant_view_only=grant.view_only if grant else True,
        )
    return out


def without_grants(viewer: Viewer) -> Viewer:
    """The same viewer with grants not counting (as for a change, a download or an export)."""
    return Viewer(viewer.user_id, viewer.roles, viewer.department_id, True, viewer.cache)


def basis(customer_id: int, relations: Relations, viewer: Viewer) -> str:
    """Why the viewer sees the customer (for the access log): custodian, designated, owner, role
    (a tenant-wide scope), department, or grant."""
    if relations.custodian:
        return "custodian"
    if relations.designated:
        return "designated"
    if relations.owner and not relations.classified:
        return "owner"
    if relations.classified or not is_visible(customer_id, without_grants(viewer)):
        return "grant"
    return "role" if rules.scope_of(viewer.roles, cus_values(viewer)) == rules.ALL else "department"


def may_download(customer_id: int, viewer: Viewer | None = None) -> bool:
    """Whether the viewer may download or export the customer: they see it without any grant, or
    through a grant that is not view-only (CUS-72: a view-only grant refuses downloads)."""
    viewer = viewer if viewer is not None else current_viewer()
    if viewer is None:
        return True
    if is_visible(customer_id, without_grants(viewer)):
        return True
    stmt = select(ViewRequest.id).where(ViewRequest.customer_id == customer_id,
                                        *grants_filter(viewer.user_id, utcnow(), download=True))
    return viewer.user_id is not None and db.session.scalar(stmt.limit(1)) is not None


class MaskedCustomer:
    """A customer as a viewer without the PII right sees it in a list: phones and resident id masked.
    Read-only; the ORM object behind it is never changed."""

    def __init__(self, customer: Customer):
        self._customer = customer
        self.phones = rules.mask_phones(
            {"e164": p.e164, "kind": p.kind, "extension": p.extension, "label": p.label} for p in customer.phones)
        self.resident_id = rules.mask_resident(customer.resident_id)
        self.pii_masked = True

    def __getattr__(self, name):
        return getattr(self._customer, name)


def present(customers: list[Customer]) -> list:
    """Listed customers as the current viewer may see them: masked where the viewer lacks the right."""
    viewer = request_viewer()
    if viewer is None or not customers:
        return customers
    values = cus_values(viewer)
    relations = relations_of(customers, viewer)
    return [c if rules.pii_unmasked(viewer.roles, relations[c.id].names(), values) else MaskedCustomer(c)
            for c in customers]


def log_view(customer: Customer, *, action: str = "view", export_id: int | None = None,
             unmasked: bool = True) -> None:
    """Write the access log row of a view (or download, export) of ``customer`` by the request's
    viewer (CUS-70: every view of a full record is audited)."""
    viewer = request_viewer()
    if viewer is None:
        user_id, why, grant_id = None, "system", None
    else:
        rel = relations_of([customer], viewer)[customer.id]
        user_id, why, grant_id = viewer.user_id, basis(customer.id, rel, viewer), rel.grant_id
    db.session.execute(insert(CustomerView.__table__).values(
        tenant_id=current_tenant_id(), customer_id=customer.id, user_id=user_id, at=utcnow(), action=action,
        basis=why, unmasked=unmasked, grant_id=grant_id, export_id=export_id))
