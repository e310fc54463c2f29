"""The job rules, tested once: after commit, tenant scope, idempotent, retries for transient errors
only, ids and primitives only, never another tenant's data; progress and the job-status API."""
import datetime as dt

import pytest
from sqlalchemy import select, text

from core.audit.models import AuditEntry
from core.db import db
from core.tenancy import tenant_scope
from tests.plugins.sample_models import SampleReading
from workers import dispatch
from workers.backends import EmbeddedBackend
from workers.models import JobRecord
from workers.runtime import JobRefused, execute


@pytest.fixture
def tenant(make_tenant):
    return make_tenant("jobs-co", "作业公司", plugins=["sample"])


def readings(tenant_id) -> list[str]:
    db.session.rollback()  # a fresh snapshot: jobs commit in sessions of their own
    with tenant_scope(tenant_id):
        return sorted(db.session.scalars(select(SampleReading.meter)))


def record(tenant_id, job_id) -> JobRecord:
    db.session.rollback()
    with tenant_scope(tenant_id):
        return db.session.scalars(select(JobRecord).where(JobRecord.id == job_id)).one()


def test_job_runs_only_after_commit(ctx, tenant, owner_engine):
    backend = ctx.extensions["kehu_jobs"]
    runs = backend.runs
    with tenant_scope(tenant.id):
        job = dispatch.enqueue("sample.flaky", {"fail_times": 0, "meter": "after-commit"})
        assert backend.runs == runs
        with owner_engine.connect() as conn:
            assert conn.execute(text("select count(*) from sample_readings")).scalar_one() == 0
        db.session.commit()
        job_id = job.id
    assert backend.runs == runs + 1
    assert readings(tenant.id) == ["after-commit"]
    done = record(tenant.id, job_id)
    assert (done.status, done.attempts, done.result) == ("finished", 1, {"new": True})


def test_rolled_back_transaction_enqueues_nothing(ctx, tenant):
    backend = ctx.extensions["kehu_jobs"]
    runs = backend.runs
    with tenant_scope(tenant.id):
        dispatch.enqueue("sample.flaky", {"fail_times": 0, "meter": "never"})
        db.session.rollback()
        db.session.commit()
        assert db.session.scalars(select(JobRecord)).all() == []
    assert backend.runs == runs and readings(tenant.id) == []


def test_job_acts_in_its_tenant_as_the_job(ctx, tenant):
    with tenant_scope(tenant.id):
        dispatch.enqueue("sample.flaky", {"fail_times": 0, "meter": "audited"})
        db.session.commit()
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "sample_readings")).one()
    assert entry.actor == "job:sample.flaky" and entry.after["meter"] == "audited"


def test_same_slot_twice_has_one_effect(ctx, tenant):
    for _ in range(2):  # a duplicate schedule, a retry after a crash: the same dedupe key
        execute(tenant.id, "sample.tick", {}, dedupe_key="sample.tick@2026-12-01T03:00+08:00")
    assert readings(tenant.id) == ["sample.tick@2026-12-01T03:00+08:00"]
    with tenant_scope(tenant.id):
        jobs = db.session.scalars(select(JobRecord)).all()
    assert [(j.status, j.attempts) for j in jobs] == [("finished", 1)]


def test_every_job_run_twice_gives_one_effect(ctx, tenant):
    from workers.registry import JOBS

    effects = {}
    for name in sorted(n for n in JOBS if n.startswith("sample.")):
        args = {"sample.flaky": {"fail_times": 0, "meter": "f"}, "sample.slow": {"seconds": 0.01, "meter": "s"}}.get(name, {})
        for _ in range(2):
            execute(tenant.id, name, args, dedupe_key=f"{name}@twice")
        effects[name] = len(readings(tenant.id))
    assert effects == {"sample.flaky": 1, "sample.nightly": 2, "sample.slow": 3, "sample.tick": 4}


def test_bad_data_fails_without_retry_and_can_be_retried(client, tenant):
    with tenant_scope(tenant.id):
        job = dispatch.enqueue("sample.flaky", {"fail_times": 1, "kind": "bad", "meter": "bad"})
        db.session.commit()
        job_id = job.id
    failed = record(tenant.id, job_id)
    assert failed.status == "failed" and failed.attempts == 1
    assert failed.error == "ValueError: bad row 1: amount is not a number"
    listed = client.get("/api/v1/jobs?status=failed", headers=tenant.headers()).get_json()
    assert [j["id"] for j in listed] == [job_id]
    r = client.post(f"/api/v1/jobs/{job_id}/retry", headers=tenant.headers())
    assert r.status_code == 202
    again = client.get(f"/api/v1/jobs/{job_id}", headers=tenant.headers()).get_json()
    assert (again["status"], again["attempts"], again["error"]) == ("finished", 2, None)
    assert readings(tenant.id) == ["bad"]
    assert client.post(f"/api/v1/jobs/{job_id}/retry", headers=tenant.headers()).status_code == 409


