"""Job throughput: Kehu's ``@tenant_job`` path as a ratio of rq's own no-op job, on the same worker.

- **rq no-op**: ``bench.noop.noop`` (a plain function returning None) enqueued with
  ``Queue.enqueue_call`` on a JSON-serializer queue: what rq costs by itself.
- **Kehu no-op**: ``@tenant_job("bench.noop")`` (a function doing nothing) enqueued as the app does
  (``RQBackend.submit`` with a dedupe key, as the fan-out does), so rq runs
  ``workers.runtime.execute``: fresh app context, tenant look-up, tenant scope + RLS setting, the job
  record created (dedupe key) and marked started, the function, the record finished, all committed
  in PostgreSQL as ``kehu_app``.

Both batches are drained by the same worker process (``bench/rq_worker.py``, set up as
``kehu worker``: Kehu app created, pool dropped in forked children), which times
``work(burst=True)`` on a queue holding only that batch. Worker classes, in this order:

- ``Worker``, rq's forking worker, the one ``kehu worker`` runs (production, the headline): one
  fork per job, from a worker process in which no job has ever run;
- ``SimpleWorker``, the jobs in the worker process itself (no fork): the cost of the job path alone;
- ``Worker`` again once a job has run in the worker process (not gated): horses inherit compiled SQL
  and an initialized dialect, which tells how much of the forking figure is cold horses.

Per worker class, after a warm-up, rounds alternate which side goes first; the figures are the
median jobs/s and the ratio is median Kehu / median rq. Target: at least 0.5.
"""
from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import REDIS_URL, BenchEnv, bench_redis, interleaved, median, spread, timed
from bench.noop import KEHU_NOOP, RQ_NOOP

TARGET = 0.5
TENANTS = 4
QUEUE = "default"  # the queue of @tenant_job("bench.noop"); the rq no-op goes to the same queue


# --- set-up --------------------------------------------------------------------------------------


def make_tenants(app) -> list[int]:
    from core.db import db
    from tenants.service import create_tenant

    with app.app_context():
        ids = [create_tenant(f"jobs-{i}", f"作业租户{i}").id for i in range(TENANTS)]
        db.session.commit()
        db.session.remove()
    return ids


class WorkerProcess:
    """``bench/rq_worker.py`` in a child process, driven over its stdin/stdout."""

    def __init__(self, db_url: str, redis_url: str):
        root = Path(__file__).resolve().parent.parent
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))}
        self._stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.rq_worker", db_url, redis_url], cwd=root, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr, text=True, bufsize=1)
        if self._readline() != "ready":
            raise RuntimeError(f"the worker process did not start:\n{self.stderr_tail()}")

    def _readline(self, timeout: float = 300) -> str:
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            self.proc.kill()
            raise RuntimeError(f"the worker process did not answer in {timeout:.0f} s:\n{self.stderr_tail()}")
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the worker process exited ({self.proc.poll()}):\n{self.stderr_tail()}")
        return line.strip()

    def stderr_tail(self, chars: int = 3000) -> str:
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace")[-chars:]

    def command(self, line: str) -> dict:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return json.loads(self._readline())

    def drain(self, kind: str, queue: str) -> dict:
        return self.command(f"drain {kind} {queue}")

    def close(self) -> None:
        try:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.close()
            self.proc.wait(timeout=15)
        except Exception:  # noqa: BLE001
            self.proc.kill()
            self.proc.wait()
        finally:
            self._stderr.close()


