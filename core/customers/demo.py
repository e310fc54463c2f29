"""Sample data of the customers module for a demo tenant (``make run``), made through the module's own
service functions so that every record has its decisions and history. Idempotent: a customer whose
name is already there is left alone, and a tenant that already has a ``cus`` policy keeps it.

What a salesperson sees in the demo: about twenty customers of a Chengdu installer (people and
companies), owned by sales1 (王强) and sales2 (陈静) or in the public pool; protection windows in every
state (protected, expiring in a day or two, claimable, locked by a deal); contacts and follow-ups;
grades A/B/C with their approvals; purchases; and three likely-duplicate pairs (CUS-13) created with
their warnings, so the "why?" of each shows on the customer pages.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from core.accounts.service import find_user
from core.customers import contact_log, service
from core.customers.grades import service as grades
from core.customers.identity import resident_id_check_digit, uscc_check_char
from core.customers.models import Customer
from core.customers.ownership import service as ownership
from core.customers.points import transactions
from core.customers.visits import commitments
from core.db import db, utcnow
from core.policy.models import PolicyDocument

#: the demo's ``cus`` policy: a fixed protection window from the registration (CUS-22), two months,
#: warned three days before it ends (CUS-25) — in force for a year, so the demo's past claims count
DEMO_POLICY = {"ownership": {"mode": "fixed_from_registration"}}


def _rid(first17: str) -> str:
    return first17 + resident_id_check_digit(first17)


def _uscc(first17: str) -> str:
    return first17 + uscc_check_char(first17)


# name, kind, fields, owner (sales1 / sales2 / None), days since the claim, grade, contacts, purchase
# contacts: (days ago, channel, content, outcome, next step)
CUSTOMERS = [
    ("王建华", "person", {"phones": [{"number": "13908001234"}], "resident_id": _rid("51010419780512003"),
                       "district": "锦江区", "address": "锦江区东大街100号", "source": "来访"},
     "sales1", 20, "A", [(18, "visit", "到店看了GPS定位器，关心售后", "有意向", "周末带家人再来"),
                         (6, "phone_answered", "确认周六上午安装", "已约安装", "周六上门安装")], "3680"),
    ("李秀英", "person", {"phones": [{"number": "13608015678"}], "district": "青羊区", "source": "转介绍"},
     "sales1", 59, "B", [(50, "phone_answered", "询问车队定位套餐价格", "发报价", "一周后回访")], None),
    ("张丽", "person", {"phones": [{"number": "15882001122"}], "district": "武侯区", "source": "展会"},
     "sales2", 30, "C", [(25, "sms", "发送活动邀请", None, None)], None),
    ("章丽", "person", {"phones": [{"number": "15882003344"}], "district": "武侯区", "source": "来电",
                      "note": "与“张丽”同音同区，可能是同一人"},
     None, None, None, [], None),
    ("刘德明", "person", {"phones": [{"number": "13980056789"}], "resident_id": _rid("51010719850312001"),
                       "district": "成华区", "source": "来访"},
     "sales2", 66, "B", [(60, "home_visit", "上门检查车载设备", "设备正常", None)], "1280"),
    ("刘德明", "person", {"phones": [{"number": "18628009876"}], "birth_date": dt.date(1985, 3, 12), "district": "成华区",
                       "source": "网络", "note": "新号码登记，疑似与已有客户刘德明重复"},
     None, None, None, [], None),
    ("陈晓东", "person", {"phones": [{"number": "13540012233"}], "district": "高新区", "source": "转介绍"},
     "sales1", 40, None, [(38, "im", "微信沟通安装时间", "待定", "下周再联系")], None),
    ("赵雪梅", "person", {"phones": [{"number": "13881234567"}, {"number": "028-85123456"}], "district": "金牛区",
                       "gender": "female", "source": "来访"},
     "sales2", 58, "A", [(57, "visit", "到店咨询", "有意向", None), (3, "phone_unanswered", None, None, "明天再打")],
     None),
    ("孙志强", "person", {"phones": [{"number": "17708009900"}], "district": "双流区", "source": "来电"},
     None, None, "C", [], None),
    ("周敏", "person", {"phones": [{"number": "13699001100"}], "district": "温江区", "source": "展会"},
     "sales1", 10, None, [(9, "phone_answered", "确认需求：两台车安装定位器", "已报价", "三天内回复")], None),
    ("吴海燕", "person", {"phones": [{"number": "13350007788"}], "district": "郫都区", "source": "老客户介绍"},
     "sales2", 5, None, [], None),
    ("黄磊", "person", {"phones": [{"number": "15928006655"}], "district": "龙泉驿区", "source": "来访"},
     None, None, None, [], None),
    ("成都华信科技有限公司", "organisation",
     {"phones": [{"number": "028-85550000"}], "uscc": _uscc("91510100633105623"), "address": "高新区天府大道中段1号",
      "district": "高新区", "contacts": [{"name": "刘经理", "mobile": "13808001111"}], "source": "展会"},
     "sales1", 45, "A", [(44, "visit", "洽谈车队定位项目（30台）", "需方案", "出方案"),
                         (20, "email", "发送方案和报价", "客户审核中", "两周后跟进")], "45000"),
    ("成都华信科技有限责任公司", "organisation",
     {"phones": [{"number": "028-85551111"}], "address": "高新区天府大道中段3号", "district": "高新区",
      "contacts": [{"name": "王主任", "mobile": "13808002222"}], "source": "网络",
      "note": "与成都华信科技有限公司名称相近，核实是否同一单位"},
     None, None, None, [], None),
    ("四川蜀运物流有限公司", "organisation",
     {"phones": [{"number": "028-86667777"}], "uscc": _uscc("91510104MA6C8XXX0"), "address": "锦江区三圣乡物流园",
      "district": "锦江区", "contacts": [{"name": "邓总", "mobile": "13908003333"}], "source": "转介绍"},
     "sales2", 60, "A", [(59, "visit", "物流车队100台定位需求", "重点客户", "安排技术交流")], "128000"),
    ("成都锦程汽车租赁有限公司", "organisation",
     {"phones": [{"number": "028-84445555"}], "address": "成华区建设路88号", "district": "成华区",
      "contacts": [{"name": "林女士", "mobile": "13608004444"}], "source": "来电"},
     "sales1", 15, "B", [(14, "phone_answered", "租赁车辆防盗定位", "有意向", "上门演示")], None),
    ("成都天府通勤客运有限公司", "organisation",
     {"phones": [{"number": "028-87778888"}], "address": "双流区航空港", "district": "双流区",
      "contacts": [{"name": "郑科长", "mobile": "13708005555"}], "source": "招标"},
     None, None, None, [], None),
    ("马云飞", "person", {"phones": [{"number": "13518007766"}], "district": "新都区", "source": "来访"},
     "sales2", 25, None, [(24, "visit", "看了两款定位器", "比价中", None)], None),
    ("杨帆", "person", {"phones": [{"number": "18980001234"}], "district": "青白江区", "source": "网络"},
     "sales1", 2, None, [], None),
    ("何静", "person", {"phones": [{"number": "13730009876"}], "district": "锦江区", "source": "来电"},
     "sales2", 35, "C", [(30, "phone_answered", "投诉安装师傅迟到", "已致歉", "回访满意度")], "680"),
]

#: a deal locks 四川蜀运物流 to sales2 (CUS-26)
DEALS = [("四川蜀运物流有限公司", "sales2", 10)]


def _demo_policy(today: dt.date) -> None:
    """The demo's ``cus`` version, in force for a year (a demo tenant's history), unless the tenant has one."""
    from core.policy import service as policies

    if db.session.scalars(select(PolicyDocument.id).where(PolicyDocument.module == "cus")).first() is not None:
        return
    db.session.add(PolicyDocument(module="cus", version=1, effective_from=today - dt.timedelta(days=365),
                                  body=policies.validate("cus", DEMO_POLICY),
                                  note="演示：自登记起保护两个月（CUS-22），到期前三天提醒（CUS-25）"))
    db.session.commit()  # a committed version is in force for the claims below (the policy cache forgets)


def _existing(name: str, fields: dict) -> Customer | None:
    phones = [p["number"] for p in fields.get("phones", [])]
    for customer in db.session.scalars(select(Customer).where(Customer.name == name)):
        if not phones or any(p.e164.endswith(phones[0].replace("-", "").lstrip("0")) for p in customer.phones):
            return customer
    return None


# (customer, owner, made days ago, due in days (negative: past), due hour, kind, promise, kept days ago or None):
# the salespeople's follow-ups (CUS-63) — due today, overdue, kept this month — for their home pages and
# the managers' follow-up completion
FOLLOW_UPS = [
    ("王建华", "sales1", 2, 0, 17, "reply", "回复二期车辆加装报价", None),
    ("周敏", "sales1", 3, 0, 16, "next_visit", "上门演示车队管理平台", None),
    ("陈晓东", "sales1", 8, -2, 12, "delivery", "送达年检所需的定位证明", None),
    ("成都锦程汽车租赁有限公司", "sales1", 10, -5, 18, "fix", "解决3台车离线问题", 4),
    ("李秀英", "sales1", 6, -3, 10, "reply", "答复续费优惠", 3),
    ("张丽", "sales2", 2, 0, 15, "reply", "回复发票抬头变更", None),
    ("赵雪梅", "sales2", 9, -4, 11, "next_visit", "回访安装效果", 4),
    ("四川蜀运物流有限公司", "sales2", 12, -6, 17, "delivery", "提供冷链温控方案", None),
    ("何静", "sales2", 4, 2, 10, "next_visit", "陪同试用新款记录仪", None),
]


def _follow_ups(created: dict, users: dict, now: dt.datetime) -> None:
    """The salespeople's promises to the customers created now, at their local hours (UTC+8)."""
    local_midnight = (now + dt.timedelta(hours=8)).replace(hour=0, minute=0, second=0, microsecond=0)
    for name, owner, made_days, due_days, hour, kind, text, kept_days in FOLLOW_UPS:
        customer = created.get(name)
        if customer is None:
            continue
        due_at = local_midnight + dt.timedelta(days=due_days, hours=hour - 8)
        promise = commitments.create_commitment(customer.id, owner_id=users[owner].id, due_at=due_at, kind=kind,
                                                text=text, made_at=now - dt.timedelta(days=made_days),
                                                created_by=users[owner].id)
        if kept_days is not None:
            commitments.fulfil(promise, by=users[owner].id, note="已按约定完成", at=now - dt.timedelta(days=kept_days))


