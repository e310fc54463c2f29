"""API tokens: ``kh_<tenant id>_<token id>_<secret>``. Only a SHA-256 of the secret is stored (the
secret is 256 random bits, so a slow hash adds nothing). The tenant comes from the token itself, never
from a header, so a token can only ever act in its own tenant."""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

SCOPES = ("read", "write", "admin")
_TOKEN_RE = re.compile(r"^kh_(\d{1,19})_(\d{1,19})_([A-Za-z0-9_-]{20,100})$")


@dataclass(frozen=True)
class ParsedToken:
    tenant_id: int
    token_id: int
    secret: str


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def format_token(tenant_id: int, token_id: int, secret: str) -> str:
    return f"kh_{tenant_id}_{token_id}_{secret}"


def parse_token(raw: str) -> ParsedToken | None:
    match = _TOKEN_RE.match(raw or "")
    if not match:
        return None
    return ParsedToken(int(match.group(1)), int(match.group(2)), match.group(3))


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(stored_hash: str, secret: str) -> bool:
    return hmac.compare_digest(stored_hash, hash_secret(secret))
