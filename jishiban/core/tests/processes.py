"""Servers in processes of their own, on a database of their own, for the tests that kill them.

``scratch`` gives each test a fresh copy of one migrated and seeded database per test worker:
a file on SQLite, a database on the PostgreSQL server of ``DATABASE_URL`` (named after it, so
no one else's database is touched) — the same backend as the rest of the suite. ``Server``
starts gunicorn, the job cluster or any command there, and kills its whole process group.
Only 127.0.0.1 is contacted; every wait is bounded.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SECRET = "fault-tests-secret-key-that-is-long-enough-for-django-checks"
SUITE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = SUITE_URL.startswith(("postgres://", "postgresql://"))

PREPARE = """
import django, json; django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from jishiban.testing import load_reference_data, make_user
from jishiban.api.tokens import create_token
load_reference_data()
users = [make_user("operator", "operator", org="centre-city"),
         make_user("dispatcher", "dispatcher", org="centre-city", first_name="王"),
         make_user("dispatcher2", "dispatcher", org="centre-city", first_name="李"),
         make_user("dept_water", "handler", org="city-water"),
         make_user("supervisor", "supervisor", org="centre-city")]
print(json.dumps({u.username: create_token(u, name="faults")[1] for u in users}))
"""


def free_port() -> int:
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_url(name: str) -> str:
    parts = urlsplit(SUITE_URL)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def pg_admin(sql: str, *params) -> list:
    """Run one statement on the server's ``postgres`` database (autocommit)."""
    import psycopg

    with psycopg.connect(_pg_url("postgres"), autocommit=True) as conn:
        cursor = conn.execute(sql, params or None)
        return cursor.fetchall() if cursor.description else []


def _drop_pg(name: str) -> None:
    pg_admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true') if pg_admin(
        "SELECT 1 FROM pg_database WHERE datname = %s", name) else None
    pg_admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", name)
    pg_admin(f'DROP DATABASE IF EXISTS "{name}"')


class Scratch:
    """One database for one test, and the environment that points a process at it."""

    def __init__(self, url: str, var_dir: Path, tokens: dict, pg_name: str | None = None):
        self.url, self.var_dir, self.tokens, self.pg_name = url, var_dir, tokens, pg_name
        self.token = tokens.get("operator", "")  # the operator's API token

    def env(self, **extra) -> dict:
        return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.var_dir), "PYTHONPATH": str(ROOT),
                "DJANGO_SETTINGS_MODULE": "jishiban.core.tests.fault_settings", "SECRET_KEY": SECRET,
                "DATABASE_URL": self.url, "JISHIBAN_VAR_DIR": str(self.var_dir), "Q_SYNC": "0",
                "JISHIBAN_ACCESS_LOG": "", "LOG_LEVEL": "WARNING", "WEB_CONCURRENCY": "2",
                "JISHIBAN_API_TOKEN_CACHE_SECONDS": "5", **extra}

    def django(self, code: str, timeout: float = 120, **extra) -> str:
        """Run ``code`` (which calls ``django.setup()``) in a process on this database; its stdout."""
        result = subprocess.run([sys.executable, "-c", code], env=self.env(**extra), cwd=ROOT, capture_output=True,
                                text=True, timeout=timeout)
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    def query(self, sql: str) -> list[tuple]:
        """Read this database directly (no Django connection of the test process is involved)."""
        if self.pg_name:
            import psycopg

            with psycopg.connect(self.url) as conn:
                return conn.execute(sql).fetchall()
        import sqlite3

        with closing(sqlite3.connect(self.url.removeprefix("sqlite:///"))) as conn:
            return conn.execute(sql).fetchall()

    def drop(self) -> None:
        if self.pg_name:
            _drop_pg(self.pg_name)


def make_template(base: Path) -> tuple[str, dict, str | None]:
    """Migrate and seed the database every scratch copy starts from: ``(url, API tokens by
    username, pg name)``."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    if ON_POSTGRES:
        name = f"{urlsplit(SUITE_URL).path.lstrip('/')}_faults_{worker}"[:60]
        _drop_pg(name)
        pg_admin(f'CREATE DATABASE "{name}"')
        url = _pg_url(name)
    else:
        name, url = None, f"sqlite:///{base / 'template.sqlite3'}"
    out = Scratch(url, base, {}).django(PREPARE, timeout=300)
    return url, json.loads(out.strip().splitlines()[-1]), name


def copy_of(template: tuple[str, dict, str | None], directory: Path, n: int) -> Scratch:
    url, tokens, pg_name = template
    if pg_name:
        name = f"{pg_name}_{n}"[:63]
        _drop_pg(name)
        pg_admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", pg_name)
        pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{pg_name}"')
        return Scratch(_pg_url(name), directory, tokens, name)
    path = directory / "db.sqlite3"
    shutil.copyfile(url.removeprefix("sqlite:///"), path)
    return Scratch(f"sqlite:///{path}", directory, tokens)


class Server:
    """A process group of its own: ``kill()`` is ``kill -9`` of all of it."""

    def __init__(self, args: list[str], env: dict, log: Path):
        self.args, self.env, self.log = args, env, log
        self.process: subprocess.Popen | None = None

    def start(self) -> Server:
        handle = self.log.open("ab")
        self.process = subprocess.Popen(self.args, env=self.env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        handle.close()
        return self

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


def gunicorn(scratch: Scratch, port: int, log: Path, **env) -> Server:
    args = [sys.executable, "-m", "gunicorn", "-c", "python:jishiban.gunicorn_conf", "jishiban.wsgi:application",
            "--bind", f"127.0.0.1:{port}"]
    return Server(args, scratch.env(**env), log)


def qcluster(scratch: Scratch, log: Path, **env) -> Server:
    return Server([sys.executable, "-m", "jishiban.cli", "qcluster"], scratch.env(**env), log)


def wait_until_up(port: int, server: Server, path: str = "/accounts/login/", timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        assert server.process is not None and server.process.poll() is None, server.output()
        time.sleep(0.2)
    raise AssertionError(f"no answer on port {port} within {timeout:.0f} s\n{server.output()}")


def wait_for(check, timeout: float, every: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"{what} not reached within {timeout:.0f} s")
