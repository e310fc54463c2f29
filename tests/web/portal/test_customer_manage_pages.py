"""Portal customer management pages, through the pages with the spec's rules: the CUS-24 takeover queue
(approve by the claim approver only, refuse = void), CUS-27 cases (open, object, rule, quarrel; 403 for
whoever the case does not await, 409 after the window), CUS-50 manual grade changes (reason and approver,
fields kept), CUS-15 merges (compare, pick the survivor, confirm, 409 on a tombstone, undo) and the
CUS-33/35 redistribution as a job with its progress page and result. Ownership clocks are set to the
spec's 2026 moments as in the API tests."""
from __future__ import annotations

import re

import pytest

from tests.web.api.test_customer_ownership_api import HEALTH, World, run_sweep
from tests.web.portal.test_login import _csrf, login
from web.portal.customer_manage import id_list
from web.portal.customer_reassign import reassign_body, result_counts

BASE = "/t/tenant-a/customers/manage"
REASSIGN = "/t/tenant-a/customers/reassign"


@pytest.fixture
def now(monkeypatch):
    import datetime as dt
    from zoneinfo import ZoneInfo

    from core.customers.ownership import clock

    def set_now(text: str):
        moment = dt.datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("Asia/Shanghai"))
        monkeypatch.setattr(clock, "now", lambda: moment)
    return set_now


