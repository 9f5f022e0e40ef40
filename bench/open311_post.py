"""Open311 POST latency at a sustained rate against a real server process on 127.0.0.1.

    .venv/bin/python bench/open311_post.py                       # SQLite, 100 req/s for 20 s
    .venv/bin/python bench/open311_post.py --db postgres         # PostgreSQL (database created and dropped)
    .venv/bin/python bench/open311_post.py --rate 100 --seconds 30 --db both

What it does: a fresh database in a temporary folder (SQLite) or a throw-away PostgreSQL database,
migrations, the reference data and one API key; then a server process (gunicorn when installed,
otherwise ``bench/_open311_server.py``, a pre-fork threaded server; ``--server runserver`` for the
demo's single-process server) and an open-loop load: request *i* is due
at ``start + i / rate`` whatever the server does, and its latency is counted from that due time
(so a slow server is not hidden by the client waiting for it). Every POST is a new request (a
distinct description), the full path: key check, validation, intake pipeline, appeal + event
rows, after-commit job queueing. Prints p50/p95/p99/max and checks every appeal was stored.
The goal: p95 under 50 ms at 100 requests/s.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from _common import CommitProbe, cpu_seconds, free_port, open_loop, percentile, wait_until_up

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
SERVICE_CODES = ["030201", "030202", "030102", "020101", "010103"]


def prepare(env: dict) -> str:
    """Migrate, load reference data, make a key (in a child process with the bench's env)."""
    code = (
        "import django; django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0)\n"
        "from jishiban.testing import load_reference_data\n"
        "load_reference_data()\n"
        "from jishiban.channels.models import Channel\n"
        "from jishiban.open311.keys import create_key\n"
        "print(create_key(channel=Channel.objects.get(code='open311'), name='bench')[1])\n"
    )
    out = subprocess.run([PYTHON, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


def count_appeals(env: dict) -> int:
    code = ("import django; django.setup()\nfrom jishiban.appeals.models import Appeal\n"
            "print(Appeal.objects.filter(channel__code='open311').count())\n")
    out = subprocess.run([PYTHON, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    return int(out.stdout.strip().splitlines()[-1])


def server_command(kind: str, port: int, processes: int) -> list[str]:
    if kind == "gunicorn":
        # the production settings (jishiban/gunicorn_conf.py), with the benchmark's port and processes
        return [str(Path(PYTHON).with_name("gunicorn")), "-c", "python:jishiban.gunicorn_conf", "jishiban.wsgi:application",
                "-b", f"127.0.0.1:{port}", "-w", str(processes)]
    if kind == "prefork":
        return [PYTHON, "bench/_open311_server.py", "--port", str(port), "--processes", str(processes)]
    return [PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]


def start_server(env: dict, port: int, log, cmd: list[str]) -> subprocess.Popen:
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=log, stderr=log, start_new_session=True)
    wait_until_up(port, "/open311/v2/discovery.json", process=proc)
    return proc


def stop_server(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)


def form(key: str, i: int, tag: str) -> bytes:
    return urlencode({
        "api_key": key, "jurisdiction_id": "jining", "service_code": SERVICE_CODES[i % len(SERVICE_CODES)],
        "lat": f"{35.40 + (i % 100) / 10000:.6f}", "long": f"{116.58 + (i % 77) / 10000:.6f}",
        "address_string": f"任城区测试路 {i % 300} 号", "description": f"压测诉求 {tag}-{i}：路灯不亮，夜间出行不便",
        "email": f"user{i}@example.org", "first_name": "测", "last_name": "试", "phone": f"139{i % 10**8:08d}",
    }).encode()


def run_load(port: int, key: str, rate: float, seconds: float, workers: int, tag: str, get: str = "") -> dict:
    """POST new requests (or GET ``get`` instead) at ``rate`` per second for ``seconds``."""

    def send(conn, i):
        if get:
            conn.request("GET", get)
        else:
            conn.request("POST", "/open311/v2/requests.json", body=form(key, i, tag),
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        response = conn.getresponse()
        text = response.read().decode()
        ok = response.status == 200 and (bool(get) or bool(json.loads(text)[0].get("service_request_id")))
        return ok, f"{response.status} {text[:200]}"

    return open_loop(port, rate, seconds, workers, send)


def bench(db: str, args) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="open311-bench-"))
    pg_name = f"jishiban_bench_open311_{secrets.token_hex(3)}"
    env = {**os.environ, "SECRET_KEY": secrets.token_urlsafe(40), "JISHIBAN_VAR_DIR": str(tmp), "DEBUG": "0",
           "DJANGO_SETTINGS_MODULE": "jishiban.settings", "LOG_LEVEL": "WARNING",
           "ALLOWED_HOSTS": "127.0.0.1,localhost", "JISHIBAN_ACCESS_LOG": ""}
    env.pop("Q_SYNC", None)
    if db == "postgres":
        import psycopg

        with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{pg_name}"')
        env["DATABASE_URL"] = f"{PG_URL}/{pg_name}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    proc = None
    try:
        t0 = time.perf_counter()
        key = prepare(env)
        print(f"[{db}] database ready in {time.perf_counter() - t0:.1f} s", flush=True)
        port = free_port()
        with open(tmp / "server.log", "w") as log:
            proc = start_server(env, port, log, server_command(args.server, port, args.processes))
            warm = run_load(port, key, rate=20, seconds=2, workers=4, tag="warm")
            if warm["ok"] != warm["sent"]:
                raise RuntimeError(f"warm-up failed: {warm['errors']}")
            cpu_before = cpu_seconds(proc.pid)
            with CommitProbe(env["DATABASE_URL"] if db == "postgres" else None) as probe:
                result = run_load(port, key, rate=args.rate, seconds=args.seconds, workers=args.workers,
                                  tag=secrets.token_hex(3))
            result["probe"] = probe.summary()
            result["server_cpu_ms"] = (cpu_seconds(proc.pid) - cpu_before) * 1000 / max(result["answered"], 1)
            if args.baseline:
                # The same server answering a cheap GET: what the HTTP server and middleware cost.
                cpu_before = cpu_seconds(proc.pid)
                base = run_load(port, key, rate=args.rate, seconds=min(args.seconds, 5), workers=args.workers,
                                tag="", get="/open311/v2/discovery.json")
                result["baseline_cpu_ms"] = (cpu_seconds(proc.pid) - cpu_before) * 1000 / max(base["answered"], 1)
                result["baseline_p95"] = percentile(base["latency"], 95)
        stored = count_appeals(env) - warm["ok"]
        result["stored"] = stored
        result["server"] = args.server if args.server == "runserver" else f"{args.server}x{args.processes}"
        return result
    finally:
        if proc is not None:
            stop_server(proc)
        if db == "postgres":
            import psycopg

            with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
        shutil.rmtree(tmp, ignore_errors=True)


def report(db: str, r: dict, rate: float) -> bool:
    lat, svc = r["latency"], r["service"]
    p95 = percentile(lat, 95)
    passed = r["ok"] == r["sent"] == r["stored"] and p95 < 50
    print(f"[{db}] server={r['server']} sent={r['sent']} ok={r['ok']} stored={r['stored']} "
          f"achieved={r['answered'] / r['elapsed']:.1f}/s (target {rate:.0f}/s)")
    print(f"[{db}] latency from due time ms: p50={percentile(lat, 50):.1f} p95={p95:.1f} p99={percentile(lat, 99):.1f} "
          f"max={max(lat) if lat else float('nan'):.1f} mean={statistics.fmean(lat) if lat else float('nan'):.1f}")
    print(f"[{db}] service time ms:          p50={percentile(svc, 50):.1f} p95={percentile(svc, 95):.1f} p99={percentile(svc, 99):.1f}")
    print(f"[{db}] server CPU per request: {r['server_cpu_ms']:.1f} ms (web processes only, not the database)")
    if r.get("probe"):
        p = r["probe"]
        print(f"[{db}] storage during the run (a one-row commit every 50 ms): p50={p['probe_commit_p50_ms']} ms "
              f"max={p['probe_commit_max_ms']} ms, {p['probe_commits_over_20ms']} over 20 ms")
    if "baseline_cpu_ms" in r:
        print(f"[{db}] baseline GET discovery.json: server CPU {r['baseline_cpu_ms']:.1f} ms/request, "
              f"p95 {r['baseline_p95']:.1f} ms")
    if r["errors"]:
        print(f"[{db}] first errors: {r['errors']}")
    print(f"[{db}] load average after: {os.getloadavg()[0]:.2f}")
    print(f"[{db}] {'PASS' if passed else 'FAIL'}: p95 < 50 ms at {rate:.0f} req/s, every request stored")
    return passed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=16, help="client threads")
    parser.add_argument("--server", choices=["gunicorn", "prefork", "runserver"],
                        default="gunicorn" if Path(PYTHON).with_name("gunicorn").exists() else "prefork",
                        help="gunicorn when installed, else bench/_open311_server.py; runserver = `jishiban serve`")
    parser.add_argument("--processes", type=int, default=2, help="server processes (gunicorn, prefork)")
    parser.add_argument("--baseline", action="store_true", help="also time GET discovery.json (server overhead)")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs", flush=True)
    if args.rate * args.seconds > 20000:
        parser.error("at most 20000 requests per run")
    ok = True
    for db in (["sqlite", "postgres"] if args.db == "both" else [args.db]):
        ok = report(db, bench(db, args), args.rate) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
