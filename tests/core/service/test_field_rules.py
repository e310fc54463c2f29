"""Field-work rules, pure: swaps and the asset statuses (SVC-10), completion checks (SVC-11), the
feedback form (SVC-12), the service-record fields (SVC-13), and the svc settings of field work."""
import pytest
from marshmallow import ValidationError

from core.plugins.records import CompletionCheck
from core.service import field_rules
from core.service.policy import SvcPolicySchema

SAFETY = CompletionCheck("safety_test", "安全检测", "Safety test")
LEAK = CompletionCheck("leak_test", "气密性检测", "Leak test", passing=("pass", "pass_with_notes"))

# ------------------------------------------------------------------------------------------- SVC-10


def test_swap_vector_items_are_valid():
    """SVC-10 (1): terminal T-0012 → T-0458 and SIM 1440012345678 → 1440098765432."""
    items = [{"kind": "terminal", "old": "T-0012", "new": "T-0458"},
             {"kind": "sim", "old": "1440012345678", "new": "1440098765432"}]
    assert field_rules.swap_errors(items) == {}


def test_swap_errors_name_each_item():
    items = [{"kind": "modem", "old": "A", "new": "B"},
             {"kind": "sim", "old": "1440 0123 45678", "new": "1440012345678"},
             {"kind": "terminal", "old": "", "new": "T-0458"},
             {"kind": "terminal", "old": "T-0001", "new": "T-0458"}]
    assert field_rules.swap_errors(items) == {
        "items.0.kind": ["one of terminal, sim, meter, part, device"],
        "items.1.new": ["the new unit must differ from the old one"],  # blanks inside a SIM number do not count
        "items.2.old": ["the identifier is required"],
        "items.3.new": ["the same unit twice in one request"]}
    assert field_rules.swap_errors([]) == {"items": ["at least one swap"]}


def test_asset_moves():
    assert field_rules.move_refusal("installed", "swap_out") is None
    assert field_rules.move_refusal("retired", "take_back") is None
    assert field_rules.move_refusal("in_repair", "return") is None
    zh, en = field_rules.move_refusal("in_repair", "take_back")
    assert en == "a unit in repair cannot be taken back for repair" and "返修中" in zh
    assert field_rules.move_refusal("installed", "return")[1] == "a unit installed cannot be returned from repair"
    assert field_rules.move_refusal("retired", "swap_out")[1] == "a unit retired cannot be swapped out"


def test_install_refusal():
    assert field_rules.install_refusal(None, 7, None) is None  # unknown: registered by the swap
    assert field_rules.install_refusal("returned", 7, 3) is None  # repaired: may go anywhere
    assert field_rules.install_refusal("installed", 7, 7) is None  # already at this customer
    assert field_rules.install_refusal("installed", 7, 3)[1] == "the unit is installed at another customer"
    assert field_rules.install_refusal("in_repair", 7, None)[1] == "a unit in repair cannot be installed"


# ------------------------------------------------------------------------------------------- SVC-11


def test_missing_check():
    """SVC-11 (1): completed without the test → missing."""
    outcome = field_rules.judge_checks((SAFETY,), {})
    assert outcome.missing == ("safety_test",) and not outcome.ok
    assert field_rules.judge_checks((SAFETY,), {"safety_test": "  "}).missing == ("safety_test",)


def test_failed_check_and_passing_values():
    """SVC-11 (2): result fail → not ok (the order stays on site)."""
    outcome = field_rules.judge_checks((SAFETY, LEAK), {"safety_test": "fail", "leak_test": "pass_with_notes"})
    assert outcome.failed == {"safety_test": "fail"} and outcome.passed == {"leak_test": "pass_with_notes"}
    assert not outcome.ok
    ok = field_rules.judge_checks((SAFETY,), {"safety_test": "pass", "extra": "x"})
    assert ok.ok and ok.passed == {"safety_test": "pass"}
    assert field_rules.judge_checks((), None).ok


# ------------------------------------------------------------------------------------------- SVC-12

