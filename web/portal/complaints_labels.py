"""Names of the complaint module's codes for people, as (Chinese, English) pairs shown with the
template helper ``pick(zh, en)`` (zh_Hant derived). Case types, statuses and severities are the ones
the customer timeline uses (:mod:`core.complaints.timeline`)."""
from __future__ import annotations

from core.complaints.timeline import SEVERITY_LABELS, STATUS_LABELS, TYPE_LABELS

CHANNEL_LABELS = {
    "phone": ("电话", "phone"), "hotline": ("热线", "hotline"), "walk_in": ("来访", "walk-in"),
    "letter": ("来信", "letter"), "online": ("网上", "online"), "email": ("电子邮件", "email"),
    "opinion_book": ("意见簿", "opinion book"), "via_salesperson": ("销售转交", "via a salesperson"),
    "to_gm": ("总经理接待", "to the GM"), "grumble": ("抱怨", "grumble"), "media": ("媒体", "media"),
    "authority": ("主管部门", "authority"), "manufacturer": ("厂家", "manufacturer"),
}

DEMAND_LABELS = {
    "price_reduction": ("降价", "price reduction"), "return": ("退货", "return"), "exchange": ("换货", "exchange"),
    "compensation": ("赔偿", "compensation"), "criticism": ("批评", "criticism"), "suggestion": ("建议", "suggestion"),
}

MILESTONE_LABELS = {
    "reply": ("首次答复", "first reply"), "solution": ("处理方案", "solution"), "resolve": ("解决", "resolution"),
    "accept": ("受理", "acceptance"), "close": ("结案", "closure"), "return_visit": ("回访", "return visit"),
}

MILESTONE_STATES = {"open": ("进行中", "running"), "met": ("已达成", "met"), "breached": ("已超时", "breached"),
                    "cancelled": ("已取消", "cancelled")}

FINDING_LABELS = {
    "discipline": ("违纪或失职", "discipline"), "general_error": ("一般性过失", "general error"),
    "customer_side": ("客户方原因", "customer's side"), "not_substantiated": ("投诉不成立", "not substantiated"),
}

REPLY_METHOD_LABELS = {
    "on_the_spot": ("当场答复", "on the spot"), "phone": ("电话", "phone"), "letter": ("书面函件", "letter"),
    "visit": ("上门", "visit"), "sms": ("短信", "SMS"), "email": ("电子邮件", "email"),
}

RESOLUTION_METHOD_LABELS = {
    "explanation": ("解释说明", "explanation"), "apology": ("赔礼道歉", "apology"), "repair": ("维修", "repair"),
    "exchange": ("换货", "exchange"), "refund": ("退款", "refund"), "compensation": ("补偿", "compensation"),
    "service_redo": ("重新服务", "service redone"),
}

VISIT_MODE_LABELS = {"on_site": ("上门回访", "on site"), "phone": ("电话回访", "by phone")}

LEVEL_LABELS = {"handler": ("经办人", "handler"), "dept_head": ("部门负责人", "department head"),
                "vp": ("主管副总", "VP in charge"), "gm": ("总经理", "GM")}

