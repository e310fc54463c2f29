"""Import customers from a CSV or XLSX file (capability 11; CUS-10..13 on every row).

Every row goes through the same validation as ``POST /customers`` (CUS-01 required fields, CUS-10
phones, CUS-11 identity numbers) and the same duplicate rules (CUS-13), judged against the tenant's
customers **and the earlier rows of the file**. Valid rows land; a row with an error lands not at all
and is reported with its row number (as Excel numbers it: the header is row 1), field and reason;
likely duplicates land and are reported as warnings (with a CUS-13 decision, as on create). Nothing
is changed silently: a cell is never truncated or altered beyond the documented normalisation.

The whole import is one transaction (the job layer commits it with the job's "finished"), so a
retried job never imports a row twice. The rows are written in bulk: on PostgreSQL ``COPY`` into a
temporary table, then ``INSERT … SELECT`` into ``customers``, ``customer_phones`` and ``customer_keys``
(row-level security refuses COPY straight into a tenant table, and checks the INSERT); executemany
on SQLite.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import String, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY

from core.customers import service
from core.customers.archive.models import CustomerAddress, CustomerContact
from core.customers.archive.record import NOT_REQUIRED
from core.customers.duplicates import Candidate, DedupeSettings, check_import, match_keys
from core.customers.identity import name_keys
from core.customers.models import Customer, CustomerKey, CustomerPhone
from core.customers.policy import cus_policy
from core.customers.transfer.columns import map_header, row_body
from core.customers.transfer.formats import FileProblem, read_rows, write_csv
from core.db import allocate_ids, db, utcnow
from core.decisions import service as decisions
from core.errors import InvalidInput
from core.tenancy import current_tenant_id

CHUNK = 2000  # rows per progress step and per bulk write
MAX_ROWS = 200_000
KEY_BATCH = 5000  # keys per look-up query of existing customers
CONTACT_COLUMNS = ("name", "title", "department", "mobile", "landline", "landline_extension", "email", "im", "note")
REPORT_HEADER = ["行号 row", "级别 level", "字段 field", "原因 reason", "已有客户 existing_id"]


@dataclass
class Problem:
    row: int
    level: str  # error | warning
    field: str
    reason: str
    existing_id: int | str | None = None

    def cells(self) -> list:
        return [self.row, self.level, self.field, self.reason, self.existing_id]


@dataclass
class _Prepared:
    row: int
    values: dict
    phones: list
    archive: object  # core.customers.archive.record.ArchiveInput
    candidate: Candidate
    keys: frozenset = field(default_factory=frozenset)
    verdict: object = None  # a DuplicateVerdict with warnings, when it has any
    customer_id: int | None = None  # once written


@dataclass
class ImportResult:
    rows: int = 0
    imported: int = 0
    failed: int = 0
    warnings: int = 0
    unknown_columns: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    customer_ids: list[int] = field(default_factory=list)

    def summary(self) -> dict:
        return {"rows": self.rows, "imported": self.imported, "failed": self.failed, "warnings": self.warnings,
                "unknown_columns": self.unknown_columns}


def _flatten(fields: dict, prefix: str = "") -> list[tuple[str, str]]:
    out = []
    for name, messages in fields.items():
        path = f"{prefix}.{name}" if prefix else str(name)
        if isinstance(messages, dict):
            out.extend(_flatten(messages, path))
        else:
            out.extend((path, str(m)) for m in (messages if isinstance(messages, list) else [messages]))
    return out


def read_table(path: Path, fmt: str) -> tuple[dict[int, str], list[str], list[tuple[int, list[str]]]]:
    """The column mapping, the unknown headers and the non-empty data rows with their row numbers.
    Raises :class:`FileProblem` for a file without a usable header or with too many rows."""
    rows = read_rows(path, fmt)
    header = next(rows, None)
    if header is None or not any(header):
        raise FileProblem("the file is empty: the first row must be the header", "文件为空：第一行应为表头")
    mapping, unknown = map_header(header)
    if "name" not in mapping.values():
        raise FileProblem("no name column (姓名/名称 or name) in the header", "表头缺少“姓名/名称”列")
    data = []
    for number, row in enumerate(rows, start=2):
        if any(cell for cell in row):
            data.append((number, row))
            if len(data) > MAX_ROWS:
                raise FileProblem(f"more than {MAX_ROWS} rows: split the file", f"超过{MAX_ROWS}行：请拆分文件")
    return mapping, unknown, data


def run_import(path: Path, fmt: str, *, region: str = "CN", created_by: int | None = None,
               progress=None, report_path: Path | None = None) -> ImportResult:
    """Import the file for the current tenant (see the module docstring)."""
    progress = progress or (lambda *a, **k: None)
    mapping, unknown, data = read_table(path, fmt)
    result = ImportResult(rows=len(data), unknown_columns=unknown)
    total = len(data) * 2  # checking, then writing
    prepared: list[_Prepared] = []
    for done, (number, row) in enumerate(data, start=1):
        body, errors = row_body(mapping, row)
        try:
            values, phones, archive = service.prepare(body, region)
        except InvalidInput as err:
            errors = {**err.fields, **errors}
        if errors:
            result.problems.extend(Problem(number, "error", f, m) for f, m in _flatten(errors))
            result.failed += 1
        else:
            candidate = service.candidate_from(f"row {number}", values, [r.stored for r, _ in phones])
            candidate = replace(candidate, keys=match_keys(candidate))  # computed once per row
            prepared.append(_Prepared(number, values, phones, archive, candidate, candidate.keys))
        if done % CHUNK == 0:
            progress(done, total, "checking rows")
    progress(len(data), total, "checking duplicates")
    accepted = _judge(prepared, result)
    effective = cus_policy().values["archive"]["confirm_by"] == NOT_REQUIRED
    for start in range(0, len(accepted), CHUNK):
        chunk = accepted[start:start + CHUNK]
        result.customer_ids.extend(_write(chunk, created_by, effective))
        progress(len(data) + start + len(chunk), total, "importing")
    result.imported = len(accepted)
    _record_warnings(result, accepted)
    result.problems.sort(key=lambda p: (p.row, p.level != "error"))
    if report_path is not None and result.problems:
        write_csv(report_path, REPORT_HEADER, (p.cells() for p in result.problems))
    progress(total, total, "done")
    return result


def _existing_candidates(keys: set[str]) -> list[Candidate]:
    """The tenant's customers sharing a key with the file, as CUS-13 candidates."""
    ids: set[int] = set()
    ordered = sorted(keys)
    postgres = db.session.get_bind().dialect.name == "postgresql"
    for start in range(0, len(ordered), KEY_BATCH):
        batch = ordered[start:start + KEY_BATCH]
        # one array parameter on PostgreSQL (binding thousands of IN parameters costs more than the look-up)
        matches = CustomerKey.key == any_(bindparam("keys", batch, type_=ARRAY(String))) if postgres \
            else CustomerKey.key.in_(batch)
        ids.update(db.session.scalars(select(CustomerKey.customer_id).where(matches)))
    out = []
    id_list = sorted(ids)
    for start in range(0, len(id_list), KEY_BATCH):
        batch = id_list[start:start + KEY_BATCH]
        stored: dict[int, set[str]] = {}
        for customer_id, key in db.session.execute(select(CustomerKey.customer_id, CustomerKey.key)
                                                   .where(CustomerKey.customer_id.in_(batch))):
            stored.setdefault(customer_id, set()).add(key)
        out.extend(replace(service.candidate_of(c), keys=frozenset(stored.get(c.id, ())))
                   for c in db.session.scalars(select(Customer).where(Customer.id.in_(batch)).order_by(Customer.id)))
    return out


