"""Forms generated from a policy schema (marshmallow), pure: no Flask, no database.

:func:`build` walks a schema into fieldsets (one per ``Nested`` section) and inputs chosen by field
type; :func:`form_values` fills them from a policy body (its JSON form, as stored); :func:`parse`
turns the posted form (dotted names, ``sla.reply``) back into the nested body that
``core.policy.service.validate`` checks; :func:`place_errors` puts the service's field errors on the
input that shows them (an error inside a JSON field names its place within it).

Input kinds:

- ``number`` — Integer, Float, Decimal (and a custom field with a number default and a Range), with
  the Range's min/max;
- ``checkbox`` — Boolean;
- ``select`` — a String with OneOf (one option per choice);
- ``choices`` — a List of Strings with OneOf (a checkbox per choice);
- ``date`` — Date;
- ``lines`` — a List of plain Strings (one item per line);
- ``text`` — a String, or a custom field whose value is a string (durations ``"3 working_days"``,
  times ``"18:00"``, role codes);
- ``json`` — anything else: List or Dict of complex items, an optional section, a custom field whose
  value is not a string (``false`` or a list); a textarea checked as JSON before the schema sees it.

Labels: a field's ``metadata`` ``title_zh`` / ``title_en`` when the schema gives them, else the field
name made readable (the template translates it through the catalog when it can); ``description``
becomes the help text.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import marshmallow
from marshmallow import Schema, fields, validate

NUMBER_FIELDS = (fields.Integer, fields.Float, fields.Decimal)
STRING_LIKE = (fields.String, fields.Email, fields.URL, fields.UUID)


@dataclass
class Input:
    name: str  # dotted path in the body: "sla.reply"
    kind: str  # number | checkbox | select | choices | date | lines | text | json
    label_en: str
    label_zh: str | None = None
    help: str | None = None
    options: tuple = ()  # (value, label) for select and choices
    min: object = None
    max: object = None
    step: str | None = None
    nullable: bool = False
    integer: bool = False
    required: bool = False
    has_default: bool = True  # the schema fills the field in when the body leaves it out

    @property
    def key(self) -> str:
        return self.name.rsplit(".", 1)[-1]


@dataclass
class Fieldset:
    name: str  # dotted path of the section ("" for the document itself)
    label_en: str
    label_zh: str | None = None
    help: str | None = None
    items: list = field(default_factory=list)  # Input | Fieldset

    @property
    def key(self) -> str:
        return self.name.rsplit(".", 1)[-1]

    def inputs(self):
        """Every input of the section and of its sub-sections, in order."""
        for item in self.items:
            if isinstance(item, Fieldset):
                yield from item.inputs()
            else:
                yield item


#: labels of settings whose readable name reads wrong or collides with a portal text (``Policies`` is
#: the navigation's "制度设置"); by dotted name within the document
LABELS_EN = {"sla.policies": "SLA policies", "sla.stages": "Stage limits"}


def humanise(name: str) -> str:
    """``warn_day_based`` → ``Warn day based``."""
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else name


def _labels(name: str, f: fields.Field) -> tuple[str, str | None, str | None]:
    meta = f.metadata or {}
    return meta.get("title_en") or meta.get("title") or humanise(name), meta.get("title_zh"), meta.get("description")


def _one_of(f: fields.Field) -> tuple | None:
    for v in f.validators:
        if isinstance(v, validate.OneOf):
            return tuple(v.choices)
    return None


def _range(f: fields.Field) -> tuple:
    for v in f.validators:
        if isinstance(v, validate.Range):
            return v.min, v.max
    return None, None


def _default(schema: Schema) -> dict:
    return schema.dump(schema.load({}))


def build(schema: Schema | type, name: str = "", label_en: str = "", label_zh: str | None = None) -> Fieldset:
    """The form of ``schema``: a fieldset per ``Nested`` section, an input per other field."""
    schema = schema() if isinstance(schema, type) else schema
    return _fieldset(schema, _default(schema), name, label_en, label_zh, None)


def _fieldset(schema: Schema, defaults: dict, name: str, label_en: str, label_zh, help_text) -> Fieldset:
    out = Fieldset(name, label_en, label_zh, help_text)
    loose = []  # plain fields first, then the sub-sections
    sections = []
    for attr, f in schema.fields.items():
        if f.dump_only:
            continue
        key = f.data_key or attr
        path = f"{name}.{key}" if name else key
        en, zh, help_ = _labels(key, f)
        en = LABELS_EN.get(path, en) if not (f.metadata or {}).get("title_en") else en
        default = (defaults or {}).get(key)
        if isinstance(f, fields.Nested) and not f.many and not f.allow_none and isinstance(default, dict):
            sections.append(_fieldset(f.schema, default, path, en, zh, help_))
        else:
            loose.append(_input(f, path, en, zh, help_, default))
    out.items = loose + sections
    return out


def _input(f: fields.Field, path: str, en: str, zh, help_, default) -> Input:
    common = {"label_en": en, "label_zh": zh, "help": help_, "nullable": bool(f.allow_none), "required": f.required,
              "has_default": f.load_default is not marshmallow.missing}
    if isinstance(f, fields.Boolean):
        return Input(path, "checkbox", **common)
    if isinstance(f, NUMBER_FIELDS):
        low, high = _range(f)
        integer = isinstance(f, fields.Integer)
        return Input(path, "number", min=low, max=high, step="1" if integer else "any", integer=integer, **common)
    if isinstance(f, fields.Date) and not isinstance(f, fields.DateTime):
        return Input(path, "date", **common)
    if isinstance(f, STRING_LIKE):
        choices = _one_of(f)
        if choices:
            return Input(path, "select", options=tuple((c, c) for c in choices), **common)
        return Input(path, "text", **common)
    if isinstance(f, fields.List) and isinstance(f.inner, STRING_LIKE):
        choices = _one_of(f.inner)
        if choices:
            return Input(path, "choices", options=tuple((c, c) for c in choices), **common)
        return Input(path, "lines", **common)
    if isinstance(f, (fields.List, fields.Dict, fields.Nested, fields.Tuple)):
        return Input(path, "json", **common)
    # a field type of the module's own: shown by the form of its value
    if isinstance(default, str) or (default is None and f.allow_none):
        return Input(path, "text", **common)
    low, high = _range(f)
    if isinstance(default, (int, float)) and not isinstance(default, bool) and (low is not None or high is not None):
        return Input(path, "number", min=low, max=high, step="any", integer=isinstance(default, int), **common)
    return Input(path, "json", **common)


# ------------------------------------------------------------------------------------------ values


def _get(body: dict, path: str):
    value = body
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _text(value, kind: str):
    if kind == "checkbox":
        return "1" if value else ""
    if kind == "choices":
        return [str(v) for v in (value or [])]
    if kind == "lines":
        return "\n".join(str(v) for v in (value or []))
    if kind == "json":
        return "" if value is None else json.dumps(value, ensure_ascii=False, indent=2, default=str)
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def form_values(form: Fieldset, body: dict) -> dict:
    """``{dotted name: text}`` of every input, from a policy body (JSON form)."""
    return {i.name: _text(_get(body or {}, i.name), i.kind) for i in form.inputs()}


# ------------------------------------------------------------------------------------------ parsing

#: an empty number, date or JSON input of a field that takes no null: left out of the body, so that the
#: schema's default applies (or, for a required field, the schema says it is missing)
OMIT = object()

#: messages of the form itself (the schema's are translated by ``web.portal.forms.translated``)
NOT_JSON = "Not valid JSON (line %(line)s, column %(column)s)."


def _number(raw: str, item: Input):
    """An integer as int; a decimal or float as its text (the schema reads it without rounding); what
    is not a number stays as typed, for the schema to refuse next to the field."""
    text = raw.strip()
    if text == "":
        return None if item.nullable else OMIT
    if item.integer:
        try:
            return int(text)
        except ValueError:
            return text
    try:
        Decimal(text)
    except InvalidOperation:
        return text
    return text


def _value(item: Input, raw, errors: dict):
    if item.kind == "checkbox":
        return str(raw).lower() in ("1", "on", "true", "yes") if raw is not None else False
    if item.kind == "choices":
        if raw is None or raw == "":
            return []
        return list(raw) if isinstance(raw, (list, tuple)) else [raw]
    raw = "" if raw is None else (raw[-1] if isinstance(raw, (list, tuple)) else str(raw))
    if item.kind == "number":
        return _number(raw, item)
    if item.kind == "lines":
        lines = [line.strip() for line in raw.splitlines() if line.strip()]
        return OMIT if not lines and not item.has_default and not item.required else lines
    if item.kind == "json":
        if raw.strip() == "":
            return None if item.nullable else OMIT
        try:
            return json.loads(raw)
        except json.JSONDecodeError as err:
            errors[item.name] = [(NOT_JSON, {"line": err.lineno, "column": err.colno})]
            return None
    if raw == "" and item.nullable:
        return None
    if raw == "" and (item.kind == "date" or (not item.has_default and not item.required)):
        return OMIT
    return raw


def _put(body: dict, path: str, value) -> None:
    parts = path.split(".")
    for part in parts[:-1]:
        body = body.setdefault(part, {})
    body[parts[-1]] = value


def parse(form: Fieldset, posted: dict) -> tuple[dict, dict]:
    """``(body, errors)`` from the posted values (``{dotted name: text or list}``). ``errors`` holds the
    form's own messages (JSON that does not parse) as ``{name: [(message, values)]}``; the schema
    judges the rest. An unchecked checkbox is not posted: it means false."""
    body: dict = {}
    errors: dict = {}
    for section in section_names(form):
        if section:
            _put(body, section, _get(body, section) or {})
    for item in form.inputs():
        value = _value(item, posted.get(item.name), errors)
        if item.name in errors or value is OMIT:
            continue
        _put(body, item.name, value)
    return body, errors


def place_errors(form: Fieldset, errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """Errors keyed by the input or section that shows them: an error inside a JSON or list input
    (``sla.policies.0.name``) goes to that input, prefixed with its place (``0.name: ...``)."""
    names = {i.name for i in form.inputs()}
    sections = set(section_names(form))
    placed: dict[str, list[str]] = {}
    for name, messages in errors.items():
        target, rest = name, ""
        if name not in names and name not in sections:
            parts = name.split(".")
            for n in range(len(parts) - 1, 0, -1):
                head = ".".join(parts[:n])
                if head in names:
                    target, rest = head, ".".join(parts[n:])
                    break
        placed.setdefault(target, []).extend(f"{rest}: {m}" if rest else m for m in messages)
    return placed


def section_names(form: Fieldset):
    yield form.name
    for item in form.items:
        if isinstance(item, Fieldset):
            yield from section_names(item)


# ------------------------------------------------------------------------------------------ comparing


def _leaves(body, prefix: str = ""):
    if isinstance(body, dict) and (body or not prefix):
        for key, value in body.items():
            yield from _leaves(value, f"{prefix}.{key}" if prefix else str(key))
    else:
        yield prefix, body


def changed_settings(before: dict, after: dict) -> list[tuple[str, object, object]]:
    """The settings that differ between two policy bodies (JSON form): ``[(dotted name, before,
    after)]`` in name order; a section is compared setting by setting, a list or a map of items as
    one value."""
    old, new = dict(_leaves(before or {})), dict(_leaves(after or {}))
    missing = object()
    out = []
    for name in sorted(set(old) | set(new)):
        a, b = old.get(name, missing), new.get(name, missing)
        if a != b:
            out.append((name, None if a is missing else a, None if b is missing else b))
    return out
