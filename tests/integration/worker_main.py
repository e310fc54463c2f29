"""A real ``kehu worker`` process for the integration tests.

    python -m tests.integration.worker_main --redis URL --database URL --instance DIR [--burst] [--queue Q]...

It builds the app the way the tests do (the sample plugin, the test database, no entry points) but in
rq mode, then invokes the real click command ``web.cli.worker`` (rq ``Worker`` with the JSON
serializer, rq's scheduler, the engine disposed in every forked work horse), so the production code
path is what runs the jobs.
"""
from __future__ import annotations

import argparse
import sys


def build_app(redis_url: str, database_url: str, instance: str):
    from core.plugins import KehuPlugins
    from tests.plugins import sample_plugin
    from web.app import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "KEHU_REDIS_URL": redis_url,
            "KEHU_JOBS_MODE": "rq",
            "KEHU_LOAD_ENTRY_POINTS": False,
            "INSTANCE_PATH": instance,
            "SECRET_KEY": "test-secret",
        },
        plugins=KehuPlugins(load_entry_points=False, extra=[sample_plugin]),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="worker_main")
    parser.add_argument("--redis", required=True, help="Redis URL the worker listens on")
    parser.add_argument("--database", required=True, help="SQLAlchemy URL of the test database")
    parser.add_argument("--instance", required=True, help="instance directory (a temporary one)")
    parser.add_argument("--burst", action="store_true", help="stop when the queues are empty")
    parser.add_argument("--queue", action="append", default=[], help="queue (repeatable; default: default, long)")
    options = parser.parse_args(argv)
    if options.burst:  # a burst worker that has not ended after 45 s writes every thread's stack to its log
        import faulthandler

        faulthandler.dump_traceback_later(45, exit=False)

    from flask.cli import ScriptInfo

    from web.cli import main as kehu

    app = build_app(options.redis, options.database, options.instance)
    args = ["worker"]
    if options.burst:
        args.append("--burst")
    for name in options.queue:
        args += ["--queue", name]
    # the real `kehu worker` command, bound to this app (what FlaskGroup does with --app)
    kehu.main(args=args, prog_name="kehu", obj=ScriptInfo(create_app=lambda: app), standalone_mode=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
