"""Login rate limiting: after N failed logins for one account, or 4N from one address, within the
window, further attempts are refused until the window passes. Redis holds the counters when
configured (several app processes share them); otherwise an in-process table does."""
from __future__ import annotations

import threading
import time


class MemoryCounters:
    def __init__(self):
        self._lock = threading.Lock()
        self._hits: dict[str, list[float]] = {}

    def count(self, key: str, window: int) -> int:
        now = time.monotonic()
        with self._lock:
            hits = [t for t in self._hits.get(key, []) if now - t < window]
            self._hits[key] = hits
            return len(hits)

    def hit(self, key: str, window: int) -> None:
        with self._lock:
            self._hits.setdefault(key, []).append(time.monotonic())

    def clear(self, key: str) -> None:
        with self._lock:
            self._hits.pop(key, None)


class RedisCounters:
    def __init__(self, client):
        self._redis = client

    def count(self, key: str, window: int) -> int:
        return int(self._redis.get(f"kehu:login:{key}") or 0)

    def hit(self, key: str, window: int) -> None:
        pipe = self._redis.pipeline()
        pipe.incr(f"kehu:login:{key}")
        pipe.expire(f"kehu:login:{key}", window, nx=True)
        pipe.execute()

    def clear(self, key: str) -> None:
        self._redis.delete(f"kehu:login:{key}")


class LoginLimiter:
    def __init__(self, counters, max_failures: int, window: int):
        self.counters = counters
        self.max_failures = max_failures
        self.window = window

    def _keys(self, tenant_id: int, username: str, address: str):
        return f"u:{tenant_id}:{username.lower()}", f"a:{address}"

    def blocked(self, tenant_id: int, username: str, address: str) -> bool:
        user_key, addr_key = self._keys(tenant_id, username, address)
        return (self.counters.count(user_key, self.window) >= self.max_failures
                or self.counters.count(addr_key, self.window) >= 4 * self.max_failures)

    def failed(self, tenant_id: int, username: str, address: str) -> None:
        for key in self._keys(tenant_id, username, address):
            self.counters.hit(key, self.window)

    def succeeded(self, tenant_id: int, username: str, address: str) -> None:
        self.counters.clear(self._keys(tenant_id, username, address)[0])


def limiter_for(app) -> LoginLimiter:
    url = app.config.get("KEHU_REDIS_URL")
    if url:
        import redis

        counters = RedisCounters(redis.Redis.from_url(url))
    else:
        counters = MemoryCounters()
    return LoginLimiter(counters, app.config["KEHU_LOGIN_MAX_FAILURES"], app.config["KEHU_LOGIN_WINDOW_SECONDS"])
