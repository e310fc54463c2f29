"""Service contracts end to end (SVC-20 periods and serials, SVC-21 expiry reminders, SVC-22 renewals),
with the spec's vectors and real 2026 dates. The service company of :mod:`tests.web.api.service_desk`:
desk agent Ma (cs_agent), finance Fu, manager Zhao; salesperson Song owns the customer."""
import datetime as dt
import re

import pytest
from sqlalchemy import select

from core.customers import ownership_store
from core.db import db
from core.decisions.models import Decision
from core.service import contracts
from core.service.contract_models import ServiceContractReminder
from core.tenancy import tenant_scope
from tests.helpers import policy_since
from tests.web.api.service_desk import ServiceDesk

SERIAL = re.compile(r"^[A-HJ-NP-Z2-9]{4}(-[A-HJ-NP-Z2-9]{4}){3}$")
API = "/api/v1"


class Office(ServiceDesk):
    def __init__(self, client, make_tenant, slug):
        super().__init__(client, make_tenant, slug)
        self.users["song"] = make_tenant.user(self.handle, "song", roles=["salesperson"])
        self.customer_id = self.customer("北京恒通物流有限公司", owner="song")
        self.walk_in_id = self.customer("王建国")

    def customer(self, name, owner=None):
        r = self.client.post(f"{API}/customers", headers=self.headers(), json={
            "name": name, "phones": [{"number": f"1380013{len(name):04d}"}]})
        assert r.status_code == 201, r.get_json()
        customer_id = r.get_json()["id"]
        with tenant_scope(self.handle.id):
            ownership_store.set_owner(customer_id, owner_id=self.id(owner) if owner else None,
                                      state="protected" if owner else "unowned", rule_id="CUS-20",
                                      reason_zh="测试", reason_en="test")
            db.session.commit()
        return customer_id

    def contract(self, who="ma", expect=201, **body):
        payload = {"customer_id": self.customer_id, "subject": "GT车载管理软件", "signed_on": "2026-03-01",
                   "term": "1 years", **body}
        r = self.client.post(f"{API}/service-contracts", headers=self.headers(who), json=payload)
        assert r.status_code == expect, r.get_json()
        return r.get_json()

    def call(self, verb, path, who="ma", expect=200, **body):
        kwargs = {"headers": self.headers(who)}
        if verb == "get":
            kwargs["query_string"] = body
        else:
            kwargs["json"] = body
        r = getattr(self.client, verb)(f"{API}{path}", **kwargs)
        assert r.status_code == expect, r.get_json()
        return r.get_json()

    def show(self, contract):
        return self.call("get", f"/service-contracts/{contract['id']}")

    def contract_decisions(self, subject_type, subject_id, rule_id):
        with tenant_scope(self.handle.id):
            return list(db.session.scalars(select(Decision).where(
                Decision.subject_type == subject_type, Decision.subject_id == subject_id,
                Decision.rule_id == rule_id).order_by(Decision.id)))


@pytest.fixture
def office(client, make_tenant):
    return Office(client, make_tenant, "hengtong-svc")


def _period(contract, seq=1):
    return next(p for p in contract["periods"] if p["seq"] == seq)


# ------------------------------------------------------------------ SVC-20

def test_svc20_period_from_the_installation_date_and_its_serial(office):
    """SVC-20 (1): signed 2026-03-01, installed 2026-03-10, 1 year → 2026-03-10..2027-03-09; serial valid
    to 2027-03-09."""
    contract = office.contract(installed_on="2026-03-10", reference="HT-2026-031", amount="12000")
    period = _period(contract)
    assert (period["starts_on"], period["ends_on"], period["kind"]) == ("2026-03-10", "2027-03-09", "initial")
    assert SERIAL.match(period["serial"]) and period["serial_source"] == "generated"
    assert (contract["state"], contract["period_basis"], contract["ends_on"]) == (
        "active", "installation", "2027-03-09")
    assert contract["amount"] == "12000.00" and contract["kind"] == "service"
    last = office.call("get", f"/service-contracts/{contract['id']}/serial", on="2027-03-09")
    assert (last["serial"], last["valid"], last["valid_to"]) == (period["serial"], True, "2027-03-09")
    after = office.call("get", f"/service-contracts/{contract['id']}/serial", on="2027-03-10", serial=period["serial"])
    assert after["valid"] is False and after["valid_to"] == "2027-03-09"
    decision = office.contract_decisions("service_contract", contract["id"], "SVC-20")[0]
    assert decision.outcome["period"] == {"seq": 1, "starts_on": "2026-03-10", "ends_on": "2027-03-09"}
    assert "自安装之日" in decision.reason_zh and "2027-03-09" in decision.reason_zh


