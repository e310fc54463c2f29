"""Pure rules of service records and documents after completion (SVC-16, SVC-23). No database, no
clock.

- :func:`record_due` (SVC-16): the service record is due within ``svc.record_within`` of the completion
  (``1 day``: through the end of the next calendar day — completed 2026-11-02 17:00 → through
  2026-11-03 24:00). :func:`is_recorded`: the order was recorded after its (latest) completion.
- :func:`record_kind` (SVC-16): ``on_site`` or ``remote`` — the catalog tier of ``svc_missing_record``
  (PRE-15: ¥30 field record, ¥50 remote record).
- :func:`post_docs_due` / :func:`missing_docs` (SVC-23): the documents of the type are due within
  ``within`` of the completion (implementation ended 2026-07-02, 3 days → through 2026-07-05); those
  not recorded by then are missing.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from core.calendar import Duration
from core.calendar.model import Deadline


def record_due(calendar, completed_at: dt.datetime, within: Duration | str) -> Deadline:
    """SVC-16: when a completed order without its service record is late from."""
    return calendar.add_duration(completed_at, within)


def is_recorded(completed_at: dt.datetime | None, recorded_at: dt.datetime | None) -> bool:
    """SVC-16: recorded after the latest completion (a reworked order needs a record of its own)."""
    return recorded_at is not None and (completed_at is None or recorded_at >= completed_at)


def record_kind(on_site: bool) -> str:
    return "on_site" if on_site else "remote"


def post_docs_due(calendar, completed_at: dt.datetime, within: Duration | str) -> Deadline:
    """SVC-23: by when the type's post-completion documents are due."""
    return calendar.add_duration(completed_at, within)


def missing_docs(required: Iterable[str], recorded: Iterable[str]) -> list[str]:
    """SVC-23: the required documents not recorded, in the order the setting lists them."""
    have = set(recorded)
    return [doc for doc in required if doc not in have]
