"""kill -9 of the web server during intake, of the job worker during result delivery and of an
import midway: after a restart nothing that was acknowledged is missing and nothing is doubled.

Real processes on a database of their own (``processes.scratch``, the suite's backend), killed
with SIGKILL as a whole process group, then started again.
"""

from __future__ import annotations

import http.client
import http.server
import itertools
import json
import threading
import time

import pytest

from .processes import free_port, gunicorn, qcluster, wait_for, wait_until_up

pytestmark = pytest.mark.slow


def _appeal(n: int) -> dict:
    return {"channel": "12345-web", "external_id": f"KILL-{n}", "title": "路灯不亮",
            "content": f"某小区{n}号楼前路灯不亮已经三天，夜间出行不安全",
            "citizen": {"name": "张先生", "phone": f"139{n:08d}"},
            "location": {"county": "370811", "address": f"任城区某路{n}号"}, "category": "020101"}


def _post(port: int, token: str, n: int) -> str | None:
    """The number the server acknowledged for appeal ``n``, or ``None`` (no answer, an error);
    ``"busy"`` when the key is still claimed by a request that got no further (killed)."""
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        conn.request("POST", "/api/v1/appeals", body=json.dumps(_appeal(n), ensure_ascii=False).encode(),
                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                              "Idempotency-Key": f"kill-{n}"})
        response = conn.getresponse()
        body = response.read()
    except (OSError, http.client.HTTPException):
        return None
    if response.status in (200, 201):
        return json.loads(body)["number"]
    if response.status == 409 and json.loads(body)["code"] == "idempotency_in_progress":
        return "busy"
    return None


def _until_answered(port: int, token: str, n: int, timeout: float = 60) -> str | None:
    """What a careful client does: send again, waiting while the key is claimed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        number = _post(port, token, n)
        if number != "busy":
            return number
        time.sleep(0.5)
    return None


def test_killing_the_web_server_during_intake_loses_and_doubles_nothing(scratch, tmp_path):
    port = free_port()
    server = gunicorn(scratch, port, tmp_path / "web.log").start()
    wait_until_up(port, server)
    acknowledged: dict[int, str] = {}
    unanswered: set[int] = set()
    numbers = itertools.count()
    lock, stop = threading.Lock(), threading.Event()

    def client():
        while not stop.is_set():
            n = next(numbers)
            number = _post(port, scratch.token, n)
            with lock:
                if number and number != "busy":
                    acknowledged[n] = number
                else:
                    unanswered.add(n)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(6)]
    for t in threads:
        t.start()
    wait_for(lambda: len(acknowledged) >= 40, 60, what="40 acknowledged appeals")
    server.kill()  # mid-stream: requests are in flight in both workers
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert unanswered, "the kill should have cut some requests off"

    server = gunicorn(scratch, port, tmp_path / "web2.log").start()
    try:
        wait_until_up(port, server)
        # The client sends what got no answer again, with the same key: each is taken once.
        retried = {n: _until_answered(port, scratch.token, n) for n in sorted(unanswered)}
        # Acknowledged ones sent again come back with the number they were given.
        again = {n: _post(port, scratch.token, n) for n in list(acknowledged)[:10]}
    finally:
        server.stop()
    assert all(retried.values()) and all(again[n] == acknowledged[n] for n in again)
    sent = set(acknowledged) | unanswered
    rows = dict(scratch.query("SELECT external_id, number FROM appeals_appeal WHERE external_id LIKE 'KILL-%'"))
    assert {f"KILL-{n}" for n in sent} == set(rows)  # nothing acknowledged is missing, nothing extra
    assert all(rows[f"KILL-{n}"] == number for n, number in acknowledged.items())
    assert scratch.query("SELECT count(*), count(DISTINCT number) FROM appeals_appeal")[0] == (len(sent), len(sent))
    events = scratch.query("SELECT count(*) FROM appeals_appealevent WHERE action = 'receive'")[0][0]
    assert events == len(sent)


class Receiver(http.server.ThreadingHTTPServer):
    """A channel's result webhook that takes its time to answer and remembers every delivery."""

    daemon_threads = True

    def __init__(self, delay: float):
        self.delay, self.started, self.answered = delay, [], []
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Hook)


class _Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        key = self.headers["Idempotency-Key"]
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with self.server.lock:
            self.server.started.append(key)
        time.sleep(self.server.delay)
        self.send_response(200)
        self.end_headers()
        with self.server.lock:
            self.server.answered.append(key)

    def log_message(self, *args):
        pass


