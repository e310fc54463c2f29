"""Pure rules of return visits after resolution (CMP-60..63). No database: the service loads the
facts, calls these and stores the outcome with its decision.

- :func:`visit_due` (CMP-60): due within ``cmp.return_visit.within`` of the resolution on the tenant
  calendar (3 calendar days by default: a holiday counts, the period ends at 24:00 of its last day).
- :func:`select_case` / :func:`sample_month` (CMP-60, CMP-61): important and major cases are always
  visited; a general case is visited when (visited so far this month) ÷ (eligible resolved so far this
  month, this case counted and not visited) is below the rate. Anonymous cases and cases where a
  superior authority asked only for a written reply are exempt and leave the denominator.
- :func:`qualifies` (CMP-60): the visitor's seniority by severity. Levels: staff (cs_agent,
  assistant, salesperson, technician, property_assistant) < supervisors (supervisor, cs_supervisor)
  < managers (dept_manager, sales_manager, cs_manager, resource_director) < company management (vp,
  gm). ``company_manager`` (公司经理, the spec's visitor of major cases) names the company-management
  level: the general manager or a vice president. A visitor qualifies when holding a named role or
  any role of the same or a higher level; a role outside the levels (a plugin role) only by name.
- :func:`check_visit` (CMP-62, CMP-63): an on-site visit needs the customer's signature; a phone
  visit is labelled 电话回访 and allowed from the ``phone_allowed_from``-th visit on, never for a
  major case while ``major_on_site``; attitude, skill and outcome are rated 1..5.
- :func:`issue_assign_due` (CMP-63): the service manager assigns someone within
  ``issue_assign_within`` (4 business hours) of the issue being found.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from core.calendar import Duration
from core.calendar.model import Deadline

PHONE_LABEL = "电话回访"
LEVELS: dict[str, int] = {
    "cs_agent": 1, "assistant": 1, "salesperson": 1, "technician": 1, "property_assistant": 1,
    "supervisor": 2, "cs_supervisor": 2,
    "dept_manager": 3, "sales_manager": 3, "cs_manager": 3, "resource_director": 3,
    "vp": 4, "gm": 4, "company_manager": 4,
}
#: names of a level rather than of a role: who holds it
ALIASES: dict[str, tuple[str, ...]] = {"company_manager": ("gm", "vp")}
LEVEL_NAMES = {1: ("专员", "staff"), 2: ("主管", "supervisor"), 3: ("经理", "manager"), 4: ("公司经理", "company manager")}
SEVERITY_ZH = {"general": "一般", "important": "重要", "major": "重大"}
RATINGS = ("attitude", "skill", "outcome")


def visit_due(calendar, resolved_at: dt.datetime, within: Duration | str) -> Deadline:
    """CMP-60: when the return visit after a resolution at ``resolved_at`` is late from."""
    return calendar.add_duration(resolved_at, within)


def issue_assign_due(calendar, found_at: dt.datetime, within: Duration | str) -> Deadline:
    """CMP-63: by when the service manager assigns someone to an issue found at ``found_at``."""
    return calendar.add_duration(found_at, within)


def month_of(local_day: dt.date) -> dt.date:
    return local_day.replace(day=1)


@dataclass(frozen=True)
class Selection:
    """CMP-60/61 outcome for one resolved case."""

    outcome: str  # selected | not_selected | exempt
    reason: str  # always | rate | rate_met | anonymous | written_reply_only
    visited_before: int | None
    resolved_count: int | None
    rate: Decimal
    reason_zh: str
    reason_en: str

    @property
    def rule_id(self) -> str:
        return "CMP-61" if self.outcome == "exempt" else "CMP-60"

    @property
    def selected(self) -> bool:
        return self.outcome == "selected"

    @property
    def counted(self) -> bool:
        """Whether the case is in the month's denominator."""
        return self.outcome != "exempt"


def exemption(*, anonymous: bool, written_reply_only: bool) -> str | None:
    """CMP-61: why a case gets no return visit, or None."""
    if anonymous:
        return "anonymous"
    if written_reply_only:
        return "written_reply_only"
    return None


def _pct(rate: Decimal) -> str:
    return f"{rate.normalize():f}%"


