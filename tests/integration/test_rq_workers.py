"""The background jobs with real parts: PostgreSQL, Redis and real rq worker processes (``kehu worker``).

The unit tests (tests/workers/) run jobs inline; here the test enqueues through the app's RQ backend and
a separate worker process (``tests/integration/worker_main.py``: the real ``web.cli.worker`` command on
the test database with the sample plugin) runs them. Every test asserts the effects in PostgreSQL: the
``SampleReading`` rows (one per natural key) and the ``JobRecord`` status and attempts.

Redis: the shared server on 127.0.0.1:6379 with its own db index (flushed before and after each test);
the tests that restart Redis start their own ``redis-server`` on a free port and stop it afterwards.
"""
from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import redis
from rq import Queue
from rq.job import Job
from rq.registry import ScheduledJobRegistry, StartedJobRegistry
from rq.scheduler import RQScheduler
from rq.serializers import JSONSerializer
from sqlalchemy import select, text

from core.db import db
from core.tenancy import tenant_scope
from tests.plugins.sample_models import SampleReading
from workers import dispatch
from workers.backends import RQBackend
from workers.fanout import (
    MemoryLedger,
    RedisLedger,
    fanout,
    redis_minute_lock,
    rq_job_id,
    tick_forever,
)
from workers.models import JobRecord
from workers.registry import get_job

pytestmark = pytest.mark.postgres_only

ROOT = Path(__file__).resolve().parents[2]
SHARED_REDIS_URL = os.environ.get("KEHU_TEST_JOBS_REDIS", "redis://127.0.0.1:6379/13")
QUEUES = ("default", "long")
UTC = dt.UTC


