"""Sample data of the complaints module for a demo tenant (``make run``), made through the module's own
service functions (the ones the API calls) so that every case has its number, deadlines, decisions
and history. Idempotent: nothing is added once the tenant has complaints.

What the service desk sees: a dozen cases of the last days on the demo customers (the customers
module's, else two of its own), taken in by the agent (cs, 刘洋) and the supervisor (cs_lead, 赵敏) —
one in every stage: just received, accepted, in hand with investigation notes, a major case with its
reply time agreed, one moved up the authority ladder, overdue ones (the deadline sweep has breached
and escalated them), resolved with its return visit due, closed with a return visit and the
customer's satisfaction, one closed and reopened, one rejected with the reply, a solution awaiting its approval
(the demo's ``cmp`` policy: approval by amount, CMP-50), an inquiry answered on the spot and a suggestion.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from core.accounts.service import find_user
from core.db import db, utcnow

#: the demo's ``cmp`` policy from today: a solution with compensation is approved before the customer is
#: told, by the department manager up to ¥1000, the VP up to ¥5000, the GM above (CMP-50)
DEMO_CMP = {"approval": {"mode": "matrix"}}
OWN_CUSTOMERS = [("孙志强", "13551230001"), ("何美玲", "13551230002")]


def _customers(by: int) -> list[int]:
    """The demo customers (newest first), else two made here."""
    from core.customers.models import Customer
    from core.customers.service import create_customer

    ids = list(db.session.scalars(select(Customer.id).where(Customer.merged_into_id.is_(None))
                                  .order_by(Customer.id).limit(8)))
    if len(ids) >= 2:
        return ids
    for name, phone in OWN_CUSTOMERS:
        customer, _ = create_customer({"name": name, "phones": [{"number": phone}]}, created_by=by)
        ids.append(customer.id)
    return ids


def provision(now: dt.datetime | None = None) -> None:
    """Add the sample cases when the tenant has none (inside its scope)."""
    from core.complaints.models import Complaint

    if db.session.scalar(select(Complaint.id).limit(1)) is not None:
        return
    users = {name: find_user(name) for name in ("cs", "cs_lead", "sales1")}
    if any(u is None for u in users.values()):
        return
    _provision(now or utcnow(), users)


def _provision(now: dt.datetime, users: dict) -> None:
    from core.complaints import authority, handling, reopen, resolution, return_visits, service
    from core.calendar.service import tenant_calendar
    from core.policy import service as policy
    from core.sla import sweep

    cs, lead = users["cs"].id, users["cs_lead"].id
    customers = _customers(cs)
    minute, hour, day = dt.timedelta(minutes=1), dt.timedelta(hours=1), dt.timedelta(days=1)

    def take(at, by=cs, n=0, **data):
        body = {"channel": "phone", "category": "staff_attitude", "customer_id": customers[n % len(customers)],
                "received_at": at, **data}
        return service.create_complaint(body, by=by)

    def agree_reply(case, at):
        """A case that became major (a repeat complaint, CMP-11) needs its reply time first (CMP-42)."""
        if case.severity == "major" and case.customer_reply_at is None:
            resolution.fix_customer_reply_time(case, reply_at=at + day, by=cs, note="已与客户约定答复时间")

    def start(case, at, note, by=cs):
        agree_reply(case, at)
        resolution.start(case, by=by, at=at, note=note)

    def close_out(case, at, *, score, comment, visit=True):
        start(case, at, "调取服务记录与录音，核实经过")
        resolution.propose_solution(case, solution="向客户致歉，免费上门复检并赠送一次保养", compensation=Decimal("200"),
                                    resolution_method="apology", by=cs, at=at + hour)
        resolution.reply(case, text="已电话向客户说明处理方案并致歉，客户表示接受", method="phone", final=True, by=cs,
                         at=at + 2 * hour)
        resolution.resolve(case, resolution_method="apology", action_taken="上门复检设备正常，当面致歉", by=cs,
                           at=at + 3 * hour)
        if visit:
            for row in return_visits.visits_of(case.id):
                if row.state == "planned":
                    return_visits.record_visit(row, {
                        "mode": "on_site", "visited_at": at + 5 * hour, "customer_signed": True,
                        "signature_ref": f"回访单 {case.number}", "notes": comment, "visitor_id": lead,
                        "ratings": {"attitude": score, "skill": score, "outcome": score}}, by=lead)
        resolution.record_feedback(case, {"satisfaction": score, "satisfaction_comment": comment,
                                          "customer_confirmed": True}, by=cs, at=at + 6 * hour)
        resolution.close(case, {"root_cause": "安装人员服务意识不足", "corrective_action": "当事人培训并考核",
                                "preventive_action": "安装后回访纳入考核"}, by=cs, at=at + 6 * hour)

    # 1. closed: the whole way, return visit and a satisfied customer
    done = take(now - 6 * day, content="安装师傅迟到两小时且未提前告知，客户请假在家等候。", complainant_name="王建华",
                severity="important", demands=["criticism"])
    handling.accept(done, by=lead, at=now - 6 * day + hour, note="有通话记录为证", grounds_sufficient=True)
    close_out(done, now - 6 * day + 2 * hour, score=5, comment="处理及时，很满意")
    # 2. closed, then reopened: the customer does not accept the conclusion (a new case, fresh clock)
    first = take(now - 5 * day, n=1, content="GPS终端更换后仍然频繁掉线，要求退货。", complainant_name="李秀英",
                 category="service_not_delivered", severity="important", demands=["return"],
                 demand_amount=Decimal("380"))
    close_out(first, now - 5 * day + hour, score=2, comment="问题没有根本解决")
    reopen.reopen(first, reason="客户不接受结论：设备一周内再次掉线", by=cs, at=now - 2 * day)
    # 3. resolved: the return visit is due
    resolved = take(now - 2 * day, n=2, content="客服热线等待超过二十分钟无人接听。", complainant_name="张丽",
                    channel="hotline", severity="important")
    start(resolved, now - 2 * day + hour, "核查当日热线排班")
    resolution.reply(resolved, text="已核实当日排班不足，向客户致歉并说明改进措施", method="phone", final=True, by=cs,
                     at=now - 2 * day + 2 * hour)
    resolution.resolve(resolved, resolution_method="explanation", action_taken="增加高峰时段坐席", by=cs,
                       at=now - 2 * day + 3 * hour)
    # 4. overdue, untouched: the sweep breaches its deadlines and escalates them (CMP-40)
    take(now - 5 * day, n=3, content="上门维修后车辆仪表盘出现划痕，要求赔偿。", complainant_name="刘德明",
         category="service_not_delivered", demands=["compensation"], demand_amount=Decimal("800"))
    late = take(now - 3 * day, by=lead, n=4, content="销售顾问承诺的免费安装未兑现。", complainant_name="陈女士",
                category="service_not_delivered")
    handling.accept(late, by=lead, at=now - 3 * day + hour)
    # 5. in hand, moved up the ladder: the demand beyond the handler's authority, the customer dissatisfied (CMP-41)
    ladder = take(now - 1 * day, n=5, content="对维修结果不满意，要求更换新设备并赔偿误工费。", complainant_name="周先生",
                  category="service_not_delivered", demands=["exchange", "compensation"], demand_amount=Decimal("1500"))
    start(ladder, now - 1 * day + hour, "客户要求超出经办人权限，已报部门负责人")
    if authority.current_level(ladder) != "gm":  # the demand alone may have taken it to the top already
        authority.escalate(ladder, reason="dissatisfied", amount=None, note="客户情绪激动，要求领导出面",
                           at=now - 20 * hour, by=cs)
    # 6. major: reported to the media, its reply time agreed with the customer (CMP-11, CMP-42)
    major = take(now - 10 * hour, n=6, content="客户在本地论坛发帖称安装导致车辆电路故障，已有多人转发。",
                 complainant_name="吴先生", category="staff_conduct", severity="major", reported_to=["media"],
                 severity_reason="媒体负面报道")
    resolution.fix_customer_reply_time(major, reply_at=now + 1 * day, by=lead, note="与客户约定明天下午答复")
    start(major, now - 8 * hour, "已联系技术部检测电路", by=lead)
    # 7. accepted, in hand today
    in_hand = take(now - 4 * hour, n=7, content="前台接待人员态度冷淡，不理会客户询问。", complainant_name="赵女士",
                   channel="walk_in", accused_user_id=users["sales1"].id, complainant_signed=True)
    handling.accept(in_hand, by=lead, at=now - 3 * hour, note="调取监控核实")
    # 8. rejected: not a complaint of the company (CMP-06)
    rejected = take(now - 1 * day, n=0, content="要求为非本公司销售的设备免费维修。", complainant_name="钱先生",
                    category="other")
    handling.reject(rejected, by=lead, reply="经核实该设备非本公司销售，已告知客户联系原销售商", reason="非本公司产品",
                    at=now - 1 * day + 2 * hour)
    # 9. just received
    take(now - 25 * minute, n=1, content="安装后车内有异味，怀疑线材质量问题。", complainant_name="孙志强",
         category="other", demands=["exchange"])
    # 10. today, under the demo's approval rule: a solution awaiting the department manager (CMP-50)
    if not policy.history("cmp"):
        policy.publish("cmp", DEMO_CMP, note="示例：补偿方案按金额分级审批")
        calendar, _ = tenant_calendar(now)
        since = max(now - 90 * minute, calendar.start_of_day(calendar.local_date(now)))  # under today's version
        pending = take(since, n=4, content="安装时损坏了车内饰板，要求赔偿。",
                       complainant_name="冯先生", category="service_not_delivered", demands=["compensation"],
                       demand_amount=Decimal("600"))
        start(pending, since + (now - since) / 3, "拍照取证，联系内饰维修厂报价")
        if pending.approval_status is None:
            resolution.propose_solution(pending, solution="由合作维修厂更换饰板，费用由公司承担",
                                        compensation=Decimal("600"), resolution_method="compensation", by=cs,
                                        at=since + (now - since) * 2 / 3)
    # 11. an inquiry answered on the spot, a suggestion
    take(now - 2 * hour, n=2, case_type="inquiry", content="询问设备保修期限。", answered_on_the_spot=True,
         complainant_name="何美玲", category="other")
    take(now - 3 * hour, n=3, case_type="suggestion", content="建议增加微信预约安装服务。", category="other",
         complainant_name="郑先生")
    db.session.flush()
    sweep.run(now)  # the deadlines already past: breaches and escalation steps, with their decisions
    db.session.flush()
