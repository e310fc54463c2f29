"""Pure rules of service contracts, their periods and serial numbers (SVC-20), expiry reminders
(SVC-21) and renewals (SVC-22). No database, no clock: the service module loads the facts, calls
these and stores the outcome with its decision.

- :func:`first_start` (SVC-20, ``svc.period.start = installation``, fallback ``signing``): the first
  period starts on the installation date, or on the signing date while the installation is unknown.
- :func:`period_end`: coverage periods include their start day. A period of months or years ends the
  day before the corresponding day (1 year from 2026-03-10 covers 2026-03-10..2027-03-09; from
  2026-03-01 → 2027-02-28); without a corresponding day it ends on the last day of that month (1
  month from 2026-01-31 → 2026-02-28; 1 year from 2028-02-29 → 2029-02-28). Days and weeks: ``n`` days
  from the start day counted.
- :func:`new_serial` (SVC-20): a licence key of 4 groups of 4 characters of a 32-letter alphabet
  without the look-alikes 0/O, 1/I (e.g. ``K7QX-3MZP-WD9C-HT4N``), 80 bits from :mod:`secrets`.
- :func:`serial_status` (SVC-20): a serial is valid through its period's end; a renewal gives the
  next period a new serial.
- :func:`reminder_on` (SVC-21, ``svc.expiry.remind_before = 1 month``): the day a period's customer is
  reminded, the corresponding day before its end (period ends 2026-11-14 → 2026-10-14).
- :func:`template_errors` / :func:`render_notice` (SVC-21, ``svc.expiry.template``): the notice to the
  customer, with the placeholders of :data:`PLACEHOLDERS`.
- :func:`pay_due` (SVC-22, ``svc.renewal.pay_within = 3 days``): payment is due within N of the
  renewal's signing on the tenant calendar (customer audience: a last day off rolls to the next
  working day, CAL-05): signed 2026-10-20 → through 2026-10-23; unpaid → alerted from 2026-10-24.
- :func:`renewed_period` (SVC-22): on payment the next period starts the day after the old end
  (old end 2026-11-14 → 2026-11-15..2027-11-14), whenever the payment came.
- :func:`contract_state`: ``renewal_pending`` while a signed renewal awaits payment, else ``active``
  through the last period's end, then ``expired`` (or ``ended`` when the customer declined renewal).
"""
from __future__ import annotations

import datetime as dt
import secrets
import string
from dataclasses import dataclass

from core.calendar import Duration
from core.calendar.durations import parse_duration
from core.calendar.model import Deadline, add_months_to_date

KINDS = ("service", "warranty")
STATES = ("active", "expired", "renewal_pending", "ended")
PERIOD_KINDS = ("initial", "renewal")
PERIOD_STARTS = ("installation", "signing")
RENEWAL_METHODS = ("fax", "e_sign", "paper")
RENEWAL_STATES = ("awaiting_payment", "paid", "cancelled")
REMINDER_STATES = ("open", "responded")
OUTCOMES = ("renew", "decline", "undecided")
#: units a contract term may use (calendar periods; coverage is counted in whole days)
TERM_UNITS = ("days", "weeks", "months", "years")
#: 32 letters and digits without 0, O, 1, I (read aloud over the phone, typed from a fax)
SERIAL_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
SERIAL_GROUPS, SERIAL_GROUP_LENGTH = 4, 4

KIND_ZH = {"service": "服务期", "warranty": "保修期"}
KIND_EN = {"service": "service period", "warranty": "warranty"}
METHOD_ZH = {"fax": "传真", "e_sign": "电子签章", "paper": "纸质原件"}
OUTCOME_ZH = {"renew": "续约", "decline": "不续约", "undecided": "未决定"}

#: the placeholders of ``svc.expiry.template``
PLACEHOLDERS = {
    "customer": "the customer's name",
    "product": "the product or subject of the contract",
    "ends_on": "the period's last day (2026年11月14日)",
    "starts_on": "the period's first day",
    "serial": "the serial number or licence key of the period (empty when none)",
    "kind": "服务期 or 保修期",
    "reference": "the contract's own number (empty when none)",
}
DEFAULT_TEMPLATE = ("尊敬的{customer}：您的{product}{kind}将于{ends_on}届满。为不影响您的正常使用，"
                    "请及时与我们联系办理续约手续。如已续约，请忽略本通知。")