def test_svc20_without_installation_date_then_installed_re_dates_the_period(office):
    """SVC-20 (2): no installation date → 2026-03-01..2027-02-28, no serial yet; the installation on
    2026-03-10 becomes known → re-dated 2026-03-10..2027-03-09 with its serial (decision SVC-20)."""
    contract = office.contract()
    period = _period(contract)
    assert (period["starts_on"], period["ends_on"], period["serial"]) == ("2026-03-01", "2027-02-28", None)
    assert contract["period_basis"] == "signing"
    pending = office.call("get", f"/service-contracts/{contract['id']}/serial", on="2026-06-01")
    assert pending["valid"] is False and "after installation" in pending["reason_en"]
    installed = office.call("post", f"/service-contracts/{contract['id']}/installed", installed_on="2026-03-10")
    period = _period(installed)
    assert (period["starts_on"], period["ends_on"]) == ("2026-03-10", "2027-03-09")
    assert SERIAL.match(period["serial"]) and period["serial_issued_on"] == "2026-03-10"
    assert (installed["installed_on"], installed["ends_on"], installed["period_basis"]) == (
        "2026-03-10", "2027-03-09", "installation")
    redated = office.contract_decisions("service_contract", contract["id"], "SVC-20")
    assert len(redated) == 2 and redated[1].outcome["redated"] is True
    assert redated[1].facts["before"] == {"starts_on": "2026-03-01", "ends_on": "2027-02-28"}
    again = office.call("post", f"/service-contracts/{contract['id']}/installed", installed_on="2026-03-10",
                        serial=period["serial"].lower())
    assert _period(again)["serial"] == period["serial"]
    assert len(office.contract_decisions("service_contract", contract["id"], "SVC-20")) == 2


def test_svc20_tenant_counting_from_the_signing(office):
    policy_since(office.handle.id, "svc", {"period": {"start": "signing"}}, "2026-01-01")
    contract = office.contract(installed_on="2026-03-10", serial="ht-gt-0001")
    period = _period(contract)
    assert (period["starts_on"], period["ends_on"], period["serial"], period["serial_source"]) == (
        "2026-03-01", "2027-02-28", "HT-GT-0001", "given")
    other = office.contract(subject="GT车载终端", installed_on="2026-03-10", serial="HT-GT-0001", expect=422)
    assert other["errors"]["json"] == {"serial": ["this serial is already used in your company"]}
    found = office.call("get", "/service-contracts", serial="ht-gt-0001")
    assert [c["id"] for c in found] == [contract["id"]]


def test_svc20_installed_after_a_renewal_keeps_the_periods(office):
    contract = office.contract(signed_on="2025-03-01")
    assert _period(contract)["ends_on"] == "2026-02-28"
    renewal = office.call("post", f"/service-contracts/{contract['id']}/renewals", expect=201,
                          signed_on="2026-02-10", method="paper", amount="8000")
    office.call("post", f"/service-renewals/{renewal['id']}/payment", who="fu", paid_on="2026-02-12",
                amount="8000", receipt_no="SK-0001")
    installed = office.call("post", f"/service-contracts/{contract['id']}/installed", installed_on="2026-03-10")
    assert [(p["starts_on"], p["ends_on"]) for p in installed["periods"]] == [
        ("2025-03-01", "2026-02-28"), ("2026-03-01", "2027-02-28")]
    assert _period(installed, 1)["serial"] is None and SERIAL.match(_period(installed, 2)["serial"])
    decision = office.contract_decisions("service_contract", contract["id"], "SVC-20")[-1]
    assert decision.outcome["redated"] is False and decision.facts["renewed"] is True


