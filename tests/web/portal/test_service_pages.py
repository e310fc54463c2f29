"""The work-order pages (SVC): the list with its filters and clocks, the intake form (errors next to their
fields, nothing typed lost), an order taken through approve → dispatch → arrive → complete → record by
its forms, a refused step (409) with its message, and what a technician sees."""
from __future__ import annotations

import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest

from tests.helpers import policy_since
from tests.web.api.service_desk import ServiceDesk
from tests.web.portal.test_login import _csrf, login
from web.portal import service_forms


@pytest.fixture
def desk(client, make_tenant):
    desk = ServiceDesk(client, make_tenant, "svc-pages")
    for name, areas in (("wu", ["朝阳区"]), ("zheng", ["海淀区"])):
        r = client.put(f"/api/v1/service-technicians/{desk.id(name)}", headers=desk.headers("zhao"),
                       json={"skills": ["gps"], "areas": areas})
        assert r.status_code in (200, 201), r.get_json()
    return desk


def portal(app, desk, who):
    """A browser of ``who`` logged in to the desk's portal."""
    browser = app.test_client()
    assert login(browser, desk.handle.slug, who).status_code == 302
    return browser


def url(desk, path=""):
    return f"/t/{desk.handle.slug}/work-orders{path}"


def post(browser, desk, path, data=None, files=None, page=None):
    """Post a form of the page at ``page`` (default: the page posted to, or the order list)."""
    html = browser.get(page or url(desk)).get_data(as_text=True)
    body = {"csrf_token": _csrf(html), **(data or {})}
    if files:
        body.update(files)
    return browser.post(url(desk, path), data=body, content_type="multipart/form-data" if files else None)


def text(response) -> str:
    return response.get_data(as_text=True)


def png() -> bytes:
    from core.service.demo import _png

    return _png()


# ------------------------------------------------------------------------------------------ pure helpers


def test_type_data_from_the_form():
    from core.service.order_types import CORE_TYPES

    installation = {t.code: t for t in CORE_TYPES}["installation"]
    repair = {t.code: t for t in CORE_TYPES}["repair"]
    assert service_forms.field_kind(repair.fields["purchase_date"]) == "date"
    assert service_forms.field_kind(repair.fields["warranty"]) == "checkbox"
    assert service_forms.field_kind(installation.fields["asset_list"]) == "lines"
    assert service_forms.field_kind(installation.fields["request_doc"]) == "textarea"
    data = service_forms.type_data(installation.fields, {
        "data.request_doc": " 申请单 ", "data.asset_list": "京A12345, GT-06N, 张师傅\n\n京B1，GT-02", "data.model": ""})
    assert data == {"request_doc": "申请单", "asset_list": [
        {"plate": "京A12345", "model": "GT-06N", "driver": "张师傅"}, {"plate": "京B1", "model": "GT-02"}]}
    assert service_forms.lines_of(data["asset_list"]) == "京A12345, GT-06N, 张师傅\n京B1, GT-02"
    assert service_forms.type_data(repair.fields, {"data.warranty": "1"}) == {"warranty": True}


def test_local_times_and_key_values():
    assert service_forms.local_instant("2026-12-07T14:30", "Asia/Shanghai") == "2026-12-07T14:30:00+08:00"
    assert service_forms.local_instant("", "Asia/Shanghai") is None
    assert service_forms.local_instant("tomorrow", "Asia/Shanghai") == "tomorrow"  # the schema names it
    assert service_forms.key_values("seal_photo: p.jpg\n铅封号：A1\n\nflag") == {
        "seal_photo": "p.jpg", "铅封号": "A1", "flag": True}
    assert service_forms.prefixed({"checks.a": "pass", "b": 1}, "checks") == {"a": "pass"}


# ------------------------------------------------------------------------------------------ list