def _disputed(users: dict, now: dt.datetime) -> None:
    """A customer both salespeople registered on the same day (CUS-27): the case the department manager
    opened, in its objection window, for the managers' ownership pages."""
    from core.customers.ownership import cases

    fields = {"phones": [{"number": "028-85990011"}], "uscc": _uscc("91510116734298615"),
              "address": "双流区航空港物流园12号", "district": "双流区", "source": "展会",
              "contacts": [{"name": "罗经理", "mobile": "13880990011"}]}
    if _existing("成都远航物流有限公司", fields) is not None:
        return
    customer, _verdict = service.create_customer({"kind": "organisation", "name": "成都远航物流有限公司", **fields},
                                                 region="CN", created_by=users["sales1"].id)
    day = now - dt.timedelta(days=1)
    ownership.record_claim(customer.id, kind="register", at=day - dt.timedelta(hours=6),
                           claimant_id=users["sales1"].id, source_type="demo", note="展会上留下名片")
    ownership.record_claim(customer.id, kind="register", at=day - dt.timedelta(hours=2),
                           claimant_id=users["sales2"].id, source_type="demo", note="客户来电咨询")
    cases.open_case(customer.id, reason="collision", opened_by=users["manager"].id, at=day,
                    note="两位销售同日登记同一客户")


