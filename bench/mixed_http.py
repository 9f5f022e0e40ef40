"""Mixed traffic for ten minutes on PostgreSQL: intake, lists, details and actions together.

    .venv/bin/python bench/mixed_http.py --rate 100 --seconds 600

A fresh PostgreSQL database is migrated and seeded, an operator, a dispatcher and a handler get
API tokens, and ``--appeals`` appeals are imported as the stock the reads and actions work on.
gunicorn then serves it with the production settings while an open-loop generator sends
``rate`` requests per second for ``seconds`` seconds, in this mix (per 20 requests):

    6  POST /api/v1/appeals                      intake (operator's token, new external id)
    4  GET  /api/v1/appeals?page=…               API list (dispatcher)
    2  GET  /appeals/?status=received            workbench list (dispatcher's session)
    3  GET  /api/v1/appeals/{number}             API detail
    2  GET  /appeals/{id}/                       workbench detail
    3  POST /api/v1/appeals/{number}/actions/dispatch   an action, each on its own appeal

Latency counts from the moment a request was due. Only 127.0.0.1 is contacted; the run is
bounded in count and time. Prints the overall and per-kind p50/p95/p99, the error count and
samples; nothing is asserted. The smart-help job cluster runs with ``--with-jobs``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from _common import (
    CommitProbe,
    busy_cores,
    cpu_seconds,
    free_port,
    open_loop,
    percentile,
    postgres_cpu_seconds,
    stop,
    wait_until_up,
)

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret-key-that-is-long-enough-for-django-checks"
PASSWORD = "pw-for-tests-only"  # jishiban.testing.make_user's
MIX = ["intake"] * 6 + ["api_list"] * 4 + ["web_list"] * 2 + ["api_detail"] * 3 + ["web_detail"] * 2 + ["dispatch"] * 3

PREPARE = """
import csv, json, django; django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from jishiban.testing import load_reference_data, make_user
from jishiban.api.tokens import create_token
from jishiban.appeals.models import Appeal
load_reference_data()
users = {name: make_user(name, role, org=org) for name, role, org in (
    ("bench-operator", "operator", "centre-city"), ("bench-dispatcher", "dispatcher", "centre-city"),
    ("bench-water", "handler", "city-water"))}
tokens = {name: create_token(user, name="bench")[1] for name, user in users.items()}
path = "{csv}"
with open(path, "w", encoding="utf-8", newline="") as handle:
    writer = csv.writer(handle)
    writer.writerow(["external_id", "received_at", "title", "content", "citizen_phone", "county", "category"])
    for n in range({appeals}):
        writer.writerow([f"STOCK-{{n}}", f"2026-{{1 + n % 11:02d}}-{{1 + n % 28:02d}}T09:00:00+08:00", "供水问题",
                         f"某小区{{n % 400}}号楼停水已经{{1 + n % 5}}天，请尽快恢复供水", f"137{{n:08d}}", "370811", "020101"])
call_command("import", "appeals", path, "--channel", "12345-phone", "--no-after-intake", verbosity=0)
stock = list(Appeal.objects.filter(status="received").values_list("pk", "number", "version"))
print(json.dumps({"tokens": tokens, "stock": stock}))
"""


def prepare(env: dict, appeals: int) -> dict:
    code = PREPARE.replace("{csv}", f"/tmp/jishiban-bench-mixed-{os.getpid()}.csv").replace("{appeals}", str(appeals))
    code = code.replace("{{", "{").replace("}}", "}")
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def web_session(port: int) -> str:
    """The dispatcher's session cookie, signed in through the login page (CSRF and all)."""
    import requests

    session = requests.Session()
    base = f"http://127.0.0.1:{port}"
    session.get(f"{base}/accounts/login/", timeout=30)
    response = session.post(f"{base}/accounts/login/", timeout=30, allow_redirects=False,
                            data={"username": "bench-dispatcher", "password": PASSWORD,
                                  "csrfmiddlewaretoken": session.cookies["csrftoken"]})
    assert response.status_code == 302, response.status_code
    return "; ".join(f"{k}={v}" for k, v in session.cookies.items())


