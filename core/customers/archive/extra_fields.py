"""Extra archive fields (CUS-01): declared by the tenant (``cus.archive.fields``) or by its plugins
(hook ``kehu_customer_fields``), stored in the customer's ``extra`` JSON object.

- :func:`definitions` — the fields of the current tenant: its policy's, then its enabled plugins'
  (a plugin field replaces a policy field of the same name).
- :func:`clean_extra` — validates the ``extra`` object of a create or update: unknown names, fields
  of another customer kind and invalid values are errors named ``extra.<name>``; ``null`` removes a
  value on update. Values are stored in their JSON form.
- :func:`search_conditions` — ``field.<name>=<value>`` query parameters as SQL conditions (searchable
  fields only; the value is parsed by the field, then compared exactly).
"""
from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from core.audit.recorder import json_safe
from core.customers.archive.settings import NAME_RE, RESERVED_NAMES
from core.db import db
from core.errors import InvalidInput

SEARCH_PREFIX = "field."


@dataclass(frozen=True)
class ExtraField:
    name: str
    label_zh: str
    label_en: str
    field: fields.Field
    kinds: tuple[str, ...]
    searchable: bool
    source: str  # "policy" or "plugin"


def _policy_field(spec: Mapping[str, Any]) -> fields.Field:
    kind = spec["type"]
    if kind == "string":
        return fields.String(validate=validate.Length(max=spec["max_length"]))
    if kind == "text":
        return fields.String(validate=validate.Length(max=max(spec["max_length"], 5000)))
    if kind == "integer":
        return fields.Integer()
    if kind == "decimal":
        return fields.Decimal(places=2)
    if kind == "boolean":
        return fields.Boolean()
    if kind == "date":
        return fields.Date()
    return fields.String(validate=validate.OneOf(spec["choices"]))


def _plugin_field(record) -> ExtraField:
    if not NAME_RE.match(record.name) or record.name in RESERVED_NAMES:
        raise ValueError(f"kehu_customer_fields: {record.name!r} is not a valid extra field name")
    field = record.field() if isinstance(record.field, type) else copy.deepcopy(record.field)
    if not isinstance(field, fields.Field):
        raise ValueError(f"kehu_customer_fields: {record.name!r} needs a marshmallow field")
    return ExtraField(record.name, record.label_zh, record.label_en, field, tuple(record.kinds),
                      bool(record.searchable), "plugin")


def definitions(archive_settings: Mapping[str, Any]) -> dict[str, ExtraField]:
    """The extra fields of the current tenant under ``archive_settings`` (``cus.archive`` values)."""
    from core.plugins import get_plugins
    from core.tenancy import current_tenant_id

    found = {spec["name"]: ExtraField(spec["name"], spec["label_zh"], spec.get("label_en", ""),
                                      _policy_field(spec), tuple(spec["kinds"]), spec["searchable"], "policy")
             for spec in archive_settings.get("extra_fields", [])}
    relay = get_plugins().for_tenant(current_tenant_id())
    for record in relay.records("kehu_customer_fields").values():
        found[record.name] = _plugin_field(record)
    return found


def clean_extra(given: Mapping[str, Any] | None, kind: str, defs: Mapping[str, ExtraField],
                current: Mapping[str, Any] | None = None) -> tuple[dict, dict]:
    """``(extra values to store, errors by "extra.<name>")`` for ``given`` over ``current``."""
    errors: dict = {}
    merged = dict(current or {})
    if given is None:
        given = {}
    if not isinstance(given, Mapping):
        return merged, {"extra": ["must be an object of field values"]}
    to_load = {}
    for name, value in given.items():
        spec = defs.get(name)
        if spec is None:
            errors[f"extra.{name}"] = ["unknown field"]
        elif kind not in spec.kinds:
            errors[f"extra.{name}"] = [f"only for a customer of kind {' or '.join(spec.kinds)}, not {kind}"]
        elif value is None:
            merged.pop(name, None)
        else:
            to_load[name] = value
    if to_load:
        schema = Schema.from_dict({name: copy.deepcopy(defs[name].field) for name in to_load})()
        try:
            loaded = schema.load(to_load, unknown=RAISE)
        except ValidationError as err:
            for name, messages in err.messages.items():
                errors[f"extra.{name}"] = messages if isinstance(messages, list) else [str(messages)]
        else:
            merged.update(json_safe(loaded))
    # values of fields that no longer apply (kind changed) are kept only while their field exists
    for name in list(merged):
        spec = defs.get(name)
        if spec is not None and kind not in spec.kinds and name not in given:
            merged.pop(name)
    return merged, errors


def search_conditions(args: Mapping[str, str], defs: Mapping[str, ExtraField]) -> list:
    """SQL conditions for ``field.<name>=<value>`` parameters; 422 naming the parameter when the field
    is unknown or not searchable, or the value is not one of the field."""
    from core.customers.models import Customer

    conditions, errors = [], {}
    postgres = db.session.get_bind().dialect.name == "postgresql"
    for key, raw in args.items():
        if not key.startswith(SEARCH_PREFIX):
            continue
        name = key[len(SEARCH_PREFIX):]
        spec = defs.get(name)
        if spec is None or not spec.searchable:
            errors[key] = ["not a searchable archive field"]
            continue
        try:
            value = json_safe(copy.deepcopy(spec.field).deserialize(raw))
        except ValidationError as err:
            errors[key] = err.messages if isinstance(err.messages, list) else [str(err.messages)]
            continue
        if postgres:
            text = ("true" if value else "false") if isinstance(value, bool) else str(value)
            conditions.append(Customer.extra[name].as_string() == text)
        else:
            conditions.append(Customer.extra[name].as_string() == (int(value) if isinstance(value, bool) else value))
    if errors:
        raise InvalidInput("invalid search", fields=errors)
    return conditions