def _judge(prepared: list[_Prepared], result: ImportResult) -> list[_Prepared]:
    """CUS-13 for every prepared row; returns the rows that land (refused ones become errors)."""
    if not prepared:
        return []
    keys = set().union(*(p.keys for p in prepared))
    settings = DedupeSettings.from_policy(cus_policy().values)
    verdicts = check_import([p.candidate for p in prepared], _existing_candidates(keys), settings)
    accepted = []
    for item, verdict in zip(prepared, verdicts):
        if verdict.refused:
            first = verdict.exact[0]
            result.problems.append(Problem(item.row, "error", first.family, first.reason_en, first.candidate_id))
            result.failed += 1
            continue
        for match in verdict.likely:
            result.problems.append(Problem(item.row, "warning", ",".join(match.families), match.reason_en,
                                           match.candidate_id))
        for hint in verdict.households:
            result.problems.append(Problem(item.row, "warning", "landline", hint.reason_en, hint.candidate_id))
        if verdict.warnings:
            result.warnings += 1
            item.verdict = verdict
        accepted.append(item)
    return accepted


def _write(chunk: list[_Prepared], created_by: int | None, effective: bool) -> list[int]:
    """Bulk-insert a chunk of accepted rows: customers, their phones, contacts and match keys.
    ``effective``: the archives take effect now (no confirmation required, CUS-06)."""
    connection = db.session.connection()
    tenant_id = current_tenant_id()
    now = utcnow()
    customer_ids = allocate_ids(connection, len(chunk))
    row_count = sum(len(p.phones) + len(p.archive.contacts or ()) + len(p.archive.addresses or ()) for p in chunk)
    row_ids = iter(allocate_ids(connection, row_count))
    customers, phones, keys, contacts, addresses = [], [], [], [], []
    for item, customer_id in zip(chunk, customer_ids):
        v = item.values
        archived = item.archive.values
        nk = name_keys(v["name"], v["kind"])
        customers.append({
            "tenant_id": tenant_id, "id": customer_id, "kind": v["kind"], "name": v["name"],
            "name_key": nk.exact, "name_pinyin": nk.pinyin, "name_initials": nk.initials,
            "resident_id": v.get("resident_id"), "uscc": v.get("uscc"), "birth_date": v.get("birth_date"),
            "gender": v.get("gender"), "district": v.get("district"), "address": v.get("address"),
            "source": v.get("source"), "note": v.get("note"), "created_by": created_by, "created_at": now,
            "updated_at": now, "category": archived.get("category"), "lifecycle_stage": archived.get("lifecycle_stage"),
            "flags": archived.get("flags") or [], "extra": archived.get("extra") or {},
            "effective_at": now if effective else None,
        })
        for result, label in item.phones:
            phones.append({"tenant_id": tenant_id, "id": next(row_ids), "customer_id": customer_id,
                           "e164": result.stored, "kind": result.kind, "extension": result.extension,
                           "label": label})
        contacts.extend({"tenant_id": tenant_id, "id": next(row_ids), "customer_id": customer_id, "position": i,
                         **{c: row.get(c) for c in CONTACT_COLUMNS}} for i, row in enumerate(item.archive.contacts or ()))
        addresses.extend({"tenant_id": tenant_id, "id": next(row_ids), "customer_id": customer_id, "position": i,
                          "kind": row.get("kind"), "text": row.get("text"), "district": row.get("district")}
                         for i, row in enumerate(item.archive.addresses or ()))
        keys.extend({"tenant_id": tenant_id, "key": k, "customer_id": customer_id} for k in sorted(item.keys))
        item.customer_id = customer_id
    for table, rows in ((Customer.__table__, customers), (CustomerPhone.__table__, phones),
                        (CustomerKey.__table__, keys), (CustomerContact.__table__, contacts),
                        (CustomerAddress.__table__, addresses)):
        _bulk_insert(connection, table, rows)
    return customer_ids


