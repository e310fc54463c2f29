"""The staff pages of the portal (STF): an employee's own ledger only, penalty proposal and approval
with field errors, slips signed and appealed through the pages (what was typed kept on an error), the
manager's answer, credit and scorecard pages showing the services' numbers, another tenant's ids 404."""
import datetime as dt
import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from core.db import db, utcnow
from core.staff import appeals, credit, ledger, penalties, scorecards, slips
from core.staff.models import StaffEntry
from core.tenancy import tenant_scope
from tests.helpers import policy_since
from tests.web.portal.test_login import _csrf, login
from web.portal.staff_common import form_input, local_input, month_of, ranked, shift_month

STF = {"catalog": {"late_arrival": {"amount": 50, "label_zh": "迟到", "label_en": "late"},
                   "rude_to_customer": {"min": 50, "max": 200, "label_zh": "顶撞客户"}},
       "scorecards": {"schemes": {"salesperson": {"title_zh": "销售考核", "dimensions": [
           {"code": "results", "label_zh": "业绩", "weight": 70}, {"code": "service", "label_zh": "服务", "weight": 30}]}}}}


@pytest.fixture
def office(client, make_tenant):
    t = make_tenant("stf-portal", "考核公司")
    ids = {name: make_tenant.user(t, name, roles=roles)[0] for name, roles in (
        ("wang", ["salesperson"]), ("li", ["salesperson"]), ("boss", ["dept_manager", "sales_manager"]))}
    policy_since(t.id, "stf", STF, "2026-01-01")
    return SimpleNamespace(handle=t, ids=ids, slug="stf-portal")


def _as(client, office, who):
    client.post(f"/t/{office.slug}/logout", data={"csrf_token": _csrf(client.get(f"/t/{office.slug}/login")
                                                                        .get_data(as_text=True))})
    assert login(client, office.slug, who).status_code == 302


def _token(client, office):
    return _csrf(client.get(f"/t/{office.slug}/staff").get_data(as_text=True))


def _penalty(office, who, offence, *, approve=True, slip=False, hours_ago=2):
    with tenant_scope(office.handle.id):
        boss = db.session.scalars(select(penalties.User).where(penalties.User.id == office.ids["boss"])).one()
        at = utcnow() - dt.timedelta(hours=hours_ago)
        entry = penalties.penalise(offence=offence, occurred_at=at, user_id=office.ids[who], created_by=boss.id)[0]
        if approve:
            penalties.approve(entry, by=boss)
        slip_id = None
        if slip:
            slip_id = slips.issue(entry.id, facts="当面顶撞客户", opinion="罚款50元", by=boss.id,
                                  issued_at=at + dt.timedelta(minutes=30)).id
        db.session.commit()
        return entry.id, slip_id


# ------------------------------------------------------------------------------------ pure helpers

def test_pure_helpers():
    assert month_of("2026-09") == dt.date(2026, 9, 1) and month_of("9/2026") is None and month_of(None) is None
    assert shift_month(dt.date(2026, 1, 1), -1) == dt.date(2025, 12, 1)
    assert shift_month(dt.date(2026, 12, 1), 1) == dt.date(2027, 1, 1)
    assert local_input("2026-12-07T10:30", "Asia/Shanghai") == "2026-12-07T10:30:00+08:00"
    assert local_input("2026-12-07T10:30:00+00:00", "Asia/Shanghai") == "2026-12-07T10:30:00+00:00"
    assert form_input({"a": " x ", "b": "", "ev": "one\n\n two ", "f": "1"}, ("a", "b", "ev", "f", "g"),
                      lists=("ev",), flags=("f", "g")) == {"a": "x", "ev": ["one", "two"], "f": True, "g": False}
    cards = [SimpleNamespace(total=90), SimpleNamespace(total=80), SimpleNamespace(total=80), SimpleNamespace(total=70)]
    assert [rank for rank, _card in ranked(cards)] == [1, 2, 2, 4]


# ------------------------------------------------------------------------------------ the ledger

def test_an_employee_sees_only_their_own_ledger(client, office):
    own, _ = _penalty(office, "wang", "late_arrival")
    other, _ = _penalty(office, "li", "rude_to_customer")
    _as(client, office, "wang")
    page = client.get(f"/t/{office.slug}/staff?user_id={office.ids['li']}").get_data(as_text=True)
    assert f'data-entry="{own}"' in page and f'data-entry="{other}"' not in page
    assert "顶撞客户" not in page and "团队台账" not in page
    assert client.get(f"/t/{office.slug}/staff/entries/{other}").status_code == 403
    assert client.get(f"/t/{office.slug}/staff/entries/{own}").status_code == 200
    assert client.get(f"/t/{office.slug}/staff/credit?user_id={office.ids['li']}").status_code == 403
    assert client.get(f"/t/{office.slug}/staff/penalties/new").status_code == 403


