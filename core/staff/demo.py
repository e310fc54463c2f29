"""Sample data of the staff module for a demo tenant (``make run``), made through the module's own
service functions so that every record has its decisions and history. Idempotent: nothing is added
once the demo's deals exist.

What the demo users find (relative to now):

- sales1 (王强): a slip to sign with its appeal window running, a proposed penalty waiting for the
  manager's approval (a range: the approver sets the amount), deals of last month and this month,
  last month's statement to confirm, last month's scorecard.
- cs (刘洋): a penalty whose slip was signed and appealed — the appeal waits for the manager's reply
  (its deadline clock runs) — and an approved reward.
- tech (孙磊): last month's late arrival, its slip signed and effective, on last month's statement.
- sales2 (陈静): a deal of last month reversed this month (STF-33), scorecards to rank against sales1.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from core.accounts.service import find_user
from core.calendar.service import tenant_calendar
from core.db import db, utcnow
from core.policy import service as policy
from core.policy.models import PolicyDocument
from core.staff import appeals, credit, ledger, penalties, scorecards, slips, statements
from core.staff.credit_models import PerformanceCredit
from core.staff.statements_rules import previous_month

SUBJECT_TYPE = "demo_contract"

DEMO_STF = {
    "catalog": {
        "late_arrival": {"amount": 50, "label_zh": "迟到", "label_en": "Late arrival"},
        "attitude_reasonable": {"min": 50, "max": 200, "label_zh": "服务态度差（投诉属实）",
                                "label_en": "Poor attitude (complaint upheld)"},
        "missed_follow_up": {"amount": 100, "label_zh": "未按时回访客户", "label_en": "Missed a customer follow-up"},
    },
    "scorecards": {"schemes": {
        "salesperson": {"title_zh": "销售顾问月度考核", "title_en": "Sales monthly scorecard", "dimensions": [
            {"code": "results", "label_zh": "业绩完成", "label_en": "Results", "weight": 60},
            {"code": "customers", "label_zh": "客户维护", "label_en": "Customer care", "weight": 25},
            {"code": "discipline", "label_zh": "工作纪律", "label_en": "Discipline", "weight": 15}]},
        "cs_agent": {"title_zh": "客服月度考核", "title_en": "Customer service scorecard", "dimensions": [
            {"code": "response", "label_zh": "响应及时", "label_en": "Response time", "weight": 40},
            {"code": "satisfaction", "label_zh": "客户满意", "label_en": "Satisfaction", "weight": 45},
            {"code": "discipline", "label_zh": "工作纪律", "label_en": "Discipline", "weight": 15}]},
        "technician": {"title_zh": "技术员月度考核", "title_en": "Technician scorecard", "dimensions": [
            {"code": "first_fix", "label_zh": "一次修复率", "label_en": "First-time fix", "weight": 50},
            {"code": "punctuality", "label_zh": "准时到达", "label_en": "Punctuality", "weight": 30},
            {"code": "process", "label_zh": "规范作业", "label_en": "Work standards", "weight": 20}]},
    }},
}

SCORES = {
    "sales1": {"results": 52, "customers": 20, "discipline": 12},
    "sales2": {"results": 56, "customers": 22, "discipline": 14},
    "cs": {"response": 36, "satisfaction": 40, "discipline": 15},
    "tech": {"first_fix": 44, "punctuality": 22, "process": 18},
}


def _regulation(since: dt.date) -> None:
    """The demo company's staff regulation, in force since ``since`` (last month's first day) so that
    last month's deals, penalties and scores are judged by it; only when the tenant has none. Validated
    by the policy service; stored with its past date as the demo's history (``publish`` refuses the
    past on purpose, so that a real tenant never re-judges its past)."""
    if policy.history("stf"):
        return
    db.session.add(PolicyDocument(module="stf", version=1, effective_from=since, body=policy.validate("stf", DEMO_STF),
                                  note="示例：迟到、服务态度、回访的处罚标准与岗位考核方案"))
    db.session.flush()
    db.session.info.pop("kehu_policy_in_force", None)  # the versions in force are read again


def _price(offence: str, amount: str, at: dt.datetime) -> dict:
    """The catalog's price when the tenant's catalog has the offence, else the demo's own amount."""
    from core.staff.policy import stf_policy

    return {} if offence in stf_policy(at).values["catalog"] else {"amount": Decimal(amount)}


def _penalty(offence, *, user, by, at, amount="50", approve=True, reason=None):
    zh, en = reason or (None, None)
    entry = penalties.penalise(offence=offence, occurred_at=at, user_id=user.id, created_by=by.id,
                               reason_zh=zh, reason_en=en, **_price(offence, amount, at))[0]
    if approve:
        penalties.approve(entry, by=by)
    return entry


