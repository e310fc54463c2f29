"""Service contracts, periods and serial numbers (SVC-20), expiry reminders (SVC-21) and renewals
(SVC-22). None of these commits: the API step or the job does.

- :func:`create_contract` — a signed contract (or warranty) with its first period: from the
  installation date, else the signing date (``svc.period.start``); the serial is issued once the
  installation is known (generated, or the one the caller gives).
- :func:`on_installed` — the installation date became known (``POST /service-contracts/<id>/installed``,
  or an installation work order linked to the contract was completed: :func:`on_installation_completed`):
  the first period is re-dated from it unless the contract was already renewed, and the serial issued.
- :func:`check_serial` — whether a serial is valid on a day (through its period's end).
- :func:`renew` — a renewal contract returned signed (fax, e-signature, paper): payment due within
  ``svc.renewal.pay_within`` of the signing; :func:`record_payment` (finance) adds the next period from
  the day after the old end with a new serial; :func:`cancel_renewal`.
- :func:`send_reminders` (job ``svc.contract_expiry``) — one reminder task per period whose reminder
  day (``svc.expiry.remind_before`` before its end) has come, with the notice rendered from
  ``svc.expiry.template``; :func:`mark_expired` turns contracts past their last day to ``expired``
  (``ended`` when the customer declined); :func:`record_response` keeps the customer's answer.
- :func:`alert_unpaid` (job ``svc.renewal_payment``) — renewals unpaid past the limit are alerted once.

Every automatic outcome is a decision (subject ``service_contract`` or ``service_renewal``) under the
``svc`` version it ran under: the contract's periods under the version in force at its signing, a
renewal's payment limit under the one in force at the renewal's signing, reminders under the one in
force on the reminder day.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import aliased

from core.accounts.people import People
from core.calendar.service import tenant_calendar, year_errors
from core.customers import ownership_store
from core.customers.fact_time import fact_time
from core.customers.models import Customer
from core.db import db, get_one, utcnow
from core.decisions import service as decisions
from core.errors import Conflict, InvalidInput, NotFound
from core.notifications.service import notify
from core.policy import service as policy_service
from core.service import contract_rules as rules
from core.service.contract_models import ServiceContract, ServiceContractReminder, ServicePeriod, ServiceRenewal
from core.service.models import WorkOrder
from core.service.policy import MODULE, svc_policy

SUBJECT = "service_contract"
RENEWAL_SUBJECT = "service_renewal"
#: who is told about renewal payments
FINANCE_ROLE = "finance"
SERIAL_ATTEMPTS = 8


# ------------------------------------------------------------------ reading

def get_contract(contract_id: int, *, for_update: bool = False) -> ServiceContract:
    """The contract; 404 when the tenant has none with this id. ``for_update`` locks its row until the
    transaction ends (two renewals or payments of one contract happen one after the other)."""
    return get_one(ServiceContract, contract_id, "service contract", for_update=for_update)


def get_renewal(renewal_id: int, *, for_update: bool = False) -> ServiceRenewal:
    """The renewal; with ``for_update`` its contract is locked first, then the renewal read afresh."""
    renewal = db.session.scalars(select(ServiceRenewal).where(ServiceRenewal.id == renewal_id)).first()
    if renewal is None:
        raise NotFound("service renewal not found")
    if for_update:
        get_contract(renewal.contract_id, for_update=True)
        renewal = db.session.scalars(select(ServiceRenewal).where(ServiceRenewal.id == renewal_id)
                                     .with_for_update().execution_options(populate_existing=True)).one()
    return renewal


def get_reminder(reminder_id: int, *, for_update: bool = False) -> ServiceContractReminder:
    return get_one(ServiceContractReminder, reminder_id, "service contract reminder", for_update=for_update)


def get_period(period_id: int) -> ServicePeriod:
    return db.session.scalars(select(ServicePeriod).where(ServicePeriod.id == period_id)).one()


def periods_of(contract_id: int) -> list[ServicePeriod]:
    return list(db.session.scalars(select(ServicePeriod).where(ServicePeriod.contract_id == contract_id)
                                   .order_by(ServicePeriod.seq)))


def renewals_of(contract_id: int) -> list[ServiceRenewal]:
    return list(db.session.scalars(select(ServiceRenewal).where(ServiceRenewal.contract_id == contract_id)
                                   .order_by(ServiceRenewal.signed_on, ServiceRenewal.id)))


def reminders_of(contract_id: int) -> list[ServiceContractReminder]:
    return list(db.session.scalars(select(ServiceContractReminder)
                                   .where(ServiceContractReminder.contract_id == contract_id)
                                   .order_by(ServiceContractReminder.due_on, ServiceContractReminder.id)))


def open_renewal(contract_id: int) -> ServiceRenewal | None:
    return db.session.scalars(select(ServiceRenewal).where(ServiceRenewal.contract_id == contract_id,
                                                           ServiceRenewal.state == "awaiting_payment")).first()


def search(*, customer_id: int | None = None, state: str | None = None, kind: str | None = None,
           expiring_before: dt.date | None = None, serial: str | None = None):
    """Contracts, the soonest to run out first. ``expiring_before``: covered through that day at most
    (contracts already ended or expired included; filter by ``state`` for the live ones)."""
    stmt = select(ServiceContract)
    for column, value in ((ServiceContract.customer_id, customer_id), (ServiceContract.state, state),
                          (ServiceContract.kind, kind)):
        if value is not None:
            stmt = stmt.where(column == value)
    if expiring_before is not None:
        stmt = stmt.where(ServiceContract.ends_on <= expiring_before)
    if serial:
        stmt = stmt.where(ServiceContract.id.in_(select(ServicePeriod.contract_id).where(
            ServicePeriod.serial == rules.clean_serial(serial))))
    return stmt.order_by(ServiceContract.ends_on, ServiceContract.id)


def search_reminders(*, state: str | None = None, outcome: str | None = None, assignee_id: int | None = None,
                     contract_id: int | None = None, customer_id: int | None = None,
                     due_before: dt.date | None = None):
    stmt = select(ServiceContractReminder)
    for column, value in ((ServiceContractReminder.state, state), (ServiceContractReminder.outcome, outcome),
                          (ServiceContractReminder.assignee_id, assignee_id),
                          (ServiceContractReminder.contract_id, contract_id),
                          (ServiceContractReminder.customer_id, customer_id)):
        if value is not None:
            stmt = stmt.where(column == value)
    if due_before is not None:
        stmt = stmt.where(ServiceContractReminder.due_on <= due_before)
    return stmt.order_by(ServiceContractReminder.due_on, ServiceContractReminder.id)


def contract_policy(contract: ServiceContract) -> policy_service.PolicyView:
    """The ``svc`` version in force when the contract was signed (its periods follow it)."""
    return policy_service.version(MODULE, contract.policy_version)


def _today() -> dt.date:
    calendar, _ = tenant_calendar()
    return calendar.local_date(utcnow())


def _day(value: dt.date | None, field: str, errors: dict, today: dt.date, *, required: bool = True) -> dt.date | None:
    """A day a fact happened: given (when required), within the calendar's years, not after today."""
    if value is None:
        if required:
            errors[field] = ["required"]
        return None
    problems = year_errors(value, field)
    if problems:
        errors.update(problems)
        return None
    if value > today:
        errors[field] = ["cannot be in the future"]
        return None
    return value