EVENT_LABELS = {
    "received": ("登记", "received"), "routed": ("分派部门", "routed"), "owned": ("确定负责人", "owner set"),
    "accepted": ("受理", "accepted"), "rejected": ("不予受理", "rejected"), "in_progress": ("开始处理", "taken in hand"),
    "finding_recorded": ("认定结论", "finding recorded"), "severity_changed": ("调整等级", "severity changed"),
    "major_flagged": ("认定重大投诉", "flagged major"), "transferred": ("转交", "transferred"),
    "handler_assigned": ("指派处理人", "handler assigned"), "paused": ("暂停计时", "clock paused"),
    "resumed": ("恢复计时", "clock resumed"), "deadline_breached": ("超时", "deadline breached"),
    "deadline_warned": ("即将超时", "deadline near"), "escalated": ("超期升级", "escalated"),
    "authority_offered": ("上报", "offered up the ladder"), "demand_recorded": ("客户诉求", "demand recorded"),
    "solution_proposed": ("提出处理方案", "solution proposed"), "solution_approved": ("方案批准", "solution approved"),
    "solution_returned": ("方案退回", "solution returned"), "replied": ("答复客户", "replied"),
    "resolved": ("解决", "resolved"), "analysis_recorded": ("原因分析", "analysis recorded"),
    "feedback_recorded": ("客户满意度", "satisfaction recorded"), "closed": ("结案", "closed"),
    "reopened": ("重开", "reopened"), "reopened_from": ("由原投诉重开", "reopened from"),
    "return_visit_planned": ("安排回访", "return visit planned"), "return_visit_done": ("完成回访", "return visit done"),
    "return_visit_exemption": ("免回访", "return-visit exemption"), "repeat_detected": ("二次投诉", "repeat complaint"),
    "customer_reply_time_fixed": ("约定答复时间", "reply time agreed"), "reminded": ("催办", "reminder"),
    "cases_linked": ("关联案件", "cases linked"), "tagged": ("标记", "tagged"),
    "supplier_flagged": ("涉及供应商", "supplier flagged"), "reported_externally": ("外部报告", "reported externally"),
    "adoption_recorded": ("建议采纳", "adoption recorded"), "major_acknowledged": ("重大投诉签收", "major case acknowledged"),
    "major_meeting": ("重大投诉会议", "major-case meeting"), "major_group_warning": ("集团预警", "group warning"),
    "major_ack_overdue": ("签收超时", "acknowledgement overdue"),
    "major_group_warning_overdue": ("集团预警超时", "group warning overdue"),
    "major_criteria_added": ("补充重大认定", "major criteria added"), "improvement_drafted": ("起草整改建议", "improvement drafted"),
    "improvement_edited": ("修改整改建议", "improvement edited"), "open_letter": ("公开信", "open letter"),
    "not_verified": ("待核实", "not verified"), "reply_promised": ("承诺答复", "reply promised"),
    "special_extension": ("特殊延期", "special extension"), "linked": ("合并处理", "linked"),
}


#: CMP-14 core complainant tags (a tenant's own tags stand for themselves)
TAG_LABELS = {"professional": ("职业投诉人", "professional complainant"), "problem": ("问题客户", "problem customer"),
              "potential": ("潜在客户", "potential customer"), "motive_respect": ("求尊重", "wants respect"),
              "motive_vent": ("求发泄", "wants to vent"), "motive_compensation": ("求补偿", "wants compensation"),
              "motive_solution": ("求解决", "wants a solution"), "malicious": ("恶意投诉", "malicious")}

PAUSE_LABELS = {"waiting_customer": ("等待客户", "waiting for the customer"),
                "waiting_parts": ("等待配件", "waiting for parts"), "third_party": ("等待第三方", "waiting for a third party")}

DURATION_UNITS = {"working_days": ("个工作日", " working days"), "working_day": ("个工作日", " working day"),
                  "business_hours": ("个工作小时", " business hours"), "hours": ("小时", " hours"),
                  "days": ("天", " days"), "minutes": ("分钟", " minutes")}


def duration_label(text: str | None) -> tuple[str, str]:
    """``"3 working_days"`` → ``("3个工作日", "3 working days")``."""
    amount, _, unit = (text or "").partition(" ")
    zh, en = DURATION_UNITS.get(unit, (f" {unit}", f" {unit}"))
    return (f"{amount}{zh}", f"{amount}{en}") if text else ("", "")


def label(table: dict, code: str | None) -> tuple[str, str]:
    """The (zh, en) pair of ``code`` in ``table``; an unknown code stands for itself."""
    if code is None:
        return ("", "")
    return table.get(code, (code, code.replace("_", " ")))


def milestone_label(code: str) -> tuple[str, str]:
    if code.startswith("stage."):
        return (f"阶段 {code[6:]}", f"stage {code[6:]}")
    if code.startswith("next_reply"):
        return ("约定答复", "agreed reply")
    return label(MILESTONE_LABELS, code)


TABLES = {"type": TYPE_LABELS, "status": STATUS_LABELS, "severity": SEVERITY_LABELS, "channel": CHANNEL_LABELS,
          "demand": DEMAND_LABELS, "milestone_state": MILESTONE_STATES, "finding": FINDING_LABELS,
          "reply_method": REPLY_METHOD_LABELS, "resolution_method": RESOLUTION_METHOD_LABELS, "visit_mode": VISIT_MODE_LABELS, "level": LEVEL_LABELS,
          "event": EVENT_LABELS, "pause": PAUSE_LABELS, "tag": TAG_LABELS}


def labels_of(kind: str, code: str | None) -> tuple[str, str]:
    """``labels_of("status", "closed")`` → ``("已结案", "closed")``; for templates: ``pick(*cl("status", c))``."""
    if kind == "duration":
        return duration_label(code)
    if kind == "milestone":
        return milestone_label(code or "")
    return label(TABLES[kind], code)
