"""Portal forms: what was typed, and the errors of each field in the reader's language.

A view builds a :class:`Form` from the request, hands the values to the same service the API uses, and
on a :class:`~core.errors.KehuError` or a marshmallow ``ValidationError`` renders the page again with
``form.fail(err)``: every value stays as typed, each message sits next to its field. Nothing is saved
unless the whole form is valid (the services write in one transaction).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask import request
from flask_babel import gettext as _
from marshmallow import ValidationError

from core.errors import KehuError
from web.portal.filters import local_time

# marshmallow's messages with values in them: pattern → translatable message with named values
_PATTERNS = (
    (re.compile(r"^Must be one of: (?P<choices>.*)\.$"), "Must be one of: %(choices)s."),
    (re.compile(r"^Length must be between (?P<min>\d+) and (?P<max>\d+)\.$"),
     "Length must be between %(min)s and %(max)s."),
    (re.compile(r"^Longer than maximum length (?P<max>\d+)\.$"), "Longer than maximum length %(max)s."),
    (re.compile(r"^Shorter than minimum length (?P<min>\d+)\.$"), "Shorter than minimum length %(min)s."),
    (re.compile(r"^Must be greater than or equal to (?P<min>[-\d.]+) and less than or equal to (?P<max>[-\d.]+)\.$"),
     "Must be between %(min)s and %(max)s."),
    (re.compile(r"^Must be greater than or equal to (?P<min>[-\d.]+)\.$"), "Must be at least %(min)s."),
    (re.compile(r"^Must be less than or equal to (?P<max>[-\d.]+)\.$"), "Must be at most %(max)s."),
    # the domain's own messages with a value in them
    (re.compile(r"^not a valid phone number: (?P<value>.*)$"), "Not a valid phone number: %(value)s"),
    (re.compile(r"^at least (?P<min>\d+) characters$"), "At least %(min)s characters."),
    (re.compile(r"^unknown role: (?P<value>.*)$"), "Unknown role: %(value)s"),
    # work orders (SVC)
    (re.compile(r"^'(?P<value>.*)' is not a valid phone number$"), "'%(value)s' is not a valid phone number"),
    (re.compile(r"^unknown work-order type '(?P<value>.*)'$"), "unknown work-order type '%(value)s'"),
    (re.compile(r"^unknown field for type '(?P<value>.*)'$"), "unknown field for type '%(value)s'"),
    (re.compile(r"^one of (?P<choices>.*) \(svc\.priorities\)$"), "one of %(choices)s (svc.priorities)"),
    (re.compile(r"^one of (?P<choices>[\w, ]*)$"), "one of %(choices)s"),
    (re.compile(r"^cannot be before (?P<what>.*) \((?P<at>.*)\)$"), "cannot be before %(what)s (%(at)s)"),
    (re.compile(r"^before the arrival on site \((?P<at>.*)\)$"), "before the arrival on site (%(at)s)"),
    (re.compile(r"^must be later than the deadline in force \((?P<at>.*)\)$"),
     "must be later than the deadline in force (%(at)s)"),
    (re.compile(r"^not eligible: .* \(a supervisor may dispatch anyway with override_reason\)$"),
     "not eligible (a supervisor may dispatch anyway with an override reason)"),
    (re.compile(r"^not a (?P<role>\w+) for this order's department \(svc\.dispatch\.partner_approval\)$"),
     "not the approver for this order's department (svc.dispatch.partner_approval)"),
    # field fees (SVC-15)
    (re.compile(r"^must be 0: out of warranty \(the warranty ended (?P<day>[\d-]+)\) only parts may be charged.*$"),
     "must be 0: out of warranty (the warranty ended %(day)s), only parts may be charged (SVC-15)"),
    (re.compile(r"^must be 0: out of warranty \(the order is marked out of warranty\).*$"),
     "must be 0: the order is marked out of warranty, only parts may be charged (SVC-15)"),
    (re.compile(r"^already recorded on fee (?P<fee>\d+) of order (?P<order>.+)$"),
     "already recorded on fee %(fee)s of order %(order)s"),
    (re.compile(r"^no fee before the technician is on site \(the order is (?P<state>\w+)\)$"),
     "No fee before the technician is on site."),
)


def translated(message: str) -> str:
    """A message of the domain or of marshmallow in the reader's language (English when unknown)."""
    text = _(message)
    if text != message:
        return text
    for pattern, template in _PATTERNS:
        found = pattern.match(message)
        if found:
            values = found.groupdict()
            if values.get("at"):  # an instant of the domain, shown in the company's time zone
                try:
                    values["at"] = local_time(values["at"])
                except ValueError:
                    pass
            return _(template, **values)
    return message