def test_list_by_deadline_with_filters_and_pages(app, desk):
    sla = {"repair": {"urgent": {"arrive": "4 hours"}, "*": {"complete": "2 days"}}}
    policy_since(desk.handle.id, "svc", {"sla": sla}, "2026-01-01")
    late = desk.order(customer_name="迟到客户", priority="urgent", requested_at="2026-01-05T09:00:00+08:00")
    soon = desk.order(customer_name="紧急客户", priority="urgent")
    later = desk.order(customer_name="普通客户")
    remote = desk.order(type="remote_service", customer_name="远程客户", data={"service_kind": "report_issue"})
    desk.post(later, "dispatch", assignee_id=desk.id("wu"))
    ma = portal(app, desk, "ma")
    page = text(ma.get(url(desk)))
    assert page.index("迟到客户") < page.index("紧急客户") < page.index("普通客户")  # by next deadline
    assert 'class="clock late"' in page and "超时" in page
    assert "远程客户" in page and late["number"] in page
    only_repair_late = text(ma.get(url(desk, "?type=repair&overdue=1")))
    assert "迟到客户" in only_repair_late and "紧急客户" not in only_repair_late
    assert "远程客户" not in text(ma.get(url(desk, "?type=repair")))
    assert "远程客户" in text(ma.get(url(desk, "?type=remote_service")))
    dispatched = text(ma.get(url(desk, "?state=dispatched")))
    assert "普通客户" in dispatched and "紧急客户" not in dispatched
    desk.post(soon, "cancel", reason="客户撤销")
    assert "紧急客户" not in text(ma.get(url(desk)))  # open only by default
    assert "紧急客户" in text(ma.get(url(desk, "?state=all")))
    assert remote["number"] in text(ma.get(url(desk, "?state=all&page=9")))  # clamped to the last page


def test_a_technician_sees_their_own_orders_first(app, desk):
    first = desk.order(customer_name="别人的客户", priority="urgent")
    mine = desk.order(customer_name="我的客户")
    desk.post(first, "dispatch", assignee_id=desk.id("zheng"))
    desk.post(mine, "dispatch", assignee_id=desk.id("wu"))
    wu = portal(app, desk, "wu")
    page = text(wu.get(url(desk)))
    assert page.index("我的客户") < page.index("别人的客户")
    only_mine = text(wu.get(url(desk, "?mine=1")))
    assert "我的客户" in only_mine and "别人的客户" not in only_mine
    # the API lets every user of the company read an order: so may a technician, with its "why?"
    other = text(wu.get(url(desk, f"/{first['id']}")))
    assert first["number"] in other and 'data-step="arrive"' not in other  # not his to arrive at
    decision = re.search(r'href="(/t/svc-pages/decisions/\d+)"', other).group(1)
    assert wu.get(decision).status_code == 200
    assert 'data-step="arrive"' in text(wu.get(url(desk, f"/{mine['id']}")))
    # posted anyway: the core refuses, the page says why
    refused = post(wu, desk, f"/{first['id']}/arrive", {}, page=url(desk, f"/{first['id']}"))
    assert refused.status_code == 403 and "只有被派工的技术员" in text(refused)
    assert post(wu, desk, f"/{first['id']}/cancel", {"reason": "x"}, page=url(desk)).status_code == 403


# ------------------------------------------------------------------------------------------ intake


