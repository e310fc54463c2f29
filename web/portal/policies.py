"""Portal pages: the tenant's regulation settings (policies), their versions, dry-run and publishing.

- ``GET /policies`` — every policy module of the tenant with the version in force and the next one
  scheduled (managers);
- ``GET /policies/<module>`` — the settings of the version in force (``?version=N``: an older or a
  scheduled one) in a form generated from the module's schema (:mod:`web.portal.policy_forms`), and
  the history of versions; read-only for managers, editable by the tenant administrator;
- ``POST /policies/<module>/dry-run`` — the draft checked by the schema, the settings it changes and
  the current outcomes it would change (:mod:`core.policy.dry_run`); nothing is saved;
- ``POST /policies/<module>/publish`` — publish the draft as a new version from its effective date
  (today or later, :func:`core.policy.service.publish`), with a note.

Who may do what follows the API (``web/api/policies.py``): reading for managers, proposals and
publishing for ``tenant_admin``.
"""
from __future__ import annotations

import datetime as dt
import re

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy import select

from core.accounts.models import User
from core.db import db
from core.errors import InvalidInput, KehuError
from core.policy import dry_run
from core.policy import service as policies
from web.portal import policy_forms, select_locale
from web.portal.forms import Form
from web.portal.tenant_pages import MANAGERS, roles_required

bp = Blueprint("policies", __name__, url_prefix="/policies")
POLICY_TEXTS = "policy"  # the translation context of the schemas' labels and help texts (policies.po)

EDITORS = ("tenant_admin",)  # as the API: proposals and publishing
#: the publishing inputs, named apart from any setting of a schema (a plugin's policy may have a "note")
DATE, NOTE = "publish:effective_from", "publish:note"


def _spec(module: str):
    spec = policies.schemas().get(module)
    if spec is None:
        abort(404)
    return spec


def _scheduled(module: str, today: dt.date):
    """The published versions that start after today (the next one first)."""
    return [doc for doc in policies.history(module) if doc.effective_from > today]


@bp.get("")
@roles_required(*MANAGERS)
def index():
    today = policies.tenant_today()
    modules = []
    for module, spec in sorted(policies.schemas().items()):
        modules.append({"module": module, "spec": spec, "view": policies.in_force(module),
                        "scheduled": _scheduled(module, today), "versions": len(policies.history(module)),
                        "dry_run": dry_run.has_evaluator(module)})
    return render_template("portal/policies.html", modules=modules)


