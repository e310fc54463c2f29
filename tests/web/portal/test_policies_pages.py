"""Policy pages of the portal: forms generated from every policy schema (round trip), field errors on
nested fields with what was typed kept, dry-run of a draft, publishing and the history of versions."""
import datetime as dt
import re
from html import unescape

import pytest
from sqlalchemy import func, select

from core.db import db
from core.policy.models import PolicyDocument
from core.sla.models import SlaMilestone
from core.tenancy import tenant_scope
from tests.web.portal.test_login import _csrf, login
from web.portal import policy_forms


def browser_post(tree, body, changes=None) -> dict:
    """What a browser sends for the form filled from ``body`` with ``changes`` typed over it: an
    unchecked box is not sent."""
    values = {**policy_forms.form_values(tree, body), **(changes or {})}
    kinds = {i.name: i.kind for i in tree.inputs()}
    return {k: v for k, v in values.items() if not (kinds.get(k) in ("checkbox", "choices") and v in ("", []))}


def round_trip(schema, body):
    tree = policy_forms.build(schema)
    parsed, errors = policy_forms.parse(tree, browser_post(tree, body))
    assert errors == {}
    return tree, parsed


def test_every_registered_policy_schema_round_trips_through_its_form(plugins):
    specs = plugins.relay(["sample"]).records("kehu_policy_schemas")
    assert {"cal", "cus", "cmp", "stf", "svc", "sample"} <= set(specs)
    for module, spec in specs.items():
        schema = spec.schema()
        body = schema.dump(schema.load({}))
        tree, parsed = round_trip(spec.schema, body)
        assert parsed == body, module
        assert schema.dump(schema.load(parsed)) == body, module
        assert len(list(tree.inputs())) >= 1


def test_settings_beyond_the_defaults_round_trip_too():
    from core.calendar.policy import CalendarPolicySchema
    from core.complaints.policy import CmpPolicySchema

    cmp = CmpPolicySchema()
    body = cmp.dump(cmp.load({"sla": {"reply": "4 hours", "warn_at": "0.75", "overall": {
        "start": "accepted", "department": "市场部", "target": "15 days", "hard": "18 days"}, "policies": [
        {"name": "大客户", "severities": ["major"], "milestones": [{"code": "reply", "duration": "2 hours"}]}]},
        "categories": ["service", "quality"], "close": {"requires_confirmation": False}}))
    _tree, parsed = round_trip(CmpPolicySchema, body)
    assert cmp.dump(cmp.load(parsed)) == body
    cal = CalendarPolicySchema()
    body = cal.dump(cal.load({"weekly_rest_days": ["sun"], "overrides": [{"date": "2026-12-24", "kind": "off"}],
                              "department_calendars": {"门店": {"weekly_rest_days": ["mon"]}}}))
    tree, parsed = round_trip(CalendarPolicySchema, body)
    assert cal.dump(cal.load(parsed)) == body
    kinds = {i.name: i.kind for i in tree.inputs()}
    assert kinds["weekly_rest_days"] == "choices" and kinds["overrides"] == "json"
    assert kinds["roll_last_day_off.internal"] == "checkbox" and kinds["provisional_fallback"] == "select"


def test_inputs_follow_the_field_types():
    from core.complaints.policy import CmpPolicySchema
    from core.customers.policy import CusPolicySchema

    items = {i.name: i for i in policy_forms.build(CmpPolicySchema).inputs()}
    assert items["sla.reply"].kind == "text"  # a duration: "24 hours"
    assert (items["sla.warn_at"].kind, str(items["sla.warn_at"].min), str(items["sla.warn_at"].max)) == ("number", "0.01", "0.99")
    assert items["reports.monthly_due_day"].kind == "number" and items["reports.monthly_due_day"].integer
    assert items["numbering.reset"].options == (("monthly", "monthly"), ("yearly", "yearly"), ("never", "never"))
    assert items["sla.policies"].kind == "json" and items["sla.overall"].kind == "json"  # optional section
    assert items["escalation.ladder"].kind == "lines"
    assert items["major.group_member"].help.startswith("the company belongs to a group")
    cus = {i.name: i for i in policy_forms.build(CusPolicySchema).inputs()}
    assert cus["credit.cap_reference_date"].kind == "date" and cus["credit.cap_reference_date"].nullable
    sections = list(policy_forms.section_names(policy_forms.build(CmpPolicySchema)))
    assert "sla" in sections and "level_by_severity" in sections
    assert policy_forms.humanise("warn_day_based") == "Warn day based"


def test_errors_inside_a_json_field_are_placed_on_it():
    from core.complaints.policy import CmpPolicySchema

    tree = policy_forms.build(CmpPolicySchema)
    placed = policy_forms.place_errors(tree, {"sla.policies.0.name": ["required"], "sla.warn_at": ["too big"],
                                              "major": ["whole section"]})
    assert placed == {"sla.policies": ["0.name: required"], "sla.warn_at": ["too big"], "major": ["whole section"]}
    body, errors = policy_forms.parse(tree, {"sla.policies": "[{"})
    assert "sla.policies" in errors and "policies" not in body["sla"]