def test_new_order_keeps_what_was_typed_and_shows_field_errors(app, desk):
    ma = portal(app, desk, "ma")
    form = text(ma.get(url(desk, "/new")))
    assert 'name="data.purchase_date"' in form and 'type="date"' in form  # the repair's own fields
    r = post(ma, desk, "/new", {"type": "repair", "customer_name": "王建国", "address": "北京市朝阳区建国路88号",
                                "contact_name": "王建国", "contact_phone": "12345", "description": "终端不开机",
                                "data.model": "GT-06", "data.purchase_date": "去年", "priority": "general"},
             page=url(desk, "/new"))
    page = text(r)
    assert r.status_code == 422
    assert re.search(r'data-field="data.purchase_date">.*?class="field-error"[^>]*>[^<]+', page, re.S)
    assert re.search(r'data-field="contact_phone">.*?class="field-error"', page, re.S)
    assert 'value="北京市朝阳区建国路88号"' in page and 'value="去年"' in page and "终端不开机" in page
    assert "请输入有效日期" in page and "不是有效的电话号码" in page  # in Chinese
    assert "工单资料有误" in page
    # another type: its fields, nothing typed lost, nothing taken in
    r = post(ma, desk, "/new", {"type": "installation", "_retype": "1", "address": "北京市朝阳区建国路88号"},
             page=url(desk, "/new"))
    assert r.status_code == 200 and 'name="data.asset_list"' in text(r) and 'value="北京市朝阳区建国路88号"' in text(r)
    missing = post(ma, desk, "/new", {"type": "installation", "customer_name": "顺达物流"}, page=url(desk, "/new"))
    assert missing.status_code == 422
    assert re.search(r'data-field="data.asset_list">.*?class="field-error"', text(missing), re.S)
    r = post(ma, desk, "/new", {"type": "installation", "customer_name": "顺达物流", "data.request_doc": "申请单001",
                                "data.asset_list": "京A12345, GT-06N, 张师傅"}, page=url(desk, "/new"))
    assert r.status_code == 302
    order = text(ma.get(r.headers["Location"]))
    assert "顺达物流" in order and "京A12345, GT-06N, 张师傅" in order and "已受理" in order


def test_new_order_is_for_the_takers_only(app, desk, make_tenant):
    make_tenant.user(desk.handle, "fin2", roles=["finance"])
    assert portal(app, desk, "fin2").get(url(desk, "/new")).status_code == 403


# ------------------------------------------------------------------------------------------ the steps


def test_an_order_through_approval_dispatch_arrival_completion_and_record(app, desk):
    policy_since(desk.handle.id, "svc", {"approval": {"repair": "dept_manager"}, "checklist": {"required": False}},
                 "2026-01-01")
    order = desk.order(area="朝阳区", skill="gps")
    page = url(desk, f"/{order['id']}")
    ma, zhao, wu = portal(app, desk, "ma"), portal(app, desk, "zhao"), portal(app, desk, "wu")
    assert 'data-step="dispatch"' not in text(ma.get(page))  # approval first
    assert 'data-step="approve"' not in text(ma.get(page))   # not hers to approve
    r = post(zhao, desk, f"/{order['id']}/approve", {"note": "同意"}, page=page)
    assert r.status_code == 302
    shown = text(zhao.get(page))
    assert "已审批" in shown and 'data-decision="SVC-04"' in shown
    form = text(ma.get(page))
    assert 'data-step="dispatch"' in form and "wu" in form
    r = post(ma, desk, f"/{order['id']}/dispatch", {"assignee_id": str(desk.id("wu")), "eta_at": ""}, page=page)
    assert r.status_code == 302, text(r)
    shown = text(wu.get(page))
    assert "已派工" in shown and 'data-step="arrive"' in shown and 'data-section="dispatches"' in shown
    assert post(wu, desk, f"/{order['id']}/arrive", {}, page=page).status_code == 302
    # on site: the signed form with its photo uploaded on the page
    no_photo = post(wu, desk, f"/{order['id']}/complete", {
        "feedback.result": "更换终端", "feedback.signatory": "王建国", "feedback.signed": "1"}, page=page)
    assert no_photo.status_code == 422
    assert re.search(r'class="field-error"[^>]*>[^<]*照片', text(no_photo)) or "照片" in text(no_photo)
    assert 'value="更换终端"' in text(no_photo)  # kept
    done = post(wu, desk, f"/{order['id']}/complete", {
        "feedback.result": "更换终端", "feedback.signatory": "王建国", "feedback.signed": "1"}, page=page,
        files={"feedback_photo": (io.BytesIO(png()), "反馈单.png")})
    assert done.status_code == 302, text(done)
    shown = text(wu.get(page))
    assert "已完工" in shown and 'data-step="record"' in shown
    bad = post(wu, desk, f"/{order['id']}/record", {"summary": ""}, page=page)
    assert bad.status_code == 422 and re.search(r'data-field="summary">.*?class="field-error"', text(bad), re.S)
    assert post(wu, desk, f"/{order['id']}/record", {"summary": "更换终端一台"}, page=page).status_code == 302
    final = desk.get(order)
    assert final["status"] in ("recorded", "return_visit_due", "closed")
    assert [e["kind"] for e in final["events"]][:6] == ["requested", "approval_requested", "approved", "dispatched",
                                                         "arrived", "completed"]


