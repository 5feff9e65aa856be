"""The OpenAPI document, made accurate: every error is documented with the one error shape.

FastAPI documents 422 as its own ``HTTPValidationError`` (``{"detail": [...]}``) while this API
answers ``{"error": {"code", "message", "details"?}}``; every keyed operation can also answer
401, 403 and 429, every operation with a body 413, and every operation that reads the database
503 when it is busy. This rewrites the generated document so
that schema-driven clients (and schemathesis) see what the server really sends.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {
        "type": "object",
        "required": ["code", "message"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                       "details": {}},
    }},
}
_KEYED = {"401": "missing, unknown or revoked API key", "403": "key lacks the role or scope",
          "429": "rate limited"}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def install_openapi(app: FastAPI, public_paths: frozenset[str]) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        doc = get_openapi(title=app.title, version=app.version, description=app.description,
                          routes=app.routes)
        schemas = doc.setdefault("components", {}).setdefault("schemas", {})
        schemas["Error"] = ERROR_SCHEMA
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
        doc["components"]["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
        for path, item in doc.get("paths", {}).items():
            for operation in item.values():
                responses = operation.setdefault("responses", {})
                for code, response in list(responses.items()):
                    if code[0] == "4":
                        responses[code] = _error(response.get("description", "error"))
                if path not in public_paths:
                    operation["security"] = [{"bearer": []}]
                    for code, text in _KEYED.items():
                        responses.setdefault(code, _error(text))
                if "requestBody" in operation:
                    responses.setdefault("413", _error("request body too large"))
                    responses.setdefault("422", _error("invalid request"))
                if path != "/healthz":
                    responses.setdefault("503", _error(
                        "the database is busy or unavailable: retry after Retry-After seconds"))
        app.openapi_schema = doc
        return doc

    app.openapi = openapi  # type: ignore[method-assign]