def zh_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def as_duration(term: Duration | str) -> Duration:
    return parse_duration(term) if isinstance(term, str) else term


# ------------------------------------------------------------------ SVC-20 periods

def term_errors(term: Duration | str) -> list[str]:
    """Why ``term`` cannot be a coverage term (empty when it can)."""
    try:
        duration = as_duration(term)
    except ValueError as exc:
        return [str(exc)]
    if duration.unit not in TERM_UNITS:
        return [f"a term is counted in {', '.join(TERM_UNITS)}"]
    if duration.amount < 1:
        return ["a term is at least 1"]
    return []


def first_start(signed_on: dt.date, installed_on: dt.date | None, start: str = "installation") -> tuple[dt.date, str]:
    """SVC-20: the first day of a contract's first period and what it was counted from
    (``installation`` | ``signing``): the installation date when the setting says so and it is known,
    else the signing date."""
    if start not in PERIOD_STARTS:
        raise ValueError(f"svc.period.start must be one of {PERIOD_STARTS}, got {start!r}")
    if start == "installation" and installed_on is not None:
        return installed_on, "installation"
    return signed_on, "signing"


def period_end(starts_on: dt.date, term: Duration | str) -> dt.date:
    """SVC-20: the last day of a period of ``term`` starting (and covering) ``starts_on``."""
    duration = as_duration(term)
    problems = term_errors(duration)
    if problems:
        raise ValueError(problems[0])
    n = int(duration.amount)
    if duration.unit == "days":
        return starts_on + dt.timedelta(days=n - 1)
    if duration.unit == "weeks":
        return starts_on + dt.timedelta(days=7 * n - 1)
    months = n * (12 if duration.unit == "years" else 1)
    corresponding = add_months_to_date(starts_on, months)
    if corresponding.day != starts_on.day:  # no corresponding day: the month's last day
        return corresponding
    return corresponding - dt.timedelta(days=1)


@dataclass(frozen=True)
class Period:
    seq: int
    starts_on: dt.date
    ends_on: dt.date
    serial: str | None = None


def renewed_period(previous_ends_on: dt.date, term: Duration | str, seq: int, serial: str | None = None) -> Period:
    """SVC-22: the period a paid renewal adds, from the day after the old end."""
    starts_on = previous_ends_on + dt.timedelta(days=1)
    return Period(seq, starts_on, period_end(starts_on, term), serial)


def new_serial(choice=secrets.choice) -> str:
    """SVC-20: a fresh licence key (uniqueness in the company is the caller's check)."""
    return "-".join("".join(choice(SERIAL_ALPHABET) for _ in range(SERIAL_GROUP_LENGTH))
                    for _ in range(SERIAL_GROUPS))


def clean_serial(value: str | None) -> str | None:
    """A serial given by the caller, trimmed and upper-cased (``None`` for nothing)."""
    text = (value or "").strip().upper()
    return text or None


def covering(periods: list[Period], on: dt.date) -> Period | None:
    return next((p for p in periods if p.starts_on <= on <= p.ends_on), None)


def serial_status(periods: list[Period], on: dt.date, serial: str | None = None) -> dict:
    """SVC-20: whether ``serial`` (default: the serial of the period covering ``on``) is valid on
    ``on``: it belongs to the period covering that day. The answer names the serial's period."""
    serial = clean_serial(serial)
    current = covering(periods, on)
    if serial is None:
        if current is None:
            return _status(on, None, None, False, "该日不在任何服务期内。", "The day is in no period of the contract.")
        if current.serial is None:
            return _status(on, None, current, False, "该服务期尚未签发序列号（安装后签发）。",
                           "No serial was issued for this period yet (issued after installation).")
        return _status(on, current.serial, current, True, f"序列号有效期至{current.ends_on.isoformat()}。",
                       f"The serial is valid through {current.ends_on.isoformat()}.")
    own = next((p for p in periods if p.serial == serial), None)
    if own is None:
        return _status(on, serial, None, False, "该序列号不属于本合同。", "The serial is not one of this contract's.")
    if own is current:
        return _status(on, serial, own, True, f"序列号有效期至{own.ends_on.isoformat()}。",
                       f"The serial is valid through {own.ends_on.isoformat()}.")
    if on > own.ends_on:
        zh = f"序列号已于{own.ends_on.isoformat()}到期" + ("，已随续约更换。" if current else "。")
        en = f"The serial expired after {own.ends_on.isoformat()}" + (
            "; the renewal issued a new one." if current else ".")
        return _status(on, serial, own, False, zh, en)
    return _status(on, serial, own, False, f"序列号自{own.starts_on.isoformat()}起有效。",
                   f"The serial is valid from {own.starts_on.isoformat()}.")