def test_a_refused_step_shows_why(app, desk):
    order = desk.order()
    page = url(desk, f"/{order['id']}")
    ma = portal(app, desk, "ma")
    early = post(ma, desk, f"/{order['id']}/arrive", {}, page=page)  # not dispatched: the machine says no
    assert early.status_code == 409 and "data-refused" in text(early) and "不能直接转为" in text(early)
    twice = post(ma, desk, f"/{order['id']}/hold", {"reason": "awaiting_parts"}, page=page)
    assert twice.status_code == 302
    again = post(ma, desk, f"/{order['id']}/hold", {"reason": "awaiting_parts"}, page=page)
    assert again.status_code == 409
    unknown = post(ma, desk, f"/{order['id']}/resume", {}, page=page)
    assert unknown.status_code == 302
    no_reason = post(ma, desk, f"/{order['id']}/cancel", {"reason": ""}, page=page)
    assert no_reason.status_code == 422
    assert re.search(r'data-field="reason">.*?class="field-error"', text(no_reason), re.S)


def test_a_plugin_veto_is_409_with_its_reason_and_kept(app, client, make_tenant):
    utility = ServiceDesk(client, make_tenant, "svc-veto", plugins=("sample",))
    policy_since(utility.handle.id, "svc", {"feedback": {"photo_required": False}}, "2026-01-01")
    order = utility.order(type="meter_install", data={"meter_no": "M123456"})
    utility.post(order, "dispatch", assignee_id=utility.id("wu"))  # may refuse: wu is not in the pool
    from core.db import db
    from core.service import orders
    from core.tenancy import tenant_scope

    with tenant_scope(utility.handle.id):
        wo = orders.get_order(order["id"])
        if wo.status != "dispatched":
            orders.move(wo, "dispatched", by=None)
            wo.assignee_id = utility.id("wu")
        orders.move(wo, "on_site", by=None)
        db.session.commit()
    page = url(utility, f"/{order['id']}")
    wu = portal(app, utility, "wu")
    # the plugin's type is offered with its own field
    intake = text(post(wu, utility, "/new", {"type": "meter_install", "_retype": "1"}, page=url(utility, "/new")))
    assert '<option value="meter_install" selected>装表</option>' in intake and 'name="data.meter_no"' in intake
    form = text(wu.get(page))
    assert 'name="checks.safety_test"' in form
    r = post(wu, utility, f"/{order['id']}/complete", {
        "checks.safety_test": "pass", "feedback.result": "装表完成", "feedback.signatory": "刘师傅",
        "feedback.signed": "1"}, page=page)
    assert r.status_code == 409
    assert "装表完工须上传铅封照片" in text(r) and 'value="装表完成"' in text(r)
    shown = text(wu.get(page))
    assert 'data-event="vetoed"' in shown and 'data-decision="SVC-02"' in shown
    ok = post(wu, utility, f"/{order['id']}/complete", {
        "checks.safety_test": "pass", "feedback.result": "装表完成", "feedback.signatory": "刘师傅",
        "feedback.signed": "1", "data": "seal_photo: p.jpg"}, page=page)
    assert ok.status_code == 302, text(ok)


