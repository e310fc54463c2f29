"""The ownership service's "now" (UTC). One function so that a test can judge the spec's 2026 vectors as
of their own dates (``monkeypatch.setattr(clock, "now", ...)``); production reads the system clock."""
from __future__ import annotations

import datetime as dt

from core.db import utcnow


def now() -> dt.datetime:
    return utcnow()
