"""The words of the ownership rules (CUS-20..CUS-27, CUS-60): modes, evidence kinds, contact kinds,
states, why a window ends, expiry actions, quarrel consequences, and their Chinese and English labels."""

from __future__ import annotations

import re
from decimal import Decimal


FIXED = "fixed_from_registration"  #: CUS-22
ROLLING = "rolling_from_last_valid_contact"  #: CUS-23
UNDER_SERVICE = "under_service_window"  #: CUS-24
NONE = "none"  #: CUS-20: no protection window
MODES = (FIXED, ROLLING, UNDER_SERVICE, NONE)

#: CUS-21 evidence kinds a tenant may accept (``cus.claim.evidence``), in the order of the spec.
EVIDENCE_KINDS = ("register", "meeting_record", "card_signature", "submitted_list")
#: A decided ownership change (CUS-24 approval aside: CUS-25 action, CUS-27 ruling, CUS-33/34/35
#: reassignment, CAR-14 transfer). Always accepted and displaces any owner, even a locked one.
ASSIGNMENT = "assignment"

#: CUS-60 channels with their outcome, as the ownership settings name them.
CONTACT_KINDS = (
    "phone_answered",
    "phone_unanswered",
    "sms",
    "visit",
    "home_visit",
    "on_site",
    "im",
    "email",
    "letter",
    "fax",
    "event_attended",
    "event_invited",
)

UNOWNED, PROTECTED, EXPIRING, CLAIMABLE, LOCKED = "unowned", "protected", "expiring", "claimable", "locked"
STATUSES = (UNOWNED, PROTECTED, EXPIRING, CLAIMABLE, LOCKED)

#: why a window ended (``OwnershipState.end_reason``)
EXPIRED = "expired"  # CUS-22
VOID_MISSED_CONTACT = "void_missed_contact"  # CUS-23 deadline missed
VOID_WEAK_STREAK = "void_weak_streak"  # CUS-23 N consecutive weak-channel contacts
NO_QUALIFYING_SERVICE = "no_qualifying_service"  # CUS-24

EXPIRY_ACTIONS = ("claimable", "release_to_pool", "reassign", "transfer_to_role")
QUARREL_KINDS = ("forfeit_to_department", "fine_each", "dismissal_flag_each", "none")
VERDICTS = ("uphold", "overturn", "cannot_decide")
ARBITRATION_STATUSES = ("objection_window", "awaiting_arbiter", "escalated", "final")

ROLE_RE = re.compile(r"^[a-z][a-z0-9_]*$")


CENT = Decimal("0.01")

EVIDENCE_ZH = {
    "register": "登记",
    "meeting_record": "经理晚会记录",
    "card_signature": "组长签卡",
    "submitted_list": "按时提交名单上的确认邀约",
    ASSIGNMENT: "分配决定",
}
EVIDENCE_EN = {
    "register": "register entry",
    "meeting_record": "manager's evening-meeting record",
    "card_signature": "group leader's card signature",
    "submitted_list": "confirmed invitation on an on-time list",
    ASSIGNMENT: "assignment decision",
}
CLAIM_VERB_ZH = {
    "register": "首访登记",
    "meeting_record": "经经理晚会记录认定接待",
    "card_signature": "经组长签卡认定",
    "submitted_list": "经按时提交的邀约名单认定",
    ASSIGNMENT: "受分配",
}
CLAIM_VERB_EN = {
    "register": "registered",
    "meeting_record": "claimed (manager's evening-meeting record)",
    "card_signature": "claimed (card signed by the group leader)",
    "submitted_list": "claimed (confirmed invitation on an on-time list)",
    ASSIGNMENT: "was assigned",
}
CONTACT_ZH = {
    "phone_answered": "电话（接通）",
    "phone_unanswered": "电话（未接通）",
    "sms": "短信",
    "visit": "来访",
    "home_visit": "家访",
    "on_site": "上门服务",
    "im": "即时通讯",
    "email": "电子邮件",
    "letter": "信函",
    "fax": "传真",
    "event_attended": "参加活动",
    "event_invited": "活动邀约（未参加）",
}
CONTACT_EN = {
    "phone_answered": "answered call",
    "phone_unanswered": "unanswered call",
    "sms": "SMS",
    "visit": "visit",
    "home_visit": "home visit",
    "on_site": "on-site visit",
    "im": "IM message",
    "email": "email",
    "letter": "letter",
    "fax": "fax",
    "event_attended": "event attendance",
    "event_invited": "event invitation (not attended)",
}
ROLE_ZH = {
    "gm": "总经理",
    "vp": "副总经理",
    "dept_manager": "部门经理",
    "supervisor": "主管",
    "salesperson": "销售员",
    "assistant": "协调助理",
    "resource_director": "顾客资源总监",
    "cs_manager": "客服经理",
}
ROLE_EN = {
    "gm": "general manager",
    "vp": "vice president",
    "dept_manager": "department manager",
    "supervisor": "supervisor",
    "salesperson": "salesperson",
    "assistant": "coordination assistant",
    "resource_director": "customer-resource director",
    "cs_manager": "customer-service manager",
}
UNIT_ZH = {
    "minutes": "分钟",
    "hours": "小时",
    "business_hours": "个工作小时",
    "days": "天",
    "weeks": "周",
    "months": "个月",
    "years": "年",
    "working_days": "个工作日",
}
