"""Which steps of a work order a user is offered on the order page, and the labels the pages show.

The offer follows the API: the state machine's next states (:func:`core.service.orders.allowed_moves`)
and the roles of the endpoint (``web.api.work_orders`` ``DESK`` / ``TAKERS``, ``web.api.work_order_field``
``FIELD``, the assignee test of :func:`core.service.dispatch_field.acts_for_assignee`). The core still
decides: a step offered here may be refused (409) and the page says why.
"""
from __future__ import annotations

from core.errors import Forbidden
from core.service import dispatch, dispatch_approval, dispatch_field
from core.service.dispatch_rules import ASSIGNEE_MILESTONES
from web.api.work_order_dispatch import SUBMITTERS
from web.api.work_order_field import FIELD
from web.api.work_orders import DESK

#: every step form of the order page, in the order shown
STEPS = ("submit_approval", "approve", "reject_approval", "dispatch", "reassign", "checklist", "eta", "arrive",
         "work_log", "complete", "record", "delay_notice", "rework", "hold", "resume", "cancel")

PRIORITY_LABELS = {"urgent": ("紧急", "urgent"), "general": ("一般", "general"), "high": ("高", "high"),
                   "low": ("低", "low"), "normal": ("普通", "normal")}
PAUSE_LABELS = {"customer_unavailable": ("客户不便/联系不上", "customer unavailable"),
                "awaiting_parts": ("等待配件", "awaiting parts"), "third_party": ("等待第三方", "third party"),
                "force_majeure": ("不可抗力", "force majeure")}
MILESTONE_LABELS = {"approve": ("审批", "approval"), "dispatch": ("派工", "dispatch"), "arrive": ("到场", "arrival"),
                    "complete": ("完工", "completion")}
MILESTONE_STATES = {"open": ("进行中", "running"), "met": ("已达成", "met"), "breached": ("已超时", "breached"),
                    "cancelled": ("已取消", "cancelled")}
CHECK_RESULTS = {"pass": ("通过", "pass"), "fail": ("未通过", "fail")}
EVENT_LABELS = {
    "requested": ("受理", "taken in"), "from_complaint": ("由投诉/求助转入", "opened from a case"),
    "approval_requested": ("提交审批", "sent for approval"), "approved": ("审批同意", "approved"),
    "approval_rejected": ("审批驳回", "approval refused"), "dispatched": ("派工", "dispatched"),
    "reassigned": ("改派", "reassigned"), "dispatch_approval": ("派工审批补录", "dispatch approval recorded"),
    "checklist": ("出发前检查", "pre-departure checklist"), "eta_set": ("约定到达时间", "arrival time agreed"),
    "eta_changed": ("更改到达时间", "arrival time changed"), "arrived": ("到场", "arrived"),
    "work_logged": ("记录现场工作", "work logged"), "swapped": ("更换设备", "units swapped"),
    "checks_failed": ("完工检查未通过", "completion checks failed"), "completed": ("完工", "completed"),
    "recorded": ("服务记录", "service recorded"), "rework": ("返修", "rework"), "held": ("暂停", "put on hold"),
    "resumed": ("恢复", "resumed"), "cancelled": ("取消", "cancelled"), "vetoed": ("被插件拒绝", "refused by a plugin"),
    "delay_notice": ("延期申请", "delay notice"), "delay_decided": ("延期审批", "delay decided"),
    "deadline_breached": ("超时", "deadline breached"), "escalated": ("升级", "escalated"),
    "return_visit_due": ("待回访", "return visit due"), "return_visit_planned": ("安排回访", "return visit planned"),
    "return_visit_done": ("完成回访", "return visit done"), "closed": ("关闭", "closed"),
    "fee_collected": ("收费", "fee collected"),
}
NOTICE_STATES = {"pending": ("待审批", "pending"), "granted": ("已批准", "granted"), "refused": ("未批准", "refused")}


def _may_act_for_assignee(order, user, *, desk: bool = False) -> bool:
    try:
        dispatch_field.acts_for_assignee(order, user, desk=desk)
    except Forbidden:
        return False
    return True