def test_transient_errors_are_retried_with_backoff(ctx, tenant):
    embedded = EmbeddedBackend(interval_scale=0.01)
    ctx.extensions["kehu_jobs"], inline = embedded, ctx.extensions["kehu_jobs"]
    try:
        with tenant_scope(tenant.id):
            job = dispatch.enqueue("sample.flaky", {"fail_times": 2, "kind": "transient", "meter": "flaky"})
            db.session.commit()
            job_id = job.id
        for _ in range(200):
            if record(tenant.id, job_id).status == "finished":
                break
            embedded.join(timeout=1)
    finally:
        ctx.extensions["kehu_jobs"] = inline
    done = record(tenant.id, job_id)
    assert (done.status, done.attempts) == ("finished", 3)
    assert readings(tenant.id) == ["flaky"]


def test_transient_error_with_no_retries_left_is_a_failure(ctx, tenant):
    with tenant_scope(tenant.id):
        job = dispatch.enqueue("sample.flaky", {"fail_times": 5, "kind": "transient"})
        db.session.commit()
        job_id = job.id
    failed = record(tenant.id, job_id)
    assert failed.status == "failed" and "upstream unavailable" in failed.error


def test_jobs_take_ids_and_primitives_only(ctx, tenant):
    with tenant_scope(tenant.id):
        with pytest.raises(TypeError, match="pass ids and primitives"):
            dispatch.enqueue("sample.flaky", {"fail_times": dt.date(2026, 1, 1)})
        with pytest.raises(LookupError):
            dispatch.enqueue("no.such.job")


def test_job_of_tenant_a_given_an_id_of_tenant_b_changes_nothing(ctx, record_of_b, owner_engine):
    a, b, b_job_id = record_of_b
    with pytest.raises(JobRefused):
        execute(a.id, "sample.flaky", {"fail_times": 0, "meter": "b"}, record_id=b_job_id)
    assert readings(a.id) == [] and readings(b.id) == []
    with owner_engine.connect() as conn:
        row = conn.execute(text("select status, attempts from jobs where id = :i"), {"i": b_job_id}).one()
    assert tuple(row) == ("queued", 0)


def test_disabled_tenant_runs_no_jobs(ctx, tenant):
    from tenants.registry import get_tenant

    get_tenant(tenant.id).status = "disabled"
    db.session.commit()
    assert execute(tenant.id, "sample.tick", {}, dedupe_key="sample.tick@x") is None
    assert readings(tenant.id) == []


def test_progress_is_visible_while_the_job_works(ctx, tenant, owner_engine):
    from workers.context import live_progress
    from workers.registry import tenant_job

    seen = {}

    @tenant_job("test.progress_probe")
    def probe(job):
        job.progress(3, 10, "第3批")
        if db.engine.dialect.name == "postgresql":  # another connection sees it before the job commits
            with owner_engine.connect() as conn:
                seen["row"] = tuple(conn.execute(text(
                    "select progress_done, progress_total, step from jobs where id = :i"), {"i": job.job_id}).one())
        else:
            live = live_progress(job.tenant_id, job.job_id)
            seen["row"] = (live["progress_done"], live["progress_total"], live["step"])
        return {"ok": True}

    with tenant_scope(tenant.id):
        dispatch.enqueue("test.progress_probe")
        db.session.commit()
    assert seen["row"] == (3, 10, "第3批")


def test_export_job_with_progress_and_download(client, tenant):
    r = client.post("/api/v1/exports", headers=tenant.headers())
    assert r.status_code == 202
    job_id = r.get_json()["id"]
    status = client.get(f"/api/v1/jobs/{job_id}", headers=tenant.headers()).get_json()
    assert status["status"] == "finished" and status["percent"] == 100
    assert status["progress_done"] == status["progress_total"] >= 8
    download = client.get(f"/api/v1/exports/{job_id}/download", headers=tenant.headers())
    assert download.status_code == 200 and download.mimetype == "application/zip"
    import io
    import zipfile

    names = zipfile.ZipFile(io.BytesIO(download.data)).namelist()
    assert {"tenant.json", "users.jsonl", "jobs.jsonl"} <= set(names)


