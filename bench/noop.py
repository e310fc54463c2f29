"""The no-op jobs of the job benchmarks, importable by an rq worker (in this process or another).

- ``noop``: rq's own job, a plain function (enqueued as ``bench.noop.noop``), the baseline;
- ``bench.noop``: the same nothing registered with ``@tenant_job``, run by rq through
  ``workers.runtime.execute`` (app context, tenant scope, job record claimed and finished).
"""
from __future__ import annotations

from workers.registry import tenant_job

RQ_NOOP = "bench.noop.noop"
KEHU_NOOP = "bench.noop"


def noop():
    return None


@tenant_job(KEHU_NOOP)
def kehu_noop(job):
    return None