def test_changed_settings_lists_what_differs():
    assert policy_forms.changed_settings({"sla": {"reply": "24 hours", "x": [1]}, "a": 1},
                                         {"sla": {"reply": "4 hours", "x": [1]}, "a": 1}) == [
        ("sla.reply", "24 hours", "4 hours")]


# ------------------------------------------------------------------------------------------ pages


@pytest.fixture
def office(client, make_tenant):
    a = make_tenant("pol-a", "甲公司")
    make_tenant.user(a, "boss", roles=["gm"])
    make_tenant.user(a, "sales", roles=["salesperson"])
    make_tenant.user(a, "agent", roles=["cs_agent"])
    return a


def page(client, url):
    r = client.get(url)
    return r, r.get_data(as_text=True)


def cmp_post(client, slug, changes=None, effective_from=None, note=None):
    from core.complaints.policy import CmpPolicySchema

    tree = policy_forms.build(CmpPolicySchema)
    schema = CmpPolicySchema()
    body = schema.dump(schema.load({}))
    token = _csrf(client.get(f"/t/{slug}/policies/cmp").get_data(as_text=True))
    extra = {"publish:effective_from": effective_from, "publish:note": note}
    return {**browser_post(tree, body, changes), "csrf_token": token,
            **{k: v for k, v in extra.items() if v is not None}}


def field_html(html, name):
    found = re.search(r'<div class="field pfield [^"]*" data-field="%s">(.*?)</div>' % re.escape(name), html, re.S)
    assert found, name
    return found.group(0)


def test_index_lists_modules_with_the_version_in_force(client, office):
    login(client, "pol-a")
    r, html = page(client, "/t/pol-a/policies")
    assert r.status_code == 200
    for module in ("cal", "cus", "cmp", "stf", "svc"):
        assert f'data-module="{module}"' in html
    assert "投诉处理制度" in html and "默认" in html


def test_managers_read_only_the_admin_edits_others_are_refused(client, office):
    login(client, "pol-a", "boss")
    r, html = page(client, "/t/pol-a/policies/cmp")
    assert r.status_code == 200 and '<fieldset class="all" disabled>' in html
    assert 'class="publish-bar"' not in html and "只有系统管理员可以编辑和发布制度" in html
    assert client.post("/t/pol-a/policies/cmp/dry-run", data=cmp_post(client, "pol-a")).status_code == 403
    assert client.post("/t/pol-a/policies/cmp/publish", data=cmp_post(client, "pol-a")).status_code == 403
    client.post("/t/pol-a/logout", data={"csrf_token": _csrf(html)})
    login(client, "pol-a", "sales")
    assert client.get("/t/pol-a/policies").status_code == 403
    assert client.get("/t/pol-a/policies/cmp").status_code == 403


def test_unknown_module_is_404(client, office):
    login(client, "pol-a")
    assert client.get("/t/pol-a/policies/nothing").status_code == 404


def test_a_nested_field_error_shows_next_to_it_in_chinese_and_keeps_what_was_typed(client, office):
    login(client, "pol-a")
    data = cmp_post(client, "pol-a", {"sla.warn_at": "2", "sla.reply": "4 hours", "sla.policies": "[{"},
                    effective_from="2000-01-01", note="试试")
    r = client.post("/t/pol-a/policies/cmp/dry-run", data=data)
    html = unescape(r.get_data(as_text=True))
    assert r.status_code == 422
    warn = field_html(html, "sla.warn_at")
    assert "has-error" in warn and 'value="2"' in warn and "须在 0.01 到 0.99 之间。" in warn
    assert 'value="4 hours"' in field_html(html, "sla.reply")  # kept, no error
    assert "has-error" not in field_html(html, "sla.reply")
    assert "[{" in field_html(html, "sla.policies") and "不是有效的 JSON（第 1 行，第 3 列）" in field_html(html, "sla.policies")
    assert 'value="试试"' in html  # the note too
    assert 'data-top="sla" open' in html  # the section with the error is open
    with tenant_scope(office.id):
        assert db.session.scalar(select(func.count()).select_from(PolicyDocument)) == 0


def test_dry_run_lists_the_open_complaints_whose_deadline_moves(client, office):
    login(client, "pol-a")
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    received = (now - dt.timedelta(hours=1)).isoformat()
    case = client.post("/api/v1/complaints", headers=office.headers(), json={
        "channel": "phone", "content": "空调不制冷", "received_at": received})
    assert case.status_code == 201, case.get_json()
    number = case.get_json()["number"]
    with tenant_scope(office.id):
        rows_before = db.session.scalar(select(func.count()).select_from(SlaMilestone))
    r = client.post("/t/pol-a/policies/cmp/dry-run", data=cmp_post(client, "pol-a", {"sla.reply": "4 hours"}))
    html = unescape(r.get_data(as_text=True))
    assert r.status_code == 200, html[:3000]
    assert 'data-change-count="1"' in html and number in html and "答复期限" in html
    assert "sla.reply" in html.split("settings-changed")[1].split("</table>")[0]  # the settings the draft changes
    assert "比较" in html  # CMP-37: the case keeps its version
    with tenant_scope(office.id):
        assert db.session.scalar(select(func.count()).select_from(SlaMilestone)) == rows_before
        assert db.session.scalar(select(func.count()).select_from(PolicyDocument)) == 0


