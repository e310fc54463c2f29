"""Settings of the customer archive: ``cus.archive.*`` (CUS-01, CUS-02, CUS-06), ``cus.checklists``
(CUS-03) and ``cus.filing.*`` (CUS-04). ``ArchivePolicySchema().load({})`` gives the spec's defaults.

``cus.archive.required.<kind>`` lists requirement tokens: a field (``name``, ``address``, ``district``,
``source``, ``category``, ``lifecycle_stage``, ``resident_id``, ``uscc``, ``email``), a phone
(``mobile``, ``landline``, ``phone`` = any), ``contact_name`` (at least one contact with a name), or an
extra archive field (declared in ``cus.archive.fields`` or by a plugin); ``a|b`` is satisfied by
either. ``cus.archive.fields`` declares the tenant's own archive fields (e.g. the B2B filing list's
``enterprise_nature`` and ``supervising_unit``, spec CUS-01 Alternatives).
"""
from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from core.calendar.durations import Duration
from core.calendar.policy import DurationField, unique_values

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
KINDS = ("person", "organisation")
#: requirement tokens that are not extra fields
BUILTIN_TOKENS = ("name", "mobile", "landline", "phone", "address", "district", "source", "category",
                  "lifecycle_stage", "resident_id", "uscc", "email", "contact_name")
#: names an extra field cannot take (they are the archive's own fields)
RESERVED_NAMES = frozenset(BUILTIN_TOKENS) | {
    "kind", "phones", "contacts", "addresses", "flags", "extra", "note", "gender", "birth_date", "id"}
FIELD_TYPES = ("string", "text", "integer", "decimal", "boolean", "date", "choice")
CONDITION_OPS = ("eq", "ne", "in", "not_in", "present", "absent", "contains")
FORMS = ("any", "original", "copy")


def _names(what: str, **kwargs) -> fields.List:
    return fields.List(fields.String(validate=validate.Regexp(NAME_RE, error=f"Not a valid {what} code.")),
                       validate=unique_values(what), **kwargs)


def _requirement(value: str) -> None:
    parts = value.split("|")
    if not value or any(not NAME_RE.match(p) for p in parts):
        raise ValidationError(f"Not a requirement: {value!r} (a field name, or names joined by '|').")


class RequiredSchema(Schema):
    """``cus.archive.required.<kind>`` (CUS-01)."""

    person = fields.List(fields.String(validate=_requirement), validate=unique_values("requirement"),
                         load_default=lambda: ["name", "mobile|landline"])
    organisation = fields.List(fields.String(validate=_requirement), validate=unique_values("requirement"),
                               load_default=lambda: ["name", "contact_name", "phone", "address"])


class ExtraFieldSchema(Schema):
    """One tenant-declared archive field (``cus.archive.fields[]``), stored in the customer's ``extra``."""

    name = fields.String(required=True, validate=validate.Regexp(NAME_RE, error="Not a valid field name."))
    label_zh = fields.String(required=True, validate=validate.Length(min=1, max=100))
    label_en = fields.String(load_default="", validate=validate.Length(max=100))
    type = fields.String(load_default="string", validate=validate.OneOf(FIELD_TYPES))
    choices = fields.List(fields.String(validate=validate.Length(min=1, max=100)), load_default=list)
    max_length = fields.Integer(load_default=200, validate=validate.Range(min=1, max=5000))
    kinds = fields.List(fields.String(validate=validate.OneOf(KINDS)), load_default=lambda: list(KINDS),
                        validate=validate.Length(min=1))
    searchable = fields.Boolean(load_default=False)

    @validates("name")
    def _not_reserved(self, value: str, **kwargs: Any) -> None:
        if value in RESERVED_NAMES:
            raise ValidationError(f"{value!r} is an archive field of its own; choose another name.")

    @validates_schema
    def _choices(self, data: dict, **kwargs: Any) -> None:
        if data.get("type") == "choice" and not data.get("choices"):
            raise ValidationError("A choice field needs its choices.", field_name="choices")


class ArchiveSettingsSchema(Schema):
    """``cus.archive.*``: required fields, vocabularies and extra fields (CUS-01), the paper archive and
    its handover log (CUS-02), the confirmation signature (CUS-06)."""

    required = fields.Nested(RequiredSchema, load_default=lambda: RequiredSchema().load({}))
    categories = _names("category", load_default=lambda: ["target", "general", "key", "potential"])
    lifecycle = _names("lifecycle stage", load_default=lambda: ["prospect", "active", "lost"])
    flags = _names("flag", load_default=lambda: ["special_assistance", "difficult", "key_account"])
    extra_fields = fields.List(fields.Nested(ExtraFieldSchema), load_default=list, data_key="fields")
    paper = fields.Boolean(load_default=False)
    handover_log = fields.Boolean(load_default=False)
    #: ``none`` or the role whose signature makes a new archive effective (CUS-06)
    confirm_by = fields.String(load_default="none", validate=validate.Regexp(
        r"^[a-z][a-z0-9_]*$", error="Give none or a role code."))

    @validates("extra_fields")
    def _unique_field_names(self, value: list, **kwargs: Any) -> None:
        names = [f.get("name") for f in value if f.get("name")]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValidationError(f"Duplicate field name {dupes[0]!r}.")