def _amount(value, field: str, errors: dict, *, required: bool) -> Decimal | None:
    if value is None:
        if required:
            errors[field] = ["required"]
        return None
    amount = Decimal(value)
    if amount <= 0:
        errors[field] = ["must be more than 0"]
        return None
    return amount.quantize(Decimal("0.01"))


# ------------------------------------------------------------------ SVC-20 serials

def _serial_taken(serial: str, period_id: int | None = None) -> bool:
    stmt = select(ServicePeriod.id).where(ServicePeriod.serial == serial)
    if period_id is not None:
        stmt = stmt.where(ServicePeriod.id != period_id)
    return db.session.scalar(stmt) is not None


def _given_serial(value: str | None, errors: dict, field: str = "serial") -> str | None:
    serial = rules.clean_serial(value)
    if serial is not None and _serial_taken(serial):
        errors[field] = ["this serial is already used in your company"]
    return serial


def _issue(period: ServicePeriod, given: str | None, on: dt.date) -> None:
    """SVC-20: give ``period`` its serial: the one the caller gave, else a fresh licence key."""
    if given:
        period.serial, period.serial_source = given, "given"
    else:
        for _ in range(SERIAL_ATTEMPTS):
            candidate = rules.new_serial()
            if not _serial_taken(candidate):
                break
        else:  # pragma: no cover - 2^80 keys
            raise Conflict("could not find a free serial; try again")
        period.serial, period.serial_source = candidate, "generated"
    period.serial_issued_on = on


def _serial_text(period: ServicePeriod) -> tuple[str, str]:
    if period.serial is None:
        return "序列号待安装后签发。", "The serial is issued after installation."
    return (f"序列号{period.serial}有效期至{period.ends_on.isoformat()}。",
            f"Serial {period.serial} is valid through {period.ends_on.isoformat()}.")


# ------------------------------------------------------------------ SVC-20 contracts

def _installation_order(order_id: int | None, customer_id: int | None, errors: dict) -> WorkOrder | None:
    if order_id is None:
        return None
    order = db.session.scalars(select(WorkOrder).where(WorkOrder.id == order_id)).first()
    if order is None:
        errors["installation_order_id"] = ["not a work order of this company"]
    elif order.type != "installation":
        errors["installation_order_id"] = [f"a work order of type installation, not {order.type}"]
    elif order.customer_id is not None and customer_id is not None and order.customer_id != customer_id:
        errors["installation_order_id"] = ["the order is for another customer"]
    return order


