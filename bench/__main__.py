"""``python -m bench [--quick] [--only api|relay|jobs|fanout|import|sla|orders|portal|holds] [--no-http] [-v]``: run the benchmarks on a scratch
PostgreSQL database and print a summary of ratios against their targets. Always exits 0: benchmarks
inform, they do not gate."""
from __future__ import annotations

import argparse
import sys
import time
import traceback


def _parse(argv):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer requests, calls, jobs and rounds")
    parser.add_argument("--only", choices=("api", "relay", "jobs", "fanout", "import", "sla", "orders", "portal", "holds"), help="run one benchmark only")
    parser.add_argument("--no-http", action="store_true", help="skip the real-HTTP part of the API benchmark")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="also print the SQL of one full-stack request and of one job, and the spread of the rounds")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = _parse(argv)
    started = time.perf_counter()
    results: list[dict] = []
    try:
        from bench.common import PG_ADMIN_URL, bench_env

        print(f"Kehu benchmarks ({'quick' if args.quick else 'full'} run), scratch database on "
              f"{PG_ADMIN_URL.rsplit('/', 1)[0]}\n")
        with bench_env() as env:
            print(f"database {env.database} (dropped at the end); the app acts as kehu_app, RLS live\n")
            if args.only in (None, "api"):
                results += _guarded("API full/bare", lambda: _api(env, args))
            if args.only in (None, "relay"):
                results += _guarded("relay cost", lambda: _relay(env, args))
            if args.only in (None, "jobs"):
                results += _guarded("jobs Kehu/rq", lambda: _jobs(env, args))
            if args.only in (None, "fanout"):
                results += _guarded("fan-out tick", lambda: _fanout(env, args))
            if args.only in (None, "import"):
                results += _guarded("import/COPY", lambda: _import(env, args))
            if args.only in (None, "sla"):
                results += _guarded("SLA sweep/bare", lambda: _sla(env, args))
            if args.only in (None, "orders"):
                results += _guarded("work-order intake/bare", lambda: _orders(env, args))
            if args.only in (None, "portal"):
                results += _guarded("portal case list/bare", lambda: _portal(env, args))
            if args.only in (None, "holds"):
                results += _guarded("RE-31 hold+release/bare", lambda: _holds(env, args))
    except Exception:  # noqa: BLE001  set-up failed (no PostgreSQL?): say so, but do not gate
        traceback.print_exc()
        results.append({"name": "set-up", "value": None, "target": "", "verdict": "ERROR", "detail": ""})
    _summary(results, time.perf_counter() - started)
    return 0


def _api(env, args):
    from bench import api_vs_bare

    return api_vs_bare.run(env, quick=args.quick, http=not args.no_http, verbose=args.verbose)


def _relay(env, args):
    from bench import relay

    return relay.run(env, quick=args.quick, verbose=args.verbose)


def _jobs(env, args):
    from bench import jobs

    return jobs.run(env, quick=args.quick, verbose=args.verbose)


def _fanout(env, args):
    from bench import fanout

    return fanout.run(env, quick=args.quick, verbose=args.verbose)


def _import(env, args):
    from bench import imports

    return imports.run(env, quick=args.quick, verbose=args.verbose)


def _sla(env, args):
    from bench import sla_sweep

    return sla_sweep.run(env, quick=args.quick, verbose=args.verbose)


def _orders(env, args):
    from bench import work_orders

    return work_orders.run(env, quick=args.quick, verbose=args.verbose)


def _portal(env, args):
    from bench import portal_pages

    return portal_pages.run(env, quick=args.quick, verbose=args.verbose)


def _holds(env, args):
    from bench import re_holds

    return re_holds.run(env, quick=args.quick, verbose=args.verbose)


def _guarded(name, fn) -> list[dict]:
    try:
        return fn()
    except Exception:  # noqa: BLE001  a failed benchmark is reported, the others still run
        traceback.print_exc()
        print()
        return [{"name": name, "value": None, "target": "", "verdict": "ERROR", "detail": "see the traceback"}]


def _summary(results: list[dict], seconds: float) -> None:
    print(f"Summary ({seconds:.0f} s)")
    print(f"  {'measure':<36} {'value':>7}  {'target':<8} {'':<6} raw")
    for r in results:
        value = "-" if r["value"] is None else f"{r['value']:.3f}"
        print(f"  {r['name']:<36} {value:>7}  {r['target']:<8} {r['verdict']:<6} {r['detail']}")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