class ConditionSchema(Schema):
    """A condition on archive fields: ``{"field": "extra.financed", "op": "eq", "value": true}``.
    Fields: ``kind``, ``category``, ``lifecycle_stage``, ``source``, ``district``, ``flags`` and
    ``extra.<name>``."""

    field = fields.String(required=True, validate=validate.Regexp(
        r"^(kind|category|lifecycle_stage|source|district|flags|extra\.[a-z][a-z0-9_]*)$",
        error="Not an archive field a condition can read."))
    op = fields.String(load_default="eq", validate=validate.OneOf(CONDITION_OPS))
    value = fields.Raw(load_default=None, allow_none=True)

    @validates_schema
    def _value_for_op(self, data: dict, **kwargs: Any) -> None:
        if data.get("op") in ("in", "not_in") and not isinstance(data.get("value"), list):
            raise ValidationError("in / not_in need a list of values.", field_name="value")


class _DocumentRequirement(Schema):
    code = fields.String(required=True, validate=validate.Regexp(NAME_RE, error="Not a valid item code."))
    label_zh = fields.String(required=True, validate=validate.Length(min=1, max=200))
    label_en = fields.String(load_default="", validate=validate.Length(max=200))
    form = fields.String(load_default="any", validate=validate.OneOf(FORMS))
    both_sides = fields.Boolean(load_default=False)
    customer_signature = fields.Boolean(load_default=False)
    staff_signature = fields.Boolean(load_default=False)


class ChecklistItemSchema(_DocumentRequirement):
    """One item of a checklist: required, conditional (``condition``) or optional (neither), with its
    attributes; an either-or group lists its alternatives in ``any_of`` (any one satisfies it)."""

    required = fields.Boolean(load_default=True)
    condition = fields.Nested(ConditionSchema, load_default=None, allow_none=True)
    any_of = fields.List(fields.Nested(_DocumentRequirement), load_default=list)

    @validates("any_of")
    def _alternatives(self, value: list, **kwargs: Any) -> None:
        if len(value) == 1:
            raise ValidationError("An either-or group needs two alternatives or more.")


class ChecklistTemplateSchema(Schema):
    """A checklist template (CUS-03) and the archives it applies to: customer kinds, lifecycle stages,
    categories (empty = any) and an optional condition (e.g. a plugin's archive type)."""

    label_zh = fields.String(required=True, validate=validate.Length(min=1, max=200))
    label_en = fields.String(load_default="", validate=validate.Length(max=200))
    kinds = fields.List(fields.String(validate=validate.OneOf(KINDS)), load_default=lambda: list(KINDS))
    stages = fields.List(fields.String(), load_default=list)
    categories = fields.List(fields.String(), load_default=list)
    when = fields.Nested(ConditionSchema, load_default=None, allow_none=True)
    items = fields.List(fields.Nested(ChecklistItemSchema), validate=validate.Length(min=1), required=True)

    @validates("items")
    def _unique_codes(self, value: list, **kwargs: Any) -> None:
        codes = [c for item in value for c in [item.get("code"), *(a.get("code") for a in item.get("any_of", []))] if c]
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            raise ValidationError(f"Duplicate item code {dupes[0]!r}.")


class FilingSettingsSchema(Schema):
    """``cus.filing.*`` (CUS-04)."""

    enabled = fields.Boolean(load_default=False)
    new_within = DurationField(units=("working_days", "days"), load_default=Duration(5, "working_days"))
    change_within = DurationField(units=("working_days", "days"), load_default=Duration(5, "working_days"))
    block_expenses = fields.Boolean(load_default=True)
    reminders_before_penalty = fields.Integer(strict=True, validate=validate.Range(min=1, max=100),
                                              load_default=3)


class ArchivePolicySchema(Schema):
    """The archive's top-level sections of the ``cus`` document."""

    archive = fields.Nested(ArchiveSettingsSchema, load_default=lambda: ArchiveSettingsSchema().load({}))
    checklists = fields.Dict(keys=fields.String(validate=validate.Regexp(NAME_RE, error="Not a valid template code.")),
                             values=fields.Nested(ChecklistTemplateSchema), load_default=dict)
    filing = fields.Nested(FilingSettingsSchema, load_default=lambda: FilingSettingsSchema().load({}))
