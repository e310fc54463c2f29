"""Portal login: sessions, CSRF, rate limiting, tenant-bound sessions, language, navigation."""
import re


from tests.helpers import PASSWORD


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def login(client, slug, username="admin", password=PASSWORD):
    page = client.get(f"/t/{slug}/login").get_data(as_text=True)
    return client.post(f"/t/{slug}/login", data={"username": username, "password": password,
                                                  "csrf_token": _csrf(page)})


def test_login_page_is_chinese_by_default(client, two_tenants):
    page = client.get("/t/tenant-a/login").get_data(as_text=True)
    assert "登录" in page and "用户名" in page and "甲公司" in page


def test_login_then_home_shows_tenant_and_navigation(client, two_tenants):
    r = login(client, "tenant-a")
    assert r.status_code == 302 and r.headers["Location"].endswith("/t/tenant-a/")
    home = client.get("/t/tenant-a/").get_data(as_text=True)
    assert "甲公司" in home and "甲公司管理员" in home
    assert 'data-nav="policies"' in home and 'data-nav="users"' in home


def test_wrong_password_is_refused_in_the_users_language(client, two_tenants):
    r = login(client, "tenant-a", password="wrong-password")
    assert r.status_code == 401 and "用户名或密码错误" in r.get_data(as_text=True)
    assert client.get("/t/tenant-a/").status_code == 302  # still anonymous


def test_post_without_csrf_token_is_refused(client, two_tenants):
    r = client.post("/t/tenant-a/login", data={"username": "admin", "password": PASSWORD})
    assert r.status_code == 400


def test_login_rate_limit(client, two_tenants):
    for _ in range(5):
        assert login(client, "tenant-a", password="wrong-password").status_code == 401
    r = login(client, "tenant-a")  # even the right password waits out the window
    assert r.status_code == 429 and "登录失败次数过多" in r.get_data(as_text=True)
    # another tenant's account of the same name is not affected by this account's lock-out
    assert login(client, "tenant-b").status_code == 302


def test_session_of_one_tenant_is_anonymous_in_another(client, two_tenants):
    login(client, "tenant-a")
    assert client.get("/t/tenant-a/").status_code == 200
    r = client.get("/t/tenant-b/")
    assert r.status_code == 302 and "/t/tenant-b/login" in r.headers["Location"]
    assert client.get("/t/tenant-b/users").status_code == 302


def test_unknown_tenant_is_404(client, two_tenants):
    assert client.get("/t/nobody/login").status_code == 404


def test_language_switch(client, two_tenants):
    login(client, "tenant-a")
    client.get("/t/tenant-a/lang/en")
    page = client.get("/t/tenant-a/").get_data(as_text=True)
    assert "Log out" in page and "Policies" in page
    client.get("/t/tenant-a/lang/zh_Hant")
    assert "登出" in client.get("/t/tenant-a/").get_data(as_text=True)


def test_role_aware_pages(client, make_tenant):
    a = make_tenant("roles", "角色公司")
    make_tenant.user(a, "sales", roles=["salesperson"])
    login(client, "roles", "sales")
    home = client.get("/t/roles/").get_data(as_text=True)
    assert 'data-nav="users"' not in home and 'data-nav="policies"' not in home
    assert client.get("/t/roles/users").status_code == 403


def test_plugin_nav_items_only_where_enabled(client, make_tenant):
    make_tenant("plain", "普通公司")
    make_tenant("meters", "水务公司", industry="sample_industry")
    login(client, "meters")
    assert 'data-nav="sample"' in client.get("/t/meters/").get_data(as_text=True)
    login(client, "plain")
    assert 'data-nav="sample"' not in client.get("/t/plain/").get_data(as_text=True)


def test_logout_needs_csrf_and_ends_the_session(client, two_tenants):
    login(client, "tenant-a")
    assert client.post("/t/tenant-a/logout").status_code == 400
    page = client.get("/t/tenant-a/").get_data(as_text=True)
    client.post("/t/tenant-a/logout", data={"csrf_token": _csrf(page)})
    assert client.get("/t/tenant-a/").status_code == 302


def test_policies_and_decisions_pages(client, two_tenants):
    login(client, "tenant-a")
    assert "工作日历" in client.get("/t/tenant-a/policies").get_data(as_text=True)
    assert "暂无决策记录" in client.get("/t/tenant-a/decisions").get_data(as_text=True)


def test_portal_session_reads_the_api_but_cannot_write(client, two_tenants):
    login(client, "tenant-a")
    assert client.get("/api/v1/me").get_json()["tenant"]["slug"] == "tenant-a"
    assert client.post("/api/v1/tokens", json={"name": "x"}).status_code == 401


def test_traditional_chinese_readers_get_traditional_titles(client, two_tenants):
    login(client, "tenant-a")
    client.get("/t/tenant-a/lang/zh_Hant")
    page = client.get("/t/tenant-a/").get_data(as_text=True)
    assert "系統管理員" in page and "決策記錄" in page
    assert "系统管理员" not in page and "决策记录" not in page


def test_nav_item_without_a_page_is_skipped_not_a_crash(client, plugins, make_tenant):
    from core.plugins import hookimpl
    from core.plugins.records import NavItem, PluginInfo

    class Broken:
        @hookimpl
        def kehu_plugin_info(self):
            return PluginInfo(name="broken_nav", title_zh="坏", title_en="Broken")

        @hookimpl
        def kehu_nav_items(self):
            return [NavItem("nowhere", "无处", "Nowhere", "portal.does_not_exist")]

    plugins.register(Broken())
    try:
        make_tenant("nav", "导航公司", plugins=["broken_nav"])
        login(client, "nav")
        r = client.get("/t/nav/")
        assert r.status_code == 200 and 'data-nav="nowhere"' not in r.get_data(as_text=True)
    finally:
        plugins.unregister("broken_nav")


def test_plugin_pages_exist_only_for_tenants_that_enabled_the_plugin(client, make_tenant):
    """kehu_portal_pages: the sample plugin's page, its Chinese title from the plugin's own catalog."""
    make_tenant("plain", "普通公司")
    make_tenant("meters", "水务公司", industry="sample_industry")
    assert client.get("/t/meters/sample").status_code == 302  # a page, behind the log-in
    login(client, "meters")
    page = client.get("/t/meters/sample")
    assert page.status_code == 200 and "<h1>示例页面</h1>" in page.get_data(as_text=True)
    assert 'data-nav="sample_page"' in client.get("/t/meters/").get_data(as_text=True)
    login(client, "plain")
    assert client.get("/t/plain/sample").status_code == 404
    assert client.post("/t/plain/sample", data={"csrf_token": "x"}).status_code in (400, 404)
    assert 'data-nav="sample_page"' not in client.get("/t/plain/").get_data(as_text=True)


def test_portal_pages_forbid_inline_scripts_framing_and_foreign_sources(client, two_tenants):
    for response in (client.get("/t/tenant-a/login"), client.get("/t/nobody/login")):
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "form-action 'self'" in csp
        assert response.headers["X-Frame-Options"] == "DENY"


def test_no_portal_template_has_an_inline_script():
    """The Content-Security-Policy allows scripts from Kehu's own files only: an inline <script> would not run."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    offenders = [str(p.relative_to(root)) for folder in ("web", "plugins") for p in (root / folder).rglob("*.html")
                 if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", p.read_text(encoding="utf-8"))
                 or re.search(r"\son[a-z]+=\"", p.read_text(encoding="utf-8"))]
    assert offenders == []
