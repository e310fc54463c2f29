"""CUS-60 contact log and valid contacts: whether a contact may be logged (:func:`check_contact_log`)
and how each contact counts for the rolling window (:func:`classify_contacts`, CUS-23)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from core.calendar import WorkCalendar
from core.customers.ownership.facts import ContactEvent, Decides, Fact, RuleDecision, Staff, contact_key
from core.customers.ownership.reasons import dur_en, dur_zh, minute, ordinal
from core.customers.ownership.vocabulary import CONTACT_EN, CONTACT_ZH


@dataclass(frozen=True)
class ContactCheck(Decides):
    """Whether a contact may be logged (CUS-60): ``accepted`` | ``pending_signature`` | ``rejected``."""

    status: str
    field: str | None
    rule_id: str
    reason_zh: str
    reason_en: str

    @property
    def decision(self) -> RuleDecision:
        return RuleDecision(self.rule_id, (), {"status": self.status, "field": self.field},
                            self.reason_zh, self.reason_en)


def check_contact_log(contact: ContactEvent, *, offline_capture: bool = False) -> ContactCheck:
    """CUS-60: an on-site visit needs the customer's signature.

    Without it the entry is ``rejected`` (the web layer answers 422 naming ``customer_signed``),
    or ``pending_signature`` when offline capture is enabled. Every other contact is
    ``accepted`` — logging is not validity: an unanswered call is logged but never counts
    (:func:`classify_contacts`).
    """
    if contact.kind == "on_site" and not contact.customer_signed:
        if offline_capture:
            return ContactCheck(
                "pending_signature", "customer_signed", "CUS-60",
                "上门服务尚缺客户签字，离线采集待补签。",
                "On-site visit without the customer's signature: pending signature (offline capture).",
            )
        return ContactCheck(
            "rejected", "customer_signed", "CUS-60",
            "上门服务须有客户签字。",
            "An on-site visit needs the customer's signature.",
        )
    return ContactCheck("accepted", None, "CUS-60", "联系记录已登记。", "Contact logged.")


@dataclass(frozen=True)
class ContactVerdict:
    """How one contact counts for ownership (CUS-23, CUS-60).

    ``code``: ``valid`` | ``pending_confirmation`` (valid, its valid date awaits the confirmation,
    counted as the contact's date meanwhile) | ``late_confirmation`` (valid, valid date = the
    confirmation's date) | ``unanswered`` | ``channel_not_valid`` | ``unsigned_on_site`` |
    ``weak_streak`` (invalid and voids the claim) | ``before_claim`` | ``other_employee``.
    ``number``: the contact's number among valid-channel contacts since the claim.
    """

    contact: ContactEvent
    valid: bool
    code: str
    number: int | None
    valid_at: dt.datetime | None
    valid_date: dt.date | None
    reason_zh: str
    reason_en: str

    @property
    def fact(self) -> Fact:
        return Fact(f"contact:{self.contact.kind}", self.contact.record_id, self.contact.at, self.code)


def classify_contacts(
    policy: Mapping[str, Any],
    calendar: WorkCalendar,
    contacts: Iterable[ContactEvent],
    *,
    owner: Staff | None = None,
    since: dt.datetime | None = None,
    as_of: dt.datetime | None = None,
) -> tuple[ContactVerdict, ...]:
    """CUS-60 / CUS-23: which contacts are valid, their numbers and valid dates, in time order.

    Reads ``ownership.rolling``. Contacts after ``as_of`` are left out (not yet known);
    confirmations after ``as_of`` are treated as missing. Contacts before ``since`` (the claim's
    effective time) or made by another employee than ``owner`` are listed but not numbered.
    Unanswered calls never count; an unsigned on-site visit does not count; a channel outside
    ``valid_channels`` does not count. Invalid contacts do not break a weak streak; a valid
    contact on a non-weak channel does. The ``weak_streak_limit``-th consecutive weak contact is
    invalid and voids the claim (threshold inclusive, CAL-10). From contact number
    ``confirm_from_contact_no`` on, a confirmation later than ``confirm_within`` makes the
    confirmation's date the valid date; a confirmation given after that contact's own window
    (valid date + ``every``) has lapsed cannot extend it (the claim had already ended then), and
    a missing one leaves the contact's own date (``pending_confirmation``).
    """
    rolling = policy["ownership"]["rolling"]
    valid_channels = set(rolling["valid_channels"])
    weak = set(rolling["weak_channels"])
    limit = rolling["weak_streak_limit"]
    confirm_from = rolling["confirm_from_contact_no"]
    result: list[ContactVerdict] = []
    number = 0
    streak = 0
    for contact in sorted(contacts, key=contact_key):
        if as_of is not None and contact.at > as_of:
            continue
        kind_zh, kind_en = CONTACT_ZH[contact.kind], CONTACT_EN[contact.kind]
        day = calendar.local_date(contact.at).isoformat()

        def invalid(code: str, zh: str, en: str, n: int | None = None) -> ContactVerdict:
            return ContactVerdict(contact, False, code, n, None, None, zh, en)

        if since is not None and contact.at < since:
            result.append(invalid("before_claim", f"{day}的{kind_zh}早于认领生效时间，不计。",
                                  f"The {kind_en} on {day} precedes the claim's effective time."))
            continue
        if owner is not None and contact.by is not None and contact.by != owner:
            result.append(invalid("other_employee", f"{day}的{kind_zh}由{contact.by.zh}而非{owner.zh}完成，不计。",
                                  f"The {kind_en} on {day} was made by {contact.by.en}, not {owner.en}."))
            continue
        if contact.kind == "phone_unanswered":
            result.append(invalid("unanswered", f"{day}未接通的电话不计为有效联系（CUS-23）。",
                                  f"The unanswered call on {day} never counts as a valid contact (CUS-23)."))
            continue
        if contact.kind == "on_site" and not contact.customer_signed:
            result.append(invalid("unsigned_on_site", f"{day}的上门服务缺客户签字，不计（CUS-60）。",
                                  f"The on-site visit on {day} lacks the customer's signature (CUS-60)."))
            continue
        if contact.kind not in valid_channels:
            result.append(invalid("channel_not_valid", f"{day}的{kind_zh}不属有效联系渠道。",
                                  f"The {kind_en} on {day} is not on a valid contact channel."))
            continue
        number += 1
        streak = streak + 1 if contact.kind in weak else 0
        if limit and streak >= limit:
            result.append(invalid(
                "weak_streak",
                f"{day}的{kind_zh}为连续第{streak}次{kind_zh}联系，该次联系无效，认领作废（CUS-23）。",
                f"The {kind_en} on {day} is the {ordinal(streak)} consecutive contact by {kind_en}: "
                f"it is invalid and voids the claim (CUS-23).",
                number,
            ))
            continue
        valid_at, code = contact.at, "valid"
        zh = f"{day}的{kind_zh}为第{number}次有效联系"
        en = f"The {kind_en} on {day} is valid contact no. {number}"
        if confirm_from and number >= confirm_from:
            limit_at = calendar.add_duration(contact.at, rolling["confirm_within"]).at
            own_window_end = calendar.add_duration(contact.at, rolling["every"]).at
            confirmed = contact.confirmed_at
            if confirmed is not None and as_of is not None and confirmed > as_of:
                confirmed = None
            if confirmed is None:
                code = "pending_confirmation"
                zh += "，待主管确认有效日期"
                en += ", awaiting the confirmation of its valid date"
            elif confirmed <= limit_at:
                zh += f"，已于{minute(calendar, confirmed)}确认"
                en += f", confirmed {minute(calendar, confirmed)}"
            elif confirmed < own_window_end:
                valid_at, code = confirmed, "late_confirmation"
                zh += f"，确认晚于{dur_zh(rolling['confirm_within'])}，以确认日期为有效日期"
                en += f", confirmed later than {dur_en(rolling['confirm_within'])}: the confirmation date is its valid date"
            else:
                code = "pending_confirmation"
                zh += "，确认过晚（已过该次联系的保护期），仍以联系日期计"
                en += ", confirmed after its own window had lapsed: counted at its own date"
        valid_date = calendar.local_date(valid_at)
        result.append(ContactVerdict(
            contact, True, code, number, valid_at, valid_date,
            zh + f"，有效日期{valid_date.isoformat()}。", en + f"; valid date {valid_date.isoformat()}.",
        ))
    return tuple(result)
