"""The kehu command: tenant management from the shell, clean errors, the one-command start."""
import os
import subprocess
import sys
import zipfile

import pytest
from sqlalchemy import create_engine, inspect, text

from web.cli import main


@pytest.fixture
def run(ctx):
    runner = ctx.test_cli_runner()

    def invoke(*args, input=None):
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)

    return invoke


def test_tenant_management_from_the_shell(run, tmp_path):
    r = run("tenants", "create", "jinan-auto", "济南汽车销售服务有限公司", "--admin", "boss",
            "--admin-password", "boss-password-1")
    assert r.exit_code == 0, r.output
    assert "/t/jinan-auto/" in r.output
    r = run("tenants", "add-user", "jinan-auto", "xiaowang", "--name", "小王", "--password", "xw-password-1",
            "--role", "salesperson", "--phone", "13912345678")
    assert r.exit_code == 0, r.output
    r = run("tenants", "token", "jinan-auto", "xiaowang")
    assert r.exit_code == 0 and r.output.strip().startswith("kh_")
    r = run("tenants", "list")
    assert "jinan-auto" in r.output and "济南汽车销售服务有限公司" in r.output
    out = tmp_path / "export.zip"
    r = run("tenants", "export", "jinan-auto", "-o", str(out))
    assert r.exit_code == 0
    users = zipfile.ZipFile(out).read("users.jsonl").decode()
    assert "xiaowang" in users and "password_hash" in users  # hashes are exported as stored, never plain
    r = run("tenants", "erase", "jinan-auto", "--yes")
    assert r.exit_code == 0 and "users 2" in r.output
    assert "jinan-auto" not in run("tenants", "list").output


def test_kehu_plugin_info_drives_enable_plugin(run):
    run("tenants", "create", "water", "城东水务")
    r = run("tenants", "enable-plugin", "water", "sample", "--config", '{"greeting": "您好"}')
    assert r.exit_code == 0, r.output
    assert "sample" in run("tenants", "list").output
    assert run("tenants", "disable-plugin", "water", "sample").exit_code == 0


@pytest.mark.parametrize("args, message", [
    (("tenants", "create", "Bad Slug", "x"), "slug:"),
    (("tenants", "create", "ok-slug", "x", "--industry", "rockets"), "industry: unknown preset"),
    (("tenants", "enable-plugin", "nobody", "sample"), "no tenant with slug 'nobody'"),
    (("tenants", "token", "nobody", "x"), "no tenant with slug"),
])
def test_bad_input_gives_a_message_not_a_traceback(run, args, message):
    r = run(*args)
    assert r.exit_code != 0
    assert message in r.output
    assert "Traceback" not in r.output


def test_bad_plugin_config_is_reported_per_field(run):
    run("tenants", "create", "cfg", "配置公司")
    r = run("tenants", "enable-plugin", "cfg", "sample", "--config", '{"greeting": "' + "长" * 30 + '"}')
    assert r.exit_code != 0 and "config" in r.output and "Traceback" not in r.output
    r = run("tenants", "enable-plugin", "cfg", "sample", "--config", "{not json")
    assert r.exit_code != 0 and "not valid JSON" in r.output


def test_platform_admin_token(run):
    r = run("platform", "create-admin", "ops", "--password", "ops-password-1")
    assert r.exit_code == 0 and r.output.strip().startswith("kp_")


def test_one_command_start_on_a_fresh_sqlite_instance(tmp_path):
    """`kehu up` (what `make run` runs) on an empty instance: migrate, demo tenant, logins."""
    env = {**os.environ, "KEHU_INSTANCE_PATH": str(tmp_path), "KEHU_DATABASE_URL": "", "KEHU_REDIS_URL": ""}
    kehu = [sys.executable, "-m", "web.cli"]
    # the real-estate office's month of receptions (plugins/real_estate/demo.py) is most of the first start
    out = subprocess.run(kehu + ["up", "--no-serve"], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "/t/huaxin/" in out.stdout and "/t/jincheng/" in out.stdout and "kehu-demo" in out.stdout
    engine = create_engine(f"sqlite:///{tmp_path / 'kehu.db'}")
    assert {"tenants", "users", "decisions", "policy_documents"} <= set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        # the core's 8 demo users in each demo tenant, and the sales office's 7 (sales3..6, supervisor, desk, control)
        assert conn.execute(text("select count(*) from users")).scalar_one() == 8 + 8 + 7
        # the GPS installer's service desk (SVC): orders in every stage, each with its history
        states = dict(conn.execute(text("select status, count(*) from work_orders group by status")).all())
        # requested: an installation and a remote question, and this month's two inspections of the duty
        assert states == {"return_visit_due": 1, "requested": 4, "dispatched": 1, "on_hold": 1}, states
        assert conn.execute(text("select count(*) from service_duties where code = 'fleet_check'")).scalar_one() == 1
        assert conn.execute(text("select count(*) from service_fees where remitted_at is null")).scalar_one() == 1
        assert conn.execute(text("select count(*) from service_return_visits")).scalar_one() == 1
        assert conn.execute(text("select count(*) from attachments")).scalar_one() == 1
        orders_before = conn.execute(text("select count(*) from work_order_events")).scalar_one()
    # a second start changes nothing
    again = subprocess.run(kehu + ["up", "--no-serve"], env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    with engine.connect() as conn:
        assert conn.execute(text("select count(*) from tenants")).scalar_one() == 2  # huaxin and jincheng
        assert conn.execute(text("select count(*) from work_order_events")).scalar_one() == orders_before


def test_failed_jobs_listed_and_retried_from_the_shell(run, make_tenant):
    from core.db import db
    from core.tenancy import tenant_scope
    from workers import dispatch

    handle = make_tenant("cli-jobs", "作业", plugins=["sample"])
    with tenant_scope(handle.id):
        job = dispatch.enqueue("sample.flaky", {"fail_times": 1, "kind": "bad", "meter": "cli"})
        db.session.commit()
        job_id = job.id
    r = run("jobs", "failed")
    assert f"cli-jobs:{job_id}\tsample.flaky\tattempts 1" in r.output and "amount is not a number" in r.output
    r = run("jobs", "retry", f"cli-jobs:{job_id}")
    assert r.exit_code == 0 and "queued again" in r.output
    assert "no failed jobs" in run("jobs", "failed", "--tenant", "cli-jobs").output
    r = run("jobs", "retry", str(job_id))
    assert r.exit_code != 0 and "only a failed job can be retried" in r.output and "Traceback" not in r.output


def test_worker_and_scheduler_need_redis(run):
    for command in (("worker", "--burst"), ("scheduler",)):
        r = run(*command)
        assert r.exit_code != 0 and "KEHU_REDIS_URL is not set" in r.output
