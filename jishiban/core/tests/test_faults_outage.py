"""The database away for 30 s: every request in the meantime fails fast with 503 and a clear
Chinese message (the workbench's page, the API's error body, Open311's error list), and the
running server recovers by itself once the database is back.

PostgreSQL: the test's own scratch database refuses connections and its sessions are
terminated (the shared server itself is never stopped). SQLite has no server to lose: what
takes it away from a running site is another process holding the write lock (a stuck import,
a backup); reads go on from the WAL, writes wait for the busy timeout and then get the 503.
"""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing

import pytest
import requests

from .processes import ON_POSTGRES, free_port, gunicorn, pg_admin, wait_until_up

pytestmark = pytest.mark.slow
OUTAGE_SECONDS = 30
MESSAGE = "数据库暂时无法访问"


def _appeal(n: int) -> dict:
    return {"channel": "12345-web", "external_id": f"OUT-{n}", "title": "井盖缺失",
            "content": f"某路口{n}号井盖缺失，行人容易跌落", "location": {"county": "370811"}}


class Clients:
    def __init__(self, base: str, token: str):
        self.base, self.token = base, token
        self.web = requests.Session()
        self.api = requests.Session()
        self.api.headers["Authorization"] = f"Bearer {token}"

    def sign_in(self, username: str) -> None:
        self.web.get(f"{self.base}/accounts/login/", timeout=10)
        response = self.web.post(f"{self.base}/accounts/login/", timeout=10, allow_redirects=False,
                                 data={"username": username, "password": "pw-for-tests-only",
                                       "csrfmiddlewaretoken": self.web.cookies["csrftoken"]})
        assert response.status_code == 302, response.text[:500]

    def reads(self) -> dict[str, requests.Response]:
        return {"web": self.web.get(f"{self.base}/appeals/", timeout=30),
                "api": self.api.get(f"{self.base}/api/v1/appeals", timeout=30),
                "open311": requests.get(f"{self.base}/open311/v2/requests.xml", timeout=30)}

    def write(self, n: int) -> requests.Response:
        return self.api.post(f"{self.base}/api/v1/appeals", json=_appeal(n), timeout=30)


def _assert_unavailable(kind: str, response: requests.Response) -> None:
    assert response.status_code == 503, (kind, response.status_code, response.text[:300])
    assert response.headers["Retry-After"] == "30"
    if kind == "api":
        assert response.json()["code"] == "unavailable" and MESSAGE in response.json()["detail"]
    elif kind == "open311":
        assert "<code>503</code>" in response.text and MESSAGE in response.text
    else:
        assert "服务暂时不可用" in response.text and MESSAGE in response.text


def test_database_away_for_30_seconds_answers_503_then_recovers(scratch, tmp_path):
    port = free_port()
    server = gunicorn(scratch, port, tmp_path / "web.log", FAULT_SQLITE_BUSY_SECONDS="2").start()
    try:
        wait_until_up(port, server)
        clients = Clients(f"http://127.0.0.1:{port}", scratch.token)
        clients.sign_in("dispatcher")
        assert {k: r.status_code for k, r in clients.reads().items()} == {"web": 200, "api": 200, "open311": 200}
        assert clients.write(0).status_code == 201

        with _database_away(scratch):
            started, rounds, n = time.monotonic(), 0, 1
            while time.monotonic() - started < OUTAGE_SECONDS:
                before = time.monotonic()
                if ON_POSTGRES:
                    for kind, response in clients.reads().items():
                        _assert_unavailable(kind, response)
                else:  # reads go on; a write waits for the busy timeout, then 503
                    assert all(r.status_code == 200 for r in clients.reads().values())
                _assert_unavailable("api", clients.write(n))
                n, rounds = n + 1, rounds + 1
                assert time.monotonic() - before < 10  # fails fast, does not hang
                time.sleep(max(0.0, 1 - (time.monotonic() - before)))
            assert rounds >= 5

        # Back: the same server processes answer again, with no restart.
        deadline = time.monotonic() + 20
        while True:
            statuses = {k: r.status_code for k, r in clients.reads().items()}
            if set(statuses.values()) == {200} or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert statuses == {"web": 200, "api": 200, "open311": 200}
        assert clients.write(10_000).status_code == 201
        assert server.process.poll() is None
    finally:
        server.stop()
    stored = {row[0] for row in scratch.query("SELECT external_id FROM appeals_appeal WHERE external_id LIKE 'OUT-%'")}
    assert stored == {"OUT-0", "OUT-10000"}  # what got 503 was not stored


class _database_away:
    def __init__(self, scratch):
        self.scratch, self.lock = scratch, None

    def __enter__(self):
        if ON_POSTGRES:
            name = self.scratch.pg_name
            pg_admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            pg_admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                     "AND pid <> pg_backend_pid()", name)
        else:
            self.lock = sqlite3.connect(self.scratch.url.removeprefix("sqlite:///"), isolation_level=None)
            self.lock.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, *exc):
        if ON_POSTGRES:
            pg_admin(f'ALTER DATABASE "{self.scratch.pg_name}" ALLOW_CONNECTIONS true')
        else:
            with closing(self.lock):
                self.lock.execute("ROLLBACK")