def test_lost_jobs_are_requeued_from_their_records(ctx, tenant):
    """A queued job the queue no longer holds (Redis restarted, app restarted) runs again, once."""
    from workers.recovery import requeue_lost

    with tenant_scope(tenant.id):
        lost = JobRecord(name="sample.flaky", args={"fail_times": 0, "meter": "lost"}, status="queued",
                         enqueued_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=10))
        fresh = JobRecord(name="sample.flaky", args={"fail_times": 0, "meter": "fresh"}, status="queued")
        db.session.add_all([lost, fresh])
        db.session.commit()
        lost_id = lost.id
        assert requeue_lost(tenant.id) == [lost_id]
    assert readings(tenant.id) == ["lost"]
    assert record(tenant.id, lost_id).status == "finished"
    with tenant_scope(tenant.id):
        assert requeue_lost(tenant.id) == []  # finished: nothing more to do


def test_recovery_sweep_visits_only_tenants_with_stale_jobs(ctx, make_tenant):
    from workers.recovery import sweep, tenants_with_stale_jobs

    quiet = make_tenant("quiet", "安静", plugins=["sample"])
    lossy = make_tenant("lossy", "丢失", plugins=["sample"])
    old = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=10)
    with tenant_scope(quiet.id):
        db.session.add(JobRecord(name="sample.flaky", args={}, status="finished", enqueued_at=old))
        db.session.commit()
    with tenant_scope(lossy.id):
        lost = JobRecord(name="sample.flaky", args={"fail_times": 0, "meter": "swept"}, status="queued",
                         enqueued_at=old)
        db.session.add(lost)
        db.session.commit()
        lost_id = lost.id
    assert tenants_with_stale_jobs() == [lossy.id]
    assert sweep() == {lossy.id: [lost_id]}
    assert readings(lossy.id) == ["swept"] and readings(quiet.id) == []
    assert tenants_with_stale_jobs() == []


def test_abandoned_started_job_is_shown_as_failed(ctx, tenant):
    from workers.recovery import sweep

    long_ago = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=2)
    with tenant_scope(tenant.id):
        dead = JobRecord(name="sample.flaky", args={}, status="started", attempts=1, enqueued_at=long_ago,
                         started_at=long_ago)
        db.session.add(dead)
        db.session.commit()
        dead_id = dead.id
    sweep()
    failed = record(tenant.id, dead_id)
    assert failed.status == "failed" and failed.error.startswith("abandoned")


def test_enqueue_with_a_dedupe_key_is_idempotent(ctx, tenant):
    backend = ctx.extensions["kehu_jobs"]
    runs = backend.runs
    with tenant_scope(tenant.id):
        first = dispatch.enqueue("sample.flaky", {"fail_times": 0, "meter": "once"}, dedupe_key="monthly@2026-12")
        again = dispatch.enqueue("sample.flaky", {"fail_times": 0, "meter": "once"}, dedupe_key="monthly@2026-12")
        assert again.id == first.id
        db.session.commit()
    assert backend.runs == runs + 1 and readings(tenant.id) == ["once"]


def test_jobs_are_submitted_when_the_transaction_commits_not_when_a_savepoint_ends(ctx):
    """SQLAlchemy fires ``after_commit`` and ``after_rollback`` for savepoints too: a job enqueued before
    a savepoint (numbering a case uses one) must neither be submitted at its release, before its record
    is committed, nor be dropped when it rolls back while the transaction goes on."""
    from sqlalchemy import text

    from core.db import db
    from workers.dispatch import after_commit

    submitted = []
    db.session.execute(text("select 1"))
    after_commit(lambda: submitted.append("job"))
    with db.session.begin_nested():
        db.session.execute(text("select 2"))
    assert submitted == []
    nested = db.session.begin_nested()
    nested.rollback()
    assert submitted == []
    db.session.commit()
    assert submitted == ["job"]


def test_a_plugins_job_does_not_exist_for_a_tenant_without_the_plugin(ctx, make_tenant):
    """``tenant_job(plugin=...)``: enqueued for a tenant without the plugin, the job is refused and
    nothing runs (its effect, a reading, is not written); with the plugin it runs."""
    plain = make_tenant("no-sample", "无插件公司")
    with pytest.raises(JobRefused, match="has not enabled"):
        execute(plain.id, "sample.tick", {}, dedupe_key="sample.tick@plain")
    assert readings(plain.id) == []
    with_plugin = make_tenant("with-sample", "有插件公司", plugins=["sample"])
    assert execute(with_plugin.id, "sample.tick", {}, dedupe_key="sample.tick@with") == {"new": True}
    assert readings(with_plugin.id) == ["sample.tick@with"]