def select_case(severity: str, *, visited_before: int, resolved_before: int, rate: Decimal,
                always: Iterable[str], anonymous: bool = False, written_reply_only: bool = False) -> Selection:
    """CMP-60/61: is this resolved case visited? ``visited_before`` and ``resolved_before`` count the
    month's eligible cases resolved before it (selected ones, and all)."""
    rate = Decimal(rate)
    exempt = exemption(anonymous=anonymous, written_reply_only=written_reply_only)
    if exempt == "anonymous":
        return Selection("exempt", exempt, None, None, rate, "匿名投诉不回访，不计入回访率。依据CMP-61。",
                         "An anonymous complaint gets no return visit and leaves the rate's denominator. Under CMP-61.")
    if exempt == "written_reply_only":
        return Selection("exempt", exempt, None, None, rate,
                         "上级部门只要求复函，不回访（复函附后），不计入回访率。依据CMP-61。",
                         "A superior authority asked only for a written reply (attached): no return visit, and the "
                         "case leaves the rate's denominator. Under CMP-61.")
    count = resolved_before + 1
    sev_zh = SEVERITY_ZH.get(severity, severity)
    if severity in set(always):
        return Selection("selected", "always", visited_before, count, rate,
                         f"{sev_zh}投诉一律回访。依据CMP-60。",
                         f"A {severity} complaint is always visited. Under CMP-60.")
    ratio = f"{visited_before}/{count}"
    if Decimal(visited_before) * 100 < rate * count:
        return Selection("selected", "rate", visited_before, count, rate,
                         f"本月已回访{ratio}（含本件、未回访），低于回访率{_pct(rate)}，本件回访。依据CMP-60。",
                         f"Visited so far this month {ratio} (this case counted, not visited) is below the rate "
                         f"{_pct(rate)}: this case is visited. Under CMP-60.")
    return Selection("not_selected", "rate_met", visited_before, count, rate,
                     f"本月已回访{ratio}（含本件、未回访），已达回访率{_pct(rate)}，本件不回访。依据CMP-60。",
                     f"Visited so far this month {ratio} (this case counted, not visited) reaches the rate "
                     f"{_pct(rate)}: no visit for this case. Under CMP-60.")


def sample_month(severities: Iterable[str], *, rate: Decimal, always: Iterable[str],
                 visited_before: int = 0, resolved_before: int = 0) -> list[Selection]:
    """CMP-60: the selections of a month's resolutions in the order they were resolved, starting from
    the month's counts so far."""
    always = tuple(always)
    out = []
    for severity in severities:
        selection = select_case(severity, visited_before=visited_before, resolved_before=resolved_before,
                                rate=rate, always=always)
        out.append(selection)
        resolved_before += 1
        visited_before += int(selection.selected)
    return out


def expand(roles: Iterable[str]) -> tuple[str, ...]:
    """The roles named and the roles their aliases stand for (``company_manager`` → gm, vp)."""
    out: list[str] = []
    for role in roles:
        for one in (role, *ALIASES.get(role, ())):
            if one not in out:
                out.append(one)
    return tuple(out)


def same_level(roles: Iterable[str]) -> tuple[str, ...]:
    """The other roles of the level the named roles require (who may stand in when nobody holds them)."""
    roles = tuple(roles)
    level = required_level(roles)
    named = expand(roles)
    return tuple(r for r, n in LEVELS.items() if n == level and r not in named and r not in ALIASES)


def required_level(roles: Iterable[str]) -> int | None:
    """The least level among the named roles (None when none of them has a level)."""
    levels = [LEVELS[r] for r in roles if r in LEVELS]
    return min(levels) if levels else None


def qualifies(user_roles: Iterable[str], required: Iterable[str]) -> bool:
    """CMP-60: may a holder of ``user_roles`` visit a case whose visitor must be ``required``?"""
    mine = set(user_roles)
    required = tuple(required)
    if mine & set(expand(required)):
        return True
    level = required_level(required)
    return level is not None and any(LEVELS.get(r, 0) >= level for r in mine)


def seniority_text(required: Iterable[str]) -> tuple[str, str]:
    level = required_level(tuple(required))
    names = "/".join(required)
    if level is None:
        return names, names
    zh, en = LEVEL_NAMES[level]
    return f"{names}（{zh}及以上）", f"{names} ({en} or above)"


def check_visit(*, number: int, severity: str, mode: str, customer_signed: bool,
                ratings: Mapping[str, int | None], phone_allowed_from: int, major_on_site: bool
                ) -> tuple[str | None, dict[str, list[str]]]:
    """CMP-62/63: the label of the visit and the errors of its record (empty when it is valid)."""
    errors: dict[str, list[str]] = {}
    if mode == "phone":
        if severity == "major" and major_on_site:
            errors["mode"] = ["A major case is visited on site (CMP-62)."]
        elif number < phone_allowed_from:
            errors["mode"] = [f"Visit {number} is on site; phone visits are allowed from visit {phone_allowed_from} "
                              f"on (CMP-62)."]
    elif mode == "on_site":
        if not customer_signed:
            errors["customer_signed"] = ["An on-site visit needs the customer's signature (CMP-62)."]
    else:
        errors["mode"] = ["on_site or phone"]
    missing = [r for r in RATINGS if ratings.get(r) is None]
    bad = [r for r in RATINGS if ratings.get(r) is not None and not 1 <= int(ratings[r]) <= 5]
    if missing or bad:
        errors["ratings"] = [f"Rate attitude, skill and outcome from 1 to 5 (CMP-63); "
                             f"{'missing ' + ', '.join(missing) if missing else 'out of range ' + ', '.join(bad)}."]
    return (PHONE_LABEL if mode == "phone" else None), errors