def create_contract(data: dict, *, by: int | None) -> ServiceContract:
    """A signed contract with its first period (SVC-20). ``data``: customer_id, kind (service |
    warranty), subject, reference, signed_on, installed_on, term ("1 years"), amount,
    installation_order_id, serial (given instead of generated; needs the installation), note. 422
    naming each bad field; nothing is written then."""
    errors: dict[str, list[str]] = {}
    today = _today()
    customer = None
    if data.get("customer_id") is None:
        errors["customer_id"] = ["required"]
    else:
        customer = db.session.scalars(select(Customer).where(Customer.id == data["customer_id"])).first()
        if customer is None:
            errors["customer_id"] = ["not a customer of this company"]
    kind = data.get("kind") or "service"
    if kind not in rules.KINDS:
        errors["kind"] = [f"one of {', '.join(rules.KINDS)}"]
    subject = (data.get("subject") or "").strip()
    if not subject:
        errors["subject"] = ["name the product or subject covered"]
    signed_on = _day(data.get("signed_on"), "signed_on", errors, today)
    installed_on = _day(data.get("installed_on"), "installed_on", errors, today, required=False)
    term = data.get("term")
    problems = rules.term_errors(term) if term else ["required"]
    if problems:
        errors["term"] = problems
    amount = _amount(data.get("amount"), "amount", errors, required=False)
    _installation_order(data.get("installation_order_id"), data.get("customer_id"), errors)
    serial = _given_serial(data.get("serial"), errors)
    if serial is not None and installed_on is None:
        errors["serial"] = ["the serial is issued after installation: give installed_on (SVC-20)"]
    if errors:
        raise InvalidInput("invalid service contract", fields=errors, rule_id="SVC-20")
    view = svc_policy(signed_on)
    term = str(rules.as_duration(term))
    start_setting = view.values["period"]["start"]
    starts_on, basis = rules.first_start(signed_on, installed_on, start_setting)
    ends_on = rules.period_end(starts_on, term)
    contract = ServiceContract(
        kind=kind, customer_id=customer.id, subject=subject, reference=(data.get("reference") or "").strip() or None,
        signed_on=signed_on, installed_on=installed_on, term=term, amount=amount, period_basis=basis,
        ends_on=ends_on, installation_order_id=data.get("installation_order_id"), note=data.get("note"),
        policy_version=view.version, created_by=by,
        state=rules.contract_state(ends_on, today))
    db.session.add(contract)
    db.session.flush()
    period = ServicePeriod(contract_id=contract.id, seq=1, kind="initial", starts_on=starts_on, ends_on=ends_on)
    if installed_on is not None:
        _issue(period, serial, installed_on)
    db.session.add(period)
    db.session.flush()
    zh_basis, en_basis = _basis_text(basis, start_setting, installed_on)
    serial_zh, serial_en = _serial_text(period)
    decision = decisions.record(
        "SVC-20", SUBJECT, contract.id, policy=view,
        outcome={"period": {"seq": 1, "starts_on": starts_on, "ends_on": ends_on}, "serial": period.serial,
                 "state": contract.state},
        facts={"signed_on": signed_on, "installed_on": installed_on, "term": term, "period_start": start_setting,
               "kind": kind, "serial_given": serial is not None},
        reason_zh=f"{rules.KIND_ZH[kind]}{zh_basis}起{_term_zh(term)}，{starts_on.isoformat()}至{ends_on.isoformat()}"
                  f"（含首日）。{serial_zh}依据SVC-20。",
        reason_en=f"The {rules.KIND_EN[kind]} runs {term} from the {en_basis}: {starts_on.isoformat()}.."
                  f"{ends_on.isoformat()} (start day included). {serial_en} Under SVC-20.")
    contract.decision_id = period.decision_id = decision.id
    db.session.flush()
    return contract


def _term_zh(term: str) -> str:
    duration = rules.as_duration(term)
    unit = {"days": "天", "weeks": "周", "months": "个月", "years": "年"}[duration.unit]
    return f"{duration.amount}{unit}"


def _basis_text(basis: str, setting: str, installed_on: dt.date | None) -> tuple[str, str]:
    if basis == "installation":
        return "自安装之日", "installation date"
    if setting == "signing":
        return "自合同签订之日（制度规定）", "signing date (svc.period.start = signing)"
    return "自合同签订之日（安装日期未知）", "signing date (installation date unknown)"