def test_svc20_installation_work_order_completed(office):
    """The lead wires the installation step to ``on_installation_completed``: a linked contract gets the
    local day of the completion as its installation date (the period re-dated, the serial issued)."""
    order = office.order(type="installation", customer_id=office.customer_id, data={
        "request_doc": "安装申请单 2026-031", "asset_list": [{"plate": "京A12345", "driver": "张师傅"}]})
    repair = office.order(customer_id=office.customer_id)
    bad = office.contract(installation_order_id=repair["id"], expect=422)
    assert bad["errors"]["json"] == {"installation_order_id": ["a work order of type installation, not repair"]}
    contract = office.contract(installation_order_id=order["id"])
    with tenant_scope(office.handle.id):
        from core.service import orders

        wo = orders.get_order(order["id"])
        wo.completed_at = dt.datetime(2026, 3, 10, 1, 30, tzinfo=dt.timezone.utc)  # 09:30 in Beijing
        done = contracts.on_installation_completed(wo)
        db.session.commit()
        assert [c.id for c in done] == [contract["id"]]
        assert contracts.on_installation_completed(wo) == []  # already installed
    period = _period(office.show(contract))
    assert (period["starts_on"], period["ends_on"]) == ("2026-03-10", "2027-03-09") and period["serial"]


def test_svc20_bad_input_names_each_field(office, make_tenant):
    other = ServiceDesk(office.client, make_tenant, "other-svc")
    foreign = other.client.post(f"{API}/customers", headers=other.headers(), json={
        "name": "外公司客户", "phones": [{"number": "13900139000"}]}).get_json()["id"]
    r = office.contract(expect=422, customer_id=foreign, term="3 working_days", signed_on="2099-01-01",
                        serial="X-1")
    assert r["errors"]["json"] == {"customer_id": ["not a customer of this company"],
                                   "term": ["a term is counted in days, weeks, months, years"],
                                   "signed_on": ["cannot be in the future"],
                                   "serial": ["the serial is issued after installation: give installed_on (SVC-20)"]}
    assert office.contract(expect=422, kind="credit")["errors"]["json"]["kind"]
    office.contract(who="wu", expect=403)
    assert office.call("get", f"/service-contracts/{10**12}", expect=404)


# ------------------------------------------------------------------ SVC-21

def test_svc21_reminder_one_month_before_the_end_once(office):
    """SVC-21 (1): period ends 2026-11-14 → reminder task on 2026-10-14; re-running the job that day
    creates no second task. The customer's owner gets it with the notice."""
    contract = office.contract(signed_on="2025-11-15", installed_on="2025-11-15")
    assert contract["ends_on"] == "2026-11-14"
    assert office.job("svc.contract_expiry", "2026-10-13T06:01:00+08:00")["reminders"] == 0
    first, second = office.twice("svc.contract_expiry", "2026-10-14T06:01:00+08:00")
    assert (first["reminders"], second["reminders"]) == (1, 0)
    shown = office.show(contract)
    assert len(shown["reminders"]) == 1
    reminder = shown["reminders"][0]
    assert (reminder["due_on"], reminder["ends_on"], reminder["assignee_id"], reminder["state"]) == (
        "2026-10-14", "2026-11-14", office.id("song"), "open")
    assert reminder["notice"].startswith("尊敬的北京恒通物流有限公司：您的GT车载管理软件服务期将于2026年11月14日届满。")
    notes = office.notified("svc.contract_expiry")
    assert [n.user_id for n in notes] == [office.id("song")] and notes[0].body_zh == reminder["notice"]
    decision = office.contract_decisions("service_contract", contract["id"], "SVC-21")
    assert len(decision) == 1 and decision[0].outcome["due_on"] == "2026-10-14"
    assert office.job("svc.contract_expiry", "2026-10-20T06:01:00+08:00")["reminders"] == 0


