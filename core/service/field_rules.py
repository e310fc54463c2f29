"""Field-work rules (SVC-10..13), pure: no database, no clock.

- SVC-10 :func:`swap_errors` — the items of a swap (kind, old and new identifiers), and
  :func:`install_refusal` / :data:`ASSET_MOVES` — what each asset status allows.
- SVC-11 :func:`judge_checks` — the type's completion checks against the results given: missing,
  failed (a result not in the check's ``passing``), passed.
- SVC-12 :func:`feedback_problem` — the feedback form of an on-site order: no form or no signature is
  a conflict (409), a signed form without result, signatory or (when required) photo is bad input (422).
- SVC-13 :func:`record_fields_for` and :func:`record_errors` — the fields a service record must fill.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from core.service.field_models import ASSET_KINDS

# ------------------------------------------------------------------------------------------- SVC-10

#: asset status → the actions it allows: ``swap_out`` (the old unit of a swap), ``install`` (the new
#: one, see :func:`install_refusal`), ``take_back`` (to repair, labelled), ``return`` (back from repair)
ASSET_MOVES = {
    "installed": ("swap_out", "install", "take_back"),
    "retired": ("install", "take_back"),
    "returned": ("swap_out", "install", "take_back"),
    "in_repair": ("return",),
}
ACTION_STATUS = {"swap_out": "retired", "install": "installed", "take_back": "in_repair", "return": "returned"}
STATUS_ZH = {"installed": "在用", "in_repair": "返修中", "returned": "已修回", "retired": "已拆除"}
ACTION_ZH = {"swap_out": "拆下", "install": "装上", "take_back": "带回返修", "return": "修回"}
ACTION_EN = {"swap_out": "swapped out", "install": "installed", "take_back": "taken back for repair",
             "return": "returned from repair"}


def move_refusal(status: str, action: str) -> tuple[str, str] | None:
    """Why an asset in ``status`` cannot undergo ``action`` (Chinese, English), or None."""
    if action in ASSET_MOVES.get(status, ()):
        return None
    return (f"该设备{STATUS_ZH.get(status, status)}，不能{ACTION_ZH.get(action, action)}",
            f"a unit {status.replace('_', ' ')} cannot be {ACTION_EN.get(action, action)}")


def normalise_identifier(value) -> str:
    """An identifier as written on the unit, without surrounding or inner blanks (a SIM number may be
    written in groups)."""
    return "".join(str(value or "").split())


def swap_errors(items: list[dict]) -> dict[str, list[str]]:
    """422 messages keyed ``items.<i>.<field>`` for the items of a swap: a known kind, old and new
    identifiers, different from each other, each unit once in the request."""
    errors: dict[str, list[str]] = {}
    if not items:
        return {"items": ["at least one swap"]}
    seen: set[tuple[str, str]] = set()
    for i, item in enumerate(items):
        kind = item.get("kind")
        if kind not in ASSET_KINDS:
            errors[f"items.{i}.kind"] = [f"one of {', '.join(ASSET_KINDS)}"]
        old, new = normalise_identifier(item.get("old")), normalise_identifier(item.get("new"))
        for name, value in (("old", old), ("new", new)):
            if not value:
                errors[f"items.{i}.{name}"] = ["the identifier is required"]
            elif len(value) > 100:
                errors[f"items.{i}.{name}"] = ["at most 100 characters"]
        if old and new and old == new:
            errors[f"items.{i}.new"] = ["the new unit must differ from the old one"]
        for name, value in (("old", old), ("new", new)):
            if value and (kind, value) in seen and f"items.{i}.{name}" not in errors:
                errors[f"items.{i}.{name}"] = ["the same unit twice in one request"]
            seen.add((kind, value))
    return errors


def install_refusal(status: str | None, customer_id: int | None, installed_at: int | None) -> tuple[str, str] | None:
    """Why a unit cannot be installed as the new one of a swap (Chinese, English), or None: a unit in
    repair cannot; a unit installed at another customer cannot (swap it out there first). ``status``
    None: a unit the register does not know yet."""
    if status is None:
        return None
    if status == "installed" and installed_at is not None and installed_at != customer_id:
        return "该设备已装在其他客户处", "the unit is installed at another customer"
    return move_refusal(status, "install")


# ------------------------------------------------------------------------------------------- SVC-11


@dataclass(frozen=True)
class CheckOutcome:
    missing: tuple[str, ...] = ()
    failed: dict[str, str] = field(default_factory=dict)
    passed: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.missing and not self.failed


def judge_checks(declared, results: dict | None) -> CheckOutcome:
    """SVC-11: each declared :class:`core.plugins.records.CompletionCheck` against ``results`` (name →
    result). A blank result is missing; a result not in the check's ``passing`` has failed."""
    results = results or {}
    missing, failed, passed = [], {}, {}
    for check in declared:
        value = results.get(check.name)
        value = str(value).strip() if value is not None else ""
        if not value:
            missing.append(check.name)
        elif value in check.passing:
            passed[check.name] = value
        else:
            failed[check.name] = value
    return CheckOutcome(tuple(missing), failed, passed)


