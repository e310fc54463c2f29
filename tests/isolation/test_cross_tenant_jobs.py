"""Cross-tenant suite for jobs: every registered job, run for tenant A with tenant B's job record,
refuses to run and leaves every row of B as it was. New jobs are covered without touching this file."""
import pytest

from core.db import db
from core.tenancy import tenant_scope
from tests.isolation.seed import seed
from tests.isolation.test_cross_tenant_api import _snapshot
from workers.models import JobRecord
from workers.registry import JOBS
from workers.runtime import JobRefused, execute


def test_no_job_touches_another_tenants_data(client, two_tenants, owner_engine):
    a, b = two_tenants
    seed(client, a)
    seed(client, b)
    with tenant_scope(b.id):
        b_records = {}
        for name in JOBS:
            record = JobRecord(name=name, args={}, status="queued")
            db.session.add(record)
            db.session.flush()
            b_records[name] = record.id
        db.session.commit()
    before = _snapshot(owner_engine, b.id)
    assert len(JOBS) >= 5
    for name, record_id in sorted(b_records.items()):
        with pytest.raises(JobRefused):
            execute(a.id, name, {}, record_id=record_id)
    assert _snapshot(owner_engine, b.id) == before