def test_a_manager_filters_the_team_ledger(client, office):
    own, _ = _penalty(office, "wang", "late_arrival")
    other, _ = _penalty(office, "li", "rude_to_customer", approve=False)
    _as(client, office, "boss")
    page = client.get(f"/t/{office.slug}/staff").get_data(as_text=True)
    assert f'data-entry="{own}"' in page and f'data-entry="{other}"' in page
    page = client.get(f"/t/{office.slug}/staff?state=proposed").get_data(as_text=True)
    assert f'data-entry="{own}"' not in page and f'data-entry="{other}"' in page
    page = client.get(f"/t/{office.slug}/staff?user_id={office.ids['wang']}").get_data(as_text=True)
    assert f'data-entry="{own}"' in page and f'data-entry="{other}"' not in page
    bad = client.get(f"/t/{office.slug}/staff?month=September&state=nonsense")
    assert bad.status_code == 200 and 'class="field-error"' in bad.get_data(as_text=True)


def test_a_manager_proposes_and_approves_a_penalty_keeping_what_was_typed(client, office):
    _as(client, office, "boss")
    url = f"/t/{office.slug}/staff/penalties/new"
    token = _csrf(client.get(url).get_data(as_text=True))
    r = client.post(url, data={"csrf_token": token, "user_id": office.ids["wang"], "offence": "",
                               "reason_zh": "打字的理由"})
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and "此项必填" in body and "打字的理由" in body
    r = client.post(url, data={"csrf_token": token, "user_id": office.ids["wang"], "offence": "rude_to_customer"})
    assert r.status_code == 302, r.get_data(as_text=True)
    entry_id = int(r.headers["Location"].rsplit("/", 1)[1])
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "顶撞客户" in page or "rude_to_customer" in page
    assert 'class="why"' in page and 'id="approve"' in page
    out_of_range = client.post(f"/t/{office.slug}/staff/entries/{entry_id}/approve",
                               data={"csrf_token": token, "amount": "500", "reason": "情节严重"})
    assert out_of_range.status_code == 422 and "情节严重" in out_of_range.get_data(as_text=True)
    ok = client.post(f"/t/{office.slug}/staff/entries/{entry_id}/approve",
                     data={"csrf_token": token, "amount": "80", "reason": "情节较重"})
    assert ok.status_code == 302
    with tenant_scope(office.handle.id):
        entry = ledger.get_entry(entry_id)
        assert (entry.state, str(entry.amount)) == ("approved", "80.00")
        db.session.rollback()
    missing = client.post(f"/t/{office.slug}/staff/entries/{entry_id}/slip",
                          data={"csrf_token": token, "facts": "", "opinion": "罚款80元"})
    assert missing.status_code == 422 and "罚款80元" in missing.get_data(as_text=True)
    issued = client.post(f"/t/{office.slug}/staff/entries/{entry_id}/slip",
                         data={"csrf_token": token, "facts": "当面顶撞客户", "opinion": "罚款80元"})
    assert issued.status_code == 302 and "/staff/slips/" in issued.headers["Location"]


# ------------------------------------------------------------------------------------ slips

def test_the_employee_signs_and_appeals_through_the_slip_page(client, office):
    entry_id, slip_id = _penalty(office, "wang", "late_arrival", slip=True)
    _as(client, office, "wang")
    url = f"/t/{office.slug}/staff/slips/{slip_id}"
    page = client.get(url).get_data(as_text=True)
    assert 'id="sign"' in page and 'class="clock' in page and "STF-20" in page and 'class="why"' in page
    home = client.get(f"/t/{office.slug}/staff").get_data(as_text=True)
    assert f"/staff/slips/{slip_id}" in home  # a slip to sign on the home page
    token = _csrf(page)
    empty = client.post(f"{url}/appeal", data={"csrf_token": token, "text": "  "})
    assert empty.status_code == 422 and "此项必填" in empty.get_data(as_text=True)
    assert client.post(f"{url}/sign", data={"csrf_token": token}).status_code == 302
    again = client.post(f"{url}/sign", data={"csrf_token": token})
    assert again.status_code == 409 and "处罚单" in again.get_data(as_text=True) or again.status_code == 409
    appealed = client.post(f"{url}/appeal", data={"csrf_token": token, "text": "当天堵车，有导航记录"})
    assert appealed.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "当天堵车，有导航记录" in page and 'class="clock' in page
    assert 'id="reply"' not in page  # the employee does not answer their own appeal
    with tenant_scope(office.handle.id):
        assert slips.get_slip(slip_id).state == "effective"
        assert ledger.get_entry(entry_id).state == "appealed"
        db.session.rollback()
    assert client.post(f"{url}/appeal/reply", data={"csrf_token": token, "outcome": "revoked",
                                                    "text": "x"}).status_code == 403