def test_svc21_response_recorded_in_the_return_visit_list(office):
    contract = office.contract(signed_on="2025-11-15", installed_on="2025-11-15")
    office.job("svc.contract_expiry", "2026-10-14T06:01:00+08:00")
    listed = office.call("get", "/service-contract-reminders", state="open", due_before="2026-10-31")
    assert [r["contract_id"] for r in listed] == [contract["id"]]
    reminder_id = listed[0]["id"]
    path = f"/service-contract-reminders/{reminder_id}/response"
    office.call("post", path, who="wu", expect=403, outcome="renew")
    assert office.call("post", path, expect=422, outcome="maybe")["errors"]["json"]["outcome"]
    first = office.call("post", path, outcome="undecided", note="客户需请示领导",
                        responded_at="2026-10-14T10:00:00+08:00")
    assert (first["state"], first["outcome"]) == ("responded", "undecided")
    final = office.call("post", path, outcome="renew", note="同意续约，传真回签",
                        responded_at="2026-10-16T15:00:00+08:00")
    assert final["outcome"] == "renew" and [r["outcome"] for r in final["responses"]] == ["undecided", "renew"]
    office.call("post", path, expect=409, outcome="decline")
    assert [r["id"] for r in office.call("get", "/service-contract-reminders", outcome="renew")] == [reminder_id]


def test_svc21_warranty_without_owner_goes_to_the_desk_with_the_tenant_template(office):
    """The same mechanism serves warranties; a customer without owner → a customer-service agent."""
    policy_since(office.handle.id, "svc", {"expiry": {"remind_before": "15 days",
                                                      "template": "{customer}您好，{product}{kind}至{ends_on}。"}},
                 "2026-01-01")
    contract = office.contract(customer_id=office.walk_in_id, kind="warranty", subject="GT-06终端",
                               signed_on="2026-01-05", installed_on="2026-01-05", term="11 months")
    assert contract["ends_on"] == "2026-12-04"
    assert office.job("svc.contract_expiry", "2026-11-18T06:01:00+08:00")["reminders"] == 0
    assert office.job("svc.contract_expiry", "2026-11-19T06:01:00+08:00")["reminders"] == 1
    reminder = office.show(contract)["reminders"][0]
    assert reminder["notice"] == "王建国您好，GT-06终端保修期至2026年12月4日。"
    assert (reminder["kind"], reminder["assignee_id"], reminder["due_on"]) == (
        "warranty", office.id("ma"), "2026-11-19")


def test_svc21_template_with_an_unknown_placeholder_is_refused_on_save(office):
    r = office.client.post(f"{API}/policies/svc/versions", headers=office.headers(), json={
        "body": {"expiry": {"template": "尊敬的{客户名称}：服务将于{ends_on}到期"}}, "note": "模板"})
    assert r.status_code == 422, r.get_json()
    assert "unknown placeholder {客户名称}" in str(r.get_json())


def test_expired_then_ended_when_the_customer_declined(office):
    declined = office.contract(signed_on="2026-02-01", installed_on="2026-02-01")
    lapsed = office.contract(customer_id=office.walk_in_id, signed_on="2026-02-01", installed_on="2026-02-01")
    assert declined["ends_on"] == "2027-01-31" and declined["state"] == "active"
    office.job("svc.contract_expiry", "2026-12-31T06:01:00+08:00")
    reminder = office.show(declined)["reminders"][0]
    office.call("post", f"/service-contract-reminders/{reminder['id']}/response", outcome="decline",
                note="改用其他厂商")
    assert office.job("svc.contract_expiry", "2027-01-31T06:01:00+08:00")["expired"] == 0
    assert office.job("svc.contract_expiry", "2027-02-01T06:01:00+08:00")["expired"] == 2
    assert office.show(declined)["state"] == "ended" and office.show(lapsed)["state"] == "expired"
    assert office.job("svc.contract_expiry", "2027-02-01T06:01:00+08:00")["expired"] == 0
    states = office.call("get", "/service-contracts", state="expired")
    assert [c["id"] for c in states] == [lapsed["id"]]