class Batches:
    """Enqueues batches of either side (in one Redis pipeline each), with dedupe keys never reused."""

    def __init__(self, connection, tenant_ids: list[int]):
        from rq import Queue
        from rq.serializers import JSONSerializer

        from workers.backends import RQBackend
        from workers.registry import get_job

        self.backend = RQBackend(REDIS_URL)
        self.connection = connection
        self.queue = Queue(QUEUE, connection=connection, serializer=JSONSerializer)
        self.spec = get_job(KEHU_NOOP)
        self.tenant_ids = tenant_ids
        self.serial = 0
        self.kehu_jobs = 0

    def _check_empty(self) -> None:
        if self.queue.count:
            raise RuntimeError(f"queue {QUEUE} still holds {self.queue.count} jobs")

    def rq(self, n: int) -> None:
        self._check_empty()
        pipe = self.connection.pipeline(transaction=False)
        for _ in range(n):
            self.queue.enqueue_call(RQ_NOOP, pipeline=pipe)
        pipe.execute()

    def kehu(self, n: int) -> None:
        self._check_empty()
        pipe = self.backend.connection.pipeline(transaction=False)
        ids = self.tenant_ids
        for i in range(n):
            self.serial += 1
            self.backend.submit(self.spec, ids[i % len(ids)], {}, dedupe_key=f"{KEHU_NOOP}@rq-{self.serial}",
                                pipeline=pipe)
        pipe.execute()
        self.kehu_jobs += n


def _drain_rate(worker: WorkerProcess, kind: str, enqueue, n: int):
    """A measure: enqueue ``n`` jobs (not timed), let the worker drain them; returns jobs/s."""

    def measure():
        enqueue(n)
        done = worker.drain(kind, QUEUE)
        if done["ok"] != n or done["failed"]:
            raise RuntimeError(f"{kind} worker: {done['ok']} of {n} jobs finished, {done['failed']} failed:\n"
                               f"{worker.stderr_tail()}")
        return n / done["seconds"]

    return measure


# --- diagnostics ---------------------------------------------------------------------------------


def _sql_of_one_job(env: BenchEnv, tenant_id: int, key: str) -> tuple[list[str], int]:
    """The SQL statements and commits of one ``execute()`` of the Kehu no-op, in this process."""
    from sqlalchemy import event

    from core.db import db
    from workers.runtime import execute

    with env.app.app_context():
        engine = db.engine
    statements: list[str] = []
    commits = [0]

    def on_execute(_conn, _cursor, statement, _params, _context, _many):
        statements.append(" ".join(statement.split()))

    def on_commit(_conn):
        commits[0] += 1

    event.listen(engine, "before_cursor_execute", on_execute)
    event.listen(engine, "commit", on_commit)
    try:
        execute(tenant_id, KEHU_NOOP, {}, dedupe_key=key)
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
        event.remove(engine, "commit", on_commit)
    return statements, commits[0]


def _execute_alone(env: BenchEnv, tenant_ids: list[int], n: int) -> float:
    """Seconds per ``execute()`` of the Kehu no-op called directly in this process (no rq)."""
    from workers.runtime import execute

    def run():
        for i in range(n):
            execute(tenant_ids[i % len(tenant_ids)], KEHU_NOOP, {}, dedupe_key=f"{KEHU_NOOP}@direct-{i}")

    return timed(run) / n


def _count_finished(env: BenchEnv) -> int:
    """Records of the jobs that went through rq (not those run directly here) that finished."""
    from sqlalchemy import func, select

    from workers.models import JobRecord

    table = JobRecord.__table__
    with env.owner_engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(
            table.c.name == KEHU_NOOP, table.c.status == "finished",
            table.c.dedupe_key.like(f"{KEHU_NOOP}@rq-%"))).scalar_one()


# --- measurement ---------------------------------------------------------------------------------

# (key, worker class of the drain command, label, summary name, gated), measured in this order in one
# worker process: the forking rounds first, while no job has ever run in the worker process itself
# (as in `kehu worker`: every horse starts cold), then SimpleWorker (its jobs run in the worker
# process), then the forking worker again after one more job run in the worker process itself: its
# horses inherit a warmed-up parent (mappers configured, SQL compiled), which `kehu worker` lacks.
VARIANTS = (
    ("fork", "fork", "forking Worker (as kehu worker)", "jobs Kehu/rq, forking Worker", True),
    ("simple", "simple", "SimpleWorker (no fork)", "jobs Kehu/rq, SimpleWorker", True),
    ("fork-warm", "fork", "forking Worker, parent warmed", "jobs Kehu/rq, fork, warm parent", False),
)


