"""A worker process for the job benchmark: ``python -m bench.rq_worker DB_URL REDIS_URL INSTANCE``.

It is set up as ``kehu worker`` is (web/cli.py): the Kehu app created once (``create_app`` calls
``workers.runtime.set_application``), the engine's pool dropped in every forked child
(``os.register_at_fork``), the job statements compiled once (``workers.runtime.warm_up``), rq queues
and workers with the JSON serializer. It then reads commands
from stdin, one a line, and answers each with one JSON line on stdout:

    warm mappers              configure the SQLAlchemy mappers in this process -> {"seconds"}
    warm job TENANT KEY       run one Kehu no-op (``execute``) in this process, so that what a first
                              job sets up (mappers, compiled SQL, pool) is inherited by every
                              forked horse -> {"seconds"}
    drain fork|simple QUEUE   run an rq ``Worker`` (forking) or ``SimpleWorker`` in burst mode on
                              QUEUE until it is empty -> {"seconds", "ok", "failed"} (jobs that
                              reached rq's finished / failed registry of QUEUE during the drain)
    quit

The drain time is measured here, around ``work(burst=True)``: the process start and the app
creation are not part of it.
"""
from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import time


def main(argv: list[str]) -> int:
    db_url, redis_url = argv[0], argv[1]
    from redis import Redis
    from rq import Queue, SimpleWorker, Worker
    from rq.serializers import JSONSerializer

    import bench.noop  # noqa: F401  (registers bench.noop; rq imports bench.noop.noop by name)
    from bench.common import app_config
    from core.db import db
    from core.plugins import KehuPlugins
    from web.app import create_app

    with tempfile.TemporaryDirectory(prefix="kehu-bench-worker-") as instance:
        app = create_app(app_config(db_url, instance, KEHU_REDIS_URL=redis_url),
                         plugins=KehuPlugins(load_entry_points=False))
        with app.app_context():  # as `kehu worker` (with_appcontext): engine created, pool per fork
            engine = db.engine
            os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))
            from workers.runtime import warm_up

            warm_up()  # as `kehu worker` does before it starts working
            connection = Redis.from_url(redis_url)
            classes = {"fork": Worker, "simple": SimpleWorker}
            print("ready", flush=True)
            for line in sys.stdin:
                words = line.split()
                if not words or words[0] == "quit":
                    break
                if words[0] == "warm":
                    print(json.dumps({"seconds": _warm(words[1:])}), flush=True)
                    continue
                _command, kind, queue_name = words
                queue = Queue(queue_name, connection=connection, serializer=JSONSerializer)
                worker = classes[kind]([queue], connection=connection, serializer=JSONSerializer)
                # the horse of a forking worker counts its job in the child: count in the registries
                finished, failed = queue.finished_job_registry.count, queue.failed_job_registry.count
                start = time.perf_counter()
                worker.work(burst=True, logging_level="WARNING", with_scheduler=False)
                seconds = time.perf_counter() - start
                print(json.dumps({"seconds": seconds, "ok": queue.finished_job_registry.count - finished,
                                  "failed": queue.failed_job_registry.count - failed}), flush=True)
            engine.dispose()
    return 0


def _warm(words: list[str]) -> float:
    start = time.perf_counter()
    if words[0] == "mappers":
        from sqlalchemy.orm import configure_mappers

        configure_mappers()
    else:
        from bench.noop import KEHU_NOOP
        from workers.runtime import execute

        execute(int(words[1]), KEHU_NOOP, {}, dedupe_key=words[2])
    return time.perf_counter() - start


if __name__ == "__main__":
    logging.getLogger("rq").setLevel(logging.WARNING)
    sys.exit(main(sys.argv[1:]))