def available(order, user, nexts: tuple[str, ...], milestones=()) -> list[str]:
    """The steps ``user`` is offered on ``order`` whose next states are ``nexts`` (``milestones``: its
    deadlines, for the delay notice of SVC-08)."""
    status, out = order.status, []
    needs_approval = bool(order.approval_roles)
    if needs_approval and status == "requested" and user.has_role(*SUBMITTERS):
        out.append("submit_approval")
    if needs_approval and status in dispatch_approval.PENDING and user.id in dispatch_approval.approvers(order):
        out += ["approve", "reject_approval"]
    if "dispatched" in nexts and status not in ("dispatched", "on_hold") and user.has_role(*DESK):
        out.append("dispatch")
    if status == "dispatched" and user.has_role(*DESK) and dispatch.is_manager(user):
        out.append("reassign")
    if status == "dispatched" and _may_act_for_assignee(order, user):
        out.append("checklist")  # departure: required or not (svc.checklist.required), the assignee ticks it
    if status == "dispatched" and _may_act_for_assignee(order, user, desk=True):
        out.append("eta")
    if "on_site" in nexts and status != "on_hold" and _may_act_for_assignee(order, user):
        out.append("arrive")
    if status in ("on_site", "completed") and _may_act_for_assignee(order, user):
        out.append("work_log")
    if status in ("dispatched", "on_site") and order.assignee_id and _may_act_for_assignee(order, user) \
            and any(m.code in ASSIGNEE_MILESTONES and m.state == "open" for m in milestones):
        out.append("delay_notice")
    if "completed" in nexts and status != "on_hold" and user.has_role(*FIELD) \
            and _may_act_for_assignee(order, user, desk=True):
        out.append("complete")
    if "recorded" in nexts and user.has_role(*FIELD) and _may_act_for_assignee(order, user, desk=True):
        out.append("record")
    if "rework" in nexts and user.has_role(*DESK):
        out.append("rework")
    if "on_hold" in nexts and user.has_role(*DESK, "technician"):
        out.append("hold")
    if status == "on_hold" and user.has_role(*DESK, "technician"):
        out.append("resume")
    if "cancelled" in nexts and user.has_role(*DESK):
        out.append("cancel")
    return [s for s in STEPS if s in out]

#: the names of the core types' data fields and of the record fields of SVC-13 (others show their code)
FIELD_LABELS = {
    "customer": ("客户", "customer"), "address": ("详细地址", "address"), "contact": ("联系人及电话", "contact"),
    "fault": ("故障描述", "fault description"),
    "model": ("型号", "model"), "purchase_date": ("购买日期", "purchase date"), "serial_number": ("序列号", "serial number"),
    "warranty": ("在保修期内", "under warranty"), "request_doc": ("安装申请单", "request document"),
    "asset_list": ("车辆/设备清单", "vehicles or devices"), "asset": ("设备", "asset"), "scope": ("巡检范围", "scope"),
    "topic": ("培训主题", "topic"), "attendees": ("参训人数", "attendees"), "version": ("版本", "version"),
    "service_kind": ("服务类别", "service kind"), "report_name": ("报表名称", "report name"),
    "question": ("问题", "question"), "analysis": ("分析", "analysis"), "solution": ("解决方案", "solution"),
    "written_application": ("书面申请", "written application"), "password_given_to": ("密码交付人", "password given to"),
    "requirement_doc": ("需求文档", "requirement document"), "steps": ("重现步骤", "steps"),
    "error_message": ("错误信息", "error message"), "promised_at": ("承诺完成时间", "promised at"),
    "job_details": ("已确认工作内容", "job details checked"), "tools": ("工具已备齐", "tools packed"),
    "parts": ("配件已备齐", "parts packed"), "documents": ("单据已备齐", "documents packed"), "meter_no": ("表号", "meter number"),
}


def field_label(name: str) -> tuple[str, str]:
    return FIELD_LABELS.get(name, (name, name))


#: the units of a deadline's duration (``svc.sla``: "4 hours", "2 working_days")
DURATION_UNITS = {"minutes": ("分钟", "minutes"), "hours": ("小时", "hours"), "working_hours": ("个工作小时", "working hours"),
                  "days": ("天", "days"), "working_days": ("个工作日", "working days"), "weeks": ("周", "weeks"),
                  "months": ("个月", "months")}


def duration_text(duration: str | None, english: bool) -> str:
    """``"5 working_days"`` → ``5个工作日`` (or ``5 working days``); anything else as it is."""
    parts = (duration or "").split()
    if len(parts) != 2 or parts[1] not in DURATION_UNITS:
        return duration or ""
    zh, en = DURATION_UNITS[parts[1]]
    return f"{parts[0]} {en}" if english else f"{parts[0]}{zh}"
