"""The complaint pages of the portal: list, intake, case page and its step forms (CMP), through the
same services as the API; errors per field in Chinese, refusals with their message, CMP-21 access."""
import datetime as dt
import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from core.complaints.models import Complaint
from core.db import db
from core.tenancy import tenant_scope
from tests.web.portal.test_login import _csrf, login
from web.portal.complaints_rules import CaseFacts, as_input, available_steps, aware, refusal
from web.portal.filters import time_left

BASE = "/t/tenant-a/complaints"


@pytest.fixture
def desk(client, two_tenants, make_tenant):
    a, b = two_tenants
    people = {name: make_tenant.user(a, name, roles=roles)[0] for name, roles in (
        ("agent", ["cs_agent"]), ("lead", ["cs_supervisor"]), ("sales", ["salesperson"]), ("boss", ["gm"]))}
    return SimpleNamespace(a=a, b=b, ids=people)


def page(client, url):
    r = client.get(url)
    return r, r.get_data(as_text=True)


def post(client, url, data, form_page=None):
    token = _csrf(client.get(form_page or url.rsplit("/", 1)[0]).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def take_in(client, **fields):
    body = {"action": "save", "case_type": "complaint", "channel": "phone", "category": "staff_attitude",
            "severity": "general", "content": "售后人员态度恶劣", "complainant_name": "张先生",
            "complainant_phone": "13812345678", **fields}
    return post(client, f"{BASE}/new", body, form_page=f"{BASE}/new")


def case_id(desk, number=None):
    with tenant_scope(desk.a.id):
        stmt = select(Complaint.id).order_by(Complaint.id.desc())
        if number:
            stmt = stmt.where(Complaint.number == number)
        return db.session.scalars(stmt).first()


def step(client, cid, name, **data):
    return post(client, f"{BASE}/{cid}/{name}", data, form_page=f"{BASE}/{cid}")


# --- pure helpers ----------------------------------------------------------------------------------

def test_steps_offered_follow_the_stage_and_the_role():
    agent, lead = {"cs_agent"}, {"cs_supervisor"}
    received = CaseFacts(status="received", owner_id=1)
    assert "accept" not in available_steps(received, agent, 1)
    assert available_steps(received, lead, 2)[:2] == ["accept", "reject"]
    assert "resolve" in available_steps(received, agent, 1)  # the owner
    assert "resolve" not in available_steps(received, agent, 9)  # someone else's case
    resolved = CaseFacts(status="resolved", owner_id=1)
    assert {"feedback", "close", "reopen"} <= set(available_steps(resolved, agent, 1))
    assert available_steps(CaseFacts(status="closed", owner_id=1), agent, 1) == ["reopen"]
    assert available_steps(CaseFacts(status="rejected"), lead, 1) == []
    assert available_steps(CaseFacts(status="in_progress"), {"finance"}, 1) == []
    pending = CaseFacts(status="in_progress", approval_status="pending")
    assert "approval" in available_steps(pending, {"gm"}, 5) and "approval" not in available_steps(pending, agent, 5)


def test_form_values_become_the_apis_body():
    body = as_input({"amount": "", "note": "x", "ratings.skill": "4", "demands": "return", "at": "2026-12-07T10:30",
                     "issues": "漏水\n\n异响"}, times=("at",), lists=("demands", "tags"), lines={"issues": "description"})
    assert body == {"note": "x", "ratings": {"skill": "4"}, "demands": ["return"], "tags": [],
                    "at": "2026-12-07T10:30:00+08:00", "issues": [{"description": "漏水"}, {"description": "异响"}]}
    assert aware("not a time", "Asia/Shanghai") == "not a time" and aware("", "UTC") is None


def test_clock_text_overdue_and_time_left(ctx):
    now = dt.datetime(2026, 12, 7, 10, tzinfo=dt.timezone.utc)
    with ctx.test_request_context("/"):
        late = time_left(now - dt.timedelta(hours=26), now=now)
        soon = time_left(now + dt.timedelta(hours=3, minutes=5), now=now)
        later = time_left(now + dt.timedelta(days=2, hours=1), now=now)
    assert (late["state"], late["text"]) == ("late", "已超时 1天2小时")
    assert (soon["state"], soon["text"]) == ("warn", "剩余 3小时5分")
    assert (later["state"], later["text"]) == ("ok", "剩余 2天1小时")


def test_refusals_are_named_in_the_readers_language(ctx):
    with ctx.test_request_context("/"):
        assert refusal("case 2612-0001 is already accepted", {"accepted": "已受理"}.get) == \
            "本投诉已是「已受理」状态，该步骤已无法执行。"
        assert refusal("something else", str) is None


# --- pages -------------------------------------------------------------------------------------------

def test_intake_keeps_what_was_typed_and_names_each_bad_field(client, desk):
    login(client, "tenant-a", "agent")
    r, html = page(client, f"{BASE}/new")
    assert r.status_code == 200 and "登记投诉" in html and 'value="staff_attitude"' in html
    r = take_in(client, content="", complainant_phone="12", demand_amount="abc", complainant_name="李女士")
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert 'value="李女士"' in html and 'value="12"' in html  # nothing typed is lost
    assert re.search(r'data-field="demand_amount".*?field-error[^>]*>请输入数字', html, re.S)
    assert re.search(r'data-field="content".*?field-error[^>]*>此项必填', html, re.S)
    # the schema holds; the service names what it refuses (the phone), with the same values kept
    r = take_in(client, complainant_phone="12", complainant_name="李女士")
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "请修改下面标出的字段" in html and 'value="李女士"' in html
    assert re.search(r'data-field="complainant_phone".*?field-error[^>]*>[^<]*12', html, re.S)
    with tenant_scope(desk.a.id):
        assert db.session.scalar(select(Complaint.id)) is None  # nothing written


def test_intake_finds_the_customer_and_keeps_the_form(client, desk):
    login(client, "tenant-a", "agent")
    with tenant_scope(desk.a.id):
        from core.customers.service import create_customer

        customer, _ = create_customer({"name": "王小明", "phones": [{"number": "13911112222"}]})
        db.session.commit()
        customer_id = customer.id
    r = take_in(client, action="find", customer_q="wangxiaoming", content="还没写完的内容")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "王小明" in html and f'value="{customer_id}"' in html
    assert "还没写完的内容" in html
    r = take_in(client, customer_id=str(customer_id))
    assert r.status_code == 302
    with tenant_scope(desk.a.id):
        assert db.session.scalars(select(Complaint.customer_id)).first() == customer_id


def test_a_case_through_to_closure_via_the_pages(client, desk):
    login(client, "tenant-a", "agent")
    r = take_in(client)
    assert r.status_code == 302
    cid = case_id(desk)
    r, html = page(client, r.headers["Location"])
    assert "已登记" in html and "剩余" in html and "首问负责制" not in html  # the reason is behind "why?"
    assert 'class="why"' in html and "时间线" in html
    number = re.search(r'<span class="number">([^<]+)</span>', html).group(1)
    # the list: the agent's own open case with its clock
    _, listing = page(client, BASE)
    assert number in listing and "剩余" in listing
    # the supervisor accepts
    login(client, "tenant-a", "lead")
    r = step(client, cid, "accept", note="证据充分", grounds_sufficient="1")
    assert r.status_code == 302, r.get_data(as_text=True)
    # the agent takes it in hand, proposes, replies, resolves
    login(client, "tenant-a", "agent")
    for name, data in (("start", {"note": "调取录音核实"}),
                       ("solution", {"solution": "赠送保养一次并致歉", "compensation": "200", "resolution_method": "apology"}),
                       ("reply", {"text": "已致歉并赠送保养", "method": "phone", "final": "1"}),
                       ("resolve", {"resolution_method": "apology", "action_taken": "当面致歉"})):
        r = step(client, cid, name, **data)
        assert r.status_code == 302, (name, r.get_data(as_text=True)[:3000])
    _, html = page(client, f"{BASE}/{cid}")
    assert "已解决" in html and "回访" in html
    # the return visit (selected on resolution: the month's rate is below 50 %)
    visit = re.search(r'/return-visits/(\d+)/record', html)
    assert visit, html[html.find("return-visits"):][:2000]
    r = post(client, f"{BASE}/{cid}/return-visits/{visit.group(1)}/record", {
        "mode": "on_site", "customer_signed": "1", "ratings.attitude": "5", "ratings.skill": "4",
        "ratings.outcome": "5", "notes": "客户满意"}, form_page=f"{BASE}/{cid}")
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    r = step(client, cid, "feedback", satisfaction="5", satisfaction_comment="满意", customer_confirmed="1")
    assert r.status_code == 302
    r = step(client, cid, "close", root_cause="服务意识不足", corrective_action="培训", preventive_action="考核")
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    _, html = page(client, f"{BASE}/{cid}")
    assert "已结案" in html and "★★★★★" in html
    kinds = re.findall(r'data-kind="(\w+)"', html)
    assert {"received", "accepted", "in_progress", "solution_proposed", "replied", "resolved",
            "return_visit_done", "feedback_recorded", "closed"} <= set(kinds)
    _, listing = page(client, f"{BASE}?stage=closed")
    assert number in listing
    # the same page in English
    client.get("/t/tenant-a/lang/en")
    _, html = page(client, f"{BASE}/{cid}")
    assert "closed" in html and "Timeline" in html and "已结案" not in html
    client.get("/t/tenant-a/lang/zh_Hans")
    # the customer does not accept the conclusion: a new case with its own number and clock (CMP-54)
    r = step(client, cid, "reopen", reason="客户不接受处理结论")
    assert r.status_code == 302 and f"/complaints/{cid}#" not in r.headers["Location"]
    _, html = page(client, r.headers["Location"])
    assert "已登记" in html and "由原投诉重开" in html and number not in re.search(r'<span class="number">([^<]+)', html).group(1)


def test_a_refused_step_shows_the_message_with_409(client, desk):
    login(client, "tenant-a", "lead")
    take_in(client)
    cid = case_id(desk)
    assert step(client, cid, "accept").status_code == 302
    r = step(client, cid, "accept", note="再次受理")
    html = r.get_data(as_text=True)
    assert r.status_code == 409 and "已受理" in html and 'class="error refused"' in html
    r = step(client, cid, "close")
    assert r.status_code == 409 and "先解决" in r.get_data(as_text=True)


def test_an_invalid_step_is_422_with_its_field_errors_and_values(client, desk):
    login(client, "tenant-a", "agent")
    take_in(client)
    cid = case_id(desk)
    r = step(client, cid, "solution", solution="", compensation="12.5x")
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and 'value="12.5x"' in html and "此项必填" in html


def test_a_role_that_may_not_take_a_step_is_refused(client, desk):
    login(client, "tenant-a", "agent")
    take_in(client)
    cid = case_id(desk)
    r = step(client, cid, "accept")
    assert r.status_code == 403 and "您的角色不能执行此步骤" in r.get_data(as_text=True)


def test_the_employee_complained_about_never_opens_the_case(client, desk):
    login(client, "tenant-a", "agent")
    take_in(client, accused_user_id=str(desk.ids["sales"]))
    cid = case_id(desk)
    with tenant_scope(desk.a.id):
        from core.decisions.models import Decision

        decision_id = db.session.scalars(select(Decision.id).where(Decision.subject_id == cid,
                                                                   Decision.subject_type == "complaint")).first()
    assert page(client, f"{BASE}/{cid}")[0].status_code == 200
    assert page(client, f"/t/tenant-a/decisions/{decision_id}")[0].status_code == 200
    login(client, "tenant-a", "sales")
    assert page(client, f"{BASE}/{cid}")[0].status_code == 404
    assert page(client, f"/t/tenant-a/decisions/{decision_id}")[0].status_code == 403
    _, listing = page(client, f"{BASE}?scope=all")
    assert "售后人员态度恶劣" not in listing and "/complaints/%d" % cid not in listing
    token = _csrf(page(client, BASE)[1])
    assert client.post(f"{BASE}/{cid}/start", data={"csrf_token": token}).status_code == 404


def test_list_filters_overdue_and_team(client, desk):
    login(client, "tenant-a", "agent")
    take_in(client, received_at="2026-11-02T09:00")  # long past its deadlines
    old = case_id(desk)
    take_in(client)
    new = case_id(desk)
    _, html = page(client, f"{BASE}?overdue=1")
    assert f"/complaints/{old}\"" in html and f"/complaints/{new}\"" not in html and "已超时" in html
    _, html = page(client, BASE)
    assert html.index(f"/complaints/{old}\"") < html.index(f"/complaints/{new}\"")  # nearest deadline first
    login(client, "tenant-a", "lead")
    _, html = page(client, BASE)
    assert f"/complaints/{old}\"" not in html  # not theirs
    _, html = page(client, f"{BASE}?scope=all")
    assert f"/complaints/{old}\"" in html


def test_demo_cases_in_every_stage_and_their_pages(client, two_tenants):
    from core.accounts.demo import DEMO_PASSWORD, create_demo_users
    from core.audit.recorder import acting_as
    from core.complaints import demo
    from core.sla.models import SlaMilestone

    a, _b = two_tenants
    with tenant_scope(a.id), acting_as("demo"):
        create_demo_users()
        demo.provision()
        db.session.commit()
        demo.provision()  # idempotent
        db.session.commit()
        cases = list(db.session.scalars(select(Complaint).order_by(Complaint.id)))
        breached = db.session.scalars(select(SlaMilestone.subject_id).where(SlaMilestone.state == "breached")).all()
        escalated = db.session.scalars(select(SlaMilestone.id).where(SlaMilestone.escalation_level > 0)).all()
        cases = [SimpleNamespace(id=c.id, number=c.number, status=c.status, parent_id=c.parent_id, severity=c.severity,
                                 satisfaction=c.satisfaction, approval_status=c.approval_status) for c in cases]
    assert 10 <= len(cases) <= 14
    assert {c.status for c in cases} == {"received", "accepted", "in_progress", "resolved", "closed", "rejected"}
    assert breached and escalated and any(c.parent_id for c in cases) and any(c.severity == "major" for c in cases)
    assert any(c.satisfaction == 5 for c in cases) and any(c.approval_status == "pending" for c in cases)
    login(client, "tenant-a", "cs", password=DEMO_PASSWORD)
    _, listing = page(client, f"{BASE}?overdue=1")
    assert "已超时" in listing
    for case in cases:
        r, html = page(client, f"{BASE}/{case.id}")
        assert r.status_code == 200 and case.number in html


def test_approval_before_the_final_reply(client, desk):
    from tests.helpers import policy_since

    policy_since(desk.a.id, "cmp", {"approval": {"mode": "gm"}}, "2026-01-01")
    login(client, "tenant-a", "agent")
    take_in(client)
    cid = case_id(desk)
    assert step(client, cid, "solution", solution="退还安装费", compensation="300").status_code == 302
    _, html = page(client, f"{BASE}/{cid}")
    assert 'id="step-approval"' not in html  # an agent does not approve
    r = step(client, cid, "reply", text="已退还安装费", method="phone", final="1")
    assert r.status_code == 409 and "处理方案须先经审批" in r.get_data(as_text=True)
    assert ">已退还安装费</textarea>" in r.get_data(as_text=True)  # what was typed is kept
    login(client, "tenant-a", "boss")
    _, html = page(client, f"{BASE}/{cid}")
    assert 'id="step-approval"' in html and "待审批" in html
    assert step(client, cid, "approval", decision="approve", text="同意退还").status_code == 302
    login(client, "tenant-a", "agent")
    assert step(client, cid, "reply", text="已退还安装费", method="phone", final="1").status_code == 302
    _, html = page(client, f"{BASE}/{cid}")
    assert "已批准" in html and "已退还安装费" in html


def test_the_customer_page_and_the_case_page_link_to_each_other(client, desk):
    """From the customer: a new complaint for them, and each complaint in their timeline; from the case:
    back to the customer."""
    login(client, "tenant-a", "boss")
    with tenant_scope(desk.a.id):
        from core.customers.service import create_customer

        customer, _ = create_customer({"name": "李华", "phones": [{"number": "13911113333"}]})
        db.session.commit()
        customer_id = customer.id
    r, html = page(client, f"/t/tenant-a/customers/{customer_id}")
    assert f'href="/t/tenant-a/complaints/new?customer_id={customer_id}"' in html
    assert f'href="/t/tenant-a/work-orders/new?customer_id={customer_id}"' in html
    r, html = page(client, f"{BASE}/new?customer_id={customer_id}")
    assert "李华" in html
    assert take_in(client, customer_id=str(customer_id)).status_code == 302
    cid = case_id(desk)
    r, html = page(client, f"/t/tenant-a/customers/{customer_id}")
    assert f'href="/t/tenant-a/complaints/{cid}"' in html
    r, html = page(client, f"{BASE}/{cid}")
    assert f'href="/t/tenant-a/customers/{customer_id}"' in html
