"""Make the trimmed copies of GitHub's official descriptions that tests/github checks against.

Run by hand after `npm pack @octokit/openapi @octokit/openapi-webhooks @octokit/webhooks-examples`
and unpacking each into a folder:

    python tests/github/spec/trim.py OPENAPI_DIR WEBHOOKS_DIR EXAMPLES_DIR

It keeps only the REST operations Rota calls (their parameters, request bodies and status
codes), the webhook schemas of the events Rota reads, reduced to the fields it reads (type and
required-ness kept as published), and one recorded payload per event and action Rota handles.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent

OPERATIONS = [
    ("get", "/repos/{owner}/{repo}/pulls/{pull_number}/files"),
    ("post", "/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers"),
    ("delete", "/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers"),
    ("get", "/search/issues"),
    ("post", "/app/installations/{installation_id}/access_tokens"),
    ("get", "/repos/{owner}/{repo}/contents/{path}"),
]

# What Rota reads of each payload: nested keys; "[]" stands for the items of an array.
PULL_REQUEST_READ = {
    "action": {},
    "repository": {"full_name": {}},
    "pull_request": {
        "number": {},
        "draft": {},
        "user": {"login": {}},
        "requested_reviewers": {"[]": {"login": {}}},
    },
}
WEBHOOKS = {
    "pull-request-opened": PULL_REQUEST_READ,
    "pull-request-reopened": PULL_REQUEST_READ,
    "pull-request-ready-for-review": PULL_REQUEST_READ,
    "pull-request-closed": PULL_REQUEST_READ,
    "pull-request-review-requested": {**PULL_REQUEST_READ, "requested_reviewer": {"login": {}}},
    "pull-request-review-request-removed": {
        **PULL_REQUEST_READ,
        "requested_reviewer": {"login": {}},
    },
    "pull-request-review-submitted": {
        "action": {},
        "repository": {"full_name": {}},
        "pull_request": {"number": {}},
        "review": {"user": {"login": {}}},
    },
}
EXAMPLES = {
    ("pull_request", "opened"),
    ("pull_request", "reopened"),
    ("pull_request", "ready_for_review"),
    ("pull_request", "closed"),
    ("pull_request", "review_requested"),
    ("pull_request", "review_request_removed"),
    ("pull_request_review", "submitted"),
    ("ping", None),
}


def resolve(node: Any, root: dict[str, Any]) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = root
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def reduce(schema: Any, read: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    schema = resolve(schema, root)
    for key in ("oneOf", "anyOf", "allOf"):
        if key in schema:
            return {key: [reduce(s, read, root) for s in schema[key]]}
    out: dict[str, Any] = {k: schema[k] for k in ("type", "nullable", "enum") if k in schema}
    if "[]" in read and "items" in schema:
        out["items"] = reduce(schema["items"], read["[]"], root)
    properties = schema.get("properties", {})
    kept = {
        name: reduce(properties[name], sub, root)
        for name, sub in read.items()
        if name in properties
    }
    if kept:
        out["properties"] = kept
        required = [name for name in schema.get("required", []) if name in kept]
        if required:
            out["required"] = required
    return out


def main(openapi_dir: str, webhooks_dir: str, examples_dir: str) -> None:
    rest = json.loads((Path(openapi_dir) / "generated/api.github.com.deref.json").read_text())
    operations = {}
    for method, path in OPERATIONS:
        op = rest["paths"][path][method]
        body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
        operations[f"{method.upper()} {path}"] = {
            "operationId": op["operationId"],
            "parameters": [
                {k: p[k] for k in ("name", "in", "required", "schema") if k in p}
                for p in op.get("parameters", [])
            ],
            "requestBody": body.get("schema"),
            "responses": sorted(op["responses"]),
        }
    (HERE / "rest.json").write_text(json.dumps(operations, indent=1, sort_keys=True) + "\n")

    hooks = json.loads((Path(webhooks_dir) / "generated/api.github.com.json").read_text())
    schemas = {}
    for name, read in WEBHOOKS.items():
        content = hooks["webhooks"][name]["post"]["requestBody"]["content"]["application/json"]
        schemas[name] = reduce(content["schema"], read, hooks)
    (HERE / "webhooks.json").write_text(json.dumps(schemas, indent=1, sort_keys=True) + "\n")

    examples = json.loads((Path(examples_dir) / "api.github.com/index.json").read_text())
    payloads = HERE.parent / "payloads"
    payloads.mkdir(exist_ok=True)
    for event in examples:
        for example in event["examples"]:
            wanted = (event["name"], example.get("action"))
            if wanted in EXAMPLES:
                EXAMPLES.discard(wanted)
                name = f"{wanted[0]}.{wanted[1]}.json" if wanted[1] else f"{wanted[0]}.json"
                (payloads / name).write_text(json.dumps(example, indent=1) + "\n")
    if EXAMPLES:
        print("no recorded example for:", sorted(EXAMPLES, key=str))


if __name__ == "__main__":
    main(*sys.argv[1:4])