def test_another_tenants_order_is_404(app, desk, make_tenant):
    other = ServiceDesk(desk.client, make_tenant, "svc-other")
    theirs = other.order(customer_name="别家客户")
    ma = portal(app, desk, "ma")
    assert ma.get(url(desk, f"/{theirs['id'] + 1000}")).status_code == 404
    assert "别家客户" not in text(ma.get(url(desk, "?state=all")))


def test_english_page(app, desk):
    order = desk.order()
    ma = portal(app, desk, "ma")
    ma.get(f"/t/{desk.handle.slug}/lang/en")
    page = text(ma.get(url(desk, f"/{order['id']}")))
    assert "Work order" in page and "requested" in page and "Put on hold" in page
    ma.get(f"/t/{desk.handle.slug}/lang/zh_Hant")
    assert "暫停原因" in text(ma.get(url(desk, f"/{order['id']}")))


def test_checklist_time_agreed_and_reassignment(app, desk):
    policy_since(desk.handle.id, "svc", {"checklist": {"required": True}}, "2026-01-01")
    order = desk.order(area="朝阳区", skill="gps")
    desk.post(order, "dispatch", assignee_id=desk.id("wu"))
    page = url(desk, f"/{order['id']}")
    wu, li = portal(app, desk, "wu"), portal(app, desk, "li")
    early = post(wu, desk, f"/{order['id']}/arrive", {}, page=page)
    assert early.status_code == 409 and "出发前检查未完成" in text(early)
    r = post(wu, desk, f"/{order['id']}/checklist", {"items.job_details": "1", "items.tools": "1", "items.parts": "1",
                                                    "items.documents": "1"}, page=page)
    assert r.status_code == 302
    r = post(wu, desk, f"/{order['id']}/eta", {"eta_at": "2030-01-02T09:30"}, page=page)
    assert r.status_code == 302 and "2030-01-02 09:30" in text(wu.get(page))
    changed = post(wu, desk, f"/{order['id']}/eta", {"eta_at": "2030-01-02T09:30"}, page=page)
    assert changed.status_code == 422 and "与已约定的时间相同" in text(changed)
    # a supervisor reassigns with a reason; the desk agent is not offered it
    assert 'data-step="reassign"' not in text(portal(app, desk, "ma").get(page))
    no_reason = post(li, desk, f"/{order['id']}/reassign", {"assignee_id": str(desk.id("zheng"))}, page=page)
    assert no_reason.status_code == 422 and "请说明改派原因" in text(no_reason)
    r = post(li, desk, f"/{order['id']}/reassign", {"assignee_id": str(desk.id("zheng")), "reason": "吴师傅病假",
                                                   "override_reason": "海淀区同事顺路"}, page=page)
    assert r.status_code == 302, text(r)
    assert desk.get(order)["assignee_id"] == desk.id("zheng")


def test_the_demo_desk_shows_every_page(app, client):
    """The demo tenant (``make run``): the list, the intake form and every order, for the desk, the
    manager and the technician."""
    from core.tenancy import tenant_scope
    from tenants.demo import provision_demo_tenants
    from tenants.registry import find_tenant_by_slug

    provision_demo_tenants(only="huaxin")
    huaxin = find_tenant_by_slug("huaxin")
    from core.service.models import WorkOrder
    from core.db import db
    from sqlalchemy import select

    with tenant_scope(huaxin.id):
        ids = list(db.session.scalars(select(WorkOrder.id)))
    assert len(ids) >= 5
    for who in ("cs", "manager", "tech"):
        browser = app.test_client()
        assert login(browser, "huaxin", who, "kehu-demo").status_code == 302
        listing = browser.get("/t/huaxin/work-orders")
        assert listing.status_code == 200 and "北京顺达物流有限公司" in text(listing)
        assert browser.get("/t/huaxin/work-orders/new").status_code == 200
        for order_id in ids:
            page = browser.get(f"/t/huaxin/work-orders/{order_id}")
            assert page.status_code == 200 and 'data-section="timeline"' in text(page)
    tech_list = text(browser.get("/t/huaxin/work-orders?mine=1"))
    assert "河北安捷货运有限公司" in tech_list and "天津宏远冷链运输有限公司" not in tech_list