# ------------------------------------------------------------------------------------------- SVC-12


@dataclass(frozen=True)
class FeedbackProblem:
    status: int  # 409: no signed form; 422: the signed form is incomplete
    reason_zh: str
    reason_en: str
    fields: dict[str, list[str]] = field(default_factory=dict)


def feedback_problem(feedback: dict | None, *, photo_required: bool) -> FeedbackProblem | None:
    """SVC-12: an on-site order completes only with a feedback form signed by the customer (409 when
    there is none or it is not signed); a signed form needs the result and the signatory's name and,
    when ``svc.feedback.photo_required``, the photo of the signed form (422 naming each)."""
    if not feedback:
        return FeedbackProblem(409, "上门服务须有客户签字的服务反馈单才能完工",
                               "an on-site order completes only with the feedback form signed by the customer")
    if not feedback.get("signed"):
        return FeedbackProblem(409, "服务反馈单未经客户签字，不能完工",
                               "the feedback form is not signed by the customer: the order cannot complete")
    errors: dict[str, list[str]] = {}
    for name, label in (("result", "the result"), ("signatory", "the name of the customer's signatory")):
        if not str(feedback.get(name) or "").strip():
            errors[f"feedback.{name}"] = [f"{label} is required on a signed form (SVC-12)"]
    if photo_required and not feedback.get("photo_attachment_id"):
        errors["feedback.photo_attachment_id"] = [
            "the photo of the signed form is required (svc.feedback.photo_required, SVC-12)"]
    if errors:
        return FeedbackProblem(422, "服务反馈单不完整", "the feedback form is incomplete", errors)
    return None


# ------------------------------------------------------------------------------------------- SVC-13

#: SVC-13 / PRE-15 remote record kinds (the order's ``data.service_kind``) → the fields their record needs
KIND_RECORD_FIELDS: dict[str, tuple[str, ...]] = {
    "data_clear": ("written_scope", "tool"),  # 数据清理: the customer's written scope, the tool used
    "report_issue": ("report_name", "question", "analysis", "solution"),  # 报表问题
    "admin_password": ("written_application", "password_given_to"),  # 管理员密码: the contact given it
    "program_modification": ("requirement_doc",),  # 程序修改: the requirement document
    "bug": ("steps", "error_message", "promised_at"),  # 程序错误: steps, message, promised completion time
}


def record_fields_for(type_code: str, type_fields, service_kind: str | None, setting: dict) -> list[str]:
    """The fields the service record of an order must fill: for the type, ``svc.record_fields[type]``
    or else the type's own ``record_fields``; for its service kind, ``svc.record_fields[type.kind]`` or
    else :data:`KIND_RECORD_FIELDS` of the kind; in that order, each name once."""
    names = list(setting[type_code]) if type_code in setting else list(type_fields or ())
    if service_kind:
        key = f"{type_code}.{service_kind}"
        names += list(setting[key]) if key in setting else list(KIND_RECORD_FIELDS.get(service_kind, ()))
    return list(dict.fromkeys(names))


def _blank(value) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, dict, tuple)):
        return not value
    return False


def record_errors(required: list[str], values: dict | None) -> dict[str, list[str]]:
    """422 messages ``fields.<name>`` for each required record field left out or blank (SVC-13)."""
    values = values or {}
    return {f"fields.{name}": ["required for this service record (SVC-13)"] for name in required
            if _blank(values.get(name))}