# ------------------------------------------------------------------ SVC-22

def _renewable(office):
    contract = office.contract(signed_on="2025-11-15", installed_on="2025-11-15")
    assert contract["ends_on"] == "2026-11-14"
    return contract


def test_svc22_renewal_paid_in_time_extends_the_period_with_a_new_serial(office):
    """SVC-22 (1): period ends 2026-11-14; renewal signed 2026-10-20 → payment due through 10-23; paid
    10-22 → new period 2026-11-15..2027-11-14, new serial."""
    contract = _renewable(office)
    old_serial = _period(contract)["serial"]
    path = f"/service-contracts/{contract['id']}/renewals"
    renewal = office.call("post", path, expect=201, signed_on="2026-10-20", method="fax", amount="12000")
    assert (renewal["pay_due_on"], renewal["state"], renewal["term"]) == ("2026-10-23", "awaiting_payment", "1 years")
    assert renewal["pay_due_at"] == "2026-10-23T16:00:00+00:00"  # 24:00 of 10-23 in Beijing
    assert office.show(contract)["state"] == "renewal_pending"
    again = office.call("post", path, expect=409, signed_on="2026-10-21", method="e_sign", amount="12000")
    assert "renewal" in again["errors"]["json"]
    assert [n.user_id for n in office.notified("svc.renewal_signed")] == [office.id("fu")]
    pay = f"/service-renewals/{renewal['id']}/payment"
    office.call("post", pay, who="ma", expect=403, paid_on="2026-10-22", amount="12000", receipt_no="SK-1022")
    wrong = office.call("post", pay, who="fu", expect=422, paid_on="2026-10-19", amount="1200", receipt_no=" ")
    assert set(wrong["errors"]["json"]) == {"paid_on", "amount", "receipt_no"}
    paid = office.call("post", pay, who="fu", paid_on="2026-10-22", amount="12000", receipt_no="SK-1022")
    assert (paid["state"], paid["paid_late"], paid["receipt_no"]) == ("paid", False, "SK-1022")
    new = paid["new_period"]
    assert (new["seq"], new["kind"], new["starts_on"], new["ends_on"]) == (2, "renewal", "2026-11-15", "2027-11-14")
    assert SERIAL.match(new["serial"]) and new["serial"] != old_serial
    shown = office.show(contract)
    assert (shown["state"], shown["ends_on"]) == ("active", "2027-11-14")
    office.call("post", pay, who="fu", expect=409, paid_on="2026-10-22", amount="12000", receipt_no="SK-1022")
    on_new = office.call("get", f"/service-contracts/{contract['id']}/serial", on="2026-11-15")
    assert (on_new["serial"], on_new["valid"], on_new["valid_to"]) == (new["serial"], True, "2027-11-14")
    assert office.call("get", f"/service-contracts/{contract['id']}/serial", on="2026-11-15",
                       serial=old_serial)["valid"] is False
    decision = office.contract_decisions("service_renewal", renewal["id"], "SVC-22")
    assert [d.outcome.get("pay_due_on") for d in decision] == ["2026-10-23", None]
    assert decision[1].outcome["period"] == {"seq": 2, "starts_on": "2026-11-15", "ends_on": "2027-11-14"}
    # paid in time: no alert
    assert office.job("svc.renewal_payment", "2026-10-24T06:11:00+08:00")["unpaid_alerts"] == 0


