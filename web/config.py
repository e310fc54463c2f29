"""Settings from environment variables, with the embedded defaults of the one-command run.

| variable | default | meaning |
| --- | --- | --- |
| KEHU_DATABASE_URL | sqlite:///<instance>/kehu.db | SQLAlchemy URL (postgresql+psycopg://... in production) |
| KEHU_REDIS_URL | (none: jobs run in-process) | Redis for rq workers, rate limits |
| KEHU_JOBS_MODE | rq with Redis, else embedded | rq, embedded (a thread in the app) or inline (tests) |
| KEHU_SECRET_KEY | generated once into <instance>/secret_key | session signing key |
| KEHU_DB_APP_ROLE | kehu_app | PostgreSQL role the app acts as (owns no table; RLS applies); empty to disable |
| KEHU_LOG_FORMAT | text | text or json |
| KEHU_LOGIN_MAX_FAILURES | 5 | failed logins per user and address within the window before a lock-out |
| KEHU_LOGIN_WINDOW_SECONDS | 300 | the lock-out window |
| KEHU_INSTANCE_PATH | ./instance | where the SQLite file, the secret key and exports live |
| KEHU_ATTACHMENTS_PATH | <instance>/attachments | where attachment files live (`<tenant_id>/<yyyy>/<mm>/<key>`); back it up with the database |
| KEHU_ATTACHMENT_MAX_MB | 20 | the platform's cap on one attachment (a tenant's svc.attachments.max_mb never passes it); the request size limit (MAX_CONTENT_LENGTH) follows it |
| KEHU_PROXY_COUNT | 0 | reverse proxies in front of the app whose X-Forwarded-* headers are trusted |
| KEHU_SECURE_COOKIES | 0 | 1: session cookies only over HTTPS |
| KEHU_ACCESS_LOG | 0 | 1: one log line per request (method, path, status, duration, tenant) |
| KEHU_DB_PRE_PING | 0 | 1: test each pooled connection before use (one more round trip per request) |
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path


def _instance_path(config: dict) -> Path:
    path = Path(config.get("INSTANCE_PATH") or os.environ.get("KEHU_INSTANCE_PATH") or "instance")
    path = path.resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _secret_key(instance: Path) -> str:
    if os.environ.get("KEHU_SECRET_KEY"):
        return os.environ["KEHU_SECRET_KEY"]
    key_file = instance / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def load_settings(overrides: dict | None = None) -> dict:
    """Flask config from the environment, then ``overrides`` (tests, CLI)."""
    overrides = dict(overrides or {})
    instance = _instance_path(overrides)
    env = os.environ
    database_url = env.get("KEHU_DATABASE_URL") or f"sqlite:///{instance / 'kehu.db'}"
    settings = {
        "INSTANCE_PATH": str(instance),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "KEHU_REDIS_URL": env.get("KEHU_REDIS_URL") or None,
        "KEHU_JOBS_MODE": env.get("KEHU_JOBS_MODE") or None,
        "SECRET_KEY": None,
        "KEHU_DB_APP_ROLE": env.get("KEHU_DB_APP_ROLE", "kehu_app"),
        "KEHU_LOG_FORMAT": env.get("KEHU_LOG_FORMAT", "text"),
        "KEHU_LOGIN_MAX_FAILURES": int(env.get("KEHU_LOGIN_MAX_FAILURES", "5")),
        "KEHU_LOGIN_WINDOW_SECONDS": int(env.get("KEHU_LOGIN_WINDOW_SECONDS", "300")),
        "KEHU_LOAD_ENTRY_POINTS": True,
        "KEHU_PROXY_COUNT": int(env.get("KEHU_PROXY_COUNT", "0")),
        "KEHU_ACCESS_LOG": env.get("KEHU_ACCESS_LOG", "0") == "1",
        "KEHU_DB_PRE_PING": env.get("KEHU_DB_PRE_PING", "0") == "1",
        "KEHU_ATTACHMENTS_PATH": env.get("KEHU_ATTACHMENTS_PATH") or str(instance / "attachments"),
        "KEHU_ATTACHMENT_MAX_MB": int(env.get("KEHU_ATTACHMENT_MAX_MB", "20")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env.get("KEHU_SECURE_COOKIES", "0") == "1",
        "BABEL_DEFAULT_LOCALE": "zh_Hans_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "API_TITLE": "Kehu API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_REDOC_PATH": None,
        "OPENAPI_SWAGGER_UI_PATH": None,
    }
    settings.update(overrides)
    if not settings["SECRET_KEY"]:
        settings["SECRET_KEY"] = _secret_key(instance)
    return settings
