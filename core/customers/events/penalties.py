"""The CUS-82 fine of a department head for a late or missing daily list, in one place.

The staff ledger (STF) does not exist yet: the fine is recorded as a CUS-82 decision whose outcome
names the head and the amount (``{"penalty": {"user_id", "amount", "currency", "kind": "fine"}}``)
and the head is notified. When STF arrives, :func:`fine_department_head` is the one function to point
at the ledger (a ``StaffLedgerEntry`` of kind penalty with the decision as its reason).
"""
from __future__ import annotations

from decimal import Decimal

from core.decisions import service as decisions
from core.decisions.models import Decision
from core.notifications import service as notifications


def fine_department_head(*, head_id: int | None, amount: Decimal, subject_type: str, subject_id: int,
                         reason_zh: str, reason_en: str, facts: dict, policy, dedupe_key: str,
                         also_notify: list[int] = ()) -> Decision:
    """Fine ``head_id`` ``amount`` yuan under CUS-82; returns the decision. A department without a head
    is recorded with ``user_id: None`` (nobody to fine) and ``also_notify`` (the arbiter) is told."""
    outcome = {"penalty": {"kind": "fine", "user_id": head_id, "amount": amount, "currency": "CNY",
                           "ledger": "pending_stf"}}
    decision = decisions.record("CUS-82", subject_type, subject_id, outcome=outcome, reason_zh=reason_zh,
                                reason_en=reason_en, facts=facts, policy=policy)
    title_zh, title_en = f"罚款 ¥{amount:,.2f}：名单逾期或未交", f"Fine ¥{amount:,.2f}: list late or missing"
    if head_id is None:
        title_zh, title_en = "名单逾期或未交（部门未设负责人，无法罚款）", "List late or missing (department has no head to fine)"
    notifications.notify([head_id, *also_notify], kind="cus.event_list_fine", title_zh=title_zh, title_en=title_en,
                         body_zh=reason_zh, body_en=reason_en, dedupe_key=dedupe_key, rule_id="CUS-82",
                         subject_type=subject_type, subject_id=subject_id)
    return decision
