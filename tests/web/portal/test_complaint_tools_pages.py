"""The extra case tools on the complaint case page (web/portal/complaint_tools.py): linking (CMP-13),
tags (CMP-14), transfer and supplier (CMP-20/22), external reports (CMP-11), adoption (CMP-01), the
major path (CMP-42), the investigation's answers and improvement proposals (CMP-55) — through the
API's services; field errors kept (422), refusals (409), roles (403), other tenants' ids 404."""
import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from core.complaints.models import Complaint
from core.complaints.resolution_models import ComplaintImprovement
from core.db import db
from core.tenancy import tenant_scope
from tests.web.portal.test_login import _csrf, login
from web.portal.complaint_tools import ToolFacts, available_tools, words

BASE = "/t/tenant-a/complaints"
TOOLS = "/t/tenant-a/complaints/tools"


@pytest.fixture
def desk(client, two_tenants, make_tenant):
    a, b = two_tenants
    people, tokens = {}, {}
    for name, roles in (("agent", ["cs_agent"]), ("lead", ["cs_supervisor"]), ("boss", ["gm"])):
        people[name], tokens[name] = make_tenant.user(a, name, roles=roles)
    return SimpleNamespace(a=a, b=b, ids=people, tokens=tokens)


def api_case(client, handle, **fields):
    body = {"channel": "phone", "content": "电梯异响", "category": "other", "complainant_name": "王女士",
            "complainant_phone": "13900001111", **fields}
    r = client.post("/api/v1/complaints", headers=handle.headers(), json=body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def tool(client, cid, name, **data):
    token = _csrf(client.get(f"{BASE}/{cid}").get_data(as_text=True))
    return client.post(f"{TOOLS}/{cid}/{name}", data={"csrf_token": token, **data})


def fetch(desk, cid):
    with tenant_scope(desk.a.id):
        return db.session.scalars(select(Complaint).where(Complaint.id == cid)).one()


def test_tools_offered_follow_the_stage_and_the_role():
    agent, lead, gm = {"cs_agent"}, {"cs_supervisor"}, {"gm"}
    received = ToolFacts(status="received")
    assert "link" not in available_tools(received, agent) and "link" in available_tools(received, lead)
    assert {"transfer", "external", "supplier", "tags", "analysis"} <= set(available_tools(received, agent))
    assert "supplier" not in available_tools(ToolFacts(status="received", supplier="甲供应商"), agent)
    assert "link" not in available_tools(ToolFacts(status="received", master_id=3), lead)
    assert available_tools(ToolFacts(status="rejected"), agent) == []
    major = ToolFacts(status="in_progress", major=True, told=True, warning_due=True)
    assert {"acknowledge", "meeting", "group_warning"} <= set(available_tools(major, gm))
    assert "acknowledge" not in available_tools(ToolFacts(status="in_progress", major=True, told=True,
                                                          acknowledged=True), gm)
    assert "adoption" in available_tools(ToolFacts(status="received", case_type="suggestion"), lead)
    assert words("张三, 李四，王五\n赵六、钱七") == ["张三", "李四", "王五", "赵六", "钱七"]


def test_linking_cases_by_number_and_by_ticking(client, desk):
    customer = client.post("/api/v1/customers", headers=desk.a.headers(), json={"name": "五号楼业主", "phones": [{"number": "13700001234"}]}).get_json()["id"]
    master, second, third = (api_case(client, desk.a, customer_id=customer) for _ in range(3))
    login(client, "tenant-a", "lead")
    html = client.get(f"{BASE}/{master['id']}").get_data(as_text=True)
    assert 'id="tool-link"' in html and second["number"] in html  # a candidate of the same customer
    # an unknown number: 422, named, what was typed kept
    r = tool(client, master["id"], "link", numbers=f"{second['number']}, NOPE-1")
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "NOPE-1" in html and 'class="field-error"' in html
    assert fetch(desk, second["id"]).master_id is None
    r = tool(client, master["id"], "link", numbers=second["number"], complaint_ids=str(third["id"]))
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    assert fetch(desk, second["id"]).master_id == master["id"] and fetch(desk, third["id"]).master_id == master["id"]
    html = client.get(f"{BASE}/{master['id']}").get_data(as_text=True)
    assert second["number"] in html and third["number"] in html and 'id="case-records"' in html
    # linked already: refused with the reason in Chinese
    r = tool(client, master["id"], "link", numbers=second["number"])
    assert r.status_code == 409 and "已关联" in r.get_data(as_text=True)
    # the agent may not link (the API's SUPERVISORS)
    login(client, "tenant-a", "agent")
    r = tool(client, master["id"], "link", numbers=second["number"])
    assert r.status_code == 403


def test_tags_transfer_supplier_external_and_analysis(client, desk):
    dept = client.post("/api/v1/departments", headers=desk.a.headers(), json={"name": "工程部"}).get_json()["id"]
    case = api_case(client, desk.a)
    cid = case["id"]
    login(client, "tenant-a", "agent")
    assert tool(client, cid, "tags", tags=["professional", "motive_vent"]).status_code == 302
    assert fetch(desk, cid).tags == ["professional", "motive_vent"]
    html = client.get(f"{BASE}/{cid}").get_data(as_text=True)
    assert re.search(r'value="professional" checked', html)
    r = tool(client, cid, "transfer", kind="handling", department_id=str(dept), note="工程问题")
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    assert fetch(desk, cid).handler_department_id == dept
    r = tool(client, cid, "transfer", kind="handling", department_id=str(dept))
    assert r.status_code == 409 and "已由该部门处理" in r.get_data(as_text=True)
    r = tool(client, cid, "supplier", supplier="", note="待查")
    assert r.status_code == 422 and 'value="待查"' in r.get_data(as_text=True)
    assert tool(client, cid, "supplier", supplier="某电梯维保公司").status_code == 302
    assert fetch(desk, cid).supplier == "某电梯维保公司"
    r = tool(client, cid, "supplier", supplier="另一家")
    assert r.status_code == 409 and "供应商" in r.get_data(as_text=True)
    assert tool(client, cid, "external", channel="media", note="记者来电").status_code == 302
    assert fetch(desk, cid).severity == "major" and "media" in fetch(desk, cid).reported_to
    assert tool(client, cid, "analysis", root_cause="维保不到位", corrective_action="更换部件",
                preventive_action="月检").status_code == 302
    assert fetch(desk, cid).root_cause == "维保不到位"


def test_the_major_path_acknowledge_meeting_and_group_warning(client, desk):
    case = api_case(client, desk.a, reported_to=["media"])
    cid = case["id"]
    assert case["severity"] == "major"
    login(client, "tenant-a", "boss")
    html = client.get(f"{BASE}/{cid}").get_data(as_text=True)
    assert 'id="tool-acknowledge"' in html and 'id="tool-meeting"' in html and 'id="major-path"' in html
    assert tool(client, cid, "acknowledge").status_code == 302
    html = client.get(f"{BASE}/{cid}").get_data(as_text=True)
    assert 'id="tool-acknowledge"' not in html
    r = tool(client, cid, "meeting", kind="emergency_meeting", attendees="总经理, 客服经理", minutes="")
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "总经理, 客服经理" in html and "此项必填" in html
    r = tool(client, cid, "meeting", kind="crisis_team", attendees="总经理, 客服经理", minutes="成立危机小组，当日回复媒体")
    assert r.status_code == 302
    html = client.get(f"{BASE}/{cid}").get_data(as_text=True)
    assert "成立危机小组" in html and "客服经理" in html
    # not in a group: no group warning (409)
    r = tool(client, cid, "group-warning", sent_to="集团品牌部", text="重大投诉预警")
    assert r.status_code == 409 and "集团" in r.get_data(as_text=True)
    # someone not told may not acknowledge; the agent may not record meetings
    login(client, "tenant-a", "agent")
    assert tool(client, cid, "acknowledge").status_code == 403
    assert tool(client, cid, "meeting", minutes="x").status_code == 403


def test_improvement_proposals_and_adoption(client, desk):
    case = api_case(client, desk.a)
    cid = case["id"]
    login(client, "tenant-a", "agent")
    r = tool(client, cid, "improvement", kind="training", title="", text="电梯异响处置培训")
    assert r.status_code == 422 and "电梯异响处置培训" in r.get_data(as_text=True)
    r = tool(client, cid, "improvement", kind="training", title="异响处置", text="电梯异响处置培训")
    assert r.status_code == 302
    with tenant_scope(desk.a.id):
        row = db.session.scalars(select(ComplaintImprovement).where(ComplaintImprovement.complaint_id == cid)).one()
    html = client.get(f"{BASE}/{cid}").get_data(as_text=True)
    assert "异响处置" in html and f"/improvements/{row.id}/sign" in html
    token = _csrf(html)
    r = client.post(f"{TOOLS}/{cid}/improvements/{row.id}/return", data={"csrf_token": token, "note": "退回"})
    assert r.status_code == 409 and "不能退回" in r.get_data(as_text=True)
    r = client.post(f"{TOOLS}/{cid}/improvements/{row.id}/approve", data={"csrf_token": token})
    assert r.status_code == 409
    # a suggestion: adopted once
    suggestion = api_case(client, desk.a, case_type="suggestion", content="建议增加夜间值班")
    login(client, "tenant-a", "lead")
    assert tool(client, suggestion["id"], "adoption", adopted="1", note="采纳").status_code == 302
    assert fetch(desk, suggestion["id"]).adopted is True
    r = tool(client, suggestion["id"], "adoption", adopted="0")
    assert r.status_code == 409 and "已记录" in r.get_data(as_text=True)
    assert tool(client, cid, "adoption", adopted="1").status_code == 409  # not a suggestion


def test_another_tenants_case_or_proposal_is_404(client, desk):
    foreign = api_case(client, desk.b)
    with tenant_scope(desk.b.id):
        from core.complaints import improvement, service

        row = improvement.draft(service.get_complaint(foreign["id"]), kind="standard", title="乙", text="乙公司",
                                by=None, at=foreign_time(foreign))
        db.session.commit()
        foreign_improvement = row.id
    own = api_case(client, desk.a)
    login(client, "tenant-a", "boss")
    token = _csrf(client.get(BASE).get_data(as_text=True))
    for name in ("link", "tags", "transfer", "supplier", "external", "adoption", "acknowledge", "meeting",
                 "group-warning", "analysis", "improvement"):
        r = client.post(f"{TOOLS}/{foreign['id']}/{name}", data={"csrf_token": token, "minutes": "x"})
        assert r.status_code == 404, name
        assert "电梯异响" not in r.get_data(as_text=True)
    for action in ("sign", "countersign", "approve", "return"):
        assert client.post(f"{TOOLS}/{foreign['id']}/improvements/{foreign_improvement}/{action}",
                           data={"csrf_token": token}).status_code == 404
        assert client.post(f"{TOOLS}/{own['id']}/improvements/{foreign_improvement}/{action}",
                           data={"csrf_token": token}).status_code == 404
    # a foreign case named by number is unknown here
    r = client.post(f"{TOOLS}/{own['id']}/link", data={"csrf_token": token, "numbers": foreign["number"]})
    assert r.status_code in (409, 422)
    assert fetch(desk, own["id"]).master_id is None


def foreign_time(case):
    import datetime as dt

    return dt.datetime.fromisoformat(case["received_at"])
