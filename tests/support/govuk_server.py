"""A fake GOV.UK for end-to-end tests: Search API, Content API and attachment files (stdlib only).

:class:`FakeGovuk` serves on 127.0.0.1 and an ephemeral port, from a background thread:

- ``GET /api/search.json``: the Search API for the releases added with :meth:`FakeGovuk.add_release`,
  filtered on ``filter_content_store_document_type``, ``filter_organisations`` (repeatable, any
  of), ``filter_public_timestamp`` (``from:``/``to:`` days) and ``q`` (every word in the title or
  description), ordered by ``order`` (``-public_timestamp`` or ``public_timestamp``; otherwise
  by link, standing in for "most viewed"), paged with ``start``/``count``, trimmed to ``fields``.
  Unknown or invalid parameters give HTTP 422 with ``{"error": ...}``, as the real API does.
  ``max_count`` makes pages shorter than asked for, to exercise paging with few releases.
- ``GET /api/content/<base_path>``: any item added (releases, HTML publications, organisations),
  or 404.
- any other path added with :meth:`FakeGovuk.add_file`: its bytes and content type, or 404.

Every request is recorded in :attr:`FakeGovuk.requests`; ``after_search`` hooks run after a
search page is answered (e.g. to publish a new release between two pages).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from .fixtures_govuk import search_result

SEARCH_PATH = "/api/search.json"
CONTENT_PREFIX = "/api/content"
MAX_COUNT = 1500
SEARCH_PARAMS = frozenset(
    {
        "q",
        "order",
        "count",
        "start",
        "fields",
        "filter_content_store_document_type",
        "filter_organisations",
        "filter_public_timestamp",
        "aggregate_organisations",
    }
)
ORDERS = frozenset({"public_timestamp", "-public_timestamp", "title", "-title", "popularity", "-popularity"})
DEBUG_FIELDS = ("index", "es_score", "_id", "elasticsearch_type", "document_type")
_TIMESTAMP = re.compile(r"^(from|to):(\d{4}-\d{2}-\d{2})$")


@dataclass
class RecordedRequest:
    path: str
    query: dict[str, list[str]]
    status: int


@dataclass
class FakeGovuk:
    max_count: int | None = None
    releases: dict[str, dict[str, Any]] = field(default_factory=dict)
    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    requests: list[RecordedRequest] = field(default_factory=list)
    after_search: list[Callable[[FakeGovuk, dict[str, list[str]]], None]] = field(default_factory=list)

    def __post_init__(self):
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # --- content -------------------------------------------------------------------------

    def add_release(self, content: dict[str, Any]) -> None:
        """A release found by search and served by the Content API."""
        self.releases[content["base_path"]] = content
        self.items[content["base_path"]] = content

    def add_item(self, content: dict[str, Any]) -> None:
        """A content item served by the Content API only (HTML publication, organisation)."""
        self.items[content["base_path"]] = content

    def add_file(self, path: str, data: bytes, content_type: str) -> str:
        """A file at ``path``; returns its absolute URL on this server."""
        self.files[path] = (data, content_type)
        return f"{self.url}{path}"

    # --- server --------------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._server is not None, "start the server first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeGovuk:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> FakeGovuk:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def paths(self, prefix: str = "") -> list[str]:
        with self._lock:
            return [r.path for r in self.requests if r.path.startswith(prefix)]

    def _record(self, path: str, query: dict[str, list[str]], status: int) -> None:
        with self._lock:
            self.requests.append(RecordedRequest(path, query, status))

    # --- answers -------------------------------------------------------------------------

    def answer(self, path: str, query: dict[str, list[str]]) -> tuple[int, bytes, str]:
        if path == SEARCH_PATH:
            status, body = self._search(query)
            return status, json.dumps(body).encode(), "application/json"
        if path.startswith(f"{CONTENT_PREFIX}/"):
            item = self.items.get(path.removeprefix(CONTENT_PREFIX))
            if item is None:
                return 404, json.dumps({"error": {"code": 404, "message": "Not found"}}).encode(), "application/json"
            return 200, json.dumps(item).encode(), "application/json"
        if path in self.files:
            data, content_type = self.files[path]
            return 200, data, content_type
        return 404, b"<html><body><h1>Page not found</h1></body></html>", "text/html; charset=utf-8"

    def _search(self, query: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        unknown = sorted(set(query) - SEARCH_PARAMS)
        if unknown:
            return 422, {"error": f"Unexpected parameters: {', '.join(unknown)}"}
        try:
            start = _int(query, "start", 0)
            count = _int(query, "count", 10)
        except ValueError as exc:
            return 422, {"error": str(exc)}
        if count > MAX_COUNT:
            return 422, {"error": f'Maximum result set size (as specified in "count") is {MAX_COUNT}'}
        order = query.get("order", [""])[-1]
        if order and order not in ORDERS:
            return 422, {"error": f'"{order}" is not a valid sort field'}
        bounds = {}
        for stamp in query.get("filter_public_timestamp", []):
            for part in stamp.split(","):
                match = _TIMESTAMP.match(part)
                if not match:
                    return 422, {"error": f'Invalid value "{stamp}" for parameter "filter_public_timestamp"'}
                bounds[match.group(1)] = match.group(2)
        fields = [f for value in query.get("fields", []) for f in value.split(",") if f]

        hits = [search_result(item) for item in self.releases.values()]
        types = set(query.get("filter_content_store_document_type", []))
        orgs = set(query.get("filter_organisations", []))
        words = " ".join(query.get("q", [])).lower().split()
        hits = [
            h
            for h in hits
            if (not types or h["content_store_document_type"] in types)
            and (not orgs or orgs & {o["slug"] for o in h["organisations"]})
            and ("from" not in bounds or h["public_timestamp"][:10] >= bounds["from"])
            and ("to" not in bounds or h["public_timestamp"][:10] <= bounds["to"])
            and all(w in f"{h['title']} {h['description']}".lower() for w in words)
        ]
        if order.lstrip("-") == "public_timestamp":
            hits.sort(key=lambda h: (h["public_timestamp"], h["link"]), reverse=order.startswith("-"))
        else:
            hits.sort(key=lambda h: h["link"])
        if self.max_count is not None:
            count = min(count, self.max_count)
        page = hits[start : start + count]
        if fields:
            page = [{k: h[k] for k in fields if k in h} for h in page]
        for h in page:
            h.update({"index": "govuk", "es_score": None, "_id": h.get("link"), "elasticsearch_type": "edition"})
            h["document_type"] = "edition"
        return 200, {
            "results": page,
            "total": len(hits),
            "start": start,
            "aggregates": {},
            "suggested_queries": [],
            "suggested_autocomplete": [],
            "es_cluster": "A",
        }


def _int(query: dict[str, list[str]], name: str, default: int) -> int:
    values = query.get(name)
    if not values:
        return default
    try:
        value = int(values[-1])
    except ValueError:
        value = -1
    if value < 0:
        raise ValueError(f'Invalid value "{values[-1]}" for parameter "{name}" (expected positive integer)')
    return value


def _handler(api: FakeGovuk) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            parts = urlsplit(self.path)
            path, query = unquote(parts.path), parse_qs(parts.query, keep_blank_values=True)
            status, body, content_type = api.answer(path, query)
            api._record(path, query, status)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            if path == SEARCH_PATH and status == 200:
                for hook in list(api.after_search):
                    hook(api, query)

        def log_message(self, format, *args):  # quiet
            pass

    return Handler
