"""POST /api/v1/appeals latency under a steady load, against a real server process.

    .venv/bin/python bench/intake_http.py --rate 100 --seconds 30 --db sqlite postgres

For each database: a fresh database is migrated and seeded, an operator with an API token is
created, and a server is started on 127.0.0.1: ``--server gunicorn`` (default; the production
server, ``--processes`` workers × ``--server-threads`` threads) or ``--server runserver``
(``jishiban runserver --noreload``: one process, a thread per request). An open-loop generator then sends ``rate`` requests per second for ``seconds``
seconds from a pool of threads, each a new appeal with its own external id. Latency is counted
from the moment a request was due (not when a thread got to it), so a server falling behind
shows up in the percentiles. Only 127.0.0.1 is contacted; the run is bounded in count and time.
Prints p50/p95/p99/max and the error count; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
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
    stop,
    wait_until_up,
)

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret-key-that-is-long-enough-for-django-checks"


def prepare(env: dict) -> str:
    """Migrate, seed and return a token of a fresh operator (in a child process)."""
    code = (
        "import django; django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0)\n"
        "from jishiban.testing import load_reference_data, make_user\n"
        "load_reference_data()\n"
        "make_user('bench-operator', 'operator', org='centre-city')\n"
        "from jishiban.api.tokens import create_token\n"
        "print(create_token(__import__('jishiban.accounts.models', fromlist=['User']).User.objects"
        ".get(username='bench-operator'), name='bench')[1])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


def body(n: int) -> bytes:
    return json.dumps({
        "channel": "12345-web", "external_id": f"HTTP-{os.getpid()}-{n}",
        "title": "路灯不亮", "content": f"某小区{n % 300}号楼前路灯不亮已经{1 + n % 9}天，夜间出行不安全",
        "citizen": {"name": "张先生", "phone": f"139{n:08d}"},
        "location": {"county": "370811", "address": f"任城区某路{n % 500}号"}, "category": "020101",
    }, ensure_ascii=False).encode("utf-8")


def jobs_caught_up(env: dict) -> dict:
    """How many appeals had their smart-help suggestion when the load ended, and how long the
    job cluster then took to finish the rest (polled for up to 120 s)."""
    code = ("import django; django.setup()\n"
            "from jishiban.appeals.models import Appeal\nfrom jishiban.smart.models import Suggestion\n"
            "print(Appeal.objects.count(), Suggestion.objects.count())\n")

    def counts() -> tuple[int, int]:
        out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
                             check=True)
        appeals, done = out.stdout.split()[-2:]
        return int(appeals), int(done)

    appeals, at_end = counts()
    started = time.monotonic()
    done = at_end
    while done < appeals and time.monotonic() - started < 120:
        time.sleep(2)
        appeals, done = counts()
    return {"appeals": appeals, "suggested_when_load_ended": at_end, "suggested_after": done,
            "seconds_to_catch_up": round(time.monotonic() - started, 1)}


def load(port: int, token: str, rate: float, seconds: float, threads: int, first: int = 0,
         idempotency: bool = False) -> dict:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    run = f"{os.getpid()}-{time.time():.0f}"

    def send(conn, i):
        n = first + i
        conn.request("POST", "/api/v1/appeals", body=body(n),
                     headers={**headers, "Idempotency-Key": f"bench-{run}-{n}"} if idempotency else headers)
        response = conn.getresponse()
        response.read()
        return response.status == 201, str(response.status)

    result = open_loop(port, rate, seconds, threads, send)
    latency = result["latency"]
    return {"requests": result["sent"], "errors": result["sent"] - result["ok"],
            "achieved_rps": round(result["sent"] / result["elapsed"], 1),
            **{f"p{p}_ms": round(percentile(latency, p), 1) for p in (50, 95, 99)},
            "max_ms": round(latency[-1], 1), "mean_ms": round(statistics.fmean(latency), 1),
            "error_sample": result["errors"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--server", choices=["gunicorn", "runserver"], default="gunicorn")
    parser.add_argument("--with-jobs", action="store_true",
                        help="run the job cluster (smart help after every intake) beside the server")
    parser.add_argument("--idempotency-key", action="store_true",
                        help="send an Idempotency-Key header with every request (the path channels that retry use)")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--server-threads", type=int, default=4)
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"])
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/jsb_bench_intake_http",
                        help="a PostgreSQL URL whose database may be dropped and recreated")
    args = parser.parse_args()
    if args.rate * args.seconds > 20000:
        parser.error("keep the run bounded: rate × seconds ≤ 20000")
    for db in args.db:
        env = {**os.environ, "SECRET_KEY": SECRET, "DJANGO_SETTINGS_MODULE": "jishiban.settings", "PYTHONPATH": str(ROOT),
               "JISHIBAN_ACCESS_LOG": ""}  # no access log: the production settings otherwise log each request
        env.pop("Q_SYNC", None)
        if db == "sqlite":
            path = Path(f"/tmp/jishiban-bench-http-{os.getpid()}.sqlite3")
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
            env["DATABASE_URL"] = f"sqlite:///{path}"
        else:
            name = args.pg.rsplit("/", 1)[1]
            admin = args.pg.rsplit("/", 1)[0] + "/postgres"
            subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
            subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
            env["DATABASE_URL"] = args.pg
        token = prepare(env)
        port = free_port()
        if args.server == "runserver":
            command = [sys.executable, "-m", "jishiban.cli", "runserver", f"127.0.0.1:{port}", "--noreload"]
        else:
            command = [str(Path(sys.executable).parent / "gunicorn"), "-c", "python:jishiban.gunicorn_conf",
                       "jishiban.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(args.processes),
                       "--threads", str(args.server_threads)]
        server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        jobs = None
        if args.with_jobs:
            # The job cluster as production runs it: smart help (no trained classifier in this
            # database: duplicates, region, risk, routing) for every appeal, beside the intake.
            jobs_log = Path(f"/tmp/jishiban-bench-http-{os.getpid()}-jobs.log")
            with jobs_log.open("w") as log:
                jobs = subprocess.Popen([sys.executable, "-m", "jishiban.cli", "qcluster"], env=env, cwd=ROOT,
                                        stdout=log, stderr=log, start_new_session=True)
            print(f"job cluster log: {jobs_log}", file=sys.stderr)
        try:
            wait_until_up(port, "/api/v1/openapi.json", process=server)
            load(port, token, rate=20, seconds=2, threads=4, first=10**7)  # warm-up: imports, connections
            server_cpu, client_cpu, machine = cpu_seconds(server.pid), time.process_time(), busy_cores()
            with CommitProbe(args.pg if db == "postgres" else None) as probe:
                result = load(port, token, args.rate, args.seconds, args.threads, idempotency=args.idempotency_key)
            result.update(probe.summary())
            served = result["requests"]
            result["server_cpu_ms_per_request"] = round(1000 * (cpu_seconds(server.pid) - server_cpu) / served, 2)
            result["client_cpu_ms_per_request"] = round(1000 * (time.process_time() - client_cpu) / served, 2)
            busy, total = (after - before for after, before in zip(busy_cores(), machine, strict=True))
            result["machine_busy_pct"] = round(100 * busy / total, 1)  # all cores, database included
            result["load_avg_1m"] = round(os.getloadavg()[0], 1)
            if jobs is not None:
                result.update(jobs_caught_up(env))
        finally:
            stop(server, jobs)
        print(json.dumps({"db": db, "server": args.server, "processes": 1 if args.server == "runserver" else
                          args.processes, "idempotency_key": args.idempotency_key, "with_jobs": args.with_jobs, "rate": args.rate, "seconds": args.seconds, **result}, ensure_ascii=False))
        if db == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
