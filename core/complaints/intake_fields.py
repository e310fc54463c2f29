"""Intake fields of plugins (CMP-03, hook ``kehu_complaint_fields``), stored in the case's ``extra``.

- :func:`definitions` — the fields of the current tenant's enabled plugins.
- :func:`clean` — validates an ``extra`` object at intake: unknown names, invalid values and missing
  required fields (on complaints) are errors named ``extra.<name>``.
- :func:`unverified` — the fields whose ``verify(value)`` says the value is not in the master data.
"""
from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields

from core.plugins.records import ComplaintField

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def _checked(record: ComplaintField) -> ComplaintField:
    if not _NAME.match(record.name or ""):
        raise ValueError(f"kehu_complaint_fields: {record.name!r} is not a valid field name")
    field = record.field() if isinstance(record.field, type) else record.field
    if not isinstance(field, fields.Field):
        raise ValueError(f"kehu_complaint_fields: {record.name!r} needs a marshmallow field")
    if record.verify is not None and not callable(record.verify):
        raise ValueError(f"kehu_complaint_fields: verify of {record.name!r} must be callable")
    return record


def definitions() -> dict[str, ComplaintField]:
    from core.plugins import get_plugins
    from core.tenancy import current_tenant_id

    records = get_plugins().for_tenant(current_tenant_id()).records("kehu_complaint_fields")
    return {name: _checked(record) for name, record in records.items()}


def _field(record: ComplaintField) -> fields.Field:
    return record.field() if isinstance(record.field, type) else copy.deepcopy(record.field)


def clean(given: Any, case_type: str, defs: Mapping[str, ComplaintField]) -> tuple[dict, dict[str, list[str]]]:
    """``(loaded values, errors by "extra.<name>")``; store ``json_safe(values)``."""
    if given is None:
        given = {}
    if not isinstance(given, Mapping):
        return {}, {"extra": ["must be an object of field values"]}
    errors: dict[str, list[str]] = {}
    to_load = {}
    for name, value in given.items():
        if name not in defs:
            errors[f"extra.{name}"] = ["unknown field"]
        elif value is not None and value != "":
            to_load[name] = value
    if case_type == "complaint":
        for name, record in defs.items():
            if record.required and name not in to_load and f"extra.{name}" not in errors:
                errors[f"extra.{name}"] = [f"required: {record.label_zh} / {record.label_en} (CMP-03)"]
    loaded: dict = {}
    if to_load:
        schema = Schema.from_dict({name: _field(defs[name]) for name in to_load})()
        try:
            loaded = schema.load(to_load, unknown=RAISE)
        except ValidationError as err:
            for name, messages in err.messages.items():
                errors[f"extra.{name}"] = messages if isinstance(messages, list) else [str(messages)]
            loaded = {}
    return (loaded if not errors else {}), errors


def unverified(values: Mapping[str, Any], defs: Mapping[str, ComplaintField]) -> list[str]:
    """Names of the loaded fields whose master-data check fails (CMP-03 ``not_verified``)."""
    return [name for name, value in values.items()
            if defs.get(name) is not None and defs[name].verify is not None and not defs[name].verify(value)]
