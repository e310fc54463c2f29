"""Pure helpers of the work-order pages: what a form field of a type looks like, the payloads the API's
schemas load from what was typed, and local times typed in a ``datetime-local`` box. No database, no
request: tested on their own (``tests/web/portal/test_service_pages.py``)."""
from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from marshmallow import fields as ma_fields

#: the order's own intake fields on the new-order form (the API's WorkOrderInSchema names)
INTAKE_FIELDS = ("customer_id", "customer_name", "address", "contact_name", "contact_phone", "description",
                 "priority", "channel", "area", "skill")
#: the columns of one line of a list field (an installation's vehicles): "plate, model, driver"
LIST_COLUMNS = ("plate", "model", "driver")
_SPLIT = re.compile(r"\s*[,，;；]\s*")


def field_kind(spec) -> str:
    """How a type's field (a marshmallow field, instance or class) is typed in: date, checkbox, number,
    lines (a list, one item a line), textarea (long text) or text."""
    field = spec() if isinstance(spec, type) else spec
    if isinstance(field, ma_fields.DateTime):
        return "datetime-local"
    if isinstance(field, ma_fields.Date):
        return "date"
    if isinstance(field, ma_fields.Boolean):
        return "checkbox"
    if isinstance(field, (ma_fields.Integer, ma_fields.Float, ma_fields.Decimal)):
        return "number"
    if isinstance(field, ma_fields.List):
        return "lines"
    for validator in getattr(field, "validators", []) or []:
        if getattr(validator, "max", None) and validator.max > 200:
            return "textarea"
    return "text"


def parse_lines(text: str, columns: tuple[str, ...] = LIST_COLUMNS) -> list[dict]:
    """One item a line, its parts split by commas: ``京A12345, GT-06N, 张师傅`` →
    ``{"plate": "京A12345", "model": "GT-06N", "driver": "张师傅"}`` (parts beyond the columns go to ``note``)."""
    items = []
    for line in (text or "").splitlines():
        parts = [p for p in _SPLIT.split(line.strip()) if p]
        if not parts:
            continue
        item = dict(zip(columns, parts))
        if len(parts) > len(columns):
            item["note"] = "，".join(parts[len(columns):])
        items.append(item)
    return items


def lines_of(items) -> str:
    """The reverse of :func:`parse_lines`, to show a stored list again."""
    if not isinstance(items, list):
        return "" if items is None else str(items)
    out = []
    for item in items:
        if isinstance(item, dict):
            out.append(", ".join(str(item[c]) for c in (*LIST_COLUMNS, "note") if item.get(c) not in (None, "")))
        else:
            out.append(str(item))
    return "\n".join(out)


def type_data(type_fields: dict, values: dict) -> dict:
    """The order's ``data`` from the form's ``data.<name>`` boxes: blank boxes are left out (so a required
    one is reported missing, SVC-03), a list from its lines, a checkbox as true/false; the type's
    marshmallow fields check the rest (422 on ``data.<name>``)."""
    data = {}
    for name, spec in type_fields.items():
        kind = field_kind(spec)
        raw = values.get(f"data.{name}")
        if kind == "checkbox":
            if raw not in (None, "", "0", "false"):
                data[name] = True
            continue
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        data[name] = parse_lines(raw) if kind == "lines" else raw.strip()
    return data


def intake_payload(values: dict, type_fields: dict) -> dict:
    """The body of ``POST /work-orders`` from the new-order form (blank boxes left out)."""
    body = {"type": (values.get("type") or "").strip()}
    for name in INTAKE_FIELDS:
        raw = values.get(name)
        if isinstance(raw, str) and raw.strip():
            body[name] = raw.strip()
    body["data"] = type_data(type_fields, values)
    return body


def local_instant(text: str | None, tz: str) -> str | None:
    """A ``datetime-local`` value (``2026-12-07T14:30``, the tenant's wall clock) as an ISO instant with
    its offset, for the API's AwareDateTime fields; blank is None; a bad value is passed on as typed
    (the schema then names the field)."""
    if not text or not str(text).strip():
        return None
    text = str(text).strip()
    try:
        local = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    if local.tzinfo is None:
        local = local.replace(tzinfo=ZoneInfo(tz))
    return local.isoformat()


def key_values(text: str | None) -> dict:
    """``name: value`` lines (the completion data a plugin may require, e.g. ``seal_photo: 12``)."""
    out = {}
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        found = re.match(r"\s*([^:：=]+?)\s*[:：=]\s*(.*)$", line)
        if found:
            out[found.group(1)] = found.group(2).strip()
        else:
            out[line.strip()] = True
    return out


def prefixed(values: dict, prefix: str) -> dict:
    """``{"checks.safety_test": "pass"}`` → ``{"safety_test": "pass"}`` for ``prefix="checks"``."""
    start = prefix + "."
    return {k[len(start):]: v for k, v in values.items() if k.startswith(start)}


def blank_to_none(value):
    return None if isinstance(value, str) and not value.strip() else value


def checked(value) -> bool:
    return value not in (None, "", "0", "false", False)


def parse_parts(text: str | None) -> list[dict]:
    """Parts used, one a line: ``天线, 1, 个`` → ``{"name": "天线", "qty": "1", "unit": "个"}`` (the
    quantity is checked by the API's schema)."""
    parts = []
    for line in (text or "").splitlines():
        cells = [c for c in _SPLIT.split(line.strip()) if c]
        if not cells:
            continue
        part = {"name": cells[0], "qty": cells[1] if len(cells) > 1 else "1"}
        if len(cells) > 2:
            part["unit"] = cells[2]
        parts.append(part)
    return parts
