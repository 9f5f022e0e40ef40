"""The ``jishiban`` console script as a newcomer meets it: the real entry point in a process of
its own, with nothing in the environment but PATH and HOME (and the checkout on PYTHONPATH).

README's useful commands run without a secret key; a configuration problem is one line naming
the variable, never a traceback."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = str(settings.BASE_DIR)
SCRIPT = shutil.which("jishiban", path=str(Path(sys.executable).parent)) or ""

pytestmark = pytest.mark.skipif(not SCRIPT, reason="the jishiban console script is not installed")


def jishiban(*args, var: Path, **environ) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(var), "PYTHONPATH": ROOT,
           "JISHIBAN_VAR_DIR": str(var), **environ}
    return subprocess.run([SCRIPT, *args], env=env, cwd=str(var), capture_output=True, text=True, timeout=300)


def one_line(result: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


ADMIN_PASSWORD = "Centre-Admin-2026!"


@pytest.fixture(scope="module")
def var(tmp_path_factory) -> Path:
    """A fresh checkout's var/ after ``jishiban setup`` (migrate, the Jining reference data, an
    administrator) — run without a secret key."""
    path = tmp_path_factory.mktemp("var")
    result = jishiban("setup", "--admin", "chief", "--no-input", var=path, JISHIBAN_ADMIN_PASSWORD=ADMIN_PASSWORD)
    assert result.returncode == 0, result.stderr
    assert "已建立管理员 chief" in result.stdout and "乡镇街道：新增 158" in result.stdout
    return path


def test_setup_again_changes_nothing_and_keeps_the_administrator(var):
    result = jishiban("setup", "--no-input", var=var)
    assert result.returncode == 0, result.stderr
    assert "乡镇街道：新增 0，更新 0，未变 158" in result.stdout and "已有管理员：chief" in result.stdout
    assert "[4/4]" in result.stderr  # progress, step by step


def test_calendar_due_runs_without_a_secret_key(var):
    result = jishiban("calendar", "due", "2026-09-30T10:00", "2d", var=var)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2026-10-09T17:30:00+08:00"


def test_calendar_import_and_check_run_without_a_secret_key(var, tmp_path):
    result = jishiban("calendar", "check", "2031", var=var)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    holidays = tmp_path / "2031.json"
    holidays.write_text(json.dumps({"year": 2031, "papers": [], "days": [
        {"name": "元旦", "date": "2031-01-01", "isOffDay": True}]}), encoding="utf-8")
    result = jishiban("calendar", "import", str(holidays), var=var)
    assert result.returncode == 0, result.stderr
    assert jishiban("calendar", "check", "2031", var=var).returncode == 0


def test_serving_without_a_secret_key_is_one_line_naming_it(var):
    result = jishiban("serve", "--no-worker", var=var)
    assert result.returncode == 2
    line = one_line(result)
    assert "SECRET_KEY" in line and "export SECRET_KEY=" in line


def test_stopping_serve_with_sigterm_stops_its_job_worker_too(var):
    """``make run``'s server ends on a stop signal with its django-q2 worker, leaving no process."""
    import signal
    import socket
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(var), "PYTHONPATH": ROOT,
           "JISHIBAN_VAR_DIR": str(var), "SECRET_KEY": "serve-test-secret-key-that-is-long-enough-for-checks"}
    server = subprocess.Popen([SCRIPT, "serve", "--port", str(port)], env=env, cwd=str(var),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    def descendants(pid: int) -> list[str]:
        found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
        return found + [d for child in found for d in descendants(int(child))]

    try:
        deadline = time.monotonic() + 120
        up = False
        while time.monotonic() < deadline and not up:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=2):
                    up = True
            except OSError:
                assert server.poll() is None, "serve ended on its own"
                time.sleep(0.5)
        assert up, "serve did not start listening"
        time.sleep(3)  # the worker's own processes are up by now
        children = descendants(server.pid)
        assert children, "serve started no job worker"
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in children):
            time.sleep(0.3)
        assert not [pid for pid in children if Path(f"/proc/{pid}").exists()], "the job worker outlived serve"
    finally:
        if server.poll() is None:
            server.kill()


def test_a_bad_value_is_one_line_naming_the_variable(var):
    result = jishiban("calendar", "due", "2026-09-30T10:00", "2d", var=var, TIME_ZONE="Mars/Olympus")
    assert result.returncode == 2
    assert "TIME_ZONE" in one_line(result)
    result = jishiban("calendar", "check", "2027", var=var, SECRET_KEY="short")
    assert result.returncode == 2
    assert "SECRET_KEY" in one_line(result)


def test_a_database_without_tables_says_to_migrate(tmp_path):
    result = jishiban("calendar", "due", "2026-09-30T10:00", "2d", var=tmp_path)
    assert result.returncode == 2
    line = one_line(result)
    assert "jishiban migrate" in line and str(tmp_path / "jishiban.sqlite3") in line


def test_an_unreachable_database_names_database_url(tmp_path):
    result = jishiban("calendar", "check", "2027", var=tmp_path,
                      DATABASE_URL="postgres://postgres:hunter2@127.0.0.1:9/jishiban_nowhere")
    assert result.returncode == 2
    line = one_line(result)
    assert "DATABASE_URL" in line and "hunter2" not in line