def test_a_module_without_dry_run_says_so(client, office):
    login(client, "pol-a")
    from core.staff.policy import StfPolicySchema

    tree = policy_forms.build(StfPolicySchema)
    schema = StfPolicySchema()
    token = _csrf(client.get("/t/pol-a/policies/stf").get_data(as_text=True))
    r = client.post("/t/pol-a/policies/stf/dry-run", data={
        **browser_post(tree, schema.dump(schema.load({}))), "csrf_token": token})
    assert r.status_code == 200 and "data-no-evaluator" in r.get_data(as_text=True)


def test_publish_creates_a_version_and_the_history_shows_it(client, office):
    login(client, "pol-a")
    with tenant_scope(office.id):
        from core.policy import service as policies

        today = policies.tenant_today()
    past = client.post("/t/pol-a/policies/cmp/publish", data=cmp_post(
        client, "pol-a", {"sla.reply": "4 hours"}, effective_from=(today - dt.timedelta(days=1)).isoformat()))
    assert past.status_code == 422 and f"必须为 {today.isoformat()} 或之后" in unescape(past.get_data(as_text=True))
    missing = client.post("/t/pol-a/policies/cmp/publish", data=cmp_post(client, "pol-a", {"sla.reply": "4 hours"},
                                                                         effective_from=""))
    assert missing.status_code == 422
    r = client.post("/t/pol-a/policies/cmp/publish", data=cmp_post(
        client, "pol-a", {"sla.reply": "4 hours"}, effective_from=today.isoformat(), note="答复时限缩短为4小时"))
    assert r.status_code == 302 and r.headers["Location"].endswith("/t/pol-a/policies/cmp")
    r, html = page(client, "/t/pol-a/policies/cmp")
    assert "已发布版本 1" in html
    history = html.split('id="history"')[1]
    assert 'data-version="1"' in history and "答复时限缩短为4小时" in history and "甲公司管理员" in history
    assert 'value="4 hours"' in field_html(html, "sla.reply")  # the form shows the version in force
    with tenant_scope(office.id):
        doc = db.session.scalars(select(PolicyDocument)).one()
        assert (doc.version, doc.body["sla"]["reply"], doc.effective_from) == (1, "4 hours", today)
    # the old version stays readable
    r, html = page(client, "/t/pol-a/policies/cmp?version=0")
    assert 'data-shown-version="0"' in html and 'value="24 hours"' in field_html(html, "sla.reply")
    r, html = page(client, "/t/pol-a/policies")
    assert re.search(r'data-module="cmp">.*?<td>1</td>', html, re.S)


def test_every_field_label_and_help_of_the_core_schemas_has_a_chinese_text(plugins):
    from web.portal.i18n import CORE_FOLDER, read_catalogs

    texts = read_catalogs([CORE_FOLDER], "zh_Hans")
    missing = set()

    def walk(section):
        for item in section.items:
            missing.update(t for t in (item.label_en, item.help) if t and f"policy\x04{t}" not in texts)
            if isinstance(item, policy_forms.Fieldset):
                walk(item)

    for module, spec in plugins.relay([]).records("kehu_policy_schemas").items():
        walk(policy_forms.build(spec.schema))
    assert missing == set(), "add them to web/translations/zh_Hans/policies.po"


def test_a_plugins_policy_has_its_page_and_an_unknown_version_is_404(client, make_tenant):
    make_tenant("pol-plug", "示例公司", plugins=["sample"])
    login(client, "pol-plug")
    r, html = page(client, "/t/pol-plug/policies")
    assert 'data-module="sample"' in html and "示例制度" in html
    r, html = page(client, "/t/pol-plug/policies/sample")
    assert r.status_code == 200 and 'value="7"' in field_html(html, "visit_every_days")
    assert client.get("/t/pol-plug/policies/sample?version=9").status_code == 404
    token = _csrf(html)
    r = client.post("/t/pol-plug/policies/sample/dry-run", data={
        "visit_every_days": "0", "note": "备注", "csrf_token": token})
    html = unescape(r.get_data(as_text=True))
    assert r.status_code == 422 and "has-error" in field_html(html, "visit_every_days")
    assert 'value="备注"' in field_html(html, "note")  # the plugin's own "note" setting, apart from the publishing note
    r = client.post("/t/pol-plug/policies/sample/dry-run", data={"visit_every_days": "3", "csrf_token": token})
    assert r.status_code == 200 and "data-no-evaluator" in r.get_data(as_text=True)
