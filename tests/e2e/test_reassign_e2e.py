"""Customer management in a real browser: a manager reassigns a departing salesperson's customers (the
job page with its progress bar, then who received how many with the "why?"), merges two duplicates
after comparing them side by side, and opens an arbitration case on colliding claims. Screenshots in test-artifacts/."""
from tests.helpers import PASSWORD


def test_reassign_then_merge(live_server, page, make_tenant, artifacts_dir, client):
    tenant = make_tenant("tenant-a", "甲公司")
    leaver, _t1 = make_tenant.user(tenant, "sales1", roles=["salesperson"])
    rival, _t2 = make_tenant.user(tenant, "sales2", roles=["salesperson"])
    make_tenant.user(tenant, "sales3", roles=["salesperson"])
    h = tenant.headers()
    names = ["王小明", "李秀英", "赵雪梅", "成都蜀运物流有限公司"]
    ids = []
    for i, name in enumerate(names):
        body = {"name": name, "phones": [{"number": f"1390000{i:04d}"}]}
        if "公司" in name:
            body.update(kind="organisation", address="高新区天府大道1号", contacts=[{"name": "刘经理"}])
        r = client.post("/api/v1/customers", headers=h, json=body)
        assert r.status_code == 201, r.get_json()
        ids.append(r.get_json()["id"])
        assert client.post(f"/api/v1/customers/{ids[-1]}/claims", headers=h,
                           json={"kind": "register", "claimant_id": leaver}).status_code == 201
    disputed = client.post(f"/api/v1/customers/{ids[1]}/claims", headers=h, json={
        "kind": "register", "claimant_id": rival, "note": "客户说先找的我"})
    assert disputed.status_code == 201, disputed.get_json()
    # written before the browser starts (SQLite: one writer at a time)
    twin = client.post("/api/v1/customers", headers=h, json={"name": "王晓明", "phones": [{"number": "13700001111"}]})
    base = f"{live_server}/t/tenant-a"
    page.goto(f"{base}/customers/reassign")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/customers/reassign")
    page.select_option("select[name=leaver_id]", str(leaver))
    page.select_option("select[name=trigger]", "departure")
    page.check("input[name=colleague_ids] >> nth=1")
    page.check("input[name=colleague_ids] >> nth=2")
    page.fill("input[name=seed]", "2026")
    page.screenshot(path=str(artifacts_dir / "e2e-cus-manage-reassign-form.png"), full_page=True)
    page.click("#reassign-form button[type=submit]")
    page.wait_for_url(f"{base}/jobs/*")
    assert page.locator("progress").count() == 1
    assert "再分配" in page.locator(".flash").inner_text()
    assert "客户重新分配" in page.locator("h1").inner_text()
    page.screenshot(path=str(artifacts_dir / "e2e-cus-manage-reassign-job.png"), full_page=True)
    page.click("#job-result a:text-is('查看结果')")  # from the finished job to what it did
    page.wait_for_url(f"{base}/customers/reassign/*")
    figures = page.locator("#run-result .figure b").all_inner_texts()
    assert sum(int(n) for n in figures) == 4
    assert page.locator("#run-items a.why").count() == 4
    page.screenshot(path=str(artifacts_dir / "e2e-cus-manage-reassign-result.png"), full_page=True)
    # merge two records of 王小明 after comparing them
    page.goto(f"{base}/customers/manage/merges")
    page.fill("input[name=a_id]", str(ids[0]))
    page.fill("input[name=b_id]", str(twin.get_json()["id"]))
    page.click("#merge-form button[type=submit]")
    page.locator("label.pick").first.wait_for()
    assert page.locator("label.pick").count() == 2
    page.fill("textarea[name=reason]", "同一客户两次登记")
    page.screenshot(path=str(artifacts_dir / "e2e-cus-manage-merge-compare.png"), full_page=True)
    page.click("#merge-form button[type=submit]")
    page.wait_for_url(f"{base}/customers/manage/*/merges/*")
    assert "已合并" in page.locator(".flash").inner_text()
    page.screenshot(path=str(artifacts_dir / "e2e-cus-manage-merge-done.png"), full_page=True)
    # a collision of claims: the manager opens a case from the customer's ownership page
    page.goto(f"{base}/customers/manage/{ids[1]}")
    assert page.locator("#claims tr[data-claim]").count() == 2
    page.fill("#open-case textarea[name=note]", "两人都登记了该客户")
    page.click("#open-case button[type=submit]")
    page.wait_for_url(f"{base}/customers/manage/{ids[1]}/cases/*")
    assert page.locator("#standing [data-status]").get_attribute("data-status") == "objection_window"
    assert page.locator("#standing a.why").count() == 1
    page.screenshot(path=str(artifacts_dir / "e2e-cus-manage-case.png"), full_page=True)
    page.goto(f"{base}/customers/manage")
    assert page.locator("#open-cases tr[data-case]").count() == 1
    page.screenshot(path=str(artifacts_dir / "e2e-cus-manage-queues.png"), full_page=True)
