"""A tenant's regulation as policy documents: read, validate (propose), publish, history.

Version 0 of every module is its schema's defaults (``schema().load({})``) and is never stored.
A published version is immutable; it applies from ``effective_from`` (a date in the tenant's time
zone) until the next version's date. Rules ask for the version in force at the time of the fact.

Within one transaction the view in force on a day is loaded once (an import validates 100,000 rows
under one policy): :func:`in_force` keeps it in the session until the transaction ends or a version
is published.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from marshmallow import EXCLUDE, ValidationError
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from core.db import db
from core.errors import InvalidInput, NotFound
from core.policy.models import PolicyDocument
from core.tenancy import current_tenant_id


@dataclass(frozen=True)
class PolicyView:
    module: str
    version: int
    effective_from: dt.date | None
    values: dict
    body: dict  # JSON form of the values, as stored


def _tenant():
    from tenants.registry import get_tenant

    return get_tenant(current_tenant_id())


def schemas() -> dict:
    from core.plugins import get_plugins

    return get_plugins().for_tenant(_tenant()).records("kehu_policy_schemas")


def _schema_for(module: str):
    spec = schemas().get(module)
    if spec is None:
        raise NotFound(f"no policy module {module!r} for this tenant")
    return spec.schema()


def tenant_today(tenant=None) -> dt.date:
    tenant = tenant or _tenant()
    return dt.datetime.now(ZoneInfo(tenant.timezone)).date()


def _as_date(at, tenant) -> dt.date:
    if at is None:
        return tenant_today(tenant)
    if isinstance(at, dt.datetime):
        if at.tzinfo is None:
            raise ValueError("policy look-up needs an aware datetime")
        return at.astimezone(ZoneInfo(tenant.timezone)).date()
    return at


def validate(module: str, body: dict) -> dict:
    """Validate a proposed policy body; returns its JSON form with defaults filled in.
    Raises InvalidInput with field-level messages."""
    schema = _schema_for(module)
    try:
        values = schema.load(body or {})
    except ValidationError as err:
        raise InvalidInput(f"invalid {module} policy", fields=err.messages) from err
    return schema.dump(values)


# A published version never changes, and the defaults depend on the schema alone: their loaded form is
# kept for the process, keyed by (schema class, tenant, document id and version, and the body itself, so
# that a database emptied and filled again can never be answered from memory); the views are shared,
# so their values are read, never changed. Loading the ``cmp`` document builds ~40 nested schemas (~5 ms):
# once per request before, now once per process.
_LOADED: dict[tuple, tuple[dict, dict]] = {}
_LOADED_MAX = 20_000


def _loaded(module: str, doc: PolicyDocument | None) -> tuple[dict, dict]:
    spec = schemas().get(module)
    if spec is None:
        raise NotFound(f"no policy module {module!r} for this tenant")
    key = (spec.schema, None) if doc is None else (spec.schema, doc.tenant_id, doc.id, doc.version,
                                                   json.dumps(doc.body, sort_keys=True, default=str))
    found = _LOADED.get(key)
    if found is None:
        schema = spec.schema()
        if doc is None:
            values = schema.load({})
            found = (values, schema.dump(values))
        else:  # validated when published; a field a later schema no longer has is ignored, never an error
            found = (schema.load(doc.body, unknown=EXCLUDE), doc.body)
        if len(_LOADED) >= _LOADED_MAX:
            _LOADED.clear()
        _LOADED[key] = found
    return found


def _view(module: str, doc: PolicyDocument | None) -> PolicyView:
    values, body = _loaded(module, doc)
    if doc is None:
        return PolicyView(module, 0, None, values, body)
    return PolicyView(module, doc.version, doc.effective_from, values, body)


_CACHE = "kehu_policy_in_force"


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _forget_views(session, *args) -> None:
    session.info.pop(_CACHE, None)


def in_force(module: str, at=None) -> PolicyView:
    """The version in force at ``at`` (date or aware datetime; default today)."""
    tenant = _tenant()
    day = _as_date(at, tenant)
    cache = db.session.info.setdefault(_CACHE, {})
    key = (tenant.id, module, day)
    if key not in cache:
        cache[key] = _load_in_force(module, day)
    return cache[key]


def _load_in_force(module: str, day: dt.date) -> PolicyView:
    doc = db.session.scalars(
        select(PolicyDocument)
        .where(PolicyDocument.module == module, PolicyDocument.effective_from <= day)
        .order_by(PolicyDocument.effective_from.desc(), PolicyDocument.version.desc())
        .limit(1)
    ).first()
    return _view(module, doc)


def version(module: str, number: int) -> PolicyView:
    if number == 0:
        return _view(module, None)
    doc = db.session.scalars(
        select(PolicyDocument).where(PolicyDocument.module == module, PolicyDocument.version == number)
    ).first()
    if doc is None:
        raise NotFound(f"{module} policy has no version {number}")
    return _view(module, doc)


def history(module: str) -> list[PolicyDocument]:
    _schema_for(module)
    return list(
        db.session.scalars(
            select(PolicyDocument).where(PolicyDocument.module == module).order_by(PolicyDocument.version)
        )
    )


def all_versions(module: str) -> list[PolicyView]:
    """Version 0 (the defaults) and every published version, oldest first, loaded."""
    return [_view(module, None)] + [_view(module, doc) for doc in history(module)]


def publish(module: str, body: dict, effective_from: dt.date | None = None, note: str | None = None,
            user_id: int | None = None) -> PolicyDocument:
    """Publish a new version. It may not start before today nor before the latest version, so that
    publishing never re-judges the past (spec §1, policy versions)."""
    tenant = _tenant()
    today = tenant_today(tenant)
    effective_from = effective_from or today
    stored = validate(module, body)
    latest = db.session.scalars(
        select(PolicyDocument).where(PolicyDocument.module == module)
        .order_by(PolicyDocument.version.desc()).limit(1)
    ).first()
    if effective_from < today:
        raise InvalidInput("effective date in the past",
                           fields={"effective_from": [f"must be {today.isoformat()} or later"]})
    if latest is not None and effective_from < latest.effective_from:
        raise InvalidInput("effective date before the latest version", fields={
            "effective_from": [f"must be {latest.effective_from.isoformat()} or later (version {latest.version})"]
        })
    doc = PolicyDocument(
        module=module,
        version=(latest.version + 1) if latest else 1,
        effective_from=effective_from,
        body=stored,
        note=note,
        published_by=user_id,
    )
    db.session.add(doc)
    db.session.flush()
    db.session.info.pop(_CACHE, None)  # the new version is in force from its date on
    return doc
