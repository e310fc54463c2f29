"""Export the tenant's customers as CSV (UTF-8 with BOM) or XLSX (capability 11, CUS-74).

The columns are the import's (an export imports back), plus the customer number and creation time
in the tenant's time zone. Mobiles and resident ids are masked (``138****8000``,
``110105********002X``) unless the export was made by someone with the right to see them (CUS-70);
formulas are neutralised (``=1+1`` → ``'=1+1``, CUS-74).
"""
from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import phonenumbers
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from core.customers.identity import mask_phone, mask_resident_id
from core.customers.models import Customer
from core.customers.transfer.columns import COLUMNS
from core.customers.transfer.formats import write_csv, write_xlsx
from core.db import db

EXPORT_FIELDS = ("name", "kind", "mobile", "landline", "phone", "resident_id", "uscc", "birth_date", "gender",
                 "district", "address", "source", "note", "category", "contact_name", "contact_mobile")
HEADER = ["客户编号 id", *(COLUMNS[f][0] for f in EXPORT_FIELDS), "创建时间 created_at"]
KIND_LABELS = {"person": "个人", "organisation": "单位"}
GENDER_LABELS = {"male": "男", "female": "女"}
BATCH = 2000


def _dialable(e164: str) -> str:
    """As people write it at home (and as a spreadsheet keeps it as text): ``13800138000``,
    ``0830-2345678``; foreign numbers ``00852…`` (a leading + would look like a formula)."""
    parsed = phonenumbers.parse(e164)
    if parsed.country_code == 86:
        groups = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL).split()
        if groups[0].startswith("0"):  # a landline: area code, dash, number
            return f"{groups[0]}-{''.join(groups[1:])}"
        return "".join(groups)
    return "00" + e164[1:]


def _row(customer: Customer, tz: ZoneInfo, masked: bool) -> list:
    by_kind: dict[str, list[str]] = {"mobile": [], "landline": [], "other": []}
    for phone in customer.phones:
        number = _dialable(phone.e164) + (f"转{phone.extension}" if phone.extension else "")
        by_kind.setdefault(phone.kind, []).append(mask_phone(phone.e164) if masked else number)
    rid = customer.resident_id
    contact = customer.contacts[0] if customer.contacts else None
    contact_mobile = contact.mobile if contact is not None else None
    if contact_mobile:
        contact_mobile = mask_phone(contact_mobile) if masked else _dialable(contact_mobile)
    return [
        customer.id, customer.name, KIND_LABELS.get(customer.kind, customer.kind), "；".join(by_kind["mobile"]),
        "；".join(by_kind["landline"]), "；".join(by_kind["other"]),
        (mask_resident_id(rid) if masked else rid) if rid else None, customer.uscc, customer.birth_date,
        GENDER_LABELS.get(customer.gender, customer.gender), customer.district, customer.address, customer.source,
        customer.note, customer.category, contact.name if contact is not None else None, contact_mobile,
        customer.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
    ]


def export_customers(path: Path, fmt: str, *, timezone: str, masked: bool = True, progress=None) -> int:
    """Write every customer of the current tenant to ``path``; returns the number of rows."""
    progress = progress or (lambda *a, **k: None)
    tz = ZoneInfo(timezone)
    total = db.session.scalar(select(func.count()).select_from(Customer))

    def rows():
        last_id, done = 0, 0
        while True:
            batch = list(db.session.scalars(select(Customer).where(Customer.id > last_id).order_by(Customer.id)
                                            .limit(BATCH).options(selectinload(Customer.phones),
                                                                          selectinload(Customer.contacts))))
            if not batch:
                return
            for customer in batch:
                yield _row(customer, tz, masked)
            last_id, done = batch[-1].id, done + len(batch)
            db.session.expunge_all()
            progress(done, total, "exporting")

    writer = write_xlsx if fmt == "xlsx" else write_csv
    return writer(path, HEADER, rows())