SIGNED = {"result": "已修复", "opinion": "满意", "signatory": "王建国", "signed": True, "photo_attachment_id": 42}


def test_feedback_without_signature_is_a_conflict():
    """SVC-12 (1): complete without signature → 409."""
    assert field_rules.feedback_problem(None, photo_required=True).status == 409
    unsigned = field_rules.feedback_problem({**SIGNED, "signed": False}, photo_required=False)
    assert unsigned.status == 409 and "not signed" in unsigned.reason_en


def test_signed_without_photo_is_bad_input_when_required():
    """SVC-12 (2): signature flag with no photo when svc.feedback.photo_required = true → 422."""
    problem = field_rules.feedback_problem({**SIGNED, "photo_attachment_id": None}, photo_required=True)
    assert problem.status == 422 and list(problem.fields) == ["feedback.photo_attachment_id"]
    assert field_rules.feedback_problem({**SIGNED, "photo_attachment_id": None}, photo_required=False) is None
    assert field_rules.feedback_problem(SIGNED, photo_required=True) is None


def test_signed_form_needs_result_and_signatory():
    problem = field_rules.feedback_problem({"signed": True, "opinion": "满意"}, photo_required=False)
    assert problem.status == 422 and set(problem.fields) == {"feedback.result", "feedback.signatory"}


# ------------------------------------------------------------------------------------------- SVC-13


def test_report_issue_needs_analysis():
    """SVC-13 (1): report_issue without analysis → 422 naming it."""
    required = field_rules.record_fields_for("remote_service", (), "report_issue", {})
    assert required == ["report_name", "question", "analysis", "solution"]
    values = {"report_name": "销售月报", "question": "合计不对", "solution": "重新汇总"}
    assert field_rules.record_errors(required, values) == {
        "fields.analysis": ["required for this service record (SVC-13)"]}
    assert field_rules.record_errors(required, {**values, "analysis": "口径错误"}) == {}


def test_remote_record_kinds_of_pre15():
    kinds = field_rules.KIND_RECORD_FIELDS
    assert kinds["data_clear"] == ("written_scope", "tool")
    assert kinds["admin_password"] == ("written_application", "password_given_to")
    assert kinds["program_modification"] == ("requirement_doc",)
    assert kinds["bug"] == ("steps", "error_message", "promised_at")


def test_tenant_setting_replaces_per_key_and_adds_the_type():
    setting = {"remote_service.bug": ["steps"], "on_site_service": ["work_done"], "remote_service": ["channel"]}
    assert field_rules.record_fields_for("remote_service", (), "bug", setting) == ["channel", "steps"]
    assert field_rules.record_fields_for("remote_service", (), "data_clear", setting) == ["channel", "written_scope",
                                                                                        "tool"]
    assert field_rules.record_fields_for("on_site_service", ("x",), None, setting) == ["work_done"]
    assert field_rules.record_fields_for("repair", ("parts_used", "work_done"), None, setting) == ["parts_used",
                                                                                                 "work_done"]
    assert field_rules.record_fields_for("remote_service", (), "chat", {}) == []  # a kind nobody names


def test_blank_values_are_missing():
    errors = field_rules.record_errors(["a", "b", "c", "d", "e"], {"a": " ", "b": [], "c": None, "d": 0, "e": False})
    assert set(errors) == {"fields.a", "fields.b", "fields.c"}


# ------------------------------------------------------------------------------------------ settings


def test_field_settings_defaults_and_validation():
    values = SvcPolicySchema().load({})
    assert values["feedback"] == {"photo_required": True} and values["record_fields"] == {}
    loaded = SvcPolicySchema().load({"feedback": {"photo_required": False},
                                     "record_fields": {"remote_service.report_issue": ["analysis"]}})
    assert loaded["feedback"]["photo_required"] is False
    with pytest.raises(ValidationError) as bad:
        SvcPolicySchema().load({"record_fields": {"Remote Service": ["x"], "remote_service.a.b": ["y"]}})
    assert "record_fields" in bad.value.messages