def on_installed(contract: ServiceContract, installed_on: dt.date, *, by: int | None = None,
                 serial: str | None = None, order_id: int | None = None) -> ServiceContract:
    """SVC-20: the installation date of ``contract`` became known (or was corrected). The first period
    is re-dated from it (``svc.period.start = installation``) unless the contract was already renewed,
    and the current period gets its serial (``serial`` given, else generated). The same date again
    changes nothing. Call with the contract locked (``get_contract(id, for_update=True)``); the lead's
    wiring calls it when an installation work order linked to the contract is completed."""
    periods = periods_of(contract.id)
    latest = periods[-1]
    errors: dict[str, list[str]] = {}
    installed_on = _day(installed_on, "installed_on", errors, _today())
    given = rules.clean_serial(serial)
    if given is not None and _serial_taken(given, period_id=latest.id):
        errors["serial"] = ["this serial is already used in your company"]
    if errors:
        raise InvalidInput("invalid installation", fields=errors, rule_id="SVC-20")
    if contract.installed_on == installed_on and (given is None or given == latest.serial) \
            and latest.serial is not None:
        return contract
    view = contract_policy(contract)
    setting = view.values["period"]["start"]
    first, renewed = periods[0], len(periods) > 1
    before = {"starts_on": first.starts_on, "ends_on": first.ends_on}
    previous, contract.installed_on = contract.installed_on, installed_on
    if order_id is not None and contract.installation_order_id is None:
        contract.installation_order_id = order_id
    redated = False
    if setting == "installation" and not renewed and first.starts_on != installed_on:
        first.starts_on, first.ends_on = installed_on, rules.period_end(installed_on, contract.term)
        contract.ends_on, contract.period_basis, redated = first.ends_on, "installation", True
    elif setting == "installation" and not renewed:
        contract.period_basis = "installation"
    if given is not None or latest.serial is None:
        _issue(latest, given, installed_on)
    if contract.state != "renewal_pending":
        contract.state = rules.contract_state(contract.ends_on, _today(), declined=_declined(contract, latest))
    db.session.flush()
    serial_zh, serial_en = _serial_text(latest)
    if redated:
        zh = f"安装日期{installed_on.isoformat()}确定，服务期自安装之日起重新计算：{first.starts_on.isoformat()}至" \
             f"{first.ends_on.isoformat()}（原{before['starts_on'].isoformat()}至{before['ends_on'].isoformat()}）。"
        en = f"Installed on {installed_on.isoformat()}: the first period is re-dated from the installation, " \
             f"{first.starts_on.isoformat()}..{first.ends_on.isoformat()} (was {before['starts_on'].isoformat()}.." \
             f"{before['ends_on'].isoformat()})."
    elif renewed and setting == "installation":
        zh = f"安装日期{installed_on.isoformat()}确定；合同已续约，服务期不再调整。"
        en = f"Installed on {installed_on.isoformat()}; the contract was already renewed, so its periods stay."
    elif setting == "signing":
        zh = f"安装日期{installed_on.isoformat()}确定；制度规定服务期自签订之日起算，服务期不变。"
        en = f"Installed on {installed_on.isoformat()}; periods count from the signing (svc.period.start = " \
             f"signing): unchanged."
    else:
        zh = f"安装日期{installed_on.isoformat()}确定，服务期不变。"
        en = f"Installed on {installed_on.isoformat()}; the period is unchanged."
    decision = decisions.record(
        "SVC-20", SUBJECT, contract.id, policy=view,
        outcome={"redated": redated, "period": {"seq": first.seq, "starts_on": first.starts_on,
                                                "ends_on": first.ends_on},
                 "serial": latest.serial, "serial_period_seq": latest.seq},
        facts={"installed_on": installed_on, "previous_installed_on": previous, "renewed": renewed,
               "period_start": setting, "before": before, "order_id": order_id, "serial_given": given is not None},
        reason_zh=zh + serial_zh + "依据SVC-20。", reason_en=f"{en} {serial_en} Under SVC-20.", decided_by=by)
    contract.decision_id = decision.id
    if redated:
        first.decision_id = decision.id
    db.session.flush()
    return contract


def on_installation_completed(order: WorkOrder, *, by: int | None = None) -> list[ServiceContract]:
    """The hook for the installation step: ``order`` (type installation) was completed; every contract
    linked to it without an installation date gets the local day of ``order.completed_at``."""
    if order.type != "installation" or order.completed_at is None:
        return []
    calendar, _ = tenant_calendar(order.completed_at)
    day = calendar.local_date(order.completed_at)
    rows = list(db.session.scalars(select(ServiceContract.id).where(
        ServiceContract.installation_order_id == order.id, ServiceContract.installed_on.is_(None))))
    return [on_installed(get_contract(cid, for_update=True), day, by=by, order_id=order.id) for cid in rows]


def check_serial(contract: ServiceContract, on: dt.date | None = None, serial: str | None = None) -> dict:
    """SVC-20: whether ``serial`` (default the one in force) is valid on ``on`` (default today)."""
    on = on or _today()
    periods = [rules.Period(p.seq, p.starts_on, p.ends_on, p.serial) for p in periods_of(contract.id)]
    return {"contract_id": contract.id, **rules.serial_status(periods, on, serial)}


def _declined(contract: ServiceContract, period: ServicePeriod) -> bool:
    return db.session.scalar(select(ServiceContractReminder.id).where(
        ServiceContractReminder.period_id == period.id, ServiceContractReminder.outcome == "decline")) is not None


