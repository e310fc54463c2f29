"""Background jobs: the ``tenant_job`` decorator, enqueue-after-commit, rq and embedded backends, the
per-tenant periodic fan-out and the job records behind the job-status API."""
