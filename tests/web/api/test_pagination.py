"""X-Pagination totals count the caller's tenant only (the ORM tenant criteria apply to the count too,
not just row-level security, which SQLite does not have)."""
import json


def test_totals_never_count_another_tenants_rows(client, two_tenants):
    a, b = two_tenants
    for name in ("u1", "u2"):
        assert client.post("/api/v1/users", headers=b.headers(), json={
            "username": name, "display_name": name}).status_code == 201
    for path in ("/api/v1/users", "/api/v1/audit", "/api/v1/customers"):
        mine = client.get(path, headers=a.headers(), query_string={"page_size": 100})
        assert mine.status_code == 200
        assert json.loads(mine.headers["X-Pagination"]).get("total", 0) == len(mine.get_json()), path
    assert json.loads(client.get("/api/v1/users", headers=a.headers()).headers["X-Pagination"])["total"] == 1