def _post(client, page_url, url, data):
    token = _csrf(client.get(page_url).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


def _field_error(page: str, name: str) -> bool:
    return bool(re.search(rf'data-field="{re.escape(name)}".*?class="field-error"', page, re.S))


# --------------------------------------------------------------------------- pure helpers


def test_id_list_and_reassign_body():
    assert id_list(["3", "x", "3", "7"]) == [3, 7]
    assert id_list("4，5, 6") == [4, 5, 6]
    assert id_list(None) == []
    assert reassign_body({"leaver_id": "9", "trigger": "departure", "seed": " ", "colleague_ids": ["2", "3"]}) == {
        "leaver_id": "9", "trigger": "departure", "colleague_ids": [2, 3]}
    assert reassign_body({"leaver_id": "", "trigger": "", "leave_start": "2026-05-01"}) == {
        "leaver_id": None, "trigger": "", "leave_start": "2026-05-01"}


def test_result_counts():
    class Run:
        colleagues = [5, 6, 7]

    class Item:
        def __init__(self, owner, status="applied"):
            self.to_owner_id, self.status = owner, status

    items = [Item(6), Item(6), Item(5), Item(None), Item(7, "skipped")]
    assert result_counts(Run(), items) == [(6, 2), (5, 1), (7, 0)]


# --------------------------------------------------------------------------- CUS-24 takeovers


@pytest.fixture
def health(client, two_tenants, make_tenant):
    return World(client, two_tenants[0], make_tenant, HEALTH)


def _claimable_with_takeover(w, now):
    cid = w.customer()
    now("2026-01-05 12:00")
    w.claim(cid, "A", "2026-01-05 10:00", kind="submitted_list")
    now("2026-04-20 20:00")
    w.contact(cid, "A", "event_attended", "2026-02-10 10:00")
    run_sweep(w.handle, "2026-05-11 00:10")
    now("2026-05-12 12:00")
    claim = w.claim(cid, "C", "2026-05-12 10:00", kind="submitted_list", note="客户主动来电")
    return cid, claim


def test_takeover_queue_approved_by_the_claim_approver_only(client, health, now):
    w = health
    cid, claim = _claimable_with_takeover(w, now)
    login(client, "tenant-a", "M")
    page = client.get(BASE).get_data(as_text=True)
    assert f'data-claim="{claim["id"]}"' in page and "客户主动来电" in page and "王小明" in page
    approve = f"{BASE}/{cid}/claims/{claim['id']}/approve"
    assert approve not in page  # the department manager is not the claim approver (resource director)
    assert _post(client, BASE, approve, {}).status_code == 403
    client.post("/t/tenant-a/logout", data={"csrf_token": _csrf(page)})
    login(client, "tenant-a", "D")
    page = client.get(BASE).get_data(as_text=True)
    assert approve in page and "资源总监" in page
    r = _post(client, BASE, approve, {"back": "index"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/customers/manage")
    assert w.owner_name(cid) == "C" and w.owner(cid)["decisions"][0]["rule_id"] == "CUS-24"
    page = client.get(BASE).get_data(as_text=True)
    assert "已批准接手" in page and f'data-claim="{claim["id"]}"' not in page
    r = _post(client, f"{BASE}/{cid}", approve, {})  # twice: refused with the reason
    assert r.status_code == 409 and "已批准" in r.get_data(as_text=True)


def test_refusing_a_claim_voids_it(client, health, now):
    w = health
    cid, claim = _claimable_with_takeover(w, now)
    login(client, "tenant-a", "M")
    r = _post(client, f"{BASE}/{cid}", f"{BASE}/{cid}/claims/{claim['id']}/void", {})
    assert r.status_code == 302
    page = client.get(f"{BASE}/{cid}").get_data(as_text=True)
    assert "已驳回（作废）" in page and "已驳回认领" in page
    assert client.get(BASE).get_data(as_text=True).count("data-claim=") == 0
    login(client, "tenant-a", "A")
    assert client.get(BASE).status_code == 403  # a salesperson has no queue


# --------------------------------------------------------------------------- CUS-27 arbitration


@pytest.fixture
def world(client, two_tenants, make_tenant):
    return World(client, two_tenants[0], make_tenant)


def test_case_objection_ruling_and_refusals(client, world, now):
    w = world
    cid = w.customer()
    now("2026-03-05 15:00")
    w.claim(cid, "A", "2026-03-05 14:00")
    w.claim(cid, "B", "2026-03-05 10:00")
    now("2026-03-06 09:00")
    login(client, "tenant-a", "M")  # A cannot see a customer B owns (CUS-70): the manager opens it
    r = _post(client, f"{BASE}/{cid}", f"{BASE}/{cid}/cases", {"reason": "", "note": "两人同日登记"})
    assert r.status_code == 422 and _field_error(r.get_data(as_text=True), "reason")
    assert "两人同日登记" in r.get_data(as_text=True)
    r = _post(client, f"{BASE}/{cid}", f"{BASE}/{cid}/cases", {"reason": "collision", "note": "两人同日登记"})
    assert r.status_code == 302
    case_url = r.headers["Location"]
    page = client.get(case_url).get_data(as_text=True)
    assert 'data-status="objection_window"' in page and "异议期" in page and "两人同日登记" in page
    now("2026-03-07 10:00")
    r = _post(client, case_url, f"{case_url}/objections", {"note": "我先接待的"})
    assert r.status_code == 302
    page = client.get(case_url).get_data(as_text=True)
    assert 'data-status="awaiting_arbiter"' in page and "我先接待的" in page and "待您裁决" in page
    # overturn without the new owner: the field says so, the grounds typed are kept
    r = _post(client, case_url, f"{case_url}/rulings", {"verdict": "overturn", "note": "查看了登记本"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and _field_error(page, "owner_id") and "查看了登记本" in page
    login(client, "tenant-a", "G")  # the GM is not the arbiter (dept_manager) of this case
    r = _post(client, case_url, f"{case_url}/rulings", {"verdict": "uphold"})
    assert r.status_code == 403 and "部门经理" in r.get_data(as_text=True)
    login(client, "tenant-a", "M")
    now("2026-03-10 10:00")
    r = _post(client, case_url, f"{case_url}/rulings", {"verdict": "uphold", "note": "登记在先"})
    assert r.status_code == 302
    page = client.get(case_url).get_data(as_text=True)
    assert 'data-status="final"' in page and f'data-final-owner="{w.ids["B"]}"' in page
    assert w.owner_name(cid) == "B"
    r = _post(client, case_url, f"{case_url}/objections", {})
    assert r.status_code == 409 and "已终结" in r.get_data(as_text=True)


def test_quarrel_needs_parties_then_fines(client, health, now):
    w = health
    cid = w.customer()
    now("2026-03-05 15:00")
    w.claim(cid, "A", "2026-03-05 14:00", kind="submitted_list")
    w.claim(cid, "B", "2026-03-05 10:00", kind="submitted_list")
    now("2026-03-06 09:00")
    login(client, "tenant-a", "S")  # the assistant: arbiter of this tenant, records quarrels
    r = _post(client, f"{BASE}/{cid}", f"{BASE}/{cid}/cases", {"reason": "collision"})
    case_url = r.headers["Location"]
    r = _post(client, case_url, f"{case_url}/quarrels", {"note": "在展厅争吵"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and _field_error(page, "party_ids") and "在展厅争吵" in page
    r = _post(client, case_url, f"{case_url}/quarrels", {"party_ids": [str(w.ids["A"]), str(w.ids["B"])]})
    assert r.status_code == 302
    page = client.get(case_url).get_data(as_text=True)
    assert page.count("罚款") >= 2 and "¥100.00" in page


# --------------------------------------------------------------------------- CUS-50 grades


def test_manual_grade_change_needs_reason_and_approver(client, world):
    w = world
    cid = w.customer()
    login(client, "tenant-a", "M")
    url = f"{BASE}/{cid}/grades/grade"
    page = client.get(url).get_data(as_text=True)
    assert 'data-tier=""' in page and 'name="approver_id"' in page
    r = _post(client, url, url, {"tier": "A", "reason": "", "approver_id": ""})
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and _field_error(page, "approver_id")
    assert re.search(r'<option value="A"\s+selected', page)
    r = _post(client, url, url, {"tier": "A", "reason": "年采购额超过五十万", "approver_id": str(w.ids["M"])})
    assert r.status_code == 422 and _field_error(r.get_data(as_text=True), "approver_id")  # not oneself
    r = _post(client, url, url, {"tier": "A", "reason": "年采购额超过五十万", "approver_id": str(w.ids["G"])})
    assert r.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert 'data-tier="A"' in page and "年采购额超过五十万" in page and "手工" in page
    listing = client.get(f"{BASE}/grades").get_data(as_text=True)
    assert "年采购额超过五十万" in listing and "王小明" in listing
    assert client.get(f"{BASE}/{cid}/grades/nosuch").status_code == 404


# --------------------------------------------------------------------------- CUS-15 merges


def test_merge_compare_pick_survivor_confirm_and_undo(client, world):
    w = world
    a = w.customer("13900001111", "王小明")
    b = w.customer("13900002222", "王晓明")
    login(client, "tenant-a")
    url = f"{BASE}/merges"
    r = _post(client, url, url, {"a_id": str(a), "b_id": "999999", "reason": "同一人"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and _field_error(page, "b_id") and "同一人" in page
    r = _post(client, url, url, {"a_id": str(a), "b_id": str(b), "reason": "同一人"})
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and f'data-candidate="{a}"' in page and f'data-candidate="{b}"' in page
    r = _post(client, url, url, {"a_id": str(a), "b_id": str(b), "survivor": "b", "confirm": "1", "reason": ""})
    assert r.status_code == 422 and _field_error(r.get_data(as_text=True), "reason")
    r = _post(client, url, url, {"a_id": str(a), "b_id": str(b), "survivor": "b", "confirm": "1",
                                 "reason": "同一人，两次登记"})
    assert r.status_code == 302 and f"/manage/{b}/merges/" in r.headers["Location"]
    merge_url = r.headers["Location"]
    page = client.get(merge_url).get_data(as_text=True)
    assert 'data-status="merged"' in page and "同一人，两次登记" in page
    # the tombstone cannot be merged again: refused with the reason
    c = w.customer("13900003333", "李四")
    r = _post(client, url, url, {"a_id": str(c), "b_id": str(a), "confirm": "1", "reason": "再合并"})
    assert r.status_code == 409
    r = _post(client, merge_url, f"{merge_url}/undo", {"reason": "合并错了"})
    assert r.status_code == 302
    assert 'data-status="undone"' in client.get(merge_url).get_data(as_text=True)
    login(client, "tenant-a", "A")
    assert _post(client, f"{BASE}/grades", url, {"a_id": str(a), "b_id": str(b)}).status_code == 403


# --------------------------------------------------------------------------- CUS-33/35 reassignment


def test_reassignment_runs_as_a_job_and_shows_who_got_how_many(client, world, now):
    w = world
    now("2026-03-02 12:00")
    customers = [w.customer(f"1390000{i:04d}", f"客户{i}") for i in range(4)]
    for cid in customers:
        w.claim(cid, "A", "2026-03-01 10:00")
    login(client, "tenant-a", "M")
    page = client.get(REASSIGN).get_data(as_text=True)
    assert "A（4 个客户）" in page or "A (4" in page
    r = _post(client, REASSIGN, REASSIGN, {"leaver_id": str(w.ids["A"]), "trigger": "long_leave"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and _field_error(page, "leave_end")
    assert re.search(r'<option value="long_leave"\s+selected', page)
    r = _post(client, REASSIGN, REASSIGN, {"leaver_id": str(w.ids["A"]), "trigger": "departure", "seed": "7",
                                           "colleague_ids": [str(w.ids["B"]), str(w.ids["C"])]})
    assert r.status_code == 302 and "/jobs/" in r.headers["Location"]
    job_page = client.get(r.headers["Location"])
    assert job_page.status_code == 200 and "<progress" in job_page.get_data(as_text=True)
    listing = client.get(REASSIGN).get_data(as_text=True)
    run_id = re.search(r'data-run="(\d+)"', listing).group(1)
    page = client.get(f"{REASSIGN}/{run_id}").get_data(as_text=True)
    counts = dict(re.findall(r'data-receiver="(\d+)"><b>(\d+)</b>', page))
    assert sum(int(n) for n in counts.values()) == 4 and set(counts) <= {str(w.ids["B"]), str(w.ids["C"])}
    assert page.count("已分配") == 4 and "随机抽签" in page
    owners = {w.owner_name(cid) for cid in customers}
    assert owners <= {"B", "C"}
    login(client, "tenant-a", "A")
    assert client.get(REASSIGN).status_code == 403


def test_foreign_ids_are_404(client, two_tenants, make_tenant):
    a, b = two_tenants
    r = client.post("/api/v1/customers", headers=b.headers(), json={"name": "乙的客户",
                                                                   "phones": [{"number": "13900009999"}]})
    cid = r.get_json()["id"]
    login(client, "tenant-a")
    for url in (f"{BASE}/{cid}", f"{BASE}/{cid}/grades/grade", f"{BASE}/{cid}/cases/1", f"{BASE}/{cid}/merges/1",
                f"{REASSIGN}/1"):
        assert client.get(url).status_code == 404, url
