"""CMP-21: the employee complained about (and anyone listed with them, e.g. their co-receptionist)
never handles the case: never owner, handler, participant, approver or return visitor, and never sees
it (lists and reads answer as if it did not exist).

- :func:`ensure_not_excluded` — the guard every area calls before giving a person a part in a case.
- :func:`acting_user` — the user of the current request (None in jobs and the CLI).
- :func:`not_excluded_condition` — the SQL condition that hides cases from an excluded user.
"""
from __future__ import annotations

from sqlalchemy import exists, func, select, type_coerce
from sqlalchemy.dialects.postgresql import JSONB

from core.complaints.models import Complaint
from core.db import db
from core.errors import Conflict

ROLES = ("owner", "handler", "participant", "approver", "return_visitor")
_ROLE_ZH = {"owner": "负责人", "handler": "处理人", "participant": "参与人", "approver": "审批人",
            "return_visitor": "回访人"}


def is_excluded(complaint: Complaint, user_id: int | None) -> bool:
    return user_id is not None and user_id in (complaint.excluded_user_ids or [])


def ensure_not_excluded(complaint: Complaint, user_id: int | None, role: str) -> None:
    """Raise :class:`Conflict` (409) when ``user_id`` is excluded from ``complaint`` (CMP-21)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    if is_excluded(complaint, user_id):
        who = "the employee complained about" if user_id == complaint.accused_user_id else "an excluded employee"
        raise Conflict(f"{who} cannot be the {role} of this case (CMP-21: 被投诉人不得担任{_ROLE_ZH[role]})",
                       rule_id="CMP-21", fields={"user_id": [f"excluded from case {complaint.number} (CMP-21)"]})


def acting_user() -> int | None:
    from core.audit.recorder import current_actor

    return current_actor()[1]


def not_excluded_condition(user_id: int):
    """Cases whose ``excluded_user_ids`` does not hold ``user_id`` (JSON on both backends)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return ~type_coerce(Complaint.excluded_user_ids, JSONB).contains([user_id])
    members = func.json_each(Complaint.excluded_user_ids).table_valued("value")
    return ~exists(select(members.c.value).where(members.c.value == user_id))