def flatten(messages, prefix: str = "") -> dict[str, list[str]]:
    """Nested field messages (``{"data": {"purchase_date": [...]}}``) as ``{"data.purchase_date": [...]}``."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if key == "_schema" and prefix:
                name = prefix
            for k, v in flatten(value, name).items():
                flat.setdefault(k, []).extend(v)
    elif isinstance(messages, (list, tuple)):
        if all(isinstance(m, str) for m in messages):
            flat[prefix or "_form"] = list(messages)
        else:
            for item in messages:
                for k, v in flatten(item, prefix).items():
                    flat.setdefault(k, []).extend(v)
    elif messages is not None:
        flat[prefix or "_form"] = [str(messages)]
    return flat


def form_message(err: KehuError, locale: str) -> str:
    """The form-level message of a refusal: the domain's Chinese reason where it gave one."""
    from web.portal.localise import localise

    reason = err.extra.get("reason_zh") if isinstance(err, KehuError) else None
    if reason and locale != "en":
        return localise(reason, locale)
    reason_en = err.extra.get("reason_en") if isinstance(err, KehuError) else None
    return translated(reason_en or getattr(err, "message", str(err)))


def refusal_status(err: Exception) -> int:
    """The answer to a refused form: 422 for bad input, the domain's 403/409/422 as it is, 409 for any other
    refusal. A 404 (the record named in the form is another tenant's or unknown) is raised again: the
    page answers 404, never a form error."""
    if isinstance(err, ValidationError):
        return 422
    if isinstance(err, KehuError) and err.status == 404:
        raise err
    status = getattr(err, "status", 409)
    return status if status in (403, 409, 422) else 409


@dataclass
class Form:
    values: dict = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    message: str | None = None

    @classmethod
    def posted(cls, **defaults) -> "Form":
        """The submitted form (a field with several values keeps them all, as a list)."""
        values = dict(defaults)
        for key in request.form:
            if key == "csrf_token":
                continue
            items = request.form.getlist(key)
            values[key] = items if len(items) > 1 or key.endswith("[]") else items[0]
        return cls(values=values)

    def value(self, name: str, default=""):
        value = self.values.get(name, default)
        return default if value is None else value

    def error(self, name: str) -> str | None:
        messages = self.errors.get(name)
        return "；".join(messages) if messages else None

    @property
    def ok(self) -> bool:
        return not self.errors and self.message is None

    def add(self, name: str, message: str) -> "Form":
        self.errors.setdefault(name, []).append(translated(message))
        return self

    def fail(self, err: Exception, locale: str = "zh_Hans") -> "Form":
        """Take the field messages of a refusal (domain error or marshmallow ValidationError)."""
        if isinstance(err, ValidationError):
            fields, self.message = err.messages, None
        elif isinstance(err, KehuError):
            fields = err.fields
            self.message = form_message(err, locale)
            if fields and not err.extra.get("reason_zh") and self.message == err.message and locale != "en":
                self.message = None  # a summary in English ("invalid customer"): the fields say it in Chinese
        else:
            raise TypeError(f"not a refusal: {err!r}")
        for name, messages in flatten(fields).items():
            for message in messages:
                self.add(name, message)
        if self.errors and self.message is None:
            self.message = _("Please correct the fields marked below.")
        return self

    def unplaced(self, shown: set[str]) -> dict[str, list[str]]:
        """Errors of fields the page does not show (listed at the top of the form, never dropped)."""
        return {k: v for k, v in self.errors.items() if k not in shown}