def _publishers(history) -> dict[int, str]:
    ids = {doc.published_by for doc in history if doc.published_by is not None}
    if not ids:
        return {}
    return {u.id: u.display_name for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def _page(module: str, form: Form, tree, *, shown_view, status: int = 200, result=None, changed=None):
    spec = _spec(module)
    history = policies.history(module)
    today = policies.tenant_today()
    names = [i.name for i in tree.inputs()]
    return render_template(
        "portal/policies/module.html", module=module, spec=spec, form=form, tree=tree, shown=shown_view,
        in_force=policies.in_force(module), history=history, publishers=_publishers(history), today=today,
        can_edit=g.user.has_role(*EDITORS), result=result, changed=changed,
        has_evaluator=dry_run.has_evaluator(module), shown_names=names + list(policy_forms.section_names(tree)) + [DATE, NOTE],
        error_sections=_error_sections(tree, form), label=_label), status


def _error_sections(tree, form: Form) -> list[str]:
    """The top-level sections holding an error ("" for the document's own fields), to open them."""
    out = set()
    for name in form.errors:
        for item in tree.items:
            if name == item.name or name.startswith(item.name + "."):
                out.add(item.name if isinstance(item, policy_forms.Fieldset) else "")
    return sorted(out)


def _label(item) -> str:
    """A field's or section's label in the reader's language: the schema's Chinese title, else its
    English name through the catalog (``policies.po``), else the readable field name."""
    if select_locale() != "en" and item.label_zh:
        from web.portal.localise import localise

        return localise(item.label_zh, select_locale())
    return pgettext(POLICY_TEXTS, item.label_en) if item.label_en else item.key


@bp.get("/<module>")
@roles_required(*MANAGERS)
def show(module):
    spec = _spec(module)
    tree = policy_forms.build(spec.schema)
    number = request.args.get("version", type=int)
    view = policies.version(module, number) if number is not None else policies.in_force(module)
    form = Form(values=policy_forms.form_values(tree, view.body))
    form.values.update({DATE: policies.tenant_today().isoformat(), NOTE: ""})
    return _page(module, form, tree, shown_view=view)[0]


def _posted(tree) -> Form:
    form = Form.posted()
    for item in tree.inputs():
        if item.kind == "choices" and isinstance(form.values.get(item.name), str):
            form.values[item.name] = [form.values[item.name]]
    return form


def _draft(module: str, tree, form: Form) -> dict | None:
    """The draft body of the posted form, checked by the module's schema; None (with the errors on
    the form) when it is not valid."""
    body, own_errors = policy_forms.parse(tree, form.values)
    try:
        policies.validate(module, body)
    except InvalidInput as err:
        form.fail(err, select_locale())
        form.message = _("Please correct the fields marked below.")
    for name, messages in own_errors.items():
        for message, values in messages:
            form.errors.setdefault(name, []).append(_(message, **values))
    if own_errors and form.message is None:
        form.message = _("Please correct the fields marked below.")
    form.errors = policy_forms.place_errors(tree, form.errors)
    return None if form.errors or form.message else body


@bp.post("/<module>/dry-run")
@roles_required(*EDITORS)
def dry_run_draft(module):
    spec = _spec(module)
    tree = policy_forms.build(spec.schema)
    form = _posted(tree)
    current = policies.in_force(module)
    body = _draft(module, tree, form)
    if body is None:
        return _page(module, form, tree, shown_view=current, status=422)
    result = dry_run.run(module, body)
    changed = policy_forms.changed_settings(current.body, policies.validate(module, body))
    return _page(module, form, tree, shown_view=current, result=result, changed=changed)


_LATER = re.compile(r"^must be (?P<day>\d{4}-\d{2}-\d{2}) or later(?: \(version (?P<version>\d+)\))?$")


def _effective_errors(err: InvalidInput) -> InvalidInput:
    """The service's effective-date messages in the reader's language."""
    messages = []
    for message in (err.fields or {}).get("effective_from", []):
        found = _LATER.match(message)
        if found and found.group("version"):
            messages.append(_("Must be %(day)s or later (version %(version)s starts then).", **found.groupdict()))
        elif found:
            messages.append(_("Must be %(day)s or later.", day=found.group("day")))
        else:
            messages.append(message)
    if messages:
        err.fields = {k: v for k, v in err.fields.items() if k != "effective_from"}
        err.fields[DATE] = messages
    return err


@bp.post("/<module>/publish")
@roles_required(*EDITORS)
def publish(module):
    spec = _spec(module)
    tree = policy_forms.build(spec.schema)
    form = _posted(tree)
    current = policies.in_force(module)
    body = _draft(module, tree, form)
    effective = (form.values.get(DATE) or "").strip()
    try:
        effective_from = dt.date.fromisoformat(effective) if effective else None
    except ValueError:
        effective_from = None
        form.add(DATE, "Not a valid date.")
    if not effective:
        form.add(DATE, "Missing data for required field.")
    if body is None or form.errors:
        form.message = form.message or _("Please correct the fields marked below.")
        return _page(module, form, tree, shown_view=current, status=422)
    note = (form.values.get(NOTE) or "").strip() or None
    try:
        doc = policies.publish(module, body, effective_from, note, user_id=g.user.id)
        db.session.commit()
    except KehuError as err:
        db.session.rollback()
        if isinstance(err, InvalidInput):
            err = _effective_errors(err)
        form.fail(err, select_locale())
        if form.errors:
            form.message = _("Please correct the fields marked below.")
        form.errors = policy_forms.place_errors(tree, form.errors)
        return _page(module, form, tree, shown_view=policies.in_force(module), status=422)
    flash(_("Version %(version)s published, in force from %(day)s.", version=doc.version,
            day=doc.effective_from.isoformat()), "ok")
    return redirect(url_for(".show", module=module))