# ------------------------------------------------------------------ SVC-22 renewal

def renew(contract: ServiceContract, data: dict, *, by: int | None) -> ServiceRenewal:
    """SVC-22: a renewal contract returned signed. ``data``: signed_on, method (fax | e_sign | paper),
    amount, term (default the contract's), note. Payment is due within ``svc.renewal.pay_within`` of the
    signing. 409 while another renewal awaits payment. Call with the contract locked."""
    pending = open_renewal(contract.id)
    if pending is not None:
        raise Conflict("a renewal of this contract already awaits payment", rule_id="SVC-22",
                       fields={"renewal": [f"renewal {pending.id} signed {pending.signed_on.isoformat()} awaits "
                                           f"payment through {pending.pay_due_on.isoformat()}"]})
    errors: dict[str, list[str]] = {}
    signed_on = _day(data.get("signed_on"), "signed_on", errors, _today())
    if signed_on is not None and signed_on < contract.signed_on:
        errors["signed_on"] = [f"a renewal is signed after the contract ({contract.signed_on.isoformat()})"]
    if data.get("method") not in rules.RENEWAL_METHODS:
        errors["method"] = [f"one of {', '.join(rules.RENEWAL_METHODS)}"]
    amount = _amount(data.get("amount"), "amount", errors, required=True)
    term = data.get("term") or contract.term
    problems = rules.term_errors(term)
    if problems:
        errors["term"] = problems
    if errors:
        raise InvalidInput("invalid renewal", fields=errors, rule_id="SVC-22")
    term = str(rules.as_duration(term))
    view = svc_policy(signed_on)
    within = view.values["renewal"]["pay_within"]
    calendar, _ = tenant_calendar(signed_on)
    due = rules.pay_due(calendar, signed_on, within)
    latest = periods_of(contract.id)[-1]
    renewal = ServiceRenewal(
        contract_id=contract.id, period_id=latest.id, signed_on=signed_on, method=data["method"], amount=amount,
        term=term, pay_within=str(within), pay_due_on=due.through, pay_due_at=due.utc, state="awaiting_payment",
        note=data.get("note"), created_by=by)
    db.session.add(renewal)
    contract.state = "renewal_pending"
    db.session.flush()
    decision = decisions.record(
        "SVC-22", RENEWAL_SUBJECT, renewal.id, policy=view,
        outcome={"pay_due_on": due.through, "pay_due_at": due.utc, "contract_state": contract.state},
        facts={"contract_id": contract.id, "signed_on": signed_on, "method": renewal.method, "amount": amount,
               "term": term, "pay_within": str(within), "renews_period": {"seq": latest.seq,
                                                                          "ends_on": latest.ends_on},
               "trace": list(due.trace)},
        reason_zh=f"续约合同于{signed_on.isoformat()}签回（{rules.METHOD_ZH[renewal.method]}），款项须于签订后{within}内到账，"
                  f"即{due.through.isoformat()}前（含当日）。依据SVC-22。",
        reason_en=f"Renewal signed {signed_on.isoformat()} ({renewal.method}): payment due within {within} of the "
                  f"signing, through {due.through.isoformat()}. Under SVC-22.", decided_by=by)
    renewal.decision_id = decision.id
    customer = _customer(contract)
    notify(_finance(People()), kind="svc.renewal_signed", rule_id="SVC-22", subject_type=RENEWAL_SUBJECT,
           subject_id=renewal.id, dedupe_key=f"SVC-22:signed:{renewal.id}", due_at=due.utc,
           title_zh=f"{customer.name}的{contract.subject}续约已签回，款项¥{amount}须于{due.through.isoformat()}前到账",
           title_en=f"Renewal of {contract.subject} for {customer.name} signed: ¥{amount} due through "
                    f"{due.through.isoformat()}")
    db.session.flush()
    return renewal


