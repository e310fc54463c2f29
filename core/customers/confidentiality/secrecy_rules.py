"""CUS-71 confidentiality levels: pure rules.

Levels ``normal`` < ``confidential`` (秘密) < ``secret`` (机密) < ``top_secret`` (绝密). A level above
normal needs a named custodian and a designated viewer list. A secrecy period "through X" ends at
24:00 of X: on X+1 the record is declassified to ``normal`` (CUS-71 decision) unless the period was
extended first. An export inherits the highest level of what it holds.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from core.customers.confidentiality.settings import LEVELS

LEVEL_ZH = {"normal": "普通", "confidential": "秘密", "secret": "机密", "top_secret": "绝密"}


def rank(level: str) -> int:
    return LEVELS.index(level)


def highest(levels: Iterable[str]) -> str:
    return max(levels, key=rank, default="normal")


def is_classified(level: str | None) -> bool:
    return level is not None and rank(level) > 0


def check_classification(level: str, custodian_id: int | None, viewers: list[int]) -> dict:
    """Field errors of a classification (empty when fine)."""
    errors = {}
    if is_classified(level):
        if custodian_id is None:
            errors["custodian_id"] = ["a level above normal needs a named custodian (CUS-71)"]
        if not viewers:
            errors["viewer_ids"] = ["a level above normal needs a designated viewer list (CUS-71)"]
    return errors


def declassify_due(level: str, secret_until: dt.date | None, today: dt.date) -> bool:
    """Whether a record whose secrecy runs through ``secret_until`` is declassified ``today``."""
    return is_classified(level) and secret_until is not None and today > secret_until


def declassify_reason(level: str, secret_until: dt.date) -> tuple[str, str]:
    return (f"保密期限至{secret_until.isoformat()}届满，未延长；依据CUS-71，由{LEVEL_ZH[level]}解密为普通。",
            f"The secrecy period ran through {secret_until.isoformat()} and was not extended; under CUS-71 "
            f"the record is declassified from {level} to normal.")
