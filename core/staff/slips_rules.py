"""Pure rules of penalty slips (STF-20, STF-22). No database.

- :func:`witness_threshold` — how many witnesses make a refused slip effective (CAL-10 inclusive flag).
- :func:`effective_by_witnesses` — the instant a refused slip takes effect: the signing time of the
  witness with whom the threshold is reached (with 2, the second witness in time), or None.
- :func:`calls_for_hr_flag` — STF-22: a refusal, with evidence and a bad attitude, is reported to the
  company (an HR flag ``final_warning_or_dismissal``, never an automatic dismissal).
"""
from __future__ import annotations

import datetime as dt
from typing import Iterable

from core.calendar import Threshold

HR_FLAG_LABEL = "final_warning_or_dismissal"


def witness_threshold(slip_settings: dict) -> Threshold:
    """``stf.slip.witnesses_on_refusal`` with its ``witnesses_inclusive`` flag (两个以上: ≥ 2)."""
    return Threshold(int(slip_settings["witnesses_on_refusal"]), bool(slip_settings.get("witnesses_inclusive", True)))


def effective_by_witnesses(signed_at: Iterable[dt.datetime], threshold: Threshold) -> dt.datetime | None:
    """STF-20: the time of the witness whose signature reaches ``threshold`` (signatures in time
    order), or None while too few have signed."""
    for count, moment in enumerate(sorted(signed_at), start=1):
        if threshold.reached(count):
            return moment
    return None


def calls_for_hr_flag(*, refused: bool, bad_attitude: bool, evidence: Iterable) -> bool:
    """STF-22: refused to sign ∧ bad attitude ∧ evidence attached."""
    return bool(refused and bad_attitude and any(str(item).strip() for item in evidence))