def _verdict(ratio: float) -> str:
    return "PASS" if ratio >= TARGET else "BELOW"


def run(env: BenchEnv, *, quick: bool = False, verbose: bool = False) -> list[dict]:
    from workers.runtime import set_application

    # (jobs per batch, rounds) per variant: a forked Kehu job costs ~25x a SimpleWorker rq job
    if quick:
        sizes = {"fork": (12, 3), "simple": (60, 3), "fork-warm": (12, 3)}
    else:
        sizes = {"fork": (20, 5), "simple": (100, 5), "fork-warm": (20, 5)}
    warmup = 8

    print("Jobs: an rq worker draining Kehu's @tenant_job no-op vs rq's own no-op (same worker process)")
    tenant_ids = make_tenants(env.app)
    set_application(env.app)  # execute() in this process (diagnostics) runs on the bench app

    statements, commits = _sql_of_one_job(env, tenant_ids[0], f"{KEHU_NOOP}@sql-0")
    direct = _execute_alone(env, tenant_ids, 50 if quick else 100)
    print(f"  one Kehu job: {len(statements)} SQL statements, {commits} commits; "
          f"execute() called directly in this process (no rq): {direct * 1000:.2f} ms/job")
    if verbose:
        for statement in statements:
            print(f"      {statement[:110]}")

    rates: dict[str, dict[str, list[float]]] = {}
    with bench_redis() as connection:
        batches = Batches(connection, tenant_ids)
        worker = WorkerProcess(env.url, REDIS_URL)
        try:
            for key, kind, _label, _name, _gated in VARIANTS:
                if key == "fork-warm":
                    worker.command(f"warm job {tenant_ids[0]} {KEHU_NOOP}@warm-parent")
                n, rounds = sizes[key]
                _drain_rate(worker, kind, batches.rq, warmup)()
                _drain_rate(worker, kind, batches.kehu, warmup)()
                rates[key] = interleaved({"kehu": _drain_rate(worker, kind, batches.kehu, n),
                                          "rq": _drain_rate(worker, kind, batches.rq, n)}, rounds)
        finally:
            worker.close()
        finished = _count_finished(env)
        if finished != batches.kehu_jobs:
            raise RuntimeError(f"{batches.kehu_jobs} Kehu jobs drained but {finished} records finished")

    print(f"  {batches.kehu_jobs:,} Kehu jobs through rq over {TENANTS} tenants, all {finished:,} records finished;"
          " median of the rounds:")
    print(f"    {'worker':<34} {'rounds x jobs':>13} {'Kehu jobs/s':>12} {'rq jobs/s':>10} {'ratio':>7}"
          f"  {'Kehu extra/job':>14}")
    results = []
    for key, _kind, label, name, gated in VARIANTS:
        n, rounds = sizes[key]
        kehu, rq = median(rates[key]["kehu"]), median(rates[key]["rq"])
        ratio = kehu / rq
        verdict = _verdict(ratio) if gated else "info"
        print(f"    {label:<34} {f'{rounds} x {n}':>13} {kehu:12.1f} {rq:10.1f} {ratio:7.3f}"
              f"  {1000 / kehu - 1000 / rq:11.1f} ms  {verdict if gated else '(not gated)'}")
        if verbose:
            print(f"      spread of the rounds: Kehu {spread(rates[key]['kehu'])}, rq {spread(rates[key]['rq'])}")
        results.append({"name": name, "value": ratio,
                        "target": f">= {TARGET}" if gated else "", "verdict": verdict,
                        "detail": f"{kehu:.1f} vs {rq:.1f} jobs/s"})
    print(f"  target: Kehu >= {TARGET} x rq; the forking Worker is the production figure")
    print()
    return results
