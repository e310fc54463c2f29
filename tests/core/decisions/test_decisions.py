"""The decision log: rule id, policy version, facts, outcome, reasons; overrides supersede."""
import pytest

from core.db import db
from core.decisions import service as decisions
from core.errors import InvalidInput
from core.policy import service as policies
from core.tenancy import tenant_scope


@pytest.fixture
def tenant(make_tenant):
    handle = make_tenant("dec-co", "决策公司")
    with tenant_scope(handle.id):
        yield handle


def test_record_keeps_rule_policy_facts_and_reasons(tenant):
    policy = policies.in_force("cal")
    d = decisions.record(
        "CAL-09", "complaint", 42, policy=policy,
        facts={"old_due": "2026-12-25", "override": "2026-12-24 off"},
        outcome={"new_due": "2026-12-28"},
        reason_zh="12月24日改为休息日，截止日期顺延至2026-12-28。",
        reason_en="2026-12-24 became an off day; the due date moves to 2026-12-28.",
    )
    db.session.commit()
    got = decisions.get(d.id)
    assert (got.rule_id, got.policy_module, got.policy_version) == ("CAL-09", "cal", 0)
    assert got.facts["override"] == "2026-12-24 off"
    assert got.outcome == {"new_due": "2026-12-28"}


def test_rule_id_and_both_reasons_are_required(tenant):
    with pytest.raises(InvalidInput) as err:
        decisions.record("whatever", "customer", 1, outcome={}, reason_zh="", reason_en="x")
    assert set(err.value.fields) == {"rule_id", "reason"}


def test_plugin_rule_ids_are_namespaced(tenant):
    d = decisions.record("sample:visit-quota", "customer", 1, outcome={"ok": True},
                         reason_zh="配额内", reason_en="within quota")
    assert d.rule_id == "sample:visit-quota"


def test_manual_override_supersedes_the_automatic_decision(tenant):
    auto = decisions.record("CUS-22", "customer", 7, outcome={"owner": 1}, reason_zh="首访", reason_en="first visit")
    manual = decisions.record("CUS-34", "customer", 7, outcome={"owner": 2}, reason_zh="经理改派",
                              reason_en="manager reassigned", decided_by=tenant.admin_id, supersedes=auto)
    db.session.commit()
    current = decisions.current_for("customer", 7)
    assert [d.id for d in current] == [manual.id]
    assert len(db.session.scalars(decisions.query("customer", 7)).all()) == 2  # nothing deleted