def _bulk_insert(connection, table, rows: list[dict]) -> None:
    if not rows:
        return
    columns = list(rows[0])
    if connection.dialect.name == "postgresql":
        # COPY into a tenant table is refused under row-level security: COPY into a temporary copy of
        # its columns, then one INSERT … SELECT, which row-level security checks row by row
        raw = connection.connection.driver_connection
        names = ", ".join(f'"{c}"' for c in columns)
        staging = f"import_{table.name}"
        with raw.cursor() as cursor:
            cursor.execute(f'CREATE TEMP TABLE IF NOT EXISTS "{staging}" '
                           f'(LIKE "{table.name}" INCLUDING DEFAULTS) ON COMMIT DROP')
            with cursor.copy(f'COPY "{staging}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row([_copy_value(row[c]) for c in columns])
            cursor.execute(f'INSERT INTO "{table.name}" ({names}) SELECT {names} FROM "{staging}"')
            cursor.execute(f'TRUNCATE "{staging}"')
        return
    connection.execute(table.insert(), rows)


def _copy_value(value):
    """JSON columns (flags, extra) go through COPY as their JSON text."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _record_warnings(result: ImportResult, accepted: list[_Prepared]) -> None:
    """A CUS-13 decision on each imported customer that landed with likely duplicates (as on create)."""
    for item in accepted:
        verdict = item.verdict
        if verdict is None:
            continue
        candidates = sorted({str(w.candidate_id) for w in verdict.warnings})
        decisions.record("CUS-13", "customer", item.customer_id, outcome=verdict.outcome(),
                         reason_zh=verdict.reason_zh, reason_en=verdict.reason_en,
                         facts={"event": "import", "row": item.row, "candidates": candidates})