def test_durations_in_words():
    from web.portal.service_steps import duration_text

    assert duration_text("5 working_days", english=False) == "5个工作日"
    assert duration_text("4 hours", english=True) == "4 hours"
    assert duration_text("P1D", english=False) == "P1D"


def test_dispatch_to_a_partner_needs_the_approval(app, desk):
    order = desk.order()
    page = url(desk, f"/{order['id']}")
    ma = portal(app, desk, "ma")
    refused = post(ma, desk, f"/{order['id']}/dispatch", {"partner_name": "顺风外协维修部"}, page=page)
    assert refused.status_code == 409 and "须经" in text(refused) and 'value="顺风外协维修部"' in text(refused)
    ineligible = post(ma, desk, f"/{order['id']}/dispatch", {"assignee_id": str(desk.id("ma"))}, page=page)
    assert ineligible.status_code == 422 and "不是派工池中的技术员" in text(ineligible)
    r = post(ma, desk, f"/{order['id']}/dispatch", {"partner_name": "顺风外协维修部", "approval.by": str(desk.id("zhao")),
                                                   "approval.verbal": "1"}, page=page)
    assert r.status_code == 302, text(r)
    shown = text(ma.get(page))
    assert "顺风外协维修部" in shown and "已派工" in shown


def test_work_log_and_a_delay_notice_decided_by_the_supervisor(app, desk):
    policy_since(desk.handle.id, "svc", {"sla": {"repair": {"*": {"complete": "30 days"}}}}, "2026-01-01")
    now = dt.datetime.now(ZoneInfo("Asia/Shanghai"))
    order = desk.order(area="朝阳区", skill="gps", requested_at=(now - dt.timedelta(hours=4)).isoformat())
    desk.post(order, "dispatch", assignee_id=desk.id("wu"), at=(now - dt.timedelta(hours=3)).isoformat())
    page = url(desk, f"/{order['id']}")
    wu, li = portal(app, desk, "wu"), portal(app, desk, "li")
    arrived = post(wu, desk, f"/{order['id']}/arrive", {"at": (now - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")},
                   page=page)  # reported afterwards, with its time
    assert arrived.status_code == 302, text(arrived)
    bad = post(wu, desk, f"/{order['id']}/work-log", {"work_done": "", "parts_used": "天线, 一个"}, page=page)
    assert bad.status_code == 422 and 'value="' in text(bad) and "天线, 一个" in text(bad)
    early = post(wu, desk, f"/{order['id']}/work-log", {
        "started_at": (now - dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        "ended_at": (now + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"), "work_done": "更换天线"}, page=page)
    assert early.status_code == 422 and "早于到场时间" in text(early) and "不能晚于当前时间" in text(early)
    r = post(wu, desk, f"/{order['id']}/work-log", {
        "started_at": (now - dt.timedelta(minutes=110)).strftime("%Y-%m-%dT%H:%M"),
        "ended_at": (now - dt.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"),
        "work_done": "更换天线", "parts_used": "GPS天线, 1, 个"}, page=page)
    assert r.status_code == 302, text(r)
    assert "更换天线" in text(wu.get(page))
    r = post(wu, desk, f"/{order['id']}/delay-notice", {"reason": "等待配件", "proposed_due": "2099-01-01T18:00"},
             page=page)
    assert r.status_code == 302, text(r)
    assert 'data-step="decide"' not in text(wu.get(page))  # not the one who filed it
    shown = text(li.get(page))
    assert 'data-notice="pending"' in shown and 'data-step="decide"' in shown
    notice = re.search(r'/delay-notice/(\d+)/decide', shown).group(1)
    r = post(li, desk, f"/{order['id']}/delay-notice/{notice}/decide", {"notice_id": notice, "refuse": "1",
                                                                       "note": "配件已到"}, page=page)
    assert r.status_code == 302, text(r)
    assert 'data-notice="refused"' in text(li.get(page))
