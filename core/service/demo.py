"""Service sample data of a demo tenant (``make run``): a GPS installer's desk with orders in every
stage, built through the same service functions as the API (so every order has its decisions,
deadlines and history), a technician pool, a service contract waiting for its installation and a
monthly duty. Idempotent: nothing is added once the tenant has work orders."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from sqlalchemy import select

from core.accounts.service import find_user
from core.db import db, utcnow
from core.service import completion, dispatch, dispatch_field, duties, fees, orders, records
from core.service.models import WorkOrder

DEMO_SVC = {"approval": {"installation": "dept_manager"},
            "sla": {"repair": {"urgent": {"arrive": "4 hours"}, "*": {"complete": "2 working_days"}},
                    "installation": {"*": {"complete": "5 working_days"}}}}
CUSTOMERS = [("北京顺达物流有限公司", "13801010001", "北京市大兴区物流园3号库", "车队长周师傅"),
             ("天津宏远冷链运输有限公司", "13802020002", "天津市东丽区航空路28号", "调度刘经理"),
             ("河北安捷货运有限公司", "13803030003", "石家庄市长安区建设北大街9号", "赵主管")]


def _png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\xf0\xf0\xf0" * 4 for _ in range(4))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def provision(now: dt.datetime | None = None) -> None:
    """Add the sample orders when the tenant has none (inside its scope, acting as ``demo``)."""
    from core.tenancy import current_tenant_id
    from tenants.models import Tenant

    tenant = db.session.get(Tenant, current_tenant_id())
    if tenant is None or tenant.industry != "generic":  # the GPS installer of the generic preset only
        return
    if db.session.scalar(select(WorkOrder.id).limit(1)) is not None:
        return
    from core.attachments import service as attachments
    from core.customers.service import create_customer
    from core.policy import service as policy
    from core.service import contracts

    now = now or utcnow()
    users = {name: find_user(name) for name in ("admin", "cs_lead", "cs", "tech")}
    if any(u is None for u in users.values()):
        return
    if not policy.history("svc"):
        policy.publish("svc", DEMO_SVC, note="示例：安装需部门经理审批，维修时限")
    dispatch.save_technician(users["tech"].id, {"skills": ["*"], "areas": ["*"], "note": "GPS终端安装维修"},
                             by=users["admin"].id)
    customers = []
    for name, phone, address, contact in CUSTOMERS:
        customer, _verdict = create_customer({"name": name, "phones": [{"number": phone}]}, created_by=users["cs"].id)
        customers.append((customer, address, contact, phone))
    day = dt.timedelta(days=1)

    def intake(kind, n, at, **extra):
        customer, address, contact, phone = customers[n]
        data = {"repair": {"model": "GT-06N", "purchase_date": (now - 200 * day).date().isoformat()},
                "installation": {"request_doc": f"安装申请单 {at:%m%d}-{n}",
                                 "asset_list": [{"plate": "京A1234" + str(n), "driver": "张师傅"}]},
                "remote_service": {"service_kind": "report_issue"}, "maintenance": {"model": "GT-06N"}}[kind]
        return orders.create_order({"type": kind, "customer_id": customer.id, "address": address,
                                    "contact_name": contact, "contact_phone": phone, "requested_at": at,
                                    "description": extra.pop("description", "终端不定位，车辆轨迹中断"),
                                    "data": data, **extra}, by=users["cs"].id)

    tech, manager = users["tech"], users["cs_lead"]  # the service department's head dispatches
    # 1. a repair done yesterday with the signed form: recorded, its return visit due
    done = intake("repair", 0, now - 2 * day, priority="urgent")
    dispatch.dispatch(done, {"assignee_id": tech.id, "at": now - 2 * day + dt.timedelta(minutes=20)}, user=manager)
    dispatch_field.arrive(done, user=tech, at=now - 2 * day + dt.timedelta(hours=2))
    form = attachments.store("work_order", done.id, io.BytesIO(_png()), "服务反馈单.png", kind="signed_form", by=tech.id)
    completion.complete(done, by=tech.id, at=now - day, feedback={
        "result": "更换终端，定位恢复", "opinion": "满意", "signatory": "周师傅", "signed": True,
        "photo_attachment_id": form.id})
    records.record(done, summary="更换GT-06N终端一台，调试正常", fields={}, by=tech.id, at=now - day + dt.timedelta(hours=1))
    # the labour collected on site (SVC-15), waiting for finance to receive the money
    fees.collect(done, {"amount_parts": Decimal("0"), "amount_labour": Decimal("80"), "receipt_no": f"SJ{now:%y%m%d}01",
                        "collected_at": now - day + dt.timedelta(minutes=30), "collector_id": tech.id,
                        "note": "上门检测及更换工时费"}, by=tech.id)
    # 2. an installation waiting for the department manager, with the contract it will start
    install = intake("installation", 1, now - 3 * dt.timedelta(hours=1))
    contracts.create_contract({"customer_id": customers[1][0].id, "subject": "GPS定位服务（冷链车队）",
                               "signed_on": (now - 5 * day).date(), "term": "1 years", "amount": "12000",
                               "installation_order_id": install.id}, by=users["cs"].id)
    # 3. a repair dispatched this morning, on its way
    on_way = intake("repair", 2, now - 5 * dt.timedelta(hours=1), priority="urgent", description="SIM卡无信号")
    dispatch.dispatch(on_way, {"assignee_id": tech.id, "eta_at": now + dt.timedelta(hours=1),
                               "at": now - 4 * dt.timedelta(hours=1)}, user=manager)
    # 4. a maintenance on hold for parts; 5. a remote report question, open
    held = intake("maintenance", 0, now - 4 * day)
    orders.hold(held, "awaiting_parts", by=users["cs"].id, at=now - 3 * day, note="等待新款天线到货")
    intake("remote_service", 1, now - dt.timedelta(hours=6), description="月度里程报表与实际不符")
    # 6. a monthly inspection of the customer's fleet terminals (SVC-30): this month's orders generated,
    # spread over the month with real deadlines
    duties.create_duty({"code": "fleet_check", "title": "车队终端月度巡检", "work_order_type": "inspection",
                        "at_least": 2, "period": "month", "site": "北京顺达物流园", "customer_id": customers[0][0].id,
                        "responsible_role": "dept_manager",
                        "starts_on": (now + dt.timedelta(hours=8)).date().replace(day=1)}, by=users["cs"].id)
    duties.generate(now)
