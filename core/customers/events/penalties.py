"""The CUS-82 fine of a department head for a late or missing daily list, in one place.

The fine is a CUS-82 decision on the list whose outcome names the head and the amount
(``{"penalty": {"user_id", "amount", "currency", "kind": "fine", "entry_id"}}``) and a penalty in the
staff ledger (offence ``event_list_late``, through :func:`core.staff.penalties.penalise`), and the head
is notified. A department without a head is fined as a unit (STF-14: nobody identified, the entry goes
on the department) and the arbiter is told.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from core.db import utcnow
from core.decisions import service as decisions
from core.decisions.models import Decision
from core.notifications import service as notifications
from core.staff.penalties import penalise


def fine_department_head(*, head_id: int | None, amount: Decimal, subject_type: str, subject_id: int,
                         reason_zh: str, reason_en: str, facts: dict, policy, dedupe_key: str,
                         also_notify: list[int] = (), department_id: int | None = None,
                         occurred_at: dt.datetime | None = None) -> Decision:
    """Fine ``head_id`` (else the department ``department_id`` as a unit, STF-14) ``amount`` yuan under
    CUS-82, dated ``occurred_at`` (the list's due time); returns the decision."""
    entry = None
    if head_id is not None or department_id is not None:
        entry = penalise(offence="event_list_late", occurred_at=occurred_at or utcnow(), user_id=head_id,
                         department_id=department_id if head_id is None else None, amount=amount, rule_id="CUS-82",
                         subject_type=subject_type, subject_id=subject_id, reason_zh=reason_zh, reason_en=reason_en,
                         facts=facts, dedupe_key=dedupe_key)[0]
    outcome = {"penalty": {"kind": "fine", "user_id": head_id, "department_id": entry.department_id if entry else None,
                           "amount": amount, "currency": "CNY", "entry_id": entry.id if entry else None}}
    decision = decisions.record("CUS-82", subject_type, subject_id, outcome=outcome, reason_zh=reason_zh,
                                reason_en=reason_en, facts=facts, policy=policy)
    title_zh, title_en = f"罚款 ¥{amount:,.2f}：名单逾期或未交", f"Fine ¥{amount:,.2f}: list late or missing"
    if head_id is None:
        title_zh, title_en = ("名单逾期或未交（部门未设负责人，由部门承担罚款）",
                              "List late or missing (the department has no head: the department is fined)")
    notifications.notify([head_id, *also_notify], kind="cus.event_list_fine", title_zh=title_zh, title_en=title_en,
                         body_zh=reason_zh, body_en=reason_en, dedupe_key=dedupe_key, rule_id="CUS-82",
                         subject_type=subject_type, subject_id=subject_id)
    return decision
