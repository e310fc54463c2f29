"""Customer import throughput against PostgreSQL COPY into the same table.

A CSV of realistic rows is generated (Chinese names from common surnames and given-name characters,
unique mobiles, a third with a landline, a quarter with a valid resident id, 1% bad rows), then:

- **import**: :func:`core.customers.transfer.imports.run_import` for one tenant, as the ``cus.import``
  job runs it (as ``kehu_app`` with row-level security; every row validated and normalised (CUS-10..12),
  judged for duplicates against the tenant and the file (CUS-13), written with its phones and match
  keys), committed;
- **COPY**: the rows that import wrote — the customers with their phones and match keys — read back,
  given another tenant and new ids, and copied by the owner role (PostgreSQL's fastest path: no
  validation, no row-level security) into the same tables.

Printed: customers per second of both and the ratio import ÷ COPY. Target: >= 0.15. The two are timed back
to back in the same process, on the same database; each tenant starts empty.
"""
from __future__ import annotations

import csv
import json
import datetime as dt
import random
import tempfile
import time
from pathlib import Path

from bench.common import BenchEnv

TARGET = 0.15
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国文晓红玉梅林飞鹏辉斌宇浩凯鑫俊帅欣怡佳琪雪婷颖慧敏婉嘉子涵梓轩宇航思远"
DISTRICTS = ("锦江区", "青羊区", "金牛区", "武侯区", "成华区", "龙泉驿区", "新都区", "温江区", "双流区", "郫都区")


def _resident_id(rng: random.Random) -> str:
    from core.customers.identity import resident_id_check_digit

    birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 55))
    first17 = f"510104{birth:%Y%m%d}{rng.randrange(0, 1000):03d}"
    return first17 + resident_id_check_digit(first17)


def make_csv(path: Path, rows: int, seed: int = 20261206) -> None:
    rng = random.Random(seed)
    mobiles = rng.sample(range(10**9), rows)
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["姓名", "手机", "座机", "身份证号", "区县", "地址", "来源", "备注"])
        for i in range(rows):
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.8 else "")
            mobile = f"13{mobiles[i]:09d}"
            if rng.random() < 0.01:
                mobile = "1" + mobile  # 12 digits: a bad row
            landline = f"028-{rng.randrange(2000000, 9999999)}{rng.randrange(0, 10)}" if rng.random() < 0.33 else ""
            rid = _resident_id(rng) if rng.random() < 0.25 else ""
            district = rng.choice(DISTRICTS)
            writer.writerow([name, mobile, landline, rid, district, f"成都市{district}{rng.randrange(1, 999)}号",
                             rng.choice(("来电", "来访", "转介绍", "展会")), ""])


def _copy_baseline(env: BenchEnv, source_tenant: int, target_tenant: int) -> tuple[int, float]:
    """COPY (owner role) the rows the import wrote — customers, their phones and match keys — again,
    under another tenant with new ids. Returns (customers copied, seconds of the COPYs)."""
    from sqlalchemy import text

    from core.db import ID_SEQUENCE

    tables = {}
    with env.owner_engine.connect() as conn:
        for table in ("customers", "customer_phones", "customer_keys"):
            result = conn.execute(text(f'select * from "{table}" where tenant_id = :t'), {"t": source_tenant})
            tables[table] = (list(result.keys()), [list(r) for r in result])
        count = len(tables["customers"][1]) + len(tables["customer_phones"][1])
        base = conn.execute(text(f"select setval('{ID_SEQUENCE}', nextval('{ID_SEQUENCE}') + :n)"),
                            {"n": count + 1}).scalar_one() - count
        conn.commit()
        new_id: dict[int, int] = {}
        for table in ("customers", "customer_phones"):
            columns, rows = tables[table]
            for row in rows:
                new_id[row[columns.index("id")]] = base + len(new_id)
        for table, (columns, rows) in tables.items():
            for row in rows:
                row[:] = [json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v for v in row]
                row[columns.index("tenant_id")] = target_tenant
                for name in ("id", "customer_id"):
                    if name in columns:
                        row[columns.index(name)] = new_id[row[columns.index(name)]]
        raw = conn.connection.driver_connection
        start = time.perf_counter()
        with raw.cursor() as cursor:
            for table, (columns, rows) in tables.items():
                names = ", ".join(f'"{c}"' for c in columns)
                with cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
        raw.commit()
        return len(tables["customers"][1]), time.perf_counter() - start


def run(env: BenchEnv, quick: bool = False, verbose: bool = False) -> list[dict]:
    from core.db import db
    from core.tenancy import tenant_scope
    from core.customers.transfer.imports import run_import
    from tenants.service import create_tenant

    rows = 20_000 if quick else 100_000
    print(f"Import vs COPY ({rows:,} rows)")
    with tempfile.TemporaryDirectory(prefix="kehu-bench-import-") as tmp:
        path = Path(tmp) / "customers.csv"
        make_csv(path, rows)
        with env.app.app_context():
            importer = create_tenant(f"bench-import-{time.time_ns()}", "导入测试", industry="generic")
            baseline = create_tenant(f"bench-copy-{time.time_ns()}", "COPY基线", industry="generic")
            importer_id, baseline_id = importer.id, baseline.id
            db.session.commit()
            start = time.perf_counter()
            with tenant_scope(importer_id):
                result = run_import(path, "csv", region="CN")
                db.session.commit()
            import_seconds = time.perf_counter() - start
            db.session.remove()
        copied, copy_seconds = _copy_baseline(env, importer_id, baseline_id)
    import_rate = result.imported / import_seconds
    copy_rate = copied / copy_seconds
    ratio = import_rate / copy_rate
    print(f"  import: {result.imported:,} of {rows:,} rows imported ({result.failed:,} reported) in "
          f"{import_seconds:.1f} s = {import_rate:,.0f} rows/s")
    print(f"  COPY:   the same {copied:,} customers with their phones and keys in {copy_seconds:.2f} s = "
          f"{copy_rate:,.0f} customers/s")
    print(f"  ratio import/COPY = {ratio:.3f} (target >= {TARGET})\n")
    return [{"name": "import rows/s ÷ COPY rows/s", "value": ratio, "target": f">= {TARGET}",
             "verdict": "ok" if ratio >= TARGET else "SLOW",
             "detail": f"{import_rate:,.0f} vs {copy_rate:,.0f} rows/s, {rows:,} rows in {import_seconds:.0f} s"}]