def record_payment(renewal: ServiceRenewal, data: dict, *, by: int | None) -> ServiceRenewal:
    """SVC-22 (finance): the renewal was paid. ``data``: paid_on, amount (the renewal's), receipt_no,
    serial (given instead of generated). Adds the next period from the day after the last period's end,
    with a new serial (once the contract is installed). 409 unless the renewal awaits payment. Call with
    the renewal locked (``get_renewal(id, for_update=True)``)."""
    if renewal.state != "awaiting_payment":
        raise Conflict(f"this renewal is {renewal.state}", rule_id="SVC-22",
                       fields={"renewal": [f"the renewal is already {renewal.state}"]})
    contract = get_contract(renewal.contract_id)
    errors: dict[str, list[str]] = {}
    paid_on = _day(data.get("paid_on"), "paid_on", errors, _today())
    if paid_on is not None and paid_on < renewal.signed_on:
        errors["paid_on"] = [f"a payment comes after the renewal's signing ({renewal.signed_on.isoformat()})"]
    amount = _amount(data.get("amount"), "amount", errors, required=True)
    if amount is not None and amount != renewal.amount:
        errors["amount"] = [f"the renewal is ¥{renewal.amount}"]
    receipt = (data.get("receipt_no") or "").strip()
    if not receipt:
        errors["receipt_no"] = ["required"]
    given = _given_serial(data.get("serial"), errors)
    if errors:
        raise InvalidInput("invalid payment", fields=errors, rule_id="SVC-22")
    periods = periods_of(contract.id)
    latest = periods[-1]
    nxt = rules.renewed_period(latest.ends_on, renewal.term, latest.seq + 1)
    period = ServicePeriod(contract_id=contract.id, seq=nxt.seq, kind="renewal", starts_on=nxt.starts_on,
                           ends_on=nxt.ends_on)
    if contract.installed_on is not None or latest.serial is not None or given is not None:
        _issue(period, given, paid_on)
    db.session.add(period)
    db.session.flush()
    late = paid_on > renewal.pay_due_on
    renewal.state, renewal.paid_on, renewal.paid_amount, renewal.receipt_no = "paid", paid_on, amount, receipt
    renewal.paid_late, renewal.payment_recorded_by, renewal.payment_recorded_at = late, by, utcnow()
    renewal.new_period_id = period.id
    contract.ends_on = period.ends_on
    contract.state = rules.contract_state(period.ends_on, _today())
    serial_zh, serial_en = _serial_text(period)
    timing_zh = f"逾期（期限{renewal.pay_due_on.isoformat()}）" if late else f"在期限{renewal.pay_due_on.isoformat()}内"
    timing_en = f"late (due through {renewal.pay_due_on.isoformat()})" if late else \
        f"in time (due through {renewal.pay_due_on.isoformat()})"
    decision = decisions.record(
        "SVC-22", RENEWAL_SUBJECT, renewal.id, policy=policy_service.in_force(MODULE, renewal.signed_on),
        outcome={"period": {"seq": period.seq, "starts_on": period.starts_on, "ends_on": period.ends_on},
                 "serial": period.serial, "late": late, "contract_state": contract.state},
        facts={"contract_id": contract.id, "paid_on": paid_on, "amount": amount, "receipt_no": receipt,
               "pay_due_on": renewal.pay_due_on, "previous_period": {"seq": latest.seq, "ends_on": latest.ends_on,
                                                                    "serial": latest.serial}},
        reason_zh=f"续约款¥{amount}于{paid_on.isoformat()}到账，{timing_zh}；服务期自原到期日次日起延续："
                  f"{period.starts_on.isoformat()}至{period.ends_on.isoformat()}。{serial_zh}依据SVC-22。",
        reason_en=f"Renewal paid ¥{amount} on {paid_on.isoformat()}, {timing_en}: the next period runs from the day "
                  f"after the old end, {period.starts_on.isoformat()}..{period.ends_on.isoformat()}. {serial_en} "
                  f"Under SVC-22.", decided_by=by)
    renewal.payment_decision_id = period.decision_id = decision.id
    owner = _owner(contract)
    customer = _customer(contract)
    notify([owner or contract.created_by], kind="svc.renewal_paid", rule_id="SVC-22", subject_type=SUBJECT,
           subject_id=contract.id, dedupe_key=f"SVC-22:paid:{renewal.id}",
           title_zh=f"{customer.name}的{contract.subject}已续约至{period.ends_on.isoformat()}",
           title_en=f"{contract.subject} for {customer.name} renewed through {period.ends_on.isoformat()}",
           body_zh=serial_zh, body_en=serial_en)
    db.session.flush()
    return renewal


def cancel_renewal(renewal: ServiceRenewal, reason: str, *, by: int | None) -> ServiceRenewal:
    """A renewal that will not be paid (the customer withdrew): cancelled with its reason; the contract
    is ``active`` or ``expired`` again by its dates. 409 unless it awaits payment."""
    if renewal.state != "awaiting_payment":
        raise Conflict(f"this renewal is {renewal.state}",
                       fields={"renewal": [f"the renewal is already {renewal.state}"]})
    if not (reason or "").strip():
        raise InvalidInput("a reason is required", fields={"reason": ["say why the renewal is cancelled"]})
    contract = get_contract(renewal.contract_id)
    renewal.state, renewal.cancelled_at, renewal.cancel_reason = "cancelled", utcnow(), reason.strip()
    latest = periods_of(contract.id)[-1]
    contract.state = rules.contract_state(contract.ends_on, _today(), declined=_declined(contract, latest))
    db.session.flush()
    return renewal