def test_the_manager_answers_an_appeal(client, office):
    entry_id, slip_id = _penalty(office, "wang", "late_arrival", slip=True)
    with tenant_scope(office.handle.id):
        appeals.file(slip_id, by=office.ids["wang"], text="不同意")
        db.session.commit()
    _as(client, office, "boss")
    url = f"/t/{office.slug}/staff/slips/{slip_id}"
    page = client.get(url).get_data(as_text=True)
    assert 'id="reply"' in page
    home = client.get(f"/t/{office.slug}/staff").get_data(as_text=True)
    assert 'id="appeals-to-answer"' in home and f"/staff/slips/{slip_id}" in home
    token = _csrf(page)
    bad = client.post(f"{url}/appeal/reply", data={"csrf_token": token, "outcome": "modified", "new_amount": "",
                                                   "text": "酌情减半"})
    assert bad.status_code == 422 and "酌情减半" in bad.get_data(as_text=True)
    ok = client.post(f"{url}/appeal/reply", data={"csrf_token": token, "outcome": "modified", "new_amount": "20",
                                                  "text": "酌情减轻"})
    assert ok.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "酌情减轻" in page and "已答复" in page
    with tenant_scope(office.handle.id):
        assert ledger.get_entry(entry_id).state == "modified"
        reversal = db.session.scalars(select(StaffEntry).where(StaffEntry.reverses_id == entry_id)).one()
        assert str(reversal.amount) == "-30.00"
        db.session.rollback()


def test_an_employee_opens_the_why_of_their_own_slip_only(client, office):
    _own_entry, own_slip = _penalty(office, "wang", "late_arrival", slip=True)
    _other_entry, other_slip = _penalty(office, "li", "late_arrival", slip=True)
    _as(client, office, "wang")
    page = client.get(f"/t/{office.slug}/staff/slips/{own_slip}").get_data(as_text=True)
    decision_id = re.search(r'/decisions/(\d+)"', page).group(1)
    assert client.get(f"/t/{office.slug}/decisions/{decision_id}").status_code == 200
    assert client.get(f"/t/{office.slug}/staff/slips/{other_slip}").status_code == 403
    assert client.get(f"/t/{office.slug}/decisions?subject_type=staff_slip&subject_id={other_slip}").status_code == 403


# ------------------------------------------------------------------------------------ credit, scorecards

def test_credit_and_statement_pages_show_the_services_numbers(client, office):
    now = utcnow()
    with tenant_scope(office.handle.id):
        credit.record_deal(subject_type="demo_deal", subject_id=1, amount="12345.60", owner_id=office.ids["wang"],
                           deal_at=now - dt.timedelta(minutes=5), reference="合同HX-001", by=office.ids["boss"])
        db.session.commit()
        from core.policy.service import tenant_today

        month = tenant_today().replace(day=1)
        figures = credit.month_figures(office.ids["wang"], month)
        db.session.rollback()
    _as(client, office, "wang")
    page = client.get(f"/t/{office.slug}/staff/credit").get_data(as_text=True)
    assert f"¥{figures['performance']:,.2f}" in page and "合同HX-001" in page and 'class="why"' in page
    assert f"¥{figures['performance']:,.2f}" in client.get(f"/t/{office.slug}/staff").get_data(as_text=True)


