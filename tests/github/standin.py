"""A real local HTTP server standing in for GitHub's REST API, started by the tests.

It records every request and checks it against the official description (described.py);
`replies` queues canned answers per operation, for rate limits, 5xx and 422s.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.github.described import request_errors


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any
    at: float


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


ROUTES = {
    "files": re.compile(r"^GET /repos/[^/]+/[^/]+/pulls/\d+/files$"),
    "request": re.compile(r"^POST /repos/[^/]+/[^/]+/pulls/\d+/requested_reviewers$"),
    "remove": re.compile(r"^DELETE /repos/[^/]+/[^/]+/pulls/\d+/requested_reviewers$"),
    "search": re.compile(r"^GET /search/issues$"),
    "token": re.compile(r"^POST /app/installations/\d+/access_tokens$"),
    "contents": re.compile(r"^GET /repos/[^/]+/[^/]+/contents/.+$"),
}


class StandIn:
    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self.violations: list[str] = []
        self.replies: dict[str, list[Reply]] = defaultdict(list)
        self.files: list[str] = ["README.md"]
        self.issues: list[dict[str, Any]] = []
        self.contents: dict[str, str] = {}
        self.refuse: set[str] = set()  # logins answered with 422 (not collaborators)
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> StandIn:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def calls(self, route: str) -> list[Seen]:
        return [s for s in self.seen if ROUTES[route].match(f"{s.method} {s.path}")]

    def requested(self) -> list[str]:
        return [login for s in self.calls("request") for login in s.body.get("reviewers", [])]

    def answer(self, seen: Seen) -> Reply:
        key = f"{seen.method} {seen.path}"
        route = next((name for name, rx in ROUTES.items() if rx.match(key)), None)
        with self.lock:
            if route and self.replies[route]:
                return self.replies[route].pop(0)
        if route == "files":
            page = int(seen.query.get("page", ["1"])[0])
            per_page = int(seen.query.get("per_page", ["30"])[0])
            chunk = self.files[(page - 1) * per_page : page * per_page]
            return Reply(200, [{"filename": f, "status": "modified"} for f in chunk])
        if route == "request":
            refused = [r for r in seen.body.get("reviewers", []) if r.lower() in self.refuse]
            if refused:
                return Reply(
                    422,
                    {
                        "message": "Reviews may only be requested from collaborators. "
                        "One or more of the users or teams you specified is not a "
                        "collaborator of the octo/app repository."
                    },
                )
            return Reply(201, {"number": int(seen.path.split("/")[5])})
        if route == "remove":
            return Reply(200, {"number": int(seen.path.split("/")[5])})
        if route == "search":
            return Reply(
                200,
                {
                    "total_count": len(self.issues),
                    "incomplete_results": False,
                    "items": self.issues,
                },
            )
        if route == "token":
            return Reply(201, {"token": "ghs_standin", "expires_at": "2099-01-01T00:00:00Z"})
        if route == "contents":
            path = seen.path.split("/contents/", 1)[1]
            if path in self.contents:
                import base64

                content = base64.b64encode(self.contents[path].encode()).decode()
                return Reply(
                    200, {"type": "file", "path": path, "content": content, "encoding": "base64"}
                )
            return Reply(404, {"message": "Not Found"})
        return Reply(404, {"message": "Not Found"})

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body: Any = json.loads(raw) if raw else None
                seen = Seen(
                    self.command,
                    parts.path,
                    parse_qs(parts.query),
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                    time.time(),
                )
                with standin.lock:
                    standin.seen.append(seen)
                    standin.violations += request_errors(self.command, parts.path, seen.query, body)
                reply = standin.answer(seen)
                if reply.delay:
                    time.sleep(reply.delay)
                data = json.dumps(reply.body).encode() if reply.body is not None else b""
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = do_PATCH = do_PUT = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


def main() -> None:
    """`python -m tests.github.standin --port 8765`: serve the stand-in until stopped, printing
    each request and any departure from GitHub's description (used by `make run` when
    ROTA_GITHUB_STANDIN=1)."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--port", type=int, default=8765)
    options = parser.parse_args()
    standin = StandIn()
    standin.server.server_close()
    standin.server = ThreadingHTTPServer(("127.0.0.1", options.port), standin._handler())
    standin.server.daemon_threads = True

    class Printing(list):  # type: ignore[type-arg]
        def append(self, seen: Seen) -> None:
            print(f"GitHub stand-in: {seen.method} {seen.path} {seen.body or ''}", flush=True)

    class NotDescribed(list):  # type: ignore[type-arg]
        def __iadd__(self, found: Any) -> NotDescribed:
            for problem in found:
                print(f"GitHub stand-in: not in GitHub's description: {problem}", flush=True)
            return self

    standin.seen = Printing()
    standin.violations = NotDescribed()
    print(f"GitHub stand-in on {standin.url}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        standin.server.serve_forever()


if __name__ == "__main__":
    main()
