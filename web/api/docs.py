"""A server-rendered API reference at /api/v1/docs, made from the OpenAPI document (no CDN, no JS)."""
from __future__ import annotations

from flask import Flask, render_template


def init_app(app: Flask, api) -> None:
    @app.get("/api/v1/docs")
    def api_docs():
        spec = api.spec.to_dict()
        operations = []
        for path, item in sorted(spec.get("paths", {}).items()):
            for method in ("get", "post", "put", "patch", "delete"):
                if method in item:
                    op = item[method]
                    operations.append({
                        "path": path, "method": method.upper(), "summary": op.get("summary", ""),
                        "description": op.get("description", ""), "tags": op.get("tags", []),
                        "parameters": op.get("parameters", []) + item.get("parameters", []),
                        "body": (op.get("requestBody") or {}).get("content", {}).get("application/json", {})
                        .get("schema", {}).get("$ref", "").rsplit("/", 1)[-1],
                        "responses": sorted(op.get("responses", {}).keys()),
                    })
        schemas = spec.get("components", {}).get("schemas", {})
        return render_template("api/docs.html", spec=spec, operations=operations, schemas=schemas)