def alert_unpaid(as_of: dt.datetime | None = None, *, people: People | None = None) -> int:
    """SVC-22: renewals still unpaid at the end of their last day → a decision and a notice to the
    customer's owner and finance, once each."""
    as_of = as_of or utcnow()
    rows = list(db.session.scalars(select(ServiceRenewal).where(
        ServiceRenewal.state == "awaiting_payment", ServiceRenewal.pay_due_at <= as_of,
        ServiceRenewal.alerted_at.is_(None)).order_by(ServiceRenewal.pay_due_at, ServiceRenewal.id)))
    if not rows:
        return 0
    people = people or People()
    finance = _finance(people)
    for renewal in rows:
        contract = get_contract(renewal.contract_id)
        customer = _customer(contract)
        owner = _owner(contract)
        told = sorted({u for u in (owner, *finance) if u is not None})
        decision = decisions.record(
            "SVC-22", RENEWAL_SUBJECT, renewal.id, policy=policy_service.in_force(MODULE, renewal.signed_on),
            outcome={"unpaid": True, "told": told},
            facts={"contract_id": contract.id, "signed_on": renewal.signed_on, "amount": renewal.amount,
                   "pay_due_on": renewal.pay_due_on, "as_of": as_of},
            reason_zh=f"{customer.name}的{contract.subject}续约（{renewal.signed_on.isoformat()}签订）款项¥{renewal.amount}"
                      f"至{renewal.pay_due_on.isoformat()}仍未到账。依据SVC-22。",
            reason_en=f"The renewal of {contract.subject} for {customer.name} (signed {renewal.signed_on.isoformat()}) "
                      f"was not paid (¥{renewal.amount}) by {renewal.pay_due_on.isoformat()}. Under SVC-22.")
        notify(told, kind="svc.renewal_unpaid", rule_id="SVC-22", subject_type=RENEWAL_SUBJECT, subject_id=renewal.id,
               dedupe_key=f"SVC-22:unpaid:{renewal.id}", due_at=renewal.pay_due_at, title_zh=decision.reason_zh,
               title_en=decision.reason_en)
        renewal.alerted_at, renewal.alert_decision_id = as_of, decision.id
    db.session.flush()
    return len(rows)


# ------------------------------------------------------------------ SVC-21 expiry reminders

def _customer(contract: ServiceContract) -> Customer:
    return db.session.scalars(select(Customer).where(Customer.id == contract.customer_id)).one()


def _owner(contract: ServiceContract) -> int | None:
    row = ownership_store.current(contract.customer_id)
    return row.owner_id if row is not None else None


def _finance(people: People) -> list[int]:
    return [uid for uid, _dep in people.holders(FINANCE_ROLE)]


def _reminder_candidates(today: dt.date, horizon: dt.date):
    """The last period of each live contract ending between ``today`` and ``horizon``, with no reminder
    yet and no renewal awaiting payment."""
    later = aliased(ServicePeriod)
    return (select(ServicePeriod, ServiceContract)
            .join(ServiceContract, and_(ServiceContract.tenant_id == ServicePeriod.tenant_id,
                                        ServiceContract.id == ServicePeriod.contract_id))
            .where(ServicePeriod.ends_on >= today, ServicePeriod.ends_on <= horizon,
                   ServiceContract.state.in_(("active", "expired")),
                   ~exists().where(later.tenant_id == ServicePeriod.tenant_id,
                                   later.contract_id == ServicePeriod.contract_id, later.seq > ServicePeriod.seq),
                   ~exists().where(ServiceContractReminder.tenant_id == ServicePeriod.tenant_id,
                                   ServiceContractReminder.period_id == ServicePeriod.id),
                   ~exists().where(ServiceRenewal.tenant_id == ServicePeriod.tenant_id,
                                   ServiceRenewal.contract_id == ServicePeriod.contract_id,
                                   ServiceRenewal.state == "awaiting_payment"))
            .order_by(ServicePeriod.ends_on, ServicePeriod.id))