def test_statement_confirmation(client, office):
    from core.staff import statements
    from core.staff.statements_models import Statement

    with tenant_scope(office.handle.id):
        month = shift_month(utcnow().date().replace(day=1), -1)
        row = Statement(user_id=office.ids["wang"], month=month, performance=100, commission=10, lines=[],
                        state="issued", issued_at=utcnow(), penalty_yuan=50, penalty_points=0, reward_yuan=0,
                        reward_points=0)
        db.session.add(row)
        db.session.commit()
        statement_id = row.id
    _as(client, office, "li")
    assert client.post(f"/t/{office.slug}/staff/statements/{statement_id}/confirm",
                       data={"csrf_token": _token(client, office)}).status_code == 403
    _as(client, office, "wang")
    label = f"{month:%Y-%m}"
    page = client.get(f"/t/{office.slug}/staff/credit?month={label}").get_data(as_text=True)
    assert "¥100.00" in page and "¥50.00" in page and "/confirm" in page
    r = client.post(f"/t/{office.slug}/staff/statements/{statement_id}/confirm", data={"csrf_token": _csrf(page)})
    assert r.status_code == 302
    with tenant_scope(office.handle.id):
        assert statements.get_statement(statement_id).state == "confirmed"
        db.session.rollback()


def test_scorecards_ranking_appeal_and_answer(client, office):
    month = shift_month(utcnow().date().replace(day=1), -1)
    with tenant_scope(office.handle.id):
        wang = scorecards.score(user_id=office.ids["wang"], month=month, scores={"results": 60, "service": 20},
                                by=office.ids["boss"]).id
        scorecards.score(user_id=office.ids["li"], month=month, scores={"results": 65, "service": 25},
                         by=office.ids["boss"])
        db.session.commit()
    _as(client, office, "boss")
    page = client.get(f"/t/{office.slug}/staff/scorecards?month={month:%Y-%m}").get_data(as_text=True)
    ranking = re.findall(r'<tr data-scorecard="(\d+)"><td class="num">(\d+)</td>', page)
    assert ranking[1] == (str(wang), "2") and ranking[0][1] == "1" and "80.00" in page and "90.00" in page
    _as(client, office, "wang")
    url = f"/t/{office.slug}/staff/scorecards/{wang}"
    page = client.get(url).get_data(as_text=True)
    assert "80.00" in page and 'id="score-appeal"' in page and 'class="why"' in page
    token = _csrf(page)
    assert client.post(f"{url}/appeal", data={"csrf_token": token, "reason": ""}).status_code == 422
    assert client.post(f"{url}/appeal", data={"csrf_token": token, "reason": "服务分偏低"}).status_code == 302
    _as(client, office, "boss")
    page = client.get(url).get_data(as_text=True)
    assert 'id="score-answer"' in page
    too_high = client.post(f"{url}/answer", data={"csrf_token": _csrf(page), "answer": "复核后调整", "revise": "1",
                                                  "scores.results": "90", "scores.service": "25"})
    assert too_high.status_code == 422 and "复核后调整" in too_high.get_data(as_text=True)
    ok = client.post(f"{url}/answer", data={"csrf_token": _csrf(page), "answer": "复核后调整", "revise": "1",
                                            "scores.results": "60", "scores.service": "25"})
    assert ok.status_code == 302
    assert "85.00" in client.get(url).get_data(as_text=True)


# ------------------------------------------------------------------------------------ tenants

def test_another_tenants_staff_ids_are_404(client, office, make_tenant):
    _entry_id, slip_id = _penalty(office, "wang", "late_arrival", slip=True)
    other = make_tenant("stf-other", "别家公司")
    make_tenant.user(other, "boss", roles=["dept_manager"])
    assert login(client, "stf-other", "boss").status_code == 302
    token = _csrf(client.get("/t/stf-other/staff").get_data(as_text=True))
    assert client.get(f"/t/stf-other/staff/slips/{slip_id}").status_code == 404
    assert client.get(f"/t/stf-other/staff/entries/{_entry_id}").status_code == 404
    assert client.post(f"/t/stf-other/staff/slips/{slip_id}/sign", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/t/stf-other/staff/slips/{slip_id}/appeal/reply",
                       data={"csrf_token": token, "outcome": "revoked", "text": "x"}).status_code == 404


# ------------------------------------------------------------------------------------ demo data