def test_svc22_unpaid_renewal_alerted_once_on_10_24(office):
    """SVC-22 (2): unpaid → alert 10-24 (the owner and finance), once; a late payment still extends from
    the old end."""
    contract = _renewable(office)
    renewal = office.call("post", f"/service-contracts/{contract['id']}/renewals", expect=201,
                          signed_on="2026-10-20", method="e_sign", amount="12000")
    assert office.job("svc.renewal_payment", "2026-10-23T06:11:00+08:00")["unpaid_alerts"] == 0
    first, second = office.twice("svc.renewal_payment", "2026-10-24T06:11:00+08:00")
    assert (first["unpaid_alerts"], second["unpaid_alerts"]) == (1, 0)
    alerts = office.contract_decisions("service_renewal", renewal["id"], "SVC-22")
    assert len(alerts) == 2 and alerts[1].outcome["unpaid"] is True
    assert "2026-10-23" in alerts[1].reason_zh
    assert sorted(n.user_id for n in office.notified("svc.renewal_unpaid")) == sorted(
        [office.id("song"), office.id("fu")])
    shown = office.call("get", f"/service-renewals/{renewal['id']}")
    assert shown["alerted_at"] is not None and shown["alert_decision_id"] == alerts[1].id
    late = office.call("post", f"/service-renewals/{renewal['id']}/payment", who="fu", paid_on="2026-10-27",
                       amount="12000", receipt_no="SK-1027")
    assert late["paid_late"] is True
    assert (late["new_period"]["starts_on"], late["new_period"]["ends_on"]) == ("2026-11-15", "2027-11-14")


def test_svc22_cancelled_renewal_and_no_reminder_while_one_awaits_payment(office):
    contract = _renewable(office)
    renewal = office.call("post", f"/service-contracts/{contract['id']}/renewals", expect=201,
                          signed_on="2026-10-10", method="paper", amount="12000", term="2 years")
    assert office.job("svc.contract_expiry", "2026-10-14T06:01:00+08:00")["reminders"] == 0
    cancelled = office.call("post", f"/service-renewals/{renewal['id']}/cancel", reason="客户撤回")
    assert cancelled["state"] == "cancelled"
    assert office.show(contract)["state"] == "expired"  # its last day 2026-11-14 is past (today is later)
    assert office.job("svc.renewal_payment", "2026-10-20T06:11:00+08:00")["unpaid_alerts"] == 0
    assert office.job("svc.contract_expiry", "2026-10-15T06:01:00+08:00")["reminders"] == 1
    with tenant_scope(office.handle.id):
        assert db.session.scalar(select(ServiceContractReminder.due_on)) == dt.date(2026, 10, 14)


def test_list_filters(office):
    early = office.contract(signed_on="2025-11-15", installed_on="2025-11-15")
    late = office.contract(customer_id=office.walk_in_id, installed_on="2026-03-10")
    ids = [c["id"] for c in office.call("get", "/service-contracts")]
    assert ids == [early["id"], late["id"]]
    assert [c["id"] for c in office.call("get", "/service-contracts", expiring_before="2026-12-31")] == [early["id"]]
    assert [c["id"] for c in office.call("get", "/service-contracts", customer_id=office.walk_in_id)] == [late["id"]]
    assert [c["id"] for c in office.call("get", "/service-contracts", state="active")] == [late["id"]]


@pytest.mark.postgres_only
def test_svc22_two_payments_at_once_add_one_period(app, office, make_tenant):
    """The contract row is locked by the payment step: of two clerks recording the same payment at the
    same moment, one adds the period (200), the other finds the renewal paid (409)."""
    import threading

    office.users["fu2"] = make_tenant.user(office.handle, "fu2", roles=["finance"])
    contract = _renewable(office)
    renewal = office.call("post", f"/service-contracts/{contract['id']}/renewals", expect=201,
                          signed_on="2026-10-20", method="fax", amount="12000")
    start, codes = threading.Barrier(2), []

    def pay(who):
        with app.app_context():
            start.wait(10)
            r = app.test_client().post(f"{API}/service-renewals/{renewal['id']}/payment", headers=office.headers(who),
                                       json={"paid_on": "2026-10-22", "amount": "12000", "receipt_no": f"SK-{who}"})
            codes.append(r.status_code)

    threads = [threading.Thread(target=pay, args=(who,)) for who in ("fu", "fu2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(codes) == [200, 409]
    assert [p["seq"] for p in office.show(contract)["periods"]] == [1, 2]