def provision() -> None:
    """Add the demo tenant's customers (see the module docstring); running it again adds nothing."""
    users = {name: find_user(name) for name in ("sales1", "sales2", "manager")}
    if any(u is None for u in users.values()):
        return
    now = utcnow()
    _demo_policy((now + dt.timedelta(hours=8)).date())
    created: dict[str, Customer] = {}
    for name, kind, fields, owner, claim_days, tier, contacts, purchase in CUSTOMERS:
        if _existing(name, fields) is not None:
            continue
        creator = users[owner] if owner else users["sales1"]
        customer, _verdict = service.create_customer(
            {"kind": kind, "name": name, **fields}, region="CN", created_by=creator.id)
        created[name] = customer
        # the demo's history: the customer was registered when it was first claimed (a few days back
        # for the pool customers), not at provisioning time
        customer.created_at = now - dt.timedelta(days=(claim_days or 3), hours=1)
        if owner:
            ownership.record_claim(customer.id, kind="register", at=now - dt.timedelta(days=claim_days),
                                   claimant_id=users[owner].id, source_type="demo")
        for days, channel, content, outcome, next_step in contacts:
            contact_log.log_contact(customer.id, channel=channel, at=now - dt.timedelta(days=days, hours=2),
                                    user_id=(users[owner] if owner else creator).id, content=content,
                                    outcome=outcome, next_step=next_step)
        if tier:
            grades.set_manual_tier(customer.id, "grade", tier=tier, reason="年度客户评级（演示）",
                                   approver_id=users["manager"].id, decided_by=creator.id)
        if purchase:
            transactions.record_transaction(customer.id, kind="purchase", amount=Decimal(purchase),
                                            at=now - dt.timedelta(days=(claim_days or 10) // 2),
                                            user_id=creator.id, recorded_by=creator.id, reference="演示订单")
        db.session.flush()
    for name, owner, days in DEALS:
        customer = created.get(name)
        if customer is not None:
            ownership.record_deal(customer.id, at=now - dt.timedelta(days=days),
                                  performance_owner_id=users[owner].id, kind="deal", source="演示：签订安装合同")
    _follow_ups(created, users, now)
    _disputed(users, now)
    db.session.flush()