def provision(now: dt.datetime | None = None) -> None:
    """Add the sample staff records (inside the tenant's scope) unless they are there already."""
    users = {name: find_user(name) for name in ("manager", "cs_lead", "sales1", "sales2", "cs", "tech")}
    if any(u is None for u in users.values()):
        return
    if db.session.scalar(select(PerformanceCredit.id).where(PerformanceCredit.subject_type == SUBJECT_TYPE).limit(1)):
        return
    now = now or utcnow()
    calendar, _ = tenant_calendar(now)
    today = calendar.local_date(now)
    last_month = previous_month(today)
    _regulation(last_month)

    def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return calendar.start_of_day(day) + dt.timedelta(hours=hour, minutes=minute)

    manager, lead = users["manager"], users["cs_lead"]
    sales1, sales2, cs, tech = users["sales1"], users["sales2"], users["cs"], users["tech"]

    # last month: deals, a late arrival signed for, the scorecards
    deals = [(sales1, 1, "48600.00", "HX-合同-0311 顺达物流 GPS 60台", 6), (sales2, 2, "27900.00", "HX-合同-0312 宏远冷链 GPS 30台", 12),
             (sales1, 3, "15800.00", "HX-合同-0315 安捷货运 续费", 20)]
    made = {}
    for owner, number, amount, reference, day in deals:
        made[number] = credit.record_deal(subject_type=SUBJECT_TYPE, subject_id=number, amount=amount, owner_id=owner.id,
                                          deal_at=local(last_month.replace(day=day), 10, 30), reference=reference,
                                          by=manager.id)
    late = _penalty("late_arrival", user=tech, by=manager, at=local(last_month.replace(day=14), 9, 25),
                    reason=("上门安装迟到25分钟，客户等候", "25 minutes late for an installation; the customer waited"))
    slip = slips.issue(late.id, facts=f"{last_month.month}月14日上门安装迟到25分钟，客户现场等候。",
                       opinion="按公司制度罚款50元。", by=manager.id, issued_at=local(last_month.replace(day=15), 9))
    slips.sign(slip.id, by=tech.id, signed_at=local(last_month.replace(day=15), 9, 20))
    available, _view = scorecards.schemes(last_month)
    for name, scores in SCORES.items():
        reviewer = lead if name == "cs" else manager
        scheme = next((role for role in users[name].roles if role in available), None)
        codes = {d["code"] for d in available[scheme]["dimensions"]} if scheme else set()
        if codes == set(scores):  # the demo's schemes (a tenant's own may differ: then no sample score)
            scorecards.score(user_id=users[name].id, month=last_month, scores=scores, by=reviewer.id,
                             note="按月度考核方案评分")
    statements.issue(now)  # last month's statements (STF-34), to confirm

    # this month: a deal, a reversal, slips to sign and to answer, a proposal, a reward
    credit.record_deal(subject_type=SUBJECT_TYPE, subject_id=4, amount="36500.00", owner_id=sales1.id,
                       deal_at=now - dt.timedelta(days=1, hours=2), reference="HX-合同-0402 京运通 GPS 45台",
                       by=manager.id)
    credit.reverse(made[2], rule_id="STF-33", by=manager.id, at=now - dt.timedelta(hours=20),
                   reason_zh="客户退订30台设备，冲回该单业绩与提成", reason_en="The customer cancelled 30 devices: credit reversed")
    to_sign = _penalty("missed_follow_up", user=sales1, by=manager, at=now - dt.timedelta(hours=6), amount="100",
                       reason=("顺达物流新装车辆未在3日内回访", "No follow-up of Shunda's new installations within 3 days"))
    slips.issue(to_sign.id, facts="顺达物流新装车辆安装后未在3个工作日内回访，客户来电询问。", opinion="按制度罚款100元。",
                by=manager.id, issued_at=now - dt.timedelta(hours=3), evidence=["客服来电记录 CS-0402-17"])
    _penalty("attitude_reasonable", user=sales1, by=manager, at=now - dt.timedelta(hours=26), amount="80",
             approve=False, reason=("客户投诉电话中语气生硬，经核实属实", "A customer complained of a curt tone; upheld"))
    rude = _penalty("attitude_reasonable", user=cs, by=manager, at=now - dt.timedelta(days=1, hours=4), amount="80",
                    reason=("投诉回访时与客户争执", "Argued with a customer on a follow-up call"))
    cs_slip = slips.issue(rude.id, facts="投诉回访电话中与客户争执，客户再次投诉。", opinion="服务态度差，罚款50元。",
                          by=manager.id, issued_at=now - dt.timedelta(days=1))
    slips.sign(cs_slip.id, by=cs.id, signed_at=now - dt.timedelta(hours=22))
    appeals.file(cs_slip.id, by=cs.id, received_at=now - dt.timedelta(hours=2),
                 text="当时客户情绪激动并辱骂在先，录音可证明我一直按话术解释，请求撤销处罚。")
    reward = ledger.record_entry(kind="reward", offence="customer_praise", rule_id="STF-01", amount="200", user_id=cs.id,
                                 occurred_at=now - dt.timedelta(days=2), created_by=manager.id,
                                 reason_zh="客户来信表扬耐心细致", reason_en="A customer's letter praised her patience")
    ledger.approve_reward(reward, by=manager.id, note="月度服务之星")
    db.session.flush()