REPLIES = """
import django; django.setup()
from django_q.models import OrmQ
from jishiban.accounts.models import User
from jishiban.appeals import services
from jishiban.channels.models import Channel
from jishiban.organisations.models import Organisation
from jishiban.testing import make_appeal
Channel.objects.filter(code="12345-web").update(wants_results=True, webhook_url="{url}")
users = {{u.username: u for u in User.objects.all()}}
water = Organisation.objects.get(code="city-water")
appeals = [make_appeal(channel="12345-web", external_id=f"HOOK-{{n}}", content=f"第{{n}}号楼停水") for n in range({count})]
OrmQ.objects.all().delete()  # only the deliveries are left for the worker
for appeal in appeals:
    appeal.refresh_from_db()
    appeal = services.dispatch(appeal, by=users["dispatcher"], lead_unit=water)
    appeal = services.accept(appeal, by=users["dept_water"])
    services.reply(appeal, by=users["dept_water"], result_type="solved", text="已恢复供水")
# The workflow's other jobs (notifications, smart help) are not what this test is about.
for job in OrmQ.objects.all():
    if job.func() != "jishiban.intake.tasks.deliver_result":
        job.delete()
"""


def test_killing_the_job_worker_during_result_delivery_loses_and_doubles_nothing(scratch, tmp_path):
    receiver = Receiver(delay=0.4)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    count = 16
    try:
        scratch.django(REPLIES.format(url=f"http://127.0.0.1:{receiver.server_address[1]}/results", count=count))
        rows = scratch.query("SELECT key FROM intake_resultdelivery")
        assert len(rows) == count
        worker = qcluster(scratch, tmp_path / "q.log").start()
        wait_for(lambda: len(receiver.answered) >= 3, 90, what="three deliveries")
        worker.kill()
        # Cut off by the kill: sent to the channel (answered or not) but not recorded as sent.
        unrecorded = {key for (key,) in scratch.query("SELECT key FROM intake_resultdelivery WHERE status <> 'sent'")}
        with receiver.lock:
            cut_off = set(receiver.started) & unrecorded
        worker = qcluster(scratch, tmp_path / "q2.log").start()
        try:
            wait_for(lambda: scratch.query("SELECT count(*) FROM intake_resultdelivery WHERE status = 'sent'")[0][0]
                     == count, 120, every=0.5, what="every result delivered")
        finally:
            worker.stop()
    finally:
        receiver.shutdown()
    keys = {key for (key,) in rows}
    assert set(receiver.answered) == keys  # every result reached the channel
    repeated = {key for key in keys if receiver.started.count(key) > 1}
    # At least once: only a delivery cut off by the kill (at most one per worker) is sent again,
    # with the same key, so the receiver drops it.
    assert repeated <= cut_off and len(cut_off) <= 2
    assert scratch.query("SELECT count(*) FROM intake_resultdelivery WHERE status <> 'sent'")[0][0] == 0


def _write_import(path, rows: int) -> None:
    import csv

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["external_id", "received_at", "title", "content", "citizen_phone", "county"])
        for n in range(rows):
            writer.writerow([f"IMP-{n}", "2026-10-01T09:00:00+08:00", "噪音扰民",
                             f"某小区{n}号楼夜间施工噪音扰民，影响休息", f"137{n:08d}", "370811"])


def test_killing_an_import_midway_then_running_it_again_imports_every_row_once(scratch, tmp_path):
    import subprocess
    import sys

    from .processes import ROOT, Server

    total = 6000
    source = tmp_path / "appeals.csv"
    _write_import(source, total)
    args = [sys.executable, "-m", "jishiban.cli", "import", "appeals", str(source), "--channel", "12345-phone",
            "--batch-size", "250", "--report", str(tmp_path / "rejected.csv")]
    importer = Server(args, scratch.env(), tmp_path / "import.log").start()
    imported = "SELECT count(*) FROM appeals_appeal WHERE external_id LIKE 'IMP-%'"
    wait_for(lambda: scratch.query(imported)[0][0] >= 1000, 120, every=0.05, what="a thousand rows imported")
    importer.kill()
    committed = scratch.query(imported)[0][0]
    assert 0 < committed < total, "the kill should have stopped the import midway"
    numbers_before = dict(scratch.query("SELECT external_id, number FROM appeals_appeal WHERE external_id LIKE 'IMP-%'"))

    again = subprocess.run(args, env=scratch.env(), cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr[-2000:]
    rows = dict(scratch.query("SELECT external_id, number FROM appeals_appeal WHERE external_id LIKE 'IMP-%'"))
    assert len(rows) == total and set(rows) == {f"IMP-{n}" for n in range(total)}
    assert all(rows[key] == number for key, number in numbers_before.items())  # what was in stays as it was
    assert scratch.query("SELECT count(DISTINCT number) FROM appeals_appeal")[0][0] == total
    assert scratch.query("SELECT count(*) FROM appeals_appealevent WHERE action = 'receive'")[0][0] == total
