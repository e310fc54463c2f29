"""The OpenAPI document is whole: every schema has its own name. apispec renames a schema whose name
is taken (``DecisionBrief`` → ``DecisionBrief1``, with a warning at start-up), and clients generated
from the document would get confusing types."""
import re


def test_openapi_document_has_no_renamed_schemas(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    names = list(spec["components"]["schemas"])
    assert len(names) > 100 and "/api/v1/customers/{customer_id}/owner" in spec["paths"]
    assert [n for n in names if re.search(r"[a-z]\d+$", n)] == []
