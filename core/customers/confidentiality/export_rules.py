"""CUS-74 export, copy and external disclosure: pure rules, and the cell helpers every customer
export uses (CSV and XLSX).

- :func:`required_steps`: the approval steps of an export by its kind under ``cus.export.approval``
  (``none`` by default: no approval), raised to ``cus.export.classified`` when it holds a record above
  ``normal`` and its kind names none (CUS-71: classified records are exported only with approval).
- :func:`neutralise_cell`: a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
  return is prefixed with ``'`` so that a spreadsheet shows it instead of running it (``=1+1`` →
  ``'=1+1``). Numbers are left alone.
- :func:`mask_row`: the CUS-70 masks applied to the PII columns of a row for a reader without the right.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from core.customers.confidentiality.secrecy_rules import is_classified
from core.customers.identity import mask_phone, mask_resident_id

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
PHONE, RESIDENT_ID = "phone", "resident_id"


def neutralise_cell(value):
    """A cell value safe for CSV/XLSX (CUS-74): text that a spreadsheet would read as a formula gets
    a leading apostrophe; anything else (numbers, dates, None) is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_LEADS):
        return "'" + value
    return value


def mask_value(kind: str, value):
    if not value or not isinstance(value, str):
        return value
    if kind == PHONE:
        return mask_phone(value)
    if kind == RESIDENT_ID:
        return mask_resident_id(value)
    raise ValueError(f"unknown PII kind {kind!r}")


def mask_row(row: Mapping, pii_columns: Mapping[str, str], *, unmasked: bool = False) -> dict:
    """``row`` with each column of ``pii_columns`` (``{column: "phone" | "resident_id"}``) masked,
    unless ``unmasked``; a column may hold several values separated by ``;``."""
    out = dict(row)
    if unmasked:
        return out
    for column, kind in pii_columns.items():
        value = out.get(column)
        if isinstance(value, str) and ";" in value:
            out[column] = ";".join(mask_value(kind, v.strip()) for v in value.split(";"))
        else:
            out[column] = mask_value(kind, value)
    return out


def safe_row(values: Iterable) -> list:
    return [neutralise_cell(v) for v in values]


def required_steps(kind: str, level: str, values: dict) -> list[str]:
    """The approval steps of an export of ``kind`` holding records up to ``level``."""
    steps = list(values["export"]["approval"].get(kind, []))
    if is_classified(level) and not steps:
        steps = list(values["export"]["classified"])
    return steps
