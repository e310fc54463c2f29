"""Structured logging: one JSON object per line (KEHU_LOG_FORMAT=json) or readable text."""
from __future__ import annotations

import json
import logging
import sys

from core.tenancy import current_tenant_id_or_none


class TenantFilter(logging.Filter):
    def filter(self, record):
        record.tenant_id = current_tenant_id_or_none()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            "tenant_id": getattr(record, "tenant_id", None),
        }
        for key in ("request_id", "path", "status", "duration_ms", "job"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(fmt: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(TenantFilter())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [tenant=%(tenant_id)s] %(message)s"))
    logger = logging.getLogger("kehu")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False