def load(port: int, data: dict, rate: float, seconds: float, threads: int, run: str) -> dict:
    tokens, stock = data["tokens"], data["stock"]
    operator = {"Authorization": f"Bearer {tokens['bench-operator']}", "Content-Type": "application/json"}
    dispatcher = {"Authorization": f"Bearer {tokens['bench-dispatcher']}", "Content-Type": "application/json"}
    web = {"Cookie": web_session(port)}
    total = int(rate * seconds)
    actions = stock[: total * MIX.count("dispatch") // len(MIX) + 1]
    reads = stock[len(actions):] or stock
    if len(actions) * len(MIX) < total * MIX.count("dispatch"):
        raise SystemExit(f"not enough stock appeals for the actions: raise --appeals above {total * 3 // 20}")
    first_error: dict[str, str] = {}

    def kind(i: int) -> str:
        return MIX[i % len(MIX)]

    def send(conn, i):
        what = kind(i)
        pk, number, _version = reads[(i * 7919) % len(reads)]
        if what == "intake":
            body = json.dumps({"channel": "12345-web", "external_id": f"MIX-{run}-{i}", "title": "路灯不亮",
                               "content": f"某小区{i % 300}号楼前路灯不亮已经{1 + i % 9}天，夜间出行不安全",
                               "citizen": {"name": "张先生", "phone": f"139{i:08d}"},
                               "location": {"county": "370811", "address": f"任城区某路{i % 500}号"},
                               "category": "030201"}, ensure_ascii=False).encode()
            conn.request("POST", "/api/v1/appeals", body=body, headers=operator)
            expected = 201
        elif what == "api_list":
            conn.request("GET", f"/api/v1/appeals?page={1 + i % 25}", headers=dispatcher)
            expected = 200
        elif what == "web_list":
            conn.request("GET", "/appeals/?status=received", headers=web)
            expected = 200
        elif what == "api_detail":
            conn.request("GET", f"/api/v1/appeals/{number}", headers=dispatcher)
            expected = 200
        elif what == "web_detail":
            conn.request("GET", f"/appeals/{pk}/", headers=web)
            expected = 200
        else:  # dispatch: the n-th action takes the n-th stock appeal, at the version it was read
            _pk, number, version = actions[(i // len(MIX)) * MIX.count("dispatch") + (i % len(MIX) - 17)]
            body = json.dumps({"expected_version": version, "lead_unit": "city-water"}).encode()
            conn.request("POST", f"/api/v1/appeals/{number}/actions/dispatch", body=body, headers=dispatcher)
            expected = 200
        response = conn.getresponse()
        payload = response.read()
        ok = response.status == expected
        if not ok and what not in first_error:
            first_error[what] = f"{response.status} {payload[:200].decode(errors='replace')}"
        return ok, f"{what} {response.status}"

    result = open_loop(port, rate, seconds, threads, send, kind=kind)
    latency = result["latency"]
    summary = {"requests": result["sent"], "answered": result["answered"], "errors": result["sent"] - result["ok"],
               "achieved_rps": round(result["sent"] / result["elapsed"], 1),
               **{f"p{p}_ms": round(percentile(latency, p), 1) for p in (50, 95, 99)},
               "max_ms": round(latency[-1], 1) if latency else None}
    summary["by_kind"] = {label: {"n": len(lat), "errors": errors, "p50_ms": round(percentile(lat, 50), 1),
                                  "p95_ms": round(percentile(lat, 95), 1), "p99_ms": round(percentile(lat, 99), 1)}
                          for label, (lat, errors) in result["by_kind"].items()}
    summary["first_error_by_kind"] = first_error
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--appeals", type=int, default=20000, help="stock of received appeals for reads and actions")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--server-threads", type=int, default=4)
    parser.add_argument("--with-jobs", action="store_true", help="run the job cluster beside the server")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/jsb_bench_mixed_http",
                        help="a PostgreSQL URL whose database may be dropped and recreated")
    args = parser.parse_args()
    if args.rate * args.seconds > 60000:
        parser.error("keep the run bounded: rate × seconds ≤ 60000")
    env = {**os.environ, "SECRET_KEY": SECRET, "DJANGO_SETTINGS_MODULE": "jishiban.settings", "PYTHONPATH": str(ROOT),
           "JISHIBAN_ACCESS_LOG": "", "DATABASE_URL": args.pg,
           # The generator comes from one address: the login lockout counts failures only.
           "JISHIBAN_LOGIN_FAILURE_LIMIT": "5"}
    env.pop("Q_SYNC", None)
    name = args.pg.rsplit("/", 1)[1]
    admin = args.pg.rsplit("/", 1)[0] + "/postgres"
    subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
    subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
    started = time.monotonic()
    data = prepare(env, args.appeals)
    print(f"prepared {len(data['stock'])} appeals in {time.monotonic() - started:.0f} s", file=sys.stderr)
    port = free_port()
    command = [str(Path(sys.executable).parent / "gunicorn"), "-c", "python:jishiban.gunicorn_conf",
               "jishiban.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(args.processes),
               "--threads", str(args.server_threads)]
    server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    jobs = None
    if args.with_jobs:
        jobs = subprocess.Popen([sys.executable, "-m", "jishiban.cli", "qcluster"], env=env, cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_until_up(port, "/api/v1/openapi.json", process=server, timeout=180)  # a busy host boots gunicorn slowly
        warm = {**data, "stock": data["stock"][-200:]}
        load(port, warm, rate=20, seconds=3, threads=4, run="warm")  # imports, connections
        data["stock"] = data["stock"][:-200]
        server_cpu, machine, db_cpu = cpu_seconds(server.pid), busy_cores(), postgres_cpu_seconds()
        with CommitProbe(args.pg) as probe:
            result = load(port, data, args.rate, args.seconds, args.threads, run=f"{os.getpid()}")
        result.update(probe.summary())
        busy, total = (after - before for after, before in zip(busy_cores(), machine, strict=True))
        result["server_cpu_ms_per_request"] = round(1000 * (cpu_seconds(server.pid) - server_cpu) / result["requests"], 2)
        result["postgres_cpu_ms_per_request"] = round(1000 * (postgres_cpu_seconds() - db_cpu) / result["requests"], 2)
        result["machine_busy_pct"] = round(100 * busy / total, 1)
        result["load_avg_1m"] = round(os.getloadavg()[0], 1)
    finally:
        stop(server, jobs)
    print(json.dumps({"db": "postgres", "processes": args.processes, "server_threads": args.server_threads,
                      "with_jobs": args.with_jobs, "rate": args.rate, "seconds": args.seconds, **result},
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