def _status(on, serial, period, valid, zh, en) -> dict:
    return {"on": on, "serial": serial, "valid": valid,
            "valid_from": period.starts_on if period else None, "valid_to": period.ends_on if period else None,
            "period_seq": period.seq if period else None, "reason_zh": zh + "依据SVC-20。",
            "reason_en": en + " Under SVC-20."}


def contract_state(last_ends_on: dt.date, today: dt.date, *, renewal_open: bool = False,
                   declined: bool = False) -> str:
    """The contract's state on ``today`` (see module doc)."""
    if renewal_open:
        return "renewal_pending"
    if today <= last_ends_on:
        return "active"
    return "ended" if declined else "expired"


# ------------------------------------------------------------------ SVC-21 expiry reminder

def reminder_on(ends_on: dt.date, before: Duration | str) -> dt.date:
    """SVC-21: the day the customer of a period ending ``ends_on`` is reminded."""
    duration = as_duration(before)
    n = int(duration.amount)
    if duration.unit == "days":
        return ends_on - dt.timedelta(days=n)
    if duration.unit == "weeks":
        return ends_on - dt.timedelta(days=7 * n)
    if duration.unit in ("months", "years"):
        return add_months_to_date(ends_on, -n * (12 if duration.unit == "years" else 1))
    raise ValueError(f"svc.expiry.remind_before is counted in days, weeks, months or years, got {duration}")


def reminder_horizon(today: dt.date, before: Duration | str) -> dt.date:
    """A day at least as late as the end of any period reminded on ``today`` (a query bound; the
    exact test is :func:`reminder_on`)."""
    duration = as_duration(before)
    days = {"days": 1, "weeks": 7, "months": 31, "years": 366}[duration.unit] * int(duration.amount)
    return today + dt.timedelta(days=days + 3)


def due_for_reminder(ends_on: dt.date, today: dt.date, before: Duration | str) -> bool:
    """SVC-21: a period not ended yet whose reminder day has come."""
    return reminder_on(ends_on, before) <= today <= ends_on


def template_errors(template: str) -> list[str]:
    """SVC-21: why ``template`` is not a usable notice template (unknown placeholder, bad braces)."""
    if not isinstance(template, str) or not template.strip():
        return ["the template is empty"]
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        return [f"bad braces: {exc} (write {{{{ and }}}} for a literal brace)"]
    errors = []
    for _text, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in PLACEHOLDERS:
            errors.append(f"unknown placeholder {{{name}}}; use {', '.join('{' + p + '}' for p in PLACEHOLDERS)}")
        elif spec or conversion:
            errors.append(f"placeholder {{{name}}} takes no format")
    return errors


def render_notice(template: str, *, customer: str, product: str, starts_on: dt.date, ends_on: dt.date,
                  kind: str = "service", serial: str | None = None, reference: str | None = None) -> str:
    """SVC-21: the notice to the customer (dates written 2026年11月14日)."""
    return template.format(customer=customer, product=product, ends_on=zh_date(ends_on),
                           starts_on=zh_date(starts_on), serial=serial or "", kind=KIND_ZH.get(kind, kind),
                           reference=reference or "")


# ------------------------------------------------------------------ SVC-22 renewal payment

def pay_due(calendar, signed_on: dt.date, within: Duration | str) -> Deadline:
    """SVC-22: by when the renewal signed on ``signed_on`` must be paid (``through`` is the last day,
    ``at`` the instant it is late from)."""
    return calendar.add_duration(calendar.start_of_day(signed_on), within, audience="customer")
