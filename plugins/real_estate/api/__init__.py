"""The plugin's REST endpoints (flask-smorest blueprints under ``/api/v1/re/...``, ``kehu_api_endpoints``):
one module per part, in the OpenAPI document, 404 for tenants without the plugin."""