def send_reminders(as_of: dt.datetime | None = None, *, people: People | None = None) -> int:
    """SVC-21: a reminder task for each period whose reminder day has come (on it, or later when a run
    was missed) and that has not ended: assigned to the customer's owner, else a customer-service
    agent, with the notice rendered from ``svc.expiry.template`` and a notification. One per period:
    a re-run creates nothing."""
    as_of = as_of or utcnow()
    calendar, _ = tenant_calendar(as_of)
    today = calendar.local_date(as_of)
    view = svc_policy(as_of)
    settings = view.values["expiry"]
    before, template = settings["remind_before"], settings["template"]
    rows = [(p, c) for p, c in db.session.execute(_reminder_candidates(today, rules.reminder_horizon(today, before)))
            if rules.due_for_reminder(p.ends_on, today, before)]
    if not rows:
        return 0
    people = people or People()
    for period, contract in rows:
        customer = _customer(contract)
        owner = _owner(contract)
        assignee = owner if owner is not None else people.performer("cs_agent", None)
        due_on = rules.reminder_on(period.ends_on, before)
        notice = rules.render_notice(template, customer=customer.name, product=contract.subject,
                                     starts_on=period.starts_on, ends_on=period.ends_on, kind=contract.kind,
                                     serial=period.serial, reference=contract.reference)
        reminder = ServiceContractReminder(
            contract_id=contract.id, period_id=period.id, customer_id=contract.customer_id, kind=contract.kind,
            due_on=due_on, ends_on=period.ends_on, assignee_id=assignee, notice=notice, state="open",
            policy_version=view.version)
        db.session.add(reminder)
        db.session.flush()
        who_zh = "客户负责人" if owner is not None else "客服专员"
        decision = decisions.record(
            "SVC-21", SUBJECT, contract.id, policy=view,
            outcome={"reminder_id": reminder.id, "due_on": due_on, "assignee_id": assignee},
            facts={"period": {"seq": period.seq, "starts_on": period.starts_on, "ends_on": period.ends_on},
                   "remind_before": str(before), "as_of": as_of, "owner_id": owner, "kind": contract.kind},
            reason_zh=f"{rules.KIND_ZH[contract.kind]}于{period.ends_on.isoformat()}届满，提前{before}即"
                      f"{due_on.isoformat()}提醒客户，由{who_zh}联系并记录客户答复。依据SVC-21。",
            reason_en=f"The {rules.KIND_EN[contract.kind]} ends {period.ends_on.isoformat()}: the customer is reminded "
                      f"{before} before, on {due_on.isoformat()}, by the {'owner' if owner else 'service desk'}, "
                      f"who records the answer. Under SVC-21.")
        reminder.decision_id = decision.id
        told = [assignee] if assignee is not None else [uid for uid, _d in people.holders("cs_manager")]
        notify(told, kind="svc.contract_expiry", rule_id="SVC-21", subject_type=SUBJECT, subject_id=contract.id,
               dedupe_key=f"SVC-21:reminder:{period.id}", due_at=calendar.end_of_day(due_on),
               title_zh=f"{customer.name}的{contract.subject}{rules.KIND_ZH[contract.kind]}将于"
                        f"{period.ends_on.isoformat()}届满，请联系客户续约",
               title_en=f"{contract.subject} for {customer.name}: {rules.KIND_EN[contract.kind]} ends "
                        f"{period.ends_on.isoformat()}, remind the customer", body_zh=notice, body_en=notice)
    db.session.flush()
    return len(rows)


def mark_expired(as_of: dt.datetime | None = None) -> int:
    """Active contracts past their last covered day → ``expired`` (``ended`` when the customer declined
    renewal at the reminder), with a decision. A contract whose renewal awaits payment stays
    ``renewal_pending``."""
    as_of = as_of or utcnow()
    calendar, _ = tenant_calendar(as_of)
    today = calendar.local_date(as_of)
    rows = list(db.session.scalars(select(ServiceContract).where(
        ServiceContract.state == "active", ServiceContract.ends_on < today).order_by(ServiceContract.id)))
    for contract in rows:
        latest = periods_of(contract.id)[-1]
        declined = _declined(contract, latest)
        contract.state = rules.contract_state(contract.ends_on, today, declined=declined)
        zh_state = "终止（客户不续约）" if declined else "过期"
        decision = decisions.record(
            "SVC-21", SUBJECT, contract.id, policy=contract_policy(contract),
            outcome={"state": contract.state}, facts={"ends_on": contract.ends_on, "as_of": as_of,
                                                      "declined": declined, "period_seq": latest.seq},
            reason_zh=f"{rules.KIND_ZH[contract.kind]}已于{contract.ends_on.isoformat()}届满，未续约，合同{zh_state}。依据SVC-21。",
            reason_en=f"The {rules.KIND_EN[contract.kind]} ended {contract.ends_on.isoformat()} without renewal: "
                      f"the contract is {contract.state}. Under SVC-21.")
        contract.decision_id = decision.id
    db.session.flush()
    return len(rows)


def record_response(reminder: ServiceContractReminder, outcome: str, note: str | None, *, by: int | None,
                    at: dt.datetime | None = None) -> ServiceContractReminder:
    """SVC-21: the customer's answer to the reminder (renew, decline, undecided), kept like a return
    visit. An undecided answer may be followed by another; renew or decline is final (409 after). A
    decline on a contract already expired ends it."""
    if reminder.outcome in ("renew", "decline"):
        raise Conflict("the customer already answered", fields={"outcome": [
            f"already recorded: {reminder.outcome} ({reminder.responded_at.isoformat()})"]})
    if outcome not in rules.OUTCOMES:
        raise InvalidInput("invalid response", fields={"outcome": [f"one of {', '.join(rules.OUTCOMES)}"]})
    at = fact_time(at, "responded_at")
    reminder.outcome, reminder.note, reminder.responded_at, reminder.responded_by = outcome, note, at, by
    reminder.state = "responded"
    reminder.responses = [*(reminder.responses or []), {"outcome": outcome, "note": note, "at": at.isoformat(),
                                                        "by": by}]
    if outcome == "decline":
        contract = get_contract(reminder.contract_id, for_update=True)
        if contract.state == "expired":
            contract.state = "ended"
    db.session.flush()
    return reminder
