"""Intake checks of a case (CMP-01, CMP-03, CMP-04, CMP-14): pure rules, no database.

- A complaint naming an accused employee taken in person (``walk_in``) needs the complainant's
  signature; by phone or any other channel it does not (CMP-03).
- Demands are the spec's list; tags the tenant's ``cmp.tags``; a cause one of ``cmp.causes`` when the
  tenant keeps a cause list.
- A promised reply date belongs to suggestions (CMP-01) and lies after the received day.
- A case without a complainant name, phone or customer is anonymous (flagged).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from core.complaints.severity_rules import EXTERNAL_CHANNELS

#: CMP-03 what the customer asks for.
DEMANDS = ("price_reduction", "return", "exchange", "compensation", "criticism", "suggestion")
IN_PERSON_CHANNELS = ("walk_in",)


def intake_errors(*, case_type: str, channel: str | None, accused_user_id: int | None, signed: bool,
                  demands: Iterable[str], tags: Iterable[str], tenant_tags: Iterable[str], cause: str | None,
                  causes: Iterable[str], reported_to: Iterable[str], received_on: dt.date,
                  promised_reply_on: dt.date | None, complainant_count: int) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if accused_user_id is not None and case_type == "complaint" and channel in IN_PERSON_CHANNELS and not signed:
        errors["complainant_signed"] = ["a complaint about an employee taken in person needs the complainant's "
                                        "signature (CMP-03)"]
    bad = [d for d in demands if d not in DEMANDS]
    if bad:
        errors["demands"] = [f"unknown demands {bad}; one of {', '.join(DEMANDS)}"]
    allowed_tags = list(tenant_tags)
    bad = [t for t in tags if t not in allowed_tags]
    if bad:
        errors["tags"] = [f"unknown tags {bad}; one of {', '.join(allowed_tags)} (cmp.tags)"]
    causes = list(causes)
    if cause and causes and cause not in causes:
        errors["cause"] = [f"unknown cause {cause!r}; one of {', '.join(causes)} (cmp.causes)"]
    bad = [c for c in reported_to if c not in EXTERNAL_CHANNELS]
    if bad:
        errors["reported_to"] = [f"unknown {bad}; one of {', '.join(EXTERNAL_CHANNELS)}"]
    if promised_reply_on is not None:
        if case_type != "suggestion":
            errors["promised_reply_on"] = ["only a suggestion gets a promised reply date (CMP-01)"]
        elif promised_reply_on < received_on:
            errors["promised_reply_on"] = ["must not be before the day the suggestion was received"]
    if complainant_count < 1:
        errors["complainant_count"] = ["at least 1"]
    return errors


def is_anonymous(flag: bool, name: str | None, phone: str | None, customer_id: int | None) -> bool:
    """CMP-03: flagged when the complainant says so or nothing identifies them."""
    return bool(flag) or not ((name or "").strip() or (phone or "").strip() or customer_id is not None)
