"""A real HTTP SMS gateway on localhost for delivery tests: it records every request and, like
real gateways, keeps one message per ``Idempotency-Key``."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Gateway:
    def __init__(self, fail_first: int = 0):
        self.requests: list[dict] = []
        self.messages: dict[str, dict] = {}
        self.fail_first = fail_first
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode("utf-8")
                key = self.headers.get("Idempotency-Key", "")
                gateway.requests.append({"key": key, "body": body, "path": self.path})
                if len(gateway.requests) <= gateway.fail_first:
                    self.send_response(503)
                    self.end_headers()
                    self.wfile.write(b"busy")
                    return
                gateway.messages.setdefault(key, json.loads(body) if body.startswith("{") else {"raw": body})
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b'{"ok": true}')

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
