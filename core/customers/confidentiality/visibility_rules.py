"""CUS-70 visibility and PII masking: pure rules (no database, no Flask).

Who sees which customers (``cus.visibility = own_and_department``; roles by
``cus.visibility_roles``; a user holding several roles gets the widest scope):

==================  =======================================  ======================  ==============
role                 own_and_department (default)              own                    all
==================  =======================================  ======================  ==============
``all`` roles        every customer                            every customer          every customer
``department`` roles own + their departments' (sub-tree)       own                     every customer
other roles          own                                       own                     every customer
==================  =======================================  ======================  ==============

- *own*: customers the user owns now (``CustomerOwnership.owner_id``), and customers without an
  owner that the user created (a new archive belongs to whoever registered it until someone owns it).
- *their departments*: the user's department and the departments they head
  (``Department.head_user_id``), with every sub-department; a customer belongs to a department by
  its ownership's ``department_id``, by its owner's department, or — without an owner — by its
  creator's department.
- Default ``all`` roles: tenant_admin, gm, vp, resource_director, assistant (archive custody), the
  customer-service roles, technician, finance; ``department`` roles: dept_manager, supervisor,
  sales_manager; everyone else (salesperson, plugin roles): own.
- Whatever the scope, a classified customer (CUS-71) is seen only by its custodian and designated
  viewers, and any customer by the holder of an active viewing grant (CUS-72).

PII: lists and exports mask mobiles (``138****8000``) and resident ids (``110105********002X``)
unless the viewer holds one of ``cus.pii.unmasked_roles`` — user roles, or ``owner`` / ``custodian``
for the customer's owner (or creator of an unowned one) and the archive's custodian.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from core.customers.confidentiality.settings import CUSTODIAN, OWNER
from core.customers.identity import mask_phone, mask_resident_id

ALL, DEPARTMENT, OWN = "all", "department", "own"


def scope_of(roles: Iterable[str], values: Mapping) -> str:
    """The widest scope of ``roles`` under the ``cus`` values: ``all``, ``department`` or ``own``."""
    mode = values["visibility"]
    roles = set(roles)
    if mode == "all" or roles & set(values["visibility_roles"]["all"]):
        return ALL
    if mode == "own_and_department" and roles & set(values["visibility_roles"]["department"]):
        return DEPARTMENT
    return OWN


def department_tree(departments: Iterable[tuple[int, int | None, int | None]], user_id: int | None,
                    department_id: int | None) -> frozenset[int]:
    """The departments a user answers for: their own and those they head, with every sub-department.
    ``departments`` are ``(id, parent_id, head_user_id)``."""
    rows = list(departments)
    children: dict[int | None, list[int]] = {}
    for dep_id, parent_id, _head in rows:
        children.setdefault(parent_id, []).append(dep_id)
    roots = {dep_id for dep_id, _p, head in rows if user_id is not None and head == user_id}
    if department_id is not None:
        roots.add(department_id)
    seen: set[int] = set()
    todo = list(roots)
    while todo:
        dep = todo.pop()
        if dep in seen:
            continue
        seen.add(dep)
        todo.extend(children.get(dep, ()))
    return frozenset(seen)


def pii_unmasked(roles: Iterable[str], relations: Iterable[str], values: Mapping) -> bool:
    """Whether a viewer with ``roles`` and ``relations`` to the customer (``owner``, ``custodian``)
    sees its PII in full (CUS-70, ``cus.pii.unmasked_roles``)."""
    allowed = set(values["pii"]["unmasked_roles"])
    return bool(allowed & set(roles)) or bool(allowed & (set(relations) & {OWNER, CUSTODIAN}))


def mask_phones(phones: Iterable[Mapping]) -> list[dict]:
    """Phones ``{e164, kind, extension, label}`` with the number masked (``138****8000``)."""
    return [{**p, "e164": mask_phone(p["e164"]), "extension": None} for p in phones]


def mask_resident(number: str | None) -> str | None:
    return mask_resident_id(number) if number else number
