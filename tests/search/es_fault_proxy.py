"""A fault-injecting HTTP proxy in front of the real Elasticsearch node, for bulk tests.

It forwards every request unchanged, except ``_bulk`` requests while ``reject_rounds`` is above
zero: then every ``reject_every``-th action (or every action whose id ``reject_ids`` picks) is
held back (never reaches the node) and answered with the per-item HTTP 429 an overloaded node
sends ("es_rejected_execution_exception"). What
the node did index is real, so a test can count documents on the node itself.
"""

from __future__ import annotations

import http.client
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

REJECTION = {"type": "es_rejected_execution_exception", "reason": "rejected by the test proxy: write queue full"}


class FaultProxy:
    def __init__(self, es_url: str, reject_every: int = 3, reject_rounds: int = 1, reject_ids=None):
        target = urlsplit(es_url)
        self.target = (target.hostname, target.port)
        self.reject_every, self.reject_rounds = reject_every, reject_rounds
        self.reject_ids = reject_ids  # optional predicate on document ids: reject exactly those
        self.rejected: list[str] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "FaultProxy":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep pytest output clean
                pass

            def _forward(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path.split("?")[0].endswith("/_bulk") and proxy._should_reject():
                    return self._bulk_with_rejections(body)
                status, headers, payload = proxy.send(self.command, self.path, body, self.headers)
                self._reply(status, headers, payload)

            def _bulk_with_rejections(self, body: bytes):
                lines = [line for line in body.split(b"\n") if line.strip()]
                pairs = [(lines[i], lines[i + 1]) for i in range(0, len(lines), 2)]  # index actions only
                kept, results = [], []
                for position, (action, source) in enumerate(pairs):
                    meta = next(iter(json.loads(action).values()))
                    if (proxy.reject_ids(meta["_id"]) if proxy.reject_ids else position % proxy.reject_every == 0):
                        results.append(("rejected", meta))
                        with proxy.lock:
                            proxy.rejected.append(meta["_id"])
                    else:
                        kept.extend((action, source))
                        results.append(("kept", meta))
                forwarded = {"items": [], "errors": False}
                headers = {"Content-Type": "application/json", "X-Elastic-Product": "Elasticsearch"}
                if kept:
                    status, headers, payload = proxy.send("POST", self.path, b"\n".join(kept) + b"\n", self.headers)
                    forwarded = json.loads(payload)
                answers = iter(forwarded["items"])
                items = [next(answers) if kind == "kept" else
                         {"index": {"_index": meta.get("_index"), "_id": meta["_id"], "status": 429, "error": REJECTION}}
                         for kind, meta in results]
                payload = json.dumps({"took": 1, "errors": True, "items": items}).encode()
                self._reply(200, headers, payload)

            def _reply(self, status, headers, payload):
                self.send_response(status)
                for name, value in headers.items():
                    if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(name, value)
                if self.command == "HEAD":  # no body, but the length the node announced
                    self.send_header("Content-Length", headers.get("content-length", "0"))
                    self.end_headers()
                    return
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _forward

        return Handler

    def _should_reject(self) -> bool:
        with self.lock:
            if self.reject_rounds <= 0:
                return False
            self.reject_rounds -= 1
            return True

    def send(self, method, path, body, headers):
        connection = http.client.HTTPConnection(*self.target, timeout=30)
        try:
            forwarded = {k: v for k, v in headers.items() if k.lower() not in ("host", "content-length", "connection")}
            connection.request(method, path, body=body or None, headers=forwarded)
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()
