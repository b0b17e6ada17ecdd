"""Checks against GitHub's official descriptions (trimmed copies in spec/, see spec/trim.py):
a small JSON-schema subset (type, nullable, enum, required, properties, items, oneOf/anyOf/
allOf), enough for the schemas kept there."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

SPEC = Path(__file__).parent / "spec"
PAYLOADS = Path(__file__).parent / "payloads"

TYPES = {
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "object": dict,
    "array": list,
    "null": type(None),
}


@cache
def rest_operations() -> dict[str, Any]:
    return json.loads((SPEC / "rest.json").read_text())


@cache
def webhook_schemas() -> dict[str, Any]:
    return json.loads((SPEC / "webhooks.json").read_text())


def payload(name: str) -> dict[str, Any]:
    """A recorded payload from @octokit/webhooks-examples, e.g. "pull_request.opened"."""
    return json.loads((PAYLOADS / f"{name}.json").read_text())


def _type_ok(value: Any, kind: str) -> bool:
    if kind in ("integer", "number") and isinstance(value, bool):
        return False
    return isinstance(value, TYPES[kind])


def schema_errors(
    value: Any, schema: dict[str, Any], where: str = "$", strict: bool = False
) -> list[str]:
    """Why `value` does not fit `schema` (empty when it does). `strict` also refuses object
    keys the schema does not describe (for what Rota sends)."""
    for key in ("oneOf", "anyOf"):
        if key in schema:
            options = [schema_errors(value, s, where, strict) for s in schema[key]]
            return [] if any(not o for o in options) else [f"{where}: fits none of {key}"]
    if "allOf" in schema:
        return [e for s in schema["allOf"] for e in schema_errors(value, s, where, strict)]
    errors: list[str] = []
    kinds = schema.get("type")
    if kinds is not None:
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if schema.get("nullable"):
            kinds = [*kinds, "null"]
        if not any(_type_ok(value, k) for k in kinds):
            return [f"{where}: {type(value).__name__} is not {'/'.join(kinds)}"]
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{where}: {value!r} not in {schema['enum']}")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        errors += [f"{where}.{k}: required" for k in schema.get("required", []) if k not in value]
        for key, sub in properties.items():
            if key in value:
                errors += schema_errors(value[key], sub, f"{where}.{key}", strict)
        if strict:
            errors += [f"{where}.{k}: not described" for k in value if k not in properties]
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            errors += schema_errors(item, schema["items"], f"{where}[{index}]", strict)
    return errors


def _template_regex(template: str) -> re.Pattern[str]:
    # {path} of the contents API may hold slashes; every other parameter is one segment.
    pattern = re.sub(r"\{[^/]+?\}", "[^/]+", template.replace("{path}", "\x00"))
    return re.compile("^" + pattern.replace("\x00", ".+") + "$")


def request_errors(method: str, path: str, query: dict[str, list[str]], body: Any) -> list[str]:
    """Why a request Rota sent is not one GitHub describes (empty when it is)."""
    found = [
        (key, op)
        for key, op in rest_operations().items()
        if key.split(" ", 1)[0] == method and _template_regex(key.split(" ", 1)[1]).match(path)
    ]
    if not found:
        return [f"{method} {path}: no such operation in the description"]
    key, op = found[0]
    errors = []
    declared = {p["name"]: p for p in op["parameters"] if p["in"] == "query"}
    errors += [
        f"{key}: query {n} required"
        for n, p in declared.items()
        if p.get("required") and n not in query
    ]
    errors += [f"{key}: query {n} not described" for n in query if n not in declared]
    for name, values in query.items():
        schema = declared.get(name, {}).get("schema", {})
        value: Any = values[0]
        if schema.get("type") == "integer":
            if not value.isdigit():
                errors.append(f"{key}: {name}={value} is not an integer")
                continue
            value = int(value)
            if "maximum" in schema and value > schema["maximum"]:
                errors.append(f"{key}: {name}={value} over {schema['maximum']}")
        elif "enum" in schema and value not in schema["enum"]:
            errors.append(f"{key}: {name}={value} not in {schema['enum']}")
    if op["requestBody"] is not None:
        errors += schema_errors(body, op["requestBody"], key, strict=True)
    elif body not in (None, b"", ""):
        errors.append(f"{key}: sends a body the operation does not take")
    return errors


def payload_errors(webhook: str, value: dict[str, Any]) -> list[str]:
    return schema_errors(value, webhook_schemas()[webhook])