def _descendants(pid: int) -> list[int]:
    """The processes forked from ``pid``, at any depth (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")  # an orphaned zombie may wait for a reaper: it runs no more


# --- worker processes ----------------------------------------------------------------------------

class WorkerProcesses:
    """Starts ``python -m tests.integration.worker_main`` (the real ``kehu worker``), each in its own
    process group so that the worker, its rq work horse and its scheduler process can be killed together."""

    def __init__(self, database_url: str, directory: Path):
        self.database_url = database_url
        self.directory = directory
        (directory / "instance").mkdir(parents=True, exist_ok=True)
        self.started: list[subprocess.Popen] = []
        self.logs: list[Path] = []

    def _spawn(self, redis_url: str, burst: bool) -> subprocess.Popen:
        command = [sys.executable, "-m", "tests.integration.worker_main", "--redis", redis_url,
                   "--database", self.database_url, "--instance", str(self.directory / "instance")]
        if burst:
            command.append("--burst")
        log = self.directory / f"worker-{len(self.logs) + 1}.log"
        self.logs.append(log)
        with open(log, "wb") as out:
            proc = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                    env={**os.environ, "PYTHONUNBUFFERED": "1"}, start_new_session=True)
        proc.log = log  # type: ignore[attr-defined]
        self.started.append(proc)
        return proc

    def burst(self, redis_url: str, timeout: float = 60) -> str:
        """Run one burst worker to its end (it first moves due scheduled retries to their queue, then
        works until the queues are empty). Returns its log."""
        proc = self._spawn(redis_url, burst=True)
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill(proc)
            pytest.fail(f"burst worker still running after {timeout}s:\n{proc.log.read_text()}")
        output = proc.log.read_text()
        assert code == 0, f"burst worker exited with {code}:\n{output}"
        return output

    def start(self, redis_url: str) -> subprocess.Popen:
        """A long-running worker (``kehu worker`` without --burst: rq's scheduler in a forked process)."""
        return self._spawn(redis_url, burst=False)

    @staticmethod
    def kill(proc: subprocess.Popen) -> list[int]:
        """SIGKILL the worker and every process it forked (rq's work horse calls ``setpgrp()``, so it is
        not in the worker's process group; the scheduler process is), then wait until all are gone."""
        pids = [proc.pid, *_descendants(proc.pid)]
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        proc.wait(timeout=10)
        wait_for(lambda: not any(_alive(pid) for pid in pids), 10, f"processes {pids} to die")
        return pids

    def stop(self, proc: subprocess.Popen) -> None:
        """A warm shutdown (SIGTERM, as a process manager does): rq stops its scheduler and exits."""
        descendants = _descendants(proc.pid)
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill(proc)
        assert proc.returncode == 0, f"worker exited with {proc.returncode}:\n{proc.log.read_text()}"
        wait_for(lambda: not any(_alive(pid) for pid in descendants), 10, f"processes {descendants} to end")

    def close(self) -> None:
        for proc in self.started:
            if proc.poll() is None:
                self.kill(proc)


@pytest.fixture
def workers(database_url, tmp_path):
    processes = WorkerProcesses(database_url, tmp_path / "workers")
    yield processes
    processes.close()  # before ctx empties the tables


# --- Redis ---------------------------------------------------------------------------------------

def _connect(url: str) -> redis.Redis:
    return redis.Redis.from_url(url)


@pytest.fixture
def shared_redis():
    """The shared Redis, on a db index of its own, empty before and after the test."""
    connection = _connect(SHARED_REDIS_URL)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.fail(f"Redis is not running at {SHARED_REDIS_URL} (make test starts it)")
    connection.flushdb()
    yield connection
    connection.flushdb()
    connection.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A redis-server of this test only (never the shared one), restartable on the same port and dir."""

    def __init__(self, directory: Path, persistent: bool):
        self.directory = directory
        self.persistent = persistent
        self.port = _free_port()
        self.proc: subprocess.Popen | None = None
        directory.mkdir(parents=True, exist_ok=True)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "yes" if self.persistent else "no", "--dir", str(self.directory),
             "--logfile", str(self.directory / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        connection = _connect(self.url)
        deadline = time.monotonic() + 10
        while True:
            try:
                connection.ping()
                break
            except (redis.exceptions.ConnectionError, redis.exceptions.BusyLoadingError):
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server on port {self.port} did not start: "
                                       f"{(self.directory / 'redis.log').read_text(errors='replace')}")
                time.sleep(0.05)
        connection.close()

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        connection = _connect(self.url)
        try:
            connection.shutdown(nosave=not self.persistent)  # with AOF: the file is flushed first
        except redis.exceptions.RedisError:
            pass
        finally:
            connection.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture
def own_redis(tmp_path):
    servers: list[RedisServer] = []

    def start(persistent: bool) -> RedisServer:
        server = RedisServer(tmp_path / f"redis-{len(servers)}", persistent)
        servers.append(server)
        server.start()
        return server

    yield start
    for server in servers:
        server.stop()


# --- the test app's backend ----------------------------------------------------------------------

@pytest.fixture
def use_rq(ctx):
    """Point the (session) app's job backend at an RQ backend on a given Redis; restored afterwards."""
    previous = ctx.extensions["kehu_jobs"]

    def switch(url: str) -> RQBackend:
        backend = RQBackend(url)
        ctx.extensions["kehu_jobs"] = backend
        return backend

    yield switch
    ctx.extensions["kehu_jobs"] = previous


@pytest.fixture
def rq_backend(use_rq, shared_redis):
    return use_rq(SHARED_REDIS_URL)


@pytest.fixture
def tenant(make_tenant):
    return make_tenant("int-jobs", "集成公司", plugins=["sample"])


# --- reading the truth ---------------------------------------------------------------------------

def readings(tenant_id: int) -> list[str]:
    db.session.rollback()
    with tenant_scope(tenant_id):
        return sorted(db.session.scalars(select(SampleReading.meter)))


def job_row(owner_engine, record_id: int) -> dict:
    """A job record as the table owner sees it (no tenant filter, no row-level security)."""
    with owner_engine.connect() as conn:
        row = conn.execute(text("select tenant_id, name, status, attempts, result, error, ended_at, "
                                "progress_done from jobs where id = :i"), {"i": record_id}).mappings().one()
    return dict(row)


def wait_for(predicate, timeout: float, message: str, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


def queue(connection: redis.Redis, name: str = "default") -> Queue:
    return Queue(name, connection=connection, serializer=JSONSerializer)


def rq_job(connection: redis.Redis, job_id: str) -> Job:
    return Job.fetch(job_id, connection=connection, serializer=JSONSerializer)


def scheduled(connection: redis.Redis) -> dict[str, float]:
    """Jobs rq holds for a later retry: job id -> when it is due (unix time)."""
    due = {}
    for name in QUEUES:
        key = ScheduledJobRegistry(name, connection=connection, serializer=JSONSerializer).key
        due.update({k.decode(): score for k, score in connection.zrange(key, 0, -1, withscores=True)})
    return due


def queued_count(connection: redis.Redis) -> int:
    return sum(queue(connection, name).count for name in QUEUES)


def run_until(workers: WorkerProcesses, url: str, done, message: str, timeout: float = 30):
    """Run a long-running worker (``kehu worker``: rq's scheduler process moves due retries to their
    queue every second) until ``done()``, then shut it down."""
    worker = workers.start(url)
    try:
        wait_for(done, timeout, f"{message} (worker log: {worker.log})", interval=0.1)
    finally:
        workers.stop(worker)


def drain(workers: WorkerProcesses, url: str, timeout: float = 40) -> int:
    """Run burst workers until no job is queued or scheduled for a retry; returns how many ran. A burst
    worker started with rq's scheduler moves the retries that are due to their queue when it starts, so
    one is started again whenever the next retry comes due."""
    connection = _connect(url)
    deadline = time.monotonic() + timeout
    runs = 0
    try:
        while True:
            workers.burst(url)
            runs += 1
            pending = scheduled(connection)
            if not pending and queued_count(connection) == 0:
                return runs
            assert time.monotonic() < deadline, f"jobs still pending after {timeout}s: {pending}"
            if pending:
                time.sleep(max(0.0, min(pending.values()) - time.time()) + 0.05)
    finally:
        connection.close()


# --- 1. enqueue after commit ---------------------------------------------------------------------

def test_job_enqueued_after_commit_runs_in_a_worker_process(ctx, tenant, rq_backend, shared_redis, workers,
                                                            owner_engine):
    with tenant_scope(tenant.id):
        record = dispatch.enqueue("sample.flaky", {"fail_times": 0, "meter": "after-commit"})
        record_id = record.id
        assert shared_redis.dbsize() == 0  # nothing is handed to Redis before the commit
        db.session.commit()
    job_id = f"kehu-{tenant.id}-{record_id}"
    assert queue(shared_redis).job_ids == [job_id]
    assert job_row(owner_engine, record_id)["status"] == "queued"

    workers.burst(SHARED_REDIS_URL)

    assert readings(tenant.id) == ["after-commit"]
    row = job_row(owner_engine, record_id)
    assert (row["tenant_id"], row["status"], row["attempts"], row["result"], row["error"]) == (
        tenant.id, "finished", 1, {"new": True}, None)
    delivered = rq_job(shared_redis, job_id)
    assert delivered.get_status() == "finished" and delivered.return_value() == {"new": True}
    with tenant_scope(tenant.id):  # the record is the tenant's, read through its scope too
        db.session.expire_all()
        assert db.session.scalars(select(JobRecord.status).where(JobRecord.id == record_id)).one() == "finished"


def test_rolled_back_enqueue_leaves_redis_empty(ctx, tenant, rq_backend, shared_redis, owner_engine):
    with tenant_scope(tenant.id):
        dispatch.enqueue("sample.flaky", {"fail_times": 0, "meter": "never"})
        db.session.rollback()
        db.session.commit()  # a later commit of the same session delivers nothing either
    assert shared_redis.dbsize() == 0
    with owner_engine.connect() as conn:
        assert conn.execute(text("select count(*) from jobs")).scalar() == 0
    assert readings(tenant.id) == []


# --- 2. retries ----------------------------------------------------------------------------------

def test_transient_failure_is_retried_by_rq_with_backoff(ctx, tenant, rq_backend, shared_redis, workers,
                                                         owner_engine):
    with tenant_scope(tenant.id):
        record = dispatch.enqueue("sample.flaky", {"fail_times": 2, "kind": "transient", "meter": "flaky"})
        db.session.commit()
        record_id = record.id
    job_id = f"kehu-{tenant.id}-{record_id}"

    workers.burst(SHARED_REDIS_URL)  # attempt 1 fails: rq schedules the retry after the first interval
    row = job_row(owner_engine, record_id)
    assert (row["status"], row["attempts"], row["error"]) == (
        "retrying", 1, "TransientJobError: upstream unavailable")
    pending = scheduled(shared_redis)
    assert list(pending) == [job_id] and queued_count(shared_redis) == 0
    first = rq_job(shared_redis, job_id)
    assert first.get_status() == "scheduled" and first.retries_left == 2
    assert first.retry_intervals == [1, 1, 1]  # sample.flaky's backoff
    backoff = pending[job_id] - row["ended_at"].timestamp()  # rq stores whole seconds: (0, 1]
    assert 0 <= backoff <= 1.5, backoff

    runs = drain(workers, SHARED_REDIS_URL)

    assert runs == 2  # attempt 2 (fails, scheduled again), attempt 3 (succeeds)
    row = job_row(owner_engine, record_id)
    assert (row["status"], row["attempts"], row["result"], row["error"]) == ("finished", 3, {"new": True}, None)
    assert readings(tenant.id) == ["flaky"]
    assert rq_job(shared_redis, job_id).get_status() == "finished"


def test_transient_failure_without_retries_left_fails_in_rq_and_in_the_record(
        ctx, tenant, rq_backend, shared_redis, workers, owner_engine):
    with tenant_scope(tenant.id):
        record = dispatch.enqueue("sample.flaky", {"fail_times": 9, "kind": "transient", "meter": "never"})
        db.session.commit()
        record_id = record.id

    job_id = f"kehu-{tenant.id}-{record_id}"

    run_until(workers, SHARED_REDIS_URL, lambda: rq_job(shared_redis, job_id).get_status() == "failed",
              "the retries to run out")

    row = job_row(owner_engine, record_id)  # 1 run + 3 retries; the last one knows it is the last
    assert (row["status"], row["attempts"], row["error"]) == ("failed", 4, "TransientJobError: upstream unavailable")
    assert readings(tenant.id) == []
    delivered = rq_job(shared_redis, job_id)
    assert delivered.get_status() == "failed" and delivered.retries_left == 0
    assert scheduled(shared_redis) == {} and queued_count(shared_redis) == 0


def test_bad_data_fails_once_and_is_not_retried(ctx, tenant, rq_backend, shared_redis, workers, owner_engine):
    with tenant_scope(tenant.id):
        record = dispatch.enqueue("sample.flaky", {"fail_times": 1, "kind": "bad", "meter": "bad"})
        db.session.commit()
        record_id = record.id

    workers.burst(SHARED_REDIS_URL)

    row = job_row(owner_engine, record_id)
    assert (row["status"], row["attempts"], row["error"]) == (
        "failed", 1, "ValueError: bad row 1: amount is not a number")
    assert scheduled(shared_redis) == {} and queued_count(shared_redis) == 0  # no retry anywhere
    # the failure is the record's: for rq the job ended normally (and so is not retried)
    assert rq_job(shared_redis, f"kehu-{tenant.id}-{record_id}").get_status() == "finished"
    assert readings(tenant.id) == []


# --- 3. a worker killed in the middle of a job ---------------------------------------------------

def test_job_of_a_killed_worker_runs_again_once(ctx, tenant, rq_backend, shared_redis, workers, owner_engine):
    with tenant_scope(tenant.id):
        record = dispatch.enqueue("sample.slow", {"seconds": 6, "meter": "m"})
        db.session.commit()
        record_id = record.id
    job_id = f"kehu-{tenant.id}-{record_id}"

    worker = workers.start(SHARED_REDIS_URL)
    wait_for(lambda: (r := job_row(owner_engine, record_id))["status"] == "started" and r["progress_done"] >= 2,
             20, f"the job to be working (worker log: {worker.log})")
    killed = workers.kill(worker)  # the worker, its work horse and its scheduler process: SIGKILL
    assert len(killed) >= 3, killed  # worker, rq scheduler process, work horse running the job

    row = job_row(owner_engine, record_id)
    assert (row["status"], row["attempts"]) == ("started", 1) and readings(tenant.id) == []
    started = StartedJobRegistry("default", connection=shared_redis, serializer=JSONSerializer)
    assert started.get_job_ids(cleanup=False) == [job_id]  # rq still thinks it runs

    # rq notices the abandoned job when its registry entry expires (a worker's maintenance): now, here
    started.cleanup(timestamp=time.time() + 24 * 3600)
    assert started.get_job_ids(cleanup=False) == [] and list(scheduled(shared_redis)) == [job_id]
    # the killed scheduler's locks would only expire in a minute: as if they had
    shared_redis.delete(*(RQScheduler.get_locking_key(name) for name in QUEUES))

    drain(workers, SHARED_REDIS_URL)

    assert readings(tenant.id) == ["m"]
    row = job_row(owner_engine, record_id)
    assert (row["status"], row["attempts"], row["result"]) == ("finished", 2, {"new": True})
    assert rq_job(shared_redis, job_id).get_status() == "finished"


# --- 4. Redis restarted between enqueue and execution --------------------------------------------

def test_queued_job_survives_a_restart_of_redis_with_persistence(ctx, tenant, use_rq, own_redis, workers,
                                                                 owner_engine):
    server = own_redis(persistent=True)
    use_rq(server.url)
    with tenant_scope(tenant.id):
        record = dispatch.enqueue("sample.flaky", {"fail_times": 0, "meter": "aof"})
        db.session.commit()
        record_id = record.id

    server.restart()

    connection = _connect(server.url)
    assert queue(connection).job_ids == [f"kehu-{tenant.id}-{record_id}"]  # the AOF kept the queue
    with tenant_scope(tenant.id):
        from workers.recovery import requeue_lost

        assert requeue_lost(tenant.id, older_than=dt.timedelta(0)) == []  # still in the queue: not lost
    workers.burst(server.url)

    assert readings(tenant.id) == ["aof"]
    row = job_row(owner_engine, record_id)
    assert (row["status"], row["attempts"]) == ("finished", 1)
    assert queued_count(connection) == 0
    connection.close()


def test_job_lost_with_redis_is_requeued_from_its_record(ctx, tenant, use_rq, own_redis, workers, owner_engine):
    from workers.recovery import requeue_lost

    server = own_redis(persistent=False)
    backend = use_rq(server.url)
    with tenant_scope(tenant.id):
        record = dispatch.enqueue("sample.flaky", {"fail_times": 0, "meter": "lost"})
        db.session.commit()
        record_id = record.id
    job_id = f"kehu-{tenant.id}-{record_id}"
    assert backend.is_pending(tenant.id, record_id)

    server.restart()  # no persistence: the queued job is gone

    connection = _connect(server.url)
    assert connection.dbsize() == 0 and not backend.is_pending(tenant.id, record_id)
    with tenant_scope(tenant.id):  # the same backend object, reconnecting to the restarted server
        assert requeue_lost(tenant.id, older_than=dt.timedelta(0)) == [record_id]
        assert requeue_lost(tenant.id, older_than=dt.timedelta(0)) == []  # queued again: not lost any more
    assert queue(connection).job_ids == [job_id]

    workers.burst(server.url)

    assert readings(tenant.id) == ["lost"]
    row = job_row(owner_engine, record_id)
    assert (row["status"], row["attempts"], row["result"]) == ("finished", 1, {"new": True})
    with tenant_scope(tenant.id):
        assert requeue_lost(tenant.id, older_than=dt.timedelta(0)) == []  # finished: nothing to requeue
    assert queued_count(connection) == 0
    connection.close()


# --- 5. periodic fan-out -------------------------------------------------------------------------

SLOT_NOW = dt.datetime(2026, 12, 1, 2, 15, 31, tzinfo=UTC)  # 10:15 in Shanghai, 08:15 in Urumqi (no core job at :x0/:x5)


def _fan_out_across_three_tenants(backend, connection, workers, tenants, owner_engine, job_id_of):
    a, b, c = tenants
    slots = {a.id: "2026-12-01T10:15+08:00", b.id: "2026-12-01T08:15+06:00"}
    expected = sorted((t, "sample.tick", slot) for t, slot in slots.items())

    first = fanout(SLOT_NOW, backend, RedisLedger(connection))
    again = fanout(SLOT_NOW, backend, RedisLedger(connection))  # the same scheduler ticks twice
    other = fanout(SLOT_NOW, backend, RedisLedger(_connect(SHARED_REDIS_URL)))  # a second scheduler

    assert sorted(first.enqueued) == expected and first.tenants == 3
    assert (again.enqueued, again.already_claimed) == ([], 2)
    assert (other.enqueued, other.already_claimed) == ([], 2)
    job_ids = queue(connection).job_ids
    assert sorted(job_ids) == sorted(job_id_of(t, job, slot) for t, job, slot in expected)  # each once

    workers.burst(SHARED_REDIS_URL)

    assert readings(a.id) == [f"sample.tick@{slots[a.id]}"]
    assert readings(b.id) == [f"sample.tick@{slots[b.id]}"]
    assert readings(c.id) == []
    with owner_engine.connect() as conn:
        rows = conn.execute(text("select tenant_id, dedupe_key, status, attempts from jobs order by tenant_id"))
        assert [tuple(r) for r in rows] == [(t, f"sample.tick@{slot}", "finished", 1) for t, _, slot in
                                            sorted(expected)]

    # the same slot delivered again without the ledger (a scheduler that lost its Redis keys, a
    # re-enqueued rq job): the job's dedupe key makes the second delivery a no-op
    assert len(fanout(SLOT_NOW, backend, MemoryLedger()).enqueued) == 2
    workers.burst(SHARED_REDIS_URL)
    assert readings(a.id) == [f"sample.tick@{slots[a.id]}"] and readings(b.id) == [f"sample.tick@{slots[b.id]}"]
    with owner_engine.connect() as conn:
        assert conn.execute(text("select count(*), sum(attempts) from jobs")).one() == (2, 2)


def test_periodic_fanout_through_rq_runs_each_slot_once_per_tenant(ctx, three_tenants, rq_backend, shared_redis,
                                                                   workers, owner_engine):
    _fan_out_across_three_tenants(rq_backend, shared_redis, workers, three_tenants, owner_engine,
                                  job_id_of=lambda t, job, slot: rq_job_id(t, job, SLOT_NOW.replace(second=0)))


def test_scheduler_minute_lock_admits_one_scheduler_per_minute(shared_redis):
    minute = SLOT_NOW.replace(second=0)
    one, two = redis_minute_lock(shared_redis), redis_minute_lock(_connect(SHARED_REDIS_URL))
    assert one(minute) is True
    assert one(minute) is False and two(minute) is False
    next_minute = minute + dt.timedelta(minutes=1)
    assert two(next_minute) is True and one(next_minute) is False
    assert 0 < shared_redis.ttl(f"kehu:fanout:{minute:%Y%m%d%H%M}") <= 600


class Recorder:
    def __init__(self):
        self.submitted: list[tuple[int, str, str]] = []
        self._lock = threading.Lock()

    def submit(self, spec, tenant_id, args, record_id=None, dedupe_key=None, job_id=None, pipeline=None):
        with self._lock:
            self.submitted.append((tenant_id, spec.name, dedupe_key))


def test_two_schedulers_fan_out_each_minute_once(ctx, three_tenants, shared_redis):
    """Two ``kehu scheduler`` loops (tick_forever with the Redis minute lock and ledger) at once."""
    a, b, c = three_tenants
    recorder, previous = Recorder(), ctx.extensions["kehu_jobs"]
    ctx.extensions["kehu_jobs"] = recorder
    ticks: list[tuple[dt.datetime, bool]] = []

    def minute_lock(connection):
        lock = redis_minute_lock(connection)

        def locked(minute):
            won = lock(minute)
            ticks.append((minute, won))
            return won

        return locked

    stop = threading.Event()
    threads = []
    for _ in range(2):
        connection = _connect(SHARED_REDIS_URL)
        threads.append(threading.Thread(target=tick_forever, args=(ctx, RedisLedger(connection), stop),
                                        kwargs={"lock": minute_lock(connection)}, daemon=True))
    try:
        for thread in threads:
            thread.start()
        wait_for(lambda: len(ticks) >= 2, 10, "both schedulers to tick")
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
        ctx.extensions["kehu_jobs"] = previous
    assert not any(thread.is_alive() for thread in threads)

    minutes = {minute for minute, _ in ticks}
    assert all(sum(won for m, won in ticks if m == minute) == 1 for minute in minutes), ticks
    assert len(recorder.submitted) == len(set(recorder.submitted)), recorder.submitted
    ticked = {(t, job) for t, job, _ in recorder.submitted}
    assert {(a.id, "sample.tick"), (b.id, "sample.tick")} <= ticked
    assert (c.id, "sample.tick") not in ticked
    assert len([s for s in recorder.submitted if s[:2] == (a.id, "sample.tick")]) == len(minutes)


# --- 6. a record id of another tenant ------------------------------------------------------------

def test_job_given_another_tenants_record_changes_nothing(ctx, record_of_b, rq_backend, shared_redis, workers,
                                                          owner_engine):
    a, b, b_record_id = record_of_b
    rq_backend.submit(get_job("sample.flaky"), a.id, {"fail_times": 0, "meter": "b"}, record_id=b_record_id)
    job_id = f"kehu-{a.id}-{b_record_id}"

    run_until(workers, SHARED_REDIS_URL, lambda: rq_job(shared_redis, job_id).get_status() == "failed",
              "the refused job to fail in rq")

    row = job_row(owner_engine, b_record_id)
    assert (row["tenant_id"], row["status"], row["attempts"], row["result"], row["error"]) == (
        b.id, "queued", 0, None, None)
    assert readings(a.id) == [] and readings(b.id) == []
    with owner_engine.connect() as conn:
        assert conn.execute(text("select count(*) from jobs")).scalar() == 1
    delivered = rq_job(shared_redis, job_id)
    assert delivered.get_status() == "failed"
    assert "JobRefused: no sample.flaky job" in delivered.latest_result().exc_string


def test_refused_job_is_not_retried(ctx, record_of_b, rq_backend, shared_redis, workers):
    a, _b, b_record_id = record_of_b
    rq_backend.submit(get_job("sample.flaky"), a.id, {"fail_times": 0, "meter": "b"}, record_id=b_record_id)

    workers.burst(SHARED_REDIS_URL)

    assert scheduled(shared_redis) == {}
    assert rq_job(shared_redis, f"kehu-{a.id}-{b_record_id}").get_status() == "failed"
