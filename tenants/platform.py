"""Platform admins: operators who manage tenants and belong to none. Token ``kp_<id>_<secret>``."""
from __future__ import annotations

import re

from sqlalchemy import select

from core.accounts import passwords, tokens
from core.db import db
from core.errors import Conflict, InvalidInput
from tenants.models import PlatformAdmin

_TOKEN_RE = re.compile(r"^kp_(\d{1,19})_([A-Za-z0-9_-]{20,100})$")


def create_admin(username: str, password: str) -> tuple[PlatformAdmin, str]:
    """Create a platform admin; returns it and its API token (shown once)."""
    if problem := passwords.password_problem(password or ""):
        raise InvalidInput("invalid password", fields={"password": [problem]})
    if db.session.scalars(select(PlatformAdmin).where(PlatformAdmin.username == username)).first():
        raise Conflict("username taken", fields={"username": ["already taken"]})
    secret = tokens.new_secret()
    admin = PlatformAdmin(username=username, password_hash=passwords.hash_password(password),
                          token_hash=tokens.hash_secret(secret))
    db.session.add(admin)
    db.session.flush()
    return admin, f"kp_{admin.id}_{secret}"


def resolve_platform_token(raw: str) -> PlatformAdmin | None:
    match = _TOKEN_RE.match(raw or "")
    if not match:
        return None
    admin = db.session.get(PlatformAdmin, int(match.group(1)))
    if admin is None or not admin.token_hash or not tokens.secret_matches(admin.token_hash, match.group(2)):
        return None
    return admin
