"""The OpenAPI document is whole: every schema has its own name (apispec renames clashing schemas
with a warning, and clients generated from the document would get confusing types)."""
import warnings

from web.app import create_app


def test_openapi_document_has_no_clashing_schema_names(database_url, plugins):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a clash is a UserWarning of apispec
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x",
                          "KEHU_REDIS_URL": None, "KEHU_JOBS_MODE": "inline", "KEHU_LOAD_ENTRY_POINTS": False},
                         plugins=plugins)
        spec = app.extensions["kehu_api"].spec.to_dict()
    assert "/api/v1/customers/{customer_id}/owner" in spec["paths"]
    assert len(spec["components"]["schemas"]) > 100
