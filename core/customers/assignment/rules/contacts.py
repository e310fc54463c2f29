"""CUS-36: several staff contacts per flagged customer (a task to the manager when a flag's minimum
is not reached) and the KA maintenance handover on signing."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from core.customers.assignment.rules.outcomes import Decided
from core.customers.assignment.rules.settings import _section

_ORDINALS_EN = {2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth", 7: "seventh", 8: "eighth", 9: "ninth"}


@dataclass(frozen=True, kw_only=True)
class ContactTask(Decided):
    """CUS-36: a task for the manager to link more staff contacts to a flagged customer."""

    customer_id: int
    flag: str
    required: int
    current: int
    assignee_id: int | None = None
    assignee_role: str = "dept_manager"

    @property
    def missing(self) -> int:
        return self.required - self.current

    def subject_id(self) -> int | None:
        return self.customer_id

    def outcome(self) -> dict[str, Any]:
        return {"task": "add_staff_contact", "flag": self.flag, "required": self.required, "current": self.current,
                "missing": self.missing, "assignee_id": self.assignee_id, "assignee_role": self.assignee_role}


def contact_tasks(settings: Mapping[str, Any] | None, customer_id: int, flags: Iterable[str],
                  staff_contact_ids: Iterable[int], *, manager_id: int | None = None,
                  label: str = "") -> tuple[ContactTask, ...]:
    """CUS-36: for each of the customer's ``flags`` with a minimum in ``cus.contacts.min_for_flag``
    (default ``{key_prospect: 2}``) that the distinct staff contacts do not reach, one task to the
    manager (``manager_id``, role ``dept_manager``) to add the missing contacts."""
    minimums = _section(settings, "contacts")["min_for_flag"]
    current = len(set(staff_contact_ids))
    who = label or f"#{customer_id}"
    tasks = []
    for flag in sorted(set(flags)):
        required = minimums.get(flag)
        if required is None or current >= required:
            continue
        nxt = current + 1
        if required - current == 1:
            what_en = f"add a {_ORDINALS_EN.get(nxt, f'{nxt}th')} staff contact"
            what_zh = f"增加第{nxt}名员工联系人"
        else:
            what_en = f"add {required - current} more staff contacts"
            what_zh = f"再增加{required - current}名员工联系人"
        tasks.append(ContactTask(
            rule_id="CUS-36", customer_id=customer_id, flag=flag, required=required, current=current,
            assignee_id=manager_id,
            facts={"customer": {"id": customer_id}, "flag": flag, "min_for_flag": required,
                   "staff_contacts": sorted(set(staff_contact_ids))},
            reason_zh=f"客户{who}标记为{flag}，须至少{required}名员工联系人，目前{current}名：请{what_zh}。依据CUS-36。",
            reason_en=(f"Customer {who} is flagged {flag} and needs at least {required} staff contacts; "
                       f"it has {current}: {what_en}. Under CUS-36."),
        ))
    return tuple(tasks)


@dataclass(frozen=True, kw_only=True)
class Handover(Decided):
    """CUS-36: maintenance of a KA customer handed from the developer to the CS team on signing."""

    customer_id: int
    agreement_id: int | None
    from_staff_id: int | None
    to_team: str

    def subject_id(self) -> int | None:
        return self.customer_id

    def outcome(self) -> dict[str, Any]:
        return {"handover": {"slot": "maintainer", "from_staff_id": self.from_staff_id, "to_team": self.to_team,
                             "agreement_id": self.agreement_id}}


def ka_signing_handover(settings: Mapping[str, Any] | None, customer_id: int, *, agreement_id: int | None,
                        developer_id: int | None, cs_team: str = "cs", label: str = "") -> Handover | None:
    """CUS-36: with ``cus.ka.handover_on_signing`` a signed KA agreement hands maintenance to ``cs_team``
    (the developer keeps the developer slot); ``None`` when the tenant does not hand over."""
    if not _section(settings, "ka")["handover_on_signing"]:
        return None
    who = label or f"#{customer_id}"
    return Handover(
        rule_id="CUS-36", customer_id=customer_id, agreement_id=agreement_id, from_staff_id=developer_id,
        to_team=cs_team,
        facts={"customer": {"id": customer_id}, "agreement": {"id": agreement_id}, "developer": developer_id,
               "to_team": cs_team},
        reason_zh=f"大客户{who}签订协议（#{agreement_id}），维护工作移交客服团队{cs_team}，开发人员保留开发职责。依据CUS-36。",
        reason_en=f"Key account {who} signed agreement #{agreement_id}; maintenance is handed over to the CS team "
                  f"{cs_team}, the developer keeps the developer slot. Under CUS-36.",
    )
