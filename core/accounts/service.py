"""Users, roles and API tokens of the current tenant."""
from __future__ import annotations

import datetime as dt

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.accounts import passwords, tokens
from core.accounts.models import ApiToken, Department, User, UserRole
from core.db import db, utcnow
from core.errors import Conflict, InvalidInput, NotFound
from core.tenancy import current_tenant_id


def known_roles() -> dict:
    from core.plugins import get_plugins

    return get_plugins().for_tenant(current_tenant_id()).records("kehu_roles")


def normalise_phone(raw: str | None, region: str = "CN") -> str | None:
    """E.164 (+8613800138000) from what a user typed; raises InvalidInput when it is no number."""
    if not raw:
        return None
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise InvalidInput("invalid phone number", fields={"phone": [f"not a valid phone number: {raw}"]})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _check_roles(roles) -> list[str]:
    roles = list(dict.fromkeys(roles or []))
    unknown = [r for r in roles if r not in known_roles()]
    if unknown:
        raise InvalidInput("unknown role", fields={"roles": [f"unknown role: {', '.join(unknown)}"]})
    return roles


def get_user(user_id: int) -> User:
    """One user with its roles (one query)."""
    user = db.session.scalars(
        select(User).where(User.id == user_id).options(joinedload(User.role_rows))).unique().first()
    if user is None:
        raise NotFound("user not found")
    return user


def find_user(username: str) -> User | None:
    return db.session.scalars(select(User).where(User.username == username)).first()


def create_user(
    username: str,
    display_name: str,
    password: str | None = None,
    roles=(),
    email: str | None = None,
    phone: str | None = None,
    region: str = "CN",
) -> User:
    errors = {}
    username = (username or "").strip()
    if not username:
        errors["username"] = ["required"]
    if password is not None and (problem := passwords.password_problem(password)):
        errors["password"] = [problem]
    if errors:
        raise InvalidInput("invalid user", fields=errors)
    if find_user(username) is not None:
        raise Conflict("username taken", fields={"username": ["already taken"]})
    user = User(
        username=username,
        display_name=display_name or username,
        email=email,
        phone=normalise_phone(phone, region),
        password_hash=passwords.hash_password(password) if password else None,
    )
    user.role_rows = [UserRole(role=r) for r in _check_roles(roles)]
    db.session.add(user)
    db.session.flush()
    return user


def update_user(user: User, **changes) -> User:
    if changes.get("is_active") is False and user.is_active:
        from core.customers.assignment.redistribution import guard_deactivation

        guard_deactivation(user)  # CUS-35 (a): refused (409) while they own customers
    if "roles" in changes:
        wanted = _check_roles(changes.pop("roles"))
        user.role_rows = [r for r in user.role_rows if r.role in wanted] + [
            UserRole(role=r) for r in wanted if r not in user.roles
        ]
    if "password" in changes:
        password = changes.pop("password")
        if problem := passwords.password_problem(password):
            raise InvalidInput("invalid password", fields={"password": [problem]})
        user.password_hash = passwords.hash_password(password)
    if "phone" in changes:
        user.phone = normalise_phone(changes.pop("phone"))
    if changes.get("department_id") is not None:
        get_department(changes["department_id"], field="department_id")
    going_on_leave = changes.get("availability") == "leave" or (
        "availability_until" in changes and changes.get("availability", user.availability) == "leave")
    for key in ("display_name", "email", "is_active", "locale", "department_id", "team", "availability",
                "availability_until"):
        if key in changes:
            setattr(user, key, changes.pop(key))
    db.session.flush()
    if going_on_leave:
        from core.customers.assignment.redistribution import redistribute_on_long_leave

        redistribute_on_long_leave(user)  # CUS-35 (b): a long leave hands the customers on (CUS-33)
    return user


def get_department(department_id: int, field: str | None = None) -> Department:
    """A department of the tenant; a missing one is 404, or a 422 on ``field`` when it was named in
    a request body."""
    department = db.session.scalars(select(Department).where(Department.id == department_id)).first()
    if department is None:
        if field:
            raise InvalidInput("unknown department", fields={field: ["no such department"]})
        raise NotFound("department not found")
    return department


def save_department(department: Department | None, **values) -> Department:
    """Create (``department`` None) or change a department. The tree stays a tree: a parent must exist
    and may not be the department itself or one of its descendants."""
    department = department or Department()
    name = values.get("name", department.name)
    if not (name or "").strip():
        raise InvalidInput("invalid department", fields={"name": ["required"]})
    clash = db.session.scalars(select(Department).where(Department.name == name.strip())).first()
    if clash is not None and clash is not department:
        raise Conflict("department name taken", fields={"name": ["already taken"]})
    parent_id = values.get("parent_id", department.parent_id)
    seen = set()
    ancestor = parent_id
    while ancestor is not None:
        if department.id is not None and ancestor == department.id or ancestor in seen:
            raise InvalidInput("invalid department", fields={"parent_id": ["would make a cycle"]})
        seen.add(ancestor)
        ancestor = get_department(ancestor, field="parent_id").parent_id
    if values.get("head_user_id") is not None:
        try:
            get_user(values["head_user_id"])
        except NotFound:
            raise InvalidInput("invalid department", fields={"head_user_id": ["no such user"]}) from None
    department.name = name.strip()
    department.parent_id = parent_id
    if "head_user_id" in values:
        department.head_user_id = values["head_user_id"]
    db.session.add(department)
    db.session.flush()
    return department


def issue_token(user: User, name: str, scopes=("read",), expires_at: dt.datetime | None = None):
    """Create a token; returns ``(ApiToken, raw token)``. The raw token is shown once, never stored."""
    bad = [s for s in scopes if s not in tokens.SCOPES]
    if bad:
        raise InvalidInput("unknown scope", fields={"scopes": [f"unknown scope: {', '.join(bad)}"]})
    secret = tokens.new_secret()
    token = ApiToken(
        user_id=user.id, name=name, token_hash=tokens.hash_secret(secret), scopes=list(scopes),
        expires_at=expires_at,
    )
    db.session.add(token)
    db.session.flush()
    return token, tokens.format_token(token.tenant_id, token.id, secret)


def revoke_token(token: ApiToken) -> None:
    token.revoked_at = utcnow()
    db.session.flush()


def load_live_token(parsed: tokens.ParsedToken) -> ApiToken | None:
    """The live token (with its user and tenant, one query) in the current tenant's scope, or None."""
    token = db.session.scalars(select(ApiToken).where(ApiToken.id == parsed.token_id)).first()
    if token is None or not tokens.secret_matches(token.token_hash, parsed.secret):
        return None
    if token.revoked_at is not None:
        return None
    if token.expires_at is not None and token.expires_at <= utcnow():
        return None
    if not token.user.is_active:
        return None
    return token