def test_the_demo_staff_data_is_made_once_and_every_page_shows_it(client, make_tenant):
    from core.accounts.demo import DEMO_PASSWORD, create_demo_users
    from core.audit.recorder import acting_as
    from core.staff import demo
    from core.staff.appeals_models import SlipAppeal
    from core.staff.credit_models import PerformanceCredit
    from core.staff.scorecards_models import Scorecard
    from core.staff.slips_models import PenaltySlip

    t = make_tenant("stf-demo", "演示公司")
    for _ in range(2):
        with tenant_scope(t.id), acting_as("demo"):
            create_demo_users()
            demo.provision()
            db.session.commit()
    with tenant_scope(t.id):
        count = lambda model: len(list(db.session.scalars(select(model.id))))  # noqa: E731
        assert count(PenaltySlip) == 3 and count(SlipAppeal) == 1 and count(Scorecard) == 4
        assert count(PerformanceCredit) == 5  # four deals and one reversal
        assert db.session.scalars(select(SlipAppeal.state)).one() == "open"
        db.session.rollback()
    for who, expect in (("sales1", "待确认的确认单"), ("cs", "待答复"), ("manager", 'id="appeals-to-answer"')):
        assert login(client, "stf-demo", who, DEMO_PASSWORD).status_code == 302
        home = client.get("/t/stf-demo/staff")
        assert home.status_code == 200 and expect in home.get_data(as_text=True), who
        for page in ("/t/stf-demo/staff/credit", "/t/stf-demo/staff/scorecards"):
            assert client.get(page).status_code == 200, (who, page)
        slip_ids = re.findall(r"/staff/slips/(\d+)", home.get_data(as_text=True))
        for slip_id in slip_ids:
            assert client.get(f"/t/stf-demo/staff/slips/{slip_id}").status_code == 200
        client.post("/t/stf-demo/logout", data={"csrf_token": _csrf(home.get_data(as_text=True))})


def test_a_manager_records_a_reward_by_hand_and_reverses_a_fine(client, office):
    fine, _ = _penalty(office, "wang", "late_arrival")
    _as(client, office, "boss")
    url = f"/t/{office.slug}/staff/entries/new"
    token = _csrf(client.get(url).get_data(as_text=True))
    missing = client.post(url, data={"csrf_token": token, "user_id": office.ids["li"], "kind": "reward",
                                     "amount": "200", "offence": "customer_praise", "reason_zh": "客户表扬"})
    assert missing.status_code == 422 and "客户表扬" in missing.get_data(as_text=True)
    r = client.post(url, data={"csrf_token": token, "user_id": office.ids["li"], "kind": "reward", "unit": "yuan",
                               "amount": "200", "offence": "customer_praise", "reason_zh": "客户表扬",
                               "reason_en": "praised"})
    assert r.status_code == 302
    reward = int(r.headers["Location"].rsplit("/", 1)[1])
    assert client.post(f"/t/{office.slug}/staff/entries/{reward}/approve",
                       data={"csrf_token": token, "reason": "服务之星"}).status_code == 302
    reverse = f"/t/{office.slug}/staff/entries/{fine}/reverse"
    too_much = client.post(reverse, data={"csrf_token": token, "amount": "80", "reason_zh": "多罚", "reason_en": "x"})
    assert too_much.status_code == 409 and "多罚" in too_much.get_data(as_text=True)
    done = client.post(reverse, data={"csrf_token": token, "amount": "20", "reason_zh": "多罚", "reason_en": "x"})
    assert done.status_code == 302
    with tenant_scope(office.handle.id):
        assert ledger.get_entry(reward).state == "approved"
        assert str(ledger.reversed_amount(ledger.get_entry(fine))) == "20.00"
        db.session.rollback()


def test_a_reviewer_scores_a_month_with_field_errors(client, office):
    month = f"{shift_month(utcnow().date().replace(day=1), -1):%Y-%m}"
    _as(client, office, "boss")
    page = client.get(f"/t/{office.slug}/staff/scorecards/new?user_id={office.ids['wang']}&month={month}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and 'name="scores.results"' in body and 'name="scores.service"' in body
    url = f"/t/{office.slug}/staff/scorecards/new"
    over = client.post(url, data={"csrf_token": _csrf(body), "user_id": office.ids["wang"], "month": month,
                                  "scheme": "salesperson", "scores.results": "75", "scores.service": "20",
                                  "note": "本月签约三单"})
    text = over.get_data(as_text=True)
    assert over.status_code == 422 and "本月签约三单" in text and 'value="75"' in text
    assert re.search(r'data-field="scores.results">.*?class="field-error"', text, re.S)
    ok = client.post(url, data={"csrf_token": _csrf(body), "user_id": office.ids["wang"], "month": month,
                                "scheme": "salesperson", "scores.results": "65", "scores.service": "20"})
    assert ok.status_code == 302
    assert "85.00" in client.get(ok.headers["Location"]).get_data(as_text=True)
    _as(client, office, "wang")
    assert client.get(url).status_code == 403
