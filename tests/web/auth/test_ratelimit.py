"""Login lock-out counters: in-process (embedded) and in Redis (several app processes)."""
import uuid

import pytest
import redis

from web.auth.ratelimit import LoginLimiter, MemoryCounters, RedisCounters


def _exercise(limiter: LoginLimiter):
    for _ in range(3):
        assert not limiter.blocked(1, "Admin", "10.0.0.1")
        limiter.failed(1, "Admin", "10.0.0.1")
    assert limiter.blocked(1, "admin", "10.0.0.2")  # per account, whatever the address or case
    assert not limiter.blocked(2, "admin", "10.0.0.3")  # another tenant's account is separate
    limiter.succeeded(1, "admin", "10.0.0.1")
    assert not limiter.blocked(1, "admin", "10.0.0.4")


def test_memory_counters():
    _exercise(LoginLimiter(MemoryCounters(), max_failures=3, window=60))


def test_address_limit_stops_spraying_many_accounts():
    limiter = LoginLimiter(MemoryCounters(), max_failures=2, window=60)
    for i in range(8):
        limiter.failed(1, f"user{i}", "10.9.9.9")
    assert limiter.blocked(1, "someone-else", "10.9.9.9")


def test_redis_counters_shared_between_processes():
    client = redis.Redis.from_url("redis://127.0.0.1:6379/15")
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.fail("Redis is not running on 127.0.0.1:6379 (make test starts it)")
    prefix_user = f"u-{uuid.uuid4().hex[:8]}"
    first = LoginLimiter(RedisCounters(client), max_failures=2, window=60)
    second = LoginLimiter(RedisCounters(redis.Redis.from_url("redis://127.0.0.1:6379/15")), max_failures=2, window=60)
    first.failed(1, prefix_user, "1.1.1.1")
    second.failed(1, prefix_user, "1.1.1.2")
    assert first.blocked(1, prefix_user, "1.1.1.3") and second.blocked(1, prefix_user, "1.1.1.3")
    assert 0 < client.ttl(f"kehu:login:u:1:{prefix_user}") <= 60
    first.succeeded(1, prefix_user, "1.1.1.1")
    assert not second.blocked(1, prefix_user, "1.1.1.9")
